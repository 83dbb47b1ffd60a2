#!/bin/sh
# stad serve on real Groningen data: health, areas, events paging, stats, gzip,
# refusals, and --watch: a new file shows up in data_version and /api/status within
# seconds; a bad file is reported there and the server keeps serving.
set -eu
. "$(dirname "$0")/lib.inc"
need curl

AREAS=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz

run_ok init st init --city groningen
run_ok wijk st areas load "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
run_ok buurt st areas load "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
run_ok ingest st ingest "$THEFTS"
# The register: the source is approved for analysts; an admin account logs in.
SRC=groningen_fietsdiefstallen_2013_2017
run_ok register st source set "$SRC" --holder "Politie" --purpose "hotspots" \
    --legal-basis "open data" --retention-days 36500 --sensitivity open --roles safety_analyst
run_ok approve st source approve "$SRC"
printf 'admin-password-1\n' | run_ok user st user add beheer --role admin

W="$T/drop"
mkdir "$W"
LOG="$T/serve.out"
ERR="$T/serve.err"
"$STAD" --store "$DB" serve --port 0 --watch "$W" >"$LOG" 2>"$ERR" &
pid=$!
BG_PIDS=$pid

# The server prints its URL (port 0: a free port chosen by the system).
i=0
while ! grep -q '^stad serve: http://' "$LOG" 2>/dev/null; do
    alive "$pid" || { show "$LOG"; show "$ERR"; fail "stad serve died at start"; }
    i=$((i + 1))
    [ "$i" -le 100 ] || { show "$LOG"; show "$ERR"; fail "stad serve printed no URL within 20 s"; }
    sleep 0.2
done
URL=$(sed -n 's|^stad serve: \(http://[^ ]*\)/ .*|\1|p' "$LOG" | head -n 1)
note "serving at $URL"

# get PATH NAME: body in $T/NAME.json, status code printed (with the session cookie).
JAR="$T/cookies"
get() {
    curl -sS --path-as-is -b "$JAR" -o "$T/$2.json" -w '%{http_code}' "$URL$1" 2>"$T/$2.curl" ||
        { show "$T/$2.curl"; fail "curl $1 failed"; }
}
# jq-less JSON: py EXPR NAME evaluates EXPR with j = the parsed $T/NAME.json.
py() {
    "$PY" -c 'import json,sys
j = json.load(open(sys.argv[2]))
print(eval(sys.argv[1]))' "$1" "$T/$2.json" || { show "$T/$2.json"; fail "cannot read $2.json"; }
}

# Without a session only /api/health answers.
expect_eq "$(get /api/events anon)" 401 "GET /api/events without a session"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -c "$JAR" -H 'Content-Type: application/json' \
    -d '{"name":"beheer","password":"admin-password-1"}' "$URL/api/login")" 200 "POST /api/login"
expect_eq "$(get /api/health health)" 200 "GET /api/health"
expect_eq "$(py 'j["status"]' health)" ok "health status"
v0=$(py 'j["data_version"]' health)

expect_eq "$(get '/api/areas?level=wijk' wijk)" 200 "GET /api/areas?level=wijk"
expect_eq "$(py 'len(j["features"])' wijk)" 15 "wijken served"
expect_eq "$(get '/api/areas?level=buurt' buurt)" 200 "GET /api/areas?level=buurt"
expect_eq "$(py 'len(j["features"])' buurt)" 112 "buurten served"
expect_eq "$(py 'j["features"][0]["geometry"]["type"] in ("Polygon","MultiPolygon")' buurt)" True \
    "buurt geometry"

expect_eq "$(get '/api/events?page_size=1000' p1)" 200 "GET /api/events page 1"
expect_eq "$(py 'j["total"]' p1)" 15947 "events total"
expect_eq "$(py 'len(j["features"])' p1)" 1000 "events on page 1"
expect_eq "$(get '/api/events?page_size=1000&page=16' p16)" 200 "GET /api/events page 16"
expect_eq "$(py 'len(j["features"])' p16)" 947 "events on the last page"
expect_eq "$(py 'j["features"][0]["properties"]["kind"]' p16)" theft.bike "kind of an event"

expect_eq "$(get '/api/stats?kind=theft.bike' stats)" 200 "GET /api/stats"
expect_eq "$(py 'sum(r["count"] for r in j["rows"])' stats)" 15947 "stats sum of bike thefts"
expect_eq "$(get '/api/stats?kind=theft.bike&from=2016-01-01&to=2016-12-31&level=buurt' s2016)" 200 \
    "GET /api/stats for 2016"
expect_eq "$(py 'sum(r["count"] for r in j["rows"])' s2016)" 3483 "bike thefts in 2016 (SOURCE.md)"
expect_eq "$(get /api/meta meta)" 200 "GET /api/meta"
expect_eq "$(py '[k["count"] for k in j["kinds"] if k["kind"]=="theft.bike"][0]' meta)" 15947 \
    "meta count of bike thefts"
