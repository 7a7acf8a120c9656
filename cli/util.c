/*
 * util.c — small helpers of the ftpkit CLI: allocation that exits on
 * failure, messages on stderr, safe printing of server text and local file
 * name checks.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    fputs(CLI_NAME ": out of memory\n", stderr);
    exit(CLI_EXIT_OTHER);
  }
  return p;
}

char *xstrndup(const char *s, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xconcat3(const char *a, const char *b, const char *c) {
  size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
  char *p = xmalloc(la + lb + lc + 1);
  if (la) memcpy(p, a, la);
  if (lb) memcpy(p + la, b, lb);
  if (lc) memcpy(p + la + lb, c, lc);
  p[la + lb + lc] = '\0';
  return p;
}

void print_safe(FILE *f, const char *s, size_t len, int keep_newlines) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7f) {
      fprintf(f, "\\x%02X", c);
    } else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
               (unsigned char)s[i + 1] <= 0x9F) {
      /* U+0080..U+009F in UTF-8: the C1 controls (CSI is U+009B). */
      fprintf(f, "\\xC2\\x%02X", (unsigned char)s[i + 1]);
      i++;
    } else {
      putc(c, f);
    }
  }
}

static void vmessage(const char *fmt, va_list ap) {
  fputs(CLI_NAME ": ", stderr);
  vfprintf(stderr, fmt, ap);
}

void warnx_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void warn_errno(int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(errnum));
}

void report(const char *what, const char *msg) {
  fputs(CLI_NAME ": ", stderr);
  print_safe(stderr, what, strlen(what), 0);
  fputs(": ", stderr);
  print_safe(stderr, msg, strlen(msg), 0);
  fputc('\n', stderr);
}

char *what_str(const char *verb, const char *arg) { return xconcat3(verb, " ", arg); }

const char *path_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int is_safe_name(const char *name) {
  if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
  return strchr(name, '/') == NULL;
}

const char *unsafe_name_reason(const char *name, size_t len) {
  if (len == 0) return "empty name";
  if (len == 1 && name[0] == '.') return "names the directory itself";
  if (len == 2 && name[0] == '.' && name[1] == '.') return "names the parent directory";
  if (memchr(name, '/', len) != NULL) return "contains '/'";
  if (memchr(name, '\0', len) != NULL) return "contains a NUL byte";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c < 0x20 || c == 0x7f) return "contains a control character";
  }
  if (len > 255) return "longer than 255 bytes";
  return NULL;
}

void warn_server_text(const char *prefix, const char *text, size_t len, const char *suffix) {
  fputs(CLI_NAME ": ", stderr);
  fputs(prefix, stderr);
  print_safe(stderr, text, len, 0);
  fputs(suffix, stderr);
  fputc('\n', stderr);
}

int has_crlf(const char *s) { return strpbrk(s, "\r\n") != NULL; }

int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}
