/* The service configuration file (/etc/stad/stad.conf): one table of keys gives the
 * defaults, the checks and the documented default file, so they cannot drift. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "stad/arena.h"
#include "stad/conf.h"
#include "stad/settings.h"

enum key_kind { K_STR, K_PATH, K_INT, K_LEVEL, K_FORMAT, K_ADDR, K_PROFILE };

typedef struct key_def {
    const char *section, *key;
    int kind;
    long min, max;       /* K_INT */
    const char *def;     /* default, as written in the file */
    size_t off;          /* field in stad_settings */
    const char *doc;     /* comment lines for the default file ('\n' separated) */
} key_def;

#define F(field) offsetof(stad_settings, field)

static const key_def keys[] = {
    {"city", "profile", K_PROFILE, 0, 0, "", F(city_profile),
     "City profile used when the service creates a missing store: a name from\n"
     "/usr/share/stad/config/cities (groningen, utrecht, cincinnati) or a file."},
    {"city", "crs", K_STR, 0, 0, "", F(city_crs),
     "Projected CRS of the city (EPSG:28992 is RD New); overrides the profile."},
    {"city", "wijken", K_PATH, 0, 0, "", F(city_wijken),
     "Area files (GeoJSON, Shapefile, GeoPackage) loaded when the store is created."},
    {"city", "buurten", K_PATH, 0, 0, "", F(city_buurten), NULL},

    {"store", "path", K_PATH, 0, 0, "/var/lib/stad/stad.db", F(store_path),
     "The SQLite store. The service user must be able to write its folder."},
    {"store", "backup_dir", K_PATH, 0, 0, "/var/lib/stad/backups", F(backup_dir),
     "Before a newer stad changes the store's schema, it copies the store here."},

    {"server", "bind", K_ADDR, 0, 0, "127.0.0.1", F(bind),
     "Address to listen on (127.0.0.1: this machine only; :: or 0.0.0.0: all)."},
    {"server", "port", K_INT, 1, 65535, "8080", F(port), NULL},
    {"server", "threads", K_INT, 1, 16, "4", F(threads), "Request threads, 1..16."},
    {"server", "web_root", K_PATH, 0, 0, "", F(web_root),
     "The built dashboard (empty: the one installed with stad)."},
    {"server", "tls_cert", K_PATH, 0, 0, "", F(tls_cert),
     "HTTPS: PEM certificate chain and private key, both or neither; readable by\n"
     "the service user (empty: plain HTTP, e.g. behind a TLS proxy)."},
    {"server", "tls_key", K_PATH, 0, 0, "", F(tls_key), NULL},

    {"watch", "folder", K_PATH, 0, 0, "", F(watch_folder),
     "Files dropped into this folder are ingested while serving (empty: none).\n"
     "The service may write only below /var/lib/stad (ProtectSystem=strict)."},

    {"retention", "default_days", K_INT, 0, 36500, "0", F(retention_days),
     "Retention for sources registered without one, in days (0: keep)."},

    {"log", "level", K_LEVEL, 0, 0, "info", F(log_level),
     "debug (every request), info, warning or error."},
    {"log", "format", K_FORMAT, 0, 0, "text", F(log_format),
     "text (\"stad: info: ...\") or journal (\"level=info msg=...\" with priority)."},

    {"disclosure", "threshold", K_INT, 3, 1000, "10", F(disclosure_threshold),
     "Smallest number of households or persons in a published cell."},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

/* The public struct first, so a stad_settings * is also the whole object. */
typedef struct settings_impl {
    stad_settings pub;
    stad_arena arena;
} settings_impl;

int stad_log_level_parse(const char *name)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    return strcasecmp(name, "warn") == 0 ? STAD_LOG_WARN : -1;
}

int stad_log_format_parse(const char *name)
{
    if (strcasecmp(name, "text") == 0)
        return STAD_LOG_TEXT;
    if (strcasecmp(name, "journal") == 0)
        return STAD_LOG_JOURNAL;
    return -1;
}

