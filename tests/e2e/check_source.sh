#!/bin/sh
# scripts/check-source: src/ has no banned calls, and the checker does find each banned
# call (and only calls: not names in comments, strings or longer identifiers).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.inc"
CHECK="$STAD_SOURCE_DIR/scripts/check-source"

run_ok src "$CHECK" "$STAD_SOURCE_DIR/src"

mkdir "$T/bad"
cat >"$T/bad/bad.c" <<'C'
/* sprintf(x) in a comment is fine, so is strcpy( in a
 * multi-line comment */
void f(char *d, const char *s, char **save)
{
    char b[8];
    snprintf(b, sizeof b, "%s", "sprintf(");   // snprintf and a string are fine
    stad_strcat_safe(d, s);
    sprintf(d, "%d", 1);
    strcpy (d, s);
    strcat(d, s);
    int n = atoi(s);
    char *t = strtok(d, ",");
    gets(d);
    (void)n; (void)t; (void)save; (void)b;
}
C
expect_exit 1 bad "$CHECK" "$T/bad"
for call in sprintf strcpy strcat atoi strtok gets; do
    expect_contains "$T/bad.out" ": $call(): use " "check-source finds $call"
done
expect_eq "$(wc -l <"$T/bad.out" | tr -d ' ')" 6 "findings (comments, strings and snprintf not counted)"
expect_contains "$T/bad.out" "bad.c:8: sprintf(): use snprintf" "line number and replacement"
note "ok"
