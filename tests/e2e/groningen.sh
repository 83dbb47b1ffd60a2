#!/bin/sh
# Groningen end to end: areas, the police bike-theft extract, queries, re-ingest,
# street lights.
set -eu
. "$(dirname "$0")/lib.inc"

AREAS=$DATA/groningen/gemeentelijke-wijk-buurtindeling-2017
THEFTS=$DATA/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz
LIGHTS=$DATA/groningen/openbare-verlichting-2017/groningen_openbare_verlichting_2017.csv.gz
for f in "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" \
    "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" "$THEFTS" "$LIGHTS"; do
    [ -r "$f" ] || fail "missing data file $f"
done

# What the data says (python's csv module: quoted fields hold commas).
zcat "$THEFTS" >"$T/thefts.csv"
"$PY" - "$T/thefts.csv" >"$T/truth" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
print("rows", len(rows))
print("y2016", sum(1 for r in rows if r["begin_datumtijd"].startswith("2016")))
print("m201603", sum(1 for r in rows if r["begin_datumtijd"].startswith("2016-03")))
EOF
rows=$(awk '$1 == "rows" { print $2 }' "$T/truth")
y2016=$(awk '$1 == "y2016" { print $2 }' "$T/truth")
expect_eq "$rows" 15947 "rows in the Groningen file (SOURCE.md)"
expect_eq "$y2016" 3483 "thefts beginning in 2016 (SOURCE.md)"

# ---- init and areas ----
run_ok init st init --city groningen
expect_contains "$T/init.out" "EPSG:28992" "init --city groningen reports RD New"
run_ok wijk st areas load "$AREAS/groningen_gemeente_wijkindeling_wgs84.geojson" --level wijk
expect_contains "$T/wijk.out" "15 areas" "loading the wijken"
run_ok buurt st areas load "$AREAS/groningen_gemeente_buurtindeling_wgs84.geojson" --level buurt
expect_contains "$T/buurt.out" "112 areas" "loading the buurten"

run_ok areas st areas list --format csv
expect_eq "$(csv_header "$T/areas.out")" "id,level,code,name,parent,bbox" "areas list header"
"$PY" - "$T/areas.out" >"$T/areas.check" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
ids = {r["id"]: r for r in rows}
wijk = [r for r in rows if r["level"] == "wijk"]
buurt = [r for r in rows if r["level"] == "buurt"]
print("wijk", len(wijk))
print("buurt", len(buurt))
# every buurt has a wijk as parent
bad = [r["code"] for r in buurt if r["parent"] not in ids or ids[r["parent"]]["level"] != "wijk"]
print("orphans", len(bad), " ".join(bad[:5]))
# buurt codes BU0014WWxx lie in wijk WK0014WW
mism = [r["code"] for r in buurt if r["parent"] in ids and
        ids[r["parent"]]["code"][6:8] != r["code"][6:8]]
print("mismatch", len(mism), " ".join(mism[:5]))
x0, y0, x1, y1 = map(float, buurt[0]["bbox"].split(","))
print("rdbox", int(100000 < x0 < x1 < 280000 and 300000 < y0 < y1 < 625000))
EOF
expect_eq "$(awk '$1 == "wijk" { print $2 }' "$T/areas.check")" 15 "wijken in areas list"
expect_eq "$(awk '$1 == "buurt" { print $2 }' "$T/areas.check")" 112 "buurten in areas list"
expect_flag "$T/areas.check" orphans 0 \
    "buurten without a wijk parent ($(awk '$1 == "orphans"' "$T/areas.check"))"
expect_flag "$T/areas.check" mismatch 0 \
    "buurten whose parent wijk code disagrees with their own code ($(awk '$1 == "mismatch"' "$T/areas.check"))"
expect_flag "$T/areas.check" rdbox 1 \
    "area bounding boxes are in RD New metres"
run_ok areas-wijk st areas list --level wijk --format csv
expect_eq "$(csv_rows "$T/areas-wijk.out")" 15 "areas list --level wijk"

