/* DCAT-AP-DONL 1.1 metadata of the published datasets, in Turtle and JSON-LD. Every
 * field that DCAT-AP-DONL marks mandatory is written (dataset: identifier, title,
 * description, language, theme, modified, overheid:authority, publisher,
 * contactPoint; distribution: accessURL, license, title, description, language,
 * format), plus temporal and spatial coverage and the update frequency. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opendata_internal.h"

#define NS_OVERHEID "http://standaarden.overheid.nl/owms/terms/"
#define LANG_NL "http://publications.europa.eu/resource/authority/language/NLD"
#define LICENCE_CC0 "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"
#define FREQ_MONTHLY "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
#define FT "http://publications.europa.eu/resource/authority/file-type/"

/* The note on suppression every dataset and distribution description ends with. */
static void suppression_note(stad_strbuf *b, const od_dataset *d)
{
    stad_strbuf_printf(b, " Cellen met minder dan de drempel %s, en cellen waaruit die terug "
                          "te rekenen zijn, staan als 'suppressed' zonder aantal.",
                       d->unit);
}

/* A Turtle/JSON string body: quotes, backslashes and control characters escaped. */
static void lit(stad_strbuf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            stad_strbuf_printf(b, "\\%c", c);
        else if (c < 0x20)
            stad_strbuf_printf(b, "\\u%04x", c);
        else
            stad_strbuf_append_char(b, (char)c);
    }
}

