/*
 * list — list a directory over FTP with MLSD (RFC 3659), printing each
 * entry's type, size and name; falls back to raw LIST lines when the server
 * does not offer MLST/MLSD.
 *
 * Usage:
 *   FTPKIT_PASSWORD=secret ./list HOST PORT USER [DIRECTORY]
 *
 *   PORT 0 means 21; USER "anonymous" (or "") logs in anonymously; the
 *   password comes from FTPKIT_PASSWORD.  DIRECTORY defaults to the login
 *   directory.
 *
 * Example, against the demo server of scripts/demo:
 *   FTPKIT_PASSWORD=demo build/examples/list 127.0.0.1 2121 demo
 *
 * Build: it is built by Meson as build/examples/list, or by hand with
 *   cc list.c $(pkg-config --cflags --libs ftpkit) -o list
 */
#include <ftpkit/ftp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Find a fact by its (lowercased) name; NULL if the server did not send it. */
static const ftp_fact *find_fact(const ftp_fact *facts, size_t n, const char *name) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (facts[i].name_len == strlen(name) && memcmp(facts[i].name, name, facts[i].name_len) == 0)
      return &facts[i];
  }
  return NULL;
}

/* ftp_mlsd_cb: print "type size name".  Names and values are raw bytes with
 * explicit lengths (not NUL-terminated), valid only during this call. */
static int print_entry(const char *name, size_t name_len, const ftp_fact *facts, size_t nfacts,
                       void *userdata) {
  const ftp_fact *type = find_fact(facts, nfacts, "type");
  const ftp_fact *size = find_fact(facts, nfacts, "size");
  unsigned long *count = (unsigned long *)userdata;
  printf("%-5.*s %12.*s  %.*s\n", type ? (int)type->value_len : 1, type ? type->value : "?",
         size ? (int)size->value_len : 1, size ? size->value : "-", (int)name_len, name);
  ++*count;
  return 0; /* continue */
}

/* ftp_line_cb for the LIST fallback: print the raw line. */
static int print_line(const char *line, size_t len, void *userdata) {
  unsigned long *count = (unsigned long *)userdata;
  printf("%.*s\n", (int)len, line);
  ++*count;
  return 0;
}

static int fail(ftp_session *s, const char *what, int status) {
  fprintf(stderr, "list: %s: %s", what, ftp_strerror(status));
  if (*ftp_errmsg(s)) fprintf(stderr, ": %s", ftp_errmsg(s));
  if (ftp_reply_code(s)) fprintf(stderr, " [server: %s]", ftp_reply_text(s, NULL));
  fputc('\n', stderr);
  ftp_free(s);
  return 1;
}

int main(int argc, char **argv) {
  const char *dir = argc > 4 ? argv[4] : NULL;
  unsigned long count = 0;
  ftp_session *s;
  int rc;

  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: FTPKIT_PASSWORD=... %s HOST PORT USER [DIRECTORY]\n", argv[0]);
    return 2;
  }
  s = ftp_new();
  if (s == NULL) {
    fputs("list: out of memory\n", stderr);
    return 1;
  }
  ftp_set_timeout_ms(s, 15000);

  rc = ftp_connect(s, argv[1], (unsigned)strtoul(argv[2], NULL, 10));
  if (rc != FTP_OK) return fail(s, "connect", rc);
  rc = ftp_login(s, argv[3], getenv("FTPKIT_PASSWORD"), NULL);
  if (rc != FTP_OK) return fail(s, "login", rc);

  /* FEAT was read at login: MLST in it means MLSD is there too. */
  if (ftp_feature(s, "MLST", NULL))
    rc = ftp_mlsd(s, dir, print_entry, &count);
  else
    rc = ftp_list(s, dir, print_line, &count);
  if (rc != FTP_OK) return fail(s, "listing", rc);
  fprintf(stderr, "%lu entries\n", count);

  ftp_quit(s);
  ftp_free(s);
  return 0;
}
