-- A store as stad schema version 1 made it: the DDL is the released migration step
-- 0 -> 1 of src/store/store_schema.c (copied verbatim, one statement a line), followed
-- by a little hand-written data in every table. tests/e2e/admin.sh opens it with the
-- current stad and checks that every row and column survives the upgrade.
CREATE TABLE meta (  key TEXT PRIMARY KEY,  value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE source (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE,  holder TEXT,  purpose TEXT,  legal_basis TEXT,  retention_days INTEGER,  sensitivity TEXT,  roles TEXT,  mapping TEXT,  status TEXT NOT NULL DEFAULT 'pending',  approved_by TEXT,  approved_at INTEGER,  created INTEGER NOT NULL);
CREATE TABLE batch (  id INTEGER PRIMARY KEY,  source_id INTEGER NOT NULL REFERENCES source(id),  file_name TEXT NOT NULL,  file_path TEXT,  sha256 TEXT NOT NULL,  target TEXT NOT NULL DEFAULT 'event',  status TEXT NOT NULL DEFAULT 'loaded',  rows_read INTEGER NOT NULL DEFAULT 0,  rows_accepted INTEGER NOT NULL DEFAULT 0,  rows_rejected INTEGER NOT NULL DEFAULT 0,  started INTEGER NOT NULL,  finished INTEGER,  replaces INTEGER REFERENCES batch(id));
CREATE INDEX batch_source_sha ON batch(source_id, sha256);
CREATE INDEX batch_source_file ON batch(source_id, file_name);
CREATE INDEX batch_replaces ON batch(replaces);
CREATE TABLE reject (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,  line INTEGER NOT NULL,  col TEXT NOT NULL DEFAULT '',  reason TEXT NOT NULL,  raw TEXT NOT NULL DEFAULT '');
CREATE INDEX reject_batch ON reject(batch_id, line);
CREATE TABLE event (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,  line INTEGER NOT NULL DEFAULT 0,  ext_id TEXT,  kind TEXT NOT NULL,  category TEXT,  t_from INTEGER NOT NULL,  t_to INTEGER NOT NULL,  x REAL, y REAL,  lon REAL, lat REAL,  wijk_id INTEGER,  buurt_id INTEGER,  street TEXT,  house_number TEXT,  postcode TEXT,  count INTEGER NOT NULL DEFAULT 1,  attrs TEXT,  CHECK (t_to >= t_from),  CHECK (count >= 1));
CREATE INDEX event_analysis ON event(kind, t_from, t_to, wijk_id, buurt_id, count,  x, y, lon, lat);
CREATE INDEX event_batch ON event(batch_id);
CREATE TABLE asset (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,  line INTEGER NOT NULL DEFAULT 0,  kind TEXT NOT NULL,  ext_id TEXT,  x REAL, y REAL,  lon REAL, lat REAL,  wijk_id INTEGER,  buurt_id INTEGER,  attrs TEXT);
CREATE INDEX asset_kind ON asset(kind);
CREATE INDEX asset_batch ON asset(batch_id);
CREATE INDEX asset_buurt ON asset(buurt_id);
CREATE TABLE area (  id INTEGER PRIMARY KEY,  level TEXT NOT NULL,  code TEXT NOT NULL,  name TEXT NOT NULL DEFAULT '',  parent_id INTEGER REFERENCES area(id) ON DELETE SET NULL,  wkb BLOB,  geojson TEXT,  minx REAL, miny REAL, maxx REAL, maxy REAL,  figures TEXT,  UNIQUE (level, code));
CREATE INDEX area_code ON area(code);
CREATE INDEX area_parent ON area(parent_id);
CREATE TABLE street (  id INTEGER PRIMARY KEY,  batch_id INTEGER REFERENCES batch(id) ON DELETE CASCADE,  name TEXT,  length_m REAL,  wkb BLOB,  geojson TEXT);
CREATE INDEX street_batch ON street(batch_id);
CREATE INDEX street_name ON street(name);
INSERT INTO meta(key, value) VALUES ('city.crs', 'EPSG:28992'), ('city.name', 'Groningen'),
  ('data_version', '4');
INSERT INTO source(id, name, holder, purpose, legal_basis, retention_days, sensitivity,
  roles, mapping, status, approved_by, approved_at, created) VALUES
  (1, 'politie-dagmonitor', 'Politie Noord-Nederland', 'hotspots for the enforcement meeting',
   'Wpg art. 18', 730, 'police', 'safety_analyst', NULL, 'approved', 'privacy officer',
   1500000000, 1499990000),
  (2, 'ovl', 'Gemeente Groningen', 'street lights', 'open data', NULL, 'public', NULL,
   '{"x":"X","y":"Y"}', 'pending', NULL, NULL, 1499990500);
INSERT INTO batch(id, source_id, file_name, file_path, sha256, target, status, rows_read,
  rows_accepted, rows_rejected, started, finished, replaces) VALUES
  (1, 1, 'dagmonitor.csv', '/data/in/dagmonitor.csv',
   '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'event', 'replaced',
   2, 2, 0, 1500000100, 1500000101, NULL),
  (2, 1, 'dagmonitor.csv', '/data/in/dagmonitor.csv',
   '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752', 'event', 'loaded',
   4, 3, 1, 1500000200, 1500000202, 1),
  (3, 2, 'ovl.csv', NULL,
   'fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13', 'asset', 'loaded',
   1, 1, 0, 1500000300, 1500000301, NULL);
INSERT INTO reject(id, batch_id, line, col, reason, raw) VALUES
  (1, 2, 4, 'begin_datumtijd', 'impossible date', '31-02-2017 10:00');
INSERT INTO area(id, level, code, name, parent_id, wkb, geojson, minx, miny, maxx, maxy,
  figures) VALUES
  (1, 'wijk', 'WK001400', 'Centrum', NULL, NULL,
   '{"type":"Polygon","coordinates":[[[6.55,53.21],[6.58,53.21],[6.58,53.225],[6.55,53.21]]]}',
   232000, 581000, 235000, 583000, '{"inwoners":20000}'),
  (2, 'buurt', 'BU00140000', 'Binnenstad-Noord', 1, X'0102', NULL,
   233000, 582000, 234000, 583000, NULL);
INSERT INTO event(id, batch_id, line, ext_id, kind, category, t_from, t_to, x, y, lon, lat,
  wijk_id, buurt_id, street, house_number, postcode, count, attrs) VALUES
  (1, 2, 2, '2017001', 'theft.bike', 'A72 Diefstal Fiets', 1496311200, 1496311200,
   233512.5, 582301.25, 6.5665, 53.2187, 1, 2, 'Oude Ebbingestraat', '12a', '9712HB', 1,
   '{"modus":"onbekend"}'),
  (2, 2, 3, '2017002', 'burglary.residential', 'B22 Inbraak woning', 1496397600, 1496408400,
   233990.0, 582999.0, 6.5736, 53.2250, 1, 2, NULL, NULL, NULL, 2, NULL),
  (3, 2, 5, NULL, 'unmapped', 'Z99 Overig', 1496484000, 1496484000, NULL, NULL, NULL, NULL,
   NULL, NULL, 'Grote Markt', NULL, NULL, 1, '{"opmerking":"geen locatie; \"quotes\""}');
INSERT INTO asset(id, batch_id, line, kind, ext_id, x, y, lon, lat, wijk_id, buurt_id, attrs)
  VALUES (1, 3, 2, 'streetlight', 'OVL-0001', 233600.0, 582400.0, 6.5678, 53.2196, 1, 2,
   '{"armatuur":"LED"}');
INSERT INTO street(id, batch_id, name, length_m, wkb, geojson) VALUES
  (1, 3, 'Oude Ebbingestraat', 210.5, NULL, NULL);
PRAGMA user_version = 1;
