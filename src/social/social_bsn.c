/* The BSN eleven test (elfproef). A single wrong digit or two swapped neighbours
 * always fail it, which is how mistyped numbers are caught; they are never repaired. */
#include <string.h>

#include "social_internal.h"

int stad_bsn_check(const char *s, char norm[10])
{
    char d[10];
    size_t n = 0;
    norm[0] = '\0';
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (n == 9)
                return 0;
            d[n++] = *s;
        } else if (*s == '.' || *s == ' ' || *s == '\t' || *s == '\r') {
            continue;
        } else {
            return 0;
        }
    }
    if (n != 8 && n != 9)
        return 0;
    if (n == 8) {
        memmove(d + 1, d, 8);
        d[0] = '0';
    }
    int sum = 0, nonzero = 0;
    for (int i = 0; i < 8; i++) {
        sum += (9 - i) * (d[i] - '0');
        nonzero |= d[i] != '0';
    }
    sum -= d[8] - '0';
    nonzero |= d[8] != '0';
    if (!nonzero || ((sum % 11) + 11) % 11 != 0)
        return 0;
    memcpy(norm, d, 9);
    norm[9] = '\0';
    return 1;
}
