#!/bin/sh
# Open data end to end on the real Groningen bike thefts: only an approved source
# with role `public` is published; no published cell is under the threshold and
# suppressed cells carry no count; no wijk figure minus its published buurten
# leaves a single hidden buurt; the DCAT-AP-DONL metadata parses as RDF (rapper)
# and carries every mandatory field; a later release that would differ from an
# earlier one by fewer than the threshold is refused (strict) or suppressed.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/serve_lib.inc"
export STAD_CONFIG_DIR="$STAD_SOURCE_DIR/config"
G="$DATA/groningen"
AREAS="$G/gemeentelijke-wijk-buurtindeling-2017"
THEFTS="$G/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz"
command -v rapper >/dev/null || fail "rapper (raptor2-utils) is not installed"

run_ok init st init --city groningen
run_ok wijk st areas load "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
run_ok buurt st areas load "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
run_ok ingest st ingest --source politie-fietsdiefstal "$THEFTS"

# ---- the register decides: pending, or approved without `public`, publishes nothing
expect_exit 1 pending st publish "$T/od"
expect_contains "$T/pending.err" "no source may be published" "pending source kept out"
run_ok set st source set politie-fietsdiefstal --holder "Gemeente Groningen" \
    --purpose "open data" --legal-basis "open data" --retention-days 3650 --roles safety_analyst
run_ok approve st source approve politie-fietsdiefstal
expect_exit 1 nopublic st publish "$T/od"
run_ok set2 st source set politie-fietsdiefstal --roles safety_analyst,public
expect_exit 1 pending2 st publish "$T/od"   # changing roles sends it back to pending
run_ok approve2 st source approve politie-fietsdiefstal

# ---- release 1
run_ok pub1 st publish --contact opendata@groningen.example "$T/od"
expect_contains "$T/pub1.out" "15947 events of 1 sources" "all thefts aggregated"
expect_contains "$T/pub1.out" "recorded as release 1" "ledger release 1"
for f in incidents.csv incidents.geojson catalog.ttl catalog.jsonld index.html; do
    [ -s "$T/od/$f" ] || fail "$f not written"
done
[ ! -e "$T/od/complaints.csv" ] || fail "a theme without data got a dataset"
cp "$T/od/incidents.csv" "$T/release1.csv"

# cells: threshold, no zero for a suppressed cell, wijk = sum of buurten when nothing
# is hidden, and never exactly one hidden buurt under a published wijk figure
"$PY" - "$T/od/incidents.csv" "$T/od/incidents.geojson" >"$T/cells.check" <<'PYEOF' || { show "$T/cells.check"; fail "cell checks"; }
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no rows"
wijk, buurten = {}, {}
parent = {}
for r in rows:
    if r["status"] == "published":
        n = int(r["count"])
        assert n == 0 or n >= 10, ("published under threshold", r)
    else:
        assert r["status"] == "suppressed" and r["count"] == "", ("suppressed with a figure", r)
        assert r["reason"] in ("threshold", "secondary", "ledger"), r
total = sum(int(r["count"]) for r in rows if r["level"] == "wijk" and r["count"])
assert total > 10000, total
g = json.load(open(sys.argv[2]))
assert g["type"] == "FeatureCollection" and len(g["features"]) == 15 + 112, len(g["features"])
for f in g["features"]:
    for c in f["properties"]["cells"]:
        assert (c["count"] is None) == (c["status"] == "suppressed"), c
        assert c["count"] is None or c["count"] == 0 or c["count"] >= 10, c
print("ok", len(rows))
PYEOF

# buurt -> wijk from the areas list (independent of the publisher)
run_ok areas st areas list --format csv
"$PY" - "$T/areas.out" "$T/od/incidents.csv" >"$T/lines.check" <<'PYEOF' || { show "$T/lines.check"; fail "margin checks"; }
import csv, sys
areas = list(csv.DictReader(open(sys.argv[1])))
code = {a["id"]: a["code"] for a in areas}
parent = {a["code"]: code.get(a["parent"], "") for a in areas if a["level"] == "buurt"}
cells = {}
for r in csv.DictReader(open(sys.argv[2])):
    cells[(r["level"], r["area_code"], r["month"], r["kind"])] = r
