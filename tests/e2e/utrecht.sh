#!/bin/sh
# Utrecht: wijken and buurten from RD and from WGS84 files; buurt assignment of
# RD points checked against an independent point-in-polygon test.
set -eu
. "$(dirname "$0")/lib.inc"

A=$DATA/utrecht/wijken-buurten-2013
MASTS=$DATA/utrecht/lichtmasten-2013-partial/utrecht_lichtmasten_2013_partial.csv
for f in "$A/utrecht_wijk_2013_rd.geojson" "$A/utrecht_buurt_2013_rd.geojson" \
    "$A/utrecht_wijk_2013_wgs84.geojson" "$A/utrecht_buurt_2013_wgs84.geojson" "$MASTS"; do
    [ -r "$f" ] || fail "missing data file $f"
done
DB2="$T/wgs84.db"
st2() { "$STAD" --store "$DB2" "$@"; }

# ---- areas, twice ----
run_ok init st init --city utrecht
run_ok wijk st areas load "$A/utrecht_wijk_2013_rd.geojson" --level wijk
expect_contains "$T/wijk.out" "10 areas" "RD wijken"
run_ok buurt st areas load "$A/utrecht_buurt_2013_rd.geojson" --level buurt
expect_contains "$T/buurt.out" "111 areas" "RD buurten"
run_ok init2 st2 init --city utrecht
# buurten first this time: loading the wijken must re-parent them
run_ok buurt2 st2 areas load "$A/utrecht_buurt_2013_wgs84.geojson" --level buurt
run_ok wijk2 st2 areas load "$A/utrecht_wijk_2013_wgs84.geojson" --level wijk
expect_contains "$T/wijk2.out" "10 areas" "WGS84 wijken"
expect_contains "$T/buurt2.out" "111 areas" "WGS84 buurten"

run_ok list st areas list --format csv
run_ok list2 st2 areas list --format csv
"$PY" - "$T/list.out" "$T/list2.out" <<'EOF' || fail "areas from RD and WGS84 files differ"
import csv, sys
def load(p):
    rows = list(csv.DictReader(open(p, newline="", encoding="utf-8")))
    ids = {r["id"]: r for r in rows}
    out = {}
    for r in rows:
        par = ids.get(r["parent"])
        out[(r["level"], r["code"])] = (par["code"] if par else "",
                                        [float(v) for v in r["bbox"].split(",")])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
for name, d in (("RD", a), ("WGS84", b)):
    nw = sum(1 for k in d if k[0] == "wijk")
    nb = sum(1 for k in d if k[0] == "buurt")
    assert (nw, nb) == (10, 111), "%s: %d wijken, %d buurten" % (name, nw, nb)
    for (lvl, code), (par, box) in d.items():
        if lvl == "buurt":
            # BU0344WWBB lies in WK0344WW
            assert par == "WK" + code[2:8], "%s: buurt %s has parent %r" % (name, code, par)
assert set(a) == set(b), "codes differ: %r" % (set(a) ^ set(b))
for k in a:
    assert a[k][0] == b[k][0], "parent of %r: %r vs %r" % (k, a[k][0], b[k][0])
    # same polygons in RD metres: bounding boxes within a few metres (the WGS84 files
    # were made with a 7-parameter datum shift, the RD files re-projected from them)
    d = max(abs(p - q) for p, q in zip(a[k][1], b[k][1]))
    assert d < 5, "bbox of %r differs by %.1f m" % (k, d)
    assert 100000 < a[k][1][0] < 160000 and 430000 < a[k][1][1] < 480000, a[k]
EOF
note "10 wijken, 111 buurten; RD and WGS84 files agree"

# ---- points: ~500 street-light positions as nuisance reports ----
"$PY" - "$MASTS" "$T/reports.csv" "$T/expected.csv" "$A/utrecht_buurt_2013_rd.geojson" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
seen, sample = set(), []
for r in rows[::19]:
    key = (r["x_rd"], r["y_rd"])
    if key not in seen:
        seen.add(key)
        sample.append(r)
# An independent point-in-polygon (even-odd ray casting) on the RD polygons.
polys = []
for f in json.load(open(sys.argv[4], encoding="utf-8"))["features"]:
    g = f["geometry"]
    rings = g["coordinates"] if g["type"] == "Polygon" else [r for p in g["coordinates"] for r in p]
    polys.append((f["properties"]["bu_code"], rings))
def inside(x, y, rings):
    c = False
    for ring in rings:
        for i in range(len(ring)):
            x1, y1 = ring[i]
            x2, y2 = ring[i - 1]
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                c = not c
    return c
with open(sys.argv[2], "w", newline="", encoding="utf-8") as out, \
     open(sys.argv[3], "w", newline="", encoding="utf-8") as exp:
    w = csv.writer(out)
    e = csv.writer(exp)
    w.writerow(["meldingnummer", "datum", "straat", "x_rd", "y_rd"])
    e.writerow(["x", "y", "bu_code", "pip"])
    for i, r in enumerate(sample):
        d = "%02d-%02d-2013 %02d:%02d" % (1 + i % 28, 1 + i % 12, i % 24, (7 * i) % 60)
        w.writerow(["U%05d" % i, d, r["straat"], r["x_rd"], r["y_rd"]])
        x, y = float(r["x_rd"]), float(r["y_rd"])
        hit = [c for c, rings in polys if inside(x, y, rings)]
        e.writerow(["%.1f" % x, "%.1f" % y, r["bu_code"], hit[0] if hit else ""])
