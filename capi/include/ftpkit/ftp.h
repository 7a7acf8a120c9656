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
 *    it: after FTP_ETIMEOUT, FTP_ECLOSED, FTP_ECANCELED, FTP_ETLS or
 *    FTP_ECERT on the control connection, FTP_EIO on the control
 *    connection, a malformed reply line (FTP_EPROTO: bad code, over-long
 *    line or reply, unsolicited reply before a command), and an unsolicited
 *    421 (FTP_ETEMP: the server is closing).  ftp_is_connected() tells;
 *    ftp_connect() starts over.  After a negative or unexpected reply
 *    (FTP_EREPLY, FTP_ETEMP, FTP_EPERM), FTP_EINVAL, FTP_EABORTED,
 *    FTP_ELOCAL, an error on the data connection (FTP_EIO, FTP_ETLS), or
 *    FTP_EPROTO for a well-formed reply whose content cannot be used (a 257
 *    without a quoted name, a 213 that is not a number, an unparseable
 *    227/229) or a malformed listing line, the session stays usable.
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
  FTP_EINTERNAL = -16,
  /** Reading or writing the caller's file descriptor failed (ftp_retr_fd,
   *  ftp_stor_fd); the transfer was aborted with ABOR and the session stays
   *  usable.  The message has the system's reason. */
  FTP_ELOCAL = -17
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
 * control connection to `port` (0 means 21, or 990 in FTP_TLS_IMPLICIT
 * mode) and read the greeting (a 120 "service ready in nnn minutes" reply
 * is followed by waiting for the 220).  With TLS (see ftp_set_tls_mode())
 * the control connection is secured here, before anything else is sent.
 * The greeting is then available from ftp_getwelcome().  An already open
 * connection is closed first.
 * Errors: FTP_ERESOLVE, FTP_EIO (refused, unreachable), FTP_ETIMEOUT,
 * FTP_ETEMP/FTP_EPERM (421 and other refusals, AUTH TLS refused),
 * FTP_EPROTO, FTP_ECLOSED, FTP_ETLS, FTP_ECERT.
 */
FTP_EXTERN int ftp_connect(ftp_session *s, const char *host, unsigned port);

/** The greeting the server sent on connect (full reply text), owned by the
 *  session and valid until the next ftp_connect() or ftp_free(); "" before
 *  any greeting arrived.  It is kept when ftp_connect() fails after the
 *  greeting (e.g. AUTH TLS refused), and when the session is closed. */
FTP_EXTERN const char *ftp_getwelcome(const ftp_session *s);

/**
 * Log in with USER, then PASS and ACCT as the server asks (RFC 959 §5.4).
 * `user` NULL or "" logs in as "anonymous"; an anonymous login with `passwd`
 * NULL or "" sends "anonymous@" as ftplib does.  `acct` may be NULL.
 * Then reads FEAT once (see ftp_feature()) and sends "OPTS UTF8 ON" when
 * the server lists UTF8 (errors from those two are ignored).  In the TLS
 * modes it then sends "PBSZ 0" and "PROT P" (see ftp_prot_p()); their
 * failure is the call's failure, so data is never silently left clear.
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
/* FTPS: TLS on the control and data connections (RFC 4217)                */
/* ---------------------------------------------------------------------- */

/** TLS modes for ftp_set_tls_mode(). */
typedef enum ftp_tls_mode {
  /** Plain FTP (the default).  ftp_auth() can still secure the session. */
  FTP_TLS_NONE = 0,
  /** Explicit FTPS (RFC 4217 §4): ftp_connect() sends "AUTH TLS" right after
   *  the greeting and fails (closing the connection) if the server refuses
   *  or the handshake fails, so nothing, the password least of all, is ever
   *  sent in clear.  After login, "PBSZ 0" and "PROT P" protect the data
   *  connections too (unlike ftplib, whose data stays clear until prot_p()). */
  FTP_TLS_EXPLICIT = 1,
  /** Implicit FTPS: TLS from the first byte (port 990 by default), then the
   *  same "PBSZ 0"/"PROT P" after login. */
  FTP_TLS_IMPLICIT = 2
} ftp_tls_mode;

