/* Helpers shared by the unit tests (a header, so the CMake glob of test_*.c does not
 * make it a test). Include after <cmocka.h>. */
#ifndef STAD_TEST_UTIL_H
#define STAD_TEST_UTIL_H

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p; fails the test when a folder cannot be made. */
static inline void mkdir_p(const char *path)
{
    char buf[1024];
    size_t n = strlen(path);
    assert_true(n < sizeof buf);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                fail_msg("mkdir %s: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
}

#endif
