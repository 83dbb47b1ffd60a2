#!/bin/sh
# The administrator's path, the quick part (tests/admin/install-test.sh does the slow
# rest in a debootstrapped Debian): make install into a DESTDIR, the installed binary
# finding its installed config, the man page made from the help texts, the systemd
# unit through systemd-analyze verify, stad config check naming lines, serve --config,
# and the upgrade of a schema-1 store (tests/data/admin/schema1.sql) with a backup first.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
. "$HERE/serve_lib.inc"
need sqlite3 curl cmake

BUILD=$(dirname "$STAD")
[ -f "$BUILD/cmake_install.cmake" ] || fail "$BUILD is not a CMake build folder"
SCHEMA=$(sed -n 's/^#define STAD_SCHEMA_VERSION \([0-9][0-9]*\).*/\1/p' \
    "$STAD_SOURCE_DIR/include/stad/store.h")
expect_ge "$SCHEMA" 2 "STAD_SCHEMA_VERSION in include/stad/store.h"

# ---- make install with PREFIX and DESTDIR ----
ROOT=$T/root
run_ok install env DESTDIR="$ROOT" cmake --install "$BUILD" --prefix /usr
for f in usr/bin/stad usr/share/stad/config/taxonomy.conf usr/share/stad/config/columns.conf \
    usr/share/stad/config/cities/groningen.conf usr/share/man/man1/stad.1 \
    etc/stad/stad.conf lib/systemd/system/stad.service; do
    [ -f "$ROOT/$f" ] || fail "make install did not install /$f"
done
[ -x "$ROOT/usr/bin/stad" ] || fail "/usr/bin/stad is not executable"
expect_contains "$ROOT/lib/systemd/system/stad.service" "ExecStart=/usr/bin/stad serve --config /etc/stad/stad.conf" \
    "the unit runs the installed binary"
# another prefix: everything moves with it, the configuration to <prefix>/etc
run_ok install2 env DESTDIR="$T/root2" cmake --install "$BUILD" --prefix /opt/stad
[ -x "$T/root2/opt/stad/bin/stad" ] || fail "--prefix /opt/stad: no bin/stad"
[ -f "$T/root2/opt/stad/etc/stad/stad.conf" ] || fail "--prefix /opt/stad: no etc/stad/stad.conf"
[ -f "$T/root2/opt/stad/share/stad/config/taxonomy.conf" ] || fail "--prefix /opt/stad: no config"
note "installed into DESTDIR with prefixes /usr and /opt/stad"

# The installed binary reads the installed configuration, not the source tree's: a
# city profile that exists only in the installed copy must be found.
printf '[city]\nname = Testville\ncrs = EPSG:28992\n' >"$ROOT/usr/share/stad/config/cities/testville.conf"
run_ok init-installed "$ROOT/usr/bin/stad" --store "$T/tv.db" init --city testville
expect_contains "$T/init-installed.out" "Testville" "installed stad reads share/stad/config"
expect_exit 1 init-buildtree "$STAD" --store "$T/tv2.db" init --city testville
note "installed binary finds <prefix>/share/stad/config"

# ---- one source for help and man page ----
run_ok man "$ROOT/usr/bin/stad" help --man
cmp -s "$T/man.out" "$ROOT/usr/share/man/man1/stad.1" || fail "installed stad.1 differs from stad help --man"
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$T/man.out" 2>"$T/groff.err" || true
    [ ! -s "$T/groff.err" ] || { show "$T/groff.err"; fail "groff warns about stad.1"; }
fi
run_ok help "$STAD" --help
cmds=$(awk '/^commands:/ { on = 1; next } on && /^[[:space:]]*$/ { exit } on { print $1 }' "$T/help.out")
n=0
for c in $cmds; do
    n=$((n + 1))
    expect_contains "$T/man.out" ".SS \"stad $c\"" "man page section for $c"
    # every line of `stad c --help` is in the man page (roff escapes undone)
    "$STAD" "$c" --help >"$T/h.txt"
    sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/^\\&//' "$T/man.out" >"$T/man.txt"
    while IFS= read -r line; do
        [ -z "$line" ] && continue
        grep -F -x -q -- "$line" "$T/man.txt" || fail "man page lacks this line of 'stad $c --help': $line"
    done <"$T/h.txt"
done
expect_ge "$n" 20 "commands in stad --help"
note "man page holds the help of all $n commands"