/** TLS protocol versions for ftp_set_tls_versions(). */
#define FTP_TLS_VERSION_1_2 0x0303
#define FTP_TLS_VERSION_1_3 0x0304

/** Choose the TLS mode for the next ftp_connect().  FTP_EINVAL for an
 *  unknown mode. */
FTP_EXTERN int ftp_set_tls_mode(ftp_session *s, int mode);

/**
 * Turn certificate and host name verification OFF (`insecure` non-zero) or
 * back on (0).  Verification is on by default: the server's chain must lead
 * to a trusted CA (the system store, or the CAs given below) and its
 * certificate must name the host passed to ftp_connect() (or the name set
 * with ftp_set_tls_server_name()).  Turning it off exposes the session to
 * any man in the middle; use it for tests only.
 */
FTP_EXTERN int ftp_set_tls_insecure(ftp_session *s, int insecure);

/** Trust the CA certificates in this PEM file and/or the hashed directory
 *  instead of the system store (either may be NULL; both NULL restores the
 *  system store).  Read at the next ftp_connect(); an unreadable file then
 *  gives FTP_ETLS. */
FTP_EXTERN int ftp_set_tls_ca(ftp_session *s, const char *ca_file, const char *ca_dir);

/** Trust one more CA certificate given in memory (`len` bytes of DER or
 *  PEM; copied).  Like ftp_set_tls_ca(), it replaces the system store.
 *  FTP_EINVAL if `data` is NULL or `len` is 0; a certificate that does not
 *  parse gives FTP_ETLS at ftp_connect(). */
FTP_EXTERN int ftp_add_tls_ca_cert(ftp_session *s, const void *data, size_t len);

/** Forget the CAs set with ftp_set_tls_ca() and ftp_add_tls_ca_cert(): the
 *  system store is used again. */
FTP_EXTERN int ftp_clear_tls_ca(ftp_session *s);

/** Present a client certificate: PEM files for the certificate (chain) and
 *  its private key (`key_file` NULL: the key is in `cert_file`).  NULL
 *  `cert_file` removes it.  Loaded at the next ftp_connect(). */
FTP_EXTERN int ftp_set_tls_client_cert(ftp_session *s, const char *cert_file,
                                       const char *key_file);

/** The name sent as SNI and verified against the certificate, when it
 *  differs from the host given to ftp_connect() (e.g. connecting to an
 *  address).  NULL: use the host. */
FTP_EXTERN int ftp_set_tls_server_name(ftp_session *s, const char *name);

/** Allowed TLS versions: `min` (default FTP_TLS_VERSION_1_2) and `max` (0:
 *  the newest supported).  FTP_EINVAL for other values or min > max. */
FTP_EXTERN int ftp_set_tls_versions(ftp_session *s, int min, int max);

/** With FTP_TLS_EXPLICIT or ftp_auth(): when the server refuses "AUTH TLS"
 *  with 5xx, try the older "AUTH SSL" (non-zero), or fail (0, the
 *  default). */
FTP_EXTERN int ftp_set_tls_auth_ssl_fallback(ftp_session *s, int fallback);

/**
 * Secure the control connection now: "AUTH TLS" (234 required) and the TLS
 * handshake, with the verification above (ftplib's FTP_TLS.auth()).  For
 * sessions in FTP_TLS_NONE mode; data stays clear until ftp_prot_p().
 * Errors: reply errors (AUTH refused; the session stays usable in clear),
 * FTP_ECERT (verification failed: connection closed, nothing more sent),
 * FTP_ETLS (handshake failed, e.g. the server answered in plain text, or
 * sent plain text right after its 234 reply),
 * FTP_ESTATE (already secured).
 */
FTP_EXTERN int ftp_auth(ftp_session *s);

/** Protect data connections: "PBSZ 0" then "PROT P" (RFC 4217 §8-9).  Each
 *  data connection then does a TLS handshake that resumes the control
 *  connection's TLS session (as vsftpd's require_ssl_reuse demands) and
 *  ends with close_notify.  FTP_ESTATE without a secured control
 *  connection. */
FTP_EXTERN int ftp_prot_p(ftp_session *s);

