/*
 * url.c — parse ftp[s]://[user[:password]@]host[:port]/path URLs with
 * liburiparser, including its percent-decoding.  No hand-rolled URL
 * grammar lives here: only the checks an FTP client needs on top.
 */
#define _POSIX_C_SOURCE 200809L

#include "url.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uriparser/Uri.h>

/* Length of a uriparser text range (0 when unset). */
static size_t range_len(const UriTextRangeA *r) {
  if (r->first == NULL || r->afterLast == NULL) return 0;
  return (size_t)(r->afterLast - r->first);
}

/*
 * Percent-decode [s, s+n) into a new string.  Rejects decoded NUL, CR and
 * LF, naming `what` in the message.  Returns NULL after printing why.
 */
static char *decode(const char *s, size_t n, const char *what) {
  char *buf = xstrndup(s, n);
  const char *end = uriUnescapeInPlaceExA(buf, URI_FALSE, URI_BR_DONT_TOUCH);
  size_t len = end ? (size_t)(end - buf) : 0;
  if (end == NULL || strlen(buf) != len) {
    warnx_("URL %s contains a NUL byte (%%00)", what);
    free(buf);
    return NULL;
  }
  if (has_crlf(buf)) {
    warnx_("URL %s contains CR or LF (%%0D/%%0A), which FTP cannot send", what);
    free(buf);
    return NULL;
  }
  return buf;
}

static int parse_port(const UriUriA *uri, unsigned *port) {
  size_t n = range_len(&uri->portText);
  unsigned long v = 0;
  *port = 0;
  if (n == 0) return 0; /* "ftp://h:/x" or no port: default */
  if (n > 5) goto bad;
  for (size_t i = 0; i < n; i++) {
    char c = uri->portText.first[i];
    if (c < '0' || c > '9') goto bad;
    v = v * 10 + (unsigned long)(c - '0');
  }
  if (v == 0 || v > 65535) goto bad;
  *port = (unsigned)v;
  return 0;
bad:
  warnx_("invalid port in URL: %.*s", (int)n, uri->portText.first);
  return -1;
}

static int parse_userinfo(const UriUriA *uri, struct ftp_url *out) {
  size_t n = range_len(&uri->userInfo);
  const char *s = uri->userInfo.first;
  const char *colon;
  if (n == 0) return 0;
  colon = memchr(s, ':', n);
  if (colon == NULL) {
    out->user = decode(s, n, "user name");
    return out->user ? 0 : -1;
  }
  out->user = decode(s, (size_t)(colon - s), "user name");
  if (out->user == NULL) return -1;
  out->password = decode(colon + 1, n - (size_t)(colon - s) - 1, "password");
  return out->password ? 0 : -1;
}

static int parse_host(const UriUriA *uri, struct ftp_url *out) {
  size_t n = range_len(&uri->hostText);
  if (uri->hostData.ipFuture.first != NULL) {
    warnx_("unsupported address literal in URL: [%.*s]", (int)n, uri->hostText.first);
    return -1;
  }
  if (n == 0) {
    warnx_("URL has no host name");
    return -1;
  }
  out->host = decode(uri->hostText.first, n, "host");
  return out->host ? 0 : -1;
}

/* Join the raw path segments with '/', then decode the whole. */
static int parse_path(const UriUriA *uri, struct ftp_url *out) {
  size_t total = 0;
  char *raw, *p;
  const UriPathSegmentA *seg;
  for (seg = uri->pathHead; seg != NULL; seg = seg->next) total += range_len(&seg->text) + 1;
  raw = p = xmalloc(total + 1);
  for (seg = uri->pathHead; seg != NULL; seg = seg->next) {
    size_t n = range_len(&seg->text);
    if (seg != uri->pathHead) *p++ = '/';
    if (n) memcpy(p, seg->text.first, n);
    p += n;
  }
  *p = '\0';
  out->path = decode(raw, strlen(raw), "path");
  free(raw);
  if (out->path == NULL) return -1;
  total = strlen(out->path);
  out->is_dir = total == 0 || out->path[total - 1] == '/';
  return 0;
}

/* ftp:// or ftps:// (implicit TLS); sets out->implicit_tls. */
static int check_scheme(const UriUriA *uri, const char *text, struct ftp_url *out) {
  size_t n = range_len(&uri->scheme);
  if (n == 3 && strncasecmp(uri->scheme.first, "ftp", 3) == 0) return 0;
  if (n == 4 && strncasecmp(uri->scheme.first, "ftps", 4) == 0) {
    out->implicit_tls = 1;
    return 0;
  }
  if (n == 0)
    warnx_("not a URL (expected ftp://host/path): %s", text);
  else
    warnx_("unsupported URL scheme '%.*s' (only ftp:// and ftps:// are supported)", (int)n,
           uri->scheme.first);
  return -1;
}

static int check_rest(const UriUriA *uri) {
  if (uri->query.first != NULL || uri->fragment.first != NULL) {
    warnx_("URL has a query or fragment; write '?' as %%3F and '#' as %%23 in FTP paths");
    return -1;
  }
  return 0;
}

int url_parse(const char *text, struct ftp_url *out) {
  UriUriA uri;
  const char *err_pos = NULL;
  int rc;
  memset(out, 0, sizeof *out);
  if (uriParseSingleUriA(&uri, text, &err_pos) != URI_SUCCESS) {
    warnx_("invalid URL (at offset %ld; percent-encode special characters): %s",
           err_pos ? (long)(err_pos - text) : 0L, text);
    return -1;
  }
  rc = check_scheme(&uri, text, out);
  if (rc == 0) rc = check_rest(&uri);
  if (rc == 0) rc = parse_host(&uri, out);
  if (rc == 0) rc = parse_port(&uri, &out->port);
  if (rc == 0) rc = parse_userinfo(&uri, out);
  if (rc == 0) rc = parse_path(&uri, out);
  uriFreeUriMembersA(&uri);
  if (rc != 0) url_free(out);
  return rc;
}

void url_free(struct ftp_url *u) {
  free(u->host);
  free(u->user);
  if (u->password) memset(u->password, 0, strlen(u->password));
  free(u->password);
  free(u->path);
  memset(u, 0, sizeof *u);
}

char *url_path_trimmed(const struct ftp_url *u) {
  size_t n = strlen(u->path);
  if (n > 1 && u->path[n - 1] == '/') n--;
  return xstrndup(u->path, n);
}

struct ftp_url *parse_urls(char **args, int n) {
  struct ftp_url *urls = xmalloc(sizeof *urls * (size_t)(n > 0 ? n : 1));
  for (int i = 0; i < n; i++) {
    if (url_parse(args[i], &urls[i]) != 0) {
      free_urls(urls, i);
      return NULL;
    }
  }
  return urls;
}

void free_urls(struct ftp_url *urls, int n) {
  for (int i = 0; i < n; i++) url_free(&urls[i]);
  free(urls);
}
