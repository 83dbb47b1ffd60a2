/* Schema migrations. migrations[v] takes a store from user_version v to v + 1;
 * all pending steps run in one transaction that also sets user_version, so a
 * store is never left half-migrated. Append steps; never edit a released one. */
#include <stdio.h>

#include "store/store_internal.h"

static const char *const migrations[] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE source ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  holder TEXT,"
    "  purpose TEXT,"
    "  legal_basis TEXT,"
    "  retention_days INTEGER,"
    "  sensitivity TEXT,"
    "  roles TEXT,"
    "  mapping TEXT,"             /* column mapping (JSON), set by ingest/privacy */
    "  status TEXT NOT NULL DEFAULT 'pending',"
    "  approved_by TEXT,"
    "  approved_at INTEGER,"
    "  created INTEGER NOT NULL"
    ");"

    "CREATE TABLE batch ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  file_name TEXT NOT NULL,"
    "  file_path TEXT,"
    "  sha256 TEXT NOT NULL,"
    "  target TEXT NOT NULL DEFAULT 'event',"
    "  status TEXT NOT NULL DEFAULT 'loaded',"
    "  rows_read INTEGER NOT NULL DEFAULT 0,"
    "  rows_accepted INTEGER NOT NULL DEFAULT 0,"
    "  rows_rejected INTEGER NOT NULL DEFAULT 0,"
    "  started INTEGER NOT NULL,"
    "  finished INTEGER,"
    "  replaces INTEGER REFERENCES batch(id)"
    ");"
    "CREATE INDEX batch_source_sha ON batch(source_id, sha256);"
    "CREATE INDEX batch_source_file ON batch(source_id, file_name);"
    "CREATE INDEX batch_replaces ON batch(replaces);"

    "CREATE TABLE reject ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,"
    "  line INTEGER NOT NULL,"
    "  col TEXT NOT NULL DEFAULT '',"
    "  reason TEXT NOT NULL,"
    "  raw TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX reject_batch ON reject(batch_id, line);"

    /* Area references in event/asset are plain integers (no foreign key): areas
     * can be reloaded without touching the events, and 0/NULL means unassigned. */
    "CREATE TABLE event ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,"
    "  line INTEGER NOT NULL DEFAULT 0,"
    "  ext_id TEXT,"
    "  kind TEXT NOT NULL,"
    "  category TEXT,"
    "  t_from INTEGER NOT NULL,"
    "  t_to INTEGER NOT NULL,"
    "  x REAL, y REAL,"
    "  lon REAL, lat REAL,"
    "  wijk_id INTEGER,"
    "  buurt_id INTEGER,"
    "  street TEXT,"
    "  house_number TEXT,"
    "  postcode TEXT,"
    "  count INTEGER NOT NULL DEFAULT 1,"
    "  attrs TEXT,"
    "  CHECK (t_to >= t_from),"
    "  CHECK (count >= 1)"
    ");"
    /* Analysis (stats, trends, column loads for hotspots) reads only these columns:
     * a covering index lets it scan narrow index entries instead of the wide rows
     * with their attributes, and kind + period filters use its prefix. Two indexes
     * in all keep ingest fast; filters on area or bbox scan this index too. */
    "CREATE INDEX event_analysis ON event(kind, t_from, t_to, wijk_id, buurt_id, count,"
    "  x, y, lon, lat);"
    "CREATE INDEX event_batch ON event(batch_id);"

    "CREATE TABLE asset ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,"
    "  line INTEGER NOT NULL DEFAULT 0,"
    "  kind TEXT NOT NULL,"
    "  ext_id TEXT,"
    "  x REAL, y REAL,"
    "  lon REAL, lat REAL,"
    "  wijk_id INTEGER,"
    "  buurt_id INTEGER,"
    "  attrs TEXT"
    ");"
    "CREATE INDEX asset_kind ON asset(kind);"
    "CREATE INDEX asset_batch ON asset(batch_id);"
    "CREATE INDEX asset_buurt ON asset(buurt_id);"

    "CREATE TABLE area ("
    "  id INTEGER PRIMARY KEY,"
    "  level TEXT NOT NULL,"
    "  code TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  parent_id INTEGER REFERENCES area(id) ON DELETE SET NULL,"
    "  wkb BLOB,"
    "  geojson TEXT,"
    "  minx REAL, miny REAL, maxx REAL, maxy REAL,"
    "  figures TEXT,"
    "  UNIQUE (level, code)"
    ");"
    "CREATE INDEX area_code ON area(code);"
    "CREATE INDEX area_parent ON area(parent_id);"

    "CREATE TABLE street ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER REFERENCES batch(id) ON DELETE CASCADE,"
    "  name TEXT,"
    "  length_m REAL,"
    "  wkb BLOB,"
    "  geojson TEXT"
    ");"
    "CREATE INDEX street_batch ON street(batch_id);"
    "CREATE INDEX street_name ON street(name);",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STAD_SCHEMA_VERSION,
               "one migration step per schema version");

static int check_version(stad_store *s, int version)
{
    if (version > STAD_SCHEMA_VERSION)
        return stad_fail(s->ctx, STAD_ESCHEMA,
                         "%s has schema version %d; this stad knows up to %d",
                         s->path, version, STAD_SCHEMA_VERSION);
    if (version < 0)
        return stad_fail(s->ctx, STAD_ESCHEMA, "%s has invalid schema version %d",
                         s->path, version);
    return 0;
}

int store_migrate(stad_store *s)
{
    int version = 0;
    int rc = stad_store_schema_version(s, &version);
    if (rc || (rc = check_version(s, version)) || version == STAD_SCHEMA_VERSION)
        return rc;

    rc = stad_store_begin(s);
    if (rc)
        return rc;
    /* Read again under the write lock: another process may have migrated meanwhile. */
    rc = stad_store_schema_version(s, &version);
    if (!rc)
        rc = check_version(s, version);
    for (int v = version; !rc && v < STAD_SCHEMA_VERSION; v++) {
        char what[64];
        snprintf(what, sizeof what, "migrating schema to version %d", v + 1);
        rc = store_exec(s, migrations[v], what);
    }
    if (!rc && version < STAD_SCHEMA_VERSION) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STAD_SCHEMA_VERSION);
        rc = store_exec(s, sql, "setting schema version");
    }
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}
