/* Options shared by `stad predict` and `stad backtest`, with defaults from
 * config/forecast.conf so that no city's choices live in code. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_predict_common.h"
#include "cli_table.h"

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int set_kinds(cli_predict *p, const char *text)
{
    free(p->kinds_text);
    free(p->kinds);
    p->kinds = NULL;
    p->kinds_text = strdup(text);
    if (!p->kinds_text)
        return -1;
    p->kinds = cli_split_list(p->kinds_text, &p->o.n_kinds);
    p->o.kinds = p->kinds;
    return p->kinds ? 0 : -1;
}

int cli_predict_init(cli_env *env, cli_predict *p)
{
    memset(p, 0, sizeof *p);
    p->format = FMT_TABLE;
    char path[4096];
    snprintf(path, sizeof path, "%s/forecast.conf", stad_config_dir());
    if (stad_conf_load(env->ctx, path, &p->conf)) {
        stad_clear_error(env->ctx);
        return 0; /* built-in defaults */
    }
    const char *v;
    double num;
    if ((v = stad_conf_get(p->conf, "forecast", "kind")) && *v && set_kinds(p, v))
        return CLI_FAIL;
    if ((v = stad_conf_get(p->conf, "forecast", "cell")) && !parse_num(v, 1, 100000, &num))
        p->o.cell = num;
    if ((v = stad_conf_get(p->conf, "forecast", "horizon")) && !parse_num(v, 1, 366, &num))
        p->o.horizon_days = (int)num;
    if ((v = stad_conf_get(p->conf, "forecast", "mask")) && !parse_num(v, 1, 100, &num))
        p->o.mask_cells = (int)num;
    return 0;
}

int cli_predict_option(cli_predict *p, const cli_command *cmd, int c, const char *arg)
{
    double num;
    switch (c) {
    case 'k':
        if (set_kinds(p, arg)) {
            cli_usage_error(cmd, "--kind needs kind slugs");
            return -1;
        }
        return 1;
    case 'S':
        if (cli_parse_time(arg, &p->o.history_from, 0)) {
            cli_usage_error(cmd, "--history-from: cannot read the date '%s'", arg);
            return -1;
        }
        return 1;
    case 'c':
        if (parse_num(arg, 1, 100000, &p->o.cell)) {
            cli_usage_error(cmd, "--cell needs metres from 1 to 100000");
            return -1;
        }
        return 1;
    case 'H':
        if (parse_num(arg, 1, 366, &num) || num != floor(num)) {
            cli_usage_error(cmd, "--horizon needs whole days from 1 to 366");
            return -1;
        }
        p->o.horizon_days = (int)num;
        return 1;
    case 'M':
        if (strcmp(arg, "all") == 0) {
            p->o.mask_cells = -1;
        } else if (parse_num(arg, 1, 100, &num) || num != floor(num)) {
            cli_usage_error(cmd, "--mask needs whole cells from 1 to 100, or 'all'");
            return -1;
        } else {
            p->o.mask_cells = (int)num;
        }
        return 1;
    case 'L':
        p->o.layers = arg;
        return 1;
    case 'G':
        p->o.figures = arg;
        return 1;
    case 'f':
        if ((p->format = cli_format_parse(arg, 1)) < 0) {
            cli_usage_error(cmd, "unknown format '%s'", arg);
            return -1;
        }
        return 1;
    case 'F':
    case 'U': {
        int64_t t;
        if (cli_parse_time(arg, &t, c == 'U')) {
            cli_usage_error(cmd, "cannot read the date '%s'", arg);
            return -1;
        }
        if (c == 'F') {
            p->from = t;
            p->has_from = 1;
        } else {
            p->to = t;
            p->has_to = 1;
        }
        return 1;
    }
    default:
        return 0;
    }
}

void cli_predict_free(cli_predict *p)
{
    free(p->kinds_text);
    free(p->kinds);
    stad_conf_free(p->conf);
}

void cli_predict_pct(double v, char *buf, size_t size)
{
    if (isfinite(v))
        snprintf(buf, size, "%.1f%%", 100 * v);
    else
        snprintf(buf, size, "-");
}
