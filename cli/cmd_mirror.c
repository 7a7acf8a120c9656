/*
 * cmd_mirror.c — `ftpkit get -r URL [-O DIR]`: mirror a remote directory
 * tree into a local directory.
 *
 * Each directory is listed with MLSD when the server lists the MLST
 * feature (the "type" fact says file or directory), else with LIST, each
 * line read by ftp_parse_list_line().  Files are downloaded with
 * ftp_retr_fd(); directories are created and descended into, at most
 * MIRROR_MAX_DEPTH levels deep.
 *
 * Names in a listing come from the server and are not trusted: a name
 * that is empty, "." or "..", contains '/', a NUL byte or a control
 * character, or is longer than 255 bytes is refused with a warning (the
 * exit status is then non-zero).  Every local file and directory is opened
 * relative to its parent directory's descriptor (openat/mkdirat) with
 * O_NOFOLLOW, so a symbolic link planted in the target tree is never
 * followed: a name is always one component inside the directory the
 * mirror created or was given.  Symbolic links and special entries on the
 * server are skipped with a note.
 */
#define _POSIX_C_SOURCE 200809L

#include "commands.h"
#include "interrupt.h"
#include "listing.h"
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIRROR_MAX_DEPTH 64           /* directory levels below the root */
#define MIRROR_MAX_ENTRIES (1u << 20) /* entries kept from one listing */

/* One usable entry of a listing. */
struct entry {
  char *name;   /* checked with unsafe_name_reason(): one safe component */
  int kind;     /* KIND_FILE, KIND_DIR, KIND_LINK or KIND_OTHER */
  char *unique; /* MLSD "unique" fact (loop detection), or NULL */
};

struct mirror {
  const struct cli_opts *o;
  struct cli_session *cs;
  int first;    /* exit code of the first failure, 0 so far */
  int stop;     /* connection lost or interrupted: stop descending */
  int use_mlsd; /* the server lists MLST */
  unsigned files, dirs, refused, failed, skipped;
  char *uniq[MIRROR_MAX_DEPTH + 2]; /* "unique" of each directory on the path */
};

/* A directory's listing while it arrives. */
struct dirlist {
  struct mirror *m;
  const char *rpath; /* remote path of the directory, for messages */
  struct entry *v;
  size_t n, cap;
  char *self_unique; /* the cdir entry's "unique" fact */
  int overflow;      /* more than MIRROR_MAX_ENTRIES entries */
};

static void fail(struct mirror *m, int code) {
  if (m->first == 0) m->first = code;
}

/* "<parent>/<name>", or `name` alone when `parent` is "" (the login
 * directory), without doubling a '/' ("/" + "x" is "/x"). */
static char *join(const char *parent, const char *name) {
  size_t len = strlen(parent);
  if (len == 0) return xstrdup(name);
  return xconcat3(parent, parent[len - 1] == '/' ? "" : "/", name);
}

/* The directory as messages name it: "." for the login directory. */
static const char *shown(const char *rpath) { return rpath[0] ? rpath : "."; }

static void refuse(struct dirlist *d, const char *name, size_t len, const char *reason) {
  char *prefix = xconcat3("get -r ", shown(d->rpath), ": refusing listing entry \"");
  char *suffix = xconcat3("\": ", reason, NULL);
  warn_server_text(prefix, name, len, suffix);
  free(prefix);
  free(suffix);
  d->m->refused++;
  fail(d->m, CLI_EXIT_PROTO);
}

/* Keep one entry (already classified) after checking its name.  Returns
 * non-zero to stop the listing (too many entries). */
static int keep(struct dirlist *d, const char *name, size_t len, int kind, const ftp_fact *uniq) {
  const char *why = unsafe_name_reason(name, len);
  struct entry *e;
  if (why != NULL) {
    refuse(d, name, len, why);
    return 0;
  }
  if (d->n == MIRROR_MAX_ENTRIES) {
    d->overflow = 1;
    return 1;
  }
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 64;
    struct entry *v = xmalloc(cap * sizeof *v);
    if (d->n) memcpy(v, d->v, d->n * sizeof *v);
    free(d->v);
    d->v = v;
    d->cap = cap;
  }
  e = &d->v[d->n++];
  e->name = xstrndup(name, len);
  e->kind = kind;
  e->unique = uniq ? xstrndup(uniq->value, uniq->value_len) : NULL;
  return 0;
}

static int on_mlsd(const char *name, size_t len, const ftp_fact *facts, size_t nfacts,
                   void *userdata) {
  struct dirlist *d = userdata;
  const ftp_fact *type = find_fact(facts, nfacts, "type");
  const ftp_fact *uniq = find_fact(facts, nfacts, "unique");
  int kind = mlsd_kind(type);
  if (intr_pending()) return 1;
  if (kind == KIND_SELF) {
    if (fact_is(type, "cdir") && uniq != NULL && d->self_unique == NULL)
      d->self_unique = xstrndup(uniq->value, uniq->value_len);
    return 0;
  }
  return keep(d, name, len, kind, uniq);
}

