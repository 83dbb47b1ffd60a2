#!/bin/sh
# Awkward and bad input: each loads where it can, and each problem is reported with
# file, line and column, leaving the store consistent.
set -eu
. "$(dirname "$0")/lib.inc"

A=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz
run_ok init st init --city groningen
run_ok wijk st areas load "$A/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
run_ok buurt st areas load "$A/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
mkdir "$T/in"

# ingest_ok NAME FILE [OPTIONS...]: ingests, sets BATCH; the report is in $T/NAME.out.
ingest_ok() {
    _n=$1
    shift
    run_ok "$_n" st ingest "$@"
    BATCH=$(report_batch "$T/$_n.out")
    [ -n "$BATCH" ] || { show "$T/$_n.out"; fail "$_n: no batch in the report"; }
}
rejects_of() { # BATCH -> $T/rej.csv
    run_ok rej st rejects "$1" --format csv
    cp "$T/rej.out" "$T/rej.csv"
}
events_since() { # ID: events with id > ID into $T/new.csv
    st events --format csv >"$T/all.csv"
    "$PY" -c 'import csv,sys
r = csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))
w = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"), lineterminator="\n")
w.writerow(next(r))
for row in r:
    if int(row[0]) > int(sys.argv[3]):
        w.writerow(row)' "$T/all.csv" "$T/new.csv" "$1"
}
max_id() {
    st events --format csv | "$PY" -c 'import csv,sys
print(max([int(r["id"]) for r in csv.DictReader(sys.stdin)] or [0]))'
}

