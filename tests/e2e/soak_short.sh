#!/bin/sh
# A short soak (about 26 s, 10 of them warm-up, of bench/bench_soak.sh's dashboard mix
# under wrk): the server answers every request without errors, and its memory after the
# warm-up grows by less than a generous bound (a leak of a few KiB per request would
# pass 16 MiB in seconds).
# No timing is asserted.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
need wrk curl

# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) before
# it is reused, so RSS climbs for a long time without any leak; a small quarantine
# keeps the growth bound meaningful there too.
if [ "${STAD_SANITIZED:-0}" = 1 ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
    export ASAN_OPTIONS
fi

# three months to pick from: the cache holds them all after the warm-up, so what grows
# later is a leak, not the cache. The warm-up is 10 s, not a fifth of the run: under
# the sanitizers with the other tests running, 4 s served too few requests to fill
# the cache and the allocator's pools, and the RSS went on growing (19.8 MiB, in CI
# once) although alone it shrinks after the warm-up.
BENCH_SOAK_SECONDS=${SOAK_SECONDS:-26} BENCH_SOAK_WARM_SECONDS=10 BENCH_SOAK_MONTHS=3 \
    sh "$STAD_SOURCE_DIR/bench/bench_soak.sh" >"$T/soak.out" 2>&1 ||
    { show "$T/soak.out"; fail "bench_soak.sh failed"; }
sed 's/^/  /' "$T/soak.out"
val() { sed -n "s/.*[ :]$1=\([0-9.]*\).*/\1/p" "$T/soak.out" | head -n 1; }
req=$(val requests)
expect_ge "$req" 200 "requests served in the short soak"
for e in errors_connect errors_read errors_status errors_timeout non_2xx; do
    expect_eq "$(val $e)" 0 "$e in the short soak"
done
warm=$(val warm)
end=$(val end)
growth=$((end - warm))
[ "$growth" -lt 16384 ] || fail "RSS grew by $growth KiB after the warm-up (bound 16384 KiB)"
# absolute: generous, because ASan's quarantine alone holds up to 256 MiB
[ "$end" -lt 1048576 ] || fail "RSS at the end is $end KiB (bound 1 GiB)"
note "ok: $req requests, RSS $warm -> $end KiB after the warm-up"
