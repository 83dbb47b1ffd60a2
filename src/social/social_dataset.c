/* Analysis units: the base source's rows in the period range that pass the filters
 * and have an outcome, each with its household, period, outcome and profile
 * variables coded as small integers. */
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

typedef struct raw {
    size_t n;
    int64_t *id, *hh;
    char **period;
    char **outcome;
    int *keep;
} raw;

static long find(const raw *r, int64_t id)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n && r->id[lo] == id ? (long)lo : -1;
}

/* Calls back with (index into r, value) for every value of column col. */
static int each_value(stad_social_db *db, const raw *r, const char *base, const char *col,
                      char **dst)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT v.record, v.value FROM record_value v JOIN record r ON "
                           "r.id = v.record WHERE r.source = ?1 AND v.col = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "values");
    sqlite3_bind_text(st, 1, base, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        long i = find(r, sqlite3_column_int64(st, 0));
        if (i < 0)
            continue;
        free(dst[i]);
        if (!(dst[i] = strdup((const char *)sqlite3_column_text(st, 1)))) {
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && s != SQLITE_DONE)
        rc = social_db_fail(db, "values");
    sqlite3_finalize(st);
    return rc;
}

/* Marks dst[i] = "yes"/"no": linked to source `other` in the same period. */
static int linked(stad_social_db *db, const raw *r, const char *base, const char *other,
                  char **dst)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            db->db,
            "SELECT r.id FROM record r WHERE r.source = ?1 AND ("
            "EXISTS(SELECT 1 FROM record_person rp JOIN record_person op ON op.person = "
            "rp.person JOIN record o ON o.id = op.record WHERE rp.record = r.id AND "
            "o.source = ?2 AND o.period = r.period) OR (r.household IS NOT NULL AND "
            "EXISTS(SELECT 1 FROM record o WHERE o.household = r.household AND o.period = "
            "r.period AND o.source = ?2)))",
            -1, &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "linked");
    sqlite3_bind_text(st, 1, base, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, other, -1, SQLITE_TRANSIENT);
    unsigned char *mark = calloc(r->n ? r->n : 1, 1);
    int rc = mark ? 0 : stad_fail(db->ctx, STAD_ENOMEM, "out of memory"), s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        long i = find(r, sqlite3_column_int64(st, 0));
        if (i >= 0)
            mark[i] = 1;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < r->n && !rc; i++)
        if (!(dst[i] = strdup(mark[i] ? "yes" : "no")))
            rc = stad_fail(db->ctx, STAD_ENOMEM, "out of memory");
    free(mark);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Codes strings (NULL -> "(missing)") of the kept units into levels. */
static int code_var(social_var *v, char **val, const size_t *units, size_t n)
{
    char **tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        tmp[i] = val[units[i]] ? val[units[i]] : "(missing)";
    qsort(tmp, n, sizeof *tmp, cmp_str);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        if (!nl || strcmp(tmp[i], tmp[nl - 1]) != 0)
            tmp[nl++] = tmp[i];
    v->levels = calloc(nl ? nl : 1, sizeof *v->levels);
    v->code = malloc((n ? n : 1) * sizeof *v->code);
    int rc = v->levels && v->code ? 0 : STAD_ENOMEM;
    for (size_t i = 0; i < nl && !rc; i++)
        if (!(v->levels[i] = strdup(tmp[i])))
            rc = STAD_ENOMEM;
    v->n_levels = nl;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *s = val[units[i]] ? val[units[i]] : "(missing)";
        char **hit = bsearch(&s, tmp, nl, sizeof *tmp, cmp_str);
        v->code[i] = (int32_t)(hit - tmp);
    }
    free(tmp);
    return rc;
}

void social_dataset_free(social_dataset *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->n_vars; k++) {
        social_var *v = &d->vars[k];
        free(v->name);
        for (size_t i = 0; i < v->n_levels; i++)
            free(v->levels[i]);
        free(v->levels);
        free(v->code);
    }
    free(d->vars);
    for (size_t i = 0; i < d->n_periods; i++)
        free(d->periods[i]);
    free(d->periods);
    free(d->hh);
    free(d->period);
    free(d->y);
    free(d);
}

