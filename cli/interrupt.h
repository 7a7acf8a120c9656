/*
 * interrupt.h — turn SIGINT, SIGTERM and SIGHUP into ftp_cancel() on the
 * session in use, from a helper thread that waits for those signals.
 */
#ifndef FTPKIT_CLI_INTERRUPT_H
#define FTPKIT_CLI_INTERRUPT_H

#include <ftpkit/ftp.h>

/* Block the signals in every thread and start the waiter.  Call once,
 * before other threads exist.  0, or -1 after printing why. */
int intr_setup(void);

/* Name the session a signal should cancel (NULL: none).  Call with NULL
 * before freeing it. */
void intr_set_session(ftp_session *s);

/* Non-zero once a signal arrived. */
int intr_pending(void);

#endif /* FTPKIT_CLI_INTERRUPT_H */
