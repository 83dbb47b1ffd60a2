#!/bin/sh
# stad --help, --version, <command> --help for every command; usage errors exit 2.
set -eu
. "$(dirname "$0")/lib.inc"

run_ok help "$STAD" --help
expect_contains "$T/help.out" "usage:" "stad --help"
run_ok h "$STAD" -h
expect_contains "$T/h.out" "usage:" "stad -h"

run_ok version "$STAD" --version
grep -q '^stad [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*' "$T/version.out" ||
    { show "$T/version.out"; fail "stad --version does not print 'stad X.Y.Z'"; }

# The commands listed under "commands:" in stad --help.
cmds=$(awk '/^commands:/ { on = 1; next } on && /^[[:space:]]*$/ { exit } on { print $1 }' \
    "$T/help.out")
[ -n "$cmds" ] || { show "$T/help.out"; fail "no commands found in stad --help"; }
n=0
for c in $cmds; do
    n=$((n + 1))
    run_ok "help-$c" "$STAD" "$c" --help
    expect_contains "$T/help-$c.out" "usage:" "stad $c --help"
    expect_contains "$T/help-$c.out" "stad $c" "stad $c --help names the command"
    run_ok "hhelp-$c" "$STAD" help "$c"
    expect_contains "$T/hhelp-$c.out" "usage: stad $c" "stad help $c"
    # --help must not touch a store.
    [ ! -e "$T/stad.db" ] || fail "stad $c --help created a store"
done
# The commands the issue asks for are all there.
for c in init areas ingest assets sources batches rejects events stats watch; do
    echo "$cmds" | grep -qx "$c" || fail "command '$c' missing from stad --help"
done
note "$n commands, each with --help"

# Usage errors: exit 2 with a message on stderr.
expect_exit 2 nocmd "$STAD"
expect_contains "$T/nocmd.err" "usage:" "stad without a command prints the usage"
expect_exit 2 unknown-cmd "$STAD" --store "$DB" frobnicate
expect_contains "$T/unknown-cmd.err" "frobnicate" "unknown command names it"
expect_exit 2 unknown-opt "$STAD" --frobnicate
expect_contains "$T/unknown-opt.err" "--frobnicate" "unknown global option names it"
for c in $cmds; do
    case $c in
    areas | assets) expect_exit 2 "badopt-$c" "$STAD" --store "$DB" "$c" list --frobnicate ;;
    *) expect_exit 2 "badopt-$c" "$STAD" --store "$DB" "$c" --frobnicate ;;
    esac
done
expect_exit 2 areas-nosub "$STAD" --store "$DB" areas frobnicate
expect_exit 2 ingest-nofile "$STAD" --store "$DB" ingest
expect_exit 2 rejects-noid "$STAD" --store "$DB" rejects
expect_exit 2 rejects-badid "$STAD" --store "$DB" rejects abc
expect_exit 2 events-badfmt "$STAD" --store "$DB" events --format xml
expect_exit 2 events-baddate "$STAD" --store "$DB" events --from yesterday
expect_exit 2 events-badbbox "$STAD" --store "$DB" events --bbox 1,2,3
expect_exit 2 stats-badperiod "$STAD" --store "$DB" stats --period year
expect_exit 2 watch-nodir "$STAD" --store "$DB" watch
expect_exit 2 areas-nolevel "$STAD" --store "$DB" areas load x.geojson
note "usage errors exit 2"

# A failure that is not a usage error exits 1: a missing file, an unknown city.
expect_exit 1 nocity "$STAD" --store "$DB" init --city atlantis
expect_exit 1 nobatch "$STAD" --store "$DB" rejects 999
expect_contains "$T/nobatch.err" "999" "rejects of a missing batch names it"
note "ok"