static void free_strs(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

int social_dataset_load(stad_social_db *db, const stad_social_query *q, social_dataset **out)
{
    stad_ctx *ctx = db->ctx;
    *out = NULL;
    raw r = {0};
    size_t cap = 0;
    int rc = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id, period, COALESCE(household, -id) FROM record WHERE "
                           "source = ?1 AND (?2 IS NULL OR period >= ?2) AND (?3 IS NULL OR "
                           "period <= ?3) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return social_db_fail(db, "units");
    sqlite3_bind_text(st, 1, q->base, -1, SQLITE_TRANSIENT);
    if (q->from)
        sqlite3_bind_text(st, 2, q->from, -1, SQLITE_TRANSIENT);
    if (q->to)
        sqlite3_bind_text(st, 3, q->to, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (r.n == cap) {
            cap = cap ? 2 * cap : 1024;
            int64_t *a = realloc(r.id, cap * sizeof *a), *b;
            if (a)
                r.id = a;
            b = realloc(r.hh, cap * sizeof *b);
            if (b)
                r.hh = b;
            char **p = realloc(r.period, cap * sizeof *p);
            if (p)
                r.period = p;
            if (!a || !b || !p) {
                rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
                break;
            }
        }
        r.id[r.n] = sqlite3_column_int64(st, 0);
        r.period[r.n] = strdup((const char *)sqlite3_column_text(st, 1));
        r.hh[r.n] = sqlite3_column_int64(st, 2);
        r.n++;
        if (!r.period[r.n - 1]) {
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_finalize(st);
    size_t nw = 0;
    while (q->where && q->where[nw])
        nw++;
    char **outc = NULL, **wv = NULL, ***byv = NULL;
    size_t *units = NULL, nu = 0;
    social_dataset *d = NULL;
    if (!rc && r.n == 0)
        rc = stad_fail(ctx, STAD_EEMPTY, "no rows of source '%s' in the period", q->base);
    if (!rc) {
        outc = calloc(r.n, sizeof *outc);
        wv = calloc(r.n, sizeof *wv);
        byv = calloc(q->n_by ? q->n_by : 1, sizeof *byv);
        units = malloc(r.n * sizeof *units);
        if (!outc || !wv || !byv || !units)
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = each_value(db, &r, q->base, q->outcome, outc);
    /* filters */
    int *ok = rc ? NULL : malloc(r.n * sizeof *ok);
    if (!rc && !ok)
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < r.n; i++)
        ok[i] = outc[i] && outc[i][0];
    for (size_t k = 0; k < nw && !rc; k++) {
        const char *eq = strchr(q->where[k], '=');
        if (!eq) {
            rc = stad_fail(ctx, STAD_EINVAL, "filter '%s' is not column=value", q->where[k]);
            break;
        }
        char col[128];
        snprintf(col, sizeof col, "%.*s", (int)(eq - q->where[k]), q->where[k]);
        for (size_t i = 0; i < r.n; i++) {
            free(wv[i]);
            wv[i] = NULL;
        }
        if (strcmp(col, "period") == 0) {
            for (size_t i = 0; i < r.n; i++)
                ok[i] = ok[i] && strcmp(r.period[i], eq + 1) == 0;
            continue;
        }
        if (strncmp(col, "in_", 3) == 0)
            rc = linked(db, &r, q->base, col + 3, wv);
        else
            rc = each_value(db, &r, q->base, col, wv);
        for (size_t i = 0; i < r.n && !rc; i++)
            ok[i] = ok[i] && wv[i] && strcmp(wv[i], eq + 1) == 0;
    }
    for (size_t i = 0; !rc && i < r.n; i++)
        if (ok[i])
            units[nu++] = i;
    if (!rc && nu == 0)
        rc = stad_fail(ctx, STAD_EEMPTY, "no rows of '%s' with an outcome '%s' pass the "
                                         "filters", q->base, q->outcome);
    if (!rc && !(d = calloc(1, sizeof *d)))
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    if (!rc) {
        d->n = nu;
        d->hh = malloc(nu * sizeof *d->hh);
        d->period = malloc(nu * sizeof *d->period);
        d->y = malloc(nu * sizeof *d->y);
        d->vars = calloc(q->n_by ? q->n_by : 1, sizeof *d->vars);
        if (!d->hh || !d->period || !d->y || !d->vars)
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < nu; i++) {
        d->hh[i] = r.hh[units[i]];
        d->y[i] = strcmp(outc[units[i]], q->success) == 0;
    }
    if (!rc) {
        social_var pv = {0};
        if (code_var(&pv, r.period, units, nu))
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        d->periods = pv.levels;
        d->n_periods = pv.n_levels;
        if (!rc)
            memcpy(d->period, pv.code, nu * sizeof *d->period);
        free(pv.code);
    }
    for (size_t k = 0; k < q->n_by && !rc; k++) {
        const char *name = q->by[k];
        byv[k] = calloc(r.n, sizeof **byv);
        d->n_vars++;
        if (!byv[k] || !(d->vars[k].name = strdup(name))) {
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
            break;
        }
        if (strcmp(name, "period") == 0) {
            for (size_t i = 0; i < r.n && !rc; i++)
                if (!(byv[k][i] = strdup(r.period[i])))
                    rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
        } else if (strncmp(name, "in_", 3) == 0) {
            rc = linked(db, &r, q->base, name + 3, byv[k]);
        } else {
            rc = each_value(db, &r, q->base, name, byv[k]);
            size_t have = 0;
            for (size_t i = 0; i < nu; i++)
                have += byv[k][units[i]] != NULL;
            if (!rc && !have)
                rc = stad_fail(ctx, STAD_ENOTFOUND, "source '%s' has no column '%s' (or it "
                                                    "is empty)", q->base, name);
        }
        if (!rc && code_var(&d->vars[k], byv[k], units, nu))
            rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    for (size_t k = 0; byv && k < q->n_by; k++)
        free_strs(byv[k], r.n);
    free(byv);
    free_strs(outc, r.n);
    free_strs(wv, r.n);
    free_strs(r.period, r.n);
    free(r.id);
    free(r.hh);
    free(ok);
    free(units);
    if (rc) {
        social_dataset_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int social_cellset_make(const social_dataset *d, const size_t *idx, size_t n,
                        social_cellset *out)
{
    out->n = 0;
    out->hh = malloc((n ? n : 1) * sizeof *out->hh);
    if (!out->hh)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        out->hh[i] = d->hh[idx[i]];
    qsort(out->hh, n, sizeof *out->hh, cmp_i64);
    for (size_t i = 0; i < n; i++)
        if (!out->n || out->hh[i] != out->hh[out->n - 1])
            out->hh[out->n++] = out->hh[i];
    return 0;
}
