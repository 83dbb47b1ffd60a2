#!/bin/sh
# bench_soak: `stad serve` on the Groningen bike thefts under a realistic dashboard mix
# for a long time (wrk, 4 connections, 127.0.0.1): health, meta, areas, stats, trend,
# event pages, change, hotspots, KDE and the flex team, for months picked at random
# from 2013-2017 so that the response cache fills up as browsing would. Prints the
# server's resident memory at start, after the warm-up (the first fifth: cache and
# pools filling) and at the end, the growth after the warm-up per minute, requests per
# second, and the errors wrk saw. Asserts nothing (tests/e2e/soak_short.sh does).
# Usage: STAD=build/stad sh bench/bench_soak.sh   (BENCH_SOAK_SECONDS, default 600;
# BENCH_SOAK_MONTHS, default 60: how many distinct months, counted back from 2017-12,
# the analysis requests pick from; fewer make the cache saturate in the warm-up;
# BENCH_SOAK_WARM_SECONDS, default a fifth of the seconds: the warm-up, which the
# measured part follows)
set -eu
BENCH=bench_soak
. "$(dirname "$0")/bench_lib.inc"
SECS=${BENCH_SOAK_SECONDS:-600}
CONNS=${BENCH_SOAK_CONNECTIONS:-4}
MONTHS=${BENCH_SOAK_MONTHS:-60}
bench_need 1 curl wrk

bench_store
PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)
printf '%s\n' "$PW" | st user add soak --role admin >/dev/null
bench_serve
bench_login soak "$PW"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$URL/api/stats?kind=theft.bike")
[ "$code" = 200 ] || { echo "bench_soak: /api/stats with the session answered $code"; exit 1; }

echo "local n_months = $MONTHS" >"$T/mix.lua"
cat >>"$T/mix.lua" <<'LUA'
-- A dashboard session: mostly cheap reads, some analysis, months at random.
local routes = {
  {w = 20, p = "/api/health"},
  {w = 10, p = "/api/meta"},
  {w = 5,  p = "/api/areas?level=wijk"},
  {w = 5,  p = "/api/areas?level=buurt"},
  {w = 15, p = "/api/stats?kind=theft.bike&level=buurt&from=%s&to=%s"},
  {w = 10, p = "/api/trend?kind=theft.bike&from=%s&to=%s"},
  {w = 10, p = "/api/events?page_size=500&page=%d"},
  {w = 8,  p = "/api/change?level=wijk&from=%s&to=%s"},
  {w = 8,  p = "/api/hotspots?kind=theft.bike&from=%s&to=%s"},
  {w = 5,  p = "/api/kde?kind=theft.bike&from=%s&to=%s"},
  {w = 4,  p = "/api/flexteam?shifts=3&from=%s&to=%s"},
}
local total = 0
for _, r in ipairs(routes) do total = total + r.w end
local statuses = {}
math.randomseed(os.time())
request = function()
  local k = math.random(total)
  local r
  for _, x in ipairs(routes) do
    k = k - x.w
    if k <= 0 then r = x break end
  end
  local back = math.random(0, n_months - 1)   -- months before 2017-12
  local y, m = 2017 - math.floor(back / 12), 12 - back % 12
  local from = string.format("%04d-%02d-01", y, m)
  local to = string.format("%04d-%02d-28", y, m)
  local path
  if r.p:find("%%d") then
    path = string.format(r.p, math.random(1, 8))
  elseif r.p:find("%%s") then
    path = string.format(r.p, from, to)
  else
    path = r.p
  end
  return wrk.format("GET", path)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("soak: requests=%d errors_connect=%d errors_read=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.status,
    summary.errors.timeout))
  io.write(string.format("soak: latency_p50_ms=%.1f latency_p99_ms=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
rss0=$(rss)
warm=${BENCH_SOAK_WARM_SECONDS:-$((SECS / 5))}
[ "$warm" -ge 1 ] || warm=1
rest=$((SECS - warm))
[ "$rest" -ge 1 ] || rest=1
# warm-up, then the measured part; wrk's own threads: 2
wrk -t 2 -c "$CONNS" -d "${warm}s" --timeout 30s -H "Cookie: $COOKIE" -s "$T/mix.lua" "$URL" \
    >"$T/wrk1.out" 2>&1
rss1=$(rss)
wrk -t 2 -c "$CONNS" -d "${rest}s" --timeout 30s -H "Cookie: $COOKIE" -s "$T/mix.lua" "$URL" \
    >"$T/wrk2.out" 2>&1
rss2=$(rss)
kill -TERM "$pid"
wait "$pid" || { echo "bench_soak: stad serve exited $? after SIGTERM"; cat "$T/serve.err"; exit 1; }
pid=""

rps=$(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk2.out")
echo "soak: ${SECS}s, $CONNS connections, dashboard mix on $(basename "$THEFTS")"
grep '^soak:' "$T/wrk2.out" || { cat "$T/wrk2.out"; exit 1; }
non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$T/wrk1.out" "$T/wrk2.out" | awk '{ s += $1 } END { print s + 0 }')
echo "soak: requests_per_s=$rps non_2xx=$non2xx"
echo "soak: rss_kb start=$rss0 warm=$rss1 end=$rss2"
awk -v a="$rss1" -v b="$rss2" -v s="$rest" -v w="$rss0" 'BEGIN {
    printf "soak: growth after warm-up %d KiB (%.1f KiB/min); warm-up took %d KiB; end/warm ratio %.3f\n",
        b - a, (b - a) * 60 / s, a - w, b / a }'
