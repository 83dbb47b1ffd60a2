/* Household keys from addresses. Sources write the same address differently
 * ("3511 ab", "3511AB"; "12-a", "12 A"; "0012"), so the key is built from normalised
 * parts; a BAG id (the national address register's id) wins when a source has one. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "social_internal.h"

static int nonempty(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 1;
    return 0;
}

int stad_household_key(const char *bag_id, const char *postcode, const char *number,
                       const char *addition, char *out, size_t size)
{
    if (nonempty(bag_id)) {
        char digits[32];
        size_t n = 0;
        for (const char *p = bag_id; *p; p++) {
            if (isdigit((unsigned char)*p)) {
                if (n + 1 >= sizeof digits)
                    return STAD_EINVAL;
                digits[n++] = *p;
            } else if (!isspace((unsigned char)*p)) {
                return STAD_EINVAL;
            }
        }
        digits[n] = '\0';
        /* BAG ids (nummeraanduiding) are 16 digits; leading zeros get lost in
         * spreadsheets, so shorter ones are padded back. */
        if (n == 0 || n > 16)
            return STAD_EINVAL;
        int w = snprintf(out, size, "bag:%.*s%s", (int)(16 - n), "0000000000000000", digits);
        return w > 0 && (size_t)w < size ? 0 : STAD_EINVAL;
    }
    char pc[8];
    size_t n = 0;
    for (const char *p = postcode ? postcode : ""; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (!isalnum((unsigned char)*p) || n >= 6)
            return STAD_EINVAL;
        pc[n++] = (char)toupper((unsigned char)*p);
    }
    pc[n] = '\0';
    if (n != 6 || !isdigit((unsigned char)pc[0]) || pc[0] == '0' ||
        !isdigit((unsigned char)pc[3]) || !isalpha((unsigned char)pc[4]) ||
        !isalpha((unsigned char)pc[5]))
        return STAD_EINVAL;
    for (int i = 1; i < 4; i++)
        if (!isdigit((unsigned char)pc[i]))
            return STAD_EINVAL;
    /* House number: digits; a letter or suffix glued to it ("12a", "12-2") moves to
     * the addition. */
    char num[8], add[16];
    size_t nn = 0, na = 0;
    const char *p = number ? number : "";
    while (isspace((unsigned char)*p))
        p++;
    while (*p == '0')
        p++;
    for (; isdigit((unsigned char)*p); p++) {
        if (nn + 1 >= sizeof num)
            return STAD_EINVAL;
        num[nn++] = *p;
    }
    num[nn] = '\0';
    if (nn == 0)
        return STAD_EINVAL;
    for (int part = 0; part < 2; part++, p = addition ? addition : "")
        for (; *p; p++)
            if (isalnum((unsigned char)*p)) {
                if (na + 1 >= sizeof add)
                    return STAD_EINVAL;
                add[na++] = (char)toupper((unsigned char)*p);
            }
    add[na] = '\0';
    int w = snprintf(out, size, "adr:%s|%s|%s", pc, num, add);
    return w > 0 && (size_t)w < size ? 0 : STAD_EINVAL;
}
