/*
 * ftpkit — an FTP client engine behind a small C API.
 *
 * Conventions of this header (read these first):
 *
 *  - One `ftp_session` is one FTP control connection (RFC 959 §2.3) plus at
 *    most one data connection at a time.  Create it with ftp_new(), free it
 *    with ftp_free().
 *  - Every function that can fail returns `int`: FTP_OK (0) on success or a
 *    negative `ftp_status`.  The enum is append-only; values are never
 *    renumbered or reused.
 *  - Error and reply state lives on the handle, not in thread-local storage:
 *    after every call, ftp_reply_code(), ftp_reply_text() and ftp_errmsg()
 *    describe what happened.  ftp_strerror() names a status.
 *  - Strings returned by this API are owned by the session and stay valid
 *    until the next call on the same session (unless documented otherwise).
 *    The caller never frees them.  Strings passed in are copied as needed;
 *    the caller keeps ownership.
 *  - Paths and names are raw bytes: the core never re-encodes them.  Names
 *    received from the server come with an explicit length and may contain
 *    any byte (including NUL); paths sent to the server are NUL-terminated
 *    and must not contain CR or LF (FTP_EINVAL, nothing is sent).
 *  - Callbacks take `void *userdata` last and return `int`: 0 continues,
 *    any other value stops the operation, which then returns FTP_EABORTED.
 *    Data pointers handed to a callback are valid only during that call.
 *    Callbacks run on the calling thread, inside the call that takes them.
 *  - Timeouts are in milliseconds; sizes and offsets are in bytes.
 *  - Threading: a session must not be used by two threads at once; different
 *    sessions are fully independent; a session may move between threads
 *    between calls.  The one exception is ftp_cancel(), which may be called
 *    from any thread at any time.  The library has no global state.
 *  - When the control connection can no longer be trusted the session closes
 *    it: after FTP_ETIMEOUT, FTP_ECLOSED, FTP_ECANCELED, FTP_ETLS, FTP_ECERT,
 *    FTP_EIO on the control connection, and a malformed reply (FTP_EPROTO).
 *    ftp_is_connected() tells; ftp_connect() starts over.  After a negative
 *    or unexpected reply (FTP_EREPLY, FTP_ETEMP, FTP_EPERM), FTP_EINVAL,
 *    FTP_EABORTED, FTP_EIO on the data connection, or FTP_EPROTO for a
 *    malformed listing line, the session stays connected and usable.
 */
#ifndef FTPKIT_FTP_H
#define FTPKIT_FTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define FTP_EXTERN __attribute__((visibility("default")))
#else
#define FTP_EXTERN
#endif

/* ---------------------------------------------------------------------- */
/* Version                                                                 */
/* ---------------------------------------------------------------------- */

#define FTPKIT_VERSION_MAJOR 0
#define FTPKIT_VERSION_MINOR 1
#define FTPKIT_VERSION_PATCH 0
/** The version as one number: (major << 16) | (minor << 8) | patch. */
#define FTPKIT_VERSION_NUMBER \
  ((FTPKIT_VERSION_MAJOR << 16) | (FTPKIT_VERSION_MINOR << 8) | FTPKIT_VERSION_PATCH)

/**
 * The version of the library actually loaded, as FTPKIT_VERSION_NUMBER
 * encodes it.  Bindings compare it with the range they support.
 */
FTP_EXTERN unsigned ftp_version(void);

/** The loaded library's version as a static string such as "0.1.0". */
FTP_EXTERN const char *ftp_version_string(void);

/* ---------------------------------------------------------------------- */
/* Status codes                                                            */
/* ---------------------------------------------------------------------- */

