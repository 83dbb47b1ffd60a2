#!/bin/sh
# Social domain end to end through the CLI: key ceremony, synthetic extracts, the
# source holder's stad pseudo, the transcryptor, import, link rates, analysis under
# the threshold rule, and a release refused by the differencing ledger.
set -eu
. "$(dirname "$0")/lib.inc"

KWB=$STAD_SOURCE_DIR/data/demo/utrecht/cbs-kerncijfers-wijken-buurten/utrecht_kwb_2023.csv
[ -r "$KWB" ] || fail "missing $KWB"

run_ok keys "$STAD" social keys --domain sociaal --dir "$T"
for f in source-v1.key transcryptor-v1.key domain-sociaal-v1.key; do
    [ -f "$T/$f" ] || fail "no $f"
done
expect_eq "$(stat -c %a "$T/transcryptor-v1.key")" 600 "transcryptor key mode"
expect_not_contains "$T/source-v1.key" "secret" "the source key holds no secret"
expect_exit 1 keys2 "$STAD" social keys --domain sociaal --dir "$T"
expect_contains "$T/keys2.err" "exist already" "keys are never overwritten"

run_ok synth "$STAD" social synth --kwb "$KWB" --out "$T" --scale 0.006 --seed 7
lp_rows=$(csv_rows "$T/leerplicht.csv")
expect_contains "$T/synth.out" "leerplicht.csv  $lp_rows rows" "synth reports its rows"

# What the raw extract holds (python, independent of stad): BSNs that fail the
# eleven test, and empty ones.
"$PY" - "$T/leerplicht.csv" >"$T/truth" <<'PYEOF'
import csv, sys
def ok(s):
    s = s.strip()
    if not s.isdigit() or len(s) not in (8, 9): return False
    s = s.zfill(9)
    t = sum((9 - i) * int(c) for i, c in enumerate(s[:8])) - int(s[8])
    return t % 11 == 0 and int(s) != 0
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
vals = [r["bsn_leerling"] for r in rows] + [r["bsn_ouder"] for r in rows]
print("invalid", sum(1 for v in vals if v.strip() and not ok(v)))
print("missing", sum(1 for v in vals if not v.strip()))
print("valid", sum(1 for v in vals if ok(v)))
PYEOF
invalid=$(awk '$1 == "invalid" { print $2 }' "$T/truth")
missing=$(awk '$1 == "missing" { print $2 }' "$T/truth")
valid=$(awk '$1 == "valid" { print $2 }' "$T/truth")
expect_ge "$invalid" 1 "the synthetic extract has mistyped BSNs"

run_ok pseudo "$STAD" pseudo --key "$T/source-v1.key" --policy "$T/leerplicht.policy" \
    "$T/leerplicht.csv" "$T/lp.pseudo.csv" --report "$T/lp.report"
expect_contains "$T/pseudo.out" "$lp_rows rows" "pseudo counts the rows"
expect_contains "$T/pseudo.out" "persons pseudonymised: $valid; BSN missing: $missing; BSN invalid (eleven test): $invalid" "BSN counts"
expect_contains "$T/pseudo.out" "lines with an invalid BSN:" "invalid BSN lines reported"
expect_contains "$T/pseudo.out" "dropped: naam_leerling" "names dropped"
expect_contains "$T/lp.report" "geboortedatum (age-band)" "report names the coarsened columns"
expect_eq "$(csv_header "$T/lp.pseudo.csv")" \
    "child,leeftijd,parent,household,buurt,wijk,period,gezin,verzuim,interventie,resultaat" \
    "pseudonymised header"
# No BSN, name, birth date or address left; no value of the file in the report.
"$PY" - "$T/leerplicht.csv" "$T/lp.pseudo.csv" "$T/lp.report" <<'PYEOF' || fail "identifying values left in the pseudonymised extract or report"
import csv, re, sys
raw = list(csv.DictReader(open(sys.argv[1], newline="")))
out = open(sys.argv[2]).read() + open(sys.argv[3]).read()
tokens = set(re.split(r'[,;:\s"]+', out))
secrets = set()
for r in raw:
    for k in ("bsn_leerling", "bsn_ouder", "geboortedatum", "postcode"):
        if r[k].strip(): secrets.add(r[k].strip())
bad = sorted(secrets & tokens)
if re.search(r"(?<![0-9A-Za-z_-])9[0-9]{8}(?![0-9])", out): bad.append("a 9-digit number")
if "(synthetisch)" in out: bad.append("a name")
if bad: sys.exit("found: %s" % bad[:5])
PYEOF

# A policy naming a column the file lacks is refused, naming the column.
printf '[policy]\nsource = x\n[columns]\nbsn_kind = person\nmaand = period\n' >"$T/bad.policy"
expect_exit 1 badpol "$STAD" pseudo --key "$T/source-v1.key" --policy "$T/bad.policy" \
    "$T/leerplicht.csv" "$T/bad.csv"
