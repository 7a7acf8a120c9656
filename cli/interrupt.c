/*
 * interrupt.c — a dedicated thread sigwait()s for SIGINT, SIGTERM and
 * SIGHUP (blocked everywhere else) and calls ftp_cancel() on the current
 * session, which the header allows from any thread.  The running call then
 * returns FTP_ECANCELED, so a failed download still reports how many bytes
 * arrived.  A second signal ends the process at once.
 */
#define _POSIX_C_SOURCE 200809L

#include "interrupt.h"

#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ftp_session *current;
static atomic_int pending;
static sigset_t watched;

static void *waiter(void *arg) {
  (void)arg;
  for (;;) {
    int sig = 0;
    if (sigwait(&watched, &sig) != 0) continue;
    if (atomic_load(&pending)) _exit(128 + sig);
    pthread_mutex_lock(&lock);
    atomic_store(&pending, 1);
    if (current != NULL) ftp_cancel(current);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int intr_setup(void) {
  pthread_t tid;
  int rc;
  sigemptyset(&watched);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGHUP);
  rc = pthread_sigmask(SIG_BLOCK, &watched, NULL);
  if (rc != 0) {
    warn_errno(rc, "cannot set up signal handling");
    return -1;
  }
  rc = pthread_create(&tid, NULL, waiter, NULL);
  if (rc == 0) return pthread_detach(tid) == 0 ? 0 : -1; /* cannot fail for a new thread */
  warn_errno(rc, "cannot set up signal handling");
  if (pthread_sigmask(SIG_UNBLOCK, &watched, NULL) != 0) warnx_("cannot unblock signals");
  return -1;
}

void intr_set_session(ftp_session *s) {
  pthread_mutex_lock(&lock);
  current = s;
  if (s != NULL && atomic_load(&pending)) ftp_cancel(s);
  pthread_mutex_unlock(&lock);
}

int intr_pending(void) { return atomic_load(&pending) != 0; }
