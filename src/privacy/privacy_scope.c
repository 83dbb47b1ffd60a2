/* The access scope: the one place that decides which sources' events a caller
 * reads. Every data read (server routes, CLI commands) asks for a scope and applies
 * it to its event filter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/privacy_internal.h"

/* Does any role of `mine` appear in the source's comma-separated `roles`? */
static int roles_meet(const char *mine, const char *roles)
{
    for (const char *p = mine; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (k) {
            char one[STAD_ROLES_MAX];
            snprintf(one, sizeof one, "%.*s", (int)k, p);
            if (strcmp(one, "public") != 0 && stad_privacy_has_role(roles, one))
                return 1;
        }
        p += k;
    }
    return 0;
}

int stad_privacy_scope(stad_store *s, const stad_principal *p, stad_scope **out)
{
    stad_ctx *ctx = stad_store_ctx(s);
    *out = NULL;
    stad_scope *sc = calloc(1, sizeof *sc);
    if (!sc)
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    int admin = stad_privacy_has_role(p->roles, "admin");
    int officer = stad_privacy_has_role(p->roles, "privacy_officer");
    int may_data = stad_privacy_may(p, STAD_MAY_READ_DATA);
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "SELECT id, status, roles FROM source ORDER BY id", &st,
                          "reading the source register");
    if (rc) {
        free(sc);
        return rc;
    }
    size_t cap = 0, total = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        total++;
        const char *status = priv_col_text(st, 1), *roles = priv_col_text(st, 2);
        int approved = strcmp(status, "approved") == 0;
        int ok = may_data && (admin || (officer && !approved) ||
                              (approved && roles_meet(p->roles, roles)));
        if (!ok)
            continue;
        if (sc->n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *v = realloc(sc->source_ids, cap * sizeof *v);
            if (!v) {
                rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
                break;
            }
            sc->source_ids = v;
        }
        sc->source_ids[sc->n++] = sqlite3_column_int64(st, 0);
    }
    if (!rc && step != SQLITE_DONE)
        rc = priv_fail_sql(s, "reading the source register");
    sqlite3_finalize(st);
    if (rc) {
        stad_privacy_scope_free(sc);
        return rc;
    }
    sc->all = sc->n == total && may_data;
    /* The key names the scope exactly when short; else a hash of the list. */
    if (sc->all) {
        snprintf(sc->key, sizeof sc->key, "all");
    } else {
        size_t used = (size_t)snprintf(sc->key, sizeof sc->key, "%s", sc->n ? "" : "none");
        uint64_t h = 1469598103934665603ull;
        int fits = 1;
        for (size_t i = 0; i < sc->n; i++) {
            h = (h ^ (uint64_t)sc->source_ids[i]) * 1099511628211ull;
            if (fits) {
                int k = snprintf(sc->key + used, sizeof sc->key - used, "%s%lld",
                                 i ? "," : "", (long long)sc->source_ids[i]);
                if (k < 0 || (size_t)k >= sizeof sc->key - used)
                    fits = 0;
                else
                    used += (size_t)k;
            }
        }
        if (!fits)
            snprintf(sc->key, sizeof sc->key, "n%zu-%016llx", sc->n, (unsigned long long)h);
    }
    *out = sc;
    return 0;
}

int stad_privacy_scope_of_role(stad_store *s, const char *role, stad_scope **out)
{
    stad_principal p = {0};
    snprintf(p.name, sizeof p.name, "role:%.40s", role);
    snprintf(p.roles, sizeof p.roles, "%s", role);
    return stad_privacy_scope(s, &p, out);
}

void stad_privacy_scope_free(stad_scope *sc)
{
    if (!sc)
        return;
    free(sc->source_ids);
    free(sc);
}

int stad_privacy_scope_dup(const stad_scope *sc, stad_scope **out)
{
    *out = NULL;
    stad_scope *d = malloc(sizeof *d);
    if (!d)
        return STAD_ENOMEM;
    *d = *sc;
    d->source_ids = NULL;
    if (sc->n) {
        d->source_ids = malloc(sc->n * sizeof *d->source_ids);
        if (!d->source_ids) {
            free(d);
            return STAD_ENOMEM;
        }
        memcpy(d->source_ids, sc->source_ids, sc->n * sizeof *d->source_ids);
    }
    *out = d;
    return 0;
}

void stad_privacy_scope_apply(const stad_scope *sc, stad_event_filter *f)
{
    if (sc && sc->all) {
        f->restrict_sources = 0;
        return;
    }
    /* No scope at all reads nothing: a forgotten scope fails closed. */
    f->restrict_sources = 1;
    f->source_ids = sc ? sc->source_ids : NULL;
    f->n_source_ids = sc ? sc->n : 0;
}

int stad_privacy_scope_has(const stad_scope *sc, int64_t source_id)
{
    if (!sc)
        return 0;
    size_t lo = 0, hi = sc->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sc->source_ids[mid] < source_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sc->n && sc->source_ids[lo] == source_id;
}

int stad_privacy_may_see_source(const stad_principal *p, const stad_scope *sc,
                                int64_t source_id)
{
    return stad_privacy_may(p, STAD_MAY_READ_REGISTER) || stad_privacy_scope_has(sc, source_id);
}
