/* Reading a password: from the terminal without echo (asked twice for a new one),
 * or one line from stdin when it is not a terminal (scripts, tests). Never from
 * the command line, where it would end up in the shell history and in ps. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli_password.h"

static int read_line(char *buf, size_t size, int tty, const char *prompt)
{
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) != 0)
            return -1;
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
            return -1;
    }
    char *got = fgets(buf, (int)size, stdin);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!got)
        return -1;
    size_t n = strlen(buf);
    if (n + 1 == size && buf[n - 1] != '\n')
        return -2; /* longer than the buffer */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

int cli_read_password(const char *what, int confirm, char *buf, size_t size)
{
    int tty = isatty(STDIN_FILENO);
    char prompt[128];
    snprintf(prompt, sizeof prompt, "%s: ", what);
    int rc = read_line(buf, size, tty, prompt);
    if (rc == -2) {
        fprintf(stderr, "stad: the password is too long\n");
        sodium_memzero(buf, size);
        return -1;
    }
    if (rc) {
        fprintf(stderr, "stad: no password given%s\n",
                tty ? "" : " (stdin is not a terminal: give it as one line on stdin)");
        return -1;
    }
    if (tty && confirm) {
        char again[1100];
        snprintf(prompt, sizeof prompt, "%s (again): ", what);
        rc = read_line(again, sizeof again, tty, prompt);
        int same = rc == 0 && strcmp(again, buf) == 0;
        sodium_memzero(again, sizeof again);
        if (!same) {
            fprintf(stderr, "stad: the passwords differ\n");
            sodium_memzero(buf, size);
            return -1;
        }
    }
    return 0;
}
