/* Which column holds what: headers matched against Dutch and English synonyms
 * (config/columns.conf), or named in a mapping file that wins over the synonyms. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/timeparse.h"
#include "ingest/ingest_internal.h"

static const char *const role_names[] = {
#define INGEST_ROLE_NAME_(name, str) str,
    INGEST_ROLES(INGEST_ROLE_NAME_)
#undef INGEST_ROLE_NAME_
};

const char *ingest_role_name(int role)
{
    return role >= 0 && role < INGEST_ROLE_N_ ? role_names[role] : "?";
}

int ingest_role_from_name(const char *name)
{
    for (int i = 0; i < INGEST_ROLE_N_; i++)
        if (strcasecmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

/* U+00C0..U+00FF folded to ASCII ("coördinaat" -> "coordinaat"); 0 = keep. */
static const char latin1_fold[64] =
    "AAAAAAACEEEEIIII" "DNOOOOO\0OUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty";

void ingest_header_norm(const char *in, char *out, size_t size)
{
    size_t k = 0;
    int pending_sep = 0;
    if (!size)
        return;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 1 < size; p++) {
        unsigned char c = *p;
        if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF && latin1_fold[p[1] - 0x80]) {
            c = (unsigned char)latin1_fold[p[1] - 0x80];
            p++;
        }
        if (isalnum(c) || c >= 0x80) {
            if (pending_sep && k > 0 && k + 2 < size)
                out[k++] = '_';
            pending_sep = 0;
            out[k++] = (char)(c < 0x80 ? tolower(c) : c);
        } else {
            pending_sep = 1;
        }
    }
    out[k] = '\0';
}

typedef struct syn_list {
    char **names;
    size_t n, cap;
} syn_list;

struct ingest_synonyms {
    syn_list role[INGEST_ROLE_N_];
    ingest_map crs_of;   /* normalised header -> index into crs[] */
    char **crs;
    size_t n_crs;
};

void ingest_synonyms_free(ingest_synonyms *s)
{
    if (!s)
        return;
    for (int r = 0; r < INGEST_ROLE_N_; r++) {
        for (size_t i = 0; i < s->role[r].n; i++)
            free(s->role[r].names[i]);
        free(s->role[r].names);
    }
    for (size_t i = 0; i < s->n_crs; i++)
        free(s->crs[i]);
    free(s->crs);
    ingest_map_free(&s->crs_of);
    free(s);
}

static int syn_add(syn_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **n = realloc(l->names, cap * sizeof *n);
        if (!n)
            return STAD_ENOMEM;
        l->names = n;
        l->cap = cap;
    }
    l->names[l->n] = strdup(name);
    return l->names[l->n++] ? 0 : STAD_ENOMEM;
}