typedef enum ftp_status {
  FTP_OK = 0,
  /** A complete reply of an unexpected class: 1xx, 2xx or 3xx where another
   *  was required (ftplib's error_reply).  ftp_reply_code() has the code. */
  FTP_EREPLY = -1,
  /** A 4xx reply: transient negative completion (RFC 959 §4.2; ftplib's
   *  error_temp). */
  FTP_ETEMP = -2,
  /** A 5xx reply: permanent negative completion (ftplib's error_perm). */
  FTP_EPERM = -3,
  /** A malformed reply: no 3-digit code 100-599, a line over the limit, a
   *  reply over the total size cap, an unparseable PASV/EPSV/PWD/SIZE reply
   *  (ftplib's error_proto). */
  FTP_EPROTO = -4,
  /** A local or network I/O error on the control or data connection. */
  FTP_EIO = -5,
  /** A deadline passed (connect, reply, data accept, data idle). */
  FTP_ETIMEOUT = -6,
  /** A TLS failure (handshake, record layer, missing close_notify). */
  FTP_ETLS = -7,
  /** The server's certificate failed verification. */
  FTP_ECERT = -8,
  /** The host name could not be resolved. */
  FTP_ERESOLVE = -9,
  /** An invalid argument: NULL where a value is needed, CR/LF in a command
   *  or path, an option out of range.  Nothing was sent. */
  FTP_EINVAL = -10,
  /** Out of memory. */
  FTP_ENOMEM = -11,
  /** The call is not valid in the session's state (not connected, a
   *  transfer is open, no transfer is open). */
  FTP_ESTATE = -12,
  /** A user callback returned non-zero and the operation was stopped. */
  FTP_EABORTED = -13,
  /** ftp_cancel() was called while the operation was running. */
  FTP_ECANCELED = -14,
  /** The server closed the control connection (ftplib's EOFError). */
  FTP_ECLOSED = -15,
  /** An internal error (a bug in ftpkit); the message says more. */
  FTP_EINTERNAL = -16
} ftp_status;

/**
 * A static, human-readable name for a status ("permanent negative reply",
 * "timeout", ...).  Never NULL; unknown values give "unknown status".
 */
FTP_EXTERN const char *ftp_strerror(int status);

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                               */
/* ---------------------------------------------------------------------- */

typedef struct ftp_session ftp_session;

/**
 * Create a session with default options (passive mode, EPSV tried first,
 * PASV host ignored, 30 s timeouts, 8192-byte line limit, 1 MiB reply cap,
 * 64 KiB block size).  Returns NULL only when memory is exhausted.
 * Free it with ftp_free().
 */
FTP_EXTERN ftp_session *ftp_new(void);

/**
 * Close any connection without sending QUIT and free the session.
 * Accepts NULL.  Never fails.  Every string the session returned becomes
 * invalid.
 */
FTP_EXTERN void ftp_free(ftp_session *s);

/* ---------------------------------------------------------------------- */
/* State after each call                                                   */
/* ---------------------------------------------------------------------- */

/**
 * The code of the last complete reply read on this session (100-599), or 0
 * when none was read yet (or the last reply was malformed).
 */
FTP_EXTERN int ftp_reply_code(const ftp_session *s);

/**
 * The full text of the last reply, all lines joined by "\n" with the line
 * ends (CRLF or LF) removed, code included (ftplib's sendcmd() return value,
 * e.g. "250-first\n250 last").  Owned by the session, valid until the next
 * call on it.  If `len` is not NULL it receives the length in bytes (the
 * text may contain NUL bytes).  Never NULL; "" when there is no reply.
 */
FTP_EXTERN const char *ftp_reply_text(const ftp_session *s, size_t *len);

/**
 * One line describing the outcome of the last call ("" after success).
 * Owned by the session, valid until the next call on it.  Never NULL.
 */
FTP_EXTERN const char *ftp_errmsg(const ftp_session *s);

/**
 * Bytes moved over the data connection by the last transfer (or the one in
 * progress), counting what reached the callback or the server.  After a
 * failed download it says how many bytes arrived; after a failed upload how
 * many were written to the data connection (not that the server kept them).
 */
FTP_EXTERN uint64_t ftp_transfer_bytes(const ftp_session *s);

/* ---------------------------------------------------------------------- */
/* Options (typed setters; take effect for the next operation)             */
/* ---------------------------------------------------------------------- */

/** Set the connect, reply and data timeouts at once.  `ms` > 0 (FTP_EINVAL
 *  otherwise). */
FTP_EXTERN int ftp_set_timeout_ms(ftp_session *s, long ms);
/** Deadline for establishing the control connection (all addresses of the
 *  host together) and, in passive mode, each data connection. */
FTP_EXTERN int ftp_set_connect_timeout_ms(ftp_session *s, long ms);
/** Deadline for one complete reply, measured from the moment the command was
 *  sent (or, for the final reply of a transfer, from the end of the data):
 *  a server that drips one byte per second cannot extend it. */
