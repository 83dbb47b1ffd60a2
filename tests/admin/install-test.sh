#!/bin/sh
# The administrator's path in a fresh Debian 12 root, as the issue asks:
#   1. the package (scripts/make-deb) installs with apt into a debootstrapped root,
#   2. that root boots with systemd (systemd-nspawn -b, sharing the host network),
#   3. the unit passes systemd-analyze verify there, the service runs as user stad,
#      takes its city from /etc/stad/stad.conf, answers on loopback and logs
#      structured lines to the journal,
#   4. it survives systemctl restart and a kill -9 (Restart=on-failure),
#   5. a package upgrade (revision 1 -> 2) keeps configuration and data and restarts
#      the service, and a schema-1 store is backed up and migrated with every row kept,
#   6. apt-get remove stops and removes it and keeps the data.
#
# Usage (as root): tests/admin/install-test.sh
# Slow (a few minutes: debootstrap, apt) and needs the Debian mirror the first time;
# the base root is cached as a tarball ($STAD_DEBOOTSTRAP_CACHE). Not run by ctest.
#   STAD_TMP               work folder (default /var/tmp)
#   STAD_SHARED_DATA       the shared data (default <repo>/../shared/data)
#   STAD_DEB_BUILD         build folder for the package (default <work>/build-deb)
#   STAD_DEBOOTSTRAP_CACHE base root tarball (default /var/cache/stad-test/bookworm.tar)
#   DEBIAN_MIRROR          default http://deb.debian.org/debian
#   STAD_TEST_PORT         port the service listens on (default 18481)
set -eu

SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${STAD_TMP:-/var/tmp}/stad-install-test
DATA=${STAD_SHARED_DATA:-$SRC/../shared/data}
BUILD=${STAD_DEB_BUILD:-$WORK/build-deb}
CACHE=${STAD_DEBOOTSTRAP_CACHE:-/var/cache/stad-test/bookworm.tar}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PORT=${STAD_TEST_PORT:-18481}
ROOTFS=$WORK/root
AREAS=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz

NSPAWN_PID=""
LEADER=""
note() { echo "[install-test] $*"; }
fail() {
    echo "FAIL [install-test]: $*" >&2
    exit 1
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }

