/* Event filter options. */
#include <stdlib.h>
#include <string.h>

#include "cli_filter.h"

int cli_filter_option(cli_filter *cf, const cli_command *cmd, int c, const char *arg)
{
    stad_event_filter *f = &cf->f;
    switch (c) {
    case 'k':
        free(cf->kinds);
        free(cf->kinds_text);
        cf->kinds_text = strdup(arg);
        cf->kinds = cf->kinds_text ? cli_split_list(cf->kinds_text, &f->n_kinds) : NULL;
        if (!cf->kinds)
            return -1;
        f->kinds = cf->kinds;
        return 1;
    case 'F':
    case 'U': {
        int64_t t;
        if (cli_parse_time(arg, &t, c == 'U')) {
            cli_usage_error(cmd, "'%s' is not a date (use 2017-01-31 or 2017-01)", arg);
            return -1;
        }
        if (!f->has_period) {
            f->has_period = 1;
            f->t_min = INT64_MIN;
            f->t_max = INT64_MAX;
        }
        if (c == 'F')
            f->t_min = t;
        else
            f->t_max = t;
        return 1;
    }
    case 'a': f->area_code = arg; return 1;
    case 'b':
        if (cli_parse_bbox(arg, f->bbox)) {
            cli_usage_error(cmd, "'%s' is not minlon,minlat,maxlon,maxlat", arg);
            return -1;
        }
        f->has_bbox = 1;
        return 1;
    case 'n': {
        char *end;
        long long n = strtoll(arg, &end, 10);
        if (*end || n < 0) {
            cli_usage_error(cmd, "'%s' is not a count", arg);
            return -1;
        }
        f->limit = n;
        return 1;
    }
    default: return 0;
    }
}

void cli_filter_free(cli_filter *cf)
{
    free(cf->kinds);
    free(cf->kinds_text);
}