static void month_last_day(const char *ym, char out[16])
{
    int y = (ym[0] - '0') * 1000 + (ym[1] - '0') * 100 + (ym[2] - '0') * 10 + (ym[3] - '0');
    int m = (ym[5] - '0') * 10 + (ym[6] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int d = days[(m - 1) % 12];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        d = 29;
    snprintf(out, 16, "%.7s-%02d", ym, d);
}

int od_write_turtle(const od_meta *m, stad_strbuf *b)
{
    const char *base = m->o->base_url;
    stad_strbuf_append(b,
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix locn: <http://www.w3.org/ns/locn#> .\n"
        "@prefix overheid: <" NS_OVERHEID "> .\n\n");
    stad_strbuf_printf(b, "<%scatalog> a dcat:Catalog ;\n  dct:title \"Open data ", base);
    lit(b, m->publisher);
    stad_strbuf_append(b, "\"@nl ;\n  dct:description \"Geaggregeerde cijfers uit stad, "
                          "teruggegeven aan de stad.\"@nl ;\n");
    stad_strbuf_printf(b, "  dct:publisher <%s> ;\n  dct:language <" LANG_NL "> ;\n"
                          "  dct:license <" LICENCE_CC0 "> ;\n  foaf:homepage <%s> ;\n"
                          "  dct:modified \"%s\"^^xsd:date",
                       m->authority, base, m->modified);
    for (size_t i = 0; i < m->n_ds; i++)
        stad_strbuf_printf(b, " ;\n  dcat:dataset <%s%s>", base, m->ds[i].slug);
    stad_strbuf_printf(b, " .\n\n<%s> a foaf:Agent ;\n  foaf:name \"", m->authority);
    lit(b, m->publisher);
    stad_strbuf_append(b, "\" .\n\n");
    for (size_t i = 0; i < m->n_ds; i++) {
        const od_dataset *ds = &m->ds[i];
        const char *slug = ds->slug;
        char end[16];
        month_last_day(ds->last, end);
        stad_strbuf_printf(b, "<%s%s> a dcat:Dataset ;\n  dct:identifier \"%s%s\"^^xsd:anyURI ;\n"
                              "  dct:title \"",
                           base, slug, base, slug);
        lit(b, ds->title);
        stad_strbuf_append(b, "\"@nl ;\n  dct:description \"");
        lit(b, ds->description);
        suppression_note(b, ds);
        stad_strbuf_append(b, "\"@nl ;\n  dcat:keyword \"");
        lit(b, ds->keyword);
        stad_strbuf_printf(b,
            "\"@nl, \"buurt\"@nl, \"wijk\"@nl ;\n"
            "  dct:language <" LANG_NL "> ;\n  dcat:theme <%s> ;\n"
            "  dct:modified \"%s\"^^xsd:date ;\n  overheid:authority <%s> ;\n"
            "  dct:publisher <%s> ;\n  dcat:landingPage <%s> ;\n"
            "  dct:accrualPeriodicity <" FREQ_MONTHLY "> ;\n",
            ds->theme_uri, m->modified, m->authority, m->authority, base);
        stad_strbuf_printf(b,
            "  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate \"%s-01\"^^xsd:date ;"
            " dcat:endDate \"%s\"^^xsd:date ] ;\n",
            ds->first, end);
        stad_strbuf_append(b, "  dct:spatial [ a dct:Location ; locn:geographicName \"");
        lit(b, m->city);
        stad_strbuf_append(b, "\"@nl ] ;\n  dcat:contactPoint [ a vcard:Organization ; vcard:fn \"");
        lit(b, m->publisher);
        stad_strbuf_printf(b, "\" ; vcard:hasEmail <mailto:%s> ] ;\n"
                              "  dcat:distribution <%s%s.csv>, <%s%s.geojson> .\n\n",
                           m->email, base, slug, base, slug);
        static const char *const ext[] = {"csv", "geojson"};
        static const char *const fmt[] = {"CSV", "GEOJSON"};
        static const char *const mt[] = {"text/csv", "application/geo+json"};
        for (int d = 0; d < 2; d++) {
            int64_t bytes = d ? ds->geojson_bytes : ds->csv_bytes;
            stad_strbuf_printf(b, "<%s%s.%s> a dcat:Distribution ;\n  dct:title \"", base, slug,
                               ext[d]);
            lit(b, ds->title);
            stad_strbuf_printf(b, " (%s)\"@nl ;\n  dct:description \"", fmt[d]);
            lit(b, ds->description);
            suppression_note(b, ds);
            stad_strbuf_printf(b,
                "\"@nl ;\n"
                "  dcat:accessURL <%s%s.%s> ;\n  dcat:downloadURL <%s%s.%s> ;\n"
                "  dct:license <" LICENCE_CC0 "> ;\n  dct:language <" LANG_NL "> ;\n"
                "  dct:format <" FT "%s> ;\n  dcat:mediaType \"%s\" ;\n"
                "  dcat:byteSize \"%" PRId64 "\"^^xsd:decimal ;\n"
                "  dct:modified \"%s\"^^xsd:date .\n\n",
                base, slug, ext[d], base, slug, ext[d], fmt[d], mt[d], bytes, m->modified);
        }
    }
    return stad_strbuf_str(b)[0] ? 0 : STAD_ENOMEM;
}

int od_write_jsonld(const od_meta *m, stad_strbuf *b)
{
    const char *base = m->o->base_url;
    stad_strbuf_append(b,
        "{\n\"@context\": {\"dcat\": \"http://www.w3.org/ns/dcat#\", "
        "\"dct\": \"http://purl.org/dc/terms/\", \"foaf\": \"http://xmlns.com/foaf/0.1/\", "
        "\"vcard\": \"http://www.w3.org/2006/vcard/ns#\", "
        "\"xsd\": \"http://www.w3.org/2001/XMLSchema#\", \"locn\": \"http://www.w3.org/ns/locn#\", "
        "\"overheid\": \"" NS_OVERHEID "\"},\n\"@graph\": [\n");
    stad_strbuf_printf(b, "{\"@id\": \"%scatalog\", \"@type\": \"dcat:Catalog\", "
                          "\"dct:title\": {\"@value\": \"Open data ", base);
    lit(b, m->publisher);
    stad_strbuf_printf(b, "\", \"@language\": \"nl\"}, \"dct:description\": {\"@value\": "
                          "\"Geaggregeerde cijfers uit stad, teruggegeven aan de stad.\", "
                          "\"@language\": \"nl\"}, \"dct:publisher\": {\"@id\": \"%s\"}, "
                          "\"dct:language\": {\"@id\": \"" LANG_NL "\"}, "
                          "\"dct:license\": {\"@id\": \"" LICENCE_CC0 "\"}, "
                          "\"foaf:homepage\": {\"@id\": \"%s\"}, "
                          "\"dct:modified\": {\"@value\": \"%s\", \"@type\": \"xsd:date\"}, "
                          "\"dcat:dataset\": [",
                       m->authority, base, m->modified);
    for (size_t i = 0; i < m->n_ds; i++)
        stad_strbuf_printf(b, "%s{\"@id\": \"%s%s\"}", i ? ", " : "", base, m->ds[i].slug);
    stad_strbuf_printf(b, "]},\n{\"@id\": \"%s\", \"@type\": \"foaf:Agent\", \"foaf:name\": \"",
                       m->authority);
    lit(b, m->publisher);
    stad_strbuf_append(b, "\"}");
    for (size_t i = 0; i < m->n_ds; i++) {
        const od_dataset *ds = &m->ds[i];
        const char *slug = ds->slug;
        char end[16];
        month_last_day(ds->last, end);
        stad_strbuf_printf(b,
            ",\n{\"@id\": \"%s%s\", \"@type\": \"dcat:Dataset\", "
            "\"dct:identifier\": {\"@value\": \"%s%s\", \"@type\": \"xsd:anyURI\"}, "
            "\"dct:title\": {\"@value\": \"",
            base, slug, base, slug);
        lit(b, ds->title);
        stad_strbuf_append(b, "\", \"@language\": \"nl\"}, \"dct:description\": {\"@value\": \"");
        lit(b, ds->description);
        suppression_note(b, ds);
        /* keywords with their language, as in the Turtle: the same graph */
        stad_strbuf_append(b, "\", \"@language\": \"nl\"}, \"dcat:keyword\": [{\"@value\": \"");
        lit(b, ds->keyword);
        stad_strbuf_printf(b,
            "\", \"@language\": \"nl\"}, {\"@value\": \"buurt\", \"@language\": \"nl\"}, "
            "{\"@value\": \"wijk\", \"@language\": \"nl\"}], "
            "\"dct:language\": {\"@id\": \"" LANG_NL "\"}, "
            "\"dcat:theme\": {\"@id\": \"%s\"}, "
            "\"dct:modified\": {\"@value\": \"%s\", \"@type\": \"xsd:date\"}, "
            "\"overheid:authority\": {\"@id\": \"%s\"}, \"dct:publisher\": {\"@id\": \"%s\"}, "
            "\"dcat:landingPage\": {\"@id\": \"%s\"}, "
            "\"dct:accrualPeriodicity\": {\"@id\": \"" FREQ_MONTHLY "\"}, "
            "\"dct:temporal\": {\"@type\": \"dct:PeriodOfTime\", "
            "\"dcat:startDate\": {\"@value\": \"%s-01\", \"@type\": \"xsd:date\"}, "
            "\"dcat:endDate\": {\"@value\": \"%s\", \"@type\": \"xsd:date\"}}, ",
            ds->theme_uri, m->modified, m->authority, m->authority, base, ds->first, end);
        stad_strbuf_append(b, "\"dct:spatial\": {\"@type\": \"dct:Location\", "
                              "\"locn:geographicName\": {\"@value\": \"");
        lit(b, m->city);
        stad_strbuf_append(b, "\", \"@language\": \"nl\"}}, \"dcat:contactPoint\": "
                              "{\"@type\": \"vcard:Organization\", \"vcard:fn\": \"");
        lit(b, m->publisher);
        stad_strbuf_printf(b, "\", \"vcard:hasEmail\": {\"@id\": \"mailto:%s\"}}, "
                              "\"dcat:distribution\": [{\"@id\": \"%s%s.csv\"}, "
                              "{\"@id\": \"%s%s.geojson\"}]}",
                           m->email, base, slug, base, slug);
        static const char *const ext[] = {"csv", "geojson"};
        static const char *const fmt[] = {"CSV", "GEOJSON"};
        static const char *const mt[] = {"text/csv", "application/geo+json"};
        for (int d = 0; d < 2; d++) {
            int64_t bytes = d ? ds->geojson_bytes : ds->csv_bytes;
            stad_strbuf_printf(b,
                ",\n{\"@id\": \"%s%s.%s\", \"@type\": \"dcat:Distribution\", "
                "\"dct:title\": {\"@value\": \"", base, slug, ext[d]);
            lit(b, ds->title);
            stad_strbuf_printf(b, " (%s)\", \"@language\": \"nl\"}, \"dct:description\": "
                                  "{\"@value\": \"", fmt[d]);
            lit(b, ds->description);
            suppression_note(b, ds);
            stad_strbuf_printf(b,
                "\", \"@language\": \"nl\"}, "
                "\"dcat:accessURL\": {\"@id\": \"%s%s.%s\"}, "
                "\"dcat:downloadURL\": {\"@id\": \"%s%s.%s\"}, "
                "\"dct:license\": {\"@id\": \"" LICENCE_CC0 "\"}, "
                "\"dct:language\": {\"@id\": \"" LANG_NL "\"}, "
                "\"dct:format\": {\"@id\": \"" FT "%s\"}, \"dcat:mediaType\": \"%s\", "
                "\"dcat:byteSize\": {\"@value\": \"%" PRId64 "\", \"@type\": \"xsd:decimal\"}, "
                "\"dct:modified\": {\"@value\": \"%s\", \"@type\": \"xsd:date\"}}",
                base, slug, ext[d], base, slug, ext[d], fmt[d], mt[d], bytes, m->modified);
        }
    }
    return stad_strbuf_append(b, "\n]\n}\n") < 0 ? STAD_ENOMEM : 0;
}
