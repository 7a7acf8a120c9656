//! [`Error`], the one error type of the crate, and the single place where
//! library statuses become errors.

use std::error::Error as StdError;
use std::ffi::c_int;
use std::fmt;
use std::io;

use crate::ffi::{self, Outcome, Raw, Stop};
use crate::reply::Reply;

/// `Result<T, ftpkit::Error>`.
///
/// ```
/// fn size_or_zero(r: ftpkit::Result<u64>) -> u64 {
///     r.unwrap_or(0)
/// }
/// assert_eq!(size_or_zero(Ok(3)), 3);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, one variant per kind of failure of the C
/// API (`ftp_status` in `<ftpkit/ftp.h>`).
///
/// Reply errors carry the reply's code and full text (all lines joined by
/// `\n`); the others carry the library's one-line message.  Whether the
/// session is still connected afterwards follows the header's rule: after
/// [`Timeout`](Error::Timeout), [`Closed`](Error::Closed),
/// [`Canceled`](Error::Canceled), [`Tls`](Error::Tls),
/// [`Certificate`](Error::Certificate), a control-connection
/// [`Io`](Error::Io) and most [`Protocol`](Error::Protocol) errors the
/// connection is closed ([`Session::is_connected`](crate::Session::is_connected)
/// says so); after reply errors, [`InvalidInput`](Error::InvalidInput) and
/// [`Aborted`](Error::Aborted) the session stays usable.
///
/// ```no_run
/// use ftpkit::{Config, Error, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// match ftp.cwd("missing") {
///     Err(Error::Permanent { code: 550, .. }) => println!("no such directory"),
///     Err(e) => return Err(e),
///     Ok(_) => {}
/// }
/// # Ok::<(), ftpkit::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A reply of an unexpected class: 1xx, 2xx or 3xx where another was
    /// required (ftplib's `error_reply`; `FTP_EREPLY`).
    Reply {
        /// The reply code (100-599).
        code: u16,
        /// The full reply text, code included.
        text: String,
    },
    /// A 4xx reply: transient negative completion, RFC 959 §4.2 (ftplib's
    /// `error_temp`; `FTP_ETEMP`).
    Transient {
        /// The reply code (400-499).
        code: u16,
        /// The full reply text, code included.
        text: String,
    },
    /// A 5xx reply: permanent negative completion, RFC 959 §4.2 (ftplib's
    /// `error_perm`; `FTP_EPERM`).
    Permanent {
        /// The reply code (500-599).
        code: u16,
        /// The full reply text, code included.
        text: String,
    },
    /// A malformed reply or listing line (ftplib's `error_proto`;
    /// `FTP_EPROTO`).
    Protocol {
        /// What was wrong.
        message: String,
    },
    /// An I/O error: on the control or data connection (`FTP_EIO`), or in
    /// the caller's own `Read`/`Write` during a transfer, which is then the
    /// [`source`](std::error::Error::source).
    Io {
        /// What failed.
        message: String,
        /// The caller's own I/O error, when it caused the failure.
        source: Option<io::Error>,
    },
    /// A deadline passed: connect, reply, data accept or data idle
    /// (`FTP_ETIMEOUT`).  The connection is closed.
    Timeout {
        /// Which deadline.
        message: String,
    },
    /// A TLS failure: handshake, record layer, unreadable CA or key file
    /// (`FTP_ETLS`).
    Tls {
        /// What failed.
        message: String,
    },
    /// The server's certificate failed verification (`FTP_ECERT`).
    Certificate {
        /// Why it was rejected.
        message: String,
    },
    /// The host name could not be resolved (`FTP_ERESOLVE`).
    Resolve {
        /// The resolver's message.
        message: String,
    },
    /// An invalid argument: CR or LF in a command or path, a NUL byte in a
    /// string, an option out of range (`FTP_EINVAL`).  Nothing was sent.
    InvalidInput {
        /// What was wrong.
        message: String,
    },
    /// Out of memory in the library (`FTP_ENOMEM`).
    OutOfMemory,
    /// The call is not valid in the session's state: not connected, TLS
    /// already on, ... (`FTP_ESTATE`).
    State {
        /// Which state.
        message: String,
    },
    /// A closure passed to the call asked to stop (returned
    /// [`ControlFlow::Break`](std::ops::ControlFlow::Break)); the transfer
    /// was aborted (`FTP_EABORTED`).
    Aborted {
        /// The library's message.
        message: String,
    },
    /// [`Canceler::cancel`](crate::Canceler::cancel) stopped the call
    /// (`FTP_ECANCELED`).  The connection is closed.
    Canceled {
        /// The library's message.
        message: String,
    },
    /// The server closed the control connection (ftplib's `EOFError`;
    /// `FTP_ECLOSED`).
    Closed {
        /// The library's message.
        message: String,
    },
    /// A bug in ftpkit (`FTP_EINTERNAL`), or a status this crate does not
    /// know.
    Internal {
        /// The library's message.
        message: String,
    },
    /// Reading or writing the caller's file descriptor failed in
    /// [`Session::retr_fd`](crate::Session::retr_fd) or
    /// [`Session::stor_fd`](crate::Session::stor_fd) (`FTP_ELOCAL`); the
    /// transfer was aborted and the session stays usable.
    Local {
        /// The system's reason.
        message: String,
    },
    /// The loaded libftpkit is a version this crate was not written for.
    IncompatibleLibrary {
        /// The versions found and supported.
        message: String,
    },
}

