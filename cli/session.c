/*
 * session.c — connection management and error reporting for the ftpkit
 * CLI.  Every library call's return value is checked here or by the
 * caller; messages follow "ftpkit: <what>: <ftp_errmsg()>".
 */
#define _POSIX_C_SOURCE 200809L

#include "session.h"

#include "interrupt.h"

#include <stdlib.h>
#include <string.h>

int exit_code_for(int rc) {
  switch (rc) {
    case FTP_OK:
      return CLI_EXIT_OK;
    case FTP_ERESOLVE:
      return CLI_EXIT_RESOLVE;
    case FTP_EIO:
    case FTP_ECLOSED:
      return CLI_EXIT_IO;
    case FTP_ETIMEOUT:
      return CLI_EXIT_TIMEOUT;
    case FTP_ETLS:
    case FTP_ECERT:
      return CLI_EXIT_TLS;
    case FTP_EPERM:
      return CLI_EXIT_PERM;
    case FTP_ETEMP:
      return CLI_EXIT_TEMP;
    case FTP_EPROTO:
      return CLI_EXIT_PROTO;
    case FTP_EREPLY:
      return CLI_EXIT_REPLY;
    case FTP_EABORTED:
    case FTP_ECANCELED:
      return CLI_EXIT_ABORTED;
    case FTP_EINVAL:
      return CLI_EXIT_USAGE;
    default:
      return CLI_EXIT_OTHER;
  }
}

int is_reply_error(int rc) { return rc == FTP_EREPLY || rc == FTP_ETEMP || rc == FTP_EPERM; }

void sess_init(struct cli_session *cs, const struct cli_opts *o) {
  memset(cs, 0, sizeof *cs);
  cs->opts = o;
}

/* 1 if [hay, hay+hlen) contains [needle, needle+nlen). */
static int contains(const char *hay, size_t hlen, const char *needle, size_t nlen) {
  if (nlen == 0) return 1;
  for (size_t i = 0; i + nlen <= hlen; i++)
    if (memcmp(hay + i, needle, nlen) == 0) return 1;
  return 0;
}

/* The server's reply, unless the message already quotes all of it:
 * ": <first line>" (left out if the message quotes it), then the further
 * lines of a multi-line reply, indented. */
static void print_reply(const ftp_session *s, const char *msg) {
  size_t len = 0, first, msg_len = strlen(msg);
  const char *text = ftp_reply_text(s, &len);
  const char *nl = memchr(text, '\n', len);
  first = nl ? (size_t)(nl - text) : len;
  if (len == 0 || contains(msg, msg_len, text, len)) return;
  if (!contains(msg, msg_len, text, first)) {
    fputs(": ", stderr);
    print_safe(stderr, text, first, 0);
  }
  while (nl != NULL) {
    const char *line = nl + 1;
    size_t rest = len - (size_t)(line - text);
    nl = memchr(line, '\n', rest);
    fputs("\n  ", stderr);
    print_safe(stderr, line, nl ? (size_t)(nl - line) : rest, 0);
  }
}

int sess_fail(const struct cli_session *cs, int rc, const char *what) {
  const char *msg = cs->s ? ftp_errmsg(cs->s) : "";
  if (msg[0] == '\0') msg = ftp_strerror(rc);
  fputs(CLI_NAME ": ", stderr);
  print_safe(stderr, what, strlen(what), 0);
  fputs(": ", stderr);
  print_safe(stderr, msg, strlen(msg), 0);
  if (cs->s != NULL && is_reply_error(rc) && ftp_reply_code(cs->s) != 0) print_reply(cs->s, msg);
  fputc('\n', stderr);
  return exit_code_for(rc);
}

static void debug_line(const char *line, size_t len, void *userdata) {
  (void)userdata;
  print_safe(stderr, line, len, 0);
  fputc('\n', stderr);
}

