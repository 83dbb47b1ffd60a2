#!/bin/sh
# Social-domain aggregates in the open data, end to end on the real Utrecht wijken and
# buurten and a synthetic population made from Utrecht's CBS figures, through the real
# pseudonym chain (pseudo, transcrypt, import): only social sources that the register
# approves with role `public` are published; no published cell is under 10 households
# and suppressed cells carry no count; the social domain's ledger holds the open-data
# release, and no published cell of any release (open data or `stad social release`)
# lies inside another with 1..9 households between them; adding three households and
# publishing again refuses (strict) or suppresses the touched cells; the metadata
# parses (rapper, rdflib) with every mandatory DCAT-AP-DONL field on the new datasets
# and the JSON-LD is the same graph as the Turtle; `stad serve --social-db --opendata`
# lists them on /opendata/.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/serve_lib.inc"
export STAD_CONFIG_DIR="$STAD_SOURCE_DIR/config"
U="$DATA/utrecht/wijken-buurten-2013"
KWB="$STAD_SOURCE_DIR/data/demo/utrecht/cbs-kerncijfers-wijken-buurten/utrecht_kwb_2023.csv"
RDFPY=/usr/bin/python3   # Debian's python3-rdflib
command -v rapper >/dev/null || fail "rapper (raptor2-utils) is not installed"
"$RDFPY" -c 'import rdflib' 2>/dev/null || fail "python3-rdflib is not installed"

run_ok init st init --city utrecht
run_ok wijk st areas load --level wijk --name-field naam_cbs2023 "$U/utrecht_wijk_2013_rd.geojson"
run_ok buurt st areas load --level buurt --name-field naam_cbs2023 "$U/utrecht_buurt_2013_rd.geojson"

# ---- the chain: keys, a synthetic population, three source holders, transcryptor
S="$T/social"
mkdir -p "$S/keys" "$S/src" "$S/tc"
SDB="$S/social.db"
run_ok keys "$STAD" social keys --domain sociaal --dir "$S/keys"
run_ok synth "$STAD" social synth --kwb "$KWB" --out "$S/src" --scale 0.02
import_source() { # NAME CSV: pseudo, transcrypt, import
    run_ok "pseudo-$1" "$STAD" -q pseudo --key "$S/keys/source-v1.key" --policy "$S/src/$1.policy" \
        "$2" "$S/src/$1.pseudo.csv"
    run_ok "tc-$1" "$STAD" -q social transcrypt --key "$S/keys/transcryptor-v1.key" \
        --domain sociaal "$S/src/$1.pseudo.csv" "$S/tc/$1.csv"
    run_ok "import-$1" "$STAD" social import --db "$SDB" --key "$S/keys/domain-sociaal-v1.key" \
        --source "$1" "$S/tc/$1.csv"
}
for s in leerplicht inkomen wijkteam; do
    import_source "$s" "$S/src/$s.csv"
done
# an earlier release of the social domain itself, in the same ledger
run_ok release "$STAD" social release --db "$SDB" --base leerplicht --outcome verzuim=ja \
    --by wijk --from 2024-01 --to 2024-04 verzuim-per-wijk

# ---- the register: leerplicht public and approved; wijkteam public but pending;
# inkomen approved without `public`
for s in leerplicht inkomen wijkteam; do
    roles=social_policy,public
    [ "$s" = inkomen ] && roles=social_policy
    run_ok "set-$s" st source set "$s" --holder "$s" --purpose "open data test" \
        --legal-basis "synthetic" --retention-days 365 --sensitivity social --roles "$roles"
done
run_ok approve1 st source approve leerplicht
run_ok approve2 st source approve inkomen
run_ok pub0 st publish --social-db "$SDB" "$T/od"
[ -s "$T/od/sociaal-leerplicht.csv" ] || fail "leerplicht not published"
[ ! -e "$T/od/sociaal-wijkteam.csv" ] || fail "a pending source was published"
[ ! -e "$T/od/sociaal-inkomen.csv" ] || fail "a source without role public was published"
run_ok approve3 st source approve wijkteam

