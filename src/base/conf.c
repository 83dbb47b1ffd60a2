/* INI-style configuration files with line numbers for every entry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/arena.h"
#include "stad/conf.h"

struct stad_conf {
    stad_arena arena;
    stad_conf_entry *entries;
    size_t n, cap;
    char *path;
};

static const char *trim(char *s, size_t *len)
{
    size_t n = *len;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    *len = n;
    return s;
}

static int add_entry(stad_conf *c, const char *section, const char *key, size_t klen,
                     const char *value, size_t vlen, int line)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        stad_conf_entry *e = realloc(c->entries, cap * sizeof *e);
        if (!e)
            return STAD_ENOMEM;
        c->entries = e;
        c->cap = cap;
    }
    stad_conf_entry *e = &c->entries[c->n];
    e->section = section;
    e->key = stad_arena_strndup(&c->arena, key, klen);
    e->value = stad_arena_strndup(&c->arena, value, vlen);
    e->line = line;
    if (!e->key || !e->value)
        return STAD_ENOMEM;
    c->n++;
    return 0;
}

int stad_conf_parse(stad_ctx *ctx, const char *name, const char *text, size_t len,
                    stad_conf **out)
{
    stad_conf *c = calloc(1, sizeof *c);
    if (!c)
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", name);
    stad_arena_init(&c->arena, 0);
    c->path = strdup(name);
    const char *section = "";
    const char *p = text, *end = text + len;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* BOM from editors on Windows */
    int line = 0, rc = 0;
    while (p < end && !rc) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *buf = stad_arena_strndup(&c->arena, p, n);
        p = nl ? nl + 1 : end;
        if (!buf) {
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", name);
            break;
        }
        size_t tl = n;
        const char *s = trim(buf, &tl);
        if (tl == 0 || s[0] == '#' || s[0] == ';')
            continue;
        if (memchr(s, '\0', tl)) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d:1: NUL byte in configuration", name, line);
            break;
        }
        if (s[0] == '[') {
            if (s[tl - 1] != ']') {
                rc = stad_fail(ctx, STAD_EPARSE, "%s:%d:%zu: section header lacks ']'", name,
                               line, (size_t)(s - buf) + tl);
                break;
            }
            size_t sl = tl - 2;
            char *sec = (char *)s + 1;
            const char *st = trim(sec, &sl);
            section = stad_arena_strndup(&c->arena, st, sl);
            if (!section)
                rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", name);
            continue;
        }
        const char *eq = memchr(s, '=', tl);
        if (!eq) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d:%zu: expected 'key = value'", name, line,
                           (size_t)(s - buf) + 1);
            break;
        }
        size_t kl = (size_t)(eq - s), vl = tl - kl - 1;
        const char *k = trim((char *)s, &kl);
        const char *v = trim((char *)eq + 1, &vl);
        if (kl == 0) {
            rc = stad_fail(ctx, STAD_EPARSE, "%s:%d:%zu: empty key before '='", name, line,
                           (size_t)(eq - buf) + 1);
            break;
        }
        if (add_entry(c, section, k, kl, v, vl, line))
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", name);
    }
    if (rc) {
        stad_conf_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int stad_conf_load(stad_ctx *ctx, const char *path, stad_conf **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return stad_fail(ctx, STAD_EIO, "%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = (len + got) * 2;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
            }
            text = t;
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(text);
        return stad_fail(ctx, STAD_EIO, "%s: read error", path);
    }
    int rc = stad_conf_parse(ctx, path, text ? text : "", len, out);
    free(text);
    return rc;
}

void stad_conf_free(stad_conf *c)
{
    if (!c)
        return;
    stad_arena_free(&c->arena);
    free(c->entries);
    free(c->path);
    free(c);
}

size_t stad_conf_count(const stad_conf *c) { return c->n; }

const stad_conf_entry *stad_conf_at(const stad_conf *c, size_t i)
{
    return i < c->n ? &c->entries[i] : NULL;
}

const char *stad_conf_get(const stad_conf *c, const char *section, const char *key)
{
    for (size_t i = c->n; i-- > 0;)
        if (strcasecmp(c->entries[i].section, section) == 0 &&
            strcasecmp(c->entries[i].key, key) == 0)
            return c->entries[i].value;
    return NULL;
}

const char *stad_conf_path(const stad_conf *c) { return c->path; }
