#!/bin/sh
# Past campaign results from a city's own spreadsheet: a CSV of labelling actions
# ("Gelabeld", "Verwijderd", "Opgehaald" with a count and a place) ingests through the
# taxonomy and, once its source is approved for enforcement, teaches the yield model
# as recorded visits do: a street where many were removed comes first, one where a
# labelling found nothing falls, a recent labelling is a due follow-up, and what
# `stad bikes record` writes is not counted twice. On the real Groningen streets.
set -eu
. "$(dirname "$0")/lib.inc"

groningen_streets_store

# ---- three stops of the plan before any result: the least and most promising ----
run_ok before st bikes plan --date 2017-10-02 --enforcers 1 --hours 2 --format json \
    --out "$T/before.json"
"$PY" - "$T/before.json" >"$T/before.check" <<'PY'
import json, sys
f = [x["properties"] for x in json.load(open(sys.argv[1]))["features"] if x["properties"]["type"] == "stop"]
f.sort(key=lambda p: p["expected"])
for name, p in (("low", f[0]), ("high", f[-1]), ("mid", f[len(f) // 2])):
    print(name, p["street_id"], "%.7f" % p["lon"], "%.7f" % p["lat"], "%.6f" % p["expected"])
PY
read -r _ LOW LLON LLAT LEXP <<EOF2
$(grep '^low' "$T/before.check")
EOF2
read -r _ HIGH HLON HLAT HEXP <<EOF2
$(grep '^high' "$T/before.check")
EOF2
read -r _ MID MLON MLAT _ <<EOF2
$(grep '^mid' "$T/before.check")
EOF2
[ "$LOW" != "$HIGH" ] && [ "$MID" != "$LOW" ] && [ "$MID" != "$HIGH" ] ||
    fail "the plan has fewer than three stops"

# ---- the spreadsheet: 30 removed at the least promising street, nothing at the most
# ---- promising one (a labelling with no removal, long ago), a recent labelling at
# ---- the third, and a row in a field 500 m from any street ----
{
    echo "datum,soort,lat,lon,aantal"
    echo "2017-06-01,Gelabeld,$LLAT,$LLON,32"
    echo "2017-06-29,Verwijderd,$LLAT,$LLON,30"
    echo "2017-06-29,Opgehaald,$LLAT,$LLON,2"
    echo "2017-06-01,Gelabeld,$HLAT,$HLON,6"
    echo "2017-09-20,Gelabeld,$MLAT,$MLON,3"
    echo "2017-06-01,Gelabeld,53.2100000,6.5252000,5"
} >"$T/campagnes-2017.csv"
run_ok ingest st ingest --source campagnes-2017 "$T/campagnes-2017.csv"
expect_eq "$(report_field "$T/ingest.out" accepted)" 6 "every row accepted"
expect_eq "$(event_count --kind bike.labelled)" 4 "labelling actions"
expect_eq "$(event_count --kind bike.removed)" 1 "removals"
expect_eq "$(event_count --kind bike.returned)" 1 "bikes their owners took away"

expected_of() { # plan name, street id -> its expected yield as a stop, or "none"
    "$PY" - "$T/$1.json" "$2" <<'PY'
import json, sys
f = [x["properties"] for x in json.load(open(sys.argv[1]))["features"] if x["properties"]["type"] == "stop"]
m = [p["expected"] for p in f if p["street_id"] == int(sys.argv[2]) and p["action"] == "label"]
print("%.6f" % m[0] if m else "none")
PY
}

# ---- a source not yet vetted does not steer the plan ----
run_ok pending st bikes plan --date 2017-10-02 --enforcers 1 --hours 2 --format json \
    --out "$T/pending.json"
expect_eq "$(expected_of pending "$LOW")" "$LEXP" "results of a pending source change nothing"

run_ok set st source set campagnes-2017 --holder "Gemeente Groningen" \
    --purpose "handhaving weesfietsen" --legal-basis "APV art. 5:12" \
    --retention-days 1825 --roles enforcement
run_ok approve st source approve campagnes-2017
run_ok after st bikes plan --date 2017-10-02 --enforcers 1 --hours 2 --format json \
    --out "$T/after.json"
expect_contains "$T/after.err" "1 campaign results from files were left out" \
    "the row on no street is said, not silently dropped"
"$PY" - "$T/after.json" "$LOW" "$LEXP" "$HIGH" "$HEXP" "$MID" >"$T/after.check" <<'PY'
import json, sys
feats = [x["properties"] for x in json.load(open(sys.argv[1]))["features"]]
stops = [p for p in feats if p["type"] == "stop"]
low, lexp, high, hexp, mid = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
lab = {p["street_id"]: p for p in stops if p["action"] == "label"}
fu = {p["street_id"] for p in stops if p["action"] == "followup"}
top = max(lab.values(), key=lambda p: p["expected"])
print("low_top", int(top["street_id"] == low))
print("low_grew", int(low in lab and lab[low]["expected"] > 1.5 * lexp))
print("high_fell", int(high not in lab or lab[high]["expected"] < hexp / 2))
print("mid_out", int(mid not in lab and mid not in fu))
PY
expect_flag "$T/after.check" low_top 1 \
    "the street where 30 were removed now has the highest expected yield"
expect_flag "$T/after.check" low_grew 1 \
    "its expected yield grew by more than half"
expect_flag "$T/after.check" high_fell 1 \
    "the street whose labelling found nothing is expected to yield less than half"
expect_flag "$T/after.check" mid_out 1 \
    "the street with labels out is not labelled again before its follow-up"

# ---- the recent labelling is a due follow-up once its waiting period has passed ----
run_ok fu st bikes followup --date 2017-10-18 --format csv
expect_eq "$(csv_rows "$T/fu.out")" 1 "one follow-up due: the recent labelling"
expect_eq "$(csv_col "$T/fu.out" street)" "$MID" "at the street labelled on 2017-09-20"
expect_eq "$(csv_col "$T/fu.out" labels)" 3 "with its 3 labels"
run_ok fu_early st bikes followup --date 2017-10-17 --format csv
expect_eq "$(csv_rows "$T/fu_early.out")" 0 "not due before its 28 days"

# ---- what `record` writes (also as events of its own source) is counted once ----
run_ok rec st bikes record --street "$MID" --action followup --removed 2 --returned 1 \
    --date 2017-10-18
run_ok fu2 st bikes followup --date 2017-10-18 --format csv
expect_eq "$(csv_rows "$T/fu2.out")" 0 "the recorded follow-up closes the imported labelling"
run_ok rec2 st bikes record --street "$HIGH" --action label --labels 4 --date 2017-10-19
run_ok rec3 st bikes record --street "$LOW" --action label --labels 6 --date 2017-09-04
run_ok rec4 st bikes record --street "$LOW" --action followup --removed 5 --returned 1 \
    --date 2017-10-02
run_ok own_pending st bikes plan --date 2017-12-15 --enforcers 1 --hours 2 --format json \
    --out "$T/own_pending.json"
# the campaign's own source approved for planning too: its events are the recorded
# visits again, which the plan must not read a second time
run_ok own_set st source set campaign.bikes --holder "Gemeente Groningen" \
    --purpose "handhaving weesfietsen" --legal-basis "APV art. 5:12" \
    --retention-days 1825 --roles enforcement
run_ok own_approve st source approve campaign.bikes
run_ok own_approved st bikes plan --date 2017-12-15 --enforcers 1 --hours 2 --format json \
    --out "$T/own_approved.json"
"$PY" - "$T/own_pending.json" "$T/own_approved.json" "$LOW" >"$T/own.check" <<'PY'
import json, sys
def stops(f):
    return [(p["street_id"], p["action"], p["expected"]) for p in
            (x["properties"] for x in json.load(open(f))["features"]) if p["type"] == "stop"]
a, b = stops(sys.argv[1]), stops(sys.argv[2])
print("same", int(a == b))
print("low", int(any(s[0] == int(sys.argv[3]) for s in a)))
PY
expect_flag "$T/own.check" low 1 \
    "the street labelled and followed up by record is in the plan"
expect_flag "$T/own.check" same 1 \
    "approving the campaign's own source changes no plan: its visits count once"
run_ok fu3 st bikes followup --date 2017-11-16 --format csv
expect_eq "$(csv_rows "$T/fu3.out")" 1 "one labelling out"
expect_eq "$(csv_col "$T/fu3.out" labels)" 4 "with its 4 labels"
note "ok"