# ---- release 1 (the same tables as before plus wijkteam)
expect_exit 1 badpath st publish --social-db "$T/no-such.db" "$T/od"
expect_contains "$T/badpath.err" "no-such.db" "missing social store named"
[ ! -e "$T/no-such.db" ] || fail "a missing social store was created"
run_ok pub1 st publish --contact opendata@utrecht.example --social-db "$SDB" "$T/od"
expect_contains "$T/pub1.out" "of 2 sources allowed by the register" "two social sources"
for f in sociaal-leerplicht.csv sociaal-leerplicht.geojson sociaal-wijkteam.csv \
    sociaal-wijkteam.geojson catalog.ttl catalog.jsonld index.html; do
    [ -s "$T/od/$f" ] || fail "$f not written"
done
[ ! -e "$T/od/sociaal-inkomen.csv" ] || fail "inkomen published"
[ ! -e "$T/od/incidents.csv" ] || fail "a theme without events got a dataset"
cp "$T/od/sociaal-leerplicht.csv" "$T/r1-leerplicht.csv"
cp "$T/od/sociaal-wijkteam.csv" "$T/r1-wijkteam.csv"
grep -q 'href="sociaal-leerplicht.csv"' "$T/od/index.html" || fail "index.html does not list leerplicht"
grep -q 'href="sociaal-wijkteam.geojson"' "$T/od/index.html" || fail "index.html does not list wijkteam"

# cells: threshold, no figure for a suppressed cell, never one hidden buurt under a
# published wijk, GeoJSON the same figures
run_ok areas st areas list --format csv
"$PY" - "$T/areas.out" "$T/od" >"$T/cells.check" <<'PYEOF' || { show "$T/cells.check"; fail "cell checks"; }
import csv, json, sys
areas = list(csv.DictReader(open(sys.argv[1])))
code = {a["id"]: a["code"] for a in areas}
parent = {a["code"]: code.get(a["parent"], "") for a in areas if a["level"] == "buurt"}
published = 0
for src in ("leerplicht", "wijkteam"):
    rows = list(csv.DictReader(open("%s/sociaal-%s.csv" % (sys.argv[2], src))))
    assert rows and set(rows[0]) == {"level", "area_code", "area_name", "month", "source",
                                     "households", "status", "reason"}, rows[:1]
    cells = {}
    for r in rows:
        assert r["source"] == src, r
        if r["status"] == "published":
            n = int(r["households"])
            assert n == 0 or n >= 10, ("published under the threshold", r)
            published += n > 0
        else:
            assert r["status"] == "suppressed" and r["households"] == "", r
            assert r["reason"] in ("threshold", "secondary", "ledger"), r
        cells[(r["level"], r["area_code"], r["month"])] = r
    for (lvl, w, m), r in cells.items():
        if lvl != "wijk" or r["status"] != "published":
            continue
        kids = [cells[("buurt", b, m)] for b, p in parent.items() if p == w and ("buurt", b, m) in cells]
        assert len([c for c in kids if c["status"] != "published"]) != 1, ("one hidden buurt", src, w, m)
    g = json.load(open("%s/sociaal-%s.geojson" % (sys.argv[2], src)))
    assert len(g["features"]) == len(areas), (len(g["features"]), len(areas))
    for f in g["features"]:
        p = f["properties"]
        for c in p["cells"]:
            r = cells[(p["level"], p["code"], c["month"])]
            assert c["source"] == src and c["status"] == r["status"], (c, r)
            assert (c["households"] is None) == (r["households"] == ""), (c, r)
            assert c["households"] is None or c["households"] == int(r["households"]), (c, r)
assert published > 50, published
print("ok", published)
PYEOF

# ---- the social ledger: the open-data release is recorded with its households, and
# no two published cells of any releases are nested with 1..9 households between
cat >"$T/nested.py" <<'PYEOF'
import csv, sqlite3, sys
from collections import defaultdict
db = sqlite3.connect(sys.argv[1])
rel = {r: n for r, n in db.execute("SELECT id, name FROM release")}
members = defaultdict(set)
for r, c, h in db.execute("SELECT release, cell, household FROM release_member"):
    members[(r, c)].add(h)
label = {(r, c): l for r, c, l in db.execute("SELECT release, cell, label FROM release_cell")}
# the newest open-data release matches the files on disk
od = max(r for r, n in rel.items() if n.startswith("opendata-"))
files = {}
for src in sys.argv[3:]:
    for row in csv.DictReader(open("%s/sociaal-%s.csv" % (sys.argv[2], src))):
        if row["households"] not in ("", "0"):
            files["%s|%s|%s|social:%s" % (row["level"], row["area_code"], row["month"], src)] = int(row["households"])
