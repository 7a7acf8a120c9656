/*
 * download — fetch one file over FTP with ftpkit's C API.
 *
 * Usage:
 *   FTPKIT_PASSWORD=secret ./download HOST PORT USER REMOTE-PATH LOCAL-FILE
 *
 *   PORT 0 means 21.  USER "anonymous" (or "") logs in anonymously; the
 *   password comes from the FTPKIT_PASSWORD environment variable, never from
 *   the command line (where `ps` would show it).
 *
 * Example, against the demo server of scripts/demo:
 *   FTPKIT_PASSWORD=demo build/examples/download 127.0.0.1 2121 demo \
 *       hello.txt /tmp/hello.txt
 *
 * Build: it is built by Meson as build/examples/download, or by hand with
 *   cc download.c $(pkg-config --cflags --libs ftpkit) -o download
 */
#include <ftpkit/ftp.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ftp_data_cb: append each received block to the FILE * in userdata.
 * Returning non-zero stops the transfer (ftp_retr() then returns
 * FTP_EABORTED). */
static int write_block(const void *data, size_t len, void *userdata) {
  FILE *out = (FILE *)userdata;
  return fwrite(data, 1, len, out) == len ? 0 : 1;
}

/* Print what went wrong: the status name, the session's one-line message
 * and the server's last reply, if any. */
static int fail(ftp_session *s, const char *what, int status) {
  fprintf(stderr, "download: %s: %s", what, ftp_strerror(status));
  if (*ftp_errmsg(s)) fprintf(stderr, ": %s", ftp_errmsg(s));
  if (ftp_reply_code(s)) fprintf(stderr, " [server: %s]", ftp_reply_text(s, NULL));
  fputc('\n', stderr);
  ftp_free(s);
  return 1;
}

int main(int argc, char **argv) {
  const char *password = getenv("FTPKIT_PASSWORD");
  ftp_session *s;
  FILE *out;
  int rc;

  if (argc != 6) {
    fprintf(stderr, "usage: FTPKIT_PASSWORD=... %s HOST PORT USER REMOTE-PATH LOCAL-FILE\n",
            argv[0]);
    return 2;
  }
  s = ftp_new();
  if (s == NULL) {
    fputs("download: out of memory\n", stderr);
    return 1;
  }
  ftp_set_timeout_ms(s, 15000); /* connect, reply and data deadlines */

  rc = ftp_connect(s, argv[1], (unsigned)strtoul(argv[2], NULL, 10));
  if (rc != FTP_OK) return fail(s, "connect", rc);
  rc = ftp_login(s, argv[3], password, NULL);
  if (rc != FTP_OK) return fail(s, "login", rc);

  out = fopen(argv[5], "wb");
  if (out == NULL) {
    fprintf(stderr, "download: %s: %s\n", argv[5], strerror(errno));
    ftp_free(s);
    return 1;
  }
  rc = ftp_retr(s, argv[4], 0 /* no REST offset */, write_block, out);
  if (fclose(out) != 0 && rc == FTP_OK) rc = FTP_EIO;
  if (rc != FTP_OK) {
    remove(argv[5]); /* a failed download is never left looking complete */
    return fail(s, "retr", rc);
  }
  printf("%s -> %s: %" PRIu64 " bytes\n", argv[4], argv[5], ftp_transfer_bytes(s));

  ftp_quit(s); /* polite QUIT; the session is freed either way */
  ftp_free(s);
  return 0;
}
