#!/bin/sh
# Orphan-bike campaigns end to end on the real Groningen street network: load the
# segments, plan for 2 enforcers, write route sheets, record results (idempotent by
# key), follow up after 28 days, see the next plan change, and a short simulation.
set -eu
. "$(dirname "$0")/lib.inc"

groningen_streets_store
expect_contains "$T/streets.out" "16621 street segments loaded" "segments in the Fietstelweek file (SOURCE.md)"
expect_contains "$T/streets.out" "no asset points with a street name" "no names before street lights are loaded"

# ---- street names from the street lights along each segment ----
G=$DATA/groningen
run_ok lights st assets load --kind streetlight "$G/openbare-verlichting-2017/groningen_openbare_verlichting_2017.csv.gz"
run_ok thefts st ingest "$G/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz"
run_ok names st bikes streets name
expect_contains "$T/names.out" "12199 street segments named after 31754 asset points" "names of 73% of the links"
# the rest are shown by the nearest named segment within 150 m (ends and middles);
# the count recomputed here from the store
near_n=$(sed -n 's/.* segments have no name; \([0-9]*\) of them lie within 150 m.*/\1/p' "$T/names.out")
"$PY" - "$DB" >"$T/near.check" <<'PY'
import math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select x0, y0, x, y, x1, y1, name from street where x is not null").fetchall()
grid = {}
for r in rows:
    if r[6]:
        for k in range(3):
            grid.setdefault((int(r[2 * k] // 150), int(r[2 * k + 1] // 150)), []).append((r[2 * k], r[2 * k + 1]))
n = 0
for r in rows:
    if r[6]:
        continue
    hit = any(math.hypot(px - r[2 * k], py - r[2 * k + 1]) < 150
              for k in range(3) for i in (-1, 0, 1) for j in (-1, 0, 1)
              for px, py in grid.get((int(r[2 * k] // 150) + i, int(r[2 * k + 1] // 150) + j), ()))
    n += hit
print("near", n)
PY
expect_eq "$near_n" "$(awk '$1 == "near" { print $2 }' "$T/near.check")" \
    "unnamed segments within 150 m of a named one, as recomputed"
expect_contains "$T/names.out" "4422 of 16621 segments have no name" "the unnamed are counted"
# checked against the police: the street of each theft registration (its address)
# and the name of the named segment nearest to it, within 15 m
"$PY" - "$DB" >"$T/names.check" <<'PY'
import math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
segs = db.execute("select x0, y0, x, y, x1, y1, name from street where name is not null").fetchall()
grid = {}
for s in segs:
    for k in range(3):
        grid.setdefault((int(s[2 * k] // 50), int(s[2 * k + 1] // 50)), set()).add(s)
def dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    t = 0 if l2 == 0 else max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / l2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)
same = n = 0
for x, y, street in db.execute("select x, y, street from event where street is not null and x is not null"):
    near = [s for i in (-1, 0, 1) for j in (-1, 0, 1) for s in grid.get((int(x // 50) + i, int(y // 50) + j), ())]
    best = min(near, default=None, key=lambda s: min(dist(x, y, *s[0:4]), dist(x, y, *s[2:6])))
    if best and min(dist(x, y, *best[0:4]), dist(x, y, *best[2:6])) <= 15:
        n += 1
        same += best[6].lower() == street.strip().lower()
print("agree", n, "%.1f" % (100 * same / n))
PY
expect_ge "$(awk '$1 == "agree" { print $2 }' "$T/names.check")" 10000 "thefts next to a named segment"
expect_ge "$(awk '$1 == "agree" { printf "%d", $3 }' "$T/names.check")" 85 "a segment's name is the police's street for 85%+ of the thefts beside it"
run_ok names2 st bikes streets name
expect_contains "$T/names2.out" "0 street segments named" "named segments keep their names"

# ---- a plan for 2 enforcers x 3 hours ----
run_ok plan st bikes plan --date 2017-10-02 --enforcers 2 --hours 3 --format json --out "$T/plan.json"
"$PY" - "$T/plan.json" >"$T/plan.check" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["features"] if x["properties"]["type"] == "stop"]
ways = [x for x in d["features"] if x["properties"]["type"] == "way"]
depot = [x["geometry"]["coordinates"] for x in d["features"] if x["properties"]["type"] == "depot"]
by = {}
for x in f:
    p = x["properties"]
    by.setdefault(p["enforcer"], []).append(p)
print("enforcers", len(by))
ok = all([q["order"] for q in v] == list(range(1, len(v) + 1)) for v in by.values())
print("ordered", int(ok))
print("within", int(all(q["arrive_min"] <= 180 for v in by.values() for q in v)))
print("inside", int(all(6.4 < q["lon"] < 6.8 and 53.1 < q["lat"] < 53.3 for v in by.values() for q in v)))
best = max(f, key=lambda x: x["properties"]["expected"])["properties"]
print("top", best["street_id"], "%.4f" % best["expected"])
print("first", f[0]["properties"]["street_id"])
# each enforcer's way leaves the depot along the streets and comes back to it
print("ways", int(len(ways) == len(by) and len(depot) == 1 and
                  all(w["geometry"]["coordinates"][0] == depot[0] == w["geometry"]["coordinates"][-1]
                      and len(w["geometry"]["coordinates"]) > len(by[w["properties"]["enforcer"]]) + 2
                      for w in ways)))
PY
expect_eq "$(awk '$1 == "enforcers" { print $2 }' "$T/plan.check")" 2 "routes in the plan"
expect_eq "$(awk '$1 == "ways" { print $2 }' "$T/plan.check")" 1 "a way along the streets per enforcer, from and to the depot"
expect_eq "$(awk '$1 == "ordered" { print $2 }' "$T/plan.check")" 1 "stops numbered 1..n per enforcer"
expect_eq "$(awk '$1 == "within" { print $2 }' "$T/plan.check")" 1 "every stop starts within the 3 hours"
expect_eq "$(awk '$1 == "inside" { print $2 }' "$T/plan.check")" 1 "stops lie in Groningen"
TOP=$(awk '$1 == "top" { print $2 }' "$T/plan.check")
TOPEXP=$(awk '$1 == "top" { print $3 }' "$T/plan.check")

# ---- a depot given: the ways start and end there ----
run_ok depot st bikes plan --date 2017-10-02 --enforcers 2 --hours 3 --depot 6.5841,53.2104 \
    --format geojson --out "$T/depot.json"
"$PY" - "$T/depot.json" >"$T/depot.check" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["features"]
d = [x["geometry"]["coordinates"] for x in f if x["properties"]["type"] == "depot"]
w = [x["geometry"]["coordinates"] for x in f if x["properties"]["type"] == "way"]
near = lambda p: abs(p[0] - 6.5841) < 1e-6 and abs(p[1] - 53.2104) < 1e-6
print("depot", int(len(d) == 1 and near(d[0]) and len(w) == 2 and all(near(c[0]) and near(c[-1]) for c in w)))
PY
expect_eq "$(awk '$1 == "depot" { print $2 }' "$T/depot.check")" 1 "--depot: the ways start and end there"
expect_exit 2 depotbad st bikes plan --depot 6.58

run_ok html st bikes plan --date 2017-10-02 --enforcers 2 --hours 3 --format html
expect_contains "$T/html.out" "handhaver 2 van 2" "HTML route sheet per enforcer"
run_ok gpx st bikes plan --date 2017-10-02 --enforcers 2 --hours 3 --format gpx
[ "$(grep -c '<rte>' "$T/gpx.out")" -eq 2 ] || fail "GPX: two routes expected"
run_ok table st bikes plan --date 2017-10-02 --enforcers 2 --hours 3
expect_contains "$T/table.out" "for 2 enforcers x 3.0 h" "plan summary"
# labels to take along: the same number on the table and the HTML sheet
TAKE=$(sed -n 's/^enforcer 1: .*, take \([0-9]*\) labels$/\1/p' "$T/table.out")
[ -n "$TAKE" ] && [ "$TAKE" -gt 0 ] || fail "the table says how many labels enforcer 1 takes"
expect_contains "$T/html.out" "Neem $TAKE labels mee" "the HTML sheet says the same"

# ---- recording: the top street had nothing; resending changes nothing ----
run_ok rec1 st bikes record --street "$TOP" --action label --labels 0 --date 2017-10-02 --key hh-1
expect_contains "$T/rec1.out" "recorded" "first record"
run_ok rec2 st bikes record --street "$TOP" --action label --labels 0 --date 2017-10-02 --key hh-1
expect_contains "$T/rec2.out" "already recorded" "resend with the same key"
run_ok plan2 st bikes plan --date 2017-10-03 --enforcers 2 --hours 3 --format json --out "$T/plan2.json"
"$PY" - "$T/plan2.json" "$TOP" "$TOPEXP" >"$T/plan2.check" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["features"] if x["properties"]["type"] == "stop"]
top = [x["properties"]["expected"] for x in f if x["properties"]["street_id"] == int(sys.argv[2])]
print("gone", int(not top or top[0] < float(sys.argv[3]) / 5))
PY
expect_flag "$T/plan2.check" gone 1 \
    "a street found empty drops out of (or far down) the next plan"

# ---- labels out, follow-up after 28 days ----
S2=$(sed -n 's/.*"street_id":\([0-9]*\).*/\1/p' "$T/plan2.json" | head -n 1)
run_ok rec3 st bikes record --street "$S2" --action label --labels 5 --date 2017-10-03 --key hh-2
run_ok fu0 st bikes followup --date 2017-10-30 --format csv
expect_eq "$(csv_rows "$T/fu0.out")" 0 "nothing due before 28 days"
run_ok fu1 st bikes followup --date 2017-10-31 --format csv
expect_eq "$(csv_rows "$T/fu1.out")" 1 "one street due on day 28"
expect_eq "$(csv_col "$T/fu1.out" street)" "$S2" "the labelled street is due"
expect_eq "$(csv_col "$T/fu1.out" labels)" 5 "with its 5 labels"
run_ok plan3 st bikes plan --date 2017-10-31 --enforcers 2 --hours 3 --format json --out "$T/plan3.json"
expect_contains "$T/plan3.json" "\"street_id\":$S2,\"enforcer\":" "the follow-up is in the plan"
expect_contains "$T/plan3.json" "\"action\":\"followup\"" "as a follow-up"
run_ok rec4 st bikes record --street "$S2" --action followup --removed 3 --returned 2 --date 2017-10-31 --key hh-3
run_ok fu2 st bikes followup --date 2017-10-31 --format csv
expect_eq "$(csv_rows "$T/fu2.out")" 0 "nothing due after the follow-up"
expect_eq "$(event_count --kind bike.removed)" 1 "removal stored as an event"
expect_eq "$(sum_col "$T/_events.csv" count)" 3 "3 bikes removed"

# ---- bad input ----
expect_exit 1 recbad st bikes record --street 99999999 --action label --labels 1
expect_exit 2 planbad st bikes plan --enforcers 0
expect_exit 1 themebad st bikes plan --theme nosuchtheme

# ---- a short simulation (the benchmark runs a year: bench/bench_bikes.sh) ----
run_ok sim st bikes simulate --days 60 --policy planner --iterations 20 --format csv
expect_eq "$(csv_rows "$T/sim.out")" 1 "one simulation row"
[ "$(csv_col "$T/sim.out" removed)" -gt 0 ] || fail "the planner removed nothing in 60 days"
note "ok"
