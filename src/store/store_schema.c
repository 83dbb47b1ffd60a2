/* Schema migrations. migrations[v] takes a store from user_version v to v + 1;
 * all pending steps run in one transaction that also sets user_version, so a
 * store is never left half-migrated. Append steps; never edit a released one. */
#include <stdio.h>

#include "store/store_internal.h"

/* The statement of the access-generation triggers (step 4 -> 5). */
#define AUTH_GEN_BUMP "UPDATE auth_generation SET value = value + 1 WHERE id = 1;"

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

    /* 1 -> 2: privacy — accounts, roles, sessions, the append-only audit log; the
     * analysis index also carries batch_id so that reads restricted to the sources a
     * caller may see still scan only the index. */
    "CREATE TABLE role ("
    "  name TEXT PRIMARY KEY,"
    "  description TEXT NOT NULL DEFAULT ''"
    ") WITHOUT ROWID;"
    "INSERT INTO role(name, description) VALUES"
    "  ('admin', 'manages accounts; sees every source'),"
    "  ('privacy_officer', 'keeps the source register; approves sources; reads the audit log'),"
    "  ('safety_analyst', 'hotspots, forecasts, stats'),"
    "  ('enforcement', 'plans enforcement campaigns'),"
    "  ('enforcer', 'handheld: today''s route'),"
    "  ('social_policy', 'social-domain outcomes (aggregated)'),"
    "  ('source_holder', 'delivers and pseudonymises a source'),"
    "  ('public', 'open data only');"

    "CREATE TABLE account ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  pwhash TEXT NOT NULL,"        /* argon2id string (libsodium crypto_pwhash_str) */
    "  roles TEXT NOT NULL,"         /* comma-separated role names */
    "  locked INTEGER NOT NULL DEFAULT 0,"
    "  failures INTEGER NOT NULL DEFAULT 0,"  /* failed logins since the last success */
    "  last_failure INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  pw_changed INTEGER NOT NULL"
    ");"

    /* Only a hash of each session token is kept: a copy of the store opens no session. */
    "CREATE TABLE session ("
    "  token_hash BLOB PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
    "  created INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX session_account ON session(account_id);"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  t INTEGER NOT NULL,"           /* unix seconds (UTC) */
    "  actor TEXT NOT NULL,"          /* account name, or cli:<os user> */
    "  interface TEXT NOT NULL,"      /* http | cli */
    "  action TEXT NOT NULL,"         /* read | login | login.failed | register.* | ... */
    "  route TEXT NOT NULL DEFAULT '',"
    "  query TEXT NOT NULL DEFAULT '',"
    "  sources TEXT NOT NULL DEFAULT '',"
    "  rows INTEGER,"
    "  outcome TEXT NOT NULL DEFAULT 'ok'"
    ");"
    "CREATE INDEX audit_t ON audit(t);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"

    "DROP INDEX event_analysis;"
    "CREATE INDEX event_analysis ON event(kind, t_from, t_to, wijk_id, buurt_id, count,"
    "  x, y, lon, lat, batch_id);",

    /* 2 -> 3: enforcement campaigns (bikes and other themes). Street segments get a
     * middle point, end points (for the routing graph), areas and their attributes.
     * Every visit is a row, also one that found nothing (an event cannot have count
     * 0, and "nothing here" is what the yield model learns most from); labels,
     * removals and returns are also written as events for stats and maps. The
     * idempotency key makes a resent handheld record a no-op. */
    "ALTER TABLE street ADD COLUMN ext_id TEXT;"
    "ALTER TABLE street ADD COLUMN kind TEXT;"
    "ALTER TABLE street ADD COLUMN x REAL;"
    "ALTER TABLE street ADD COLUMN y REAL;"
    "ALTER TABLE street ADD COLUMN lon REAL;"
    "ALTER TABLE street ADD COLUMN lat REAL;"
    "ALTER TABLE street ADD COLUMN x0 REAL;"
    "ALTER TABLE street ADD COLUMN y0 REAL;"
    "ALTER TABLE street ADD COLUMN x1 REAL;"
    "ALTER TABLE street ADD COLUMN y1 REAL;"
    "ALTER TABLE street ADD COLUMN wijk_id INTEGER;"
    "ALTER TABLE street ADD COLUMN buurt_id INTEGER;"
    "ALTER TABLE street ADD COLUMN attrs TEXT;"
    "CREATE TABLE campaign_visit ("
    "  id INTEGER PRIMARY KEY,"
    "  theme TEXT NOT NULL,"
    "  street_id INTEGER NOT NULL,"   /* plain id: streets can be reloaded */
    "  t INTEGER NOT NULL,"           /* naive local seconds */
    "  action TEXT NOT NULL CHECK (action IN ('label', 'followup')),"
    "  labels INTEGER NOT NULL DEFAULT 0 CHECK (labels >= 0),"
    "  removed INTEGER NOT NULL DEFAULT 0 CHECK (removed >= 0),"
    "  returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),"
    "  remark TEXT,"
    "  idem_key TEXT UNIQUE,"
    "  batch_id INTEGER REFERENCES batch(id) ON DELETE SET NULL,"
    "  created INTEGER NOT NULL"      /* unix seconds (UTC) */
    ");"
    "CREATE INDEX campaign_visit_street ON campaign_visit(theme, street_id, t);"
    "CREATE INDEX campaign_visit_t ON campaign_visit(theme, t);",

    /* 3 -> 4: the release ledger of open data (docs/opendata.md): every published
     * table cell by cell, counts only, no events. Before this step `stad publish`
     * created the same tables itself on first use, so a version-3 store may have
     * them already with this definition: IF NOT EXISTS keeps those rows. */
    "CREATE TABLE IF NOT EXISTS opendata_release ("
    "  id INTEGER PRIMARY KEY,"
    "  created INTEGER NOT NULL,"     /* unix seconds (UTC) */
    "  threshold INTEGER NOT NULL,"
    "  digest TEXT NOT NULL"          /* BLAKE2b of the published tables */
    ");"
    "CREATE TABLE IF NOT EXISTS opendata_cell ("
    "  release INTEGER NOT NULL REFERENCES opendata_release(id),"
    "  cell TEXT NOT NULL,"           /* level|area code|month|kind */
    "  units INTEGER,"                /* NULL when suppressed */
    "  status INTEGER NOT NULL"
    ");"
    "CREATE INDEX IF NOT EXISTS opendata_cell_key ON opendata_cell(cell, units);",

    /* 4 -> 5: the access generation. A server keeps checked sessions and scopes in
     * memory; these triggers count every change that can alter what a session may
     * do (an account's name, password, roles or lock; a session ended or changed
     * other than its last_seen; the source register), whichever process or tool
     * makes it, so the server sees it on its next request (docs/ARCHITECTURE.md).
     * A table of its own (one row), not a meta key: an upgrade leaves the rows of the
     * older tables as they were. */
    "CREATE TABLE auth_generation ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  value INTEGER NOT NULL"
    ");"
    "INSERT INTO auth_generation(id, value) VALUES(1, 0);"
    "CREATE TRIGGER auth_gen_account_update AFTER UPDATE OF name, pwhash, roles, locked"
    "  ON account WHEN OLD.name IS NOT NEW.name OR OLD.pwhash IS NOT NEW.pwhash"
    "  OR OLD.roles IS NOT NEW.roles OR OLD.locked IS NOT NEW.locked"
    "  BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_account_delete AFTER DELETE ON account"
    "  BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_session_update AFTER UPDATE OF token_hash, account_id, expires"
    "  ON session BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_session_delete AFTER DELETE ON session"
    "  BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_source_insert AFTER INSERT ON source"
    "  BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_source_update AFTER UPDATE OF id, status, roles ON source"
    "  WHEN OLD.id IS NOT NEW.id OR OLD.status IS NOT NEW.status"
    "  OR OLD.roles IS NOT NEW.roles"
    "  BEGIN " AUTH_GEN_BUMP " END;"
    "CREATE TRIGGER auth_gen_source_delete AFTER DELETE ON source"
    "  BEGIN " AUTH_GEN_BUMP " END;",
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
