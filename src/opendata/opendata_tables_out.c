/* The published tables as CSV and GeoJSON. A suppressed cell has no count and says
 * "suppressed" (never a zero, which would be a false figure). */
#include <inttypes.h>
#include <string.h>

#include "opendata_internal.h"

static const char *const status_text[] = {"published", "suppressed", "suppressed",
                                          "suppressed"};
static const char *const reason_text[] = {"", "threshold", "secondary", "ledger"};

int od_write_csv(const od_table *t, const od_columns *cols, stad_strbuf *b)
{
    stad_strbuf_printf(b, "level,area_code,area_name,month,%s,%s,status,reason\n", cols->kind,
                       cols->count);
    char mk[8];
    for (size_t a = 0; a < t->n_areas; a++)
        for (size_t m = 0; m < t->n_months; m++)
            for (size_t k = 0; k < t->n_kinds; k++) {
                if (!cols->want[k])
                    continue;
                size_t c = od_cell(t, a, m, k);
                od_month_key(t, m, mk);
                stad_strbuf_append(b, t->areas[a].level == OD_WIJK ? "wijk," : "buurt,");
                stad_strbuf_append_csv(b, t->areas[a].code);
                stad_strbuf_append_char(b, ',');
                stad_strbuf_append_csv(b, t->areas[a].name);
                stad_strbuf_printf(b, ",%s,%s,", mk, t->kinds[k]);
                if (!t->supp[c])
                    stad_strbuf_printf(b, "%" PRId64, t->units[c]);
                if (stad_strbuf_printf(b, ",%s,%s\n", status_text[t->supp[c]],
                                       reason_text[t->supp[c]]) < 0)
                    return STAD_ENOMEM;
            }
    return 0;
}

int od_write_geojson(const od_table *t, const od_columns *cols, stad_strbuf *b)
{
    stad_strbuf_append(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    char mk[8];
    int first = 1;
    for (size_t a = 0; a < t->n_areas; a++) {
        const od_area *ar = &t->areas[a];
        stad_strbuf_printf(b, "%s\n{\"type\":\"Feature\",\"geometry\":%s,\"properties\":{"
                              "\"level\":\"%s\",\"code\":",
                           first ? "" : ",", *ar->geojson ? ar->geojson : "null",
                           ar->level == OD_WIJK ? "wijk" : "buurt");
        first = 0;
        stad_strbuf_append_json(b, ar->code);
        stad_strbuf_append(b, ",\"name\":");
        stad_strbuf_append_json(b, ar->name);
        stad_strbuf_append(b, ",\"cells\":[");
        int fc = 1;
        for (size_t m = 0; m < t->n_months; m++)
            for (size_t k = 0; k < t->n_kinds; k++) {
                size_t c = od_cell(t, a, m, k);
                if (!cols->want[k])
                    continue;
                od_month_key(t, m, mk);
                stad_strbuf_printf(b, "%s{\"month\":\"%s\",\"%s\":\"%s\",", fc ? "" : ",",
                                   mk, cols->kind, t->kinds[k]);
                fc = 0;
                if (t->supp[c])
                    stad_strbuf_printf(b, "\"%s\":null,\"status\":\"suppressed\","
                                          "\"reason\":\"%s\"}",
                                       cols->count, reason_text[t->supp[c]]);
                else
                    stad_strbuf_printf(b, "\"%s\":%" PRId64 ",\"status\":\"published\"}",
                                       cols->count, t->units[c]);
            }
        if (stad_strbuf_append(b, "]}}") < 0)
            return STAD_ENOMEM;
    }
    return stad_strbuf_append(b, "\n]}\n") < 0 ? STAD_ENOMEM : 0;
}
