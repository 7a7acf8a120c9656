/*
 * ftpkit_bench: the "small C program on the C API" of the benchmark
 * (bench/run.py starts it as a whole process, like every other client).
 *
 *   ftpkit_bench HOST PORT USER PASS MODE ARGS...
 *     retr-cb  PATH OUT      RETR through the data callback, written to OUT
 *     retr-fd  PATH OUT      RETR with ftp_retr_fd (splice on plain FTP)
 *     stor-fd  PATH IN       STOR with ftp_stor_fd (sendfile on plain FTP)
 *     stor-cb  PATH IN       STOR through the read callback
 *     noop     N             N NOOP round trips on one session
 *     small    DIR N OUTDIR  RETR DIR/f0..f(N-1) on one session into OUTDIR
 *     pool     DIR N OUTDIR P  the same with ftp_retr_files over P sessions
 *     mlsd     PATH          MLSD, counting entries
 *     concurrent PATH N OUT  N threads, each its own session (connect, login,
 *                            RETR PATH through the data callback into OUT,
 *                            opened by each, QUIT); the result line gives
 *                            the bytes and the open file descriptors before
 *                            and after; fails if any transfer failed or a
 *                            descriptor leaked
 *   Options (environment): FTPKIT_BENCH_TLS=explicit|implicit,
 *   FTPKIT_BENCH_CA=FILE, FTPKIT_BENCH_BLOCK=bytes.
 * Exit status 0 only when every operation succeeded; the result line on
 * stderr says what moved.
 */
#include <ftpkit/ftp.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(ftp_session *s, const char *what, int rc) {
  fprintf(stderr, "ftpkit_bench: %s: %s (%s)\n", what, ftp_strerror(rc), ftp_errmsg(s));
  return 1;
}

static int write_cb(const void *data, size_t len, void *userdata) {
  const char *p = data;
  int fd = *(int *)userdata;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) return 1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

static int read_cb(void *buf, size_t cap, size_t *out_len, void *userdata) {
  ssize_t r = read(*(int *)userdata, buf, cap);
  if (r < 0) return 1;
  *out_len = (size_t)r;
  return 0;
}

static int count_cb(const char *name, size_t name_len, const ftp_fact *facts, size_t nfacts,
                    void *userdata) {
  (void)name, (void)name_len, (void)facts, (void)nfacts;
  ++*(unsigned long *)userdata;
  return 0;
}

/* The options from the environment (see the top comment). */
static void configure(ftp_session *s) {
  const char *tls = getenv("FTPKIT_BENCH_TLS");
  if (tls && strcmp(tls, "explicit") == 0) ftp_set_tls_mode(s, FTP_TLS_EXPLICIT);
  if (tls && strcmp(tls, "implicit") == 0) ftp_set_tls_mode(s, FTP_TLS_IMPLICIT);
  if (getenv("FTPKIT_BENCH_CA")) ftp_set_tls_ca(s, getenv("FTPKIT_BENCH_CA"), NULL);
  if (getenv("FTPKIT_BENCH_BLOCK")) ftp_set_blocksize(s, strtoul(getenv("FTPKIT_BENCH_BLOCK"), NULL, 10));
}

/* Entries of /proc/self/fd, minus the one opendir uses; -1 if unreadable. */
static long open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;
}

struct job {
  char **argv; /* HOST PORT USER PASS as in main's argv[1..4] */
  const char *path, *out;
  uint64_t bytes;
  int failed;
};

