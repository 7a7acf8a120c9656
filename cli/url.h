/*
 * url.h — ftp:// and ftps:// URLs as the ftpkit CLI understands them
 * (parsed with liburiparser).
 */
#ifndef FTPKIT_CLI_URL_H
#define FTPKIT_CLI_URL_H

struct ftp_url {
  char *host;       /* decoded host name or address (IPv6 without brackets) */
  unsigned port;    /* 1-65535, or 0 for the default (21; 990 for ftps) */
  char *user;       /* decoded user name, or NULL when the URL names none */
  char *password;   /* decoded password, or NULL when the URL names none */
  char *path;       /* decoded path after the host: "" for none; relative to
                       the login directory unless it starts with '/' */
  int is_dir;       /* the path is empty or ends with '/' */
  int implicit_tls; /* ftps://: TLS from the first byte (implicit FTPS) */
};

/*
 * Parse `text` into `*out`.  The scheme is ftp:// or ftps:// (implicit
 * FTPS, as in curl).  Like curl: the path after the host is
 * percent-decoded, "ftp://h/a/b" names "a/b" relative to the login
 * directory and "ftp://h//a" or "ftp://h/%2Fa" names "/a".  CR, LF and NUL
 * in any decoded part are rejected.  Returns 0, or -1 after printing why.
 */
int url_parse(const char *text, struct ftp_url *out);

/* Free the strings of `u` (not `u` itself). */
void url_free(struct ftp_url *u);

/* The decoded path with one trailing '/' removed (unless it is just "/"),
 * as a new string. */
char *url_path_trimmed(const struct ftp_url *u);

/* Parse args[0..n-1] into a new array; NULL after printing why when one
 * of them is invalid.  Free with free_urls(). */
struct ftp_url *parse_urls(char **args, int n);
void free_urls(struct ftp_url *urls, int n);

#endif /* FTPKIT_CLI_URL_H */