/* Apply the command-line options to a new session. */
static int apply_options(struct cli_session *cs) {
  const struct cli_opts *o = cs->opts;
  int rc = FTP_OK;
  if (o->debug > 0) rc = ftp_set_debug(cs->s, o->debug > 1 ? 2 : 1, debug_line, NULL);
  if (rc == FTP_OK) rc = ftp_set_passive(cs->s, !o->active);
  if (rc == FTP_OK) rc = ftp_set_epsv(cs->s, !o->no_epsv);
  if (rc == FTP_OK && o->timeout_ms > 0) rc = ftp_set_timeout_ms(cs->s, o->timeout_ms);
  if (rc == FTP_OK && o->family != 0) rc = ftp_set_address_family(cs->s, o->family);
  return rc == FTP_OK ? 0 : sess_fail(cs, rc, "setting session options");
}

static int create_session(struct cli_session *cs) {
  cs->s = ftp_new();
  if (cs->s == NULL) {
    warnx_("out of memory");
    return CLI_EXIT_OTHER;
  }
  intr_set_session(cs->s);
  return apply_options(cs);
}

static void forget_login(struct cli_session *cs) {
  cs->logged_in = 0;
  free(cs->host);
  cs->host = NULL;
  creds_free(&cs->creds);
}

static int same_login(const struct cli_session *cs, const struct ftp_url *u,
                      const struct creds *c) {
  return cs->logged_in && ftp_is_connected(cs->s) && strcmp(cs->host, u->host) == 0 &&
         cs->port == u->port && creds_equal(&cs->creds, c);
}

static int do_connect(struct cli_session *cs, const struct ftp_url *u) {
  unsigned port = u->port ? u->port : 21;
  int v6 = strchr(u->host, ':') != NULL;
  int rc = ftp_connect(cs->s, u->host, u->port);
  char *what;
  size_t n;
  if (rc == FTP_OK) return 0;
  n = strlen(u->host) + 40;
  what = xmalloc(n);
  snprintf(what, n, "connect to %s%s%s port %u", v6 ? "[" : "", u->host, v6 ? "]" : "", port);
  rc = sess_fail(cs, rc, what);
  free(what);
  return rc;
}

static int do_login(struct cli_session *cs, const struct creds *c) {
  const char *user = c->user ? c->user : "anonymous";
  int rc = ftp_login(cs->s, c->user, c->pass, c->acct);
  char *what;
  if (rc == FTP_OK) return 0;
  what = xconcat3("login as ", user, NULL);
  rc = rc == FTP_EPERM ? (sess_fail(cs, rc, what), CLI_EXIT_LOGIN) : sess_fail(cs, rc, what);
  free(what);
  return rc;
}

int sess_ensure(struct cli_session *cs, const struct ftp_url *u) {
  struct creds want;
  int rc = 0;
  if (intr_pending()) {
    warnx_("interrupted");
    return CLI_EXIT_ABORTED;
  }
  creds_resolve(cs->opts, u, &want);
  if (cs->s != NULL && same_login(cs, u, &want)) {
    creds_free(&want);
    return 0;
  }
  if (cs->s == NULL)
    rc = create_session(cs);
  else if (ftp_is_connected(cs->s))
    (void)ftp_quit(cs->s); /* another server: its reply is moot */
  forget_login(cs);
  if (rc == 0) rc = do_connect(cs, u);
  if (rc == 0) rc = do_login(cs, &want);
  if (rc != 0) {
    creds_free(&want);
    return rc;
  }
  cs->logged_in = 1;
  cs->host = xstrdup(u->host);
  cs->port = u->port;
  cs->creds = want;
  return 0;
}

void sess_end(struct cli_session *cs) {
  if (cs->s != NULL) {
    if (ftp_is_connected(cs->s)) (void)ftp_quit(cs->s); /* the work is done: QUIT's reply is moot */
    intr_set_session(NULL);
    ftp_free(cs->s);
    cs->s = NULL;
  }
  forget_login(cs);
}
