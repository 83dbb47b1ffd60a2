#!/bin/sh
# Simulator benchmark: the planner against the old practice (every street, district
# by district) and random streets, with equal budgeted enforcer-hours, and against
# the oracle (the same router fed the simulator's hidden truth: the ceiling of any
# choice of streets), over a
# simulated year on the real Groningen network, with bike thefts and guarded parkings
# as the inputs that drive where orphan bikes appear. Several seeds, several
# settings; every (setting, policy, seed) is its own process, JOBS at a time.
# Prints per seed and as means: removed per budgeted and per worked enforcer-hour,
# the share removed within 8 weeks, and the planner's and the oracle's ratios to the
# old practice, as markdown tables. Asserts nothing.
#
#   sh bench/bench_bikes.sh [STAD] [SEEDS] [DAYS] [JOBS]
#
# Settings (name:orphans a day:heterogeneity:stock days[:bikes in use labelled per
# visit of an average street, 0.5]), default
#   BIKES_SETTINGS="A:10:1.0:365 B:20:1.0:365"
# Extra simulate options for every run: BIKES_SIM_OPTS (e.g. "--min-yield 0").
set -eu
STAD=${1:-build/stad}
SEEDS=${2:-3}
DAYS=${3:-365}
JOBS=${4:-2}
SETTINGS=${BIKES_SETTINGS:-"A:10:1.0:365 B:20:1.0:365"}
DATA=${STAD_SHARED_DATA:-$(dirname "$0")/../../shared/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-bikes.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB=$T/stad.db
G=$DATA/groningen
"$STAD" --store "$DB" -q init --city groningen >/dev/null
"$STAD" --store "$DB" -q areas load "$G/gemeentelijke-wijk-buurtindeling-2017/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk >/dev/null
"$STAD" --store "$DB" -q ingest "$G/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz" >/dev/null
"$STAD" --store "$DB" -q assets load --kind bike_parking "$G/fietsenstallingen/groningen_fietsenstallingen_veiligstallen_2017.csv" >/dev/null
"$STAD" --store "$DB" -q bikes streets load "$G/fietstelweek-2016/groningen_fietstelweek_2016_links_wgs84.geojson" >/dev/null

# one line per run: setting orphans heterogeneity stock policy seed
for setting in $SETTINGS; do
    IFS=: read -r name ab het stock parked <<EOF
$setting
EOF
    s=1
    while [ "$s" -le "$SEEDS" ]; do
        for pol in planner old random oracle; do
            echo "$name $ab $het $stock ${parked:-0.5} $pol $s"
        done
        s=$((s + 1))
    done
done >"$T/runs"
cat >"$T/one.sh" <<EOF
#!/bin/sh
# one.sh NAME ABANDON HET STOCK PARKED POLICY SEED
"$STAD" --store "$DB" -q bikes simulate --days "$DAYS" --seed "\$7" --policy "\$6" \\
    --abandon "\$2" --heterogeneity "\$3" --stock-days "\$4" --parked "\$5" \\
    --format csv ${BIKES_SIM_OPTS:-} >"$T/\$1.\$6.\$7.csv"
EOF
xargs -P "$JOBS" -L 1 sh "$T/one.sh" <"$T/runs"

echo "$DAYS days, 2 enforcers x 6 h weekly; settings (name:orphans a day:heterogeneity:stock days[:in use]): $SETTINGS"
python3 - "$T" $SETTINGS <<'PY'
import csv, glob, os, statistics as st, sys
d = sys.argv[1]
for setting in sys.argv[2:]:
    name, ab, het, stock = setting.split(":")[:4]
    parked = (setting.split(":") + ["0.5"])[4]
    rows = {}
    for f in glob.glob(os.path.join(d, name + ".*.csv")):
        for r in csv.DictReader(open(f)):
            rows[(r["policy"], int(r["seed"]))] = r
    seeds = sorted({s for _, s in rows})
    print("\n#### Setting %s: %s orphan bikes a day, heterogeneity %s, stock of %s days, "
          "%s bikes in use labelled per visit of an average street\n"
          % (name, ab, het, stock, parked))
    print("| seed | policy | stock + abandoned | removed | removed / budgeted h | worked h "
          "| removed / worked h | share removed within 8 weeks |")
    print("|---|---|---|---|---|---|---|---|")
    def g(p, s, k): return float(rows[(p, s)][k])
    for s in seeds:
        for p in ("planner", "old", "random", "oracle"):
            if (p, s) not in rows:
                continue
            print("| %d | %s | %d | %d | %.2f | %.0f of %.0f | %.2f | %.3f |"
                  % (s, p, g(p, s, "stock") + g(p, s, "abandoned"), g(p, s, "removed"),
                     g(p, s, "removed_per_hour"), g(p, s, "worked_hours"),
                     g(p, s, "enforcer_hours"), g(p, s, "removed_per_worked_hour"),
                     g(p, s, "share_8w")))
    print("\n| seed | planner / old, per budgeted h | per worked h | planner / random, per "
          "budgeted h | oracle / old | planner / oracle | 8-week share planner / old "
          "| removed by the planner / (stock + abandoned) |")
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for s in seeds:
        if not all((p, s) in rows for p in ("planner", "old", "random", "oracle")):
            continue
        h = "removed_per_hour"
        r = (g("planner", s, h) / g("old", s, h),
             g("planner", s, "removed_per_worked_hour") / g("old", s, "removed_per_worked_hour"),
             g("planner", s, h) / g("random", s, h),
             g("oracle", s, h) / g("old", s, h),
             g("planner", s, h) / g("oracle", s, h),
             g("planner", s, "share_8w") / max(g("old", s, "share_8w"), 1e-9),
             g("planner", s, "removed") / (g("planner", s, "stock") + g("planner", s, "abandoned")))
        ratios.append(r)
        print("| %d | %.2fx | %.2fx | %.2fx | %.2fx | %.2f | %.2fx | %.2f |" % ((s,) + r))
    if ratios:
        print("| mean | %.2fx | %.2fx | %.2fx | %.2fx | %.2f | %.2fx | %.2f |"
              % tuple(st.mean(r[i] for r in ratios) for i in range(7)))
PY
