#!/bin/sh
# Simulator benchmark: the planner against the old practice (every street, district
# by district) and random streets, with equal enforcer-hours, over a simulated year
# on the real Groningen network, bike thefts and guarded parkings as the inputs that
# drive where orphan bikes appear. Several seeds, two parameter settings. Prints the
# tables and the planner's ratio to the old practice; asserts nothing.
#
#   sh bench/bench_bikes.sh [STAD] [SEEDS] [DAYS]
set -eu
STAD=${1:-build/stad}
SEEDS=${2:-3}
DAYS=${3:-365}
DATA=${STAD_SHARED_DATA:-$(dirname "$0")/../../shared/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-bikes.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB=$T/stad.db
G=$DATA/groningen
"$STAD" --store "$DB" -q init --city groningen >/dev/null
"$STAD" --store "$DB" -q areas load "$G/gemeentelijke-wijk-buurtindeling-2017/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk >/dev/null
"$STAD" --store "$DB" -q ingest "$G/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz" >/dev/null
"$STAD" --store "$DB" -q assets load --kind bike_parking "$G/fietsenstallingen/groningen_fietsenstallingen_veiligstallen_2017.csv" >/dev/null 2>&1 || true
"$STAD" --store "$DB" -q bikes streets load "$G/fietstelweek-2016/groningen_fietstelweek_2016_links_wgs84.geojson" >/dev/null
for setting in "A 10 1.0" "B 20 0.5"; do
    set -- $setting
    echo "## setting $1: $2 orphan bikes a day, street heterogeneity $3, $DAYS days, 2 enforcers x 6 h weekly"
    "$STAD" --store "$DB" -q bikes simulate --days "$DAYS" --seeds "$SEEDS" --abandon "$2" \
        --heterogeneity "$3" --format csv >"$T/sim$1.csv"
    cat "$T/sim$1.csv"
    python3 - "$T/sim$1.csv" <<'PY'
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["policy"], []).append(r)
def mean(p, k): return st.mean(float(r[k]) for r in by[p])
for p in by:
    print("%-8s removed/hour %.3f  share removed within 8 weeks %.3f" % (p, mean(p, "removed_per_hour"), mean(p, "share_8w")))
seeds = sorted({r["seed"] for r in rows})
for s in seeds:
    get = lambda p, k: float(next(r[k] for r in by[p] if r["seed"] == s))
    print("seed %s: planner/old removed per hour %.2fx, planner/random %.2fx, 8-week share planner %.3f vs old %.3f"
          % (s, get("planner", "removed_per_hour") / max(get("old", "removed_per_hour"), 1e-9),
             get("planner", "removed_per_hour") / max(get("random", "removed_per_hour"), 1e-9),
             get("planner", "share_8w"), get("old", "share_8w")))
PY
done