static int on_list(const char *line, size_t len, void *userdata) {
  struct dirlist *d = userdata;
  ftp_list_entry e;
  int r = ftp_parse_list_line(line, len, &e);
  if (intr_pending()) return 1;
  if (r == 0) return 0; /* "total 42", a blank line */
  if (r != 1) {
    char *prefix = xconcat3("get -r ", shown(d->rpath), ": cannot parse LIST line \"");
    warn_server_text(prefix, line, len, "\"; skipped");
    free(prefix);
    d->m->refused++;
    fail(d->m, CLI_EXIT_PROTO);
    return 0;
  }
  if (e.type == 'd' && ((e.name_len == 1 && e.name[0] == '.') ||
                        (e.name_len == 2 && e.name[0] == '.' && e.name[1] == '.')))
    return 0; /* the "." and ".." of `ls -a`, as MLSD's cdir/pdir */
  return keep(d, e.name, e.name_len, list_kind(&e), NULL);
}

static void dirlist_free(struct dirlist *d) {
  for (size_t i = 0; i < d->n; i++) {
    free(d->v[i].name);
    free(d->v[i].unique);
  }
  free(d->v);
  free(d->self_unique);
}

/* After a failed library call: report it, remember the exit code, and
 * stop everything when the connection is gone or on Ctrl-C. */
static void remote_failure(struct mirror *m, int rc, const char *verb, const char *rpath) {
  char *what = what_str(verb, shown(rpath));
  fail(m, sess_fail(m->cs, rc, what));
  free(what);
  m->failed++;
  if (!ftp_is_connected(m->cs->s) || intr_pending() || rc == FTP_ECANCELED) m->stop = 1;
}

static void local_failure(struct mirror *m, const char *lpath, const char *msg) {
  report(lpath, msg);
  fail(m, CLI_EXIT_LOCAL);
  m->failed++;
}

/* Open `name` in `dirfd` for writing without following a symbolic link
 * and without blocking on a FIFO.  *created says whether this call made
 * it.  The descriptor, or -1 after reporting why. */