static int path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Checks and stores one value; `where` is "file:line:1" for messages. */
static int set_value(stad_ctx *ctx, settings_impl *s, const key_def *k, const char *v,
                     const char *where)
{
    char *field = (char *)&s->pub + k->off;
    switch (k->kind) {
    case K_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < k->min || n > k->max)
            return stad_fail(ctx, STAD_EPARSE, "%s: %s.%s must be a whole number %ld..%ld, not '%s'",
                             where, k->section, k->key, k->min, k->max, v);
        *(int *)(void *)field = (int)n;
        return 0;
    }
    case K_LEVEL: {
        int l = stad_log_level_parse(v);
        if (l < 0)
            return stad_fail(ctx, STAD_EPARSE,
                             "%s: log.level must be debug, info, warning or error, not '%s'",
                             where, v);
        *(int *)(void *)field = l;
        return 0;
    }
    case K_FORMAT: {
        int f = stad_log_format_parse(v);
        if (f < 0)
            return stad_fail(ctx, STAD_EPARSE, "%s: log.format must be text or journal, not '%s'",
                             where, v);
        *(int *)(void *)field = f;
        return 0;
    }
    case K_ADDR: {
        unsigned char buf[16];
        if (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1)
            return stad_fail(ctx, STAD_EPARSE,
                             "%s: server.bind must be a numeric IPv4 or IPv6 address, not '%s'",
                             where, v);
        break;
    }
    case K_PATH:
        /* The service runs with / as working folder: relative paths would surprise. */
        if (*v && *v != '/')
            return stad_fail(ctx, STAD_EPARSE, "%s: %s.%s must be an absolute path, not '%s'",
                             where, k->section, k->key, v);
        break;
    case K_PROFILE:
        if (*v) {
            char path[4096];
            if (strchr(v, '/'))
                snprintf(path, sizeof path, "%s", v);
            else
                snprintf(path, sizeof path, "%s/cities/%s.conf", stad_config_dir(), v);
            if (!path_exists(path))
                return stad_fail(ctx, STAD_ENOTFOUND, "%s: city.profile: no profile %s",
                                 where, path);
        }
        break;
    default:
        break;
    }
    const char *copy = stad_arena_strdup(&s->arena, v);
    if (!copy)
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", where);
    *(const char **)(void *)field = copy;
    return 0;
}

static settings_impl *settings_new(stad_ctx *ctx)
{
    settings_impl *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    stad_arena_init(&s->arena, 0);
    for (size_t i = 0; i < N_KEYS; i++)
        if (set_value(ctx, s, &keys[i], keys[i].def, "(default)")) {
            stad_settings_free(&s->pub);
            return NULL;
        }
    return s;
}

int stad_settings_defaults(stad_ctx *ctx, stad_settings **out)
{
    settings_impl *s = settings_new(ctx);
    if (!s)
        return stad_fail(ctx, STAD_ENOMEM, "settings: out of memory");
    *out = &s->pub;
    return 0;
}

