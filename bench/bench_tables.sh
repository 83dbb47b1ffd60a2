#!/bin/sh
# Tables from PDF: pages per second of `stad tables` on a 200-page report (Groningen
# bike thefts as a groff tbl table with a header repeated on every page and a page
# footer), against poppler's own `pdftotext -layout` of the same file in the same run
# (text only, no tables: the floor for reading the words). Asserts nothing.
#   env STAD (the binary), STAD_SHARED_DATA, STAD_TMP; needs groff and pdftotext.
set -eu
: "${STAD:?}" "${STAD_SHARED_DATA:?}"
for t in groff pdftotext python3; do
    command -v $t >/dev/null || { echo "bench_tables: needs $t (scripts/install-deps)"; exit 0; }
done
T=$(mktemp -d "${STAD_TMP:-/tmp}/bench-tables.XXXXXX")
trap 'rm -rf "$T"' EXIT
python3 - "$STAD_SHARED_DATA" "$T/report.tr" <<'PY'
import csv, gzip, sys
rows = list(csv.DictReader(gzip.open(sys.argv[1] +
    "/groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz",
    "rt", encoding="utf-8", newline="")))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(".nr PS 8\n.nr VS 10\n.nr LL 17c\n.ds CF page %\n.LP\nBike thefts\n.sp\n")
    f.write(".TS H\ntab(\t);\nl l l l r r.\nincident_id\tbegin_datumtijd\tstraat\tpostcode\tx_rd\ty_rd\n.TH\n")
    for r in rows[:12600]:
        f.write("\t".join([r["incident_id"], r["begin_datumtijd"], r["straat"], r["postcode"],
                           r["x_rd"], r["y_rd"]]) + "\n")
    f.write(".TE\n")
PY
groff -t -ms -Tpdf "$T/report.tr" >"$T/report.pdf" 2>/dev/null
pages=$(pdfinfo "$T/report.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
now() { python3 -c 'import time; print(time.monotonic())'; }
best() { # best of 3 runs, seconds
    b=""
    for _ in 1 2 3; do
        t0=$(now); "$@" >/dev/null; t1=$(now)
        b=$(python3 -c "import sys; a=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(a, float(b)) if b else a)" "$t0" "$t1" "$b")
    done
    echo "$b"
}
base=$(best pdftotext -layout "$T/report.pdf" -)
ours=$(best "$STAD" tables "$T/report.pdf" --rows 0 --format csv)
rows=$("$STAD" tables "$T/report.pdf" --rows 0 --format csv | tail -n +2 | wc -l)
python3 - "$pages" "$rows" "$base" "$ours" <<'PY'
import sys
pages, rows, base, ours = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print("%d-page PDF, %d table rows found (12600 written)" % (pages, rows))
print("pdftotext -layout : %.2f s  %6.0f pages/s (baseline)" % (base, pages / base))
print("stad tables       : %.2f s  %6.0f pages/s  ratio to baseline %.2f" % (ours, pages / ours, ours / base))
PY