# ---- ';' as delimiter, decimal commas, lat/lon, Dutch headers ----
cat >"$T/in/puntkomma.csv" <<'EOF'
Meldingnummer;Datum;Tijd;Soort melding;Straat;Breedtegraad;Lengtegraad;Aantal
S1;14-03-2017;08:15;Fietswrak;Herestraat;53,212345;6,567890;1
S2;15-03-2017;12:00;Fietswrak;Vismarkt;53,216789;6,563210;2
S3;16-03-2017;17:45;Overlast;Grote Markt;53,218500;6,568400;1
EOF
m=$(max_id)
ingest_ok semi "$T/in/puntkomma.csv"
expect_contains "$T/semi.out" "3 accepted" "';' and decimal commas"
expect_contains "$T/semi.out" "0 rejected" "';' and decimal commas"
events_since "$m"
"$PY" - "$T/new.csv" <<'EOF' || fail "';'/decimal-comma file: wrong values"
import csv, sys
rows = {r["street"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
want = {"Herestraat": (53.212345, 6.567890, "2017-03-14T08:15", "complaint.bike_wreck", "1"),
        "Vismarkt": (53.216789, 6.563210, "2017-03-15T12:00", "complaint.bike_wreck", "2"),
        "Grote Markt": (53.218500, 6.568400, "2017-03-16T17:45", "nuisance", "1")}
assert set(rows) == set(want), rows.keys()
for s, (lat, lon, t, kind, n) in want.items():
    r = rows[s]
    assert abs(float(r["lat"]) - lat) < 2e-6 and abs(float(r["lon"]) - lon) < 2e-6, (s, r)
    # RD New of the city centre
    assert 233000 < float(r["x"]) < 234500 and 581000 < float(r["y"]) < 582500, (s, r)
    assert r["t_from"].startswith(t), (s, r["t_from"])
    assert r["kind"] == kind, (s, r["kind"])
    assert r["count"] == n, (s, r["count"])
    assert r["buurt"].startswith("BU0014"), (s, r["buurt"])
EOF
note "';' and decimal commas: ok"

# ---- Latin-1 text ----
printf 'meldingnummer,datum,straat,x_rd,y_rd\nL1,2017-04-01,Caf\351straat,233950,582520\nL2,2017-04-02,Pr\351 Catelan,233720,581750\n' \
    >"$T/in/latin1.csv"
m=$(max_id)
ingest_ok latin --kind nuisance "$T/in/latin1.csv"
expect_contains "$T/latin.out" "2 accepted" "Latin-1 file"
events_since "$m"
want1=$(printf 'Caf\303\251straat')
want2=$(printf 'Pr\303\251 Catelan')
expect_contains "$T/new.csv" "$want1" "Latin-1 street comes out as UTF-8"
expect_contains "$T/new.csv" "$want2" "Latin-1 street comes out as UTF-8"
"$PY" -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$T/new.csv" ||
    fail "events --format csv is not UTF-8 after a Latin-1 file"
run_ok latinjson st events --kind nuisance --format json
"$PY" -m json.tool "$T/latinjson.out" >/dev/null || fail "events json after a Latin-1 file is not valid"
note "Latin-1: ok"

# ---- dates in mixed formats ----
cat >"$T/in/datums.csv" <<'EOF'
meldingnummer,pleegdatum,incidentsoort,x_rd,y_rd
D1,2017-03-01,Fietsdiefstal,233950,582520
D2,01-03-2017,Fietsdiefstal,233951,582521
D3,01/03/2017,Fietsdiefstal,233952,582522
D4,1-3-2017,Fietsdiefstal,233953,582523
D5,01.03.2017,Fietsdiefstal,233954,582524
D6,1 maart 2017,Fietsdiefstal,233955,582525
D7,01-mrt-2017,Fietsdiefstal,233956,582526
D8,woensdag 1 maart 2017 17:30,Fietsdiefstal,233957,582527
D9,2017-03-01T14:30,Fietsdiefstal,233958,582528
D10,2017-03-01 14:30:00,Fietsdiefstal,233959,582529
D11,01-03-2017 9:05,Fietsdiefstal,233960,582530
D12,42795,Fietsdiefstal,233961,582531
D13,1 March 2017,Fietsdiefstal,233962,582532
EOF
m=$(max_id)
ingest_ok dates "$T/in/datums.csv"
if ! grep -q "13 accepted" "$T/dates.out"; then
    show "$T/dates.out"
    rejects_of "$BATCH"
    show "$T/rej.csv"
    fail "mixed date formats: not all 13 rows accepted"
fi
events_since "$m"
bad=$(csv_col "$T/new.csv" t_from | grep -vc '^2017-03-01T' || true)
expect_eq "$bad" 0 "mixed date formats: events not on 2017-03-01"
expect_contains "$T/new.csv" "2017-03-01T17:30:00" "date with weekday and time"
expect_contains "$T/new.csv" "2017-03-01T09:05:00" "dd-mm-yyyy h:mm"
note "mixed date formats: ok"

# ---- an impossible date: the row is rejected, naming line and column ----
cat >"$T/in/onmogelijk.csv" <<'EOF'
meldingnummer,Pleegdatum,incidentsoort,x_rd,y_rd
I1,28-02-2017,Fietsdiefstal,233950,582520
I2,31-02-2017,Fietsdiefstal,233720,581750
I3,01-03-2017,Fietsdiefstal,233570,582080
EOF
ingest_ok impossible "$T/in/onmogelijk.csv"
expect_contains "$T/impossible.out" "2 accepted" "impossible date"
expect_contains "$T/impossible.out" "1 rejected" "impossible date"
expect_contains "$T/impossible.out" "stad rejects $BATCH" "the report points to the rejects"
rejects_of "$BATCH"
expect_eq "$(csv_header "$T/rej.csv")" "line,column,reason,value" "rejects header"
expect_eq "$(csv_rows "$T/rej.csv")" 1 "rejects of the impossible date"
expect_eq "$(csv_col "$T/rej.csv" line)" 3 "line of the impossible date (header = line 1)"
expect_eq "$(csv_col "$T/rej.csv" column)" Pleegdatum "column of the impossible date"
expect_contains "$T/rej.csv" "31-02-2017" "the rejected value"
run_ok rejt st rejects "$BATCH"
expect_contains "$T/rejt.out" "Pleegdatum" "rejects table"
note "impossible date: $(sed -n 2p "$T/rej.csv")"

# ---- end before begin ----
cat >"$T/in/eind.csv" <<'EOF'
incident_id,begin_datumtijd,eind_datumtijd,incidentsoort,x_rd,y_rd
E1,2017-05-01T08:00,2017-05-01T17:00,Fietsdiefstal,233950,582520
E2,2017-05-02T18:00,2017-05-02T07:30,Fietsdiefstal,233720,581750
EOF
ingest_ok endbegin "$T/in/eind.csv"
expect_contains "$T/endbegin.out" "1 accepted" "end before begin"
expect_contains "$T/endbegin.out" "1 rejected" "end before begin"
rejects_of "$BATCH"
expect_eq "$(csv_col "$T/rej.csv" line)" 3 "line of end before begin"
expect_eq "$(csv_col "$T/rej.csv" column)" eind_datumtijd "column of end before begin"
csv_col "$T/rej.csv" reason | grep -qi end || { show "$T/rej.csv"; fail "reason of end before begin does not say 'end'"; }
note "end before begin: $(sed -n 2p "$T/rej.csv")"

# ---- lat and lon swapped in the whole file ----
cat >"$T/in/omgedraaid.csv" <<'EOF'
meldingnummer,datum,incidentsoort,lat,lon
W1,2017-06-01,Fietsdiefstal,6.567890,53.212345
W2,2017-06-02,Fietsdiefstal,6.563210,53.216789
W3,2017-06-03,Fietsdiefstal,6.568400,53.218500
W4,2017-06-04,Fietsdiefstal,6.540000,53.230000
W5,2017-06-05,Fietsdiefstal,6.590000,53.205000
EOF
m=$(max_id)
ingest_ok swapped "$T/in/omgedraaid.csv"
expect_contains "$T/swapped.out" "swapped" "the report notes swapped coordinates"
expect_contains "$T/swapped.out" "5 accepted" "swapped file"
expect_contains "$T/swapped.out" "assigned to a buurt: 5 of 5" "swapped rows land in a buurt"
events_since "$m"
"$PY" - "$T/new.csv" <<'EOF' || fail "swapped coordinates not corrected"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    assert 53.2 < float(r["lat"]) < 53.24 and 6.5 < float(r["lon"]) < 6.6, r
    assert r["buurt"].startswith("BU0014"), r
EOF
note "swapped lat/lon: ok"

# ---- one point far outside the city ----
cat >"$T/in/buiten.csv" <<'EOF'
meldingnummer,datum,incidentsoort,x_rd,y_rd
O1,2017-07-01,Fietsdiefstal,233950,582520
O2,2017-07-02,Fietsdiefstal,121000,487000
O3,2017-07-03,Fietsdiefstal,233720,581750
EOF
ingest_ok outside "$T/in/buiten.csv"
expect_contains "$T/outside.out" "2 accepted" "point outside the city"
expect_contains "$T/outside.out" "1 rejected" "point outside the city"
rejects_of "$BATCH"
expect_eq "$(csv_col "$T/rej.csv" line)" 3 "line of the point outside the city"
expect_eq "$(csv_col "$T/rej.csv" column)" x_rd "column of the point outside the city"
csv_col "$T/rej.csv" reason | grep -qi outside || { show "$T/rej.csv"; fail "reason does not say outside"; }
note "outside the city: $(sed -n 2p "$T/rej.csv")"

# ---- duplicate rows ----
cat >"$T/in/dubbel.csv" <<'EOF'
meldingnummer,datum,incidentsoort,x_rd,y_rd
U1,2017-08-01,Fietsdiefstal,233950,582520
U2,2017-08-02,Fietsdiefstal,233720,581750
U1,2017-08-01,Fietsdiefstal,233950,582520
EOF
ingest_ok dup "$T/in/dubbel.csv"
expect_contains "$T/dup.out" "2 accepted" "duplicate rows"
expect_contains "$T/dup.out" "1 rejected" "duplicate rows"
rejects_of "$BATCH"
expect_eq "$(csv_col "$T/rej.csv" line)" 4 "line of the duplicate"
csv_col "$T/rej.csv" reason | grep -qi 'duplicate.*2' || { show "$T/rej.csv"; fail "the duplicate does not name line 2"; }
note "duplicate: $(sed -n 2p "$T/rej.csv")"

# ---- files that fail as a whole: exit 1, file and problem named, store unchanged ----
snapshot() {
    for k in batches sources events; do st "$k" --format csv >"$T/snap-$k.csv"; done
}
unchanged_since() {
    for k in batches sources events; do
        st "$k" --format csv >"$T/now-$k.csv"
        cmp -s "$T/snap-$k.csv" "$T/now-$k.csv" || {
            diff "$T/snap-$k.csv" "$T/now-$k.csv" | head -n 20 >&2
            fail "$1 changed the $k"
        }
    done
}
snapshot

# missing required column: no date
cat >"$T/in/zonderdatum.csv" <<'EOF'
meldingnummer,incidentsoort,x_rd,y_rd
N1,Fietsdiefstal,233950,582520
EOF
expect_exit 1 nodate st ingest "$T/in/zonderdatum.csv"
expect_contains "$T/nodate.err" "zonderdatum.csv" "missing date column: the file is named"
expect_contains_i "$T/nodate.err" "time" "missing date column: the missing role is named"
expect_contains "$T/nodate.err" "meldingnummer" "missing date column: the columns found are listed"
unchanged_since "a file without a date column"
# missing location
cat >"$T/in/zonderplek.csv" <<'EOF'
meldingnummer,datum,incidentsoort
N1,2017-03-01,Fietsdiefstal
EOF
expect_exit 1 noloc st ingest "$T/in/zonderplek.csv"
expect_contains "$T/noloc.err" "zonderplek.csv" "missing location: the file is named"
expect_contains_i "$T/noloc.err" "location" "missing location: the missing role is named"
unchanged_since "a file without a location"
# header only
printf 'meldingnummer,datum,incidentsoort,x_rd,y_rd\n' >"$T/in/alleenkop.csv"
expect_exit 1 headeronly st ingest "$T/in/alleenkop.csv"
expect_contains "$T/headeronly.err" "alleenkop.csv" "header-only file: the file is named"
unchanged_since "a header-only file"

# xlsx: a real one loads (line numbers are sheet rows); corrupt and truncated ones fail.
"$PY" - "$T/in/monitor.xlsx" <<'EOF'
import sys, zipfile
rows = [["Incidentnummer", "Pleegdatum", "Delict", "Straat", "X", "Y"],
        ["X1", "2017-09-18", "Fietsdiefstal", "Herestraat", 233720, 581750],
        ["X2", "2017-09-19", "Woninginbraak", "Vismarkt", 233570, 582080],
        ["X3", "31-02-2017", "Fietsdiefstal", "Grote Markt", 233880, 582050],
        ["X4", "2017-09-20", "Fietsdiefstal", "Zuiderdiep", 233900, 581720]]
def col(i): return "ABCDEFGH"[i]
def esc(s): return str(s).replace("&", "&amp;").replace("<", "&lt;")
cells = []
for r, row in enumerate(rows, start=1):
    cs = []
    for c, v in enumerate(row):
        ref = "%s%d" % (col(c), r)
        if isinstance(v, (int, float)):
            cs.append('<c r="%s"><v>%s</v></c>' % (ref, v))
        else:
            cs.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
    cells.append('<row r="%d">%s</row>' % (r, "".join(cs)))
sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetData>%s</sheetData></worksheet>' % "".join(cells))
files = {
 "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
  '<Default Extension="xml" ContentType="application/xml"/>'
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
  '</Types>',
 "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
  '</Relationships>',
 "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
  '<sheets><sheet name="Dagmonitor" sheetId="1" r:id="rId1"/></sheets></workbook>',
 "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
  '</Relationships>',
 "xl/worksheets/sheet1.xml": sheet,
}
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in files.items():
        z.writestr(name, text)
EOF
size=$(wc -c <"$T/in/monitor.xlsx")
head -c $((size / 2)) "$T/in/monitor.xlsx" >"$T/in/afgebroken.xlsx"
# corrupt: the zip intact in length but with its middle overwritten
cp "$T/in/monitor.xlsx" "$T/in/beschadigd.xlsx"
"$PY" -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
for i in range(len(b) // 4, 3 * len(b) // 4): b[i] = 0x5a
open(p, "wb").write(bytes(b))' "$T/in/beschadigd.xlsx"

expect_exit 1 trunc st ingest "$T/in/afgebroken.xlsx"
expect_contains "$T/trunc.err" "afgebroken.xlsx" "truncated xlsx: the file is named"
unchanged_since "a truncated xlsx"
expect_exit 1 corrupt st ingest "$T/in/beschadigd.xlsx"
expect_contains "$T/corrupt.err" "beschadigd.xlsx" "corrupt xlsx: the file is named"
unchanged_since "a corrupt xlsx"

# a truncated .csv.gz: the file breaks off mid-way; nothing of it is kept
head -c 300000 "$THEFTS" >"$T/in/afgebroken.csv.gz"
expect_exit 1 truncgz st ingest "$T/in/afgebroken.csv.gz"
expect_contains "$T/truncgz.err" "afgebroken.csv.gz" "truncated csv.gz: the file is named"
unchanged_since "a truncated csv.gz"

ingest_ok xlsx "$T/in/monitor.xlsx"
expect_contains "$T/xlsx.out" "4 rows read" "xlsx"
expect_contains "$T/xlsx.out" "3 accepted" "xlsx"
expect_contains "$T/xlsx.out" "1 rejected" "xlsx"
expect_contains "$T/xlsx.out" "burglary.residential" "xlsx: Woninginbraak"
rejects_of "$BATCH"
expect_eq "$(csv_col "$T/rej.csv" line)" 4 "xlsx: sheet row of the impossible date"
expect_eq "$(csv_col "$T/rej.csv" column)" Pleegdatum "xlsx: column of the impossible date"
note "xlsx: ok"

# The store is consistent at the end.
need sqlite3
expect_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "integrity"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM event')" \
    "$(sqlite3 "$DB" "SELECT sum(rows_accepted) FROM batch WHERE status = 'loaded' AND target = 'event'")" \
    "events vs accepted rows of the batches"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM reject')" \
    "$(sqlite3 "$DB" "SELECT sum(rows_rejected) FROM batch")" "rejects vs rejected rows of the batches"
note "ok"
