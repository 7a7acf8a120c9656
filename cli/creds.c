/*
 * creds.c — credential resolution for the ftpkit CLI (see creds.h for the
 * order in which the sources are consulted).
 */
#define _POSIX_C_SOURCE 200809L

#include "creds.h"

#include "netrc.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

/* --user USER[:PASS]: split at the first ':'. */
static void from_user_option(const char *opt, struct creds *c) {
  const char *colon = strchr(opt, ':');
  if (colon == NULL) {
    c->user = xstrdup(opt);
    return;
  }
  c->user = xstrndup(opt, (size_t)(colon - opt));
  c->pass = xstrdup(colon + 1);
}

static void from_netrc(const char *host, struct creds *c) {
  struct netrc_entry e;
  if (netrc_lookup(host, c->user, &e) != 1) return;
  if (c->user == NULL) {
    c->user = e.login;
    e.login = NULL;
  }
  c->pass = e.password;
  c->acct = e.account;
  e.password = e.account = NULL;
  netrc_entry_free(&e);
}

void creds_resolve(const struct cli_opts *o, const struct ftp_url *u, struct creds *c) {
  const char *env = getenv("FTPKIT_PASSWORD");
  memset(c, 0, sizeof *c);
  if (u->user != NULL && u->user[0] != '\0') {
    c->user = xstrdup(u->user);
    c->pass = dup_or_null(u->password);
  } else if (o->user_opt != NULL) {
    from_user_option(o->user_opt, c);
  }
  if (c->user != NULL && c->user[0] == '\0') {
    free(c->user);
    c->user = NULL;
  }
  if (c->pass == NULL && c->user != NULL && env != NULL) c->pass = xstrdup(env);
  if (c->pass == NULL) from_netrc(u->host, c);
}

static int str_eq(const char *a, const char *b) {
  if (a == NULL || b == NULL) return a == b;
  return strcmp(a, b) == 0;
}

int creds_equal(const struct creds *a, const struct creds *b) {
  return str_eq(a->user, b->user) && str_eq(a->pass, b->pass) && str_eq(a->acct, b->acct);
}

void creds_free(struct creds *c) {
  free(c->user);
  if (c->pass != NULL) memset(c->pass, 0, strlen(c->pass));
  free(c->pass);
  free(c->acct);
  memset(c, 0, sizeof *c);
}