impl Error {
    /// The reply code for [`Reply`](Error::Reply),
    /// [`Transient`](Error::Transient) and [`Permanent`](Error::Permanent);
    /// `None` otherwise.
    ///
    /// ```
    /// let e = ftpkit::Error::Permanent { code: 550, text: "550 No such file".into() };
    /// assert_eq!(e.reply_code(), Some(550));
    /// ```
    pub fn reply_code(&self) -> Option<u16> {
        match self {
            Error::Reply { code, .. }
            | Error::Transient { code, .. }
            | Error::Permanent { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The full reply text for the reply variants; `None` otherwise.
    ///
    /// ```
    /// let e = ftpkit::Error::Transient { code: 450, text: "450 busy".into() };
    /// assert_eq!(e.reply_text(), Some("450 busy"));
    /// ```
    pub fn reply_text(&self) -> Option<&str> {
        match self {
            Error::Reply { text, .. }
            | Error::Transient { text, .. }
            | Error::Permanent { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The error as an [`io::ErrorKind`], for code that speaks `std::io`
    /// (the pull transfers' `Read`/`Write` impls use it).
    ///
    /// ```
    /// let e = ftpkit::Error::Timeout { message: "reply timeout".into() };
    /// assert_eq!(e.io_kind(), std::io::ErrorKind::TimedOut);
    /// ```
    pub fn io_kind(&self) -> io::ErrorKind {
        match self {
            Error::Io {
                source: Some(e), ..
            } => e.kind(),
            Error::Timeout { .. } => io::ErrorKind::TimedOut,
            Error::InvalidInput { .. } => io::ErrorKind::InvalidInput,
            Error::Closed { .. } => io::ErrorKind::ConnectionAborted,
            Error::OutOfMemory => io::ErrorKind::OutOfMemory,
            _ => io::ErrorKind::Other,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidInput {
            message: message.into(),
        }
    }

    /// The error for status `rc` (not `FTP_OK`) from the session's state.
    pub(crate) fn from_status(raw: &Raw, rc: c_int) -> Error {
        let mut message = raw.errmsg();
        if message.is_empty() {
            message = ffi::strerror(rc).to_owned();
        }
        let reply = || Reply::from_raw(raw);
        match rc {
            ffi::FTP_EREPLY => {
                let Reply { code, text } = reply();
                Error::Reply { code, text }
            }
            ffi::FTP_ETEMP => {
                let Reply { code, text } = reply();
                Error::Transient { code, text }
            }
            ffi::FTP_EPERM => {
                let Reply { code, text } = reply();
                Error::Permanent { code, text }
            }
            ffi::FTP_EPROTO => Error::Protocol { message },
            ffi::FTP_EIO => Error::Io {
                message,
                source: None,
            },
            ffi::FTP_ETIMEOUT => Error::Timeout { message },
            ffi::FTP_ETLS => Error::Tls { message },
            ffi::FTP_ECERT => Error::Certificate { message },
            ffi::FTP_ERESOLVE => Error::Resolve { message },
            ffi::FTP_EINVAL => Error::InvalidInput { message },
            ffi::FTP_ENOMEM => Error::OutOfMemory,
            ffi::FTP_ESTATE => Error::State { message },
            ffi::FTP_EABORTED => Error::Aborted { message },
            ffi::FTP_ECANCELED => Error::Canceled { message },
            ffi::FTP_ECLOSED => Error::Closed { message },
            ffi::FTP_EINTERNAL => Error::Internal { message },
            ffi::FTP_ELOCAL => Error::Local { message },
            other => Error::Internal {
                message: format!("unknown status {other}: {message}"),
            },
        }
    }
}

impl Error {
    /// The error for a bare status, without the session's reply state (for
    /// per-file results): reply variants get code 0 and an empty text, the
    /// others the status's name as message.
    pub(crate) fn from_code(rc: c_int) -> Error {
        let message = ffi::strerror(rc).to_owned();
        match rc {
            ffi::FTP_EREPLY => Error::Reply {
                code: 0,
                text: String::new(),
            },
            ffi::FTP_ETEMP => Error::Transient {
                code: 0,
                text: String::new(),
            },
            ffi::FTP_EPERM => Error::Permanent {
                code: 0,
                text: String::new(),
            },
            ffi::FTP_EPROTO => Error::Protocol { message },
            ffi::FTP_EIO => Error::Io {
                message,
                source: None,
            },
            ffi::FTP_ETIMEOUT => Error::Timeout { message },
            ffi::FTP_ETLS => Error::Tls { message },
            ffi::FTP_ECERT => Error::Certificate { message },
            ffi::FTP_ERESOLVE => Error::Resolve { message },
            ffi::FTP_EINVAL => Error::InvalidInput { message },
            ffi::FTP_ENOMEM => Error::OutOfMemory,
            ffi::FTP_ESTATE => Error::State { message },
            ffi::FTP_EABORTED => Error::Aborted { message },
            ffi::FTP_ECANCELED => Error::Canceled { message },
            ffi::FTP_ECLOSED => Error::Closed { message },
            ffi::FTP_ELOCAL => Error::Local { message },
            _ => Error::Internal {
                message: format!("status {rc}: {message}"),
            },
        }
    }
}

/// `Ok(())` for `FTP_OK`, else the matching [`Error`].
pub(crate) fn check(raw: &Raw, rc: c_int) -> Result<()> {
    if rc == ffi::FTP_OK {
        Ok(())
    } else {
        Err(Error::from_status(raw, rc))
    }
}

/// As [`check`], for a call that ran a closure: when the closure stopped the
/// call, its own I/O error (or a plain `Aborted`) is the error.
pub(crate) fn check_outcome(raw: &Raw, outcome: Outcome) -> Result<()> {
    match (outcome.rc, outcome.stop) {
        (ffi::FTP_OK, _) => Ok(()),
        (ffi::FTP_EABORTED, Some(Stop::Io(source))) => Err(Error::Io {
            message: format!("transfer stopped by the caller's I/O error: {source}"),
            source: Some(source),
        }),
        (ffi::FTP_EABORTED, Some(Stop::Break)) => Err(Error::Aborted {
            message: "transfer stopped by the caller (ControlFlow::Break)".to_owned(),
        }),
        (rc, _) => Err(Error::from_status(raw, rc)),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Reply { text, .. } => write!(f, "unexpected reply: {text}"),
            Error::Transient { text, .. } => write!(f, "transient negative reply: {text}"),
            Error::Permanent { text, .. } => write!(f, "permanent negative reply: {text}"),
            Error::Protocol { message } => write!(f, "malformed reply: {message}"),
            Error::Io { message, .. } => write!(f, "I/O error: {message}"),
            Error::Timeout { message } => write!(f, "timeout: {message}"),
            Error::Tls { message } => write!(f, "TLS error: {message}"),
            Error::Certificate { message } => write!(f, "certificate rejected: {message}"),
            Error::Resolve { message } => write!(f, "cannot resolve host: {message}"),
            Error::InvalidInput { message } => write!(f, "invalid input: {message}"),
            Error::OutOfMemory => f.write_str("out of memory"),
            Error::State { message } => write!(f, "wrong session state: {message}"),
            Error::Aborted { message } => write!(f, "aborted: {message}"),
            Error::Canceled { message } => write!(f, "canceled: {message}"),
            Error::Closed { message } => write!(f, "connection closed by server: {message}"),
            Error::Internal { message } => write!(f, "internal error in ftpkit: {message}"),
            Error::Local { message } => write!(f, "local file error: {message}"),
            Error::IncompatibleLibrary { message } => {
                write!(f, "incompatible libftpkit: {message}")
            }
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Io {
                source: Some(e), ..
            } => Some(e),
            _ => None,
        }
    }
}

/// Wraps the error (kind from [`Error::io_kind`]); the original stays
/// reachable with `io::Error::get_ref()` / `into_inner()` and `downcast`.
///
/// ```
/// let e = ftpkit::Error::Timeout { message: "data idle".into() };
/// let io: std::io::Error = e.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// assert!(io.get_ref().unwrap().downcast_ref::<ftpkit::Error>().is_some());
/// ```
impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::new(e.io_kind(), e)
    }
}
