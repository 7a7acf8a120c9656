/*
 * session.h — one FTP session of the CLI: connect and log in on demand,
 * reuse the connection while the server and credentials stay the same,
 * report errors and map library statuses to exit codes.
 */
#ifndef FTPKIT_CLI_SESSION_H
#define FTPKIT_CLI_SESSION_H

#include <ftpkit/ftp.h>

#include "cli.h"
#include "creds.h"
#include "url.h"

struct cli_session {
  ftp_session *s;              /* NULL until the first connection */
  const struct cli_opts *opts; /* not owned */
  int logged_in;               /* the fields below describe the login */
  char *host;
  unsigned port;
  int tls_mode; /* FTP_TLS_NONE, FTP_TLS_EXPLICIT or FTP_TLS_IMPLICIT */
  struct creds creds;
};

void sess_init(struct cli_session *cs, const struct cli_opts *o);

/* Make `cs` connected and logged in to the server of `u`, reusing the
 * current login when it matches (same host, port, TLS mode and
 * credentials).  ftps:// URLs connect with implicit TLS, ftp:// URLs with
 * explicit TLS under --ssl-reqd.  Returns an exit code (0 on success). */
int sess_ensure(struct cli_session *cs, const struct ftp_url *u);

/* Send QUIT when connected, then free everything. */
void sess_end(struct cli_session *cs);

/* Print "ftpkit: <what>: <errmsg>" plus the server's reply when the error
 * is a reply error, and return the exit code for `rc`. */
int sess_fail(const struct cli_session *cs, int rc, const char *what);

/* The exit code for an ftp_status value. */
int exit_code_for(int rc);

/* 1 if `rc` is a reply error (FTP_EREPLY, FTP_ETEMP, FTP_EPERM). */
int is_reply_error(int rc);

#endif /* FTPKIT_CLI_SESSION_H */
