/* `stad serve --config FILE` (cli_serve_config.c). */
#ifndef STAD_CLI_SERVE_CONFIG_H
#define STAD_CLI_SERVE_CONFIG_H

#include "cli.h"

/* The FILE of the last --config FILE / --config=FILE in argv, or NULL. */
const char *cli_serve_config_arg(int argc, char **argv);
/* Sets env->store_path and the server options (including log_level) from s, which
 * must outlive them. */
void cli_serve_apply_config(cli_env *env, const stad_settings *s, stad_server_opts *so);
/* The logger chosen by $STAD_LOG_FORMAT, else by the settings (may be NULL). */
stad_log_fn cli_serve_log_fn(const stad_settings *s);
/* Before serving: with settings, a missing store is created for the configured city;
 * an existing one is upgraded (backup first, into the settings' backup_dir or the
 * store's folder). Without settings a missing store is an error. */
int cli_serve_prepare_store(cli_env *env, const stad_settings *set);

#endif
