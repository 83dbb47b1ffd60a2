/* Unit tests of the service configuration file (stad/settings.h) and the journal log
 * format. Expected values are written out by hand from the documented defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stad.h"

static char dir[4096];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("STAD_TMP");
    snprintf(dir, sizeof dir, "%s/settings-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    mkdir(tmp && *tmp ? tmp : "/tmp", 0755);
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to <dir>/name and returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_defaults(const stad_settings *s)
{
    assert_string_equal(s->city_profile, "");
    assert_string_equal(s->city_crs, "");
    assert_string_equal(s->city_wijken, "");
    assert_string_equal(s->city_buurten, "");
    assert_string_equal(s->store_path, "/var/lib/stad/stad.db");
    assert_string_equal(s->backup_dir, "/var/lib/stad/backups");
    assert_string_equal(s->bind, "127.0.0.1");
    assert_int_equal(s->port, 8080);
    assert_int_equal(s->threads, 4);
    assert_string_equal(s->web_root, "");
    assert_string_equal(s->tls_cert, "");
    assert_string_equal(s->tls_key, "");
    assert_string_equal(s->watch_folder, "");
    assert_int_equal(s->retention_days, 0);
    assert_int_equal(s->log_level, STAD_LOG_INFO);
    assert_int_equal(s->log_format, STAD_LOG_TEXT);
    assert_int_equal(s->disclosure_threshold, 10);
}

static void test_empty_file_is_defaults(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_settings *s = NULL;
    assert_int_equal(stad_settings_load(ctx, write_file("empty.conf", ""), &s), 0);
    expect_defaults(s);
    stad_settings_free(s);
    assert_int_equal(stad_settings_defaults(ctx, &s), 0);
    expect_defaults(s);
    stad_settings_free(s);
    stad_settings_free(NULL);
    stad_ctx_free(ctx);
}

/* The printed default file names every key once, commented; uncommented it loads to
 * exactly the defaults. */
static void test_default_file_round_trip(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    assert_int_equal(stad_settings_write_defaults(mem), 0);
    fclose(mem);
    /* 17 keys: city 4, store 2, server 6, watch 1, retention 1, log 2, disclosure 1 */
    int keys = 0, sections = 0;
    char *out = malloc(len + 1);
    size_t o = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && memchr(line, '=', n)) {
            keys++;
            line++; /* uncomment */
            n--;
        }
        sections += line[0] == '[';
        memcpy(out + o, line, n);
        o += n;
        line += n;
    }
    out[o] = '\0';
    assert_int_equal(keys, 17);
    assert_int_equal(sections, 7);
    assert_non_null(strstr(text, "#path = /var/lib/stad/stad.db\n"));
    assert_non_null(strstr(text, "#port = 8080\n"));

    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_settings *s = NULL;
    int rc = stad_settings_load(ctx, write_file("defaults.conf", out), &s);
    if (rc)
        fail_msg("%s", stad_errmsg(ctx));
    expect_defaults(s);
    stad_settings_free(s);
    stad_ctx_free(ctx);
    free(out);
    free(text);
}

static void test_values(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char text[16384];
    snprintf(text, sizeof text,
             "; a comment\n"
             "[server]\n"
             "bind = ::1\n"
             "PORT = 9090\n"
             "threads = 16\n"
             "tls_cert = %s/c.pem\n"
             "tls_key = %s/k.pem\n"
             "[store]\n"
             "path = /srv/stad/stad.db\n"
             "[log]\n"
             "level = debug\n"
             "format = journal\n"
             "[disclosure]\n"
             "threshold = 5\n"
             "[retention]\n"
             "default_days = 730\n"
             "[city]\n"
             "profile = groningen\n",
             dir, dir);
    write_file("c.pem", "x");
    write_file("k.pem", "x");
    stad_settings *s = NULL;
    int rc = stad_settings_load(ctx, write_file("v.conf", text), &s);
    if (rc)
        fail_msg("%s", stad_errmsg(ctx));
    assert_string_equal(s->bind, "::1");
    assert_int_equal(s->port, 9090);
    assert_int_equal(s->threads, 16);
    assert_string_equal(s->store_path, "/srv/stad/stad.db");
    assert_string_equal(s->backup_dir, "/var/lib/stad/backups");
    assert_int_equal(s->log_level, STAD_LOG_DEBUG);
    assert_int_equal(s->log_format, STAD_LOG_JOURNAL);
    assert_int_equal(s->disclosure_threshold, 5);
    assert_int_equal(s->retention_days, 730);
    assert_string_equal(s->city_profile, "groningen");
    stad_settings_free(s);
    stad_ctx_free(ctx);
}

