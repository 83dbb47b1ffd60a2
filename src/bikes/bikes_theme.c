/* Enforcement themes: the kinds, waiting period, service times and model settings of
 * one kind of campaign, read from config/themes/<name>.conf so that car wrecks or
 * waste use the same machinery as orphan bikes. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/bikes.h"
#include "stad/conf.h"

void stad_bikes_theme_default(stad_bikes_theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "bikes");
    snprintf(t->title, sizeof t->title, "Weesfietsen");
    snprintf(t->kind_labelled, sizeof t->kind_labelled, "bike.labelled");
    snprintf(t->kind_removed, sizeof t->kind_removed, "bike.removed");
    snprintf(t->kind_returned, sizeof t->kind_returned, "bike.returned");
    snprintf(t->signals[0], sizeof t->signals[0], "complaint.bike_wreck");
    snprintf(t->signals[1], sizeof t->signals[1], "complaint.bike_parking");
    t->n_signals = 2;
    t->waiting_days = 28;
    t->service_street_s = 60;
    t->service_label_s = 40;
    t->service_removal_s = 150;
    t->walk_kmh = 4;
    t->travel_kmh = 12;
    t->detour = 1.3;
    t->half_life_days = 120;
    t->max_exposure_days = 180;
    t->prior_per_km_day = 0.05;
    t->cold_start_elasticity = 0.5;
    t->signal_weight = 0.5;
    t->removal_share = 0.6;
    t->explore = 0.3;
    t->min_yield_per_hour = 1;
    t->n_hints = 0; /* bikes.conf names theft.bike; other themes their own or none */
    t->hint_radius_m = 200;
}

static int num(stad_ctx *ctx, const stad_conf *c, const stad_conf_entry *e, double lo,
               double hi, double *out)
{
    char *end;
    double v = strtod(e->value, &end);
    if (end == e->value || *end || !isfinite(v) || v < lo || v > hi)
        return stad_fail(ctx, STAD_EPARSE, "%s:%d: %s = '%s': expected a number from %g to %g",
                         stad_conf_path(c), e->line, e->key, e->value, lo, hi);
    *out = v;
    return 0;
}

static int copy(stad_ctx *ctx, const stad_conf *c, const stad_conf_entry *e, char *dst,
                size_t size)
{
    if (strlen(e->value) >= size)
        return stad_fail(ctx, STAD_EPARSE, "%s:%d: %s is longer than %zu characters",
                         stad_conf_path(c), e->line, e->key, size - 1);
    snprintf(dst, size, "%s", e->value);
    return 0;
}

/* A comma-separated list of event kinds into list/n. */
static int set_kinds(stad_ctx *ctx, const stad_conf *c, const stad_conf_entry *e,
                     char (*list)[64], size_t *n)
{
    *n = 0;
    const char *p = e->value;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        if (*n == STAD_BIKES_MAX_SIGNALS || len >= sizeof list[0])
            return stad_fail(ctx, STAD_EPARSE, "%s:%d: at most %d kinds of at most "
                                               "%zu characters",
                             stad_conf_path(c), e->line, STAD_BIKES_MAX_SIGNALS,
                             sizeof list[0] - 1);
        snprintf(list[(*n)++], sizeof list[0], "%.*s", (int)len, p);
        p += len;
    }
    return 0;
}

