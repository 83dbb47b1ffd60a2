#!/bin/sh
# Cincinnati: a city outside the Netherlands (UTM zone 16N), WGS84 input, no areas.
set -eu
. "$(dirname "$0")/lib.inc"

F=$DATA/crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz
[ -r "$F" ] || fail "missing data file $F"
zcat "$F" >"$T/burglary.csv"
rows=$(csv_rows "$T/burglary.csv")
expect_eq "$rows" 6660 "rows in the Cincinnati file (SOURCE.md)"

# a city CRS must be projected and metric: degrees or US feet would make every cell
# size and walking time wrong; the refusal writes no store
expect_exit 1 init_deg "$STAD" --store "$T/deg.db" init --crs EPSG:4326
expect_contains "$T/init_deg.err" "EPSG:4326 is not a projected CRS" "degrees refused"
expect_exit 1 init_ft "$STAD" --store "$T/ft.db" init --crs EPSG:3435
expect_contains "$T/init_ft.err" "measures in US survey foot, not metres" "feet refused"
[ ! -e "$T/deg.db" ] && [ ! -e "$T/ft.db" ] || fail "a refused init left a store behind"
run_ok init st init --city cincinnati
expect_contains "$T/init.out" "EPSG:32616" "init --city cincinnati uses UTM zone 16N"

run_ok ingest st ingest "$F"
note "$(head -n 1 "$T/ingest.out")"
expect_contains "$T/ingest.out" "6660 rows read" "ingest report"
expect_contains "$T/ingest.out" "6660 accepted" "every row accepted"
expect_contains "$T/ingest.out" "0 rejected" "no rejects"
expect_not_contains "$T/ingest.out" "unmapped category" "BURGLARY and AGGRAVATED BURGLARY are in the taxonomy"
expect_not_contains "$T/ingest.out" "swapped" "Cincinnati lon/lat are not swapped"
expect_contains "$T/ingest.out" "no buurten in the store: rows are not assigned" \
    "without areas the report says so instead of 0 of 6660 assigned"
expect_eq "$(event_count)" 6660 "events"

# The first incident (169634966, 2016-01-01 01:00, BURGLARY) in UTM 16N metres.
run_ok first st events --format csv --limit 1
"$PY" - "$T/first.out" <<'EOF' || fail "first event wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 1, "--limit 1 gave %d rows" % len(rows)
r = rows[0]
x, y = float(r["x"]), float(r["y"])
assert abs(x - 714859.7) <= 1.0 and abs(y - 4339171.7) <= 1.0, \
    "x/y %s/%s, expected 714859.7/4339171.7 (EPSG:32616) within 1 m" % (x, y)
assert abs(float(r["lon"]) + 84.5127164) < 1e-5 and abs(float(r["lat"]) - 39.1752513) < 1e-5, \
    "lon/lat %s/%s, expected -84.5127164/39.1752513" % (r["lon"], r["lat"])
assert r["t_from"].startswith("2016-01-01T01:00"), "t_from %s" % r["t_from"]
assert r["kind"] == "burglary" or r["kind"].startswith("burglary."), "kind %s" % r["kind"]
assert r["wijk"] == "" and r["buurt"] == "", "areas assigned without areas loaded"
EOF

# Every incident: its time and its UTM position as in the file (the file's own
# x_utm16n_m/y_utm16n_m were computed with PROJ from lon/lat).
run_ok all st events --format csv
"$PY" - "$T/burglary.csv" "$T/all.out" <<'EOF' || fail "events differ from the file"
import csv, sys, collections
want = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    want[r["datetime_local"].replace(" ", "T")[:16]].append(
        (float(r["x_utm16n_m"]), float(r["y_utm16n_m"]), r["offense"]))
kinds = collections.Counter()
bad = []
n = 0
for e in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")):
    n += 1
    x, y = float(e["x"]), float(e["y"])
    cands = want.get(e["t_from"][:16], [])
    hit = [c for c in cands if abs(c[0] - x) <= 1.0 and abs(c[1] - y) <= 1.0]
    if not hit:
        bad.append((e["t_from"], x, y))
        continue
    cands.remove(hit[0])
    kinds[(hit[0][2], e["kind"])] += 1