/* Each bad file fails with a message naming file:line and what is wrong. */
static void test_errors_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[server]\nport = 8080\nprot = 1\n", "bad.conf:3:1: unknown key 'prot' in [server]"},
        {"\n\n[sever]\nport = 1\n", "bad.conf:4:1: unknown section [sever]"},
        {"port = 1\n", "bad.conf:1:1: 'port' is outside any [section]"},
        {"[server]\nport = 70000\n", "bad.conf:2:1: server.port must be a whole number 1..65535, not '70000'"},
        {"[server]\nport = 80x\n", "bad.conf:2:1: server.port must be a whole number"},
        {"[server]\nport =\n", "bad.conf:2:1: server.port must be a whole number"},
        {"[server]\nthreads = 0\n", "bad.conf:2:1: server.threads must be a whole number 1..16"},
        {"[server]\nbind = localhost\n", "bad.conf:2:1: server.bind must be a numeric IPv4 or IPv6 address"},
        {"[log]\nlevel = verbose\n", "bad.conf:2:1: log.level must be debug, info, warning or error, not 'verbose'"},
        {"[log]\nformat = json\n", "bad.conf:2:1: log.format must be text or journal"},
        {"[store]\npath = stad.db\n", "bad.conf:2:1: store.path must be an absolute path, not 'stad.db'"},
        {"[store]\npath = /a\n\n[store]\nPath = /b\n", "bad.conf:5:1: store.path is already set on line 2"},
        {"[city]\nprofile = atlantis\n", "bad.conf:2:1: city.profile: no profile"},
        {"[disclosure]\nthreshold = 1\n", "bad.conf:2:1: disclosure.threshold must be a whole number 3..1000"},
        {"[server]\n\ntls_key = /etc/hosts\n", "bad.conf:3:1: server.tls_key is set but server.tls_cert is not"},
        {"[server]\ntls_cert = /nonexistent/c.pem\ntls_key = /nonexistent/k.pem\n",
         "bad.conf:2:1: server.tls_cert: /nonexistent/c.pem: No such file or directory"},
        {"[city]\nwijken = /nonexistent/w.geojson\n", "bad.conf:2:1: city.wijken: /nonexistent/w.geojson"},
        {"[server]\nport 8080\n", "bad.conf:2:1: expected 'key = value'"},
        {"[server\n", "bad.conf:1:7: section header lacks ']'"},
    };
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stad_settings *s = (stad_settings *)1;
        const char *path = write_file("bad.conf", cases[i].text);
        int rc = stad_settings_load(ctx, path, &s);
        if (rc == 0)
            fail_msg("case %zu loaded: %s", i, cases[i].text);
        assert_null(s);
        if (!strstr(stad_errmsg(ctx), cases[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, stad_errmsg(ctx), cases[i].want);
    }
    assert_int_equal(stad_settings_load(ctx, "/nonexistent/stad.conf", &(stad_settings *){0}),
                     STAD_EIO);
    stad_ctx_free(ctx);
}

static void test_level_and_format_names(void **state)
{
    (void)state;
    assert_int_equal(stad_log_level_parse("debug"), STAD_LOG_DEBUG);
    assert_int_equal(stad_log_level_parse("INFO"), STAD_LOG_INFO);
    assert_int_equal(stad_log_level_parse("warn"), STAD_LOG_WARN);
    assert_int_equal(stad_log_level_parse("warning"), STAD_LOG_WARN);
    assert_int_equal(stad_log_level_parse("error"), STAD_LOG_ERROR);
    assert_int_equal(stad_log_level_parse("loud"), -1);
    assert_int_equal(stad_log_format_parse("journal"), STAD_LOG_JOURNAL);
    assert_int_equal(stad_log_format_parse("text"), STAD_LOG_TEXT);
    assert_int_equal(stad_log_format_parse(""), -1);
}

/* The journal format: priority prefix, logfmt fields, escapes keep one line. */
static void test_journal_log_line(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/log.txt", dir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    dup2(fileno(f), STDERR_FILENO);
    stad_log_journal(NULL, STAD_LOG_INFO, "server: listening on 127.0.0.1 port 8080");
    stad_log_journal(NULL, STAD_LOG_WARN, "bad \"file\"\nline 2 \\ end");
    stad_log_journal(NULL, STAD_LOG_ERROR, "x");
    stad_log_journal(NULL, STAD_LOG_DEBUG, "y");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);
    f = fopen(path, "r");
    char got[1024] = "";
    size_t n = fread(got, 1, sizeof got - 1, f);
    got[n] = '\0';
    fclose(f);
    assert_string_equal(got,
                        "<6>level=info msg=\"server: listening on 127.0.0.1 port 8080\"\n"
                        "<4>level=warning msg=\"bad \\\"file\\\"\\nline 2 \\\\ end\"\n"
                        "<3>level=error msg=\"x\"\n"
                        "<7>level=debug msg=\"y\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file_is_defaults),
        cmocka_unit_test(test_default_file_round_trip),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_level_and_format_names),
        cmocka_unit_test(test_journal_log_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