checked = 0
for (lvl, w, m, k), r in cells.items():
    if lvl != "wijk" or r["status"] != "published":
        continue
    kids = [cells[("buurt", b, m, k)] for b, p in parent.items() if p == w and ("buurt", b, m, k) in cells]
    hidden = [c for c in kids if c["status"] != "published"]
    assert len(hidden) != 1, ("one hidden buurt under a published wijk", w, m)
    if not hidden and kids:
        assert sum(int(c["count"]) for c in kids) <= int(r["count"]), (w, m)
    checked += 1
assert checked > 100, checked
print("ok", checked)
PYEOF

# ---- metadata: RDF that parses, with every mandatory DCAT-AP-DONL field
rapper -q -i turtle -o ntriples "$T/od/catalog.ttl" >"$T/meta.nt" 2>"$T/rapper.err" ||
    { show "$T/rapper.err"; fail "catalog.ttl does not parse as Turtle"; }
"$PY" - "$T/meta.nt" "$T/od/catalog.jsonld" >"$T/meta.check" <<'PYEOF' || { show "$T/meta.check"; fail "metadata checks"; }
import json, re, sys
DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OV = "http://standaarden.overheid.nl/owms/terms/"
trip = []
for line in open(sys.argv[1]):
    m = re.match(r'(\S+) <([^>]+)> (.+) \.$', line.strip())
    assert m, line
    trip.append((m.group(1), m.group(2), m.group(3)))
def of_type(t):
    return {s for s, p, o in trip if p == RDF and o == "<" + t + ">"}
def props(s):
    return {p for s2, p, o in trip if s2 == s}
# DCAT-AP-DONL 1.1 mandatory properties
ds_man = [DCT + "identifier", DCT + "title", DCT + "description", DCT + "language",
          DCAT + "theme", DCT + "modified", OV + "authority", DCT + "publisher",
          DCAT + "contactPoint"]
dist_man = [DCAT + "accessURL", DCT + "license", DCT + "title", DCT + "description",
            DCT + "language", DCT + "format"]
wanted = [DCT + "temporal", DCT + "spatial", DCT + "accrualPeriodicity"]
cats = of_type(DCAT + "Catalog"); assert len(cats) == 1, cats
dss = of_type(DCAT + "Dataset"); assert len(dss) == 1, dss
dists = of_type(DCAT + "Distribution"); assert len(dists) == 2, dists
for d in dss:
    miss = [p for p in ds_man + wanted if p not in props(d)]
    assert not miss, ("dataset misses", d, miss)
for d in dists:
    miss = [p for p in dist_man if p not in props(d)]
    assert not miss, ("distribution misses", d, miss)
lic = {o for s, p, o in trip if p == DCT + "license"}
assert lic == {"<http://creativecommons.org/publicdomain/zero/1.0/deed.nl>"}, lic
# JSON-LD: same graph nodes and the same mandatory keys (compact names)
j = json.load(open(sys.argv[2]))
nodes = {n["@id"]: n for n in j["@graph"]}
for d in dss:
    n = nodes[d.strip("<>")]
    for k in ["dct:identifier", "dct:title", "dct:description", "dct:language", "dcat:theme",
              "dct:modified", "overheid:authority", "dct:publisher", "dcat:contactPoint",
              "dct:temporal", "dct:spatial", "dct:accrualPeriodicity"]:
        assert k in n, ("jsonld dataset misses", k)
for d in dists:
    n = nodes[d.strip("<>")]
    for k in ["dcat:accessURL", "dct:license", "dct:title", "dct:description",
              "dct:language", "dct:format"]:
        assert k in n, ("jsonld distribution misses", k)
