#!/bin/sh
# Forecast and backtest end to end on the Cincinnati burglaries: the evaluation
# reproduces the reference figures of data/crime/PROTOCOL.md (open_cp) within 1 point,
# the forecast is valid GeoJSON/CSV with reasons, and bad input gets clear messages.
set -eu
. "$(dirname "$0")/lib.inc"

F=$DATA/crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz
[ -r "$F" ] || fail "missing data file $F"
run_ok init st init --city cincinnati
run_ok ingest st ingest "$F"

# ---- backtest: 2018, reference methods ----
run_ok bt st backtest --from 2018-01-01 --to 2018-12-31 --history-from 2016-01-01 \
    --methods count365,prospective,prospective8,longrun --format csv
"$PY" - "$T/bt.out" <<'EOF2' || fail "backtest differs from the PROTOCOL.md reference figures"
import csv, sys
ref = {  # PROTOCOL.md, Cincinnati 2018, HR at 1, 2, 3, 5, 10, 20 %
    "count365": [7.9, 13.1, 17.8, 22.4, 35.3, 45.5],
    "prospective": [8.2, 13.3, 17.0, 23.3, 34.9, 50.7],
    "prospective8": [8.1, 13.1, 16.4, 21.0, 33.2, 52.1],
}
cov = ["1", "2", "3", "5", "10", "20"]
got = {}
for r in csv.DictReader(open(sys.argv[1])):
    got.setdefault(r["method"], {})[r["coverage"]] = float(r["hit_rate"]) * 100
    assert r["windows"] == "26", r
for m, want in ref.items():
    for c, w in zip(cov, want):
        g = got[m][c]
        assert abs(g - w) <= 1.0, "%s HR@%s%%: %.2f, reference %.1f" % (m, c, g, w)
# the smoothed two-year count is the better baseline the issue describes (about 33%)
assert got["longrun"]["5"] > 30, got["longrun"]
EOF2
run_ok btt st backtest --from 2018-01-01 --to 2018-12-31 --history-from 2016-01-01 --methods count365
expect_contains "$T/btt.out" "26 windows" "backtest summary"
expect_contains "$T/btt.out" "11076 study cells" "study area of PROTOCOL.md"
expect_contains "$T/btt.out" "no street lights" "a missing layer is reported"

# ---- forecast ----
run_ok fc st predict --at 2019-01-01 --format geojson
"$PY" - "$T/fc.out" <<'EOF2' || fail "forecast GeoJSON"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["features"]
assert d["type"] == "FeatureCollection" and len(f) > 10000, len(f)
ranks = [x["properties"]["rank"] for x in f]
assert ranks == sorted(ranks) and ranks[0] == 1
risks = [x["properties"]["risk"] for x in f]
assert all(a >= b for a, b in zip(risks, risks[1:])), "risk not descending by rank"
p = f[0]["properties"]
assert "in this cell in the last year" in p["reason"], p
lon, lat = f[0]["geometry"]["coordinates"][0][0]
assert -84.8 < lon < -84.3 and 39.0 < lat < 39.3, (lon, lat)
assert d["properties"]["used"] == "covariate", d["properties"]
EOF2
run_ok fcsv st predict --at 2019-01-01 --method prospective --top 10 --format csv
expect_eq "$(csv_header "$T/fcsv.out")" "cell,rank,risk,recent,x,y,lon,lat,reason" "forecast CSV header"
expect_eq "$(csv_rows "$T/fcsv.out")" 10 "--top 10"

# ---- bad input ----
expect_exit 1 outside st backtest --from 2030-01-01
expect_contains "$T/outside.err" "outside the data" "a test period after the data"
expect_exit 2 badm st backtest --from 2018-01-01 --methods oracle
expect_contains "$T/badm.err" "unknown method" "an unknown method"
expect_exit 1 nokind st predict --kind theft.bike
expect_contains "$T/nokind.err" "no located events" "a kind without events"
# too little history: the covariate model falls back and says so
run_ok few st predict --at 2016-01-20 --top 3
expect_contains "$T/few.out" "fell back to longrun" "fallback with too little history"
expect_contains "$T/few.out" "used longrun instead" "fallback reason"
note "ok"
