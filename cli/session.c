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
    case FTP_OK: return CLI_EXIT_OK;
    case FTP_ERESOLVE: return CLI_EXIT_RESOLVE;
    case FTP_EIO:
    case FTP_ECLOSED: return CLI_EXIT_IO;
    case FTP_ETIMEOUT: return CLI_EXIT_TIMEOUT;
    case FTP_ETLS:
    case FTP_ECERT: return CLI_EXIT_TLS;
    case FTP_EPERM: return CLI_EXIT_PERM;
    case FTP_ETEMP: return CLI_EXIT_TEMP;
    case FTP_EPROTO: return CLI_EXIT_PROTO;
    case FTP_EREPLY: return CLI_EXIT_REPLY;
    case FTP_EABORTED:
    case FTP_ECANCELED: return CLI_EXIT_ABORTED;
    case FTP_EINVAL: return CLI_EXIT_USAGE;
    case FTP_ELOCAL: return CLI_EXIT_LOCAL;
    default: return CLI_EXIT_OTHER;
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

/* The FTPS options (--cacert, --capath, --cert, --key, -k, --tlsv1.x,
 * --tls-max).  They only matter once a connection uses TLS (see
 * tls_mode_for()); the library reads the files at ftp_connect(). */
static int apply_tls_options(struct cli_session *cs) {
  const struct cli_opts *o = cs->opts;
  int rc = FTP_OK;
  if (o->cacert != NULL || o->capath != NULL) rc = ftp_set_tls_ca(cs->s, o->cacert, o->capath);
  if (rc == FTP_OK && o->cert != NULL) rc = ftp_set_tls_client_cert(cs->s, o->cert, o->key);
  if (rc == FTP_OK && o->insecure) rc = ftp_set_tls_insecure(cs->s, 1);
  if (rc == FTP_OK && (o->tls_min != 0 || o->tls_max != 0))
    rc = ftp_set_tls_versions(cs->s, o->tls_min ? o->tls_min : FTP_TLS_VERSION_1_2, o->tls_max);
  return rc;
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
  if (rc == FTP_OK) rc = apply_tls_options(cs);
  return rc == FTP_OK ? 0 : sess_fail(cs, rc, "setting session options");
}

/* ftps:// is implicit TLS; ftp:// is explicit TLS with --ssl-reqd, else
 * plain FTP. */
static int tls_mode_for(const struct cli_opts *o, const struct ftp_url *u) {
  if (u->implicit_tls) return FTP_TLS_IMPLICIT;
  return o->ssl_reqd ? FTP_TLS_EXPLICIT : FTP_TLS_NONE;
}

/* 1 if any option that only matters with TLS was given. */
static int has_tls_options(const struct cli_opts *o) {
  return o->insecure || o->cacert || o->capath || o->cert || o->tls_min || o->tls_max;
}

/* Once per run: -k's warning before the first TLS connection (printed
 * even with -q: it is about security), and a notice when TLS options are
 * given for a plain connection. */
static void tls_notices(const struct cli_opts *o, int mode) {
  static int warned_insecure, noted_plain;
  if (mode != FTP_TLS_NONE && o->insecure && !warned_insecure) {
    warnx_(
        "warning: TLS certificate verification is disabled (-k/--insecure); "
        "the server is not authenticated");
    warned_insecure = 1;
  }
  if (mode == FTP_TLS_NONE && has_tls_options(o) && !o->quiet && !noted_plain) {
    warnx_(
        "note: TLS options have no effect on a plain ftp:// connection "
        "(use ftps:// or --ssl-reqd)");
    noted_plain = 1;
  }
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
         cs->port == u->port && cs->tls_mode == tls_mode_for(cs->opts, u) &&
         creds_equal(&cs->creds, c);
}

/* After a failed ftp_connect() in explicit mode: 1 if the greeting was a
 * 2xx and the error is a later reply, i.e. the server refused AUTH TLS. */
static int auth_refused(const ftp_session *s) {
  const char *welcome = ftp_getwelcome(s);
  return welcome[0] == '2' && ftp_reply_code(s) != 0 &&
         strcmp(ftp_reply_text(s, NULL), welcome) != 0;
}

static int do_connect(struct cli_session *cs, const struct ftp_url *u) {
  int mode = tls_mode_for(cs->opts, u);
  unsigned port = u->port ? u->port : mode == FTP_TLS_IMPLICIT ? 990 : 21;
  int v6 = strchr(u->host, ':') != NULL;
  int rc = ftp_set_tls_mode(cs->s, mode);
  char *what;
  size_t n;
  if (rc != FTP_OK) return sess_fail(cs, rc, "setting the TLS mode");
  tls_notices(cs->opts, mode);
  rc = ftp_connect(cs->s, u->host, u->port);
  if (rc == FTP_OK) return 0;
  n = strlen(u->host) + 40;
  what = xmalloc(n);
  snprintf(what, n, "connect to %s%s%s port %u", v6 ? "[" : "", u->host, v6 ? "]" : "", port);
  /* With --ssl-reqd a reply error after the greeting is AUTH TLS refused:
   * the TLS requirement failed (exit 6, like a TLS error). */
  if (mode == FTP_TLS_EXPLICIT && is_reply_error(rc) && auth_refused(cs->s)) {
    char *w = xconcat3(what, ": AUTH TLS (required by --ssl-reqd)", NULL);
    (void)sess_fail(cs, rc, w);
    free(w);
    rc = CLI_EXIT_TLS;
  } else {
    rc = sess_fail(cs, rc, what);
  }
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
  cs->tls_mode = tls_mode_for(cs->opts, u);
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
