/*
 * cmd_get.c — `ftpkit get URL... [-o FILE | -O DIR] [-c]`: download files,
 * one session for all URLs of the same server (`get -r`: cmd_mirror.c).  Data goes straight into
 * the target; -c resumes with REST from the local size.  A failed
 * transfer is never reported as success: the bytes that arrived are
 * printed and the exit code is non-zero.
 *
 * Two paths with the same outcome:
 *  - with the progress bar, ftp_retr() hands blocks to on_block(), which
 *    opens the target at the first byte (so a refused RETR leaves no empty
 *    file behind and does not truncate an existing one);
 *  - without it, into a regular file or standard output, ftp_retr_fd()
 *    moves the data in the kernel (splice(2) on plain connections).  The
 *    target must be open before RETR, so it is opened without truncation
 *    (a new file is created and removed again if nothing arrived) and cut
 *    to the received length afterwards: the file ends up as the callback
 *    path would leave it.
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

struct sink {
  const char *dest; /* local file name, or "-" */
  int to_stdout;
  int fd;           /* -1 until the first block */
  int append;       /* resume: append instead of truncate */
  int err;          /* errno of a local failure, or 0 */
  char *local_msg;  /* or the reason the library gave for one (zero-copy) */
  uint64_t written; /* bytes written by this transfer */
  struct progress pg;
};

static int sink_open(struct sink *k) {
  if (k->to_stdout) {
    k->fd = STDOUT_FILENO;
    return 0;
  }
  k->fd = open(k->dest, O_WRONLY | O_CREAT | (k->append ? O_APPEND : O_TRUNC), 0666);
  if (k->fd < 0) k->err = errno;
  return k->fd < 0 ? -1 : 0;
}

static int sink_close(struct sink *k) {
  int rc = 0;
  if (k->fd >= 0 && !k->to_stdout && close(k->fd) != 0) {
    if (k->err == 0) k->err = errno;
    rc = -1;
  }
  k->fd = -1;
  return rc;
}

static int on_block(const void *data, size_t len, void *userdata) {
  struct sink *k = userdata;
  if (intr_pending()) return 1;
  if (k->fd < 0 && sink_open(k) != 0) return 1;
  if (write_all(k->fd, data, len) != 0) {
    k->err = errno;
    return 1;
  }
  k->written += len;
  progress_add(&k->pg, len);
  return 0;
}

/* Size of an existing local file (0 if missing).  0, or an exit code. */
static int local_size(const char *dest, uint64_t *size) {
  struct stat st;
  *size = 0;
  if (stat(dest, &st) != 0) {
    if (errno == ENOENT) return 0;
    report(dest, strerror(errno));
    return CLI_EXIT_LOCAL;
  }
  if (!S_ISREG(st.st_mode)) {
    report(dest, "not a regular file; cannot resume");
    return CLI_EXIT_LOCAL;
  }
  *size = (uint64_t)st.st_size;
  return 0;
}

/* SIZE, tolerating its failure: -1 when unknown.  If the failure closed
 * the connection, reconnect; *code gets an exit code if that fails. */
static int64_t remote_size(struct cli_session *cs, const struct ftp_url *u, int *code) {
  uint64_t size = 0;
  int rc = ftp_size(cs->s, u->path, &size);
  *code = 0;
  if (rc == FTP_OK && size <= (uint64_t)INT64_MAX) return (int64_t)size;
  if (!ftp_is_connected(cs->s)) *code = sess_ensure(cs, u);
  return -1;
}

/* The local name for `u`: -o, else DIR/basename or basename.  NULL after
 * printing why (a directory URL or a name that would escape the
 * directory). */
static char *dest_for(const struct cli_opts *o, const struct ftp_url *u) {
  const char *base = path_basename(u->path);
  if (o->output != NULL) return xstrdup(o->output);
  if (u->is_dir || !is_safe_name(base)) {
    report(u->path[0] ? u->path : "/", u->is_dir ? "URL names a directory, not a file"
                                                 : "refusing to derive a local file name from it");
    return NULL;
  }
  return o->outdir ? xconcat3(o->outdir, "/", base) : xstrdup(base);
}

