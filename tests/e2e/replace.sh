#!/bin/sh
# A corrected file replaces its earlier batch; unreadable and empty files leave the
# store untouched.
set -eu
. "$(dirname "$0")/lib.inc"

run_ok init st init --city groningen
mkdir "$T/in"
F="$T/in/meldingen.csv"
cat >"$F" <<'EOF'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
M1,2017-03-01,08:15,Fietsdiefstal,Oude Ebbingestraat,233950,582520
M2,2017-03-02,12:00,Fietsdiefstal,Herestraat,233720,581750
M3,2017-03-03,17:45,Fietswrak,Vismarkt,233570,582080
M4,2017-03-04,22:30,Overlast,Grote Markt,233880,582050
M5,2017-03-05,03:10,Fietsdiefstal,Zuiderdiep,233900,581720
EOF
cp "$F" "$T/original.csv"

run_ok ing1 st ingest "$F"
b1=$(report_batch "$T/ing1.out")
[ -n "$b1" ] || { show "$T/ing1.out"; fail "no batch id in the report"; }
expect_contains "$T/ing1.out" "5 accepted" "first ingest"
expect_not_contains "$T/ing1.out" "replaces" "first ingest replaces nothing"
expect_eq "$(event_count)" 5 "events after the first ingest"
expect_eq "$(csv_col "$T/_events.csv" kind | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
    "complaint.bike_wreck=1 nuisance=1 theft.bike=3 " "kinds of the first file"

# The same file again: unchanged.
run_ok ing1b st ingest "$F"
expect_contains "$T/ing1b.out" "unchanged" "same file again"
expect_eq "$(batch_count)" 1 "batches after the same file twice"

# Correct one row (M2's street) and add one (M6): same file name, new content.
cat >"$F" <<'EOF'
meldingnummer,datum,tijd,incidentsoort,straat,x_rd,y_rd
M1,2017-03-01,08:15,Fietsdiefstal,Oude Ebbingestraat,233950,582520
M2,2017-03-02,12:00,Fietsdiefstal,Brugstraat,233720,581750
M3,2017-03-03,17:45,Fietswrak,Vismarkt,233570,582080
M4,2017-03-04,22:30,Overlast,Grote Markt,233880,582050
M5,2017-03-05,03:10,Fietsdiefstal,Zuiderdiep,233900,581720
M6,2017-03-06,14:00,Fietsdiefstal,Gelkingestraat,233960,581900
EOF
run_ok ing2 st ingest "$F"
b2=$(report_batch "$T/ing2.out")
expect_contains "$T/ing2.out" "(replaces batch $b1)" "corrected file"
expect_contains "$T/ing2.out" "6 accepted" "corrected file"
[ "$b2" != "$b1" ] || fail "the corrected file reused batch $b1"
expect_eq "$(event_count)" 6 "events after the corrected file"
streets=$(csv_col "$T/_events.csv" street | sort | tr '\n' ' ')
expect_eq "$streets" "Brugstraat Gelkingestraat Grote Markt Oude Ebbingestraat Vismarkt Zuiderdiep " \
    "streets after the correction"

run_ok batches st batches --format csv
"$PY" - "$T/batches.out" "$b1" "$b2" <<'EOF' || { show "$T/batches.out"; fail "batches after the correction"; }
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
b1, b2 = rows[sys.argv[2]], rows[sys.argv[3]]
assert len(rows) == 2, "%d batches" % len(rows)
assert b1["status"] == "replaced", "old batch status %r" % b1["status"]
assert b2["status"] == "loaded", "new batch status %r" % b2["status"]
assert b2["replaces"] == sys.argv[2], "new batch replaces %r" % b2["replaces"]
assert b1["file"] == b2["file"], (b1["file"], b2["file"])
assert b2["accepted"] == "6" and b1["accepted"] == "5", (b1["accepted"], b2["accepted"])
assert b1["sha256"] != b2["sha256"]
EOF
run_ok sources st sources --format csv
expect_eq "$(csv_rows "$T/sources.out")" 1 "one source for one file name"
expect_eq "$(csv_col "$T/sources.out" events)" 6 "events of the source"

# Going back to the original content: it must be what the store holds again.
cp "$T/original.csv" "$F"
run_ok ing3 st ingest "$F"
if grep -q unchanged "$T/ing3.out"; then
    show "$T/ing3.out"
    fail "the original content again is reported unchanged although batch $b1 was replaced"
fi
expect_contains "$T/ing3.out" "(replaces batch $b2)" "original content again"
expect_eq "$(event_count)" 5 "events after restoring the original file"
expect_contains "$T/_events.csv" "Herestraat" "the original street is back"
expect_not_contains "$T/_events.csv" "Brugstraat" "the corrected street is gone"
nb=$(batch_count)
expect_eq "$nb" 3 "batches"

# ---- files that cannot be read: exit 1, the file named, nothing changed ----
snapshot() {
    st batches --format csv >"$T/snap-batches.csv"
    st sources --format csv >"$T/snap-sources.csv"
    st events --format csv >"$T/snap-events.csv"
}
unchanged_since() { # WHAT
    st batches --format csv >"$T/now-batches.csv"
    st sources --format csv >"$T/now-sources.csv"
    st events --format csv >"$T/now-events.csv"
    for k in batches sources events; do
        cmp -s "$T/snap-$k.csv" "$T/now-$k.csv" || {
            diff "$T/snap-$k.csv" "$T/now-$k.csv" | head -n 20 >&2
            fail "$1 changed the $k"
        }
    done
}
snapshot

head -c 20000 /dev/urandom >"$T/in/x.xlsx"
expect_exit 1 rnd st ingest "$T/in/x.xlsx"
expect_contains "$T/rnd.err" "x.xlsx" "the error names the unreadable file"
unchanged_since "an unreadable x.xlsx"

: >"$T/in/leeg.csv"
expect_exit 1 empty st ingest "$T/in/leeg.csv"
expect_contains "$T/empty.err" "leeg.csv" "the error names the empty file"
unchanged_since "an empty file"

: >"$T/in/leeg.xlsx"
expect_exit 1 emptyx st ingest "$T/in/leeg.xlsx"
expect_contains "$T/emptyx.err" "leeg.xlsx" "the error names the empty xlsx"
unchanged_since "an empty xlsx"

expect_exit 1 missing st ingest "$T/in/bestaat-niet.csv"
expect_contains "$T/missing.err" "bestaat-niet.csv" "the error names the missing file"
unchanged_since "a missing file"

# A CSV whose header is not a header of anything stad knows.
printf 'a,b,c\n1,2,3\n' >"$T/in/abc.csv"
expect_exit 1 abc st ingest "$T/in/abc.csv"
expect_contains "$T/abc.err" "abc.csv" "the error names the file without known columns"
unchanged_since "a file without known columns"

# A bad file among good ones: the good one still loads, the exit status says 1.
cat >"$T/in/goed.csv" <<'EOF'
meldingnummer,datum,incidentsoort,x_rd,y_rd
G1,2017-04-01,Fietsdiefstal,233950,582520
EOF
expect_exit 1 mixed st ingest "$T/in/x.xlsx" "$T/in/goed.csv"
expect_contains "$T/mixed.err" "x.xlsx" "the error names the bad file"
expect_contains "$T/mixed.out" "goed.csv" "the good file is reported"
expect_eq "$(event_count)" 6 "events after a bad and a good file"
expect_eq "$(batch_count)" 4 "batches after a bad and a good file"
note "ok"
