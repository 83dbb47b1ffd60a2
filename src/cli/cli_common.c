/* Helpers shared by the command files. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

stad_store *cli_open_store(cli_env *env)
{
    stad_store *s = NULL;
    int rc = stad_store_open(env->ctx, env->store_path, &s);
    if (rc) {
        cli_error(env, rc);
        return NULL;
    }
    return s;
}

int cli_error(cli_env *env, int rc)
{
    const char *msg = stad_errmsg(env->ctx);
    fprintf(stderr, "stad: %s\n", msg && *msg ? msg : stad_strerror(rc));
    return CLI_FAIL;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "stad %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", cmd->usage);
    return CLI_USAGE;
}

int cli_wants_help(const cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(cmd->usage, stdout);
            return 1;
        }
    }
    return 0;
}

int cli_parse_time(const char *s, int64_t *t, int is_end)
{
    int prec;
    /* "2017-09" means the whole month. */
    if (strlen(s) == 7 && s[4] == '-') {
        char buf[16];
        snprintf(buf, sizeof buf, "%s-01", s);
        if (stad_time_parse(buf, t, &prec, NULL))
            return -1;
        if (is_end) {
            int y, m, d;
            stad_civil_from_days(*t / 86400, &y, &m, &d);
            m = m == 12 ? 1 : m + 1;
            y = m == 1 ? y + 1 : y;
            *t = stad_days_from_civil(y, m, 1) * 86400;
        }
        return 0;
    }
    if (stad_time_parse(s, t, &prec, NULL))
        return -1;
    if (is_end && prec == STAD_TIME_DAY)
        *t += 86400; /* --to 2017-12-31 includes that day */
    return 0;
}

int cli_parse_bbox(const char *s, double bbox[4])
{
    char *end;
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        bbox[i] = strtod(p, &end);
        if (end == p)
            return -1;
        p = end;
        if (i < 3) {
            if (*p != ',')
                return -1;
            p++;
        }
    }
    if (*p || bbox[0] > bbox[2] || bbox[1] > bbox[3])
        return -1;
    return 0;
}

const char **cli_split_list(char *s, size_t *n)
{
    size_t count = 1;
    for (char *p = s; *p; p++)
        count += *p == ',';
    const char **items = calloc(count + 1, sizeof *items);
    if (!items)
        return NULL;
    size_t k = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == ',' || *p == '\0') {
            int last = *p == '\0';
            *p = '\0';
            if (*start)
                items[k++] = start;
            if (last)
                break;
            start = p + 1;
        }
    }
    *n = k;
    return items;
}

int cli_audit_read(cli_env *env, stad_store *s, const char *command, int argc, char **argv,
                   int64_t rows)
{
    stad_principal me;
    stad_privacy_cli_principal(&me);
    stad_strbuf q = STAD_STRBUF_INIT;
    for (int i = 1; i < argc && q.len < 400; i++)
        stad_strbuf_printf(&q, "%s%s", i > 1 ? " " : "", argv[i]);
    stad_audit_row a = {.t = (int64_t)time(NULL), .actor = me.name, .interface = "cli",
                        .action = "read", .route = command, .query = stad_strbuf_str(&q),
                        .sources = "all", .rows = rows, .outcome = "ok"};
    int rc = q.oom ? STAD_ENOMEM : stad_privacy_audit(s, &a);
    stad_strbuf_free(&q);
    if (rc)
        cli_error(env, rc);
    return rc;
}
