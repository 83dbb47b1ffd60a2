#!/bin/sh
# Generates the Word/ODF/PDF table fixtures of tests/unit/test_tables.c and
# tests/e2e/tables.sh from the real records in ../shared/data (see SOURCE.md there):
#
#   monthly     Groningen bike thefts of March 2016 as a police-style monthly list:
#               landscape, page header and footer ("pagina N van M"), one table per
#               week with the same header            -> .docx .odt .pdf
#   spanning    Cincinnati burglaries of January-February 2017, one table over many
#               pages with its header repeated       -> .docx .pdf (LibreOffice),
#                                                       -groff.pdf (groff tbl)
#   merged      Groningen June 2016: grouped header cells (Pleegdatum van/tot,
#               Locatie X/Y), header cells merged down two rows; the .docx/.odt also
#               merge equal category cells down the rows (the PDF cannot show those);
#               one row has an impossible date (31-02) to test rejects
#                                                    -> .docx .odt .pdf
#   dutch       Groningen August 2017 with Dutch formats: "woensdag 2 augustus 2017",
#               decimal commas in breedtegraad/lengtegraad -> .odt .pdf
#
# Next to each layout, NAME.expected.csv holds the rows exactly as written into the
# documents (header as a reader should rebuild it): the spreadsheet they came from.
#   scanned     page 1 of monthly.pdf as an image only (a scan without text) -> .pdf
#
# Needs python3, LibreOffice (libreoffice-writer-nogui; not a build dependency),
# groff and pdftoppm (poppler-utils). Usage: tests/data/tables/make-fixtures.sh [SHARED_DATA]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-${STAD_SHARED_DATA:-$here/../../../../shared/data}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v soffice >/dev/null || { echo "needs soffice (apt-get install libreoffice-writer-nogui)" >&2; exit 1; }
command -v groff >/dev/null || { echo "needs groff" >&2; exit 1; }

python3 - "$data" "$work" "$here" <<'EOF'
import csv, gzip, sys, os
from xml.sax.saxutils import escape
data, work, here = sys.argv[1:4]

gron = list(csv.DictReader(gzip.open(os.path.join(data,
    "groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz"), "rt",
    encoding="utf-8", newline="")))
cinc = list(csv.DictReader(gzip.open(os.path.join(data,
    "crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz"), "rt",
    encoding="utf-8", newline="")))

def nl_dt(iso):  # 2016-03-05T17:30 -> 05-03-2016 17:30
    d, t = iso.split("T")
    y, m, dd = d.split("-")
    return "%s-%s-%s %s" % (dd, m, y, t)

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
DAYS = "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
import datetime
def nl_long(iso):
    d = datetime.date.fromisoformat(iso[:10])
    return "%s %d %s %d" % (DAYS[d.weekday()], d.day, MONTHS[d.month - 1], d.year)

# ---------- flat ODF writer ----------
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="DejaVu Sans Condensed" svg:font-family="'DejaVu Sans Condensed'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph"><style:text-properties style:font-name="DejaVu Sans Condensed" fo:font-size="%(fs)s"/></style:default-style>
 <style:style style:name="Standard" style:family="paragraph"/>
 <style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.3cm"/><style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="H" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm"/><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Small" style:family="paragraph"><style:text-properties fo:font-size="7pt"/></style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="%(pw)s" fo:page-height="%(ph)s" style:print-orientation="%(orient)s" fo:margin-top="1cm" fo:margin-bottom="1cm" fo:margin-left="1.5cm" fo:margin-right="1.5cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.4cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.4cm"/></style:footer-style></style:page-layout>
 <style:style style:name="tbl" style:family="table"><style:table-properties style:width="%(tw)s" table:align="left"/></style:style>
 <style:style style:name="cell" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #000000"/></style:style>
 <style:style style:name="hcell" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #000000" fo:background-color="#dddddd"/></style:style>
 <style:style style:name="row" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>
 <style:style style:name="B" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="R" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="end"/></style:style>
 %(colstyles)s
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
 <style:header><text:p text:style-name="Small">%(header)s</text:p></style:header>
 <style:footer><text:p text:style-name="Small">%(footer)s</text:p></style:footer>