/** Clear data connections: "PROT C" (RFC 4217 §9). */
FTP_EXTERN int ftp_prot_c(ftp_session *s);

/** "CCC" (RFC 4217 §6): after the 200 reply the control connection's TLS
 *  is shut down (close_notify both ways) and it continues in plain text;
 *  data protection is unchanged.  FTP_ESTATE when not secured. */
FTP_EXTERN int ftp_ccc(ftp_session *s);

/** The control connection's TLS version ("TLSv1.3"), or "" without TLS.
 *  Static string. */
FTP_EXTERN const char *ftp_tls_version(const ftp_session *s);

/** 1 if the last protected data connection resumed the control
 *  connection's TLS session, else 0. */
FTP_EXTERN int ftp_tls_data_resumed(const ftp_session *s);

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
 * type (TYPE I; RFC 3659 §4.1: the size depends on the type; ftplib sends no
 * TYPE here).  A 213 reply whose value is not a decimal number or
 * does not fit in 63 bits gives FTP_EPROTO.
 */
FTP_EXTERN int ftp_size(ftp_session *s, const char *path, uint64_t *out);

/** Send NOOP (RFC 959 §4.1.3). 2xx required. */
FTP_EXTERN int ftp_noop(ftp_session *s);

/**
 * Abort the transfer in progress (ABOR, RFC 959 §4.1.3).  During an open
 * pull transfer this first ends the data connection (reset on plain
 * connections), then sends "ABOR" and reads both replies (426 or 226 for
 * the transfer, then 226/225).  Without a transfer it just sends ABOR.
 * ABOR goes without the Telnet IP/Synch prefix: the data connection is
 * already closed, so every server reads the command, and Pure-FTPd ignores
 * lines that start with Telnet bytes (and over TLS urgent data would break
 * the stream).
 * Replies 225, 226 and 426 count as success.  Afterwards the session is
 * usable.  A PROT P download is read to its end (at most 16 MiB more, then
 * reset) before ABOR: servers evict the TLS session of a data connection
 * that does not end with a clean shutdown, after which every later data
 * connection fails to resume it (vsftpd's require_ssl_reuse then refuses
 * all transfers), and urgent data cannot reach the server through TLS.
 * For the same reason a PROT P upload is ended with close_notify, not a
 * reset (the server keeps the partial file, as most do after a reset too).
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
 * connection failed, or reset), FTP_ECLOSED (the server closed the control
 * connection instead of sending the final reply), FTP_ETIMEOUT (no data or
 * no final reply in time), FTP_ETLS (PROT P data ended without
 * close_notify: possibly truncated), FTP_EABORTED (the callback stopped it;
 * ABOR was sent).
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

/**
 * Download "RETR path" in binary mode straight into the open file
 * descriptor `fd` (a file, pipe or socket), written at its current offset.
 * On plain connections the data moves with splice(2) and never enters user
 * space; with PROT P (or where splice is refused) it is copied through a
 * buffer.  Same outcome rules as ftp_retr(): success only with a clean end
 * of data and a 2xx final reply; ftp_transfer_bytes() counts what reached
 * `fd`.  A write error on `fd` aborts the transfer (ABOR) and gives
 * FTP_ELOCAL with the system's reason.  SIGPIPE is blocked in the calling
 * thread during the call (EPIPE is reported instead).  A pipe, socket or
 * terminal `fd` is switched to non-blocking mode for the call (and back):
 * while it is full the call waits at most the data timeout (then
 * FTP_ELOCAL) and ftp_cancel() still stops it promptly.  `fd` stays open; the
 * caller owns it.
 */
FTP_EXTERN int ftp_retr_fd(ftp_session *s, const char *path, uint64_t rest, int fd);

/**
 * Upload the rest of `fd` (from its current offset to end of file) with
 * "STOR path" in binary mode; `rest` > 0 sends "REST rest" first (position
 * `fd` to match).  Regular files go with sendfile(2) on plain connections;
 * other descriptors and PROT P are copied through a buffer.  Success
 * requires the final reply to be 2xx.  A read error on `fd` aborts the
 * upload (ABOR and, on a plain connection, a reset data connection so the
 * server cannot take the truncated data as complete; see ftp_abort() for
 * PROT P) and gives FTP_ELOCAL.  A server that drops
 * the data connection gives FTP_EIO or its negative reply, never SIGPIPE.
 * `fd` stays open.
 */