# ---- ingest the thefts ----
run_ok ingest st ingest "$THEFTS"
expect_contains "$T/ingest.out" "15947 rows read" "ingest report"
expect_contains "$T/ingest.out" "15947 accepted" "ingest report: every row accepted"
expect_contains "$T/ingest.out" "0 rejected" "ingest report: no rejects"
line=$(grep 'assigned to a buurt:' "$T/ingest.out") ||
    { show "$T/ingest.out"; fail "no 'assigned to a buurt' line in the report"; }
assigned=$(echo "$line" | sed -n 's/.*assigned to a buurt: \([0-9]*\) of \([0-9]*\) .*/\1/p')
of=$(echo "$line" | sed -n 's/.*assigned to a buurt: \([0-9]*\) of \([0-9]*\) .*/\2/p')
expect_eq "$of" 15947 "'of' in the assigned line"
# assigned / of >= 99%, in integers
[ $((assigned * 100)) -ge $((of * 99)) ] ||
    fail "only $assigned of $of thefts assigned to a buurt (< 99%): $line"
note "Groningen: $line"
batch=$(report_batch "$T/ingest.out")
[ -n "$batch" ] || { show "$T/ingest.out"; fail "no batch id in the ingest report"; }
expect_contains "$T/ingest.out" "theft.bike" "the thefts (A72 Diefstal Fiets) become theft.bike"

# ---- stats ----
run_ok stats st stats --level wijk --format csv
expect_eq "$(csv_header "$T/stats.out")" "area,name,kind,period,events" "stats header"
expect_eq "$(sum_col "$T/stats.out" events)" 15947 "stats --level wijk summed"
run_ok stats-b st stats --level buurt --format csv
expect_eq "$(sum_col "$T/stats-b.out" events)" 15947 "stats --level buurt summed"
# Outside every buurt ("(none)") is exactly what the report said was not assigned.
none=$(awk -F, '$1 == "(none)" { s += $NF } END { printf "%d\n", s }' "$T/stats-b.out")
expect_eq "$none" $((of - assigned)) "stats --level buurt (none) vs the report"
run_ok stats-m st stats --level wijk --period month --format csv
expect_eq "$(sum_col "$T/stats-m.out" events)" 15947 "stats --period month summed"
grep -q ',2016-03,' "$T/stats-m.out" || { show "$T/stats-m.out"; fail "no month 2016-03 in stats"; }
run_ok stats-w st stats --level wijk --period week --format csv
expect_eq "$(sum_col "$T/stats-w.out" events)" 15947 "stats --period week summed"
grep -q ',2016-W1[0-9],' "$T/stats-w.out" || { show "$T/stats-w.out"; fail "no ISO week in stats"; }
run_ok stats-2016 st stats --from 2016-01-01 --to 2016-12-31 --format csv
expect_eq "$(sum_col "$T/stats-2016.out" events)" "$y2016" "stats for 2016 summed"

# ---- events ----
run_ok ev2016 st events --kind theft.bike --from 2016-01-01 --to 2016-12-31 --format csv
expect_eq "$(csv_header "$T/ev2016.out")" "id,kind,t_from,t_to,x,y,lon,lat,wijk,buurt,street,count" \
    "events csv header"
expect_eq "$(csv_rows "$T/ev2016.out")" "$y2016" "events of 2016"
bad=$(csv_col "$T/ev2016.out" t_from | grep -vc '^2016-' || true)
expect_eq "$bad" 0 "events of 2016 that do not begin in 2016"
run_ok evtheft st events --kind theft --format csv
expect_eq "$(csv_rows "$T/evtheft.out")" 15947 "--kind theft includes theft.bike"
run_ok evnone st events --kind burglary --format csv
expect_eq "$(csv_rows "$T/evnone.out")" 0 "--kind burglary"
run_ok evmonth st events --from 2016-03 --to 2016-03 --format csv
mar=$(awk '$1 == "m201603" { print $2 }' "$T/truth")
expect_eq "$(csv_rows "$T/evmonth.out")" "$mar" "events --from 2016-03 --to 2016-03"

