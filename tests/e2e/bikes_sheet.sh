#!/bin/sh
# The PDF route sheet on the real Groningen street network: `stad bikes plan --format
# pdf` writes a PDF (checked with poppler's pdfinfo) whose stop table, read back with
# stad's own PDF table reader (`stad tables`), lists the plan's stops per enforcer in
# the plan's order, with their wijk; a sheet that cannot be written leaves no file.
set -eu
. "$(dirname "$0")/lib.inc"
need pdfinfo

groningen_streets_store

PLAN="--date 2017-10-02 --enforcers 2 --hours 5"
# shellcheck disable=SC2086
run_ok json st bikes plan $PLAN --format json --out "$T/plan.json"
# shellcheck disable=SC2086
run_ok pdf st bikes plan $PLAN --format pdf --out "$T/route.pdf"
pdfinfo "$T/route.pdf" >"$T/pdfinfo.out" 2>&1 || { show "$T/pdfinfo.out"; fail "pdfinfo cannot read the sheet"; }
expect_contains "$T/pdfinfo.out" "Routeblad Weesfietsen 2017-10-02" "the sheet's title"
expect_contains "$T/pdfinfo.out" "A4" "A4 pages"
PAGES=$(awk '$1 == "Pages:" { print $2 }' "$T/pdfinfo.out")
expect_ge "$PAGES" 2 "a page (or more) per enforcer"

run_ok tables st tables "$T/route.pdf" --rows 0 --format csv
expect_eq "$(csv_header "$T/tables.out")" "stop,tijd,nr,straat,wijk,taak,verwacht,labels,verwijderd,opmerking" \
    "the stop table's columns"
"$PY" - "$T/plan.json" "$T/tables.out" >"$T/compare.out" <<'PY'
import csv, json, sys
stops = sorted((x["properties"] for x in json.load(open(sys.argv[1]))["features"]
                if x["properties"]["type"] == "stop"),
               key=lambda p: (p["enforcer"], p["order"]))
rows = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
print("stops", len(stops), "rows", len(rows))
print("streets", int([int(r["nr"]) for r in rows] == [p["street_id"] for p in stops]))
print("order", int([int(r["stop"]) for r in rows] == [p["order"] for p in stops]))
print("task", int([r["taak"] for r in rows] == ["nacontrole" if p["action"] == "followup" else "labelen" for p in stops]))
print("wijk", sum(1 for r in rows if r["wijk"] not in ("", "-")))
print("empty", int(all(r["labels"] == r["verwijderd"] == r["opmerking"] == "" for r in rows)))
PY
[ "$(awk '$1 == "stops" { print $2 }' "$T/compare.out")" -ge 4 ] || fail "too few stops: $(cat "$T/compare.out")"
expect_eq "$(awk '$1 == "stops" { print $2 }' "$T/compare.out")" "$(awk '$1 == "stops" { print $4 }' "$T/compare.out")" \
    "a table row per stop"
expect_eq "$(awk '$1 == "streets" { print $2 }' "$T/compare.out")" 1 "street ids in the plan's order"
expect_eq "$(awk '$1 == "order" { print $2 }' "$T/compare.out")" 1 "stops numbered 1..n per enforcer"
expect_eq "$(awk '$1 == "task" { print $2 }' "$T/compare.out")" 1 "label or follow-up per stop"
expect_ge "$(awk '$1 == "wijk" { print $2 }' "$T/compare.out")" 1 "stops name their wijk"
expect_eq "$(awk '$1 == "empty" { print $2 }' "$T/compare.out")" 1 "the columns to fill in are empty"

# to a pipe without --out
# shellcheck disable=SC2086
st bikes plan $PLAN --format pdf | head -c 5 >"$T/magic.out"
expect_eq "$(cat "$T/magic.out")" "%PDF-" "a PDF on standard output"

# ---- bad input: an unwritable destination leaves nothing ----
# shellcheck disable=SC2086
expect_exit 1 badout st bikes plan $PLAN --format pdf --out "$T/no-such-dir/route.pdf"
expect_contains "$T/badout.err" "cannot write" "a clear message"
[ ! -e "$T/no-such-dir" ] || fail "a folder appeared"
expect_exit 2 badfmt st bikes plan --format docx
note "ok"