# ---- the systemd unit ----
if command -v systemd-analyze >/dev/null 2>&1; then
    # verify checks that ExecStart's binary exists: point it at the DESTDIR copy
    mkdir "$T/unit"
    sed "s|/usr/bin/stad|$ROOT/usr/bin/stad|g" "$ROOT/lib/systemd/system/stad.service" \
        >"$T/unit/stad.service"
    if systemd-analyze verify --man=no "$T/unit/stad.service" >"$T/verify.out" 2>&1; then
        note "systemd-analyze verify: ok"
    else
        show "$T/verify.out"
        fail "systemd-analyze verify of stad.service"
    fi
    # warnings count as failures too
    expect_not_contains "$T/verify.out" "stad.service" "systemd-analyze verify output"
else
    note "no systemd-analyze: unit not verified here"
fi
for k in User=stad Restart=on-failure ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes \
    ReadWritePaths=/var/lib/stad Environment=STAD_LOG_FORMAT=journal; do
    expect_contains "$ROOT/lib/systemd/system/stad.service" "$k" "unit hardening"
done

# ---- stad config check ----
run_ok cc-default "$STAD" config check "$ROOT/etc/stad/stad.conf"
expect_contains "$T/cc-default.out" "ok" "the installed default file checks"
run_ok defaults "$STAD" config defaults
cmp -s "$T/defaults.out" "$ROOT/etc/stad/stad.conf" || fail "installed stad.conf differs from stad config defaults"
printf '[server]\nport = 8080\n\n# tls\nbind = 127.0.0.1\nport = 80801\n' >"$T/bad.conf"
expect_exit 1 cc-bad "$STAD" config check "$T/bad.conf"
expect_contains "$T/cc-bad.err" "bad.conf:6:1: server.port is already set on line 2" "config check names the line"
printf '[store]\npath = /x/stad.db\n[sever]\nport = 1\n' >"$T/bad2.conf"
expect_exit 1 cc-bad2 "$STAD" config check "$T/bad2.conf"
expect_contains "$T/cc-bad2.err" "bad2.conf:4:1: unknown section [sever]" "unknown section: line"
expect_exit 1 cc-missing "$STAD" config check "$T/none.conf"
expect_exit 2 cc-usage "$STAD" config frobnicate
note "config check"

# ---- serve --config: a new store for the configured city, options override ----
mkdir -p "$T/var"
cat >"$T/stad.conf" <<EOF
[city]
profile = groningen
wijken = $AREAS_DIR/groningen_gemeente_wijkindeling_wgs84.geojson
buurten = $AREAS_DIR/groningen_gemeente_buurtindeling_wgs84.geojson
[store]
path = $T/var/stad.db
backup_dir = $T/var/backups
[server]
port = 1
[log]
format = journal
EOF
run_ok cc "$STAD" config check "$T/stad.conf"
DB=$T/var/stad.db
fresh_logs
"$STAD" serve --config "$T/stad.conf" --port 0 >"$SERVE_LOG" 2>"$SERVE_ERR" &
SERVE_PID=$!
BG_PIDS="$BG_PIDS $SERVE_PID"
wait_until 30 "the URL" grep -q '^stad serve: http://' "$SERVE_LOG"
URL=$(sed -n 's|^stad serve: \(http://[^ ]*\)/ .*|\1|p' "$SERVE_LOG" | head -n 1)
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/api/health")" 200 "health of serve --config"
stop_serve
expect_contains "$SERVE_ERR" '<6>level=info msg="created the store' "journal log line"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM area WHERE level = 'buurt'")" 112 "buurten in the new store"
expect_eq "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'city.crs'")" EPSG:28992 "CRS of the new store"
[ ! -e "$T/var/backups" ] || fail "a new store needs no backup"
note "serve --config created the store for Groningen"

# a city configured after the first start (the package starts the service at once):
# areas of a level the store lacks are loaded at the next start
run_ok late-init "$STAD" --store "$T/var/late.db" init
sed "s|^path = .*|path = $T/var/late.db|" "$T/stad.conf" >"$T/late.conf"
fresh_logs
"$STAD" serve --config "$T/late.conf" --port 0 >"$SERVE_LOG" 2>"$SERVE_ERR" &
SERVE_PID=$!
BG_PIDS="$BG_PIDS $SERVE_PID"
wait_until 30 "the URL" grep -q '^stad serve: http://' "$SERVE_LOG"
stop_serve
expect_eq "$(sqlite3 "$T/var/late.db" "SELECT count(*) FROM area WHERE level = 'wijk'")" 15 "wijken loaded later"
expect_contains "$SERVE_ERR" 'msg="loaded 112 areas at level buurt from the configuration"' "late areas logged"