/* With -c: decide from the sizes.  -1 to go on, else an exit code. */
static int check_resume(const struct cli_opts *o, const char *dest, uint64_t have, int64_t total) {
  char msg[96];
  if (total < 0 || have < (uint64_t)total) return -1;
  if (have == (uint64_t)total) {
    snprintf(msg, sizeof msg, "already complete (%" PRIu64 " bytes); nothing to do", have);
    if (!o->quiet) report(dest, msg);
    return CLI_EXIT_OK;
  }
  snprintf(msg, sizeof msg,
           "local file (%" PRIu64 " bytes) is larger than the remote one (%" PRId64
           " bytes); not resuming",
           have, total);
  report(dest, msg);
  return CLI_EXIT_LOCAL;
}

static int report_failure(struct cli_session *cs, int rc, struct sink *k, const char *path) {
  uint64_t got = ftp_transfer_bytes(cs->s);
  char *what = what_str("get", path);
  int code;
  int local = k->err != 0 || k->local_msg != NULL;
  if (local) {
    report(k->dest, k->err != 0 ? strerror(k->err) : k->local_msg);
    code = CLI_EXIT_LOCAL;
  } else {
    code = sess_fail(cs, rc, what);
  }
  if (got > 0 || (!local && !is_reply_error(rc))) {
    char msg[160];
    snprintf(msg, sizeof msg, "transfer incomplete: %" PRIu64 " bytes received%s", got,
             k->written > 0 && !k->to_stdout ? "; use -c to resume" : "");
    report(what, msg);
  }
  free(what);
  return code;
}

static int retrieve(struct cli_session *cs, const struct ftp_url *u, struct sink *k,
                    uint64_t rest) {
  int rc = ftp_retr(cs->s, u->path, rest, on_block, k);
  progress_end(&k->pg);
  if (rc == FTP_OK && k->fd < 0 && sink_open(k) != 0) rc = FTP_EABORTED; /* empty file */
  if (sink_close(k) != 0 && rc == FTP_OK) rc = FTP_EABORTED;
  if (rc == FTP_OK) return 0;
  return report_failure(cs, rc, k, u->path);
}

/* ---- zero-copy path: ftp_retr_fd() ------------------------------------ */

/* 1 if the zero-copy path applies: no progress bar, and the target is
 * standard output or a regular file (or does not exist yet). */
static int use_zero_copy(const struct cli_opts *o, const struct sink *k) {
  struct stat st;
  if (progress_wanted(o->quiet, o->debug)) return 0;
  if (k->to_stdout) return 1;
  if (stat(k->dest, &st) != 0) return errno == ENOENT;
  return S_ISREG(st.st_mode);
}

/* Open the target before RETR, without truncating it, positioned at
 * `rest`.  *created says whether this call created the file.  0, or -1
 * with k->err set. */