</style:master-page></office:master-styles>
<office:body><office:text>
"""

class Doc:
    def __init__(self, widths, landscape, header, footer, fs="8pt"):
        self.widths = widths
        self.parts = []
        self.ntab = 0
        pw, ph = ("29.7cm", "21cm") if landscape else ("21cm", "29.7cm")
        cols = "".join('<style:style style:name="c%d" style:family="table-column"><style:table-column-properties style:column-width="%.2fcm"/></style:style>' % (i, w) for i, w in enumerate(widths))
        self.head = HEAD % dict(fs=fs, pw=pw, ph=ph, orient="landscape" if landscape else "portrait",
                                tw="%.2fcm" % sum(widths), colstyles=cols, header=header, footer=footer)
    def p(self, text, style="Standard"):
        self.parts.append('<text:p text:style-name="%s">%s</text:p>' % (style, escape(text)))
    def cell(self, text, head=False, cs=1, rs=1, right=False):
        a = ""
        if cs > 1: a += ' table:number-columns-spanned="%d"' % cs
        if rs > 1: a += ' table:number-rows-spanned="%d"' % rs
        st = "B" if head else ("R" if right else "Standard")
        c = '<table:table-cell table:style-name="%s" office:value-type="string"%s><text:p text:style-name="%s">%s</text:p></table:table-cell>' % (
            "hcell" if head else "cell", a, st, escape(text))
        return c + "<table:covered-table-cell/>" * (cs - 1)
    def table(self, header_rows, rows):
        """header_rows, rows: lists of lists of cell xml strings (from .cell / COVERED)"""
        self.ntab += 1
        x = ['<table:table table:name="Tabel%d" table:style-name="tbl">' % self.ntab]
        x += ['<table:table-column table:style-name="c%d"/>' % i for i in range(len(self.widths))]
        x.append("<table:table-header-rows>")
        x += ['<table:table-row table:style-name="row">%s</table:table-row>' % "".join(r) for r in header_rows]
        x.append("</table:table-header-rows>")
        x += ['<table:table-row table:style-name="row">%s</table:table-row>' % "".join(r) for r in rows]
        x.append("</table:table>")
        self.parts.append("\n".join(x))
    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.head + "\n".join(self.parts) + "\n</office:text></office:body></office:document>\n")

COVERED = "<table:covered-table-cell/>"
PAGE = 'pagina <text:page-number text:select-page="current">1</text:page-number> van <text:page-count>1</text:page-count>'

def expected(name, header, rows):
    with open(os.path.join(here, name + ".expected.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

def simple(doc, header, rows, right=()):
    doc.table([[doc.cell(h, head=True) for h in header]],
              [[doc.cell(v, right=(i in right)) for i, v in enumerate(r)] for r in rows])

# ---------- monthly: police-style list, one table per week ----------
H1 = ["Registratienummer", "Begin datum/tijd", "Eind datum/tijd", "Straat", "Huisnummer",
      "Postcode", "Incidentsoort", "X (RD)", "Y (RD)"]
sel = sorted((r for r in gron if r["begin_datumtijd"].startswith("2016-03")),
             key=lambda r: (r["begin_datumtijd"], r["incident_id"]))
rows1 = [[r["incident_id"], nl_dt(r["begin_datumtijd"]), nl_dt(r["eind_datumtijd"]), r["straat"],
          r["huisnummer"], r["postcode"], "%s %s" % (r["incidentsoort_code"], r["incidentsoort"]),
          r["x_rd"], r["y_rd"]] for r in sel]
d = Doc([3.6, 2.7, 2.7, 5.0, 2.2, 1.7, 3.3, 1.6, 1.6], True,
        "Politie Eenheid Noord-Nederland · Basisteam Groningen-Stad · intern",
        "Maandoverzicht diefstal fiets maart 2016 · " + PAGE)
d.p("Maandoverzicht diefstal fiets (A72), gemeente Groningen, maart 2016", "Title")
d.p("Bron: BVH, peildatum 21-09-2017. Per week de geregistreerde incidenten.")
weeks = {}
for r, src in zip(rows1, sel):
    wk = datetime.date.fromisoformat(src["begin_datumtijd"][:10]).isocalendar()[1]
    weeks.setdefault(wk, []).append(r)
for wk in sorted(weeks):
    d.p("Week %d" % wk, "H")
    simple(d, H1, weeks[wk], right=(4, 7, 8))
d.p("Einde overzicht.")
d.write(os.path.join(work, "monthly.fodt"))
expected("monthly", H1, rows1)

# ---------- spanning: one long table, header repeated on each page ----------
H2 = ["Incident no", "Offense date", "Offense", "Longitude", "Latitude"]
sel = [r for r in cinc if r["datetime_local"][:7] in ("2017-01", "2017-02")]
rows2 = [[r["incident_no"], r["datetime_local"][:16], r["offense"], r["lon"], r["lat"]] for r in sel]
d = Doc([3.0, 3.6, 4.4, 2.8, 2.8], False, "City of Cincinnati · Police Data Initiative",
        "Burglary incidents January-February 2017 · page <text:page-number text:select-page=\"current\">1</text:page-number>")
d.p("Burglary incidents, January and February 2017", "Title")
simple(d, H2, rows2, right=(3, 4))
d.write(os.path.join(work, "spanning.fodt"))
expected("spanning", H2, rows2)
# the same for groff tbl: header repeated with .TH, page number in the footer
with open(os.path.join(work, "spanning.tr"), "w", encoding="utf-8") as f:
    f.write('.nr PS 9\n.nr VS 11\n.nr LL 17c\n.nr PO 2c\n')
    f.write('.ds LH City of Cincinnati\n.ds CH\n.ds RH Police Data Initiative\n')
    f.write('.ds CF burglary list, page %\n')
    f.write('.LP\n')
    f.write('Burglary incidents, January and February 2017\n.sp\n')
    f.write('.TS H\nallbox tab(\t);\nl l l r r.\n' + "\t".join(H2) + '\n.TH\n')
    for r in rows2:
        f.write("\t".join(r) + "\n")
    f.write('.TE\n')

# ---------- merged: grouped header cells ----------
sel = sorted((r for r in gron if r["begin_datumtijd"].startswith("2016-06")),
             key=lambda r: (r["begin_datumtijd"], r["incident_id"]))[:150]
rows3 = [[r["incident_id"], nl_dt(r["begin_datumtijd"]), nl_dt(r["eind_datumtijd"]), r["straat"],
          r["huisnummer"], r["x_rd"], r["y_rd"], "%s %s" % (r["incidentsoort_code"], r["incidentsoort"])]
         for r in sel]
rows3[40][1] = "31-02-2016 10:00"  # an impossible date: a reject with a page/row reference
H3 = ["Registratienummer", "Pleegdatum van", "Pleegdatum tot", "Straat", "Huisnummer",
      "Locatie X", "Locatie Y", "Incidentsoort"]
def merged_doc(merge_down):
    d = Doc([3.6, 2.8, 2.8, 5.0, 2.0, 1.8, 1.8, 3.4], True, "Gemeente Groningen · Team Toezicht",
            "Diefstal fiets juni 2016 · " + PAGE)
    d.p("Diefstal fiets, juni 2016 (selectie)", "Title")
    top = [d.cell("Registratienummer", True, rs=2), d.cell("Pleegdatum", True, cs=2),
           d.cell("Straat", True, rs=2), d.cell("Huisnummer", True, rs=2),
           d.cell("Locatie", True, cs=2), d.cell("Incidentsoort", True, rs=2)]
    sub = [COVERED, d.cell("van", True), d.cell("tot", True), COVERED, COVERED,
           d.cell("X", True), d.cell("Y", True), COVERED]
    body = []
    i = 0
    for k, r in enumerate(rows3):
        cells = [d.cell(v, right=(j in (4, 5, 6))) for j, v in enumerate(r[:7])]
        if not merge_down:
            cells.append(d.cell(r[7]))
        elif i == 0:
            n = 1  # the category merged down over up to 8 equal rows
            while k + n < len(rows3) and n < 8 and rows3[k + n][7] == r[7]:
                n += 1
            cells.append(d.cell(r[7], rs=n))
            i = n - 1
        else:
            cells.append(COVERED)
            i -= 1
        body.append(cells)
    d.table([top, sub], body)
    return d
merged_doc(True).write(os.path.join(work, "merged.fodt"))
merged_doc(False).write(os.path.join(work, "merged-flat.fodt"))
expected("merged", H3, rows3)

# ---------- dutch: Dutch dates and decimal commas ----------
sel = sorted((r for r in gron if r["begin_datumtijd"].startswith("2017-08")),
             key=lambda r: (r["begin_datumtijd"], r["incident_id"]))[:120]
H4 = ["Datum", "Tijd", "Straat", "Huisnummer", "Delict", "Breedtegraad", "Lengtegraad", "Aantal"]
rows4 = [[nl_long(r["begin_datumtijd"]), r["begin_datumtijd"][11:16], r["straat"], r["huisnummer"],
          r["incidentsoort"], r["lat"].replace(".", ","), r["lon"].replace(".", ","), "1"]
         for r in sel]
d = Doc([3.9, 1.1, 3.6, 2.0, 2.4, 2.0, 2.0, 1.0], False, "Gemeente Groningen", "Fietsdiefstal augustus 2017 · " + PAGE)
d.p("Fietsdiefstallen augustus 2017", "Title")
simple(d, H4, rows4, right=(5, 6, 7))
d.write(os.path.join(work, "dutch.fodt"))
expected("dutch", H4, rows4)
EOF

cd "$work"
convert() { # FORMAT FILE...
    fmt=$1
    shift
    soffice --headless --norestore --convert-to "$fmt" --outdir "$work/out" "$@" >/dev/null 2>&1
}
mkdir -p out
convert docx monthly.fodt spanning.fodt merged.fodt
convert odt monthly.fodt merged.fodt dutch.fodt
convert pdf monthly.fodt spanning.fodt merged-flat.fodt dutch.fodt
mv out/merged-flat.pdf out/merged.pdf
groff -t -ms -Tpdf spanning.tr >out/spanning-groff.pdf 2>/dev/null
# a "scan": page 1 of the monthly list as a picture only (no text layer)
pdftoppm -f 1 -l 1 -r 40 -gray out/monthly.pdf scan >/dev/null
python3 - scan*.pgm out/scanned.pdf <<'PY'
import sys, zlib
raw = open(sys.argv[1], "rb").read()
# binary PGM: P5 <w> <h> <max> then the pixels
parts = raw.split(maxsplit=4)
w, h, pix = int(parts[1]), int(parts[2]), parts[4]
img = zlib.compress(pix[:w * h])
W, H = 842, 595  # A4 landscape in points
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>" % (W, H),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(img)) + img + b"\nendstream",
        None]
content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (W, H)
objs[4] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
out = bytearray(b"%PDF-1.4\n")
offs = []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[2], "wb").write(out)
PY
for f in out/*; do
    cp "$f" "$here/"
    echo "$(basename "$f"): $(wc -c <"$f") bytes"
done
