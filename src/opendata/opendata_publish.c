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

/* The register's publishable sources: ids for the events, names for the social store. */
typedef struct ids { int64_t *v; char **name; size_t n; } ids;

static int source_cb(void *user, const stad_source_row *r)
{
    ids *s = user;
    if (!stad_opendata_source_public(r))
        return 0;
    int64_t *nv = realloc(s->v, (s->n + 1) * sizeof *nv);
    if (nv)
        s->v = nv;
    char **nn = realloc(s->name, (s->n + 1) * sizeof *nn);
    if (nn)
        s->name = nn;
    if (!nv || !nn || !(s->name[s->n] = strdup(r->name)))
        return STAD_ENOMEM;
    s->v[s->n++] = r->id;
    return 0;
}

static void ids_free(ids *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->name[i]);
    free(s->name);
    free(s->v);
}

/* The social store's sources that the register allows (both lists sorted or not). */
static int social_names(stad_social_db *db, const ids *src, char ***out, size_t *n)
{
    char **all = NULL;
    size_t na = 0;
    *out = NULL;
    *n = 0;
    int rc = stad_social_sources(db, &all, &na);
    if (rc)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < na; i++) {
        int allowed = 0;
        for (size_t j = 0; j < src->n && !allowed; j++)
            allowed = strcmp(all[i], src->name[j]) == 0;
        if (allowed)
            all[k++] = all[i];
        else
            free(all[i]);
    }
    *out = all;
    *n = k;
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
                          "gebeurtenissen of huishoudens (en cellen waaruit die terug te "
                          "rekenen zijn) staan als <em>suppressed</em>, zonder aantal.</p>\n"
                          "<ul>\n",
                       m->modified, m->o->threshold);
    for (size_t i = 0; i < m->n_ds; i++) {
        const od_dataset *d = &m->ds[i];
        stad_strbuf_append(b, "<li>");
        html(b, d->title);
        stad_strbuf_printf(b, " (%s t/m %s): <a href=\"%s.csv\">CSV</a>, "
                              "<a href=\"%s.geojson\">GeoJSON</a></li>\n",
                           d->first, d->last, d->slug, d->slug);
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

#define THEME_OOV "http://standaarden.overheid.nl/owms/terms/Openbare_orde_en_veiligheid"
#define THEME_SOCIAL "http://standaarden.overheid.nl/owms/terms/Sociale_zekerheid"

/* First and last month (indexes) with a non-zero cell of the wanted kinds; 0 when none. */
static int month_range(const od_table *t, const unsigned char *want, int *lo, int *hi)
{
    *lo = *hi = -1;
    for (size_t k = 0; k < t->n_kinds; k++)
        if (want[k])
            for (size_t a = 0; a < t->n_areas; a++)
                for (size_t mo = 0; mo < t->n_months; mo++)
                    if (t->units[od_cell(t, a, mo, k)]) {
                        if (*lo < 0 || (int)mo < *lo)
                            *lo = (int)mo;
                        if ((int)mo > *hi)
                            *hi = (int)mo;
                    }
    return *lo >= 0;
}

/* Writes the CSV and GeoJSON of one dataset (the CSV goes into the digest) and adds
 * it to the metadata. */
static int write_dataset(stad_ctx *ctx, const char *dir, const od_table *t,
                         const od_columns *cols, const od_dataset *proto, od_meta *m,
                         crypto_generichash_state *hs, stad_strbuf *b)
{
    int lo, hi;
    if (!t->units || !month_range(t, cols->want, &lo, &hi))
        return 0; /* no data: no dataset */
    od_dataset *nd = realloc(m->ds, (m->n_ds + 1) * sizeof *nd);
    if (!nd)
        return STAD_ENOMEM;
    m->ds = nd;
    od_dataset *d = &nd[m->n_ds++];
    *d = *proto;
    od_month_key(t, (size_t)lo, d->first);
    od_month_key(t, (size_t)hi, d->last);
    char name[128];
    stad_strbuf_clear(b);
    int rc = od_write_csv(t, cols, b);
    crypto_generichash_update(hs, (const unsigned char *)stad_strbuf_str(b),
                              strlen(stad_strbuf_str(b)));
    d->csv_bytes = (int64_t)strlen(stad_strbuf_str(b));
    snprintf(name, sizeof name, "%s.csv", d->slug);
    if (!rc)
        rc = write_file(ctx, dir, name, b);
    stad_strbuf_clear(b);
    if (!rc)
        rc = od_write_geojson(t, cols, b);
    d->geojson_bytes = (int64_t)strlen(stad_strbuf_str(b));
    snprintf(name, sizeof name, "%s.geojson", d->slug);
    if (!rc)
        rc = write_file(ctx, dir, name, b);
    return rc;
}

static int write_datasets(stad_ctx *ctx, const char *dir, const od_table *t,
                          const od_table *u, od_meta *m, crypto_generichash_state *hs)
{
    static const char *const titles[] = {"Incidenten per buurt en wijk per maand",
                                         "Meldingen openbare ruimte per buurt en wijk per maand",
                                         "Handhavingsresultaten per buurt en wijk per maand"};
    static const char *const descr[] = {
        "Aantal geregistreerde incidenten per soort, per buurt en wijk en per maand.",
        "Aantal meldingen openbare ruimte per soort, per buurt en wijk en per maand.",
        /* one string: clang warns about split literals in an initialiser list */
        "Aantal handhavingsresultaten (zoals gelabelde en verwijderde fietsen) per soort, per buurt en wijk en per maand."};
    size_t nk = t->n_kinds > u->n_kinds ? t->n_kinds : u->n_kinds;
    unsigned char *want = malloc(nk ? nk : 1);
    stad_strbuf b = STAD_STRBUF_INIT;
    int rc = want ? 0 : STAD_ENOMEM;
    for (int th = 0; th < OD_THEMES && !rc; th++) {
        for (size_t k = 0; k < t->n_kinds; k++)
            want[k] = od_theme_of(t->kinds[k]) == th;
        od_columns cols = {want, "kind", "count"};
        od_dataset d;
        memset(&d, 0, sizeof d);
        snprintf(d.slug, sizeof d.slug, "%s", od_theme_slug(th));
        snprintf(d.title, sizeof d.title, "%s", titles[th]);
        snprintf(d.description, sizeof d.description, "%s", descr[th]);
        snprintf(d.keyword, sizeof d.keyword, "%s", od_theme_slug(th));
        d.theme_uri = THEME_OOV;
        d.unit = "gebeurtenissen";
        rc = write_dataset(ctx, dir, t, &cols, &d, m, hs, &b);
    }
    /* one dataset per social source */
    for (size_t s = 0; s < u->n_kinds && !rc; s++) {
        for (size_t k = 0; k < u->n_kinds; k++)
            want[k] = k == s;
        od_columns cols = {want, "source", "households"};
        od_dataset d;
        memset(&d, 0, sizeof d);
        const char *src = u->kinds[s];
        snprintf(d.slug, sizeof d.slug, "sociaal-%s", src);
        snprintf(d.title, sizeof d.title, "Huishoudens in de bron %s (sociaal domein) per buurt "
                                          "en wijk per maand", src);
        snprintf(d.description, sizeof d.description,
                 "Aantal verschillende huishoudens met ten minste een registratie in de bron %s "
                 "van het sociaal domein, per buurt en wijk en per maand. Geteld uit "
                 "gepseudonimiseerde gegevens; de bron is in het bronnenregister vrijgegeven "
                 "voor publicatie.", src);
        snprintf(d.keyword, sizeof d.keyword, "%s", src);
        d.theme_uri = THEME_SOCIAL;
        d.unit = "huishoudens";
        rc = write_dataset(ctx, dir, u, &cols, &d, m, hs, &b);
    }
    stad_strbuf_free(&b);
    free(want);
    return rc;
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
    ids src = {NULL, NULL, 0};
    int rc = stad_store_sources_each(s, source_cb, &src);
    if (rc == STAD_ENOMEM)
        rc = stad_fail(ctx, rc, "out of memory");
    if (!rc && !src.n)
        rc = stad_fail(ctx, STAD_EEMPTY, "publish: no source may be published (approve a "
                                         "source with role 'public' in the register)");
    rep->sources = (int64_t)src.n;
    /* The social store: checked read-only first so that a wrong path is an error,
     * not a new empty store; then read-write for its ledger. */
    stad_social_db *sdb = NULL;
    char **snames = NULL;
    size_t n_snames = 0;
    if (!rc && o.social_db) {
        rc = stad_social_db_open_readonly(ctx, o.social_db, &sdb);
        stad_social_db_close(sdb);
        sdb = NULL;
        if (!rc)
            rc = stad_social_db_open(ctx, o.social_db, &sdb);
        if (!rc)
            rc = social_names(sdb, &src, &snames, &n_snames);
    }
    rep->social_sources = (int64_t)n_snames;
    od_table t, u;
    memset(&t, 0, sizeof t);
    memset(&u, 0, sizeof u);
    if (!rc)
        rc = od_table_load(s, src.v, src.n, &t);
    if (!rc && n_snames)
        rc = od_social_load(s, sdb, snames, n_snames, &u, &rep->social_records);
    ids_free(&src);
    rep->events = t.events;
    /* the ledgers can refuse cells, which changes what protects them: repeat until a
     * pass refuses nothing new; refusing only ever hides more */
    int64_t refused = 1;
    for (int pass = 0; !rc && refused && pass < 20; pass++) {
        int64_t n1 = 0, n2 = 0, n3 = 0;
        rc = od_table_suppress(ctx, &t, o.threshold);
        if (!rc)
            rc = od_table_suppress(ctx, &u, o.threshold);
        if (!rc)
            rc = od_ledger_check(s, &t, o.threshold, o.strict, &n1);
        if (!rc)
            rc = od_ledger_check(s, &u, o.threshold, o.strict, &n2);
        if (!rc && sdb)
            rc = od_social_check(s, sdb, &u, o.threshold, o.strict, &n3);
        refused = n1 + n2 + n3;
    }
    if (!rc && refused) {
        /* still refusing after 20 passes: hide what was refused last */
        rc = od_table_suppress(ctx, &t, o.threshold);
        if (!rc)
            rc = od_table_suppress(ctx, &u, o.threshold);
    }
    if (rc) {
        od_table_free(&t);
        od_table_free(&u);
        for (size_t i = 0; i < n_snames; i++)
            free(snames[i]);
        free(snames);
        stad_social_db_close(sdb);
        return rc;
    }
    count(&t, rep);
    count(&u, rep);
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
    if (!rc)
        rc = write_datasets(ctx, o.dir, &t, &u, &m, &hs);
    rep->datasets = (int)m.n_ds;
    stad_strbuf b = STAD_STRBUF_INIT;
    if (!rc) {
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
    /* The social ledger first (a release named after the tables, so the same tables
     * are recorded once), then the count ledger of the store. */
    if (!rc && sdb && u.units) {
        char name[64];
        snprintf(name, sizeof name, "opendata-%.16s", hex);
        rc = od_social_record(s, sdb, &u, o.threshold, name);
    }
    const od_table *tables[2] = {&t, &u};
    if (!rc)
        rc = od_ledger_record(s, tables, 2, o.threshold, hex, o.now, &rep->release);
    if (rc == STAD_ENOMEM)
        stad_fail(ctx, rc, "out of memory");
    free(city);
    free(m.ds);
    od_table_free(&t);
    od_table_free(&u);
    for (size_t i = 0; i < n_snames; i++)
        free(snames[i]);
    free(snames);
    stad_social_db_close(sdb);
    return rc;
}
