/* GET /api/social/meta, /api/social/analyse (role social_policy) and
 * /api/social/holder/meta, /api/social/holder (role source_holder): the social-domain
 * analyses of docs/social.md over the social store given with `stad serve --social-db`,
 * opened read-only for each request.
 *
 * Who reads which social source is decided by the source register of the main store,
 * through the caller's scope like every other read: a social source is readable when
 * the register has a source of the same name that is approved for one of the caller's
 * roles. A source holder reads only sources whose register `holder` is its account
 * name, only with the base fixed to that source and without linkage to other sources.
 *
 * Everything answered has been through the disclosure control of stad_social_analyse
 * (threshold on households, secondary suppression): a suppressed cell, coefficient or
 * month is written as its labels and a flag, never with a number. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/social.h"

#define SOC_MAX_BY 4       /* profile variables per table */
#define SOC_MAX_WHERE 8    /* filters per table */
#define SOC_MAX_LEVELS 60  /* a column with more values is offered without a list */

/* The register entry of a social source: 1 when the caller may read it (and, with
 * own_only, holds it). */
static int may_read_source(srv_req *rq, const char *name, int own_only)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(stad_store_db(rq->store), "SELECT id, holder FROM source WHERE name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *holder = (const char *)sqlite3_column_text(st, 1);
        ok = stad_privacy_scope_has(rq->scope, sqlite3_column_int64(st, 0)) &&
             (!own_only || (holder && strcmp(holder, rq->who.name) == 0));
    }
    sqlite3_finalize(st);
    return ok;
}

/* Opens the social store; with db NULL only answers that there is none. */
static int open_social(srv_req *rq, stad_social_db **db)
{
    if (db)
        *db = NULL;
    if (!rq->srv->social_db || !db)
        return srv_fail(rq, 404, NULL, "this server has no social store (stad serve --social-db)");
    if (stad_social_db_open_readonly(rq->ctx, rq->srv->social_db, db))
        return srv_fail_internal(rq, "opening the social store");
    return 0;
}

/* ---- meta ---------------------------------------------------------------- */

static json_t *column_json(const stad_social_column *c)
{
    json_t *levels = json_array();
    for (size_t l = 0; levels && l < c->n_levels; l++)
        json_array_append_new(levels, srv_json_str(c->levels[l]));
    return json_pack("{s:o, s:o, s:b}", "name", srv_json_str(c->name), "levels",
                     levels ? levels : json_null(), "many", c->many);
}

