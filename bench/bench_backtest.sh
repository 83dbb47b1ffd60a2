#!/bin/sh
# The 26-window Cincinnati backtest of PROTOCOL.md (scored 2018, history from 2016) of
# all forecasting methods, on one core (taskset -c 0), against the reference
# implementation: open_cp's prospective hotspotting takes "about 1.4 s per forecast
# window" (the figure is read from PROTOCOL.md, not measured here: open_cp is not a
# Debian package). Also times stad's own prospective hotspotting alone, the like-for-
# like comparison. Best of 3 runs; CPU = user + sys of the stad process. Asserts
# nothing.
#   env STAD (the binary), STAD_SHARED_DATA, STAD_TMP.
set -eu
: "${STAD:?}" "${STAD_SHARED_DATA:?}"
command -v python3 >/dev/null || { echo "bench_backtest: needs python3"; exit 0; }
data="$STAD_SHARED_DATA/crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz"
protocol="$STAD_SHARED_DATA/crime/PROTOCOL.md"
[ -f "$data" ] && [ -f "$protocol" ] || { echo "bench_backtest: no Cincinnati data in $STAD_SHARED_DATA/crime"; exit 0; }
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
T=$(mktemp -d "${STAD_TMP:-/tmp}/bench-backtest.XXXXXX")
trap 'rm -rf "$T"' EXIT
db="$T/cin.db"
"$STAD" --store "$db" -q init --city cincinnati >/dev/null
"$STAD" --store "$db" -q ingest "$data" >/dev/null

python3 - "$protocol" "$db" "$STAD" $pin <<'PY'
import os, re, resource, subprocess, sys, time
protocol, db, stad, pin = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
m = re.search(r"about ([0-9.]+) s per forecast window", open(protocol, encoding="utf-8").read())
if not m:
    sys.exit("bench_backtest: PROTOCOL.md no longer states the per-window time")
ref_window = float(m.group(1))
args = ["--from", "2018-01-01", "--to", "2018-12-31", "--history-from", "2016-01-01",
        "--format", "csv"]

def run(methods):
    """best of 3: (wall s, cpu s, rows of output)"""
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        out = subprocess.run(pin + [stad, "--store", db, "backtest", *args, *methods],
                             check=True, capture_output=True, text=True).stdout
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or cpu < best[1]:
            best = (wall, cpu, out)
    return best

windows = 26
ref_total = ref_window * windows
wall_all, cpu_all, out = run([])
methods = sorted({line.split(",")[0] for line in out.splitlines()[1:] if line})
wall_p, cpu_p, _ = run(["--methods", "prospective"])
print(f"one core ({' '.join(pin) or 'not pinned: no taskset'}); Cincinnati 2018, {windows} windows")
print(f"reference (open_cp prospective hotspotting, PROTOCOL.md): {ref_window:.2f} s/window, "
      f"{ref_total:.1f} s for {windows} windows")
print(f"stad, all {len(methods)} methods ({','.join(methods)}): {cpu_all:.2f} s CPU "
      f"({wall_all:.2f} s wall), {cpu_all / windows:.3f} s/window")
print(f"stad, prospective alone: {cpu_p:.2f} s CPU ({wall_p:.2f} s wall), "
      f"{cpu_p / windows * 1000:.1f} ms/window")
print(f"ratio reference prospective / stad all methods: {ref_total / cpu_all:.1f}x")
print(f"ratio reference prospective / stad prospective: {ref_total / cpu_p:.0f}x")
print(f"target (issue 4): all methods under 10 s on one core: "
      f"{'met' if cpu_all < 10 else 'NOT met'} ({cpu_all:.2f} s)")
PY