/* Relations between keys, checked after all values are known. */
static int check_together(stad_ctx *ctx, const char *path, const stad_settings *v,
                          const int *line)
{
    int key_i = 0, cert_i = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].off == offsetof(stad_settings, tls_cert))
            cert_i = (int)i;
        if (keys[i].off == offsetof(stad_settings, tls_key))
            key_i = (int)i;
    }
    if (!*v->tls_cert != !*v->tls_key) {
        int i = *v->tls_cert ? cert_i : key_i;
        return stad_fail(ctx, STAD_EPARSE, "%s:%d:1: server.%s is set but server.%s is not: "
                         "HTTPS needs both", path, line[i], keys[i].key,
                         keys[i == cert_i ? key_i : cert_i].key);
    }
    /* Files the service reads at start: say so now rather than at 3 a.m. */
    for (size_t i = 0; i < N_KEYS; i++) {
        if (!line[i] || keys[i].kind != K_PATH)
            continue;
        size_t off = keys[i].off;
        if (off != offsetof(stad_settings, tls_cert) && off != offsetof(stad_settings, tls_key) &&
            off != offsetof(stad_settings, city_wijken) &&
            off != offsetof(stad_settings, city_buurten) &&
            off != offsetof(stad_settings, web_root))
            continue;
        const char *p = *(const char *const *)(const void *)((const char *)v + off);
        if (*p && !path_exists(p))
            return stad_fail(ctx, STAD_ENOTFOUND, "%s:%d:1: %s.%s: %s: %s", path, line[i],
                             keys[i].section, keys[i].key, p, strerror(errno));
    }
    return 0;
}

int stad_settings_load(stad_ctx *ctx, const char *path, stad_settings **out)
{
    *out = NULL;
    stad_conf *c = NULL;
    int rc = stad_conf_load(ctx, path, &c);
    if (rc)
        return rc;
    settings_impl *s = settings_new(ctx);
    if (!s) {
        stad_conf_free(c);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    int line[N_KEYS] = {0};
    for (size_t e = 0; e < stad_conf_count(c) && !rc; e++) {
        const stad_conf_entry *en = stad_conf_at(c, e);
        char where[4200];
        snprintf(where, sizeof where, "%s:%d:1", path, en->line);
        if (!*en->section) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s: '%s' is outside any [section]", where,
                           en->key);
            break;
        }
        size_t i = 0;
        int section_known = 0;
        for (; i < N_KEYS; i++) {
            if (strcasecmp(keys[i].section, en->section) != 0)
                continue;
            section_known = 1;
            if (strcasecmp(keys[i].key, en->key) == 0)
                break;
        }
        if (i == N_KEYS) {
            rc = section_known
                     ? stad_fail(ctx, STAD_EPARSE, "%s: unknown key '%s' in [%s]", where,
                                 en->key, en->section)
                     : stad_fail(ctx, STAD_EPARSE, "%s: unknown section [%s]", where,
                                 en->section);
            break;
        }
        if (line[i]) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s: %s.%s is already set on line %d", where,
                           keys[i].section, keys[i].key, line[i]);
            break;
        }
        line[i] = en->line;
        rc = set_value(ctx, s, &keys[i], en->value, where);
    }
    if (!rc)
        rc = check_together(ctx, path, &s->pub, line);
    stad_conf_free(c);
    if (rc) {
        stad_settings_free(&s->pub);
        return rc;
    }
    *out = &s->pub;
    return 0;
}

void stad_settings_free(stad_settings *s)
{
    if (!s)
        return;
    settings_impl *impl = (settings_impl *)(void *)s;
    stad_arena_free(&impl->arena);
    free(impl);
}

int stad_settings_write_defaults(FILE *out)
{
    fprintf(out,
            "# stad.conf: the configuration of `stad serve --config` (the stad service).\n"
            "# Each line starting with '#key =' shows a key with its default; remove the\n"
            "# '#' to change it. Check the file with `stad config check`; see stad(1) and\n"
            "# the admin guide (docs/admin.md).\n");
    const char *section = "";
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(section, k->section) != 0) {
            section = k->section;
            fprintf(out, "\n[%s]\n", section);
        } else if (k->doc) {
            fputc('\n', out);
        }
        for (const char *d = k->doc; d && *d;) {
            const char *nl = strchr(d, '\n');
            size_t n = nl ? (size_t)(nl - d) : strlen(d);
            fprintf(out, "# %.*s\n", (int)n, d);
            d = nl ? nl + 1 : d + n;
        }
        fprintf(out, "#%s =%s%s\n", k->key, *k->def ? " " : "", k->def);
    }
    return ferror(out) ? STAD_EIO : 0;
}