FTP_EXTERN int ftp_set_reply_timeout_ms(ftp_session *s, long ms);
/** Deadline for the server to connect in active mode, and the longest time a
 *  data connection may stay idle (no byte read or written). */
FTP_EXTERN int ftp_set_data_timeout_ms(ftp_session *s, long ms);

/** Passive (non-zero, the default) or active (0) data connections, like
 *  ftplib's set_pasv().  RFC 959 §3.2, RFC 2428. */
FTP_EXTERN int ftp_set_passive(ftp_session *s, int passive);

/** Try EPSV before PASV (non-zero, the default).  When a server refuses
 *  EPSV with 5xx the session falls back to PASV and remembers it.  On an
 *  IPv6 control connection EPSV is always used.  RFC 2428 §3. */
FTP_EXTERN int ftp_set_epsv(ftp_session *s, int use_epsv);

/** Use the host address the server names in a 227 PASV reply (non-zero), or
 *  ignore it and connect to the control connection's peer (0, the default;
 *  ftplib's trust_server_pasv_ipv4_address). */
FTP_EXTERN int ftp_set_trust_pasv_host(ftp_session *s, int trust);

/** Address family for ftp_connect(): 0 any (default), 4 IPv4 only, 6 IPv6
 *  only.  Other values: FTP_EINVAL. */
FTP_EXTERN int ftp_set_address_family(ftp_session *s, int family);

/** Bind the control connection (and active-mode listeners) to this local
 *  numeric address, with `port` 0 for any port (ftplib's source_address).
 *  NULL restores the default.  FTP_EINVAL if `host` is not numeric. */
FTP_EXTERN int ftp_set_source_address(ftp_session *s, const char *host, unsigned port);

/** Longest reply line accepted, in bytes without the line end (default
 *  8192, ftplib's maxline; minimum 64).  A longer line is FTP_EPROTO. */
FTP_EXTERN int ftp_set_maxline(ftp_session *s, size_t bytes);

/** Largest total size of one reply (all lines), in bytes (default 1 MiB).
 *  Bigger replies are FTP_EPROTO; memory stays bounded. */
FTP_EXTERN int ftp_set_max_reply_size(ftp_session *s, size_t bytes);

/** Size of the blocks handed to data callbacks and read from read
 *  callbacks, in bytes (default 65536, 1..64 MiB).  ftplib's blocksize. */
FTP_EXTERN int ftp_set_blocksize(ftp_session *s, size_t bytes);

/**
 * Debug trace callback.  `line` is one message such as "*cmd* 'CWD x'" or
 * "*resp* '250 ok'" (level 1) or "*put*"/"*get*" per line (level 2), as
 * ftplib's set_debuglevel prints them; the arguments of PASS and ACCT are
 * always replaced by "****".  Valid during the call only.
 */
typedef void (*ftp_debug_cb)(const char *line, size_t len, void *userdata);

/** Set the debug level (0 off, 1 commands and replies, 2 every line) and the
 *  callback that receives the trace (NULL: no trace). */
FTP_EXTERN int ftp_set_debug(ftp_session *s, int level, ftp_debug_cb cb, void *userdata);

/* ---------------------------------------------------------------------- */
/* Connection and login (RFC 959 §4.1.1, §5.4)                             */
/* ---------------------------------------------------------------------- */

/**
 * Resolve `host` (a name or a numeric IPv4/IPv6 address), connect the
 * control connection to `port` (0 means 21) and read the greeting (a 120
 * "service ready in nnn minutes" reply is followed by waiting for the 220).
 * The greeting is then available from ftp_getwelcome().  An already open
 * connection is closed first.
 * Errors: FTP_ERESOLVE, FTP_EIO (refused, unreachable), FTP_ETIMEOUT,
 * FTP_ETEMP/FTP_EPERM (421 and other refusals), FTP_EPROTO, FTP_ECLOSED.
 */
FTP_EXTERN int ftp_connect(ftp_session *s, const char *host, unsigned port);

/** The greeting the server sent on connect (full reply text), owned by the
 *  session and valid until the next ftp_connect() or ftp_free(). "" if not
 *  connected yet. */
