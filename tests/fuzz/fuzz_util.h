/* Helpers shared by the libFuzzer targets: a private scratch directory per process and
 * writing the input to a file there, for APIs that take a path (GDAL, conf files,
 * ingest). Header only, so the CMake glob (fuzz_*.c) does not make it a target. */
#ifndef STAD_FUZZ_UTIL_H
#define STAD_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The scratch directory: $STAD_TMP or $TMPDIR or /tmp, plus a mkdtemp'ed folder made
 * once per process; aborts when it cannot be made. */
static char fuzz_dir_path[512];
static char fuzz_names[16][64];
static size_t fuzz_n_names;

/* Removes the files written and the directory when the process exits normally. */
static inline void fuzz_cleanup(void)
{
    char p[600];
    for (size_t i = 0; i < fuzz_n_names; i++) {
        const char *suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t k = 0; k < 4; k++) {
            if (snprintf(p, sizeof p, "%s/%s%s", fuzz_dir_path, fuzz_names[i], suffix[k]) <
                (int)sizeof p)
                unlink(p);
        }
    }
    rmdir(fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
    char *dir = fuzz_dir_path;
    if (dir[0])
        return dir;
    const char *base = getenv("STAD_TMP");
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0700); /* ctest's STAD_TMP may not exist yet */
    int n = snprintf(dir, sizeof fuzz_dir_path, "%s/stad-fuzz.XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof fuzz_dir_path || !mkdtemp(dir)) {
        /* A target that cannot write its input would pass without testing anything. */
        fprintf(stderr, "fuzz: cannot make a scratch directory under %s\n", base);
        abort();
    }
    atexit(fuzz_cleanup);
    return dir;
}

/* Remembers a file name in the scratch directory for removal at exit. */
static inline void fuzz_remember(const char *name)
{
    for (size_t i = 0; i < fuzz_n_names; i++)
        if (strcmp(fuzz_names[i], name) == 0)
            return;
    if (fuzz_n_names < 16 && strlen(name) < sizeof fuzz_names[0])
        memcpy(fuzz_names[fuzz_n_names++], name, strlen(name) + 1);
}

/* Path of <fuzz_dir>/<name> into out (remembered for removal). 0 or -1. */
static inline int fuzz_path(const char *name, char *out, size_t out_size)
{
    const char *dir = fuzz_dir();
    if (!dir)
        return -1;
    int n = snprintf(out, out_size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= out_size)
        return -1;
    fuzz_remember(name);
    return 0;
}

/* Writes data to <fuzz_dir>/<name> and puts that path in out. 0 or -1. */
static inline int fuzz_write(const char *name, const uint8_t *data, size_t size, char *out,
                      size_t out_size)
{
    if (fuzz_path(name, out, out_size))
        return -1;
    FILE *f = fopen(out, "wb");
    if (!f)
        return -1;
    size_t w = size ? fwrite(data, 1, size, f) : 0;
    int bad = fclose(f) != 0 || w != size;
    return bad ? -1 : 0;
}

/* Splits the input at the first occurrence of sep: [data, data+*n1) and the rest
 * after the separator (or an empty rest when there is none). */
static inline void fuzz_split(const uint8_t *data, size_t size, const char *sep, size_t *n1,
                       const uint8_t **rest, size_t *n_rest)
{
    size_t k = strlen(sep);
    for (size_t i = 0; k && i + k <= size; i++) {
        if (memcmp(data + i, sep, k) == 0) {
            *n1 = i;
            *rest = data + i + k;
            *n_rest = size - i - k;
            return;
        }
    }
    *n1 = size;
    *rest = data + size;
    *n_rest = 0;
}

#endif