static int sink_open_early(struct sink *k, uint64_t rest, int *created) {
  *created = 0;
  if (k->to_stdout) {
    k->fd = STDOUT_FILENO;
    return 0;
  }
  k->fd = open(k->dest, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (k->fd >= 0)
    *created = 1;
  else if (errno == EEXIST) /* O_CREAT again: a dangling symlink's target */
    k->fd = open(k->dest, O_WRONLY | O_CREAT, 0666);
  if (k->fd < 0 || (rest > 0 && lseek(k->fd, (off_t)rest, SEEK_SET) < 0)) {
    k->err = errno;
    if (k->fd >= 0) close(k->fd);
    k->fd = -1;
    return -1;
  }
  return 0;
}

/* For FTP_ELOCAL (writing the descriptor failed; the library's message is
 * "writing to the file after N bytes: <reason>"): the reason; otherwise
 * NULL, the failure was elsewhere (the data connection). */
static char *local_failure_reason(const ftp_session *s, int rc) {
  const char *msg = ftp_errmsg(s), *reason;
  if (rc != FTP_ELOCAL) return NULL;
  reason = strstr(msg, " bytes: ");
  return xstrdup(reason ? reason + 8 : msg);
}

/* After ftp_retr_fd(): make the file what the callback path leaves: the
 * received bytes only (cut an old tail), or, when nothing arrived on a
 * failure, no new file and an existing one untouched.  0 or -1 (k->err). */
static int sink_settle(struct sink *k, int ok, uint64_t rest, int created) {
  struct stat st;
  off_t end;
  if (k->to_stdout) return 0;
  if (fstat(k->fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  end = lseek(k->fd, 0, SEEK_CUR);
  if (end < 0) {
    k->err = errno;
    return -1;
  }
  k->written = (uint64_t)end > rest ? (uint64_t)end - rest : 0;
  if (!ok && k->written == 0) {
    if (created) (void)unlink(k->dest);
    return 0;
  }
  if (st.st_size != end && ftruncate(k->fd, end) != 0) {
    k->err = errno;
    return -1;
  }
  return 0;
}

/* The zero-copy download.  The target is already open (sink_open_early). */
static int retrieve_fd(struct cli_session *cs, const struct ftp_url *u, struct sink *k,
                       uint64_t rest, int created) {
  int rc;
  if (intr_pending()) {
    warnx_("interrupted");
    if (created) (void)unlink(k->dest);
    (void)sink_close(k); /* nothing was written */
    return CLI_EXIT_ABORTED;
  }
  rc = ftp_retr_fd(cs->s, u->path, rest, k->fd);
  if (rc != FTP_OK) k->local_msg = local_failure_reason(cs->s, rc);
  if (sink_settle(k, rc == FTP_OK, rest, created) != 0 && rc == FTP_OK) rc = FTP_EABORTED;
  if (sink_close(k) != 0 && rc == FTP_OK) rc = FTP_EABORTED;
  if (rc == FTP_OK) return 0;
  rc = report_failure(cs, rc, k, u->path);
  free(k->local_msg);
  k->local_msg = NULL;
  return rc;
}

/* Everything before RETR: the resume offset and the remote size.  Returns
 * -1 to go on with the transfer, else an exit code (0: nothing to do). */
static int prepare(const struct cli_opts *o, struct cli_session *cs, const struct ftp_url *u,
                   const char *dest, uint64_t *rest, int64_t *total) {
  int code = o->resume ? local_size(dest, rest) : 0;
  if (code == 0) code = sess_ensure(cs, u);
  if (code == 0 && (o->resume || progress_wanted(o->quiet, o->debug)))
    *total = remote_size(cs, u, &code);
  if (code != 0) return code;
  return o->resume ? check_resume(o, dest, *rest, *total) : -1;
}

static int get_one(const struct cli_opts *o, struct cli_session *cs, const struct ftp_url *u) {
  char *dest = dest_for(o, u);
  uint64_t rest = 0;
  int64_t total = -1;
  int code;
  if (dest == NULL) return CLI_EXIT_USAGE;
  code = prepare(o, cs, u, dest, &rest, &total);
  if (code == -1) {
    struct sink k = {0};
    int created = 0;
    k.dest = dest;
    k.to_stdout = o->output != NULL && strcmp(dest, "-") == 0;
    k.fd = -1;
    k.append = rest > 0;
    /* If the target cannot be opened, the callback path runs and fails at
     * the first byte, reporting exactly as it always does. */
    if (use_zero_copy(o, &k) && sink_open_early(&k, rest, &created) == 0) {
      code = retrieve_fd(cs, u, &k, rest, created);
    } else {
      k.err = 0;
      progress_start(&k.pg, progress_wanted(o->quiet, o->debug), total, rest);
      code = retrieve(cs, u, &k, rest);
    }
  }
  free(dest);
  return code;
}

static int check_args(const struct cli_opts *o, int n) {
  struct stat st;
  if (n < 1) {
    warnx_("get needs at least one URL");
    return CLI_EXIT_USAGE;
  }
  if (o->recursive && n != 1) {
    warnx_("get -r takes exactly one URL");
    return CLI_EXIT_USAGE;
  }
  if (o->recursive) return 0; /* -O DIR is created when missing */
  if (o->output != NULL && n > 1) {
    warnx_("-o names one file; use -O DIR with several URLs");
    return CLI_EXIT_USAGE;
  }
  if (o->outdir != NULL && stat(o->outdir, &st) != 0) {
    report(o->outdir, strerror(errno));
    return CLI_EXIT_LOCAL;
  }
  if (o->outdir != NULL && !S_ISDIR(st.st_mode)) {
    report(o->outdir, "not a directory");
    return CLI_EXIT_LOCAL;
  }
  return 0;
}

int cmd_get(const struct cli_opts *o, char **args, int n) {
  struct cli_session cs;
  struct ftp_url *urls;
  int code = check_args(o, n), first = 0;
  if (code != 0) return code;
  if ((urls = parse_urls(args, n)) == NULL) return CLI_EXIT_USAGE;
  if (o->recursive) {
    code = cmd_mirror(o, &urls[0]);
    free_urls(urls, n);
    return code;
  }
  sess_init(&cs, o);
  for (int i = 0; i < n && !intr_pending(); i++) {
    code = get_one(o, &cs, &urls[i]);
    if (first == 0) first = code;
  }
  sess_end(&cs);
  free_urls(urls, n);
  return first;
}