FTP_EXTERN const char *ftp_getwelcome(const ftp_session *s);

/**
 * Log in with USER, then PASS and ACCT as the server asks (RFC 959 §5.4).
 * `user` NULL or "" logs in as "anonymous"; an anonymous login with `passwd`
 * NULL or "" sends "anonymous@" as ftplib does.  `acct` may be NULL.
 * Then reads FEAT once (see ftp_feature()) and sends "OPTS UTF8 ON" when
 * the server lists UTF8 (errors from those two are ignored).
 * Errors: FTP_EPERM (530 login incorrect), FTP_ETEMP, FTP_EREPLY (a reply
 * neither 2xx nor 3xx), FTP_EINVAL (CR/LF in an argument), connection errors.
 */
FTP_EXTERN int ftp_login(ftp_session *s, const char *user, const char *passwd, const char *acct);

/** Send "QUIT", read the reply and close the connection (RFC 959 §4.1.1).
 *  The connection is closed even when the reply is an error. */
FTP_EXTERN int ftp_quit(ftp_session *s);

/** Close the control connection (and any data connection) without sending
 *  anything.  Never fails; closing a closed session is a no-op. */
FTP_EXTERN void ftp_close(ftp_session *s);

/** Non-zero while the control connection is open. */
FTP_EXTERN int ftp_is_connected(const ftp_session *s);

/**
 * Cancel the call running on `s` from another thread: the call returns
 * FTP_ECANCELED promptly and the session is left closed (ftp_connect() to
 * continue).  If no call is running, nothing happens.  Safe to call from
 * any thread, at any time, while `s` is not being freed.
 */
FTP_EXTERN void ftp_cancel(ftp_session *s);

/* ---------------------------------------------------------------------- */
/* Commands                                                                */
/* ---------------------------------------------------------------------- */

/**
 * Send one command line and read its reply (ftplib's sendcmd).  `cmd` is the
 * command without the line end; CR or LF in it gives FTP_EINVAL and nothing
 * is sent.  A 1xx, 2xx or 3xx reply is FTP_OK; the reply is in
 * ftp_reply_text()/ftp_reply_code().  4xx: FTP_ETEMP; 5xx: FTP_EPERM.
 */
FTP_EXTERN int ftp_sendcmd(ftp_session *s, const char *cmd);

/** As ftp_sendcmd(), but any reply other than 2xx is an error (a 1xx/3xx
 *  reply gives FTP_EREPLY): ftplib's voidcmd. */
FTP_EXTERN int ftp_voidcmd(ftp_session *s, const char *cmd);

/** Send "ACCT account" (RFC 959 §4.1.1); 2xx required. */
FTP_EXTERN int ftp_acct(ftp_session *s, const char *account);

/** Change the working directory: "CDUP" when `path` is "..", else "CWD
 *  path"; a 500 to CDUP is retried as "CWD ..", as ftplib does. 2xx
 *  required. RFC 959 §4.1.1. */
FTP_EXTERN int ftp_cwd(ftp_session *s, const char *path);

/**
 * Print the working directory (PWD, RFC 959 §4.1.3 and Appendix II).  On
 * success `*out` points at the directory name from the 257 reply with the
 * quotes removed and doubled quotes ("") undone, and `*len` (if not NULL)
 * has its length.  Owned by the session, valid until the next call.  A 257
 * reply without a well-formed quoted name is FTP_EPROTO; a name containing
 * CR, LF or NUL is FTP_EPROTO as well.
 */
FTP_EXTERN int ftp_pwd(ftp_session *s, const char **out, size_t *len);

/**
 * Make a directory (MKD).  When `out` is not NULL it receives the path from
 * the 257 reply as ftp_pwd() decodes it, or "" if the server gave none in
 * the expected form (ftplib's parse257 behaviour).  Owned by the session.
 */
FTP_EXTERN int ftp_mkd(ftp_session *s, const char *path, const char **out, size_t *len);

/** Remove a directory (RMD). 2xx required. */
FTP_EXTERN int ftp_rmd(ftp_session *s, const char *path);

/** Delete a file (DELE).  2xx required (ftplib accepts 250 and 200). */
FTP_EXTERN int ftp_delete(ftp_session *s, const char *path);

