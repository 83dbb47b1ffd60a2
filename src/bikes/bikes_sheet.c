/* Route sheets of a plan, in Dutch like the dashboard: printable HTML per enforcer,
 * GPX routes and tracks for a phone or navigation device, GeoJSON for a map. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bikes_internal.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"

static const char *task_text(int a)
{
    return a == STAD_BIKES_FOLLOWUP ? "nacontrole: wat nog gelabeld is verwijderen" : "labelen";
}

/* Whether the plan was traced (stad_bikes_plan_trace): depot and ways in WGS84. */
static int traced(const stad_bikes_plan *p)
{
    return p->way_first && isfinite(p->depot_lon) && isfinite(p->depot_lat);
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
    html_text(t->title, name, sizeof name);
    stad_strbuf_printf(b,
                       "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\">"
                       "<title>Routeblad %s %s</title><style>"
                       "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;"
                       "width:100%%}td,th{border:1px solid #999;padding:4px;text-align:left}"
                       "section{page-break-after:always}.box{width:3em}</style></head><body>\n",
                       name, date);
    char depot[96] = "";
    if (traced(p))
        snprintf(depot, sizeof depot, " Start en einde bij het depot (%.5f, %.5f).",
                 p->depot_lat, p->depot_lon);
    for (int e = 0; e < p->enforcers; e++) {
        char dur[16], take[64] = "";
        clock_text(p->route_s[e], dur, sizeof dur);
        int labels = stad_bikes_plan_labels_to_take(p, e);
        if (labels > 0)
            snprintf(take, sizeof take, " Neem %d labels mee.", labels);
        stad_strbuf_printf(b,
                           "<section><h1>%s %s &mdash; handhaver %d van %d</h1><p>Geplande "
                           "tijd %s van %.1f uur.%s Wat na %d dagen nog gelabeld is, wordt "
                           "bij de nacontrole verwijderd.%s</p>\n<table><tr><th>#</th>"
                           "<th>tijd</th><th>straat</th><th>taak</th><th>verwacht</th>"
                           "<th>labels</th><th>verwijderd</th><th>opmerkingen</th></tr>\n",
                           name, date, e + 1, p->enforcers, dur, p->hours, depot,
                           t->waiting_days, take);
        for (size_t i = 0; i < p->n_stops; i++) {
            const stad_bikes_stop *s = &p->stops[i];
            if (s->enforcer != e)
                continue;
            char at[16], kind[200], street[300], label[200];
            clock_text(s->arrive_s, at, sizeof at);
            html_text(bikes_kind_nl(st->kind[s->street]), kind, sizeof kind);
            bikes_street_label(st, s->street, label, sizeof label);
            html_text(label, street, sizeof street);
            char expected[64];
            if (s->action == STAD_BIKES_FOLLOWUP)
                snprintf(expected, sizeof expected, "%.0f labels uit", s->expected);
            else
                snprintf(expected, sizeof expected, "%.1f (%.1f&ndash;%.1f)", s->expected,
                         s->lo, s->hi);
            stad_strbuf_printf(b,
                               "<tr><td>%d</td><td>%s</td><td>%s (nr %lld, %s, %.0f m; "
                               "%.5f, %.5f)</td><td>%s</td><td>%s</td>"
                               "<td class=box></td><td class=box></td><td></td></tr>\n",
                               s->order, at, street, (long long)st->id[s->street], kind,
                               st->length[s->street], st->lat[s->street], st->lon[s->street],
                               task_text(s->action), expected);
        }
        stad_strbuf_append(b, "</table></section>\n");
    }
    stad_strbuf_append(b, "</body></html>\n");
    return b->oom ? STAD_ENOMEM : 0;
}

static void gpx_depot(const stad_bikes_plan *p, stad_strbuf *b)
{
    if (traced(p))
        stad_strbuf_printf(b, "<rtept lat=\"%.7f\" lon=\"%.7f\"><name>depot</name></rtept>\n",
                           p->depot_lat, p->depot_lon);
}