# The first incident of the file: RD and WGS84 coordinates as in the file.
first_street=Surinamestraat
run_ok evfirst st events --from 2017-09-20T17:30 --to 2017-09-20T17:31 --format csv
"$PY" - "$T/evfirst.out" "$first_street" <<'EOF' || fail "first incident not found or misplaced"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
ok = [r for r in rows if r["street"] == sys.argv[2] and abs(float(r["x"]) - 234234) < 0.5
      and abs(float(r["y"]) - 583983) < 0.5 and abs(float(r["lon"]) - 6.573923) < 2e-5
      and abs(float(r["lat"]) - 53.236559) < 2e-5 and r["t_from"].startswith("2017-09-20T17:30")
      and r["t_to"].startswith("2017-09-21T06:00") and r["wijk"].startswith("WK0014")]
if not ok:
    sys.exit("first incident (Surinamestraat, 234234/583983, 6.573923/53.236559) not in: %r" % rows)
EOF

run_ok json st events --kind theft.bike --limit 50 --format json
"$PY" -m json.tool "$T/json.out" >/dev/null || fail "events --format json is not valid JSON"
n=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d))' "$T/json.out")
expect_eq "$n" 50 "events --format json --limit 50"
run_ok json0 st events --kind burglary --format json
"$PY" -m json.tool "$T/json0.out" >/dev/null || fail "empty events --format json is not valid JSON"

run_ok geojson st events --limit 50 --format geojson
"$PY" -m json.tool "$T/geojson.out" >/dev/null || fail "events --format geojson is not valid JSON"
"$PY" - "$T/geojson.out" <<'EOF' || fail "events --format geojson is not a FeatureCollection of 50 points"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "FeatureCollection", d["type"]
assert len(d["features"]) == 50, len(d["features"])
for f in d["features"]:
    assert f["type"] == "Feature"
    lon, lat = f["geometry"]["coordinates"]
    assert 6.4 < lon < 6.8 and 53.1 < lat < 53.3, (lon, lat)
    assert f["properties"]["kind"] == "theft.bike"
EOF
run_ok geojson0 st events --kind burglary --format geojson
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["features"] == []' \
    "$T/geojson0.out" || fail "empty geojson is not an empty FeatureCollection"

run_ok table st events --limit 5
expect_contains "$T/table.out" "theft.bike" "events table"
expect_eq "$(wc -l <"$T/table.out" | tr -d ' ')" 6 "events --limit 5 as a table (header + 5)"