static int meta(srv_req *rq, json_t **out, int own_only)
{
    stad_social_db *db;
    if (open_social(rq, &db))
        return -1;
    stad_social_catalog *cat = NULL;
    if (stad_social_describe(db, STAD_SOCIAL_THRESHOLD_DEFAULT, SOC_MAX_LEVELS, &cat)) {
        stad_social_db_close(db);
        return srv_fail_internal(rq, "reading the social store");
    }
    stad_social_db_close(db);
    /* Which sources this caller reads; others are not even named. */
    int *readable = calloc(cat->n ? cat->n : 1, sizeof *readable);
    json_t *sources = json_array();
    if (!readable || !sources) {
        free(readable);
        json_decref(sources);
        stad_social_catalog_free(cat);
        return srv_fail(rq, 500, NULL, "out of memory");
    }
    for (size_t i = 0; i < cat->n; i++)
        readable[i] = may_read_source(rq, cat->sources[i].name, own_only);
    for (size_t i = 0; i < cat->n; i++) {
        if (!readable[i])
            continue;
        const stad_social_source *s = &cat->sources[i];
        json_t *cols = json_array(), *linked = json_array();
        for (size_t k = 0; k < s->n_columns; k++)
            json_array_append_new(cols, column_json(&s->columns[k]));
        /* linkage variables (in_<other>): never for a source holder */
        for (size_t j = 0; !own_only && j < cat->n; j++)
            if (j != i && may_read_source(rq, cat->sources[j].name, 0))
                json_array_append_new(linked, srv_json_str(cat->sources[j].name));
        json_array_append_new(sources,
                              json_pack("{s:o, s:o, s:o, s:o, s:o}", "name", srv_json_str(s->name),
                                        "first", srv_json_str(s->first), "last",
                                        srv_json_str(s->last), "columns", cols, "linked", linked));
    }
    free(readable);
    stad_social_catalog_free(cat);
    rq->rows = (int64_t)json_array_size(sources);
    *out = json_pack("{s:i, s:b, s:o}", "threshold", STAD_SOCIAL_THRESHOLD_DEFAULT, "own",
                     own_only, "sources", sources);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_social_meta(srv_req *rq, json_t **out)
{
    return meta(rq, out, 0);
}

int srv_h_social_holder_meta(srv_req *rq, json_t **out)
{
    return meta(rq, out, 1);
}

/* ---- analyse ------------------------------------------------------------- */

typedef struct soc_query {
    stad_social_query q;
    char outcome[256];
    char by_text[512];
    const char *by[SOC_MAX_BY + 1];
    char where_text[1024];
    const char *where[SOC_MAX_WHERE + 1];
    char base[128]; /* a holder's own source when not named */
} soc_query;

/* Splits text (copied into buf) at commas into list; -1 with a 400 when too many. */
static int split(srv_req *rq, const char *key, const char *text, char *buf, size_t size,
                 const char **list, size_t max, size_t *n)
{
    *n = 0;
    if (!text || !*text)
        return 0;
    if (strlen(text) >= size)
        return srv_fail(rq, 400, key, "%s is too long", key);
    memcpy(buf, text, strlen(text) + 1);
    for (char *s = buf, *comma; s; s = comma ? comma + 1 : NULL) {
        if ((comma = strchr(s, ',')))
            *comma = '\0';
        if (!*s)
            continue;
        if (*n == max)
            return srv_fail(rq, 400, key, "%s takes at most %zu items", key, max);
        list[(*n)++] = s;
    }
    list[*n] = NULL;
    return 0;
}

static int period_ok(const char *p)
{
    return strlen(p) == 7 && p[0] >= '1' && p[0] <= '2' && p[4] == '-' && p[5] >= '0' &&
           p[5] <= '1' && strspn(p, "0123456789-") == 7;
}

/* The query parameters into sq; the linkage variables they name must be readable too,
 * and a source holder may not use them at all. */
static int read_query(srv_req *rq, soc_query *sq, int own_only)
{
    memset(sq, 0, sizeof *sq);
    stad_social_query *q = &sq->q;
    q->base = srv_param(rq, own_only ? "source" : "base");
    const char *outcome = srv_param(rq, "outcome");
    if (!own_only && !q->base)
        return srv_fail(rq, 400, "base", "base (the source whose rows are counted) is required");
    if (!outcome || !strchr(outcome, '=') || outcome[0] == '=')
        return srv_fail(rq, 400, "outcome", "outcome is COLUMN=VALUE");
    if (strlen(outcome) >= sizeof sq->outcome)
        return srv_fail(rq, 400, "outcome", "outcome is too long");
    memcpy(sq->outcome, outcome, strlen(outcome) + 1);
    char *eq = strchr(sq->outcome, '=');
    *eq = '\0';
    q->outcome = sq->outcome;
    q->success = eq + 1;
    size_t nw = 0;
    if (split(rq, "by", srv_param(rq, "by"), sq->by_text, sizeof sq->by_text, sq->by, SOC_MAX_BY,
              &q->n_by) ||
        split(rq, "where", srv_param(rq, "where"), sq->where_text, sizeof sq->where_text,
              sq->where, SOC_MAX_WHERE, &nw))
        return -1;
    q->by = sq->by;
    q->where = sq->where;
    for (size_t i = 0; i < nw; i++)
        if (!strchr(sq->where[i], '=') || sq->where[i][0] == '=')
            return srv_fail(rq, 400, "where", "where is COLUMN=VALUE[,COLUMN=VALUE...]");
    q->from = srv_param(rq, "from");
    q->to = srv_param(rq, "to");
    if (q->from && !period_ok(q->from))
        return srv_fail(rq, 400, "from", "from is a month, yyyy-mm");
    if (q->to && !period_ok(q->to))
        return srv_fail(rq, 400, "to", "to is a month, yyyy-mm");
    /* linkage variables, in `by` and in `where` */
    const char *names[SOC_MAX_BY + SOC_MAX_WHERE];
    size_t nn = 0;
    for (size_t i = 0; i < q->n_by; i++)
        names[nn++] = sq->by[i];
    for (size_t i = 0; i < nw; i++)
        names[nn++] = sq->where[i];
    for (size_t i = 0; i < nn; i++) {
        if (strncmp(names[i], "in_", 3) != 0)
            continue;
        if (own_only)
            return srv_fail(rq, 400, i < q->n_by ? "by" : "where",
                            "a source holder sees its own source only: no in_<source>");
        char other[128];
        snprintf(other, sizeof other, "%.*s", (int)strcspn(names[i] + 3, "="), names[i] + 3);
        if (!may_read_source(rq, other, 0))
            return srv_fail(rq, 403, i < q->n_by ? "by" : "where",
                            "your roles do not allow linking to source '%s'", other);
    }
    return 0;
}

/* The holder's source: the one asked for, or its only one. */
static int holder_base(srv_req *rq, stad_social_db *db, soc_query *sq)
{
    if (sq->q.base) {
        if (!may_read_source(rq, sq->q.base, 1))
            return srv_fail(rq, 403, "source", "you do not hold a source named '%s'", sq->q.base);
        return 0;
    }
    stad_social_catalog *cat = NULL;
    if (stad_social_describe(db, STAD_SOCIAL_THRESHOLD_DEFAULT, 0, &cat))
        return srv_fail_internal(rq, "reading the social store");
    size_t found = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (may_read_source(rq, cat->sources[i].name, 1) && found++ == 0)
            snprintf(sq->base, sizeof sq->base, "%s", cat->sources[i].name);
    stad_social_catalog_free(cat);
    if (found == 0)
        return srv_fail(rq, 403, NULL, "the register names you as the holder of no social source");
    if (found > 1)
        return srv_fail(rq, 400, "source", "you hold several sources: name one with source=");
    return 0;
}

static json_t *cell_json(const stad_social_result *r, const stad_social_cell *c, int total)
{
    json_t *values = json_array();
    for (size_t k = 0; !total && k < r->n_by; k++)
        json_array_append_new(values, srv_json_str(c->values[k]));
    if (c->suppressed)
        return json_pack("{s:o, s:b, s:s}", "values", values, "suppressed", 1, "reason",
                         c->suppressed == STAD_CELL_PRIMARY ? "primary" : "secondary");
    return json_pack("{s:o, s:b, s:I, s:I, s:I, s:o, s:o, s:o}", "values", values, "suppressed",
                     0, "n", (json_int_t)c->n, "households", (json_int_t)c->households,
                     "successes", (json_int_t)c->successes, "rate", srv_json_number(c->rate),
                     "lo", srv_json_number(c->lo), "hi", srv_json_number(c->hi));
}

static json_t *result_json(const stad_social_result *r, const stad_social_query *q,
                           int64_t *published)
{
    json_t *by = json_array(), *cells = json_array(), *coefs = json_array(),
           *periods = json_array();
    for (size_t k = 0; k < r->n_by; k++)
        json_array_append_new(by, srv_json_str(r->by[k]));
    *published = 0;
    for (size_t i = 0; i < r->n_cells; i++) {
        if (r->cells[i].n == 0 && !r->cells[i].suppressed)
            continue; /* an empty combination, as the command line leaves it out */
        json_array_append_new(cells, cell_json(r, &r->cells[i], 0));
        *published += !r->cells[i].suppressed;
    }
    for (size_t i = 0; r->model_ok && i < r->n_coefs; i++) {
        const stad_social_coef *c = &r->coefs[i];
        json_array_append_new(
            coefs, c->suppressed
                       ? json_pack("{s:o, s:b}", "name", srv_json_str(c->name), "suppressed", 1)
                       : json_pack("{s:o, s:b, s:o, s:o, s:o, s:o, s:o}", "name",
                                   srv_json_str(c->name), "suppressed", 0, "beta",
                                   srv_json_number(c->beta), "se", srv_json_number(c->se), "lo",
                                   srv_json_number(c->lo), "hi", srv_json_number(c->hi),
                                   "odds_ratio", srv_json_number(exp(c->beta))));
    }
    for (size_t i = 0; i < r->n_changes; i++) {
        const stad_social_change *c = &r->changes[i];
        json_t *p;
        if (c->suppressed)
            p = json_pack("{s:o, s:b}", "period", srv_json_str(c->period), "suppressed", 1);
        else if (!c->previous)
            p = json_pack("{s:o, s:b, s:I, s:I, s:o}", "period", srv_json_str(c->period),
                          "suppressed", 0, "n", (json_int_t)c->n, "households",
                          (json_int_t)c->households, "rate", srv_json_number(c->rate));
        else
            p = json_pack("{s:o, s:b, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "period",
                          srv_json_str(c->period), "suppressed", 0, "n", (json_int_t)c->n,
                          "households", (json_int_t)c->households, "rate",
                          srv_json_number(c->rate), "previous", srv_json_str(c->previous),
                          "diff", srv_json_number(c->diff), "lo", srv_json_number(c->lo), "hi",
                          srv_json_number(c->hi));
        json_array_append_new(periods, p);
    }
    return json_pack("{s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:{s:b, s:o}, s:o}", "base",
                     srv_json_str(q->base), "outcome", srv_json_str(q->outcome), "success",
                     srv_json_str(q->success), "threshold", r->threshold, "by", by, "cells",
                     cells, "total", cell_json(r, &r->total, 1), "model", "ok", r->model_ok,
                     "coefficients", coefs, "periods", periods);
}

static int analyse(srv_req *rq, json_t **out, int own_only)
{
    if (!rq->srv->social_db)
        return open_social(rq, NULL);
    soc_query sq;
    if (read_query(rq, &sq, own_only))
        return -1;
    if (!own_only && !may_read_source(rq, sq.q.base, 0))
        return srv_fail(rq, 403, "base", "your roles do not allow source '%s'", sq.q.base);
    stad_social_db *db;
    if (open_social(rq, &db))
        return -1;
    if (own_only && holder_base(rq, db, &sq)) {
        stad_social_db_close(db);
        return -1;
    }
    if (own_only && !sq.q.base)
        sq.q.base = sq.base;
    /* The server's threshold is the default; a caller cannot lower it. */
    sq.q.threshold = STAD_SOCIAL_THRESHOLD_DEFAULT;
    stad_social_result *r = NULL;
    int rc = stad_social_analyse(db, &sq.q, &r);
    stad_social_db_close(db);
    if (rc == STAD_EINVAL || rc == STAD_ENOTFOUND || rc == STAD_EEMPTY)
        return srv_fail(rq, 400, NULL, "%s", stad_errmsg(rq->ctx));
    if (rc)
        return srv_fail_internal(rq, "analysing the social store");
    int64_t published = 0;
    *out = result_json(r, &sq.q, &published);
    stad_social_result_free(r);
    rq->rows = published;
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_social_analyse(srv_req *rq, json_t **out)
{
    return analyse(rq, out, 0);
}

int srv_h_social_holder(srv_req *rq, json_t **out)
{
    return analyse(rq, out, 1);
}
