#!/bin/sh
# kill -9 of `stad serve --watch` while its watcher ingests a large file: the store
# stays intact (PRAGMA integrity_check), every loaded batch has exactly its rows, and
# a restarted server finishes the file that was left in the folder.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
. "$HERE/serve_lib.inc"
need sqlite3 curl od

q() { sqlite3 "$DB" "$1"; }

check_store() {
    expect_eq "$(q 'PRAGMA integrity_check')" ok "$1: integrity_check"
    expect_eq "$(q 'PRAGMA foreign_key_check' | wc -l | tr -d ' ')" 0 "$1: foreign key violations"
    bad=$(q "SELECT count(*) FROM batch b WHERE b.status = 'loaded' AND
        (b.rows_accepted <> (SELECT count(*) FROM event e WHERE e.batch_id = b.id) OR
         b.rows_rejected <> (SELECT count(*) FROM reject r WHERE r.batch_id = b.id))")
    expect_eq "$bad" 0 "$1: batches whose events or rejects differ from their counts"
    expect_eq "$(q "SELECT count(*) FROM event WHERE batch_id NOT IN (SELECT id FROM batch WHERE status = 'loaded')")" 0 \
        "$1: events outside loaded batches"
    "$STAD" --store "$DB" batches >/dev/null 2>"$T/cli.err" ||
        { show "$T/cli.err"; fail "$1: stad cannot read the store after kill -9"; }
}

run_ok init st init --city groningen
run_ok wijk st areas load "$AREAS_DIR/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
run_ok buurt st areas load "$AREAS_DIR/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
# ~96,000 rows: the thefts 6 times with their own ids
thefts_times 6 "$T/groot.csv"
total=$(($(wc -l <"$T/groot.csv") - 1))
expect_eq "$total" $((15947 * 6)) "generated rows"
mkdir "$T/drop"
cp "$T/groot.csv" "$T/drop/"

interrupted=0
for attempt in 1 2 3; do
    start_serve --watch "$T/drop"
    # a random delay of 0.3 .. 2.0 s after the server is up (the watcher starts on
    # the file already in the folder)
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    ms=$((300 + r % 1701))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    loaded=$(q "SELECT count(*) FROM batch WHERE status = 'loaded'")
    kill -9 "$SERVE_PID"
    wait "$SERVE_PID" 2>/dev/null || true
    check_store "attempt $attempt"
    [ "$loaded" -eq 0 ] && interrupted=$((interrupted + 1))
    note "attempt $attempt: killed after ${ms} ms: $(q "SELECT count(*) FROM batch") batches, $(q 'SELECT count(*) FROM event') events"
done
note "$interrupted of 3 kills hit the server before the batch was complete"

# A server started again loads the file completely.
start_serve --watch "$T/drop"
loaded1() { [ "$(q "SELECT count(*) FROM batch WHERE status = 'loaded'")" -eq 1 ]; }
wait_until 60 "the watcher to load groot.csv" loaded1
expect_eq "$(q 'SELECT count(*) FROM event')" "$total" "events after the restart"
# Data routes need a session: an administrator (reads pending sources too) logs in.
printf '%s\n' 'crash-serve-password-1' | "$STAD" --store "$DB" -q user add beheer --role admin ||
    fail "stad user add"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -c "$T/cookies" -H 'Content-Type: application/json' \
    -d '{"name":"beheer","password":"crash-serve-password-1"}' "$URL/api/login")" 200 "POST /api/login"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -b "$T/cookies" "$URL/api/health")" 200 "serving after the crashes"
stop_serve
check_store "after the restart"
note "ok"