assert n == 6660, "%d events" % n
assert not bad, "%d events without a matching incident (time and x/y within 1 m), e.g. %r" % (len(bad), bad[:3])
for (off, kind), k in sorted(kinds.items()):
    print("  %-20s -> %-24s %d" % (off, kind, k))
    assert kind == "burglary" or kind.startswith("burglary."), (off, kind)
# one offence maps to one kind
offs = collections.Counter(off for off, _ in kinds)
assert all(v == 1 for v in offs.values()), "an offence maps to several kinds: %r" % kinds
EOF

run_ok kind st events --kind burglary --format csv
expect_eq "$(csv_rows "$T/kind.out")" 6660 "events --kind burglary"
run_ok y2017 st events --from 2017-01-01 --to 2017-12-31 --format csv
expect_eq "$(csv_rows "$T/y2017.out")" 2030 "burglaries in 2017 (SOURCE.md)"
run_ok bbox st events --bbox -84.52,39.17,-84.50,39.18 --format csv
"$PY" - "$T/burglary.csv" "$T/bbox.out" <<'EOF' || fail "--bbox count differs from the file"
import csv, sys
n = sum(1 for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
        if -84.52 <= float(r["lon"]) <= -84.50 and 39.17 <= float(r["lat"]) <= 39.18)
