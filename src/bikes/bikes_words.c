/* The Dutch words of the route sheets (HTML, PDF, GPX), in one place so that every
 * sheet says the same as the dashboard and the handheld (web/src/campaigns.js). */
#include <stdio.h>
#include <string.h>

#include "bikes_internal.h"

/* OpenStreetMap road classes of the street files, as an enforcer would say them. */
static const struct {
    const char *osm, *nl;
} KINDS[] = {
    {"residential", "woonstraat"},   {"living_street", "woonerf"},
    {"pedestrian", "voetgangersgebied"}, {"tertiary", "buurtweg"},
    {"secondary", "wijkweg"},        {"primary", "hoofdweg"},
    {"unclassified", "weg"},         {"service", "ventweg"},
    {"footway", "voetpad"},          {"cycleway", "fietspad"},
};

const char *bikes_kind_nl(const char *kind)
{
    if (!kind || !*kind)
        return "straat";
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(kind, KINDS[i].osm))
            return KINDS[i].nl;
    return kind; /* a class the table does not know is shown as the file has it */
}

void bikes_street_label(const stad_bikes_streets *st, size_t i, char *buf, size_t size)
{
    const char *name = st->name ? st->name[i] : NULL;
    const char *near = st->near ? st->near[i] : NULL;
    const char *kind = bikes_kind_nl(st->kind ? st->kind[i] : NULL);
    if (name && *name)
        snprintf(buf, size, "%s", name);
    else if (near)
        snprintf(buf, size, "(%s bij %s)", kind, near);
    else
        snprintf(buf, size, "(%s)", kind);
}

const char *bikes_task_nl(int action)
{
    return action == STAD_BIKES_FOLLOWUP ? "nacontrole" : "labelen";
}
