/* Small INI-style configuration files: city profiles, taxonomy, mapping files.
 *
 *   # comment            ; comment
 *   [section]
 *   key = value          (keys may contain spaces: "Diefstal fiets = theft.bike")
 *
 * Keys are matched case-insensitively; values are trimmed. The stad_conf owns all
 * strings it hands out. Errors name file, line and column. */
#ifndef STAD_CONF_H
#define STAD_CONF_H

#include <stddef.h>

#include "base.h"

typedef struct stad_conf_entry {
    const char *section; /* "" before the first [section] */
    const char *key;
    const char *value;
    int line;
} stad_conf_entry;

typedef struct stad_conf stad_conf;

int stad_conf_load(stad_ctx *ctx, const char *path, stad_conf **out);
/* Parses text held in memory; `name` is used in error messages. */
int stad_conf_parse(stad_ctx *ctx, const char *name, const char *text, size_t len,
                    stad_conf **out);
void stad_conf_free(stad_conf *c);

size_t stad_conf_count(const stad_conf *c);
const stad_conf_entry *stad_conf_at(const stad_conf *c, size_t i);
/* Last value of section/key, or NULL. */
const char *stad_conf_get(const stad_conf *c, const char *section, const char *key);
const char *stad_conf_path(const stad_conf *c);

/* The directory with stad's default configuration (taxonomy, column synonyms, city
 * profiles): $STAD_CONFIG_DIR if set, else <prefix>/share/stad/config beside an
 * installed binary (<prefix>/bin/stad), else the source tree's (chosen at build time). */
const char *stad_config_dir(void);
/* The built dashboard: $STAD_WEB_DIR if set, else <prefix>/share/stad/web beside an
 * installed binary, else the source tree's web/dist; NULL when there is none. */
const char *stad_web_dir(void);

#endif
