#!/bin/sh
# bench_api: the HTTP API on the Groningen bike thefts (and, with BENCH_API_EVENTS=N,
# on a store scaled to N events by scripts/gen-police-csv: the real extract, then
# copies shifted back by whole weeks with up to 30 minutes of time jitter and up to
# 5 m of jitter in space).
#  - p50/p95 latency of uncached /api/hotspots and /api/stats: one parameter varies per
#    request so that every request misses the cache (curl, sequential), and of the
#    same routes cached;
#  - throughput of cached /api/stats and /api/hotspots against the same JSON served as
#    a static file from the web root (wrk), and their ratios: what the cache path
#    (session check, access generation, audit row) costs over sendfile.
# Every data route needs a session: the script makes an analyst account (password on
# stdin), approves the source for that role as scripts/demo does, logs in with a curl
# cookie jar and hands the same cookie to wrk, so the numbers include the session check
# and the audit row of every read.
# Prints numbers and ratios; asserts nothing.
# Usage: STAD=build/stad sh bench/bench_api.sh
#   BENCH_API_N=50         requests per route for the latencies
#   BENCH_API_SECONDS=5    seconds per wrk run
#   BENCH_API_EVENTS=N     scale the store to N events (0: the real 15,947)
#   BENCH_API_STORE=FILE   build the store in FILE and keep it; a FILE that exists is
#                          used as it is (the 10,000,000-event store takes minutes to
#                          build: BENCH_API_EVENTS=10000000 BENCH_API_STORE=/var/tmp/s10m.db)
set -eu
BENCH=bench_api
. "$(dirname "$0")/bench_lib.inc"
N=${BENCH_API_N:-50}
EVENTS=${BENCH_API_EVENTS:-0}
DUR=${BENCH_API_SECONDS:-5}
bench_need 0 curl wrk

PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)
if [ -n "${BENCH_API_STORE:-}" ] && [ -f "$BENCH_API_STORE" ]; then
    DB=$BENCH_API_STORE
    echo "bench_api: using the store $DB as it is"
    printf '%s\n' "$PW" | st user passwd bench >/dev/null
else
    [ -z "${BENCH_API_STORE:-}" ] || DB=$BENCH_API_STORE
    t0=$(date +%s)
    if [ "$EVENTS" -gt 0 ]; then
        "$here/scripts/gen-police-csv" "$EVENTS" "$T/scaled.csv" "$THEFTS"
        t1=$(date +%s)
        bench_store "$T/scaled.csv"
        rm -f "$T/scaled.csv"
        echo "bench_api: $EVENTS events generated in $((t1 - t0)) s, stored in $(($(date +%s) - t1)) s"
    else
        bench_store
    fi
    # The register entry and the approval (a new source is pending and invisible), and
    # an account to log in with.
    src=$(st source show --format csv | awk -F, 'NR == 2 { print $2 }')
    [ -n "$src" ] || { echo "bench_api: no source after the ingest"; exit 1; }
    st source set "$src" --holder "Politie (bench)" --purpose "bench_api: latency of the API" \
        --legal-basis "bench" --retention-days 36500 --sensitivity police --roles safety_analyst >/dev/null
    st source approve "$src" >/dev/null
    printf '%s\n' "$PW" | st user add bench --role safety_analyst >/dev/null
