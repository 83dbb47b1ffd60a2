#!/bin/sh
# stad watch DIR: files dropped in are ingested, a bad file is reported and skipped,
# SIGTERM stops the watcher cleanly.
set -eu
. "$(dirname "$0")/lib.inc"

W="$T/drop"
mkdir "$W" "$T/src"
LOG="$T/watch.log"
ERR="$T/watch.err"

run_ok init st init --city groningen

cat >"$T/src/al-daar.csv" <<'EOF'
meldingnummer,datum,incidentsoort,straat,x_rd,y_rd
P1,2017-05-01,Fietsdiefstal,Herestraat,233720,581750
EOF
cat >"$T/src/maandag.csv" <<'EOF'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
A1,2017-05-08,08:15,Fietsdiefstal,Oude Ebbingestraat,233950,582520
A2,2017-05-08,12:00,Fietsdiefstal,Herestraat,233720,581750
A3,2017-05-08,17:45,Fietswrak,Vismarkt,233570,582080
EOF
cat >"$T/src/dinsdag.csv" <<'EOF'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
B1,2017-05-09,09:00,Overlast,Grote Markt,233880,582050
B2,2017-05-09,23:10,Fietsdiefstal,Zuiderdiep,233900,581720
EOF
head -c 5000 /dev/urandom >"$T/src/kapot.xlsx"

# A file that is already there when the watch starts is ingested too.
cp "$T/src/al-daar.csv" "$W/"

"$STAD" --store "$DB" watch "$W" >"$LOG" 2>"$ERR" &
pid=$!
BG_PIDS=$pid

# wait_for WHAT CONDITION...: polls CONDITION for up to 20 s while the watcher runs.
wait_for() {
    _what=$1
    shift
    _i=0
    while ! "$@"; do
        alive "$pid" || { show "$LOG"; show "$ERR"; fail "the watcher died while waiting for $_what"; }
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || { show "$LOG"; show "$ERR"; fail "timed out (20 s) waiting for $_what"; }
        sleep 0.2
    done
}
batches_are() { [ "$(batch_count)" -eq "$1" ]; }
logged() { grep -F -q -- "$1" "$LOG" "$ERR"; }

wait_for "the file already in the folder" batches_are 1

# One good file written under a temporary name and moved in, one copied in place,
# one bad file copied in.
cp "$T/src/maandag.csv" "$W/.maandag.csv.part"
mv "$W/.maandag.csv.part" "$W/maandag.csv"
cp "$T/src/dinsdag.csv" "$W/dinsdag.csv"
cp "$T/src/kapot.xlsx" "$W/kapot.xlsx"

wait_for "two new batches" batches_are 3
wait_for "a report on kapot.xlsx" logged kapot.xlsx
alive "$pid" || fail "the watcher stopped after a bad file"

expect_contains "$LOG" "maandag.csv" "the watch log reports maandag.csv"
expect_contains "$LOG" "dinsdag.csv" "the watch log reports dinsdag.csv"
expect_contains "$LOG" "3 accepted" "the watch log has maandag's batch report"
expect_contains "$LOG" "2 accepted" "the watch log has dinsdag's batch report"
expect_not_contains "$LOG" ".maandag.csv.part" "the temporary file was not ingested"
expect_eq "$(event_count)" 6 "events from the three good files"
run_ok batches st batches --format csv
names=$(csv_col "$T/batches.out" file | sed 's|.*/||' | sort | tr '\n' ' ')
expect_eq "$names" "al-daar.csv dinsdag.csv maandag.csv " "files of the batches"

# The watcher still works after the bad file: a corrected version of maandag.csv
# (an in-place rewrite) replaces its batch.
cat >"$W/maandag.csv" <<'EOF'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
A1,2017-05-08,08:15,Fietsdiefstal,Oude Ebbingestraat,233950,582520
A2,2017-05-08,12:00,Fietsdiefstal,Brugstraat,233720,581750
EOF
wait_for "the corrected maandag.csv" batches_are 4
wait_for "the replace report" logged "replaces batch"
expect_eq "$(event_count)" 5 "events after the corrected file"
alive "$pid" || fail "the watcher stopped"

# SIGTERM: the watcher exits 0 within a few seconds.
kill -TERM "$pid"
i=0
while alive "$pid"; do
    i=$((i + 1))
    [ "$i" -le 50 ] || { show "$LOG"; show "$ERR"; fail "the watcher did not stop within 10 s of SIGTERM"; }
    sleep 0.2
done
if wait "$pid"; then rc=0; else rc=$?; fi
BG_PIDS=""
[ "$rc" -eq 0 ] || { show "$LOG"; show "$ERR"; fail "the watcher exited $rc after SIGTERM, expected 0"; }
st batches >/dev/null || fail "the store is unusable after the watcher stopped"
note "ok"