expect_eq "$(get '/api/trend?from=2016-01-01&to=2016-12-31' trend)" 200 "GET /api/trend"
expect_eq "$(py 'sum(w["count"] for w in j["weeks"])' trend)" 3483 "trend sum for 2016"

# ETag and 304; gzip when asked
etag=$(curl -sS -b "$JAR" -D - -o /dev/null "$URL/api/stats?kind=theft.bike" | sed -n 's/^[Ee][Tt]ag: //p' | tr -d '\r')
[ -n "$etag" ] || fail "no ETag on /api/stats"
code=$(curl -sS -b "$JAR" -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/api/stats?kind=theft.bike")
expect_eq "$code" 304 "If-None-Match with the ETag"
curl -sS -b "$JAR" -D "$T/gz.head" -o /dev/null -H 'Accept-Encoding: gzip' "$URL/api/areas?level=buurt"
expect_contains_i "$T/gz.head" "content-encoding: gzip" "gzip'ed areas"

# refusals
expect_eq "$(get '/api/stats?colour=red' bad1)" 400 "unknown parameter"
expect_eq "$(py 'j["parameter"]' bad1)" colour "the unknown parameter is named"
expect_eq "$(get '/api/events?from=2017-02-30' bad2)" 400 "impossible date"
expect_eq "$(get '/api/stats?from=1967-01-01&to=2017-01-01' bad3)" 400 "50-year period"
expect_eq "$(get '/api/events?bbox=4.3,52.0,4.4,52.1' bad4)" 400 "bbox outside the city"
for p in /../etc/passwd /%2e%2e/%2e%2e/etc/passwd /..%2f..%2fetc/passwd; do
    code=$(get "$p" trav)
    [ "$code" = 400 ] || [ "$code" = 404 ] || fail "GET $p: status $code"
    expect_not_contains "$T/trav.json" "root:" "GET $p must not serve /etc/passwd"
done
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d x=1 "$URL/api/stats")" 405 "POST"

# ---- --watch: a good file and a bad file while serving ----
cat >"$T/nieuw.csv" <<'CSV'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
N1,2017-09-25,08:15,Fietsdiefstal,Oude Ebbingestraat,233950,582520
N2,2017-09-25,12:00,Fietsdiefstal,Herestraat,233720,581750
CSV
cp "$T/nieuw.csv" "$W/.nieuw.csv.part"
mv "$W/.nieuw.csv.part" "$W/nieuw.csv"

# wait_for WHAT CONDITION...: up to 10 s while the server runs.
wait_for() {
    _what=$1
    shift
    _i=0
    while ! "$@"; do
        alive "$pid" || { show "$LOG"; show "$ERR"; fail "the server died while waiting for $_what"; }
        _i=$((_i + 1))
        [ "$_i" -le 50 ] || { show "$LOG"; show "$ERR"; fail "timed out (10 s) waiting for $_what"; }
        sleep 0.2
    done
}
version_grew() {
    get /api/health h >/dev/null
    [ "$(py 'j["data_version"]' h)" -gt "$v0" ]
}
status_lists() {
    get /api/status status >/dev/null
    [ "$(py "any(b['file'] == '$1' for b in j['batches'])" status)" = True ]
}
status_reports_bad() {
    get /api/status status >/dev/null
    [ "$(py "any(r['file'] == '$1' and not r['ok'] for r in (j['watch'] or {}).get('reports', []))" status)" = True ]
}
wait_for "the data version to grow" version_grew
wait_for "nieuw.csv in /api/status" status_lists nieuw.csv
expect_eq "$(get '/api/events?page_size=1' after)" 200 "events after the new file"
expect_eq "$(py 'j["total"]' after)" 15949 "events after the new file"

head -c 5000 /dev/urandom >"$W/kapot.xlsx"
wait_for "kapot.xlsx reported as not ok" status_reports_bad kapot.xlsx
alive "$pid" || fail "the server stopped after a bad file"
expect_eq "$(get /api/health health2)" 200 "health after the bad file"
expect_eq "$(py 'j["watch"]["running"]' status)" True "the watcher still runs"

# A second good file after the bad one is still ingested.
sed 's/N1/M1/; s/N2/M2/; s/2017-09-25/2017-09-26/' "$T/nieuw.csv" >"$W/dinsdag.csv"
wait_for "dinsdag.csv in /api/status" status_lists dinsdag.csv

# SIGTERM: exits 0 within a few seconds.
kill -TERM "$pid"
i=0
while alive "$pid"; do
    i=$((i + 1))
    [ "$i" -le 50 ] || { show "$LOG"; show "$ERR"; fail "stad serve did not stop within 10 s of SIGTERM"; }
    sleep 0.2
done
if wait "$pid"; then rc=0; else rc=$?; fi
BG_PIDS=""
[ "$rc" -eq 0 ] || { show "$LOG"; show "$ERR"; fail "stad serve exited $rc after SIGTERM"; }
note "ok"
