/* The source holder's step: an extract becomes a pseudonymised CSV. BSNs become
 * ciphertexts only when they pass the eleven test; the address becomes a household
 * ciphertext; dates are coarsened; columns the policy does not keep are dropped.
 * The report holds counts and line numbers, never a value from the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"
#include "social_internal.h"
#include "social_policy.h"
#include "stad/timeparse.h"

void stad_pseudo_report_free(stad_pseudo_report *r)
{
    if (r) {
        free(r->columns);
        r->columns = NULL;
    }
}

/* yyyy-mm from "2024-03", "2024-03-15", "15-03-2024", ...; -1 if none. */
static int period_of(const char *s, int *y, int *m)
{
    if (strlen(s) == 7 && s[4] == '-') {
        char *end;
        long yy = strtol(s, &end, 10);
        if (end != s + 4)
            return -1;
        long mm = strtol(s + 5, &end, 10);
        if (*end || yy < 1900 || yy > 2200 || mm < 1 || mm > 12)
            return -1;
        *y = (int)yy;
        *m = (int)mm;
        return 0;
    }
    int64_t t;
    if (stad_time_parse(s, &t, NULL, NULL))
        return -1;
    int d;
    stad_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, y, m, &d);
    return 0;
}

static int date_of(const char *s, int *y, int *m, int *d)
{
    int64_t t;
    if (stad_time_parse(s, &t, NULL, NULL))
        return -1;
    stad_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, y, m, d);
    return 0;
}

typedef struct col_plan {
    const policy_rule *rule; /* NULL: not in the policy */
    int out;                 /* output column, -1 none */
} col_plan;

static void describe(stad_strbuf *b, const char *label, char *const *headers,
                     const col_plan *plan, size_t n, int which)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const policy_rule *r = plan[i].rule;
        int cat = !r ? 3
                  : r->action == POL_DROP ? 2
                  : r->action == POL_KEEP ? 0
                                          : 1;
        if (cat != which)
            continue;
        stad_strbuf_printf(b, "%s%s", any ? ", " : (b->len ? "; " : ""), any ? "" : label);
        stad_strbuf_append(b, headers[i]);
        if (cat == 1)
            stad_strbuf_printf(b, " (%s)", policy_action_name(r->action));
        any = 1;
    }
}