EOF
n=$(csv_rows "$T/reports.csv")
note "$n reports generated"
expect_ge "$n" 450 "generated reports"

run_ok ingest st ingest --kind nuisance "$T/reports.csv"
note "$(grep 'assigned to a buurt' "$T/ingest.out")"
expect_contains "$T/ingest.out" "$n rows read" "ingest report"
expect_contains "$T/ingest.out" "$n accepted" "every report accepted"
run_ok ingest2 st2 ingest --kind nuisance "$T/reports.csv"
expect_contains "$T/ingest2.out" "$n accepted" "every report accepted (WGS84 areas)"

run_ok ev st events --format csv
run_ok ev2 st2 events --format csv
expect_eq "$(csv_rows "$T/ev.out")" "$n" "events"
expect_eq "$(csv_col "$T/ev.out" kind | sort -u)" nuisance "kind of every event (--kind nuisance)"
"$PY" - "$T/expected.csv" "$T/ev.out" "$T/ev2.out" <<'EOF' || fail "buurt assignment"
import csv, sys
exp = {(r["x"], r["y"]): r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
def events(p):
    out = {}
    for e in csv.DictReader(open(p, newline="", encoding="utf-8")):
        out[(e["x"], e["y"])] = e
    return out
ev, ev2 = events(sys.argv[2]), events(sys.argv[3])
missing = [k for k in exp if k not in ev]
assert not missing, "%d points not found back by x/y, e.g. %r" % (len(missing), missing[:3])
n = len(exp)
inpoly = [k for k in exp if exp[k]["pip"]]
same_pip = sum(1 for k in inpoly if ev[k]["buurt"] == exp[k]["pip"])
same_file = sum(1 for k in exp if ev[k]["buurt"] == exp[k]["bu_code"])
pip_file = sum(1 for k in exp if exp[k]["pip"] == exp[k]["bu_code"])
same_stores = sum(1 for k in exp if k in ev2 and ev[k]["buurt"] == ev2[k]["buurt"])
wijk_ok = sum(1 for k in exp if ev[k]["buurt"] and ev[k]["wijk"] == "WK" + ev[k]["buurt"][2:8])
unassigned = sum(1 for k in exp if not ev[k]["buurt"])
print("  buurt equal to point-in-polygon: %d of %d inside a polygon (%.1f%%)"
      % (same_pip, len(inpoly), 100.0 * same_pip / len(inpoly)))
print("  buurt equal to the file's bu_code: %d of %d (%.1f%%); point-in-polygon vs bu_code: %d (%.1f%%)"
      % (same_file, n, 100.0 * same_file / n, pip_file, 100.0 * pip_file / n))
print("  RD vs WGS84 areas: %d of %d same buurt; %d unassigned" % (same_stores, n, unassigned))
assert same_pip * 100 >= 99 * len(inpoly), "stad's buurt differs from point-in-polygon too often"
# The file's bu_code is the mast's administrative buurt (per street), not always the
# polygon it stands in: stad must agree with it as often as geometry does.
assert abs(same_file - pip_file) * 100 <= n, "agreement with bu_code differs from geometry's"
assert same_stores * 100 >= 99 * n, "RD and WGS84 areas give different buurten"
assert wijk_ok == n - unassigned, "events whose wijk is not their buurt's wijk"
assert unassigned * 100 <= n, "too many reports without a buurt"
EOF

# stats per buurt agree with the events
run_ok stats st stats --level buurt --format csv
expect_eq "$(sum_col "$T/stats.out" events)" "$n" "stats --level buurt summed"
b=$(awk -F, 'NR > 1 && $1 != "(none)" { print $NF, $1 }' "$T/stats.out" | sort -rn | head -n 1)
bcount=$(csv_col "$T/ev.out" buurt | grep -cx "${b#* }" || true)
expect_eq "$bcount" "${b%% *}" "stats of buurt ${b#* } vs events"
# CBS key figures attach to the loaded areas: 10 wijken + 111 buurten match, the
# gemeente row does not (no city area loaded); "." becomes null.
K="$DATA/utrecht/cbs-kerncijfers-wijken-buurten/utrecht_kwb_2023.csv"
run_ok figures st areas figures "$K"
expect_contains "$T/figures.out" "for each of 121 areas (1 rows matched no loaded area)" "figures report"
want=$(python3 -c 'import csv,sys
print(next(r["a_inw"] for r in csv.DictReader(open(sys.argv[1])) if r["gwb_code_10"] == "BU03440111"))' "$K")
got=$(sqlite3 "$DB" "select json_extract(figures, '\$.a_inw') from area where code = 'BU03440111'")
expect_eq "$got" "$want" "a_inw of BU03440111 from the key figures"
got=$(sqlite3 "$DB" "select json_type(figures, '\$.g_ele') from area where code = 'BU03440111'")
expect_eq "$got" "null" "a '.' figure"
expect_exit 1 figbad st areas figures "$A/utrecht_buurt_2013_rd.geojson" --code-column nope
expect_contains "$T/figbad.err" "no area code column" "figures without a code column"
note "ok"