recorded = {label[k]: len(v) for k, v in members.items() if k[0] == od}
assert recorded == files, (len(recorded), len(files), sorted(set(recorded.items()) ^ set(files.items()))[:5])
# every pair of published cells: nested means equal or at least 10 apart
by_hh = defaultdict(list)
for k, v in members.items():
    for h in v:
        by_hh[h].append(k)
pairs = 0
for k, v in members.items():
    common = defaultdict(int)
    for h in v:
        for j in by_hh[h]:
            if j != k:
                common[j] += 1
    for j, n in common.items():
        a, b = len(v), len(members[j])
        if n == min(a, b):
            d = abs(a - b)
            pairs += 1
            assert d == 0 or d >= 10, ("nested cells reveal a small group", rel[k[0]], label[k], rel[j[0]], label[j], a, b)
print("ok", len(rel), "releases", len(members), "cells", pairs, "nested pairs")
PYEOF
"$PY" "$T/nested.py" "$SDB" "$T/od" leerplicht wijkteam >"$T/nested1.check" 2>&1 ||
    { show "$T/nested1.check"; fail "social ledger after release 1"; }
expect_eq "$(sqlite3 "$SDB" "SELECT count(*) FROM release WHERE name LIKE 'opendata-%'")" 2 \
    "open-data releases in the social ledger (leerplicht alone, then with wijkteam)"
# the earlier `stad social release` per wijk over four months holds nearly the same
# households as each month's wijk figure: those cells are hidden (ledger)
grep -q '^wijk,.*,2024-0[1-4],leerplicht,,suppressed,ledger$' "$T/od/sociaal-leerplicht.csv" ||
    fail "no wijk cell suppressed against the social release verzuim-per-wijk"

# ---- metadata: RDF with every mandatory field; the JSON-LD is the same graph
rapper -q -i turtle -o ntriples "$T/od/catalog.ttl" >"$T/meta.nt" 2>"$T/rapper.err" ||
    { show "$T/rapper.err"; fail "catalog.ttl does not parse as Turtle"; }
"$RDFPY" - "$T/od/catalog.ttl" "$T/od/catalog.jsonld" >"$T/meta.check" 2>&1 <<'PYEOF' || { show "$T/meta.check"; fail "metadata checks"; }
import sys
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
OV = rdflib.Namespace("http://standaarden.overheid.nl/owms/terms/")
ttl = rdflib.Graph().parse(sys.argv[1], format="turtle")
jld = rdflib.Graph().parse(sys.argv[2], format="json-ld")
assert isomorphic(ttl, jld), "JSON-LD and Turtle differ"
# indexing, not attributes: a Namespace is a str (DCT.format would be str.format)
ds_man = [DCT[p] for p in ("identifier", "title", "description", "language", "modified",
                           "publisher", "temporal", "spatial", "accrualPeriodicity")]
ds_man += [DCAT["theme"], DCAT["contactPoint"], OV["authority"]]
dist_man = [DCAT["accessURL"], DCT["license"], DCT["title"], DCT["description"],
            DCT["language"], DCT["format"]]
dss = set(ttl.subjects(RDF.type, DCAT["Dataset"]))
slugs = sorted(str(d).rsplit("/", 1)[1] for d in dss)
assert slugs == ["sociaal-leerplicht", "sociaal-wijkteam"], slugs
for d in dss:
    miss = [p for p in ds_man if (d, p, None) not in ttl]
    assert not miss, (d, miss)
    assert (d, DCAT["theme"], OV["Sociale_zekerheid"]) in ttl, d
    assert "huishoudens" in str(ttl.value(d, DCT["description"])), d
    dists = list(ttl.objects(d, DCAT["distribution"]))
    assert len(dists) == 2, dists
    for x in dists:
        miss = [p for p in dist_man if (x, p, None) not in ttl]
        assert not miss, (x, miss)
cat = list(ttl.subjects(RDF.type, DCAT["Catalog"]))
assert len(cat) == 1 and set(ttl.objects(cat[0], DCAT["dataset"])) == dss
print("ok", len(ttl))
PYEOF

