/* Reading a password without echo (cli_password.c). */
#ifndef STAD_CLI_PASSWORD_H
#define STAD_CLI_PASSWORD_H

#include <stddef.h>

/* Reads a password into buf: from the terminal without echo (twice when confirm),
 * else one line of stdin. Prints the problem and returns -1 on failure. The caller
 * wipes buf (sodium_memzero) when done. */
int cli_read_password(const char *what, int confirm, char *buf, size_t size);

#endif