int ingest_synonyms_load(stad_ctx *ctx, const char *path, ingest_synonyms **out)
{
    stad_conf *conf = NULL;
    int rc = stad_conf_load(ctx, path, &conf);
    if (rc)
        return rc;
    ingest_synonyms *s = calloc(1, sizeof *s);
    if (!s) {
        stad_conf_free(conf);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    ingest_map_init(&s->crs_of);
    for (size_t i = 0; i < stad_conf_count(conf) && !rc; i++) {
        const stad_conf_entry *e = stad_conf_at(conf, i);
        if (strcasecmp(e->section, "synonyms") == 0) {
            int role = ingest_role_from_name(e->key);
            if (role < 0) {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown role '%s'", path, e->line,
                               e->key);
                break;
            }
            const char *p = e->value;
            while (*p && !rc) {
                const char *comma = strchr(p, ',');
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                char raw[256], norm[256];
                if (n >= sizeof raw)
                    n = sizeof raw - 1;
                memcpy(raw, p, n);
                raw[n] = '\0';
                ingest_header_norm(raw, norm, sizeof norm);
                if (norm[0] && syn_add(&s->role[role], norm))
                    rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
                p = comma ? comma + 1 : p + n;
            }
        } else if (strcasecmp(e->section, "crs") == 0) {
            char norm[256];
            ingest_header_norm(e->key, norm, sizeof norm);
            char **c = realloc(s->crs, (s->n_crs + 1) * sizeof *c);
            if (!c) {
                rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
                break;
            }
            s->crs = c;
            s->crs[s->n_crs] = strdup(e->value);
            int64_t *v = ingest_map_upsert(&s->crs_of, norm, 0);
            if (!s->crs[s->n_crs] || !v) {
                rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
                break;
            }
            *v = (int64_t)s->n_crs++;
        }
    }
    stad_conf_free(conf);
    if (rc) {
        ingest_synonyms_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ingest_columns_free(ingest_columns *c)
{
    if (c)
        stad_arena_free(&c->arena);
}

static int list_headers(stad_strbuf *b, char *const *headers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            stad_strbuf_append(b, ", ");
        stad_strbuf_append(b, headers[i]);
    }
    if (!n)
        stad_strbuf_append(b, "(none)");
    return b->oom ? STAD_ENOMEM : 0;
}

static int source_setting(stad_ctx *ctx, const stad_conf *mapping, ingest_columns *out)
{
    const char *path = stad_conf_path(mapping);
    for (size_t i = 0; i < stad_conf_count(mapping); i++) {
        const stad_conf_entry *e = stad_conf_at(mapping, i);
        if (strcasecmp(e->section, "source") != 0)
            continue;
        if (strcasecmp(e->key, "crs") == 0) {
            out->crs = stad_arena_strdup(&out->arena, e->value);
        } else if (strcasecmp(e->key, "kind") == 0) {
            out->kind = stad_arena_strdup(&out->arena, e->value);
        } else if (strcasecmp(e->key, "decimal") == 0) {
            if (strcasecmp(e->value, "comma") == 0 || strcmp(e->value, ",") == 0)
                out->decimal_comma = 1;
            else if (strcasecmp(e->value, "point") == 0 || strcmp(e->value, ".") == 0)
                out->decimal_comma = 0;
            else
                return stad_fail(ctx, STAD_EPARSE, "%s:%d: decimal must be 'comma' or 'point'",
                                 path, e->line);
        } else if (strcasecmp(e->key, "encoding") == 0) {
            int enc = ingest_encoding_from_name(e->value);
            if (enc < 0)
                return stad_fail(ctx, STAD_EPARSE,
                                 "%s:%d: unknown encoding '%s' (use utf-8 or latin1)", path,
                                 e->line, e->value);
            out->encoding = enc;
        } else if (strcasecmp(e->key, "date_format") == 0) {
            if (strcasecmp(e->value, "dmy") == 0 || strcasecmp(e->value, "day-first") == 0)
                out->date_order = STAD_DATE_DAY_FIRST;
            else if (strcasecmp(e->value, "mdy") == 0 ||
                     strcasecmp(e->value, "month-first") == 0)
                out->date_order = STAD_DATE_MONTH_FIRST;
            else if (strcasecmp(e->value, "auto") != 0)
                return stad_fail(ctx, STAD_EPARSE,
                                 "%s:%d: date_format must be 'dmy' (25/12/2017), 'mdy' "
                                 "(12/25/2017) or 'auto'",
                                 path, e->line);
        } else {
            return stad_fail(ctx, STAD_EPARSE,
                             "%s:%d: unknown setting '%s' in [source] (crs, kind, decimal, "
                             "encoding, date_format)",
                             path, e->line, e->key);
        }
    }
    return 0;
}

/* The CRS a normalised coordinate header names itself, after its "x_" or "y_":
 * "utm16n" or "utm16n_m" (WGS 84 / UTM zone 16N: EPSG:32616; "s" for the south,
 * 327zz) or "epsg28992". 1 and the CRS in crs, else 0. */
static int crs_in_header(const char *norm, char axis, char *crs, size_t size)
{
    if (norm[0] != axis || norm[1] != '_')
        return 0;
    const char *p = norm + 2;
    char *end;
    if (strncmp(p, "utm", 3) == 0 && isdigit((unsigned char)p[3])) {
        long zone = strtol(p + 3, &end, 10);
        if (zone < 1 || zone > 60 || (*end != 'n' && *end != 's') ||
            (end[1] && strcmp(end + 1, "_m") != 0))
            return 0;
        snprintf(crs, size, "EPSG:%ld", (*end == 'n' ? 32600 : 32700) + zone);
        return 1;
    }
    if (strncmp(p, "epsg", 4) == 0 && isdigit((unsigned char)p[4])) {
        long code = strtol(p + 4, &end, 10);
        if (*end || code <= 0 || code > 999999)
            return 0;
        snprintf(crs, size, "EPSG:%ld", code);
        return 1;
    }
    return 0;
}

/* x/y columns that say their CRS in the header ("x_utm16n_m", "y_utm16n_m"), for a
 * file whose coordinates the synonyms did not find or whose x header has no CRS. */
static int find_self_named_xy(ingest_columns *out, char **norm, const int *used, size_t n)
{
    int cx = out->col[INGEST_ROLE_X], cy = out->col[INGEST_ROLE_Y];
    char crs[32], other[32];
    if (cx >= 0 && cy >= 0) {
        if (out->xy_crs || !crs_in_header(norm[cx], 'x', crs, sizeof crs) ||
            !crs_in_header(norm[cy], 'y', other, sizeof other) || strcmp(crs, other) != 0)
            return 0;
        out->xy_crs = stad_arena_strdup(&out->arena, crs);
        return out->xy_crs ? 0 : STAD_ENOMEM;
    }
    if (cx >= 0 || cy >= 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i] || !crs_in_header(norm[i], 'x', crs, sizeof crs))
            continue;
        for (size_t k = 0; k < n; k++)
            if (!used[k] && norm[k][0] == 'y' && strcmp(norm[k] + 1, norm[i] + 1) == 0 &&
                crs_in_header(norm[k], 'y', other, sizeof other)) {
                out->col[INGEST_ROLE_X] = (int)i;
                out->col[INGEST_ROLE_Y] = (int)k;
                out->xy_crs = stad_arena_strdup(&out->arena, crs);
                return out->xy_crs ? 0 : STAD_ENOMEM;
            }
    }
    return 0;
}

