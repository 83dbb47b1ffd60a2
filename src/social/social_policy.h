/* Column policies (internal view). */
#ifndef STAD_SOCIAL_POLICY_H
#define STAD_SOCIAL_POLICY_H

#include "stad/social.h"

enum policy_action {
    POL_DROP = 0,
    POL_KEEP,
    POL_PERSON,
    POL_HH_POSTCODE,
    POL_HH_NUMBER,
    POL_HH_ADDITION,
    POL_HH_BAG,
    POL_AGE_BAND,
    POL_YEAR,
    POL_MONTH,
    POL_PERIOD,
    POL_PC4
};

typedef struct policy_rule {
    char *header; /* as written in the policy (matched case-insensitively, trimmed) */
    int action;
    char *output; /* output column name */
    int line;
} policy_rule;

struct stad_pseudo_policy {
    char *source;
    policy_rule *rules;
    size_t n;
    int bands[16];
    size_t n_bands;
    int64_t reference; /* reference date for age bands without a period; -1 none */
};

const char *policy_action_name(int action);
const policy_rule *policy_find(const stad_pseudo_policy *p, const char *header);
/* "12-17" for an age in years, per the policy's bands. */
void policy_band_label(const stad_pseudo_policy *p, int age, char *out, size_t size);

#endif
