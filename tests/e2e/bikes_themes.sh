#!/bin/sh
# Other enforcement themes by configuration: a file of car-wreck records (complaints,
# notices on cars, tows) ingests through the taxonomy into the kinds of
# config/themes/carwrecks.conf, and the carwrecks theme's plan follows the
# complaints, on the real Groningen street network.
set -eu
. "$(dirname "$0")/lib.inc"

groningen_streets_store

# ---- the plan before any record: pick its least promising stop ----
run_ok before st bikes plan --theme carwrecks --date 2017-10-02 --enforcers 1 --hours 2 \
    --format json --out "$T/before.json"
"$PY" - "$T/before.json" >"$T/before.check" <<'PY'
import json, sys
f = [x["properties"] for x in json.load(open(sys.argv[1]))["features"] if x["properties"]["type"] == "stop"]
low = min(f, key=lambda p: p["expected"])
other = max(f, key=lambda p: p["expected"])
print("target", low["street_id"], "%.7f" % low["lon"], "%.7f" % low["lat"], "%.6f" % low["expected"])
print("other", other["street_id"], "%.7f" % other["lon"], "%.7f" % other["lat"])
PY
read -r _ TARGET TLON TLAT TEXP <<EOF2
$(grep '^target' "$T/before.check")
EOF2
read -r _ OTHER OLON OLAT <<EOF2
$(grep '^other' "$T/before.check")
EOF2
[ "$TARGET" != "$OTHER" ] || fail "the plan has one stop only"

# ---- car-wreck records: 5 complaints at the target street, notices and a tow elsewhere ----
{
    echo "datum,melding,lat,lon"
    for d in 01 08 15 20 25; do echo "2017-09-$d,Autowrak,$TLAT,$TLON"; done
    echo "2017-08-02,Wrakkenbrief,$OLAT,$OLON"
    echo "2017-08-02,Kennisgeving autowrak,$OLAT,$OLON"
    echo "2017-08-16,Autowrak weggesleept,$OLAT,$OLON"
} >"$T/autowrakken.csv"
run_ok ingest st ingest --source meldingen-openbare-ruimte "$T/autowrakken.csv"
expect_eq "$(report_field "$T/ingest.out" accepted)" 8 "every record accepted"
expect_eq "$(report_field "$T/ingest.out" rejected)" 0 "no rejects"
expect_not_contains "$T/ingest.out" "unmapped" "every category maps to a kind"
expect_eq "$(event_count --kind complaint.car_wreck)" 5 "complaints about car wrecks"
expect_eq "$(event_count --kind carwreck.noticed)" 2 "notices on cars (the theme's label kind)"
expect_eq "$(event_count --kind carwreck.towed)" 1 "tows (the theme's removal kind)"
expect_eq "$(event_count --kind carwreck)" 3 "the enforcement actions under their own parent"
expect_eq "$(event_count --kind vehicle)" 0 "enforcement is not counted as vehicle crime"

# ---- the complaints are the carwrecks theme's signal: the target street comes first,
# ---- once the privacy officer has approved their source for enforcement ----
plan_check() {
    run_ok "$1" st bikes plan --theme carwrecks --date 2017-10-02 --enforcers 1 --hours 2 \
        --format json --out "$T/$1.json"
    "$PY" - "$T/$1.json" "$TARGET" "$TEXP" >"$T/$1.check" <<'PY'
import json, sys
f = [x["properties"] for x in json.load(open(sys.argv[1]))["features"] if x["properties"]["type"] == "stop"]
top = max(f, key=lambda p: p["expected"])
mine = [p["expected"] for p in f if p["street_id"] == int(sys.argv[2])]
print("top", int(top["street_id"] == int(sys.argv[2])))
print("grew", int(bool(mine) and mine[0] > 2 * float(sys.argv[3])))
PY
}
plan_check pending
expect_flag "$T/pending.check" grew 0 \
    "complaints of a source still pending (not vetted) do not steer the plan"
run_ok set st source set meldingen-openbare-ruimte --holder "Gemeente Groningen" \
    --purpose "handhaving openbare ruimte" --legal-basis "Gemeentewet art. 160" \
    --retention-days 730 --roles enforcement
run_ok approve st source approve meldingen-openbare-ruimte
plan_check after
expect_flag "$T/after.check" top 1 \
    "the street with car-wreck complaints has the highest expected yield"
expect_flag "$T/after.check" grew 1 \
    "its expected yield more than doubled"
run_ok set2 st source set meldingen-openbare-ruimte --roles safety_analyst
run_ok approve2 st source approve meldingen-openbare-ruimte
plan_check other_role
expect_flag "$T/other_role.check" grew 0 \
    "nor do complaints approved for another role only"
note "ok"