# --area: one wijk (the one with the most events) equals its stats count.
w=$(awk -F, 'NR > 1 && $1 != "(none)" { print $NF, $1 }' "$T/stats.out" | sort -rn | head -n 1)
wcode=${w#* }
wcount=${w%% *}
run_ok evarea st events --area "$wcode" --format csv
expect_eq "$(csv_rows "$T/evarea.out")" "$wcount" "events --area $wcode vs stats"
bad=$(csv_col "$T/evarea.out" wijk | grep -vxc "$wcode" || true)
expect_eq "$bad" 0 "events --area $wcode outside that wijk"
# and a buurt
b=$(awk -F, 'NR > 1 && $1 != "(none)" { print $NF, $1 }' "$T/stats-b.out" | sort -rn | head -n 1)
run_ok evbuurt st events --area "${b#* }" --format csv
expect_eq "$(csv_rows "$T/evbuurt.out")" "${b%% *}" "events --area ${b#* } vs stats"
# An unknown area code: either an error naming it, or no events.
if st events --area WK9999 --format csv >"$T/evbad.out" 2>"$T/evbad.err"; then
    expect_eq "$(csv_rows "$T/evbad.out")" 0 "events --area WK9999 (no such area)"
else
    expect_contains "$T/evbad.err" "WK9999" "events --area of an unknown code names it"
fi

# --bbox: a box around the city centre; compare with the file's lon/lat.
bbox=6.555,53.210,6.580,53.225
inbox=$("$PY" - "$T/thefts.csv" <<'EOF'
import csv, sys
n = 0
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    lon, lat = float(r["lon"]), float(r["lat"])
    # stay clear of the border: the store's lon/lat may differ in the 6th decimal
    if 6.555 <= lon <= 6.580 and 53.210 <= lat <= 53.225:
        n += 1
print(n)
EOF
)
run_ok evbbox st events --bbox "$bbox" --format csv
got=$(csv_rows "$T/evbbox.out")
[ "$inbox" -gt 1000 ] || fail "bbox test box holds only $inbox thefts; pick another"
diff=$((got - inbox))
[ "${diff#-}" -le 3 ] || fail "events --bbox $bbox: $got, the file's lon/lat say $inbox"
"$PY" - "$T/evbbox.out" <<'EOF' || fail "events --bbox returned an event outside the box"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    lon, lat = float(r["lon"]), float(r["lat"])
    assert 6.555 <= lon <= 6.580 and 53.210 <= lat <= 53.225, r
EOF
note "bbox: $got events (file: $inbox)"

# ---- the same file again: unchanged, still one batch ----
run_ok again st ingest "$THEFTS"
expect_contains "$T/again.out" "unchanged" "ingesting the same file again"
expect_contains "$T/again.out" "batch $batch" "the unchanged report names the first batch"
expect_eq "$(batch_count)" 1 "batches after ingesting the same file twice"
expect_eq "$(event_count)" 15947 "events after ingesting the same file twice"
run_ok sources st sources --format csv
expect_eq "$(csv_rows "$T/sources.out")" 1 "sources"
expect_eq "$(sum_col "$T/sources.out" events)" 15947 "events of the source"
expect_eq "$(sum_col "$T/sources.out" batches)" 1 "batches of the source"
run_ok batches st batches --format csv
expect_eq "$(csv_col "$T/batches.out" accepted)" 15947 "batches: accepted"
expect_eq "$(csv_col "$T/batches.out" status)" loaded "batch status"
sha=$(sha256sum "$THEFTS" | cut -d' ' -f1)
expect_eq "$(csv_col "$T/batches.out" sha256)" "$sha" "batch SHA-256 is the file's"
run_ok rejects st rejects "$batch" --format csv
expect_eq "$(csv_rows "$T/rejects.out")" 0 "rejects of the Groningen batch"

# ---- street lights ----
# What the data says: 31,805 rows, of which one repeats the row before it exactly and
# one is empty but for x_rd = y_rd = 0.
zcat "$LIGHTS" | "$PY" -c '
import csv, sys
r = csv.reader(sys.stdin)
next(r)
seen, n, dup, nocoord = set(), 0, [], []
for i, row in enumerate(r, start=2):
    n += 1
    if float(row[20]) == 0 and float(row[21]) == 0:
        nocoord.append(i)
    elif tuple(row) in seen:
        dup.append(i)
    seen.add(tuple(row))
print(n, n - len(dup) - len(nocoord), " ".join(map(str, dup)), " ".join(map(str, nocoord)))
' >"$T/lights.truth"
read -r lrows lacc ldup lnocoord <"$T/lights.truth"
expect_eq "$lrows $ldup $lnocoord" "31805 28924 4" "street-light file: rows, duplicate line, line without x/y"
run_ok lights st assets load --kind streetlight "$LIGHTS"
expect_contains "$T/lights.out" "31805 rows read" "street lights report"
acc=$(report_field "$T/lights.out" accepted)
expect_eq "$acc" "$lacc" "street lights accepted (all but the duplicate and the empty row)"
lb=$(report_batch "$T/lights.out")
run_ok lrej st rejects "$lb" --format csv
expect_eq "$(csv_col "$T/lrej.out" line | tr '\n' ' ')" "$lnocoord $ldup " "street-light reject lines"
grep -q "^$ldup,.*duplicate" "$T/lrej.out" || { show "$T/lrej.out"; fail "line $ldup not rejected as a duplicate"; }
run_ok assets st assets list --format csv
expect_eq "$(csv_header "$T/assets.out")" "kind,assets" "assets list header"
expect_contains "$T/assets.out" "streetlight,$lacc" "assets list"
run_ok assets-t st assets list
expect_contains "$T/assets-t.out" "streetlight" "assets list (table)"
# Assets are not events.
expect_eq "$(event_count)" 15947 "events after loading street lights"
# Every read of source data through the CLI is in the audit log, with its filters and
# the rows printed (here: the 2016 query above, 3,483 events).
run_ok audit st audit --format csv --limit 500
grep -q ',cli,read,events,.*--from 2016-01-01.*,3483,ok' "$T/audit.out" ||
    { show "$T/audit.out"; fail "the 2016 events read is not in the audit log with its rows"; }
expect_contains "$T/audit.out" ",cli,read,stats," "stats reads audited"
note "ok"