/** Rename with RNFR (3xx required) then RNTO (2xx required). */
FTP_EXTERN int ftp_rename(ftp_session *s, const char *from, const char *to);

/**
 * The size of a file in bytes (SIZE, RFC 3659 §4), after switching to binary
 * type as ftplib does.  A 213 reply whose value is not a decimal number or
 * does not fit in 63 bits gives FTP_EPROTO.
 */
FTP_EXTERN int ftp_size(ftp_session *s, const char *path, uint64_t *out);

/** Send NOOP (RFC 959 §4.1.3). 2xx required. */
FTP_EXTERN int ftp_noop(ftp_session *s);

/**
 * Abort the transfer in progress (ABOR, RFC 959 §4.1.3), sent as Telnet IP
 * and Synch (the DM byte urgent, out of band) as ftplib does.  During an
 * open pull transfer this also closes the data connection and reads both
 * replies (426 then 226/225).  Without a transfer it just sends ABOR.
 * Replies 225, 226 and 426 count as success.  Afterwards the session is
 * usable.
 */
FTP_EXTERN int ftp_abort(ftp_session *s);

/**
 * Whether the server listed `name` (case-insensitive, e.g. "MLST", "UTF8")
 * in its FEAT reply (RFC 2389), read once after login.  Returns 1 or 0; if
 * `params` is not NULL and the feature exists, it receives the rest of the
 * feature line (e.g. "type*;size*;modify*;"), owned by the session and
 * valid until the next ftp_connect() or ftp_free().
 */
FTP_EXTERN int ftp_feature(const ftp_session *s, const char *name, const char **params);

/* ---------------------------------------------------------------------- */
/* Transfers with callbacks (push)                                         */
/* ---------------------------------------------------------------------- */

/** Receives a block of data (`len` > 0 bytes).  Return 0 to continue. */
typedef int (*ftp_data_cb)(const void *data, size_t len, void *userdata);

/** Receives one line without its CRLF/LF (retrlines, LIST, NLST). */
typedef int (*ftp_line_cb)(const char *line, size_t len, void *userdata);

/**
 * Supplies upload data: write at most `cap` bytes to `buf` and store the
 * count in `*out_len`; store 0 at end of data.  Return 0 on success, or
 * non-zero to abort the upload (which is then not completed: the data
 * connection is closed with ABOR and FTP_EABORTED returned).
 */
typedef int (*ftp_read_cb)(void *buf, size_t cap, size_t *out_len, void *userdata);

/** One MLSD fact (RFC 3659 §7): the name lowercased; both raw bytes. */
typedef struct ftp_fact {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} ftp_fact;

/** Receives one MLSD entry: the name verbatim and its facts. */
typedef int (*ftp_mlsd_cb)(const char *name, size_t name_len, const ftp_fact *facts,
                           size_t nfacts, void *userdata);

/**
 * Download in binary mode (TYPE I, then RETR-style command `cmd`, e.g.
 * "RETR file"), handing blocks of at most `blocksize` bytes (0: the session's
 * block size) to `cb` (ftplib's retrbinary).  `rest` > 0 sends "REST rest"
 * first (RFC 3659 §5) to resume at that byte offset.  Success requires the
 * data to end cleanly and the final reply to be 2xx; otherwise nothing is
 * reported as complete and ftp_transfer_bytes() says how many bytes arrived.
 * Errors: reply errors for the preliminary or final reply, FTP_EIO (data
 * connection failed or closed without the final 226), FTP_ETIMEOUT,
 * FTP_EABORTED (the callback stopped it; ABOR was sent).
 */
FTP_EXTERN int ftp_retrbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                              ftp_data_cb cb, void *userdata);

/** ftp_retrbinary() with "RETR path" and the session's block size. */
FTP_EXTERN int ftp_retr(ftp_session *s, const char *path, uint64_t rest, ftp_data_cb cb,
                        void *userdata);

/**
 * Run `cmd` ("RETR f", "LIST", "NLST", "MLSD", ...) in ASCII mode (TYPE A)
 * and hand each received line to `cb` with CRLF (or a bare LF) stripped
 * (ftplib's retrlines).  A line longer than the line limit is FTP_EPROTO.
 * A last line without a line end is delivered too.
 */
