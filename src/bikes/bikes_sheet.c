/* Route sheets of a plan: printable HTML per enforcer, GPX routes for a phone or
 * navigation device, GeoJSON points for the map. */
#include <stdio.h>
#include <string.h>

#include "stad/bikes.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"

static const char *action_word(int a)
{
    return a == STAD_BIKES_FOLLOWUP ? "follow-up: remove labelled" : "label";
}

/* Text from data files (road classes) or configuration as HTML text. */
static const char *html_text(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; *s && k + 7 < size; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                      : *s == '"' ? "&quot;" : NULL;
        if (e) {
            memcpy(buf + k, e, strlen(e));
            k += strlen(e);
        } else {
            buf[k++] = *s;
        }
    }
    buf[k] = '\0';
    return buf;
}

static void clock_text(double s, char *buf, size_t size)
{
    int m = (int)(s / 60 + 0.5);
    snprintf(buf, size, "%d:%02d", m / 60, m % 60);
}

int stad_bikes_plan_html(const stad_bikes_theme *t, const stad_bikes_streets *st,
                         const stad_bikes_plan *p, stad_strbuf *b)
{
    char date[16], name[200];
    stad_date_format(p->date, date, sizeof date);
    html_text(t->name, name, sizeof name);
    stad_strbuf_printf(b,
                       "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\">"
                       "<title>Route %s %s</title><style>"
                       "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;"
                       "width:100%%}td,th{border:1px solid #999;padding:4px;text-align:left}"
                       "section{page-break-after:always}.box{width:3em}</style></head><body>\n",
                       name, date);
    for (int e = 0; e < p->enforcers; e++) {
        char dur[16];
        clock_text(p->route_s[e], dur, sizeof dur);
        stad_strbuf_printf(b,
                           "<section><h1>%s %s &mdash; enforcer %d</h1><p>Planned time %s "
                           "of %.1f h. Waiting period %d days.</p>\n<table><tr><th>#</th>"
                           "<th>at</th><th>street</th><th>task</th><th>expected</th>"
                           "<th>labels</th><th>removed</th><th>remarks</th></tr>\n",
                           name, date, e + 1, dur, p->hours, t->waiting_days);
        for (size_t i = 0; i < p->n_stops; i++) {
            const stad_bikes_stop *s = &p->stops[i];
            if (s->enforcer != e)
                continue;
            char at[16], kind[200];
            clock_text(s->arrive_s, at, sizeof at);
            html_text(st->kind[s->street][0] ? st->kind[s->street] : "street", kind, sizeof kind);
            stad_strbuf_printf(b,
                               "<tr><td>%d</td><td>%s</td><td>segment %lld (%s, %.0f m; "
                               "%.5f, %.5f)</td><td>%s</td><td>%.1f (%.1f&ndash;%.1f)</td>"
                               "<td class=box></td><td class=box></td><td></td></tr>\n",
                               s->order, at, (long long)st->id[s->street],
                               kind, st->length[s->street], st->lat[s->street], st->lon[s->street],
                               action_word(s->action), s->expected, s->lo, s->hi);
        }
        stad_strbuf_append(b, "</table></section>\n");
    }
    stad_strbuf_append(b, "</body></html>\n");
    return b->oom ? STAD_ENOMEM : 0;
}

int stad_bikes_plan_gpx(const stad_bikes_streets *st, const stad_bikes_plan *p,
                        stad_strbuf *b)
{
    stad_strbuf_append(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" "
                          "creator=\"stad\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
    for (int e = 0; e < p->enforcers; e++) {
        stad_strbuf_printf(b, "<rte><name>enforcer %d</name>\n", e + 1);
        for (size_t i = 0; i < p->n_stops; i++) {
            const stad_bikes_stop *s = &p->stops[i];
            if (s->enforcer != e)
                continue;
            stad_strbuf_printf(b,
                               "<rtept lat=\"%.7f\" lon=\"%.7f\"><name>%d %s</name>"
                               "<desc>segment %lld</desc></rtept>\n",
                               st->lat[s->street], st->lon[s->street], s->order,
                               s->action == STAD_BIKES_FOLLOWUP ? "follow-up" : "label",
                               (long long)st->id[s->street]);
        }
        stad_strbuf_append(b, "</rte>\n");
    }
    stad_strbuf_append(b, "</gpx>\n");
    return b->oom ? STAD_ENOMEM : 0;
}

int stad_bikes_plan_geojson(const stad_bikes_streets *st, const stad_bikes_plan *p,
                            stad_strbuf *b)
{
    stad_strbuf_append(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < p->n_stops; i++) {
        const stad_bikes_stop *s = &p->stops[i];
        const char *geom = st->geojson && st->geojson[s->street] ? st->geojson[s->street] : NULL;
        stad_strbuf_append(b, i ? ",\n" : "\n");
        stad_strbuf_append(b, "{\"type\":\"Feature\",\"geometry\":");
        if (geom)
            stad_strbuf_append(b, geom);
        else
            stad_strbuf_printf(b, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}",
                               st->lon[s->street], st->lat[s->street]);
        stad_strbuf_printf(b,
                           ",\"properties\":{\"street_id\":%lld,\"enforcer\":%d,\"order\":%d,"
                           "\"action\":\"%s\",\"expected\":%.3f,\"lo\":%.3f,\"hi\":%.3f,"
                           "\"arrive_min\":%.1f,\"lon\":%.7f,\"lat\":%.7f}}",
                           (long long)st->id[s->street], s->enforcer + 1, s->order,
                           s->action == STAD_BIKES_FOLLOWUP ? "followup" : "label", s->expected,
                           s->lo, s->hi, s->arrive_s / 60, st->lon[s->street],
                           st->lat[s->street]);
    }
    stad_strbuf_append(b, "\n]}\n");
    return b->oom ? STAD_ENOMEM : 0;
}
