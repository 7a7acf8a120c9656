//! [`FileJob`]: one file of a parallel multi-file transfer
//! ([`Session::retr_files`](crate::Session::retr_files),
//! [`Session::stor_files`](crate::Session::stor_files)).

use std::ffi::{c_int, CString};
use std::os::fd::{AsFd, BorrowedFd};

use crate::error::{Error, Result};
use crate::ffi;

/// One file of [`Session::retr_files`](crate::Session::retr_files) or
/// [`Session::stor_files`](crate::Session::stor_files): a remote path and
/// the local descriptor to write (download) or read (upload), used from its
/// current offset.  The descriptor is borrowed, never closed.  After the
/// call, [`result`](FileJob::result) and [`bytes`](FileJob::bytes) say what
/// happened to this file.
///
/// ```no_run
/// use std::fs::File;
/// use ftpkit::{Config, FileJob, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// let (a, b) = (File::create("a.bin").unwrap(), File::create("b.bin").unwrap());
/// let mut jobs = [FileJob::new("pub/a.bin", &a)?, FileJob::new("pub/b.bin", &b)?];
/// ftp.retr_files(&mut jobs, 2)?;
/// for job in &jobs {
///     println!("{}: {} bytes", String::from_utf8_lossy(job.path_bytes()), job.bytes());
/// }
/// # Ok::<(), ftpkit::Error>(())
/// ```
#[derive(Debug)]
pub struct FileJob<'fd> {
    pub(crate) path: CString,
    pub(crate) fd: BorrowedFd<'fd>,
    pub(crate) status: c_int,
    pub(crate) bytes: u64,
}

impl<'fd> FileJob<'fd> {
    /// A job for remote `path` (relative to the working directory; any
    /// bytes but NUL, CR and LF) and local descriptor `fd`.
    /// [`Error::InvalidInput`] if `path` contains a NUL byte.
    ///
    /// ```
    /// let f = std::fs::File::open("/dev/null").unwrap();
    /// let job = ftpkit::FileJob::new("remote.bin", &f)?;
    /// assert_eq!(job.path_bytes(), b"remote.bin");
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn new(path: impl AsRef<[u8]>, fd: &'fd impl AsFd) -> Result<FileJob<'fd>> {
        let path =
            CString::new(path.as_ref()).map_err(|_| Error::invalid("path contains a NUL byte"))?;
        Ok(FileJob {
            path,
            fd: fd.as_fd(),
            status: ffi::NOT_RUN,
            bytes: 0,
        })
    }

    /// The remote path.
    ///
    /// ```
    /// let f = std::fs::File::open("/dev/null").unwrap();
    /// let job = ftpkit::FileJob::new(b"caf\xe9", &f)?;
    /// assert_eq!(job.path_bytes(), b"caf\xe9");
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn path_bytes(&self) -> &[u8] {
        self.path.as_bytes()
    }

    /// The bytes moved for this file by the last call.
    ///
    /// ```
    /// let f = std::fs::File::open("/dev/null").unwrap();
    /// assert_eq!(ftpkit::FileJob::new("x", &f)?.bytes(), 0);
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// This file's outcome: `None` before a call ran it, else `Ok(())` or
    /// its error.  Only the kind of error is known per file: reply errors
    /// have code 0 and no text, the others the status's name as message.
    ///
    /// ```
    /// let f = std::fs::File::open("/dev/null").unwrap();
    /// assert!(ftpkit::FileJob::new("x", &f)?.result().is_none());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn result(&self) -> Option<Result<()>> {
        match self.status {
            ffi::NOT_RUN => None,
            ffi::FTP_OK => Some(Ok(())),
            rc => Some(Err(Error::from_code(rc))),
        }
    }
}