FTP_EXTERN int ftp_retrlines(ftp_session *s, const char *cmd, ftp_line_cb cb, void *userdata);

/**
 * Upload in binary mode (TYPE I, then STOR-style `cmd`, e.g. "STOR file" or
 * "APPE file"), pulling blocks of at most `blocksize` bytes (0: session
 * default) from `cb` until it reports end of data (ftplib's storbinary).
 * `rest` > 0 sends "REST rest" first.  Success requires the data connection
 * to be closed cleanly and the final reply to be 2xx: an upload is never
 * reported complete otherwise.
 */
FTP_EXTERN int ftp_storbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                              ftp_read_cb cb, void *userdata);

/** ftp_storbinary() with "STOR path" and the session's block size. */
FTP_EXTERN int ftp_stor(ftp_session *s, const char *path, uint64_t rest, ftp_read_cb cb,
                        void *userdata);

/**
 * Upload text in ASCII mode (TYPE A, then `cmd`): data from `cb` is sent
 * with every line end (LF or CRLF) as CRLF (ftplib's storlines).
 */
FTP_EXTERN int ftp_storlines(ftp_session *s, const char *cmd, ftp_read_cb cb, void *userdata);

/** NLST (RFC 959 §4.1.3): one name per call of `cb`.  `path` may be NULL. */
FTP_EXTERN int ftp_nlst(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata);

/** LIST (RFC 959 §4.1.3): one raw listing line per call of `cb`.  `path`
 *  may be NULL. */
FTP_EXTERN int ftp_list(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata);

/**
 * MLSD (RFC 3659 §7): each entry parsed into its name and facts.  `path`
 * may be NULL.  An entry line without the "facts; name" form gives
 * FTP_EPROTO (the transfer is aborted).  Entries are streamed: memory does
 * not grow with the listing.
 */
FTP_EXTERN int ftp_mlsd(ftp_session *s, const char *path, ftp_mlsd_cb cb, void *userdata);

/* ---------------------------------------------------------------------- */
/* Transfers as streams (pull)                                             */
/* ---------------------------------------------------------------------- */

/** Transfer types for ftp_transfer_open(). */
#define FTP_TYPE_KEEP 0        /* send no TYPE command */
#define FTP_TYPE_BINARY 'I'    /* TYPE I */
#define FTP_TYPE_ASCII 'A'     /* TYPE A (data passes unconverted) */

/**
 * Open a data connection and start a transfer with `cmd` (ftplib's
 * ntransfercmd): optionally TYPE, then "REST rest" if `rest` > 0, then the
 * command, which must answer 1xx.  On success the transfer is open: call
 * ftp_transfer_read() (downloads) or ftp_transfer_write() (uploads), then
 * ftp_transfer_close().  `*size` (if not NULL) receives the size the 150
 * reply announces, or -1 if it names none.  Other calls on the session
 * give FTP_ESTATE while a transfer is open (except ftp_abort(), ftp_close(),
 * ftp_cancel() and the state getters).
 */
FTP_EXTERN int ftp_transfer_open(ftp_session *s, const char *cmd, int type, uint64_t rest,
                                 int64_t *size);

/**
 * Read up to `cap` bytes of the open transfer into `buf`; `*n` receives the
 * count, 0 at the end of the data.  Reaching the end does not read the
 * final reply: ftp_transfer_close() does.  Errors: FTP_EIO, FTP_ETIMEOUT,
 * FTP_ESTATE (no transfer open).
 */
FTP_EXTERN int ftp_transfer_read(ftp_session *s, void *buf, size_t cap, size_t *n);

/** Write all `len` bytes of `buf` to the open transfer. */
FTP_EXTERN int ftp_transfer_write(ftp_session *s, const void *buf, size_t len);

/**
 * Finish the open transfer: close the data connection (for an upload, this
 * signals end of file) and read the final reply, which must be 2xx.  A
 * download closed before ftp_transfer_read() returned 0 usually gets a 426
 * reply (FTP_ETEMP); call ftp_abort() instead to stop early on purpose.
 * The transfer is closed whatever the outcome.
 */
FTP_EXTERN int ftp_transfer_close(ftp_session *s);

#ifdef __cplusplus
}
#endif

#endif /* FTPKIT_FTP_H */
