/*
 * netrc.c — a small .netrc reader for the ftpkit CLI.  The whole file is
 * read into one heap buffer (at most NETRC_MAX_BYTES) and split into
 * tokens in place: a token is a run of non-blank bytes or a "quoted string"
 * with backslash escapes; '#' at the start of a token comments out the rest
 * of the line; "macdef NAME" skips lines up to the next empty line.  No
 * fixed-size buffers: every write stays behind the read position.
 */
#define _POSIX_C_SOURCE 200809L

#include "netrc.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define NETRC_MAX_BYTES (1024 * 1024)

struct lexer {
  char *p;       /* read position */
  char *end;     /* end of the data (*end is a NUL) */
  char last_sep; /* the blank that ended the last plain token, or 0 */
  int error;     /* unterminated quote */
};

struct entry {
  int active; /* a machine/default token started it */
  int is_default;
  const char *machine, *login, *password, *account;
};

/* $NETRC, else $HOME/.netrc, else the passwd entry's home; NULL if none. */
static char *netrc_path(void) {
  const char *env = getenv("NETRC");
  const char *home = getenv("HOME");
  if (env != NULL && env[0] != '\0') return xstrdup(env);
  if (home == NULL || home[0] == '\0') {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : NULL;
  }
  return home ? xconcat3(home, "/", ".netrc") : NULL;
}