m = sum(1 for _ in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
assert n > 20 and abs(n - m) <= 2, "file %d, stad %d" % (n, m)
EOF

# No areas: stats puts everything under (none).
run_ok stats st stats --format csv
expect_eq "$(sum_col "$T/stats.out" events)" 6660 "stats summed"
expect_eq "$(csv_col "$T/stats.out" area | sort -u)" "(none)" "stats area without areas"
# ---- the same file into a store made for the Netherlands (no --city, no areas) ----
# RD New would measure Ohio in distorted metres: the ingest stops, names the CRS
# that fits, and writes nothing.
WRONG="$T/wrong.db"
run_ok wrong_init "$STAD" --store "$WRONG" init
expect_exit 1 wrong "$STAD" --store "$WRONG" ingest "$F"
expect_contains "$T/wrong.err" "outside the area the store's CRS EPSG:28992 is made for" \
    "the mismatch is named"
expect_contains "$T/wrong.err" "stad init --crs EPSG:32616" "the UTM zone that fits is said"
expect_contains "$T/wrong.err" "Nothing was loaded" "and that nothing was written"
run_ok wrong_stats "$STAD" --store "$WRONG" events --format csv
expect_eq "$(csv_rows "$T/wrong_stats.out")" 0 "no events in the wrong store"
# a Dutch file with one row in Ohio: that row alone is rejected, with its reason
{
    echo "datum,soort,lat,lon"
    echo "2017-03-01,Woninginbraak,52.0907,5.1214"
    echo "2017-03-02,Woninginbraak,52.0917,5.1224"
    echo "2017-03-03,Woninginbraak,39.1753,-84.5127"
} >"$T/nl.csv"
run_ok nl "$STAD" --store "$WRONG" ingest "$T/nl.csv"
expect_contains "$T/nl.out" "2 accepted, 1 rejected" "the row in Ohio is rejected"
run_ok nl_rej "$STAD" --store "$WRONG" rejects 1 --format csv
expect_contains "$T/nl_rej.out" "outside the area EPSG:28992 is made for" "with its reason"
# areas of Ohio into the store made for the Netherlands: refused the same way; into
# the Cincinnati store they load
cat >"$T/ohio.geojson" <<'EOF'
{"type": "FeatureCollection", "features": [{"type": "Feature",
 "properties": {"CODE": "OTR", "NAAM": "Over-the-Rhine"},
 "geometry": {"type": "Polygon", "coordinates": [[[-84.52, 39.10], [-84.50, 39.10],
   [-84.50, 39.12], [-84.52, 39.12], [-84.52, 39.10]]]}}]}
EOF
expect_exit 1 wrong_areas "$STAD" --store "$WRONG" areas load "$T/ohio.geojson" --level wijk
expect_contains "$T/wrong_areas.err" "stad init --crs EPSG:32616" "areas: the CRS that fits is said"
run_ok wrong_list "$STAD" --store "$WRONG" areas list --format csv
expect_eq "$(csv_rows "$T/wrong_list.out")" 0 "no areas in the wrong store"
run_ok ohio st areas load "$T/ohio.geojson" --level wijk
# and a street network of Ohio likewise
cat >"$T/ohio_streets.geojson" <<'EOF'
{"type": "FeatureCollection", "features": [{"type": "Feature",
 "properties": {"type_weg": "residential", "aantal": 10},
 "geometry": {"type": "LineString", "coordinates": [[-84.52, 39.10], [-84.51, 39.105]]}}]}
EOF
expect_exit 1 wrong_streets "$STAD" --store "$WRONG" bikes streets load "$T/ohio_streets.geojson"
expect_contains "$T/wrong_streets.err" "the streets lie around longitude -84.5150" \
    "streets: where they lie is said"
run_ok ohio_streets st bikes streets load "$T/ohio_streets.geojson"
expect_contains "$T/ohio_streets.out" "1 street segments loaded" "into the Cincinnati store they load"
# ---- the same incidents as a US open-data portal exports them ----
# Month-first dates with a 12-hour clock, state-plane feet in "X Coordinate" next to
# Latitude/Longitude, "Primary Type": the store must hold the same events.
"$PY" - "$T/burglary.csv" "$T/us.csv" <<'EOF' || fail "could not write the US-style file"
import csv, sys, datetime
w = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"))
w.writerow(["ID", "Case Number", "Date", "Primary Type", "X Coordinate", "Y Coordinate",
            "Latitude", "Longitude"])
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    d = datetime.datetime.strptime(r["datetime_local"], "%Y-%m-%d %H:%M:%S")
    w.writerow([r["incident_no"], r["incident_no"], d.strftime("%m/%d/%Y %I:%M:%S %p"),
                r["offense"], "1165074", "1941474", r["lat"], r["lon"]])
EOF
US="$T/us.db"
run_ok us_init "$STAD" --store "$US" init --crs EPSG:32616 --name Chicago
run_ok us "$STAD" --store "$US" ingest "$T/us.csv"
expect_contains "$T/us.out" "6660 accepted, 0 rejected" "every US-style row accepted"
expect_contains "$T/us.out" "dates are written month first (line 124 shows it)" \
    "the date order found (01/13/2016 is the first day above 12)"
expect_contains "$T/us.err" "the x/y columns do not match the latitude/longitude" \
    "state-plane x/y are left for lat/lon"
expect_not_contains "$T/us.out" "unmapped" "Primary Type is the category"
run_ok us_events "$STAD" --store "$US" events --format csv
"$PY" - "$T/all.out" "$T/us_events.out" <<'EOF' || fail "US-style events differ"
import csv, sys, collections
# the same time and kind, and x/y within 0.5 m (the file's own UTM columns against
# its lat/lon projected by PROJ differ by up to a decimetre)
want = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    want[(r["t_from"], r["kind"])].append((float(r["x"]), float(r["y"])))
n, bad = 0, []
for r in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")):
    n += 1
    x, y = float(r["x"]), float(r["y"])
    cands = want[(r["t_from"], r["kind"])]
    hit = [c for c in cands if abs(c[0] - x) <= 0.5 and abs(c[1] - y) <= 0.5]
    if hit:
        cands.remove(hit[0])
    else:
        bad.append((r["t_from"], r["kind"], x, y))
assert n == 6660, n
assert not bad, "%d events differ, e.g. %r" % (len(bad), bad[:2])
EOF
# a bare x,y,time file: the lone time column holds whole timestamps; no category
# column, so the report asks for --kind instead of a taxonomy entry
"$PY" - "$T/burglary.csv" "$T/xyt.csv" <<'EOF' || fail "could not write x,y,time"
import csv, sys
w = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"))
w.writerow(["x", "y", "time"])
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    w.writerow([r["x_utm16n_m"], r["y_utm16n_m"], r["datetime_local"]])
EOF
run_ok xyt "$STAD" --store "$US" ingest "$T/xyt.csv"
expect_contains "$T/xyt.out" "6660 accepted, 0 rejected" "x,y,time: every row"
expect_contains "$T/xyt.out" "time_from=time" "the time column read as timestamps"
expect_contains "$T/xyt.out" "no category column: 6660 rows loaded as 'unmapped' (give their kind with --kind" \
    "the report asks for --kind"
# a forecast of a kind the store does not hold says which kinds it does hold
expect_exit 1 no_kind "$STAD" --store "$US" predict --kind theft.bike --at 2018-06-01
expect_contains "$T/no_kind.err" "no located events of kind theft.bike in the period; the store has burglary (6660), unmapped (6660)" \
    "the kinds the store holds are named"
note "ok"
