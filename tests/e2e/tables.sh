#!/bin/sh
# Tables in Word/ODF/PDF files end to end: `stad tables` previews, and `stad ingest` of
# a .docx, an .odt and PDFs loads the same events as the spreadsheet they were made
# from (tests/data/tables/NAME.expected.csv), with rejects naming page and row.
set -eu
. "$(dirname "$0")/lib.inc"

F=$STAD_SOURCE_DIR/tests/data/tables
for f in monthly.docx monthly.pdf merged.docx merged.pdf spanning.pdf spanning-groff.pdf \
    dutch.odt dutch.pdf scanned.pdf merged.expected.csv; do
    [ -r "$F/$f" ] || fail "missing fixture $F/$f (tests/data/tables/make-fixtures.sh)"
done

# ---- preview ----
run_ok prev "$STAD" tables "$F/monthly.docx"
expect_contains "$T/prev.out" "docx, 5 tables" "five weekly tables in the monthly list"
expect_contains "$T/prev.out" "same header as table 1: read together" "weekly tables share a header"
expect_contains "$T/prev.out" "PL0100_BVH_2533470" "first record of March 2016"
run_ok prevpdf "$STAD" tables "$F/merged.pdf" --rows 1
expect_contains "$T/prevpdf.out" "1 table" "merged.pdf: one table over its pages"
expect_contains "$T/prevpdf.out" "Pleegdatum van" "grouped header cells joined"
expect_not_contains "$T/prevpdf.out" "Team Toezicht" "page header dropped"
run_ok one "$STAD" tables "$F/monthly.pdf" --table 2 --rows 0 --format csv
expect_eq "$(csv_rows "$T/one.out")" 56 "week 10 of the monthly list (table 2)"
expect_exit 1 scan "$STAD" tables "$F/scanned.pdf"
expect_contains "$T/scan.err" "needs OCR" "a scanned PDF"
printf 'not a zip' >"$T/broken.docx"
expect_exit 1 broken "$STAD" tables "$T/broken.docx"
expect_contains "$T/broken.err" "not a zip archive" "a damaged .docx"

# events of a store as CSV without the store's own ids
events_of() {
    "$STAD" --store "$1" events --format csv >"$T/_ev.csv" || fail "stad events on $1"
    cut -d, -f2- "$T/_ev.csv" | sort
}

# ---- Groningen: the merged-header layout as csv, docx and pdf ----
for kind in csv docx pdf; do
    db=$T/$kind.db
    run_ok "init-$kind" "$STAD" --store "$db" init --city groningen
    case $kind in
    csv) src=$F/merged.expected.csv ;;
    *) src=$F/merged.$kind ;;
    esac
    run_ok "ing-$kind" "$STAD" --store "$db" ingest "$src" --source juni
    expect_contains "$T/ing-$kind.out" "150 rows read, 149 accepted, 1 rejected" "$kind: ingest report"
    events_of "$db" >"$T/events-$kind.txt"
    expect_eq "$(wc -l <"$T/events-$kind.txt")" 150 "$kind: events (149 and the header)"
done
cmp -s "$T/events-csv.txt" "$T/events-docx.txt" || fail "merged.docx events differ from the csv's"
cmp -s "$T/events-csv.txt" "$T/events-pdf.txt" || fail "merged.pdf events differ from the csv's"

# rejects name the page (PDF) or the table (docx) and the row there
run_ok rej-pdf "$STAD" --store "$T/pdf.db" rejects 1 --format csv
expect_contains "$T/rej-pdf.out" "page 2, row 14: impossible date" "PDF reject with page and row"
run_ok rej-docx "$STAD" --store "$T/docx.db" rejects 1 --format csv
expect_contains "$T/rej-docx.out" "table 1, row 43: impossible date" "docx reject with table and row"

# the same file again is a no-op; --table 1 of the monthly list loads week 9 only
run_ok again "$STAD" --store "$T/pdf.db" ingest "$F/merged.pdf" --source juni
expect_contains "$T/again.out" "unchanged" "PDF ingested twice"
run_ok week "$STAD" --store "$T/pdf.db" ingest "$F/monthly.docx" --table 1
expect_contains "$T/week.out" "54 rows read, 54 accepted" "--table 1: week 9"
run_ok month "$STAD" --store "$T/pdf.db" ingest "$F/monthly.pdf"
expect_contains "$T/month.out" "283 rows read, 283 accepted, 0 rejected" "all weeks of monthly.pdf"

# ---- Dutch formats: decimal commas and Dutch dates ----
run_ok initnl "$STAD" --store "$T/nl.db" init --city groningen
run_ok nlcsv "$STAD" --store "$T/nl.db" ingest "$F/dutch.expected.csv"
run_ok initnl2 "$STAD" --store "$T/nl2.db" init --city groningen
run_ok nlpdf "$STAD" --store "$T/nl2.db" ingest "$F/dutch.pdf"
expect_contains "$T/nlpdf.out" "120 rows read, 120 accepted, 0 rejected" "dutch.pdf"
[ "$(events_of "$T/nl.db")" = "$(events_of "$T/nl2.db")" ] || fail "dutch.pdf events differ from the csv's"

# ---- Cincinnati: a table over 6-8 pages, from LibreOffice and from groff ----
for kind in csv pdf groff; do
    db=$T/c-$kind.db
    run_ok "cinit-$kind" "$STAD" --store "$db" init --city cincinnati
    case $kind in
    csv) src=$F/spanning.expected.csv ;;
    pdf) src=$F/spanning.pdf ;;
    groff) src=$F/spanning-groff.pdf ;;
    esac
    run_ok "cing-$kind" "$STAD" --store "$db" ingest "$src"
    expect_contains "$T/cing-$kind.out" "343 rows read, 343 accepted, 0 rejected" "$kind: Cincinnati"
    events_of "$db" >"$T/cev-$kind.txt"
done
cmp -s "$T/cev-csv.txt" "$T/cev-pdf.txt" || fail "spanning.pdf events differ from the csv's"
cmp -s "$T/cev-csv.txt" "$T/cev-groff.txt" || fail "spanning-groff.pdf events differ from the csv's"
note "docx, odt and PDF tables load the same events as their spreadsheets"