int ingest_columns_detect(stad_ctx *ctx, const ingest_synonyms *syn, const stad_conf *mapping,
                          const char *file, char *const *headers, size_t n,
                          ingest_columns *out)
{
    memset(out, 0, sizeof *out);
    stad_arena_init(&out->arena, 4096);
    for (int r = 0; r < INGEST_ROLE_N_; r++)
        out->col[r] = -1;
    out->date_order = -1;
    char **norm = calloc(n ? n : 1, sizeof *norm);
    int *used = calloc(n ? n : 1, sizeof *used);
    int rc = 0;
    if (!norm || !used) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", file);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        ingest_header_norm(headers[i], buf, sizeof buf);
        norm[i] = stad_arena_strdup(&out->arena, buf);
        if (!norm[i]) {
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", file);
            goto done;
        }
    }
    if (mapping) {
        const char *mpath = stad_conf_path(mapping);
        for (size_t i = 0; i < stad_conf_count(mapping); i++) {
            const stad_conf_entry *e = stad_conf_at(mapping, i);
            if (strcasecmp(e->section, "columns") != 0)
                continue;
            int role = ingest_role_from_name(e->key);
            if (role < 0) {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown role '%s' in [columns]", mpath,
                               e->line, e->key);
                goto done;
            }
            char want[256];
            ingest_header_norm(e->value, want, sizeof want);
            size_t k = 0;
            while (k < n && strcmp(norm[k], want) != 0)
                k++;
            if (k == n) {
                stad_strbuf hb = STAD_STRBUF_INIT;
                list_headers(&hb, headers, n);
                rc = stad_fail(ctx, STAD_ECOLUMNS,
                               "%s:%d: column '%s' (for %s) is not in %s; its columns are: %s",
                               mpath, e->line, e->value, e->key, file, stad_strbuf_str(&hb));
                stad_strbuf_free(&hb);
                goto done;
            }
            out->col[role] = (int)k;
            used[k] = 1;
        }
        if ((rc = source_setting(ctx, mapping, out)))
            goto done;
    }
    for (int r = 0; r < INGEST_ROLE_N_ && syn; r++) {
        if (out->col[r] >= 0)
            continue;
        const syn_list *l = &syn->role[r];
        for (size_t s = 0; s < l->n && out->col[r] < 0; s++)
            for (size_t k = 0; k < n; k++)
                if (!used[k] && strcmp(norm[k], l->names[s]) == 0) {
                    out->col[r] = (int)k;
                    used[k] = 1;
                    break;
                }
    }
    if (syn && out->col[INGEST_ROLE_X] >= 0) {
        int64_t *v = ingest_map_get(&syn->crs_of, norm[out->col[INGEST_ROLE_X]]);
        if (v)
            out->xy_crs = syn->crs[*v];
    }
    if (find_self_named_xy(out, norm, used, n))
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", file);
    /* A time column with no date column beside it can only be useful when it holds
     * whole timestamps ("time = 2016-01-01 01:00"); a row where it does not is
     * rejected with the reason, so nothing is lost silently. */
    if (out->col[INGEST_ROLE_TIME_FROM] < 0 && out->col[INGEST_ROLE_DATE] < 0 &&
        out->col[INGEST_ROLE_TIME] >= 0) {
        out->col[INGEST_ROLE_TIME_FROM] = out->col[INGEST_ROLE_TIME];
        out->col[INGEST_ROLE_TIME] = -1;
    }
    /* A point column is read only when no coordinate pair is there; otherwise it stays
     * an attribute ("location" may be words). */
    if ((out->col[INGEST_ROLE_X] >= 0 && out->col[INGEST_ROLE_Y] >= 0) ||
        (out->col[INGEST_ROLE_LAT] >= 0 && out->col[INGEST_ROLE_LON] >= 0))
        out->col[INGEST_ROLE_POINT] = -1;
done:
    free(norm);
    free(used);
    if (rc)
        ingest_columns_free(out);
    return rc;
}

int ingest_columns_describe(const ingest_columns *c, char *const *headers, stad_strbuf *out)
{
    int first = 1;
    for (int r = 0; r < INGEST_ROLE_N_; r++) {
        if (c->col[r] < 0)
            continue;
        stad_strbuf_printf(out, "%s%s=%s", first ? "" : ", ", ingest_role_name(r),
                           headers[c->col[r]]);
        first = 0;
    }
    return out->oom ? STAD_ENOMEM : 0;
}
