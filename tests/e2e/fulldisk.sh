#!/bin/sh
# A full disk during ingest: the ingest fails with a message that says so, the store
# stays as it was (integrity, batches, events), stad keeps reading it, and once there is
# room again the same file loads. Also a backup onto a full disk fails cleanly and
# leaves no file. Needs a small tmpfs (mount, as root); skipped with a message where
# mounting is impossible.
set -eu
. "$(dirname "$0")/lib.inc"
need sqlite3

DISK="$T/disk"
mkdir "$DISK"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=4m stadfull "$DISK" 2>"$T/mount.err"; then
    note "SKIP: cannot mount a tmpfs here ($(cat "$T/mount.err" 2>/dev/null)); run as root to test a full disk"
    exit 0
fi
trap 'rc=$?; umount "$DISK" 2>/dev/null || true; (exit $rc); _e2e_exit' EXIT

AREAS=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz
DB="$DISK/stad.db"
q() { sqlite3 "$DB" "$1"; }

run_ok init st init --city groningen
run_ok wijk st areas load "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
run_ok buurt st areas load "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
# a first small batch that must survive
zcat "$THEFTS" | head -n 201 >"$T/klein.csv"
run_ok small st ingest "$T/klein.csv"
before=$(q 'SELECT count(*) FROM batch'):$(q 'SELECT count(*) FROM event')
expect_eq "$before" 1:200 "store before the full disk"
note "used on the 4 MiB disk before: $(du -k "$DISK" | cut -f1) KiB"

# the whole file needs far more than what is left
expect_exit 1 full st ingest "$THEFTS"
expect_contains "$T/full.err" "the disk is full" "the error says the disk is full"
note "message: $(head -n 1 "$T/full.err")"
expect_eq "$(q 'PRAGMA integrity_check')" ok "integrity after the full disk"
expect_eq "$(q 'SELECT count(*) FROM batch'):$(q 'SELECT count(*) FROM event')" "$before" \
    "batches and events after the full disk"
run_ok stats st stats --format csv
expect_eq "$(sum_col "$T/stats.out" events)" 200 "events counted by stad after the full disk"

# a backup onto the full disk fails and leaves nothing behind
cp "$DB" "$T/copy.db"
dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null || true
expect_exit 1 bfull "$STAD" --store "$T/copy.db" backup "$DISK/backup.db"
note "backup message: $(head -n 1 "$T/bfull.err")"
expect_eq "$(ls "$DISK" | grep -c backup || true)" 0 "files left by a failed backup"
rm -f "$DISK/filler"

# room again: the same file loads completely
mount -o remount,size=256m "$DISK"
run_ok again st ingest "$THEFTS"
expect_eq "$(q 'PRAGMA integrity_check')" ok "integrity after the second ingest"
expect_eq "$(q 'SELECT count(*) FROM event')" $((200 + 15947)) "events after the second ingest"
note "ok"
