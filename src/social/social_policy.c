/* Column policy files: which column is a BSN, which make up the household address,
 * which are kept, coarsened or dropped. Anything not named is dropped, so a column
 * added to an extract later never leaves the office by accident. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "social_internal.h"
#include "social_policy.h"
#include "stad/conf.h"
#include "stad/timeparse.h"

static const struct {
    const char *name;
    int action;
} actions[] = {
    {"drop", POL_DROP},           {"keep", POL_KEEP},
    {"person", POL_PERSON},       {"household-postcode", POL_HH_POSTCODE},
    {"household-number", POL_HH_NUMBER}, {"household-addition", POL_HH_ADDITION},
    {"household-bag", POL_HH_BAG}, {"age-band", POL_AGE_BAND},
    {"year", POL_YEAR},           {"month", POL_MONTH},
    {"period", POL_PERIOD},       {"pc4", POL_PC4},
};

const char *policy_action_name(int action)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (actions[i].action == action)
            return actions[i].name;
    return "?";
}

const policy_rule *policy_find(const stad_pseudo_policy *p, const char *header)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->rules[i].header, header) == 0)
            return &p->rules[i];
    return NULL;
}

void policy_band_label(const stad_pseudo_policy *p, int age, char *out, size_t size)
{
    size_t i = 0;
    while (i + 1 < p->n_bands && age >= p->bands[i + 1])
        i++;
    if (age < p->bands[0])
        snprintf(out, size, "<%d", p->bands[0]);
    else if (i + 1 == p->n_bands)
        snprintf(out, size, "%d+", p->bands[i]);
    else
        snprintf(out, size, "%d-%d", p->bands[i], p->bands[i + 1] - 1);
}

void stad_pseudo_policy_free(stad_pseudo_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->rules[i].header);
        free(p->rules[i].output);
    }
    free(p->rules);
    free(p->source);
    free(p);
}

const char *stad_pseudo_policy_source(const stad_pseudo_policy *p)
{
    return p && p->source ? p->source : "";
}

static int parse_bands(stad_pseudo_policy *p, const char *s)
{
    p->n_bands = 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 130 || p->n_bands == 16 ||
            (p->n_bands && v <= p->bands[p->n_bands - 1]))
            return -1;
        p->bands[p->n_bands++] = (int)v;
        s = end;
        while (*s == ' ' || *s == ',')
            s++;
    }
    return p->n_bands ? 0 : -1;
}

int stad_pseudo_policy_load(stad_ctx *ctx, const char *path, stad_pseudo_policy **out)
{
    *out = NULL;
    stad_conf *c = NULL;
    int rc = stad_conf_load(ctx, path, &c);
    if (rc)
        return rc;
    stad_pseudo_policy *p = calloc(1, sizeof *p);
    size_t n = stad_conf_count(c);
    if (!p || !(p->rules = calloc(n ? n : 1, sizeof *p->rules))) {
        free(p);
        stad_conf_free(c);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    static const int default_bands[] = {0, 4, 12, 18, 27, 45, 65};
    memcpy(p->bands, default_bands, sizeof default_bands);
    p->n_bands = 7;
    p->reference = -1;
    int n_person = 0, n_period = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const stad_conf_entry *e = stad_conf_at(c, i);
        if (strcasecmp(e->section, "policy") == 0) {
            if (strcasecmp(e->key, "source") == 0) {
                free(p->source);
                if (!(p->source = strdup(e->value)))
                    rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
            } else if (strcasecmp(e->key, "age_bands") == 0) {
                if (parse_bands(p, e->value))
                    rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: age_bands: increasing ages 0..130",
                                   path, e->line);
            } else if (strcasecmp(e->key, "reference_date") == 0) {
                int64_t t = -1;
                const char *why = NULL;
                if (stad_time_parse(e->value, &t, NULL, &why))
                    rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: reference_date: %s", path,
                                   e->line, why ? why : "not a date");
                p->reference = t;
            } else {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown key '%s' in [policy]", path,
                               e->line, e->key);
            }
        } else if (strcasecmp(e->section, "columns") == 0) {
            char act[32] = "", name[128] = "";
            const char *v = e->value;
            size_t k = 0;
            while (*v && !isspace((unsigned char)*v) && k + 1 < sizeof act)
                act[k++] = (char)tolower((unsigned char)*v++);
            act[k] = '\0';
            while (isspace((unsigned char)*v))
                v++;
            snprintf(name, sizeof name, "%s", v);
            int a = -1;
            for (size_t j = 0; j < sizeof actions / sizeof actions[0]; j++)
                if (strcmp(actions[j].name, act) == 0)
                    a = actions[j].action;
            if (a < 0) {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown action '%s' (drop, keep, "
                                                 "person, household-postcode, "
                                                 "household-number, household-addition, "
                                                 "household-bag, age-band, year, month, "
                                                 "period, pc4)",
                               path, e->line, act);
                break;
            }
            if (policy_find(p, e->key)) {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: column '%s' named twice", path,
                               e->line, e->key);
                break;
            }
            policy_rule *r = &p->rules[p->n++];
            r->action = a;
            r->line = e->line;
            r->header = strdup(e->key);
            const char *outname = name[0] ? name
                                  : a == POL_PERSON ? "person"
                                  : a == POL_PERIOD ? "period"
                                                    : e->key;
            r->output = strdup(outname);
            if (!r->header || !r->output)
                rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
            if (a == POL_PERSON)
                n_person++;
            if (a == POL_PERIOD) {
                n_period++;
                if (strcmp(r->output, "period") != 0)
                    rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: the period column is always "
                                                     "called 'period'", path, e->line);
            }
            if (!rc && (strcmp(r->output, "household") == 0 ||
                        (a != POL_PERIOD && strcmp(r->output, "period") == 0)))
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: output name '%s' is reserved", path,
                               e->line, r->output);
        } else {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: unknown section [%s] (policy, columns)",
                           path, e->line, e->section);
        }
    }
    if (!rc && (!p->source || !social_domain_ok(p->source)))
        rc = stad_fail(ctx, STAD_EPARSE, "%s: [policy] source = NAME is required (letters, "
                                         "digits, '-', '_')", path);
    if (!rc && n_period > 1)
        rc = stad_fail(ctx, STAD_EPARSE, "%s: only one period column", path);
    stad_conf_free(c);
    (void)n_person;
    if (rc) {
        stad_pseudo_policy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}