/* One session of the concurrent mode: its own handle from start to end. */
static void *concurrent_one(void *arg) {
  struct job *j = arg;
  j->failed = 1;
  ftp_session *s = ftp_new();
  if (!s) return NULL;
  configure(s);
  int fd = open(j->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = fd < 0 ? FTP_ELOCAL : ftp_connect(s, j->argv[1], (unsigned)atoi(j->argv[2]));
  if (!rc) rc = ftp_login(s, j->argv[3], j->argv[4], NULL);
  if (!rc) rc = ftp_retr(s, j->path, 0, write_cb, &fd);
  if (!rc) j->bytes = ftp_transfer_bytes(s);
  if (!rc) rc = ftp_quit(s);
  if (rc) fprintf(stderr, "ftpkit_bench: concurrent: %s (%s)\n", ftp_strerror(rc), ftp_errmsg(s));
  else j->failed = 0;
  if (fd >= 0) close(fd);
  ftp_free(s);
  return NULL;
}

static int concurrent(char **argv, const char *path, long n, const char *out) {
  if (n < 1) return 2;
  long before = open_fds();
  struct job *jobs = calloc((size_t)n, sizeof *jobs);
  pthread_t *threads = calloc((size_t)n, sizeof *threads);
  if (!jobs || !threads) return 1;
  long started = 0;
  for (long i = 0; i < n; ++i) {
    jobs[i] = (struct job){argv, path, out, 0, 1};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024); /* 100 threads: keep the address space small */
    int err = pthread_create(&threads[i], &attr, concurrent_one, &jobs[i]);
    pthread_attr_destroy(&attr);
    if (err) {
      fprintf(stderr, "ftpkit_bench: pthread_create: %s\n", strerror(err));
      break;
    }
    ++started;
  }
  for (long i = 0; i < started; ++i) pthread_join(threads[i], NULL);
  long after = open_fds();
  long failed = n - started;
  uint64_t total = 0;
  for (long i = 0; i < started; ++i) {
    failed += jobs[i].failed;
    total += jobs[i].bytes;
  }
  free(jobs);
  free(threads);
  fprintf(stderr, "concurrent: %ld sessions, %ld failed, %" PRIu64 " bytes, fds before %ld after %ld\n",
          n, failed, total, before, after);
  if (after > before) fprintf(stderr, "ftpkit_bench: descriptor leak\n");
  return failed || after > before ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: ftpkit_bench HOST PORT USER PASS MODE ARGS...\n");
    return 2;
  }
  const char *mode = argv[5];
  if (strcmp(mode, "concurrent") == 0) {
    if (argc < 9) return 2;
    return concurrent(argv, argv[6], atol(argv[7]), argv[8]);
  }
  ftp_session *s = ftp_new();
  if (!s) return 1;
  configure(s);
  int rc = ftp_connect(s, argv[1], (unsigned)atoi(argv[2]));
  if (rc) return fail(s, "connect", rc);
  rc = ftp_login(s, argv[3], argv[4], NULL);
  if (rc) return fail(s, "login", rc);

  if (strncmp(mode, "retr-", 5) == 0 || strncmp(mode, "stor-", 5) == 0) {
    const int upload = mode[0] == 's';
    int fd = upload ? open(argv[7], O_RDONLY) : open(argv[7], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      perror(argv[7]);
      return 1;
    }
    if (strcmp(mode, "retr-cb") == 0) rc = ftp_retr(s, argv[6], 0, write_cb, &fd);
    else if (strcmp(mode, "retr-fd") == 0) rc = ftp_retr_fd(s, argv[6], 0, fd);
    else if (strcmp(mode, "stor-cb") == 0) rc = ftp_stor(s, argv[6], 0, read_cb, &fd);
    else rc = ftp_stor_fd(s, argv[6], 0, fd);
    close(fd);
    if (rc) return fail(s, mode, rc);
    fprintf(stderr, "%s: %" PRIu64 " bytes\n", mode, ftp_transfer_bytes(s));
  } else if (strcmp(mode, "noop") == 0) {
    long n = atol(argv[6]);
    for (long i = 0; i < n; ++i)
      if ((rc = ftp_noop(s))) return fail(s, "noop", rc);
    fprintf(stderr, "noop: %ld\n", n);
  } else if (strcmp(mode, "small") == 0 && argc >= 9) {
    long n = atol(argv[7]);
    char path[4096], out[4096];
    for (long i = 0; i < n; ++i) {
      snprintf(path, sizeof path, "%s/f%ld", argv[6], i);
      snprintf(out, sizeof out, "%s/f%ld", argv[8], i);
      int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) {
        perror(out);
        return 1;
      }
      rc = ftp_retr_fd(s, path, 0, fd);
      close(fd);
      if (rc) return fail(s, path, rc);
    }
    fprintf(stderr, "small: %ld files\n", n);
  } else if (strcmp(mode, "pool") == 0 && argc >= 10) {
    long n = atol(argv[7]);
    ftp_file_item *items = calloc((size_t)n, sizeof *items);
    char **paths = calloc((size_t)n, sizeof *paths);
    if (!items || !paths) return 1;
    for (long i = 0; i < n; ++i) {
      char out[4096];
      size_t len = strlen(argv[6]) + 32;
      paths[i] = malloc(len);
      if (!paths[i]) return 1;
      snprintf(paths[i], len, "%s/f%ld", argv[6], i);
      snprintf(out, sizeof out, "%s/f%ld", argv[8], i);
      items[i].path = paths[i];
      items[i].fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (items[i].fd < 0) {
        perror(out);
        return 1;
      }
    }
    rc = ftp_retr_files(s, items, (size_t)n, (unsigned)atoi(argv[9]));
    for (long i = 0; i < n; ++i) {
      close(items[i].fd);
      free(paths[i]);
    }
    free(items);
    free(paths);
    if (rc) return fail(s, "pool", rc);
    fprintf(stderr, "pool: %ld files\n", n);
  } else if (strcmp(mode, "mlsd") == 0) {
    unsigned long entries = 0;
    if ((rc = ftp_mlsd(s, argv[6], count_cb, &entries))) return fail(s, "mlsd", rc);
    fprintf(stderr, "mlsd: %lu entries\n", entries);
  } else {
    fprintf(stderr, "ftpkit_bench: unknown mode %s\n", mode);
    return 2;
  }
  ftp_quit(s);
  ftp_free(s);
  return 0;
}