# ---- unchanged: no new release in either ledger
before=$(sqlite3 "$SDB" "SELECT count(*) FROM release")
run_ok pub1b st publish --social-db "$SDB" "$T/od"
expect_contains "$T/pub1b.out" "unchanged since the last release" "same tables, no new release"
expect_eq "$(sqlite3 "$SDB" "SELECT count(*) FROM release")" "$before" "social ledger unchanged"

# ---- three new households in a buurt and month that release 1 published
pick=$("$PY" - "$T/r1-leerplicht.csv" <<'PYEOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))
        if r["level"] == "buurt" and r["status"] == "published" and r["month"] == "2024-06"
        and int(r["households"]) > 0]
rows.sort(key=lambda r: -int(r["households"]))
print(rows[0]["area_code"])
PYEOF
)
[ -n "$pick" ] || fail "no published buurt in 2024-06"
"$PY" - "$S/src/leerplicht.csv" "$pick" >"$T/leerplicht-late.csv" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
w = csv.writer(sys.stdout, lineterminator="\n")
for r in rows:
    w.writerow(r)
like = next(r for r in rows[1:] if r[h.index("buurtcode")] == sys.argv[2])
def bsn(n):   # a valid BSN (eleven test) outside the synthetic range (900000000 up)
    while True:
        d = [int(c) for c in "%08d" % n]
        c = sum((9 - i) * d[i] for i in range(8)) % 11
        n += 1
        if c < 10:
            return "%08d%d" % (int("".join(map(str, d))), c)
k = 81000000
for i in range(3):
    child, k = bsn(k), k + 7
    parent, k = bsn(k), k + 7
    r = list(like)
    r[h.index("bsn_leerling")], r[h.index("bsn_ouder")] = child, parent
    r[h.index("postcode")], r[h.index("huisnummer")], r[h.index("toevoeging")] = "3999ZZ", str(i + 1), ""
    r[h.index("maand")] = "2024-06"
    w.writerow(r)
PYEOF
import_source leerplicht "$T/leerplicht-late.csv"
expect_exit 1 strict st publish --strict --social-db "$SDB" "$T/od"
expect_contains "$T/strict.err" "refused" "strict publication refused"
cmp -s "$T/r1-leerplicht.csv" "$T/od/sociaal-leerplicht.csv" || fail "a refused publication changed the files"
run_ok pub2 st publish --social-db "$SDB" "$T/od"
expect_contains "$T/pub2.out" "recorded as release" "ledger release after the new households"
"$PY" - "$T/r1-leerplicht.csv" "$T/od/sociaal-leerplicht.csv" "$pick" >"$T/diff.check" <<'PYEOF' || { show "$T/diff.check"; fail "differencing check"; }
import csv, sys
def load(p):
    return {(r["level"], r["area_code"], r["month"]): r for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
for k, r in b.items():
    o = a.get(k)
    if o and o["households"] and r["households"]:
        d = abs(int(r["households"]) - int(o["households"]))
        assert d == 0 or d >= 10, ("differencing reveals", k, o["households"], r["households"])
t = b[("buurt", sys.argv[3], "2024-06")]
assert t["status"] == "suppressed" and t["reason"] == "ledger", t
print("ok")
PYEOF
"$PY" "$T/nested.py" "$SDB" "$T/od" leerplicht wijkteam >"$T/nested2.check" 2>&1 ||
    { show "$T/nested2.check"; fail "social ledger after the new households"; }

# ---- served: `stad serve --social-db --opendata` publishes the social datasets too
SERVE_START_SECS=30 # the social publish at start takes a while under the sanitizers
start_serve --opendata "$T/served" --social-db "$SDB"
code=$(curl -sS -o "$T/od-index.html" -w '%{http_code}' "$URL/opendata/")
expect_eq "$code" "200" "GET /opendata/ without a session"
expect_contains "$T/od-index.html" 'href="sociaal-leerplicht.csv"' "the page lists the social datasets"
code=$(curl -sS -o "$T/served.csv" -w '%{http_code}' "$URL/opendata/sociaal-wijkteam.csv")
expect_eq "$code" "200" "GET a social dataset"
stop_serve
note "ok"