expect_contains "$T/badpol.err" "bsn_kind" "missing policy column named"
[ ! -e "$T/bad.csv" ] || fail "a failed run left an output file"
# Only the source key pseudonymises.
expect_exit 1 wrongkey "$STAD" pseudo --key "$T/domain-sociaal-v1.key" \
    --policy "$T/leerplicht.policy" "$T/leerplicht.csv" "$T/x.csv"

for s in inkomen wijkteam; do
    run_ok "p_$s" "$STAD" pseudo --key "$T/source-v1.key" --policy "$T/$s.policy" \
        "$T/$s.csv" "$T/$s.pseudo.csv"
done
# The analysis domain cannot read what comes straight from a source.
expect_exit 1 direct "$STAD" social import --db "$T/social.db" \
    --key "$T/domain-sociaal-v1.key" --source leerplicht "$T/lp.pseudo.csv"
expect_contains "$T/direct.err" "transcryptor first" "untranscrypted import refused"

run_ok tc "$STAD" social transcrypt --key "$T/transcryptor-v1.key" --domain sociaal \
    "$T/lp.pseudo.csv" "$T/lp.tc.csv"
for s in inkomen wijkteam; do
    run_ok "tc_$s" "$STAD" social transcrypt --key "$T/transcryptor-v1.key" --domain sociaal \
        "$T/$s.pseudo.csv" "$T/$s.tc.csv"
done
run_ok imp "$STAD" social import --db "$T/social.db" --key "$T/domain-sociaal-v1.key" \
    --source leerplicht "$T/lp.tc.csv"
expect_contains "$T/imp.out" "$lp_rows rows" "all rows imported"
for s in inkomen wijkteam; do
    run_ok "imp_$s" "$STAD" social import --db "$T/social.db" \
        --key "$T/domain-sociaal-v1.key" --source "$s" "$T/$s.tc.csv"
done
# Importing again replaces, it does not double.
run_ok imp2 "$STAD" social import --db "$T/social.db" --key "$T/domain-sociaal-v1.key" \
    --source leerplicht "$T/lp.tc.csv"
n=$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from record where source=\"leerplicht\"").fetchone()[0])' "$T/social.db")
expect_eq "$n" "$lp_rows" "rows after re-import"

# The social store holds pseudonyms only: no 9-digit number, no address, no name.
"$PY" - "$T/social.db" <<'PYEOF' || fail "identifying values in the social store"
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (t,) in db.execute("select name from sqlite_master where type='table'").fetchall():
    for row in db.execute("select * from %s" % t):
        for v in row:
            s = str(v)
            if re.fullmatch(r"[0-9]{8,9}", s) or "adr:" in s or "synthetisch" in s:
                sys.exit("table %s holds %r" % (t, s))
PYEOF

run_ok link "$STAD" social link --db "$T/social.db" --base leerplicht
grep -E '^inkomen +2024-05 ' "$T/link.out" | grep -q ' 0.0%$' ||
    fail "inkomen ends in 2024-04: May should link nothing"
grep -E '^inkomen +2024-01 ' "$T/link.out" | grep -vq ' 0.0%$' ||
    fail "inkomen links in 2024-01"

run_ok an "$STAD" social analyse --db "$T/social.db" --base leerplicht --outcome verzuim=ja \
    --by in_inkomen,wijk --from 2024-01 --to 2024-04
expect_contains "$T/an.out" "suppressed (fewer households than the threshold)" "threshold rule"
expect_contains "$T/an.out" "suppressed (secondary)" "secondary suppression"
expect_contains "$T/an.out" "in_inkomen=yes (vs no)" "logistic regression"
# No published row shows fewer than 10 households.
awk '$1 ~ /^(yes|no)$/ && $3 != "-" && $4 < 10 { bad = 1 } END { exit bad }' "$T/an.out" ||
    fail "a published cell has fewer than 10 households"

run_ok rel1 "$STAD" social release --db "$T/social.db" --base leerplicht --outcome verzuim=ja \
    --by wijk --from 2024-01 --to 2024-04 per-wijk
expect_exit 1 rel2 "$STAD" social release --db "$T/social.db" --base leerplicht \
    --outcome verzuim=ja --by wijk --where in_inkomen=no --from 2024-01 --to 2024-04 zonder
expect_contains "$T/rel2.err" "refused" "differencing against release per-wijk"
expect_contains "$T/rel2.err" "per-wijk" "names the earlier release"
n=$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from release").fetchone()[0])' "$T/social.db")
expect_eq "$n" 1 "a refused release is not recorded"
note "ok"