static int open_file(struct mirror *m, int dirfd, const char *name, const char *lpath,
                     int *created) {
  int flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  struct stat st;
  int fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, 0666);
  *created = fd >= 0;
  if (fd < 0 && errno == EEXIST) fd = openat(dirfd, name, flags);
  if (fd < 0) {
    local_failure(m, lpath, errno == ELOOP ? "is a symbolic link; not followed" : strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    local_failure(m, lpath, "exists and is not a regular file");
    close(fd);
    return -1;
  }
  flags = fcntl(fd, F_GETFL);
  if (flags != -1) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

/* Download one file into `name` in `dirfd`: as `get` does, the file holds
 * exactly the received bytes afterwards; a failure with nothing received
 * removes a file this call created and leaves an existing one as it was. */
static void fetch_file(struct mirror *m, int dirfd, const char *name, const char *rpath,
                       const char *lpath) {
  int created, rc, local_err = 0, fd = open_file(m, dirfd, name, lpath, &created);
  off_t end;
  if (fd < 0) return;
  rc = ftp_retr_fd(m->cs->s, rpath, 0, fd);
  end = lseek(fd, 0, SEEK_CUR);
  if (rc != FTP_OK && end <= 0) {
    if (created) (void)unlinkat(dirfd, name, 0);
  } else if (end < 0 || ftruncate(fd, end) != 0) {
    local_err = errno;
  }
  if (close(fd) != 0 && local_err == 0) local_err = errno;
  if (rc != FTP_OK)
    remote_failure(m, rc, "get", rpath);
  else if (local_err != 0)
    local_failure(m, lpath, strerror(local_err));
  else
    m->files++;
}

/* Create directory `name` in `dirfd` (an existing one is fine) and open it
 * without following a symbolic link.  The descriptor, or -1. */
static int open_subdir(struct mirror *m, int dirfd, const char *name, const char *lpath) {
  int fd;
  if (mkdirat(dirfd, name, 0777) != 0 && errno != EEXIST) {
    local_failure(m, lpath, strerror(errno));
    return -1;
  }
  fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    local_failure(m, lpath,
                  errno == ELOOP || errno == ENOTDIR ? "is a symbolic link or not a directory; "
                                                       "not followed"
                                                     : strerror(errno));
  return fd;
}

/* 1 if `uniq` is the "unique" fact of a directory on the current path
 * (depth 0..depth): the server lists a directory inside itself. */
static int is_loop(const struct mirror *m, int depth, const char *uniq) {
  if (uniq == NULL) return 0;
  for (int i = 0; i <= depth; i++)
    if (m->uniq[i] != NULL && strcmp(m->uniq[i], uniq) == 0) return 1;
  return 0;
}

static void mirror_dir(struct mirror *m, int dirfd, const char *rpath, const char *lpath,
                       int depth);

static void note(const struct mirror *m, const char *rpath, const char *msg) {
  if (!m->o->quiet) report(rpath, msg);
}

static void mirror_entry(struct mirror *m, int dirfd, const struct entry *e, const char *rpath,
                         const char *lpath, int depth) {
  int fd;
  switch (e->kind) {
    case KIND_FILE: fetch_file(m, dirfd, e->name, rpath, lpath); return;
    case KIND_LINK:
      note(m, rpath, "symbolic link on the server; skipped");
      m->skipped++;
      return;
    case KIND_DIR: break;
    default:
      note(m, rpath, "neither a file nor a directory; skipped");
      m->skipped++;
      return;
  }
  if (depth + 1 > MIRROR_MAX_DEPTH) {
    report(rpath, "more than 64 directory levels deep; not descending");
    m->refused++;
    fail(m, CLI_EXIT_PROTO);
    return;
  }
  if (is_loop(m, depth, e->unique)) {
    report(rpath,
           "the server lists a directory inside itself (same \"unique\" fact); "
           "not descending");
    m->refused++;
    fail(m, CLI_EXIT_PROTO);
    return;
  }
  if ((fd = open_subdir(m, dirfd, e->name, lpath)) < 0) return;
  m->uniq[depth + 1] = e->unique;
  mirror_dir(m, fd, rpath, lpath, depth + 1);
  m->uniq[depth + 1] = NULL;
  close(fd);
}

/* Mirror the remote directory `rpath` ("" is the login directory) into
 * `dirfd` (shown as `lpath` in messages). */
static void mirror_dir(struct mirror *m, int dirfd, const char *rpath, const char *lpath,
                       int depth) {
  struct dirlist d;
  const char *path = rpath[0] ? rpath : NULL;
  int rc;
  memset(&d, 0, sizeof d);
  d.m = m;
  d.rpath = rpath;
  m->dirs++;
  rc = m->use_mlsd ? ftp_mlsd(m->cs->s, path, on_mlsd, &d) : ftp_list(m->cs->s, path, on_list, &d);
  if (d.overflow) {
    report(shown(rpath), "more than 1048576 entries in one listing; not mirrored");
    fail(m, CLI_EXIT_PROTO);
    m->refused++;
    dirlist_free(&d);
    return;
  }
  if (rc != FTP_OK) {
    remote_failure(m, rc, "get -r", rpath);
    dirlist_free(&d);
    return;
  }
  if (depth == 0 && m->uniq[0] == NULL && d.self_unique != NULL) {
    m->uniq[0] = d.self_unique;
    d.self_unique = NULL;
  }
  for (size_t i = 0; i < d.n && !m->stop; i++) {
    char *rchild = join(rpath, d.v[i].name);
    char *lchild = join(lpath, d.v[i].name);
    if (intr_pending()) {
      m->stop = 1;
    } else {
      mirror_entry(m, dirfd, &d.v[i], rchild, lchild, depth);
    }
    free(rchild);
    free(lchild);
  }
  dirlist_free(&d);
}

/* The local root: -O DIR (created if missing), else a directory named
 * after the URL path's last component in the current directory.  Its
 * descriptor, or -1 with *code set. */
static int open_root(const struct cli_opts *o, const char *rpath, const char **lroot, int *code) {
  const char *dir = o->outdir ? o->outdir : path_basename(rpath);
  int fd;
  *code = 0;
  if (o->outdir == NULL && !is_safe_name(dir)) {
    report(shown(rpath),
           "cannot name a local directory after this URL; use -O DIR "
           "(-O . for the current directory)");
    *code = CLI_EXIT_USAGE;
    return -1;
  }
  *lroot = dir;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    report(dir, strerror(errno));
    *code = CLI_EXIT_LOCAL;
    return -1;
  }
  if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    report(dir, strerror(errno));
    *code = CLI_EXIT_LOCAL;
  }
  return fd;
}

int cmd_mirror(const struct cli_opts *o, const struct ftp_url *u) {
  struct cli_session cs;
  struct mirror m;
  char *rpath = url_path_trimmed(u);
  const char *lroot = ".";
  int code, rootfd;
  memset(&m, 0, sizeof m);
  m.o = o;
  m.cs = &cs;
  sess_init(&cs, o);
  rootfd = open_root(o, rpath, &lroot, &code);
  if (rootfd >= 0 && (code = sess_ensure(&cs, u)) == 0) {
    m.use_mlsd = ftp_feature(cs.s, "MLST", NULL);
    mirror_dir(&m, rootfd, rpath, lroot, 0);
    if (intr_pending() && m.first == 0) {
      warnx_("interrupted");
      m.first = CLI_EXIT_ABORTED;
    }
    if (m.refused || m.failed) {
      char msg[200], *what = what_str("get -r", shown(rpath));
      snprintf(msg, sizeof msg,
               "mirror incomplete: %u files, %u directories; %u entries refused, %u failed",
               m.files, m.dirs, m.refused, m.failed);
      report(what, msg);
      free(what);
    }
    code = m.first;
  }
  free(m.uniq[0]);
  if (rootfd >= 0) close(rootfd);
  sess_end(&cs);
  free(rpath);
  return code;
}