# ---- upgrade of a schema-1 store: backup first, every row kept ----
OLD=$T/var/old.db
sqlite3 "$OLD" <"$STAD_SOURCE_DIR/tests/data/admin/schema1.sql"
cp "$OLD" "$T/orig.db"
sqlite3 "$T/orig.db" .dump >"$T/orig.dump"
sed "s|^path = .*|path = $OLD|" "$T/stad.conf" >"$T/old.conf"
fresh_logs
"$STAD" serve --config "$T/old.conf" --port 0 >"$SERVE_LOG" 2>"$SERVE_ERR" &
SERVE_PID=$!
BG_PIDS="$BG_PIDS $SERVE_PID"
wait_until 30 "the URL" grep -q '^stad serve: http://' "$SERVE_LOG"
stop_serve
expect_contains "$SERVE_LOG" "store upgraded from schema 1 to $SCHEMA" "upgrade reported"
expect_eq "$(sqlite3 "$OLD" 'PRAGMA user_version')" "$SCHEMA" "schema after the upgrade"
bak=$(ls "$T/var/backups"/old.db.schema1-*.bak)
expect_eq "$(echo "$bak" | wc -l)" 1 "backups made"
expect_eq "$(sqlite3 "$bak" 'PRAGMA user_version')" 1 "schema of the backup"
sqlite3 "$bak" .dump >"$T/bak.dump"
cmp -s "$T/orig.dump" "$T/bak.dump" || fail "the backup differs from the store before the upgrade"
# every table and column of schema 1 holds the same rows after the upgrade
for t in $(sqlite3 "$T/orig.db" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"); do
    cols=$(sqlite3 "$T/orig.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t')")
    sqlite3 -csv "$T/orig.db" "SELECT $cols FROM $t ORDER BY 1" >"$T/a.csv"
    sqlite3 -csv "$OLD" "SELECT $cols FROM $t ORDER BY 1" >"$T/b.csv"
    cmp -s "$T/a.csv" "$T/b.csv" || { diff "$T/a.csv" "$T/b.csv" >&2 || true; fail "table $t changed in the upgrade"; }
done
expect_eq "$(sqlite3 "$OLD" 'SELECT count(*) FROM event')" 3 "events after the upgrade"
expect_eq "$(sqlite3 "$OLD" 'PRAGMA integrity_check')" ok "integrity after the upgrade"
expect_eq "$(sqlite3 "$OLD" 'PRAGMA foreign_key_check' | wc -l)" 0 "foreign keys after the upgrade"
# the upgraded store works with the current commands
run_ok events "$STAD" --store "$OLD" events --format csv
expect_eq "$(csv_rows "$T/events.out")" 3 "stad events on the upgraded store"
expect_contains "$T/events.out" "Oude Ebbingestraat" "event street kept"
# a second start upgrades nothing and makes no second backup
fresh_logs
"$STAD" serve --config "$T/old.conf" --port 0 >"$SERVE_LOG" 2>"$SERVE_ERR" &
SERVE_PID=$!
BG_PIDS="$BG_PIDS $SERVE_PID"
wait_until 30 "the URL" grep -q '^stad serve: http://' "$SERVE_LOG"
stop_serve
expect_not_contains "$SERVE_LOG" "upgraded" "second start"
expect_eq "$(ls "$T/var/backups" | wc -l)" 1 "backups after a second start"
note "schema 1 -> $SCHEMA: backup first, all rows kept"

# ---- a store from a newer stad is refused and left alone ----
cp "$T/orig.db" "$T/var/new.db"
sqlite3 "$T/var/new.db" 'PRAGMA user_version = 999'
sum_before=$(cksum <"$T/var/new.db")
sed "s|^path = .*|path = $T/var/new.db|" "$T/stad.conf" >"$T/new.conf"
expect_exit 1 newer "$STAD" serve --config "$T/new.conf" --port 0
expect_contains "$T/newer.err" "schema version 999, made by a newer stad" "newer store refused"
expect_eq "$(cksum <"$T/var/new.db")" "$sum_before" "newer store untouched"
expect_eq "$(ls "$T/var/backups" | wc -l)" 1 "no backup of a refused store"
note "newer store refused"
note "ok"
