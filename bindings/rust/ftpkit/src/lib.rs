//! A safe Rust API for **ftpkit**, a fast and secure FTP/FTPS client engine
//! (C++ core, C ABI `<ftpkit/ftp.h>`, linked through the `ftpkit-sys`
//! crate).  The API follows Python's `ftplib`: a [`Session`] sends commands
//! and runs transfers on one control connection.
//!
//! * Connect with [`Session::connect`] and a [`Config`] (timeouts as
//!   [`Duration`](std::time::Duration)s, [`TlsMode`] explicit or implicit,
//!   CA file or in-memory CA certificates, client certificate, passive or
//!   active mode, EPSV).  Certificates are verified unless
//!   [`Config::danger_accept_invalid_certs`] says otherwise.
//! * Commands return a [`Reply`]; listings come as names, raw lines or
//!   [`Entry`] values (MLSD facts parsed: kind, size, modification time).
//! * Transfers go between the server and any `std::io::Write`/`Read`
//!   ([`Session::retr`], [`Session::stor`], resume offsets), or are read and
//!   written as streams ([`Session::retr_reader`], [`Session::stor_writer`]).
//! * Every failure is an [`Error`] variant; the caller's own I/O error from
//!   a transfer callback comes back as the error's source, and a panic in
//!   one is resumed after the library stopped the transfer cleanly.
//! * A [`Session`] is `Send` but not `Sync`; a [`Canceler`] stops a running
//!   call from another thread.
//!
//! The library is found with pkg-config when building `ftpkit-sys`; the
//! crate checks at [`Session::new`] that the loaded library is 0.1.x.
//!
//! ```no_run
//! use std::time::Duration;
//! use ftpkit::{Config, Session, TlsMode};
//!
//! let config = Config::new()
//!     .tls(TlsMode::Explicit)
//!     .ca_file("/etc/ftpkit/ca.pem")
//!     .timeout(Duration::from_secs(20));
//! let mut ftp = Session::connect("ftp.example.com", 21, &config)?;
//! ftp.login("user", "secret")?;
//! for entry in ftp.mlsd("pub")? {
//!     println!("{} {:?}", entry.name(), entry.size());
//! }
//! let mut local = std::fs::File::create("readme.txt").unwrap();
//! ftp.retr("pub/readme.txt", &mut local)?;
//! ftp.quit()?;
//! # Ok::<(), ftpkit::Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

mod config;
mod entry;
mod error;
mod ffi;
mod files;
mod reply;
mod session;
mod transfer;

pub use config::{AddressFamily, Config, TlsMode, TlsVersion};
pub use entry::{Entry, EntryKind};
pub use error::{Error, Result};
pub use files::FileJob;
pub use reply::Reply;
pub use session::{Canceler, Session};
pub use transfer::{RetrReader, StorWriter};

/// The version of the loaded libftpkit as `(major, minor, patch)`.
///
/// ```
/// let (major, minor, _patch) = ftpkit::library_version();
/// assert_eq!((major, minor), (0, 1));
/// ```
pub fn library_version() -> (u32, u32, u32) {
    let v = ffi::version();
    (v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// The version of the loaded libftpkit as text, e.g. `"0.1.0"`.
///
/// ```
/// assert!(ftpkit::library_version_string().starts_with("0.1."));
/// ```
pub fn library_version_string() -> &'static str {
    ffi::version_string()
}
