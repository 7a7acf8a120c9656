/*
 * rawtcp: the loopback TCP ceiling for the benchmark.  It forks a receiver
 * that discards everything and a sender that writes BYTES in 1 MiB blocks
 * over one 127.0.0.1 connection, and exits when the receiver has all of
 * it.  No FTP: this is the physical limit of the machine's loopback.
 *
 *   rawtcp BYTES
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: rawtcp BYTES\n");
    return 2;
  }
  unsigned long long total = strtoull(argv[1], NULL, 10);
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1) ||
      getsockname(ls, (struct sockaddr *)&a, &alen)) {
    perror("rawtcp: listen");
    return 1;
  }
  pid_t child = fork();
  if (child == 0) {  // sender
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) _exit(1);
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    unsigned long long left = total;
    while (left > 0) {
      size_t n = left < sizeof block ? (size_t)left : sizeof block;
      ssize_t w = write(s, block, n);
      if (w <= 0) _exit(1);
      left -= (unsigned long long)w;
    }
    close(s);
    _exit(0);
  }
  int c = accept(ls, NULL, NULL);
  static char sink[1 << 20];
  unsigned long long got = 0;
  for (;;) {
    ssize_t r = read(c, sink, sizeof sink);
    if (r <= 0) break;
    got += (unsigned long long)r;
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (got != total || status != 0) {
    fprintf(stderr, "rawtcp: received %llu of %llu bytes\n", got, total);
    return 1;
  }
  return 0;
}
