/* Source categories -> stad kind slugs, from config/taxonomy.conf:
 *   [kinds]  slug = Dutch label | English label
 *   [map]    source category text or code = slug
 * Mapping is data, not code: police codes, complaint categories and enforcement
 * actions all go through the same file. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

struct ingest_taxonomy {
    char **slugs;
    size_t n_slugs;
    ingest_map kinds;  /* slug -> index */
    ingest_map labels; /* lower-case label -> index */
    ingest_map map;    /* lower-case source text or code -> index */
};

/* Lower-case ASCII, runs of white space become one space, trimmed. */
static void key_norm(const char *in, char *out, size_t size)
{
    size_t k = 0;
    int space = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 1 < size; p++) {
        if (isspace(*p)) {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < size)
            out[k++] = ' ';
        space = 0;
        out[k++] = (char)(*p < 0x80 ? tolower(*p) : *p);
    }
    out[k] = '\0';
}

void ingest_taxonomy_free(ingest_taxonomy *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_slugs; i++)
        free(t->slugs[i]);
    free(t->slugs);
    ingest_map_free(&t->kinds);
    ingest_map_free(&t->labels);
    ingest_map_free(&t->map);
    free(t);
}

static int add_label(ingest_taxonomy *t, const char *label, size_t n, int64_t idx)
{
    char raw[256], key[256];
    while (n && isspace((unsigned char)*label)) {
        label++;
        n--;
    }
    if (n >= sizeof raw)
        n = sizeof raw - 1;
    memcpy(raw, label, n);
    raw[n] = '\0';
    key_norm(raw, key, sizeof key);
    if (!key[0])
        return 0;
    int64_t *v = ingest_map_upsert(&t->labels, key, idx);
    return v ? 0 : STAD_ENOMEM;
}

int ingest_taxonomy_load(stad_ctx *ctx, const char *path, ingest_taxonomy **out)
{
    stad_conf *conf = NULL;
    int rc = stad_conf_load(ctx, path, &conf);
    if (rc)
        return rc;
    ingest_taxonomy *t = calloc(1, sizeof *t);
    if (!t) {
        stad_conf_free(conf);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    ingest_map_init(&t->kinds);
    ingest_map_init(&t->labels);
    ingest_map_init(&t->map);
    size_t n = stad_conf_count(conf);
    /* kinds first, so [map] may come before [kinds] in the file */
    for (size_t i = 0; i < n && !rc; i++) {
        const stad_conf_entry *e = stad_conf_at(conf, i);
        if (strcasecmp(e->section, "kinds") != 0)
            continue;
        char slug[128];
        key_norm(e->key, slug, sizeof slug);
        if (strchr(slug, ' ')) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: kind slug '%s' contains a space", path,
                           e->line, e->key);
            break;
        }
        if (ingest_map_get(&t->kinds, slug))
            continue;
        char **s = realloc(t->slugs, (t->n_slugs + 1) * sizeof *s);
        if (!s) {
            rc = STAD_ENOMEM;
            break;
        }
        t->slugs = s;
        t->slugs[t->n_slugs] = strdup(slug);
        int64_t *v = ingest_map_upsert(&t->kinds, slug, (int64_t)t->n_slugs);
        if (!t->slugs[t->n_slugs] || !v) {
            rc = STAD_ENOMEM;
            break;
        }
        int64_t idx = (int64_t)t->n_slugs++;
        const char *bar = strchr(e->value, '|');
        rc = add_label(t, e->value, bar ? (size_t)(bar - e->value) : strlen(e->value), idx);
        if (!rc && bar)
            rc = add_label(t, bar + 1, strlen(bar + 1), idx);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const stad_conf_entry *e = stad_conf_at(conf, i);
        if (strcasecmp(e->section, "map") != 0)
            continue;
        char slug[128], key[512];
        key_norm(e->value, slug, sizeof slug);
        int64_t *idx = ingest_map_get(&t->kinds, slug);
        if (!idx) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d: '%s' maps to '%s', which is not in [kinds]",
                           path, e->line, e->key, e->value);
            break;
        }
        key_norm(e->key, key, sizeof key);
        int64_t *v = ingest_map_upsert(&t->map, key, *idx);
        if (!v)
            rc = STAD_ENOMEM;
        else
            *v = *idx; /* a later line wins */
    }
    if (rc == STAD_ENOMEM)
        stad_fail(ctx, rc, "%s: out of memory", path);
    if (!rc && t->n_slugs == 0)
        rc = stad_fail(ctx, STAD_EPARSE, "%s: no [kinds] defined", path);
    stad_conf_free(conf);
    if (rc) {
        ingest_taxonomy_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int ingest_taxonomy_has(const ingest_taxonomy *t, const char *slug)
{
    return ingest_map_get(&t->kinds, slug) != NULL;
}

/* A code: a short token with a digit ("A72", "F30.1", "1.2.3"). */
static int looks_like_code(const char *s, size_t n)
{
    int digit = 0, alpha = 0;
    if (n == 0 || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            digit = 1;
        else if (isalpha(c))
            alpha = 1;
        else if (c != '.' && c != '-')
            return 0;
    }
    (void)alpha;
    return digit;
}

const char *ingest_taxonomy_lookup(const ingest_taxonomy *t, const char *code,
                                   const char *text)
{
    char key[512];
    int64_t *v;
    if (text && *text) {
        key_norm(text, key, sizeof key);
        if ((v = ingest_map_get(&t->map, key)))
            return t->slugs[*v];
    }
    if (code && *code) {
        key_norm(code, key, sizeof key);
        if ((v = ingest_map_get(&t->map, key)))
            return t->slugs[*v];
        if ((v = ingest_map_get(&t->kinds, key)))
            return t->slugs[*v];
    }
    if (!text || !*text)
        return NULL;
    key_norm(text, key, sizeof key);
    /* leading code token: "A72 Diefstal fiets", "A72-Diefstal", "A72: ..." */
    size_t tok = strcspn(key, " :-/");
    if (key[tok] && looks_like_code(key, tok)) {
        char c[16];
        memcpy(c, key, tok);
        c[tok] = '\0';
        if ((v = ingest_map_get(&t->map, c)))
            return t->slugs[*v];
    }
    if ((v = ingest_map_get(&t->kinds, key)) || (v = ingest_map_get(&t->labels, key)))
        return t->slugs[*v];
    /* the longest slug that prefixes the text at a '.' ("theft.bike.ebike") */
    for (size_t len = strlen(key); len > 0; len--) {
        if (key[len] != '.' && key[len] != '\0')
            continue;
        char save = key[len];
        key[len] = '\0';
        v = ingest_map_get(&t->kinds, key);
        key[len] = save;
        if (v)
            return t->slugs[*v];
    }
    return NULL;
}
