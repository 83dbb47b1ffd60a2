/* Growable NUL-terminated string buffer; the replacement for sprintf/strcat.
 * The buffer owns `s`; stad_strbuf_take hands it to the caller (free with free()). */
#ifndef STAD_STRBUF_H
#define STAD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct stad_strbuf {
    char *s;       /* always NUL-terminated once anything was added; may be NULL when empty */
    size_t len;
    size_t cap;
    int oom;       /* set once an allocation failed; later appends are ignored */
} stad_strbuf;

#define STAD_STRBUF_INIT {NULL, 0, 0, 0}

/* All appends return 0 or STAD_ENOMEM (and then set oom). */
int stad_strbuf_append(stad_strbuf *b, const char *s);
int stad_strbuf_append_n(stad_strbuf *b, const char *s, size_t n);
int stad_strbuf_append_char(stad_strbuf *b, char c);
int stad_strbuf_printf(stad_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int stad_strbuf_vprintf(stad_strbuf *b, const char *fmt, va_list ap);
/* Appends s quoted for CSV (RFC 4180) when it needs quoting. */
int stad_strbuf_append_csv(stad_strbuf *b, const char *s);
/* Appends s as a JSON string literal, with quotes. */
int stad_strbuf_append_json(stad_strbuf *b, const char *s);
/* "" when empty, never NULL. */
const char *stad_strbuf_str(const stad_strbuf *b);
void stad_strbuf_clear(stad_strbuf *b);
/* Returns the string (caller frees) and leaves the buffer empty. */
char *stad_strbuf_take(stad_strbuf *b);
void stad_strbuf_free(stad_strbuf *b);

#endif