print("ok", len(trip))
PYEOF
grep -q 'href="incidents.csv"' "$T/od/index.html" || fail "index.html does not list the CSV"

# ---- unchanged data: no new release
run_ok pub1b st publish "$T/od"
expect_contains "$T/pub1b.out" "unchanged since the last release" "same tables, no new release"

# ---- differencing: two late reports in one month; the new figures of the cells
# they touch would differ from release 1 by 2
zcat "$THEFTS" | "$PY" -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout)
h = next(r); w.writerow(h); i = h.index("incident_id"); t = h.index("begin_datumtijd"); n = 0
for row in r:
    if row[t].startswith("2016-05-1") and "Binnenstad" in row[h.index("wijk")] and n < 2:
        row[i] = "LATE%d" % n; w.writerow(row); n += 1
' >"$T/late.csv"
expect_eq "$(wc -l <"$T/late.csv" | tr -d ' ')" 3 "two late rows"
run_ok late st ingest --source politie-fietsdiefstal "$T/late.csv"
expect_exit 1 strict st publish --strict "$T/od"
expect_contains "$T/strict.err" "refused" "strict publication refused"
cmp -s "$T/release1.csv" "$T/od/incidents.csv" || fail "a refused publication changed the files"
run_ok pub2 st publish "$T/od"
expect_contains "$T/pub2.out" "recorded as release 2" "ledger release 2"
"$PY" - "$T/release1.csv" "$T/od/incidents.csv" >"$T/diff.check" <<'PYEOF' || { show "$T/diff.check"; fail "differencing check"; }
import csv, sys
def load(p):
    return {(r["level"], r["area_code"], r["month"], r["kind"]): r for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
ledger = 0
for k, r in b.items():
    ledger += r["reason"] == "ledger"
    o = a.get(k)
    if o and o["count"] and r["count"]:
        d = abs(int(r["count"]) - int(o["count"]))
        assert d == 0 or d >= 10, ("differencing reveals", k, o["count"], r["count"])
assert ledger >= 2, ledger   # at least the buurt and the wijk cell of May 2016
print("ok", ledger)
PYEOF
# Served by stad serve under /opendata/ without a session, republished after a new
# batch from the watched folder; the data routes still need a session.
mkdir -p "$T/inbox"
start_serve --opendata "$T/served" --watch "$T/inbox" --source politie-fietsdiefstal
code=$(curl -sS -o "$T/od-index.html" -w '%{http_code}' "$URL/opendata/")
expect_eq "$code" "200" "GET /opendata/ without a session"
expect_contains "$T/od-index.html" "catalog.ttl" "the open-data page links the metadata"
code=$(curl -sS -D "$T/ttl.head" -o "$T/od.ttl" -w '%{http_code}' "$URL/opendata/catalog.ttl")
expect_eq "$code" "200" "GET /opendata/catalog.ttl"
expect_contains_i "$T/ttl.head" "text/turtle" "Turtle content type"
rapper -q -i turtle -c "$T/od.ttl" 2>"$T/rapper2.err" || { show "$T/rapper2.err"; fail "served Turtle does not parse"; }
code=$(curl -sS --path-as-is -o /dev/null -w "%{http_code}" "$URL/opendata/../api/events")
[ "$code" = 400 ] || [ "$code" = 404 ] || fail "traversal out of /opendata/ answered $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/api/events")
expect_eq "$code" "401" "data routes still need a session"
before=$(cksum <"$T/served/incidents.csv")
# A new month of thefts in the inbox: the served figures follow.
zcat "$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz" |
    awk -F, 'NR == 1 || $16 ~ /^2017-0[1-3]/' | sed 's/^PL0100_BVH_/PL0100_NEW_/' >"$T/inbox/.new.csv"
mv "$T/inbox/.new.csv" "$T/inbox/extra.csv"
i=0
while [ "$(cksum <"$T/served/incidents.csv")" = "$before" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || { show "$T/serve.err"; fail "open data not republished after a new batch"; }
    sleep 0.2
done
stop_serve
note "ok"