int stad_pseudo_file(stad_ctx *ctx, const stad_pseudo_key *src,
                     const stad_pseudo_policy *pol, const char *in_path,
                     const char *out_path, stad_pseudo_report *rep)
{
    memset(rep, 0, sizeof *rep);
    if (!src || src->role != STAD_KEY_SOURCE)
        return stad_fail(ctx, STAD_EINVAL, "stad pseudo needs the source (public) key");
    ingest_reader *rd = NULL;
    int rc = ingest_reader_open(ctx, in_path, NULL, &rd);
    if (rc)
        return rc;
    size_t nc = rd->ncols;
    col_plan *plan = calloc(nc ? nc : 1, sizeof *plan);
    const char **outnames = calloc(nc + 2, sizeof *outnames);
    const char **cells = calloc(nc + 2, sizeof *cells);
    char (*bufs)[STAD_PSEUDO_TEXT_MAX] = calloc(nc + 2, sizeof *bufs);
    social_csv w = {0};
    if (!plan || !outnames || !cells || !bufs) {
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        goto done;
    }
    /* Plan the output: kept and coarsened columns in input order, one "household"
     * column where the first address part stood. */
    size_t nout = 0;
    int hh_out = -1, period_col = -1, hh_col[4] = {-1, -1, -1, -1};
    for (size_t i = 0; i < nc; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", rd->headers[i]);
        /* trim: FEBRL-like headers carry spaces */
        char *h = name;
        while (*h == ' ')
            h++;
        size_t hl = strlen(h);
        while (hl && h[hl - 1] == ' ')
            h[--hl] = '\0';
        const policy_rule *r = policy_find(pol, h);
        plan[i].rule = r;
        plan[i].out = -1;
        if (!r || r->action == POL_DROP)
            continue;
        if (r->action >= POL_HH_POSTCODE && r->action <= POL_HH_BAG) {
            if (hh_col[r->action - POL_HH_POSTCODE] >= 0) {
                rc = stad_fail(ctx, STAD_EINVAL, "%s: two columns for %s", in_path,
                               policy_action_name(r->action));
                goto done;
            }
            hh_col[r->action - POL_HH_POSTCODE] = (int)i;
            if (hh_out < 0) {
                hh_out = (int)nout;
                outnames[nout++] = "household";
            }
            continue;
        }
        if (r->action == POL_PERIOD)
            period_col = (int)i;
        plan[i].out = (int)nout;
        outnames[nout++] = r->output;
    }
    for (size_t i = 0; i < pol->n; i++) {
        int found = 0;
        for (size_t k = 0; k < nc; k++)
            found |= plan[k].rule == &pol->rules[i];
        if (!found && pol->rules[i].action != POL_DROP) {
            rc = stad_fail(ctx, STAD_ECOLUMNS, "%s: column '%s' of the policy (line %d) is "
                                               "not in the file",
                           in_path, pol->rules[i].header, pol->rules[i].line);
            goto done;
        }
    }
    if (hh_col[0] >= 0 && hh_col[1] < 0) {
        rc = stad_fail(ctx, STAD_ECOLUMNS, "%s: a household address needs "
                                           "household-postcode and household-number",
                       in_path);
        goto done;
    }
    if (nout == 0) {
        rc = stad_fail(ctx, STAD_EINVAL, "%s: the policy keeps no column", in_path);
        goto done;
    }
    stad_strbuf desc = STAD_STRBUF_INIT;
    describe(&desc, "kept: ", rd->headers, plan, nc, 0);
    describe(&desc, "pseudonymised or coarsened: ", rd->headers, plan, nc, 1);
    describe(&desc, "dropped: ", rd->headers, plan, nc, 2);
    describe(&desc, "not in the policy, dropped: ", rd->headers, plan, nc, 3);
    rep->columns = stad_strbuf_take(&desc);

    if ((rc = social_csv_open(ctx, out_path, &w)))
        goto done;
    if ((rc = social_csv_row(ctx, &w, outnames, nout)))
        goto done;
    ingest_row row;
    int r;
    while ((r = ingest_reader_next(rd, &row)) == 1) {
        rep->rows++;
        for (size_t k = 0; k < nout; k++) {
            bufs[k][0] = '\0';
            cells[k] = bufs[k];
        }
        int py = 0, pm = 0, have_period = 0;
        if (period_col >= 0 && (size_t)period_col < row.n && row.field[period_col][0])
            have_period = period_of(row.field[period_col], &py, &pm) == 0;
        for (size_t i = 0; i < nc; i++) {
            const policy_rule *pr = plan[i].rule;
            if (!pr || plan[i].out < 0)
                continue;
            const char *v = i < row.n ? row.field[i] : "";
            char *o = bufs[plan[i].out];
            int y, m, d;
            switch (pr->action) {
            case POL_KEEP:
                cells[plan[i].out] = v;
                break;
            case POL_PERSON: {
                char bsn[10];
                if (!v[0] || strspn(v, " \t") == strlen(v)) {
                    rep->bsn_missing++;
                } else if (!stad_bsn_check(v, bsn)) {
                    rep->bsn_invalid++;
                    if (rep->n_invalid_lines < 20)
                        rep->invalid_lines[rep->n_invalid_lines++] = row.line;
                } else {
                    if ((rc = stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_PERSON, bsn, o)))
                        goto done;
                    rep->persons++;
                }
                sodium_memzero(bsn, sizeof bsn);
                break;
            }
            case POL_AGE_BAND:
                if (v[0] && date_of(v, &y, &m, &d) == 0) {
                    int ry, rm, rd_;
                    if (have_period) {
                        ry = py;
                        rm = pm;
                        rd_ = 1;
                    } else if (pol->reference >= 0) {
                        stad_civil_from_days(pol->reference / 86400, &ry, &rm, &rd_);
                    } else {
                        rc = stad_fail(ctx, STAD_EINVAL, "%s: age bands need a period column "
                                                         "or reference_date in the policy",
                                       in_path);
                        goto done;
                    }
                    int age = ry - y - ((rm < m || (rm == m && rd_ < d)) ? 1 : 0);
                    policy_band_label(pol, age, o, STAD_PSEUDO_TEXT_MAX);
                }
                break;
            case POL_YEAR:
                if (v[0] && date_of(v, &y, &m, &d) == 0)
                    snprintf(o, STAD_PSEUDO_TEXT_MAX, "%04d", y);
                break;
            case POL_MONTH:
            case POL_PERIOD:
                if (v[0] && period_of(v, &y, &m) == 0)
                    snprintf(o, STAD_PSEUDO_TEXT_MAX, "%04d-%02d", y, m);
                break;
            case POL_PC4: {
                size_t k = 0;
                for (const char *p = v; *p && k < 4; p++)
                    if (*p >= '0' && *p <= '9')
                        o[k++] = *p;
                o[k == 4 ? k : 0] = '\0';
                break;
            }
            default:
                break;
            }
        }
        if (hh_out >= 0) {
            const char *part[4];
            for (int k = 0; k < 4; k++)
                part[k] = hh_col[k] >= 0 && (size_t)hh_col[k] < row.n ? row.field[hh_col[k]] : "";
            char key[96];
            if (stad_household_key(part[3], part[0], part[1], part[2], key, sizeof key) == 0) {
                if ((rc = stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_HOUSEHOLD, key,
                                              bufs[hh_out])))
                    goto done;
                rep->households++;
            } else {
                rep->household_missing++;
            }
            sodium_memzero(key, sizeof key);
        }
        if ((rc = social_csv_row(ctx, &w, cells, nout)))
            goto done;
        if ((rep->rows & 1023) == 0 &&
            (rc = stad_progress(ctx, "pseudonymising", rd->bytes_done, rd->bytes_total)))
            goto done;
    }
    if (r < 0)
        rc = r;