/* Read up to NETRC_MAX_BYTES of `fd` into a NUL-terminated buffer. */
static char *read_fd(int fd, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap + 1);
  for (;;) {
    ssize_t r;
    if (n == cap) {
      char *bigger = NULL;
      if (cap < NETRC_MAX_BYTES) bigger = realloc(buf, 2 * cap + 1);
      if (bigger == NULL) {
        free(buf);
        errno = cap < NETRC_MAX_BYTES ? ENOMEM : EFBIG;
        return NULL;
      }
      buf = bigger;
      cap *= 2;
    }
    r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      free(buf);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The file's contents, or NULL: *missing is set when it does not exist. */
static char *read_netrc(const char *path, size_t *len, int *missing) {
  int fd = open(path, O_RDONLY);
  char *buf;
  *missing = 0;
  if (fd < 0) {
    if (errno == ENOENT)
      *missing = 1;
    else
      warn_errno(errno, "cannot read netrc file %s", path);
    return NULL;
  }
  buf = read_fd(fd, len);
  if (buf == NULL) warn_errno(errno, "cannot read netrc file %s", path);
  close(fd);
  return buf;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_line(struct lexer *lx) {
  while (lx->p < lx->end && *lx->p != '\n') lx->p++;
  if (lx->p < lx->end) lx->p++;
}

static void skip_blanks_and_comments(struct lexer *lx) {
  while (lx->p < lx->end) {
    if (is_blank(*lx->p))
      lx->p++;
    else if (*lx->p == '#')
      skip_line(lx);
    else
      break;
  }
}

/* A "quoted token": unescaped in place (the output never passes the input). */
static char *quoted_token(struct lexer *lx) {
  char *start = lx->p, *out = lx->p;
  lx->p++; /* the opening quote */
  while (lx->p < lx->end && *lx->p != '"') {
    if (*lx->p == '\\' && lx->p + 1 < lx->end) lx->p++;
    *out++ = *lx->p++;
  }
  if (lx->p >= lx->end) {
    lx->error = 1;
    return NULL;
  }
  lx->p++; /* the closing quote */
  *out = '\0';
  lx->last_sep = 0;
  return start;
}

/* The next token as a NUL-terminated string inside the buffer, or NULL. */
static char *next_token(struct lexer *lx) {
  char *start;
  skip_blanks_and_comments(lx);
  if (lx->p >= lx->end) return NULL;
  if (*lx->p == '"') return quoted_token(lx);
  start = lx->p;
  while (lx->p < lx->end && !is_blank(*lx->p)) lx->p++;
  lx->last_sep = 0;
  if (lx->p < lx->end) {
    lx->last_sep = *lx->p;
    *lx->p++ = '\0';
  }
  return start;
}

/* Skip a macro body: the lines after "macdef NAME" up to an empty line. */
static void skip_macdef(struct lexer *lx) {
  if (lx->last_sep != '\n') skip_line(lx);
  while (lx->p < lx->end) {
    int empty = *lx->p == '\n' || (*lx->p == '\r' && lx->p + 1 < lx->end && lx->p[1] == '\n');
    skip_line(lx);
    if (empty) return;
  }
}

static int entry_matches(const struct entry *e, const char *host, const char *login) {
  if (!e->active || e->login == NULL) return 0;
  if (login != NULL && strcmp(e->login, login) != 0) return 0;
  return e->is_default || strcasecmp(e->machine, host) == 0;
}

/* Handle the value token after login/password/account. 0 or -1. */
static int set_field(struct lexer *lx, struct entry *cur, const char *key) {
  const char *val = next_token(lx);
  if (val == NULL) return -1;
  if (!cur->active) return 0; /* outside any machine: ignored */
  if (strcmp(key, "login") == 0)
    cur->login = val;
  else if (strcmp(key, "password") == 0)
    cur->password = val;
  else
    cur->account = val;
  return 0;
}

/* Start a new entry at a machine/default token.  0 or -1. */
static int start_entry(struct lexer *lx, struct entry *cur, const char *tok) {
  memset(cur, 0, sizeof *cur);
  cur->active = 1;
  if (strcmp(tok, "default") == 0) {
    cur->is_default = 1;
    return 0;
  }
  cur->machine = next_token(lx);
  return cur->machine ? 0 : -1;
}

/*
 * Scan all tokens.  On return `*found` is the matching machine entry (its
 * `active` set) or the first matching default entry.  0, or -1 on a syntax
 * error.
 */
static int scan(struct lexer *lx, const char *host, const char *login, struct entry *found) {
  struct entry cur = {0}, def = {0};
  const char *tok;
  memset(found, 0, sizeof *found);
  while ((tok = next_token(lx)) != NULL) {
    int rc = 0;
    if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
      if (entry_matches(&cur, host, login) && !cur.is_default) break;
      if (entry_matches(&cur, host, login) && !def.active) def = cur;
      rc = start_entry(lx, &cur, tok);
    } else if (!strcmp(tok, "login") || !strcmp(tok, "password") || !strcmp(tok, "account")) {
      rc = set_field(lx, &cur, tok);
    } else if (strcmp(tok, "macdef") == 0) {
      rc = next_token(lx) ? 0 : -1;
      skip_macdef(lx);
    }
    if (rc != 0 || lx->error) return -1;
  }
  if (lx->error) return -1;
  if (entry_matches(&cur, host, login) && !cur.is_default)
    *found = cur;
  else if (entry_matches(&cur, host, login) && !def.active)
    *found = cur;
  else
    *found = def;
  return 0;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

int netrc_lookup(const char *host, const char *login, struct netrc_entry *out) {
  char *path = netrc_path(), *buf;
  size_t len = 0;
  int missing = 0, rc;
  struct lexer lx;
  struct entry found;
  memset(out, 0, sizeof *out);
  if (path == NULL) return 0;
  buf = read_netrc(path, &len, &missing);
  if (buf == NULL) {
    free(path);
    return missing ? 0 : -1;
  }
  lx.p = buf;
  lx.end = buf + len;
  lx.last_sep = 0;
  lx.error = 0;
  rc = scan(&lx, host, login, &found);
  if (rc != 0) warnx_("syntax error in netrc file %s; ignoring it", path);
  if (rc == 0 && found.active) {
    out->login = dup_or_null(found.login);
    out->password = dup_or_null(found.password);
    out->account = dup_or_null(found.account);
    rc = 1;
  }
  memset(buf, 0, len);
  free(buf);
  free(path);
  return rc;
}

void netrc_entry_free(struct netrc_entry *e) {
  free(e->login);
  free(e->password);
  free(e->account);
  memset(e, 0, sizeof *e);
}
