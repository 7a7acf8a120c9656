/*
 * commands.h — the subcommands of the ftpkit CLI.  Each takes the parsed
 * options and its operands (URLs, files, raw commands) and returns an exit
 * code (see cli.h).
 */
#ifndef FTPKIT_CLI_COMMANDS_H
#define FTPKIT_CLI_COMMANDS_H

#include "cli.h"
#include "url.h"

int cmd_ls(const struct cli_opts *o, char **args, int n);
int cmd_get(const struct cli_opts *o, char **args, int n);
int cmd_put(const struct cli_opts *o, char **args, int n);
int cmd_rm(const struct cli_opts *o, char **args, int n);
int cmd_mkdir(const struct cli_opts *o, char **args, int n);
int cmd_rmdir(const struct cli_opts *o, char **args, int n);
int cmd_raw(const struct cli_opts *o, char **args, int n);

/* get -r: mirror the directory tree of `u` (cmd_mirror.c). */
int cmd_mirror(const struct cli_opts *o, const struct ftp_url *u);

#endif /* FTPKIT_CLI_COMMANDS_H */
