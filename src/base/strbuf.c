/* Growable string buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stad/base.h"
#include "stad/strbuf.h"

static int reserve(stad_strbuf *b, size_t extra)
{
    if (b->oom)
        return STAD_ENOMEM;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return STAD_ENOMEM;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return STAD_ENOMEM;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

int stad_strbuf_append_n(stad_strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return STAD_ENOMEM;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int stad_strbuf_append(stad_strbuf *b, const char *s)
{
    return stad_strbuf_append_n(b, s, strlen(s));
}

int stad_strbuf_append_char(stad_strbuf *b, char c)
{
    if (b->len + 2 <= b->cap && !b->oom) { /* the common case, without a call */
        b->s[b->len++] = c;
        b->s[b->len] = '\0';
        return 0;
    }
    return stad_strbuf_append_n(b, &c, 1);
}

int stad_strbuf_vprintf(stad_strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return STAD_EINVAL;
    if (reserve(b, (size_t)n))
        return STAD_ENOMEM;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int stad_strbuf_printf(stad_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = stad_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int stad_strbuf_append_csv(stad_strbuf *b, const char *s)
{
    if (!s)
        return 0;
    if (!strpbrk(s, ",;\"\r\n") && s[0] != ' ')
        return stad_strbuf_append(b, s);
    int rc = stad_strbuf_append_char(b, '"');
    for (const char *p = s; *p && !rc; p++)
        rc = *p == '"' ? stad_strbuf_append_n(b, "\"\"", 2) : stad_strbuf_append_char(b, *p);
    return rc ? rc : stad_strbuf_append_char(b, '"');
}

int stad_strbuf_append_json(stad_strbuf *b, const char *s)
{
    /* Runs of plain characters go in with one copy: attributes of every ingested
     * row pass through here, so per-character appends showed up in profiles. */
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int rc = stad_strbuf_append_char(b, '"');
    while (*p && !rc) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            rc = stad_strbuf_append_n(b, (const char *)run, (size_t)(p - run));
        if (!*p || rc)
            break;
        switch (*p) {
        case '"': rc = stad_strbuf_append_n(b, "\\\"", 2); break;
        case '\\': rc = stad_strbuf_append_n(b, "\\\\", 2); break;
        case '\n': rc = stad_strbuf_append_n(b, "\\n", 2); break;
        case '\r': rc = stad_strbuf_append_n(b, "\\r", 2); break;
        case '\t': rc = stad_strbuf_append_n(b, "\\t", 2); break;
        default: rc = stad_strbuf_printf(b, "\\u%04x", *p);
        }
        p++;
    }
    return rc ? rc : stad_strbuf_append_char(b, '"');
}

const char *stad_strbuf_str(const stad_strbuf *b)
{
    return b->s ? b->s : "";
}

void stad_strbuf_clear(stad_strbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *stad_strbuf_take(stad_strbuf *b)
{
    char *s = b->s;
    if (!s)
        s = calloc(1, 1);
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void stad_strbuf_free(stad_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
