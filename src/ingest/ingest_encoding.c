/* Text encodings of municipal files: UTF-8 (with or without BOM) or, from older
 * Windows tools, Windows-1252. Everything inside stad is UTF-8. */
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

int ingest_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    while (s < end) {
        unsigned char c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - s) < len)
            return 0;
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += len;
    }
    return 1;
}

/* Windows-1252 0x80..0x9F; the rest of the upper half equals Latin-1 (U+00A0..U+00FF).
 * Undefined positions map to themselves, as Windows does. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

int ingest_cp1252_to_utf8(stad_strbuf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned cp = s[i];
        if (cp < 0x80) {
            size_t j = i;
            while (j < n && s[j] < 0x80)
                j++;
            rc = stad_strbuf_append_n(out, str + i, j - i);
            i = j - 1;
            continue;
        }
        if (cp < 0xA0)
            cp = cp1252_high[cp - 0x80];
        char u[3];
        size_t len;
        if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            len = 2;
        } else {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            len = 3;
        }
        rc = stad_strbuf_append_n(out, u, len);
    }
    return rc;
}

int ingest_encoding_from_name(const char *name)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {
        {"auto", INGEST_ENC_AUTO},        {"utf-8", INGEST_ENC_UTF8},
        {"utf8", INGEST_ENC_UTF8},        {"latin1", INGEST_ENC_CP1252},
        {"latin-1", INGEST_ENC_CP1252},   {"iso-8859-1", INGEST_ENC_CP1252},
        {"iso8859-1", INGEST_ENC_CP1252}, {"iso-8859-15", INGEST_ENC_CP1252},
        {"cp1252", INGEST_ENC_CP1252},    {"windows-1252", INGEST_ENC_CP1252},
        {"ansi", INGEST_ENC_CP1252},
    };
    if (!name || !*name)
        return INGEST_ENC_AUTO;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].enc;
    return -1;
}