FTP_EXTERN int ftp_stor_fd(ftp_session *s, const char *path, uint64_t rest, int fd);

/** One file of ftp_retr_files() / ftp_stor_files(). */
typedef struct ftp_file_item {
  /** In: the remote path (relative to the session's working directory). */
  const char *path;
  /** In: the local descriptor to write (download) or read (upload), used
   *  from its current offset.  The caller owns it. */
  int fd;
  /** Out: FTP_OK or the ftp_status of this file's transfer. */
  int status;
  /** Out: the bytes moved for this file (see ftp_transfer_bytes()). */
  uint64_t bytes;
} ftp_file_item;

/**
 * Download many files over up to `parallel` sessions at once: this one plus
 * `parallel` - 1 helper sessions that the call opens with the same options,
 * host, port and login as `s` (the credentials of its last ftp_login(),
 * kept in memory for this purpose) and moves to the same working directory
 * (from PWD), then closes with QUIT.  Each item is fetched as ftp_retr_fd()
 * would, in no particular order, on worker threads the call starts and
 * joins; `s` itself is one of the workers.  A helper that cannot connect or
 * log in leaves its share to the others.  `parallel` 0 or 1 uses `s`
 * alone; at most 64.  ftp_cancel(s) cancels every worker.  The debug
 * callback sees only `s`'s own traffic.
 * Returns FTP_OK when every item succeeded; otherwise the status of the
 * first failed item (by index), with ftp_errmsg() counting the failures.
 * Each item's `status` and `bytes` say what happened to it.  FTP_EINVAL
 * (nothing sent) for a NULL path, a path with CR/LF or a negative fd;
 * FTP_ESTATE if `s` is not connected.
 */
FTP_EXTERN int ftp_retr_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel);

/** Upload many files ("STOR path" from each item's fd, as ftp_stor_fd())
 *  over up to `parallel` sessions; otherwise as ftp_retr_files(). */
FTP_EXTERN int ftp_stor_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel);

/** One entry of a LIST line, as ftp_parse_list_line() reads it. */
typedef struct ftp_list_entry {
  /** The name, verbatim (spaces and any byte included); points into the
   *  parsed line. */
  const char *name;
  size_t name_len;
  /** For a symbolic link ("name -> target"): the target, else NULL/0. */
  const char *link_target;
  size_t link_target_len;
  /** 'f' file, 'd' directory, 'l' symbolic link, '?' other. */
  int type;
  /** Size in bytes, or -1 when the line gives none (DOS directories). */
  int64_t size;
  /** Date as the line gives it: year (0 when the Unix format leaves it out
   *  for recent files), month 1-12, day 1-31; hour 0-23 and minute 0-59,
   *  or -1 when the line gives a year instead of a time.  Server-local
   *  time, as LIST reports it. */
  int year, month, day, hour, minute;
} ftp_list_entry;

/**
 * Parse one LIST line (as ftp_list() delivers it) in the common server
 * formats: Unix `ls -l` (with or without the group column) and DOS/IIS.
 * RFC 959 §4.1.3 leaves LIST's format to the server; prefer ftp_mlsd()
 * (RFC 3659) where the server has it.  A pure function: no session, no I/O;
 * safe from any thread.  `out`'s pointers point into `line`.
 * Returns 1 for an entry, 0 for a line that is none ("total 42", blank),
 * FTP_EPROTO for a format it does not recognise or a value out of range
 * (never wrapped), FTP_EINVAL when `line` or `out` is NULL.
 */
FTP_EXTERN int ftp_parse_list_line(const char *line, size_t len, ftp_list_entry *out);

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
 * command, which must answer 1xx.  A 2xx answer is skipped if a 1xx
 * follows within 2 s (some servers send one first; ftplib skips it too);
 * otherwise the call fails at once with FTP_EREPLY and the session stays
 * usable.  On success the transfer is open: call
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
