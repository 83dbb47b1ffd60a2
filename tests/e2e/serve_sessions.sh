#!/bin/sh
# The server keeps checked sessions in memory; every change made by another process on
# the same store counts from the very next request: `stad user lock`, `roles`, `passwd`
# and `source approve --revoke` from the command line while `stad serve` runs, and a
# logout. No waiting between the change and the request: the next one must see it.
set -eu
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/serve_lib.inc"
need curl
need sqlite3

load_groningen
SRC=groningen_fietsdiefstallen_2013_2017
run_ok register st source set "$SRC" --holder "Politie" --purpose "hotspots" \
    --legal-basis "open data" --retention-days 36500 --sensitivity open --roles safety_analyst
run_ok approve st source approve "$SRC"
printf 'analyst-password-1\n' | run_ok user st user add ana --role safety_analyst

start_serve
note "serving at $URL"

JAR="$T/cookies"
login() {
    curl -sS -o "$T/login.json" -w '%{http_code}' -c "$JAR" -H 'Content-Type: application/json' \
        -d "{\"name\":\"ana\",\"password\":\"$1\"}" "$URL/api/login"
}
# code PATH: the status of GET PATH with the session cookie.
code() { curl -sS -o "$T/body.json" -w '%{http_code}' -b "$JAR" "$URL$1"; }
total() {
    expect_eq "$(code '/api/events?page_size=1')" 200 "GET /api/events"
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$T/body.json"
}
csrf() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$T/login.json"; }

STATS='/api/stats?kind=theft.bike&level=wijk'
expect_eq "$(login analyst-password-1)" 200 "login"
# The same session many times: the first request reads it from the store, the rest
# from memory (the unit tests count the hits).
for i in 1 2 3 4 5; do
    expect_eq "$(code "$STATS")" 200 "GET /api/stats ($i)"
done
expect_eq "$(total)" 15947 "events the analyst reads"

# Roles changed on the command line: the next request has the new ones.
run_ok roles-public st user roles ana --role public
expect_eq "$(code "$STATS")" 403 "GET /api/stats right after 'stad user roles ana --role public'"
run_ok roles-back st user roles ana --role safety_analyst
expect_eq "$(code "$STATS")" 200 "GET /api/stats after the analyst role is back"

# The register: a revoked source disappears from the session's scope at once.
run_ok revoke st source approve "$SRC" --revoke
expect_eq "$(total)" 0 "events right after 'stad source approve --revoke'"
run_ok approve-again st source approve "$SRC"
expect_eq "$(total)" 15947 "events after the approval is back"

# A lock from the command line ends the session on the next request.
run_ok lock st user lock ana
expect_eq "$(code "$STATS")" 401 "GET /api/stats right after 'stad user lock ana'"
expect_eq "$(login analyst-password-1)" 401 "login while locked"
run_ok unlock st user lock ana --unlock
expect_eq "$(code "$STATS")" 401 "the old session stays ended after the unlock"
expect_eq "$(login analyst-password-1)" 200 "login after the unlock"
expect_eq "$(code "$STATS")" 200 "GET /api/stats with the new session"

# A new password from the command line ends the sessions opened with the old one.
printf 'analyst-password-2\n' | run_ok passwd st user passwd ana
expect_eq "$(code "$STATS")" 401 "GET /api/stats right after 'stad user passwd ana'"
expect_eq "$(login analyst-password-2)" 200 "login with the new password"

# Logout: the same cookie is refused on the next request.
expect_eq "$(code "$STATS")" 200 "GET /api/stats before the logout"
cp "$JAR" "$T/cookies.kept"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(csrf)" -d '{}' "$URL/api/logout")" 200 "POST /api/logout"
cp "$T/cookies.kept" "$JAR" # the browser would drop it; an attacker who copied it would not
expect_eq "$(code "$STATS")" 401 "GET /api/stats with the logged-out cookie"

# Every read was audited, also those answered from memory and from the response cache.
stop_serve
reads=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'ana' AND action = 'read'
    AND route = 'GET /api/stats'")
expect_eq "$reads" 8 "audit rows of the analyst's successful /api/stats reads"
cached=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'ana' AND action = 'read'
    AND route = 'GET /api/stats' AND outcome = 'ok (cached)'")
[ "$cached" -ge 4 ] || fail "audit rows of cached /api/stats reads: $cached, expected >= 4"
note "ok"
