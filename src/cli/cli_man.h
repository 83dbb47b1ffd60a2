/* The manual page of the stad command (cli_man.c). */
#ifndef STAD_CLI_MAN_H
#define STAD_CLI_MAN_H

#include "cli.h"

/* Writes stad(1) in roff: print_help's text as the description, then each command's
 * summary and usage. Returns CLI_OK or CLI_FAIL. */
int cli_print_man(FILE *out, void (*print_help)(FILE *), const cli_command *const *cmds,
                  size_t n);

#endif
