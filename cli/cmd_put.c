/*
 * cmd_put.c — `ftpkit put FILE URL`: upload a local file (or "-" for
 * standard input) with STOR.  A URL ending in '/' names a directory: the
 * file keeps its base name there.  With the progress bar the data is read
 * by on_read() (ftp_stor()); without it, a regular file or standard input
 * goes with ftp_stor_fd() (sendfile(2) for regular files on plain
 * connections), from the descriptor's current offset.
 */
#define _POSIX_C_SOURCE 200809L

#include "commands.h"
#include "interrupt.h"
#include "progress.h"
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct source {
  const char *name; /* local file name, or "-" */
  int fd;
  int is_reg;      /* fd is a regular file */
  int err;         /* errno of a read failure, or 0 */
  char *local_msg; /* or the library's reason for one (zero-copy path) */
  struct progress pg;
};

static int on_read(void *buf, size_t cap, size_t *out_len, void *userdata) {
  struct source *src = userdata;
  ssize_t n;
  if (intr_pending()) return 1;
  while ((n = read(src->fd, buf, cap)) < 0 && errno == EINTR) continue;
  if (n < 0) {
    src->err = errno;
    return 1;
  }
  *out_len = (size_t)n;
  progress_add(&src->pg, (uint64_t)n);
  return 0;
}

/* The remote path: the URL's, or its directory plus the file's base name.
 * NULL after printing why. */
static char *remote_path(const struct ftp_url *u, const char *file) {
  const char *base = path_basename(file);
  if (!u->is_dir) return xstrdup(u->path);
  if (strcmp(file, "-") == 0 || !is_safe_name(base)) {
    report(file, "cannot derive a remote file name; give it in the URL");
    return NULL;
  }
  return xconcat3(u->path, base, NULL);
}

/* Open the source; *size gets its size or -1.  0, or an exit code. */
static int open_source(struct source *src, int64_t *size) {
  struct stat st;
  *size = -1;
  src->fd = strcmp(src->name, "-") == 0 ? STDIN_FILENO : open(src->name, O_RDONLY);
  if (src->fd < 0 || fstat(src->fd, &st) != 0) {
    report(src->name, strerror(errno));
    return CLI_EXIT_LOCAL;
  }
  if (S_ISDIR(st.st_mode)) {
    report(src->name, "is a directory");
    return CLI_EXIT_LOCAL;
  }
  src->is_reg = S_ISREG(st.st_mode);
  if (src->is_reg) *size = (int64_t)st.st_size;
  return 0;
}

static int report_failure(struct cli_session *cs, int rc, const struct source *src,
                          const char *path) {
  char *what = what_str("put", path);
  char msg[128];
  int code;
  if (src->err != 0 || src->local_msg != NULL) {
    report(src->name, src->err != 0 ? strerror(src->err) : src->local_msg);
    code = CLI_EXIT_LOCAL;
  } else {
    code = sess_fail(cs, rc, what);
  }
  snprintf(msg, sizeof msg, "upload incomplete: %" PRIu64 " bytes sent", ftp_transfer_bytes(cs->s));
  report(what, msg);
  free(what);
  return code;
}

/* For FTP_ELOCAL (reading the descriptor failed; the library's message is
 * "reading the file after N bytes: <reason>"): the reason; otherwise NULL,
 * the failure was elsewhere. */
static char *local_failure_reason(const ftp_session *s, int rc) {
  const char *msg = ftp_errmsg(s), *reason;
  if (rc != FTP_ELOCAL) return NULL;
  reason = strstr(msg, " bytes: ");
  return xstrdup(reason ? reason + 8 : msg);
}

/* Zero-copy: ftp_stor_fd() from the current offset of a regular file or
 * standard input. */
static int upload_fd(struct cli_session *cs, struct source *src, const char *path) {
  int rc, code;
  if (intr_pending()) {
    warnx_("interrupted");
    return CLI_EXIT_ABORTED;
  }
  rc = ftp_stor_fd(cs->s, path, 0, src->fd);  /* the library holds SIGPIPE back */
  if (rc == FTP_OK) return 0;
  src->local_msg = local_failure_reason(cs->s, rc);
  code = report_failure(cs, rc, src, path);
  free(src->local_msg);
  src->local_msg = NULL;
  return code;
}

static int upload(const struct cli_opts *o, struct cli_session *cs, struct source *src,
                  const char *path, int64_t size) {
  int rc, bar = progress_wanted(o->quiet, o->debug);
  if (!bar && (src->is_reg || strcmp(src->name, "-") == 0)) return upload_fd(cs, src, path);
  progress_start(&src->pg, bar, size, 0);
  rc = ftp_stor(cs->s, path, 0, on_read, src);
  progress_end(&src->pg);
  return rc == FTP_OK ? 0 : report_failure(cs, rc, src, path);
}

static int close_source(struct source *src) {
  if (src->fd < 0 || strcmp(src->name, "-") == 0 || close(src->fd) == 0) return 0;
  report(src->name, strerror(errno));
  return CLI_EXIT_LOCAL;
}

int cmd_put(const struct cli_opts *o, char **args, int n) {
  struct cli_session cs;
  struct source src = {0};
  struct ftp_url *u;
  int64_t size = -1;
  char *path;
  int code, closed;
  if (n != 2) {
    warnx_("put takes a local FILE and a URL");
    return CLI_EXIT_USAGE;
  }
  if ((u = parse_urls(args + 1, 1)) == NULL) return CLI_EXIT_USAGE;
  src.name = args[0];
  src.fd = -1;
  path = remote_path(u, args[0]);
  sess_init(&cs, o);
  code = path ? open_source(&src, &size) : CLI_EXIT_USAGE;
  if (code == 0) code = sess_ensure(&cs, u);
  if (code == 0) code = upload(o, &cs, &src, path, size);
  closed = close_source(&src);
  if (code == 0) code = closed;
  sess_end(&cs);
  free(path);
  free_urls(u, 1);
  return code;
}
