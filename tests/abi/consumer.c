/* A tiny program built the way users build against ftpkit:
 *   cc consumer.c $(pkg-config --cflags --libs ftpkit)
 * Run by tests/abi/pkgconfig_consumer.py against the uninstalled and the
 * installed ftpkit.pc.  It checks that the header and the loaded library
 * agree on the version and that a session can be created and freed. */
#include <ftpkit/ftp.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  char expected[32];
  ftp_session *s;

  printf("ftpkit %s (0x%06x), built against 0x%06x\n", ftp_version_string(), ftp_version(),
         (unsigned)FTPKIT_VERSION_NUMBER);
  if (ftp_version() != FTPKIT_VERSION_NUMBER) {
    fprintf(stderr, "version mismatch: library 0x%06x, header 0x%06x\n", ftp_version(),
            (unsigned)FTPKIT_VERSION_NUMBER);
    return 1;
  }
  snprintf(expected, sizeof expected, "%d.%d.%d", FTPKIT_VERSION_MAJOR, FTPKIT_VERSION_MINOR,
           FTPKIT_VERSION_PATCH);
  if (strcmp(ftp_version_string(), expected) != 0) {
    fprintf(stderr, "version string %s, expected %s\n", ftp_version_string(), expected);
    return 1;
  }
  s = ftp_new();
  if (s == NULL) {
    fprintf(stderr, "ftp_new() returned NULL\n");
    return 1;
  }
  if (ftp_is_connected(s)) {
    fprintf(stderr, "a new session claims to be connected\n");
    return 1;
  }
  ftp_free(s);
  ftp_free(NULL); /* accepted, does nothing */
  puts("consumer OK");
  return 0;
}
