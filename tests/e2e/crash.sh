#!/bin/sh
# kill -9 during an ingest leaves the store as it was before the batch (or with the
# whole batch): never half a batch, never a damaged file.
set -eu
. "$(dirname "$0")/lib.inc"
need sqlite3 od

THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz
[ -r "$THEFTS" ] || fail "missing data file $THEFTS"

# ~190,000 rows: the Groningen thefts 12 times, each copy with its own incident ids.
BIG="$T/groot.csv"
zcat "$THEFTS" | "$PY" -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
w = csv.writer(open(sys.argv[1], "w", newline="", encoding="utf-8"), lineterminator="\n")
w.writerow(rows[0])
for k in range(12):
    for r in rows[1:]:
        r = list(r)
        r[0] = "%s_%02d" % (r[0], k)
        w.writerow(r)
' "$BIG"
total=$(($(wc -l <"$BIG") - 1))
note "$total rows in $(basename "$BIG")"
expect_eq "$total" $((15947 * 12)) "generated rows"

q() { sqlite3 "$1" "$2"; }

# check_store DB ATTEMPT: integrity, and all or nothing for the batch.
check_store() {
    _db=$1
    ic=$(q "$_db" 'PRAGMA integrity_check') || fail "attempt $2: sqlite3 cannot open the store"
    expect_eq "$ic" ok "attempt $2: PRAGMA integrity_check"
    fk=$(q "$_db" 'PRAGMA foreign_key_check' | wc -l | tr -d ' ')
    expect_eq "$fk" 0 "attempt $2: foreign key violations"
    nb=$(q "$_db" 'SELECT count(*) FROM batch')
    ne=$(q "$_db" 'SELECT count(*) FROM event')
    nr=$(q "$_db" 'SELECT count(*) FROM reject')
    if [ "$nb" -eq 0 ]; then
        expect_eq "$ne" 0 "attempt $2: events without a batch"
        expect_eq "$nr" 0 "attempt $2: rejects without a batch"
        expect_eq "$(q "$_db" 'SELECT count(*) FROM source')" 0 \
            "attempt $2: sources left by an interrupted first ingest"
        RESULT="no batch"
    else
        expect_eq "$nb" 1 "attempt $2: batches"
        acc=$(q "$_db" 'SELECT coalesce(sum(rows_accepted), 0) FROM batch')
        rej=$(q "$_db" 'SELECT coalesce(sum(rows_rejected), 0) FROM batch')
        expect_eq "$ne" "$acc" "attempt $2: events vs rows_accepted of the batch"
        expect_eq "$nr" "$rej" "attempt $2: rejects vs rows_rejected of the batch"
        expect_eq "$(q "$_db" 'SELECT status FROM batch')" loaded "attempt $2: batch status"
        expect_eq "$ne" "$total" "attempt $2: events of a complete batch"
        RESULT="complete batch"
    fi
    # and stad itself can read it
    "$STAD" --store "$_db" batches >/dev/null 2>"$T/cli.err" ||
        { show "$T/cli.err"; fail "attempt $2: stad cannot open the store after kill -9"; }
}

db="$T/crash.db"
run_ok init "$STAD" --store "$db" init --city groningen
interrupted=0
for attempt in 1 2 3; do
    # a random delay 0.2 .. 1.5 s
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    ms=$((200 + r % 1301))
    delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
    "$STAD" -q --store "$db" ingest "$BIG" >"$T/ingest$attempt.out" 2>&1 &
    pid=$!
    BG_PIDS=$pid
    sleep "$delay"
    was_running=0
    if alive "$pid"; then
        was_running=1
        kill -9 "$pid"
    fi
    if wait "$pid"; then rc=0; else rc=$?; fi
    BG_PIDS=""
    if [ "$was_running" -eq 1 ]; then
        [ "$rc" -eq 137 ] || fail "attempt $attempt: ingest exited $rc, expected 137 (SIGKILL)"
    else
        [ "$rc" -eq 0 ] || { show "$T/ingest$attempt.out"; fail "attempt $attempt: ingest failed ($rc)"; }
    fi
    check_store "$db" "$attempt"
    [ "$was_running" -eq 1 ] && [ "$RESULT" = "no batch" ] && interrupted=$((interrupted + 1))
    note "attempt $attempt: killed after ${delay}s (running: $was_running): $RESULT"
done
note "$interrupted of 3 attempts interrupted a batch"

# A normal ingest of the same file afterwards loads it completely.
run_ok again "$STAD" -q --store "$db" ingest "$BIG"
expect_eq "$(q "$db" 'SELECT count(*) FROM event')" "$total" "events after a normal ingest"
expect_eq "$(q "$db" 'SELECT count(*) FROM batch')" 1 "batches after a normal ingest"
expect_eq "$(q "$db" 'PRAGMA integrity_check')" ok "integrity after a normal ingest"

# The same with a batch already in the store: a kill -9 during a replacing ingest
# leaves the old batch exactly as it was.
# the same file name, other content (the first 100,000 rows dropped): a replacing ingest
sed -n '1p;100002,$p' "$BIG" >"$T/rest.csv"
mv "$T/rest.csv" "$BIG"
before=$(q "$db" 'SELECT id, status, rows_accepted FROM batch')
"$STAD" -q --store "$db" ingest "$BIG" >"$T/replace.out" 2>&1 &
pid=$!
BG_PIDS=$pid
sleep 0.5
killed=0
if alive "$pid"; then
    kill -9 "$pid"
    killed=1
fi
wait "$pid" || true
BG_PIDS=""
expect_eq "$(q "$db" 'PRAGMA integrity_check')" ok "replace: integrity"
nb=$(q "$db" 'SELECT count(*) FROM batch')
if [ "$nb" -eq 1 ]; then
    expect_eq "$(q "$db" 'SELECT id, status, rows_accepted FROM batch')" "$before" "replace: the old batch"
    expect_eq "$(q "$db" 'SELECT count(*) FROM event')" "$total" "replace: events of the old batch"
    note "replace: killed=$killed, old batch intact"
else
    expect_eq "$nb" 2 "replace: batches"
    expect_eq "$(q "$db" "SELECT count(*) FROM batch WHERE status = 'replaced'")" 1 "replace: replaced batches"
    new=$(q "$db" "SELECT rows_accepted FROM batch WHERE status = 'loaded'")
    expect_eq "$(q "$db" 'SELECT count(*) FROM event')" "$new" "replace: events of the new batch"
    note "replace: killed=$killed, new batch complete"
fi
note "ok"
