/*
 * creds.h — decide the user name, password and account for a URL from the
 * URL itself, --user, $FTPKIT_PASSWORD and the netrc file.
 */
#ifndef FTPKIT_CLI_CREDS_H
#define FTPKIT_CLI_CREDS_H

#include "cli.h"
#include "url.h"

struct creds {
  char *user; /* NULL: anonymous login */
  char *pass; /* NULL: none known */
  char *acct; /* NULL: none */
};

/*
 * Precedence: a user in the URL (with its password, if any) wins over
 * --user USER[:PASS].  A missing password comes from $FTPKIT_PASSWORD
 * (only when a user is named), else from the netrc entry for the host and
 * user.  Without any user, a netrc entry for the host supplies both; if
 * there is none, the login is anonymous.
 */
void creds_resolve(const struct cli_opts *o, const struct ftp_url *u, struct creds *c);

/* 1 if both name the same login. */
int creds_equal(const struct creds *a, const struct creds *b);

/* Free (and wipe the password of) `c`. */
void creds_free(struct creds *c);

#endif /* FTPKIT_CLI_CREDS_H */
