#!/bin/sh
# The CLI's end-to-end path under valgrind memcheck: init, areas load, ingest, events,
# stats and hotspots on a small slice of the real Groningen data. Any invalid read or
# write, use of uninitialised memory or definite/possible leak fails the test
# (--error-exitcode). tests/valgrind.supp may only hold one-time allocations inside
# GDAL/PROJ/SQLite, never a block allocated by stad code.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
need valgrind
# valgrind cannot run a binary built with AddressSanitizer; the normal build runs this.
if [ "${STAD_SANITIZED:-0}" = 1 ]; then
    note "skipped in the sanitizer build (ASan and valgrind exclude each other)"
    exit 0
fi

AREAS=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz
zcat "$THEFTS" | head -n 301 >"$T/klein.csv"

vg() {
    _name=$1
    shift
    if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
        --error-exitcode=99 --suppressions="$STAD_SOURCE_DIR/tests/valgrind.supp" \
        --log-file="$T/$_name.vg" "$STAD" --store "$DB" "$@" >"$T/$_name.out" 2>"$T/$_name.err"; then
        :
    else
        _rc=$?
        show "$T/$_name.err"
        [ -s "$T/$_name.vg" ] && sed -n '1,80p' "$T/$_name.vg" >&2
        [ "$_rc" -eq 99 ] && fail "valgrind found errors in 'stad $*'"
        fail "'stad $*' exited $_rc under valgrind"
    fi
    [ ! -s "$T/$_name.vg" ] || { cat "$T/$_name.vg" >&2; fail "valgrind reported on 'stad $*'"; }
}

vg init init --city groningen
vg wijk areas load "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
expect_contains "$T/wijk.out" "15 areas" "wijken under valgrind"
vg ingest ingest "$T/klein.csv"
expect_contains "$T/ingest.out" "300 rows read" "ingest under valgrind"
vg events events --kind theft.bike --from 2017-01-01 --format csv
expect_ge "$(csv_rows "$T/events.out")" 1 "events under valgrind"
vg stats stats --format csv
expect_eq "$(sum_col "$T/stats.out" events)" 300 "stats under valgrind"
vg hotspots hotspots --kind theft.bike
note "ok: no memcheck errors or leaks"
