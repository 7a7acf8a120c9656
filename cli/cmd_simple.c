/*
 * cmd_simple.c — the one-reply subcommands: `rm`, `mkdir` and `rmdir` on
 * one or more URLs (one session per server), and `cmd URL RAW...`, which
 * sends raw commands in order and prints every reply.
 *
 * `cmd` policy: a 4xx/5xx (or unexpected) reply is printed like any other
 * and the remaining commands still run; the exit status is that of the
 * first failed command.  A connection-level error (I/O, timeout, closed)
 * stops at once.  A URL path is first entered with CWD.
 */
#define _POSIX_C_SOURCE 200809L

#include "commands.h"
#include "interrupt.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

/* One operation on one path: an ftp_status. */
typedef int (*path_op)(ftp_session *s, const char *path);

static int op_delete(ftp_session *s, const char *path) { return ftp_delete(s, path); }
static int op_rmdir(ftp_session *s, const char *path) { return ftp_rmd(s, path); }
static int op_mkdir(ftp_session *s, const char *path) { return ftp_mkd(s, path, NULL, NULL); }

/* The path an operation works on; NULL after printing why. */
static char *op_path(const struct ftp_url *u, int dir_ok) {
  char *path = url_path_trimmed(u);
  if (path[0] != '\0' && (dir_ok || !u->is_dir)) return path;
  report(u->path[0] ? u->path : "/",
         path[0] == '\0' ? "URL has no path" : "URL names a directory (ends in '/')");
  free(path);
  return NULL;
}

static int run_one(struct cli_session *cs, const struct ftp_url *u, const char *verb, int dir_ok,
                   path_op op) {
  char *path = op_path(u, dir_ok), *what;
  int code, rc;
  if (path == NULL) return CLI_EXIT_USAGE;
  code = sess_ensure(cs, u);
  if (code == 0 && (rc = op(cs->s, path)) != FTP_OK) {
    what = what_str(verb, path);
    code = sess_fail(cs, rc, what);
    free(what);
  }
  free(path);
  return code;
}

/* Apply `op` to every URL; the exit code of the first failure. */
static int run_all(const struct cli_opts *o, char **args, int n, const char *verb, int dir_ok,
                   path_op op) {
  struct cli_session cs;
  struct ftp_url *urls;
  int first = 0;
  if (n < 1) {
    warnx_("%s needs at least one URL", verb);
    return CLI_EXIT_USAGE;
  }
  if ((urls = parse_urls(args, n)) == NULL) return CLI_EXIT_USAGE;
  sess_init(&cs, o);
  for (int i = 0; i < n && !intr_pending(); i++) {
    int code = run_one(&cs, &urls[i], verb, dir_ok, op);
    if (first == 0) first = code;
  }
  sess_end(&cs);
  free_urls(urls, n);
  return first;
}

int cmd_rm(const struct cli_opts *o, char **args, int n) {
  return run_all(o, args, n, "rm", 0, op_delete);
}
int cmd_mkdir(const struct cli_opts *o, char **args, int n) {
  return run_all(o, args, n, "mkdir", 1, op_mkdir);
}
int cmd_rmdir(const struct cli_opts *o, char **args, int n) {
  return run_all(o, args, n, "rmdir", 1, op_rmdir);
}

/* Print the last reply on stdout, as it came (control bytes escaped). */
static void print_reply(const ftp_session *s) {
  size_t len = 0;
  const char *text = ftp_reply_text(s, &len);
  print_safe(stdout, text, len, 1);
  putchar('\n');
}

/* Run one raw command.  0 (ok), a reply-error exit code (go on), or -code
 * for an error that ends the session. */
static int raw_one(struct cli_session *cs, const char *cmd) {
  int rc = ftp_sendcmd(cs->s, cmd), code;
  char *what;
  if (rc == FTP_OK) {
    print_reply(cs->s);
    return 0;
  }
  what = what_str("cmd", cmd);
  if (is_reply_error(rc)) {
    print_reply(cs->s);
    report(what, ftp_strerror(rc));
    code = exit_code_for(rc);
  } else {
    code = -sess_fail(cs, rc, what);
  }
  free(what);
  return code;
}

static int check_raw(char **cmds, int n) {
  if (n < 1) { /* also n == -1: not even a URL */
    warnx_("cmd needs a URL and at least one command");
    return CLI_EXIT_USAGE;
  }
  for (int i = 0; i < n; i++) {
    if (cmds[i][0] == '\0' || has_crlf(cmds[i])) {
      warnx_("command %d is empty or contains CR/LF", i + 1);
      return CLI_EXIT_USAGE;
    }
  }
  return 0;
}

static int enter_dir(struct cli_session *cs, const struct ftp_url *u) {
  char *path = url_path_trimmed(u), *what;
  int rc = path[0] ? ftp_cwd(cs->s, path) : FTP_OK, code = 0;
  if (rc != FTP_OK) {
    what = what_str("cd", path);
    code = sess_fail(cs, rc, what);
    free(what);
  }
  free(path);
  return code;
}

/* Run the commands in order; the exit code of the first failure. */
static int raw_all(struct cli_session *cs, char **cmds, int n) {
  int first = 0;
  for (int i = 0; i < n; i++) {
    int r;
    if (intr_pending()) {
      warnx_("interrupted");
      return first ? first : CLI_EXIT_ABORTED;
    }
    r = raw_one(cs, cmds[i]);
    if (first == 0) first = r < 0 ? -r : r;
    if (r < 0) break;
  }
  return first;
}

int cmd_raw(const struct cli_opts *o, char **args, int n) {
  struct cli_session cs;
  struct ftp_url *u;
  int code = check_raw(args + 1, n - 1);
  if (code != 0) return code;
  if ((u = parse_urls(args, 1)) == NULL) return CLI_EXIT_USAGE;
  sess_init(&cs, o);
  code = sess_ensure(&cs, u);
  if (code == 0) code = enter_dir(&cs, u);
  if (code == 0) code = raw_all(&cs, args + 1, n - 1);
  sess_end(&cs);
  free_urls(u, 1);
  return code;
}