int stad_bikes_plan_gpx(const stad_bikes_streets *st, const stad_bikes_plan *p,
                        stad_strbuf *b)
{
    stad_strbuf_append(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" "
                          "creator=\"stad\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
    /* the stops to visit, in order, from the depot and back */
    for (int e = 0; e < p->enforcers; e++) {
        stad_strbuf_printf(b, "<rte><name>handhaver %d</name>\n", e + 1);
        gpx_depot(p, b);
        for (size_t i = 0; i < p->n_stops; i++) {
            const stad_bikes_stop *s = &p->stops[i];
            if (s->enforcer != e)
                continue;
            char label[200], name[300];
            bikes_street_label(st, s->street, label, sizeof label);
            html_text(label, name, sizeof name); /* XML text: the same escapes */
            stad_strbuf_printf(b,
                               "<rtept lat=\"%.7f\" lon=\"%.7f\"><name>%d %s %s</name>"
                               "<desc>nr %lld</desc></rtept>\n",
                               st->lat[s->street], st->lon[s->street], s->order,
                               bikes_task_nl(s->action), name, (long long)st->id[s->street]);
        }
        gpx_depot(p, b);
        stad_strbuf_append(b, "</rte>\n");
    }
    /* the way along the streets, for a device that follows a track */
    for (int e = 0; traced(p) && e < p->enforcers; e++) {
        if (p->way_first[e + 1] == p->way_first[e])
            continue;
        stad_strbuf_printf(b, "<trk><name>handhaver %d, de weg</name><trkseg>\n", e + 1);
        for (size_t i = p->way_first[e]; i < p->way_first[e + 1]; i++)
            stad_strbuf_printf(b, "<trkpt lat=\"%.7f\" lon=\"%.7f\"/>\n", p->way_lat[i],
                               p->way_lon[i]);
        stad_strbuf_append(b, "</trkseg></trk>\n");
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
                           ",\"properties\":{\"type\":\"stop\",\"street_id\":%lld,\"enforcer\":%d,\"order\":%d,"
                           "\"action\":\"%s\",\"expected\":%.3f,\"lo\":%.3f,\"hi\":%.3f,"
                           "\"arrive_min\":%.1f,\"lon\":%.7f,\"lat\":%.7f,\"name\":",
                           (long long)st->id[s->street], s->enforcer + 1, s->order,
                           s->action == STAD_BIKES_FOLLOWUP ? "followup" : "label", s->expected,
                           s->lo, s->hi, s->arrive_s / 60, st->lon[s->street],
                           st->lat[s->street]);
        const char *name = st->name ? st->name[s->street] : NULL;
        const char *near = st->near ? st->near[s->street] : NULL;
        if (name)
            stad_strbuf_append_json(b, name);
        else
            stad_strbuf_append(b, "null");
        stad_strbuf_append(b, ",\"near\":");
        if (near)
            stad_strbuf_append_json(b, near);
        else
            stad_strbuf_append(b, "null");
        stad_strbuf_append(b, "}}");
    }
    if (traced(p)) {
        /* the depot, and each enforcer's way along the streets */
        stad_strbuf_printf(b,
                           "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                           "\"coordinates\":[%.7f,%.7f]},\"properties\":{\"type\":\"depot\"}}",
                           p->n_stops ? "," : "", p->depot_lon, p->depot_lat);
        for (int e = 0; e < p->enforcers; e++) {
            if (p->way_first[e + 1] - p->way_first[e] < 2)
                continue;
            stad_strbuf_append(b, ",\n{\"type\":\"Feature\",\"geometry\":{\"type\":"
                                  "\"LineString\",\"coordinates\":[");
            for (size_t i = p->way_first[e]; i < p->way_first[e + 1]; i++)
                stad_strbuf_printf(b, "%s[%.7f,%.7f]", i > p->way_first[e] ? "," : "",
                                   p->way_lon[i], p->way_lat[i]);
            stad_strbuf_printf(b, "]},\"properties\":{\"type\":\"way\",\"enforcer\":%d}}",
                               e + 1);
        }
    }
    stad_strbuf_append(b, "\n]}\n");
    return b->oom ? STAD_ENOMEM : 0;
}
