/* libFuzzer target: date/time parsing (either order of day and month) never crashes
 * and round-trips what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t;
    int prec;
    const char *why;
    if (stad_time_parse(s, &t, &prec, &why) == 0) {
        /* What parsed must format and parse back to the same instant. */
        char buf[32];
        stad_time_format(t, buf, sizeof buf);
        int64_t t2;
        if (stad_time_parse(buf, &t2, NULL, NULL) != 0 || t2 != t)
            abort();
    }
    if (stad_time_parse_order(s, STAD_DATE_MONTH_FIRST, &t, &prec, &why) == 0) {
        char buf[32];
        stad_time_format(t, buf, sizeof buf);
        int64_t t2;
        if (stad_time_parse(buf, &t2, NULL, NULL) != 0 || t2 != t)
            abort();
    }
    /* Evidence for one order means the value parses that way only. */
    int e = stad_time_order_evidence(s);
    if (e == STAD_DATE_DAY_FIRST || e == STAD_DATE_MONTH_FIRST) {
        int64_t u;
        if (stad_time_parse_order(s, e, &u, NULL, NULL) != 0 ||
            stad_time_parse_order(s, 1 - e, &u, NULL, NULL) == 0)
            abort();
    }
    int32_t secs;
    if (stad_time_parse_clock(s, &secs, &why) == 0 && (secs < 0 || secs > 86400))
        abort();
    free(s);
    return 0;
}
