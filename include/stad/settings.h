/* stad settings: the one configuration file of an installed stad (/etc/stad/stad.conf).
 *
 * An INI file (stad/conf.h) with a fixed set of sections and keys. Every key has a
 * default, so an empty file is valid; an unknown section or key, or a value of the
 * wrong type, is an error that names file, line and column. The table of keys is
 * the single source of the defaults: stad_settings_write_defaults prints the
 * commented file that is installed as /etc/stad/stad.conf.
 *
 * Ownership: stad_settings_load hands out settings freed with stad_settings_free
 * (accepts NULL); its strings belong to it. Settings are read-only after loading. */
#ifndef STAD_SETTINGS_H
#define STAD_SETTINGS_H

#include <stdio.h>

#include "base.h"

#define STAD_SETTINGS_PATH "/etc/stad/stad.conf"

enum stad_log_format { STAD_LOG_TEXT = 0, STAD_LOG_JOURNAL = 1 };

typedef struct stad_settings {
    /* [city]: used when the service creates a missing store */
    const char *city_profile;   /* profile name (config/cities) or file; "" none */
    const char *city_crs;       /* overrides the profile's CRS; "" none */
    const char *city_wijken;    /* area file loaded as level wijk; "" none */
    const char *city_buurten;   /* area file loaded as level buurt; "" none */
    /* [store] */
    const char *store_path;
    const char *backup_dir;     /* backups made before schema upgrades */
    /* [server] */
    const char *bind;
    int port;
    int threads;
    const char *web_root;       /* "" : stad_web_dir() */
    const char *tls_cert;       /* "" : plain HTTP */
    const char *tls_key;
    /* [watch] */
    const char *watch_folder;   /* "" : none */
    /* [retention] */
    int retention_days;         /* default for sources without their own; 0 = keep */
    /* [log] */
    int log_level;              /* STAD_LOG_* */
    int log_format;             /* enum stad_log_format */
    /* [disclosure] */
    int disclosure_threshold;   /* smallest published cell (households, persons) */
} stad_settings;

/* Reads and checks path. Every error names path:line:col. */
int stad_settings_load(stad_ctx *ctx, const char *path, stad_settings **out);
/* The defaults alone, as if from an empty file. */
int stad_settings_defaults(stad_ctx *ctx, stad_settings **out);
void stad_settings_free(stad_settings *s);

/* Writes the documented default file: every key, commented, with its default. */
int stad_settings_write_defaults(FILE *out);

/* "debug", "info", "warning", "error" -> STAD_LOG_*; -1 when unknown. */
int stad_log_level_parse(const char *name);
/* "text", "journal" -> enum stad_log_format; -1 when unknown. */
int stad_log_format_parse(const char *name);

#endif
