#!/bin/sh
# stad backup while `stad serve --watch` ingests; stad restore refuses a store in use,
# refuses damaged, foreign and newer-schema files, and brings back exactly what was
# backed up (compared table by table with sqlite3 .dump).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
. "$HERE/serve_lib.inc"
need sqlite3 curl

q() { sqlite3 "$1" "$2"; }

# consistent DB WHAT: integrity, and every loaded batch has exactly its rows.
consistent() {
    expect_eq "$(q "$1" 'PRAGMA integrity_check')" ok "$2: integrity_check"
    bad=$(q "$1" "SELECT count(*) FROM batch b WHERE b.status = 'loaded' AND
        b.rows_accepted <> (SELECT count(*) FROM event e WHERE e.batch_id = b.id)")
    expect_eq "$bad" 0 "$2: batches whose events differ from rows_accepted"
    orphans=$(q "$1" "SELECT count(*) FROM event WHERE batch_id NOT IN (SELECT id FROM batch WHERE status = 'loaded')")
    expect_eq "$orphans" 0 "$2: events outside loaded batches"
}

load_groningen
# a second file for the watcher: the thefts twice with their own ids (~32,000 rows)
thefts_times 2 "$T/extra.csv"
mkdir "$T/drop"
start_serve --watch "$T/drop"
note "serving at $URL"

# ---- backups while the watcher ingests the extra file ----
cp "$T/extra.csv" "$T/drop/.extra.part"
mv "$T/drop/.extra.part" "$T/drop/extra.csv"
# back up again and again until the watcher has committed the file
batches2() { [ "$(q "$DB" "SELECT count(*) FROM batch WHERE status = 'loaded'")" -eq 2 ]; }
k=0
while :; do
    done_before=0
    batches2 && done_before=1
    k=$((k + 1))
    run_ok "backup$k" st backup "$T/live$k.db"
    expect_contains "$T/backup$k.out" "backup $T/live$k.db: schema" "backup $k report"
    consistent "$T/live$k.db" "backup $k taken while ingesting"
    [ ! -e "$T/live$k.db-wal" ] || fail "backup $k left a -wal file: not one self-contained file"
    note "backup $k: $(q "$T/live$k.db" 'SELECT count(*) FROM batch') batches, $(q "$T/live$k.db" 'SELECT count(*) FROM event') events"
    [ "$done_before" -eq 1 ] && break
    [ "$k" -lt 40 ] || fail "the watcher did not load extra.csv during 40 backups"
done
expect_ge "$k" 2 "backups taken while the watcher ingested"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/api/health")" 200 "serving during backups"

# ---- a backup of the quiet store equals the store ----
run_ok full st backup "$T/full.db"
consistent "$T/full.db" "full backup"
sqlite3 "$DB" .dump >"$T/store.dump"
sqlite3 "$T/full.db" .dump >"$T/full.dump"
cmp -s "$T/store.dump" "$T/full.dump" || fail "the backup's dump differs from the store's"
expect_eq "$(q "$T/full.db" 'SELECT count(*) FROM event')" $((15947 * 3)) "events in the full backup"

# an existing file is kept unless --force
expect_exit 1 exists st backup "$T/full.db"
expect_contains "$T/exists.err" "exists" "backup onto an existing file"
run_ok force st backup --force "$T/full.db"
expect_exit 1 nodir st backup "$T/no/such/dir/b.db"
[ ! -e "$T/no" ] || fail "backup into a missing folder made something"

# ---- restore refuses a store in use ----
sqlite3 "$DB" 'SELECT count(*) FROM event' >"$T/count.before"
expect_exit 1 inuse st restore "$T/live1.db"
expect_contains "$T/inuse.err" "in use" "restore while serving"
cmp -s "$T/count.before" "$(sqlite3 "$DB" 'SELECT count(*) FROM event' >"$T/count.after"; echo "$T/count.after")" ||
    fail "a refused restore changed the store"
stop_serve

# ---- restore checks the file first ----
cp "$T/full.db" "$T/damaged.db"
size=$(wc -c <"$T/full.db")
# overwrite 64 KiB in the middle of the file with garbage
dd if=/dev/urandom of="$T/damaged.db" bs=4096 seek=$((size / 4096 / 2)) count=16 conv=notrunc 2>/dev/null
expect_exit 1 damaged st restore "$T/damaged.db"
expect_contains_i "$T/damaged.err" "damaged" "restore of a damaged backup"
cp "$T/full.db" "$T/newer.db"
sqlite3 "$T/newer.db" 'PRAGMA user_version = 99'
expect_exit 1 newer st restore "$T/newer.db"
expect_contains "$T/newer.err" "newer" "restore of a backup from a newer stad"
sqlite3 "$T/foreign.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
expect_exit 1 foreign st restore "$T/foreign.db"
expect_contains "$T/foreign.err" "not a stad store" "restore of a foreign SQLite file"
head -c 10000 /dev/urandom >"$T/random.db"
expect_exit 1 random st restore "$T/random.db"
expect_eq "$(q "$DB" 'SELECT count(*) FROM event')" "$(cat "$T/count.before")" "store after refused restores"
run_ok check st restore --check "$T/full.db"
expect_contains "$T/check.out" "checked" "restore --check"

# ---- restore brings back exactly the backup ----
# change the store after the backup: a replacing file and an extra batch
run_ok later st ingest "$T/drop/extra.csv" --source later
[ "$(q "$DB" 'SELECT count(*) FROM batch')" -gt "$(q "$T/full.db" 'SELECT count(*) FROM batch')" ] ||
    fail "the store did not change after the backup"
run_ok restore st restore "$T/full.db"
expect_contains "$T/restore.out" "restored" "restore report"
consistent "$DB" "restored store"
sqlite3 "$DB" .dump >"$T/restored.dump"
cmp -s "$T/full.dump" "$T/restored.dump" || fail "the restored store differs from the backup"
expect_eq "$(q "$DB" 'PRAGMA journal_mode')" wal "journal mode of the restored store"
# stad reads it, and a restore into a new path creates the store
run_ok stats st stats --format csv
expect_eq "$(sum_col "$T/stats.out" events)" $((15947 * 3)) "events counted by stad after restore"
run_ok fresh "$STAD" --store "$T/fresh.db" restore "$T/live1.db"
consistent "$T/fresh.db" "restore into a new file"
# the restored store can be served
start_serve
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/api/health")" 200 "serving the restored store"
stop_serve
note "ok"
