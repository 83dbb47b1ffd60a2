/* stad publish: which sources may be published, the order of the work (aggregate,
 * suppress, ledger, write, record) and the human index page. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "opendata_internal.h"
#include "stad/privacy.h"
#include "stad/social.h"

void stad_opendata_opts_init(stad_opendata_opts *o)
{
    memset(o, 0, sizeof *o);
    o->base_url = "http://127.0.0.1:8080/opendata/";
    o->contact_email = "opendata@example.org";
}

int stad_opendata_source_public(const stad_source_row *r)
{
    return r->status && strcmp(r->status, "approved") == 0 && r->roles &&
           stad_privacy_has_role(r->roles, "public");
}

typedef struct ids { int64_t *v; size_t n; } ids;

static int source_cb(void *user, const stad_source_row *r)
{
    ids *s = user;
    if (!stad_opendata_source_public(r))
        return 0;
    int64_t *nv = realloc(s->v, (s->n + 1) * sizeof *nv);
    if (!nv)
        return STAD_ENOMEM;
    s->v = nv;
    s->v[s->n++] = r->id;
    return 0;
}

static int write_file(stad_ctx *ctx, const char *dir, const char *name, const stad_strbuf *b)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return stad_fail(ctx, STAD_EIO, "%s: %s", tmp, strerror(errno));
    const char *s = stad_strbuf_str(b);
    size_t n = strlen(s);
    int bad = fwrite(s, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return stad_fail(ctx, STAD_EIO, "%s: cannot write", path);
    }
    return 0;
}

static void html(stad_strbuf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': stad_strbuf_append(b, "&lt;"); break;
        case '>': stad_strbuf_append(b, "&gt;"); break;
        case '&': stad_strbuf_append(b, "&amp;"); break;
        case '"': stad_strbuf_append(b, "&quot;"); break;
        default: stad_strbuf_append_char(b, *s);
        }
}

int od_write_index(const od_meta *m, const stad_opendata_report *rep, stad_strbuf *b)
{
    stad_strbuf_append(b, "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
                          "<title>Open data ");
    html(b, m->publisher);
    stad_strbuf_append(b, "</title>\n<link rel=\"alternate\" type=\"text/turtle\" "
                          "href=\"catalog.ttl\">\n<link rel=\"alternate\" "
                          "type=\"application/ld+json\" href=\"catalog.jsonld\">\n"
                          "</head><body>\n<h1>Open data ");
    html(b, m->publisher);
    stad_strbuf_printf(b, "</h1>\n<p>Geaggregeerde cijfers per buurt en wijk per maand, "
                          "bijgewerkt %s. Licentie: CC0 1.0. Cellen met minder dan %d "
                          "gebeurtenissen (en cellen waaruit die terug te rekenen zijn) staan "
                          "als <em>suppressed</em>, zonder aantal.</p>\n<ul>\n",
                       m->modified, m->o->threshold);
    static const char *const names[] = {"Incidenten", "Meldingen openbare ruimte",
                                        "Handhavingsresultaten"};
    for (int th = 0; th < OD_THEMES; th++) {
        if (!m->theme[th].present)
            continue;
        const char *s = od_theme_slug(th);
        stad_strbuf_printf(b, "<li>%s (%s t/m %s): <a href=\"%s.csv\">CSV</a>, "
                              "<a href=\"%s.geojson\">GeoJSON</a></li>\n",
                           names[th], m->theme[th].first, m->theme[th].last, s, s);
    }
    stad_strbuf_printf(b, "</ul>\n<p>%" PRId64 " cellen gepubliceerd, %" PRId64
                          " onderdrukt. Metadata (DCAT-AP-DONL): <a href=\"catalog.ttl\">"
                          "Turtle</a>, <a href=\"catalog.jsonld\">JSON-LD</a>.</p>\n"
                          "</body></html>\n",
                       rep->published, rep->primary + rep->secondary + rep->ledger);
    return stad_strbuf_str(b)[0] ? 0 : STAD_ENOMEM;
}

static void count(const od_table *t, stad_opendata_report *rep)
{
    size_t n = t->n_areas * t->n_months * t->n_kinds;
    for (size_t c = 0; c < n; c++) {
        if (!t->units[c])
            continue;
        rep->cells++;
        switch (t->supp[c]) {
        case OD_PUBLISHED: rep->published++; break;
        case OD_PRIMARY: rep->primary++; break;
        case OD_SECONDARY: rep->secondary++; break;
        default: rep->ledger++; break;
        }
    }
}

int stad_opendata_publish(stad_store *s, const stad_opendata_opts *oin,
                          stad_opendata_report *rep)
{
    stad_ctx *ctx = stad_store_ctx(s);
    stad_opendata_opts o = *oin;
    memset(rep, 0, sizeof *rep);
    if (!o.dir || !*o.dir)
        return stad_fail(ctx, STAD_EINVAL, "publish: no output directory");
    if (!o.threshold)
        o.threshold = STAD_SOCIAL_THRESHOLD_DEFAULT;
    if (o.threshold < 2)
        return stad_fail(ctx, STAD_EINVAL, "publish: threshold must be at least 2");
    if (!o.now)
        o.now = (int64_t)time(NULL);
    if (!o.base_url)
        o.base_url = "http://127.0.0.1:8080/opendata/";
    if (!o.contact_email)
        o.contact_email = "opendata@example.org";
    ids src = {NULL, 0};
    int rc = stad_store_sources_each(s, source_cb, &src);
    if (!rc && !src.n)
        rc = stad_fail(ctx, STAD_EEMPTY, "publish: no source may be published (approve a "
                                         "source with role 'public' in the register)");
    rep->sources = (int64_t)src.n;
    od_table t;
    memset(&t, 0, sizeof t);
    if (!rc)
        rc = od_table_load(s, src.v, src.n, &t);
    free(src.v);
    rep->events = t.events;
    /* the ledger can refuse cells, which changes what protects them: repeat until
     * a pass refuses nothing new */
    for (int pass = 0; !rc && pass < 20; pass++) {
        int64_t n = 0;
        rc = od_table_suppress(ctx, &t, o.threshold);
        if (!rc)
            rc = od_ledger_check(s, &t, o.threshold, o.strict, &n);
        if (!rc && !n)
            break;
    }
    if (rc) {
        od_table_free(&t);
        return rc;
    }
    count(&t, rep);
    char *city = NULL;
    stad_store_meta_get(s, "city.name", &city);
    char pub[256], auth[512];
    snprintf(pub, sizeof pub, "Gemeente %s", city && *city ? city : "onbekend");
    /* OWMS names municipalities "<Name>_(gemeente)" */
    snprintf(auth, sizeof auth, "http://standaarden.overheid.nl/owms/terms/%s_(gemeente)",
             city && *city ? city : "onbekend");
    for (char *p = auth + 40; *p; p++)
        if (*p == ' ')
            *p = '_';
    od_meta m;
    memset(&m, 0, sizeof m);
    m.o = &o;
    m.city = city && *city ? city : "onbekend";
    m.publisher = o.publisher ? o.publisher : pub;
    m.authority = o.authority_uri ? o.authority_uri : auth;
    m.email = o.contact_email;
    struct tm tmv;
    time_t tt = (time_t)o.now;
    gmtime_r(&tt, &tmv);
    strftime(m.modified, sizeof m.modified, "%Y-%m-%d", &tmv);
    if (mkdir(o.dir, 0755) != 0 && errno != EEXIST)
        rc = stad_fail(ctx, STAD_EIO, "%s: %s", o.dir, strerror(errno));
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 32);
    stad_strbuf b = STAD_STRBUF_INIT;
    for (int th = 0; th < OD_THEMES && !rc; th++) {
        int lo = -1, hi = -1;
        for (size_t k = 0; k < t.n_kinds; k++)
            if (od_theme_of(t.kinds[k]) == th)
                for (size_t a = 0; a < t.n_areas; a++)
                    for (size_t mo = 0; mo < t.n_months; mo++)
                        if (t.units[od_cell(&t, a, mo, k)]) {
                            if (lo < 0 || (int)mo < lo)
                                lo = (int)mo;
                            if ((int)mo > hi)
                                hi = (int)mo;
                        }
        if (lo < 0)
            continue;
        m.theme[th].present = 1;
        od_month_key(&t, (size_t)lo, m.theme[th].first);
        od_month_key(&t, (size_t)hi, m.theme[th].last);
        char name[64];
        stad_strbuf_clear(&b);
        rc = od_write_csv(&t, th, &b);
        crypto_generichash_update(&hs, (const unsigned char *)stad_strbuf_str(&b),
                                  strlen(stad_strbuf_str(&b)));
        m.theme[th].csv_bytes = (int64_t)strlen(stad_strbuf_str(&b));
        snprintf(name, sizeof name, "%s.csv", od_theme_slug(th));
        if (!rc)
            rc = write_file(ctx, o.dir, name, &b);
        stad_strbuf_clear(&b);
        if (!rc)
            rc = od_write_geojson(&t, th, &b);
        m.theme[th].geojson_bytes = (int64_t)strlen(stad_strbuf_str(&b));
        snprintf(name, sizeof name, "%s.geojson", od_theme_slug(th));
        if (!rc)
            rc = write_file(ctx, o.dir, name, &b);
        rep->datasets++;
    }
    if (!rc) {
        stad_strbuf_clear(&b);
        rc = od_write_turtle(&m, &b);
        if (!rc)
            rc = write_file(ctx, o.dir, "catalog.ttl", &b);
        stad_strbuf_clear(&b);
        if (!rc)
            rc = od_write_jsonld(&m, &b);
        if (!rc)
            rc = write_file(ctx, o.dir, "catalog.jsonld", &b);
        stad_strbuf_clear(&b);
        if (!rc)
            rc = od_write_index(&m, rep, &b);
        if (!rc)
            rc = write_file(ctx, o.dir, "index.html", &b);
    }
    stad_strbuf_free(&b);
    unsigned char dg[32];
    char hex[65];
    crypto_generichash_final(&hs, dg, sizeof dg);
    sodium_bin2hex(hex, sizeof hex, dg, sizeof dg);
    if (!rc)
        rc = od_ledger_record(s, &t, o.threshold, hex, o.now, &rep->release);
    if (rc == STAD_ENOMEM)
        stad_fail(ctx, rc, "out of memory");
    free(city);
    od_table_free(&t);
    return rc;
}