cleanup() {
    rc=$?
    if [ -n "$LEADER" ] && [ -d "/proc/$LEADER" ]; then
        nsenter -t "$LEADER" -a -r -w systemctl poweroff >/dev/null 2>&1 || true
        i=0
        while [ -d "/proc/$NSPAWN_PID" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    fi
    [ -n "$NSPAWN_PID" ] && kill "$NSPAWN_PID" 2>/dev/null || true
    [ $rc -eq 0 ] || echo "[install-test] kept $WORK (boot log: $WORK/boot.log)" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 143' INT TERM

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap, systemd-nspawn)"
for t in debootstrap systemd-nspawn nsenter dpkg-deb fakeroot curl; do
    command -v "$t" >/dev/null 2>&1 || fail "needs $t (apt-get install debootstrap systemd-container fakeroot curl)"
done
for f in "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" \
    "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" "$THEFTS"; do
    [ -r "$f" ] || fail "missing data file $f"
done
mkdir -p "$WORK"

# ---- the packages: revision 1 and, for the upgrade, revision 2 ----
deb1=$(STAD_DEB_REVISION=1 "$SRC/scripts/make-deb" "$BUILD" | tail -n 1)
cp "$deb1" "$WORK/stad-1.deb"
deb2=$(STAD_DEB_REVISION=2 "$SRC/scripts/make-deb" "$BUILD" | tail -n 1)
cp "$deb2" "$WORK/stad-2.deb"
note "packages: $(basename "$deb1"), $(basename "$deb2")"

# ---- a fresh Debian root ----
rm -rf "$ROOTFS"
if [ -f "$CACHE" ]; then
    mkdir -p "$ROOTFS"
    tar -C "$ROOTFS" -xf "$CACHE"
    note "base root from $CACHE"
else
    note "debootstrap bookworm from $MIRROR (a few minutes)"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,sqlite3,ca-certificates \
        bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
        { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed (network? see $WORK/debootstrap.log)"; }
    mkdir -p "$(dirname "$CACHE")"
    tar -C "$ROOTFS" -cf "$CACHE.part" . && mv "$CACHE.part" "$CACHE"
fi
# a hostname and machine-id of its own; the data the test configures the city with
echo stadtest >"$ROOTFS/etc/hostname"
: >"$ROOTFS/etc/machine-id"
mkdir -p "$ROOTFS/srv/stad"
cp "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" \
    "$THEFTS" "$SRC/tests/data/admin/schema1.sql" "$WORK/stad-1.deb" "$WORK/stad-2.deb" "$ROOTFS/srv/stad/"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

# ---- install with apt (dependencies from the mirror), not booted ----
in_root() { systemd-nspawn -q --register=no --keep-unit -D "$ROOTFS" --pipe "$@"; }
in_root sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q /srv/stad/stad-1.deb' \
    >"$WORK/apt-install.log" 2>&1 || { tail -n 30 "$WORK/apt-install.log" >&2; fail "apt-get install stad"; }
expect_eq "$(in_root dpkg-query -W -f '${Status}' stad)" "install ok installed" "dpkg status after install"
expect_eq "$(in_root getent passwd stad | cut -d: -f7)" /usr/sbin/nologin "the system user stad"
note "apt-get install of the package in a fresh root: ok"

# The administrator configures the city and a port before the first boot.
in_root sh -c "sed -i -e 's|^#profile =.*|profile = groningen|' \
    -e 's|^#wijken =.*|wijken = /srv/stad/groningen_gemeente_wijkindeling_wgs84.geojson|' \
    -e 's|^#buurten =.*|buurten = /srv/stad/groningen_gemeente_buurtindeling_wgs84.geojson|' \
    -e 's|^#port =.*|port = $PORT|' -e 's|^#folder =.*|folder = /var/lib/stad/inbox|' /etc/stad/stad.conf"
in_root stad config check /etc/stad/stad.conf >"$WORK/config-check.out" 2>&1 ||
    { cat "$WORK/config-check.out" >&2; fail "stad config check in the root"; }

# ---- boot it ----
systemd-nspawn -q --register=no --keep-unit -b -D "$ROOTFS" >"$WORK/boot.log" 2>&1 </dev/null &
NSPAWN_PID=$!
i=0
while [ -z "$LEADER" ]; do
    for c in $(ps -o pid= --ppid "$NSPAWN_PID" 2>/dev/null); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && LEADER=$c
    done
    i=$((i + 1))
    [ $i -le 100 ] || fail "the root did not boot (see $WORK/boot.log)"
    sleep 0.2
done
ins() { nsenter -t "$LEADER" -a -r -w "$@"; }
i=0
until state=$(ins systemctl is-system-running 2>/dev/null) && { [ "$state" = running ] || [ "$state" = degraded ]; }; do
    i=$((i + 1))
    [ $i -le 150 ] || fail "systemd in the root did not finish booting: $state"
    sleep 0.2
done
note "booted with systemd ($state)"

ins systemd-analyze verify --man=no /lib/systemd/system/stad.service >"$WORK/verify.out" 2>&1 ||
    { cat "$WORK/verify.out" >&2; fail "systemd-analyze verify in the root"; }
[ ! -s "$WORK/verify.out" ] || { cat "$WORK/verify.out" >&2; fail "systemd-analyze verify printed warnings"; }
# (--man=no: minbase has no man-db; the page itself must be there)
ins test -f /usr/share/man/man1/stad.1.gz || fail "no man page stad.1.gz"
note "systemd-analyze verify stad.service: ok"

health() { ins curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/health" 2>/dev/null || echo 000; }
wait_health() {
    i=0
    while [ "$(health)" != 200 ]; do
        i=$((i + 1))
        [ $i -le 150 ] || { ins journalctl -u stad --no-pager | tail -n 20 >&2; fail "no answer on 127.0.0.1:$PORT ($1)"; }
        sleep 0.2
    done
}
mainpid() { ins systemctl show -p MainPID --value stad; }
q() { ins sqlite3 /var/lib/stad/stad.db "$1"; }

expect_eq "$(ins systemctl is-enabled stad)" enabled "stad.service enabled by the package"
wait_health "first start"
expect_eq "$(ins systemctl is-active stad)" active "service state"
pid=$(mainpid)
expect_eq "$(ins stat -c %U "/proc/$pid")" stad "user of the service"
expect_eq "$(q "SELECT count(*) FROM area WHERE level = 'buurt'")" 112 "buurten loaded from the configuration"
note "service runs as stad, answers on 127.0.0.1:$PORT, city from stad.conf"

# structured journal: priority from the line prefix, logfmt text
ins journalctl -u stad -o json --no-pager >"$WORK/journal.json"
grep -q '"PRIORITY":"6".*"MESSAGE":"level=info msg=\\"created the store /var/lib/stad/stad.db for Groningen\\""' "$WORK/journal.json" ||
    grep -q '"MESSAGE":"level=info msg=\\"created the store /var/lib/stad/stad.db for Groningen\\"".*"PRIORITY":"6"' "$WORK/journal.json" ||
    { tail -n 5 "$WORK/journal.json" >&2; fail "no structured 'created the store' line with priority 6 in the journal"; }
note "journal: level=info lines with PRIORITY=6"

# data: as the service user, and through the watched folder
ins runuser -u stad -- stad --store /var/lib/stad/stad.db -q ingest /srv/stad/groningen_fietsdiefstallen_2013_2017.csv.gz ||
    fail "ingest as the user stad"
expect_eq "$(q 'SELECT count(*) FROM event')" 15947 "events after ingest"

# ---- restart and crash ----
ins systemctl restart stad
wait_health "after systemctl restart"
[ "$(mainpid)" != "$pid" ] || fail "restart kept the same process"
pid=$(mainpid)
ins sh -c "kill -9 $pid"   # the shell builtin: minbase has no procps
i=0
while :; do
    now=$(mainpid)
    [ "$now" != "$pid" ] && [ "$now" != 0 ] && break
    i=$((i + 1))
    [ $i -le 100 ] || fail "systemd did not restart stad after kill -9"
    sleep 0.2
done
wait_health "after kill -9"
expect_eq "$(q 'SELECT count(*) FROM event')" 15947 "events after restart and crash"
note "survives systemctl restart and kill -9"

# ---- package upgrade while running: configuration and data kept ----
pid=$(mainpid)
ins sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q /srv/stad/stad-2.deb' >"$WORK/apt-upgrade.log" 2>&1 ||
    { tail -n 20 "$WORK/apt-upgrade.log" >&2; fail "apt-get install of revision 2"; }
expect_eq "$(ins dpkg-query -W -f '${Version}' stad)" "$(dpkg-deb -f "$WORK/stad-2.deb" Version)" "installed version"
wait_health "after the package upgrade"
[ "$(mainpid)" != "$pid" ] || fail "the package upgrade did not restart the service"
ins grep -q "^port = $PORT" /etc/stad/stad.conf || fail "the upgrade replaced the edited stad.conf"
expect_eq "$(q 'SELECT count(*) FROM event')" 15947 "events after the package upgrade"
note "package upgrade 1 -> 2: restarted, stad.conf and data kept"

# ---- schema upgrade: a store of schema 1 left by an older stad ----
ins systemctl stop stad
ins mv /var/lib/stad/stad.db /var/lib/stad/groningen.db
ins rm -f /var/lib/stad/stad.db-wal /var/lib/stad/stad.db-shm
ins sh -c 'sqlite3 /var/lib/stad/stad.db < /srv/stad/schema1.sql && cp /var/lib/stad/stad.db /srv/stad/orig.db && chown stad:stad /var/lib/stad/stad.db'
ins systemctl start stad
wait_health "after starting on a schema-1 store"
schema=$(sed -n 's/^#define STAD_SCHEMA_VERSION \([0-9][0-9]*\).*/\1/p' "$SRC/include/stad/store.h")
expect_eq "$(q 'PRAGMA user_version')" "$schema" "schema after the upgrade"
bak=$(ins sh -c 'ls /var/lib/stad/backups/stad.db.schema1-*.bak')
expect_eq "$(ins sqlite3 "$bak" 'PRAGMA user_version')" 1 "schema of the backup"
[ "$(ins sqlite3 "$bak" .dump)" = "$(ins sqlite3 /srv/stad/orig.db .dump)" ] || fail "backup differs from the old store"
for t in $(ins sqlite3 /srv/stad/orig.db "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"); do
    cols=$(ins sqlite3 /srv/stad/orig.db "SELECT group_concat(name, ', ') FROM pragma_table_info('$t')")
    [ "$(ins sqlite3 -csv /srv/stad/orig.db "SELECT $cols FROM $t ORDER BY 1")" = \
      "$(ins sqlite3 -csv /var/lib/stad/stad.db "SELECT $cols FROM $t ORDER BY 1")" ] ||
        fail "table $t changed in the schema upgrade"
done
ins journalctl -u stad --no-pager | grep -q "store upgraded from schema 1 to $schema" ||
    fail "the upgrade is not in the journal"
note "schema 1 -> $schema on start: backup $bak, every row kept"

# ---- remove: service gone, data kept ----
ins sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q stad' >"$WORK/apt-remove.log" 2>&1 ||
    { tail -n 20 "$WORK/apt-remove.log" >&2; fail "apt-get remove stad"; }
[ "$(health)" != 200 ] || fail "stad still answers after remove"
ins test ! -e /usr/bin/stad || fail "/usr/bin/stad left after remove"
ins test -f /var/lib/stad/groningen.db || fail "remove deleted the data"
ins sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q stad' >>"$WORK/apt-remove.log" 2>&1 ||
    fail "apt-get purge stad"
ins test ! -e /etc/stad/stad.conf || fail "purge left /etc/stad/stad.conf"
ins test -f /var/lib/stad/groningen.db || fail "purge deleted the data"
note "remove and purge: service and files gone, /var/lib/stad kept"
note "ok"