done:
    if (w.f) {
        int rc2 = social_csv_close(ctx, &w, rc == 0);
        if (!rc)
            rc = rc2;
    }
    ingest_reader_close(rd);
    free(plan);
    free(outnames);
    free(cells);
    if (bufs)
        sodium_memzero(bufs, (nc + 2) * sizeof *bufs);
    free(bufs);
    return rc;
}

int stad_pseudo_transcrypt_file(stad_ctx *ctx, const stad_pseudo_key *tk,
                                const char *domain, const char *in_path,
                                const char *out_path, int64_t *n)
{
    *n = 0;
    social_pep_tc tc;
    int rc = social_pep_prepare(ctx, tk, domain, &tc);
    if (rc)
        return rc;
    ingest_reader *rd = NULL;
    if ((rc = ingest_reader_open(ctx, in_path, NULL, &rd))) {
        sodium_memzero(&tc, sizeof tc);
        return rc;
    }
    size_t nc = rd->ncols;
    const char **cells = calloc(nc ? nc : 1, sizeof *cells);
    char (*bufs)[STAD_PSEUDO_TEXT_MAX] = calloc(nc ? nc : 1, sizeof *bufs);
    social_csv w = {0};
    if (!cells || !bufs) {
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nc; i++)
        cells[i] = rd->headers[i];
    if ((rc = social_csv_open(ctx, out_path, &w)) ||
        (rc = social_csv_row(ctx, &w, cells, nc)))
        goto done;
    ingest_row row;
    int r;
    static const char prefix[] = STAD_PSEUDO_SCHEME ".";
    while ((r = ingest_reader_next(rd, &row)) == 1) {
        for (size_t i = 0; i < nc; i++) {
            const char *v = i < row.n ? row.field[i] : "";
            cells[i] = v;
            if (strncmp(v, prefix, sizeof prefix - 1) == 0) {
                if ((rc = social_pep_transcrypt(ctx, &tc, v, bufs[i]))) {
                    char msg[256];
                    snprintf(msg, sizeof msg, "%s", stad_errmsg(ctx));
                    rc = stad_fail(ctx, rc, "%s:%lld: column %s: %s", in_path,
                                   (long long)row.line, rd->headers[i], msg);
                    goto done;
                }
                cells[i] = bufs[i];
                (*n)++;
            }
        }
        if ((rc = social_csv_row(ctx, &w, cells, nc)))
            goto done;
    }
    if (r < 0)
        rc = r;
done:
    if (w.f) {
        int rc2 = social_csv_close(ctx, &w, rc == 0);
        if (!rc)
            rc = rc2;
    }
    ingest_reader_close(rd);
    free(cells);
    free(bufs);
    sodium_memzero(&tc, sizeof tc);
    return rc;
}