fi
mkdir "$T/web"
bench_serve --web "$T/web"
bench_login bench "$PW"
events=$(curl -s -b "$JAR" "$URL/api/events?page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "store: $events events; $N requests per route; server $URL"

# lat NAME URL-PREFIX VARY: N sequential requests of URL-PREFIX + VARY(i); p50/p95 in ms.
lat() {
    : >"$T/lat"
    k=1
    while [ "$k" -le "$N" ]; do
        u="$URL$2$(eval "$3")"
        code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' "$u")
        case "$code" in 200\ *) ;; *) echo "bench_api: $u -> $code"; exit 1 ;; esac
        echo "${code#* }" >>"$T/lat"
        k=$((k + 1))
    done
    sort -n "$T/lat" | awk -v name="$1" '{ v[NR] = $1 * 1000 }
        END { p50 = v[int((NR + 1) * 0.50)]; p95 = v[int((NR * 0.95) + 0.5)];
              printf "%-34s p50 %8.1f ms   p95 %8.1f ms\n", name, p50, p95 }'
}
# Each request another end date or FDR level: a cache miss doing the same work.
lat "/api/stats (uncached)" "/api/stats?kind=theft.bike&level=buurt&from=2013-01-01&to=" \
    'printf "2017-%02d-%02d" $((1 + k % 9)) $((1 + k % 28))'
lat "/api/stats period=week (uncached)" "/api/stats?level=wijk&period=week&from=2013-01-01&to=" \
    'printf "2017-%02d-%02d" $((1 + k % 9)) $((1 + k % 28))'
lat "/api/hotspots 28 days (uncached)" "/api/hotspots?kind=theft.bike&fdr=" \
    'printf "0.0%03d" $((100 + k))'
# The same URL each time: the first request fills the cache, the rest hit it.
lat "/api/stats (cached)" "/api/stats?kind=theft.bike&level=buurt&from=2013-01-01&to=2017-09-30" \
    'printf ""'
lat "/api/hotspots 28 days (cached)" "/api/hotspots?kind=theft.bike&fdr=0.05" 'printf ""'

# Cached API vs the same bytes as a static file.
# The static file needs no session; sending the cookie anyway keeps the requests alike.
# A 401 or 403 would be fast and wrong: refuse numbers with non-2xx answers in them.
# rps URL: requests per second under wrk, and (in $T/cpu) the server's CPU time per
# request in microseconds, from /proc: on a shared, noisy machine the CPU a request
# costs the server varies much less than the throughput.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rps() {
    c0=$(cpu_ticks)
    wrk -t2 -c16 -d"${DUR}s" -H "Cookie: $COOKIE" "$1" >"$T/wrk.out"
    c1=$(cpu_ticks)
    if grep -q 'Non-2xx' "$T/wrk.out"; then
        cat "$T/wrk.out" >&2
        echo "bench_api: $1 answered non-2xx under wrk" >&2
        exit 1
    fi
    awk -v c0="$c0" -v c1="$c1" -v hz="$(getconf CLK_TCK)" '/ requests in / {
        printf "%.1f\n", (c1 - c0) / hz * 1e6 / $1 }' "$T/wrk.out" >"$T/cpu"
    awk '/^Requests\/sec:/ { print $2 }' "$T/wrk.out"
}
# versus ROUTE QUERY NAME: cached ROUTE?QUERY against its bytes as $T/web/NAME.
versus() {
    curl -s -b "$JAR" -o "$T/web/$3" "$URL$1?$2"
    bytes=$(wc -c <"$T/web/$3")
    api=$(rps "$URL$1?$2")
    api_cpu=$(cat "$T/cpu")
    static=$(rps "$URL/$3")
    static_cpu=$(cat "$T/cpu")
    echo "wrk -t2 -c16 -d${DUR}s, $bytes bytes of JSON:"
    awk -v a="$api" -v s="$static" -v r="$1" -v f="$3" -v ac="$api_cpu" -v sc="$static_cpu" 'BEGIN {
        printf "  cached %-14s %10.0f req/s  %7.1f us server CPU/request\n", r, a, ac
        printf "  static %-14s %10.0f req/s  %7.1f us server CPU/request\n", f, s, sc
        printf "  ratio cached API / static file: %.2f (throughput), %.2f (static/API CPU per request)\n", a / s, sc / ac }'
}
versus /api/stats "kind=theft.bike&level=buurt" stats.json
versus /api/hotspots "kind=theft.bike&fdr=0.05" hotspots.json