/* "depot = LON, LAT": where the team starts and ends, in degrees (WGS84). */
static int set_depot(stad_ctx *ctx, const stad_conf *c, const stad_conf_entry *e,
                     stad_bikes_theme *t)
{
    char *end;
    double lon = strtod(e->value, &end);
    const char *p = end;
    while (*p == ' ')
        p++;
    double lat = NAN;
    if (p != e->value && *p == ',') {
        lat = strtod(p + 1, &end);
        while (*end == ' ')
            end++;
    }
    if (*end || !(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
        return stad_fail(ctx, STAD_EPARSE, "%s:%d: depot = '%s': expected longitude, "
                                           "latitude in degrees (WGS84), e.g. 6.5665, 53.2194",
                         stad_conf_path(c), e->line, e->value);
    t->has_depot = 1;
    t->depot_lon = lon;
    t->depot_lat = lat;
    return 0;
}

int stad_bikes_theme_load(stad_ctx *ctx, const char *name_or_path, stad_bikes_theme *t)
{
    stad_bikes_theme_default(t);
    char path[1024];
    size_t L = strlen(name_or_path);
    if (L > 5 && strcmp(name_or_path + L - 5, ".conf") == 0) {
        snprintf(path, sizeof path, "%s", name_or_path);
    } else {
        for (const char *q = name_or_path; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' ||
                  *q == '-'))
                return stad_fail(ctx, STAD_EINVAL, "theme '%s': use a name such as 'bikes' "
                                                   "or a path ending in .conf",
                                 name_or_path);
        snprintf(path, sizeof path, "%.900s/themes/%.60s.conf", stad_config_dir(), name_or_path);
    }
    stad_conf *c = NULL;
    int rc = stad_conf_load(ctx, path, &c);
    if (rc)
        return rc;
    int has_title = 0;
    for (size_t i = 0; i < stad_conf_count(c) && !rc; i++) {
        const stad_conf_entry *e = stad_conf_at(c, i);
        double v = 0;
        const char *k = e->key;
        if (strcasecmp(e->section, "theme") != 0) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown section [%s] (only [theme])",
                           stad_conf_path(c), e->line, e->section);
        } else if (!strcasecmp(k, "name")) {
            rc = copy(ctx, c, e, t->name, sizeof t->name);
            if (!rc && !has_title)
                snprintf(t->title, sizeof t->title, "%s", t->name);
        } else if (!strcasecmp(k, "title")) {
            rc = copy(ctx, c, e, t->title, sizeof t->title);
            has_title = 1;
        } else if (!strcasecmp(k, "labelled")) {
            rc = copy(ctx, c, e, t->kind_labelled, sizeof t->kind_labelled);
        } else if (!strcasecmp(k, "removed")) {
            rc = copy(ctx, c, e, t->kind_removed, sizeof t->kind_removed);
        } else if (!strcasecmp(k, "returned")) {
            rc = copy(ctx, c, e, t->kind_returned, sizeof t->kind_returned);
        } else if (!strcasecmp(k, "signals")) {
            rc = set_kinds(ctx, c, e, t->signals, &t->n_signals);
        } else if (!strcasecmp(k, "hints")) {
            rc = set_kinds(ctx, c, e, t->hints, &t->n_hints);
        } else if (!strcasecmp(k, "street_kinds")) {
            rc = copy(ctx, c, e, t->street_kinds, sizeof t->street_kinds);
        } else if (!strcasecmp(k, "depot")) {
            rc = set_depot(ctx, c, e, t);
        } else if (!strcasecmp(k, "waiting_days")) {
            if (!(rc = num(ctx, c, e, 0, 365, &v)))
                t->waiting_days = (int)v;
        } else {
            static const struct {
                const char *key;
                size_t off;
                double lo, hi;
            } nums[] = {
                {"service_street_s", offsetof(stad_bikes_theme, service_street_s), 0, 3600},
                {"service_label_s", offsetof(stad_bikes_theme, service_label_s), 0, 3600},
                {"service_removal_s", offsetof(stad_bikes_theme, service_removal_s), 0, 3600},
                {"walk_kmh", offsetof(stad_bikes_theme, walk_kmh), 0.5, 50},
                {"travel_kmh", offsetof(stad_bikes_theme, travel_kmh), 0.5, 120},
                {"detour", offsetof(stad_bikes_theme, detour), 1, 5},
                {"half_life_days", offsetof(stad_bikes_theme, half_life_days), 1, 3650},
                {"max_exposure_days", offsetof(stad_bikes_theme, max_exposure_days), 1, 3650},
                {"prior_per_km_day", offsetof(stad_bikes_theme, prior_per_km_day), 1e-6, 1e3},
                {"cold_start_elasticity", offsetof(stad_bikes_theme, cold_start_elasticity), 0,
                 2},
                {"signal_weight", offsetof(stad_bikes_theme, signal_weight), 0, 100},
                {"removal_share", offsetof(stad_bikes_theme, removal_share), 0.01, 1},
                {"explore", offsetof(stad_bikes_theme, explore), 0, 10},
                {"min_yield_per_hour", offsetof(stad_bikes_theme, min_yield_per_hour), 0, 1e4},
                {"hint_radius_m", offsetof(stad_bikes_theme, hint_radius_m), 1, 5000},
            };
            size_t j = 0;
            for (; j < sizeof nums / sizeof nums[0]; j++)
                if (!strcasecmp(k, nums[j].key))
                    break;
            if (j == sizeof nums / sizeof nums[0])
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown key '%s'", stad_conf_path(c),
                               e->line, k);
            else if (!(rc = num(ctx, c, e, nums[j].lo, nums[j].hi, &v)))
                *(double *)((char *)t + nums[j].off) = v;
        }
    }
    stad_conf_free(c);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int stad_bikes_themes_list(stad_ctx *ctx, stad_bikes_theme_name **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%.1000s/themes", stad_config_dir());
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no themes directory: no themes besides the built-in default */
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || len - 5 >= sizeof **out || strcmp(e->d_name + len - 5, ".conf"))
            continue;
        int ok = 1; /* only names stad_bikes_theme_load takes */
        for (size_t i = 0; i < len - 5 && ok; i++) {
            char c = e->d_name[i];
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        if (!ok)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            stad_bikes_theme_name *v = realloc(*out, cap * sizeof *v);
            if (!v) {
                rc = stad_fail(ctx, STAD_ENOMEM, "themes: out of memory");
                break;
            }
            *out = v;
        }
        snprintf((*out)[(*n)++], sizeof **out, "%.*s", (int)(len - 5), e->d_name);
    }
    closedir(d);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_name);
    return 0;
}
