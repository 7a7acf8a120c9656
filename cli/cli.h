/*
 * cli.h — declarations shared by the files of the `ftpkit` command-line
 * client: the parsed options, the exit codes and small helpers.
 */
#ifndef FTPKIT_CLI_H
#define FTPKIT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Exit codes.  Keep this table, the --help text (main.c) and USAGE.md in
 * sync.
 *
 *   0  success
 *   1  usage error (bad option, bad URL, argument the library rejects)
 *   2  local file error (open, read, write, rename, not a directory)
 *   3  host name could not be resolved          (FTP_ERESOLVE)
 *   4  connection or I/O error, server closed   (FTP_EIO, FTP_ECLOSED)
 *   5  timeout                                  (FTP_ETIMEOUT)
 *   6  TLS or certificate error                 (FTP_ETLS, FTP_ECERT)
 *   7  login failed                             (FTP_EPERM from ftp_login)
 *   8  permanent negative reply, 5xx            (FTP_EPERM)
 *   9  transient negative reply, 4xx            (FTP_ETEMP)
 *  10  protocol error, malformed reply          (FTP_EPROTO; get -r: a
 *      listing entry refused or a LIST line not understood)
 *  11  unexpected reply                         (FTP_EREPLY)
 *  12  aborted or interrupted                   (FTP_EABORTED, FTP_ECANCELED)
 *  13  internal or other error                  (FTP_ENOMEM, FTP_ESTATE,
 *                                                FTP_EINTERNAL, unknown)
 */
enum cli_exit {
  CLI_EXIT_OK = 0,
  CLI_EXIT_USAGE = 1,
  CLI_EXIT_LOCAL = 2,
  CLI_EXIT_RESOLVE = 3,
  CLI_EXIT_IO = 4,
  CLI_EXIT_TIMEOUT = 5,
  CLI_EXIT_TLS = 6,
  CLI_EXIT_LOGIN = 7,
  CLI_EXIT_PERM = 8,
  CLI_EXIT_TEMP = 9,
  CLI_EXIT_PROTO = 10,
  CLI_EXIT_REPLY = 11,
  CLI_EXIT_ABORTED = 12,
  CLI_EXIT_OTHER = 13
};

/* Options from the command line (main.c fills it in). */
struct cli_opts {
  int debug;            /* 0 off, 1 commands and replies, 2 every line */
  int active;           /* --active: PORT/EPRT instead of PASV/EPSV */
  int no_epsv;          /* --no-epsv */
  int family;           /* 0 any, 4 or 6 (-4/-6) */
  long timeout_ms;      /* --timeout, 0 for the library default */
  int quiet;            /* -q: no progress bar, no notices */
  const char *user_opt; /* --user USER[:PASS] or NULL */
  const char *output;   /* get -o FILE ("-" is stdout) or NULL */
  const char *outdir;   /* get -O DIR or NULL */
  int resume;           /* get -c */
  int nlst;             /* ls --nlst */
  int raw;              /* ls --raw: LIST lines as they come */
  int recursive;        /* get -r: mirror a directory tree */
  /* FTPS (see session.c for how they map onto the library) */
  int ssl_reqd;       /* --ssl-reqd: explicit TLS (AUTH TLS) for ftp:// */
  int insecure;       /* -k: no certificate or host name verification */
  const char *cacert; /* --cacert FILE or NULL */
  const char *capath; /* --capath DIR or NULL */
  const char *cert;   /* --cert FILE (client certificate) or NULL */
  const char *key;    /* --key FILE (its private key) or NULL */
  int tls_min;        /* FTP_TLS_VERSION_* (--tlsv1.2/--tlsv1.3), 0 default */
  int tls_max;        /* FTP_TLS_VERSION_* (--tls-max), 0 default */
};

/* Program name used as the prefix of every message. */
#define CLI_NAME "ftpkit"

/* Memory helpers: print a message and exit 13 when memory runs out. */
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Concatenate a, b and c (any may be NULL) into a new string. */
char *xconcat3(const char *a, const char *b, const char *c);

/* Write `len` bytes to `f`, replacing control bytes (and, unless
 * `keep_newlines`, newlines) by \xHH so that server-supplied text cannot
 * drive the terminal.  Bytes >= 0x80 pass unchanged (UTF-8), except the
 * UTF-8 encodings of the C1 controls U+0080..U+009F (\xC2\xHH). */
void print_safe(FILE *f, const char *s, size_t len, int keep_newlines);

/* "ftpkit: " + formatted message + "\n" on stderr. */
void warnx_(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Like warnx_(), followed by ": " and strerror(errnum). */
void warn_errno(int errnum, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "ftpkit: <what>: <msg>" on stderr, both printed with print_safe(). */
void report(const char *what, const char *msg);

/* "<verb> <arg>" as a new string, for report() and sess_fail(). */
char *what_str(const char *verb, const char *arg);

/* The last component of a path (after the last '/'); may be "". */
const char *path_basename(const char *path);

/* 1 if `name` is usable as a local file name derived from remote data:
 * not empty, not "." or "..", no '/'.  Otherwise 0. */
int is_safe_name(const char *name);

/* Why `name` (`len` bytes, from a server's listing) must not become a
 * local file name: NULL if it may, else a short reason ("empty name",
 * "names the parent directory", "contains '/'", a NUL byte, a control
 * character, more than 255 bytes). */
const char *unsafe_name_reason(const char *name, size_t len);

/* "ftpkit: " + prefix + `text` (server data, printed with print_safe())
 * + suffix + "\n" on stderr. */
void warn_server_text(const char *prefix, const char *text, size_t len, const char *suffix);

/* 1 if `s` contains CR or LF. */
int has_crlf(const char *s);

/* Write all of `buf` to `fd`, retrying on EINTR.  0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);

#endif /* FTPKIT_CLI_H */
