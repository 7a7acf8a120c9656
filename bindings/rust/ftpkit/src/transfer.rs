//! Pull transfers: [`RetrReader`] (a download as `std::io::Read`) and
//! [`StorWriter`] (an upload as `std::io::Write`), over the C API's
//! `ftp_transfer_open/read/write/close`.

use std::io::{self, Read, Write};

use crate::error::{check, Error, Result};
use crate::reply::Reply;
use crate::session::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// The data connection reached its end (downloads only).
    Eof,
    /// `finish`/`abort` ran, or the library reported the transfer closed.
    Done,
}

/// A download in progress, read with [`std::io::Read`]; made by
/// [`Session::retr_reader`].
///
/// **Call [`finish`](RetrReader::finish) after reading to the end**: only
/// the final reply (226) says that the transfer succeeded; reaching end of
/// file does not.  To stop early, call [`abort`](RetrReader::abort).
/// Dropping the reader without either does the same on a best-effort basis
/// (the final reply after end of data, `ABOR` before it) and throws the
/// outcome away.
///
/// While the reader exists it borrows the session mutably, so no other
/// command can be sent in the middle of the transfer.
///
/// ```no_run
/// use std::io::Read;
/// use ftpkit::{Config, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// let mut reader = ftp.retr_reader("pub/readme.txt")?;
/// let mut text = String::new();
/// reader.read_to_string(&mut text)?;
/// reader.finish()?; // the 226 reply: now the download is known complete
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RetrReader<'s> {
    session: &'s mut Session,
    size: Option<u64>,
    state: State,
}

impl<'s> RetrReader<'s> {
    pub(crate) fn new(session: &'s mut Session, size: i64) -> RetrReader<'s> {
        RetrReader {
            session,
            size: u64::try_from(size).ok(),
            state: State::Open,
        }
    }

    /// The size the server announced in its 150 reply (vsftpd does, as
    /// `(1234 bytes)`), if any.  Not verified: count what you read.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let reader = ftp.retr_reader("big.iso")?;
    /// println!("expecting {:?} bytes", reader.announced_size());
    /// reader.abort()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn announced_size(&self) -> Option<u64> {
        self.size
    }

    /// Bytes received so far on the data connection.
    ///
    /// ```no_run
    /// # use std::io::Read;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut reader = ftp.retr_reader("f")?;
    /// std::io::copy(&mut reader, &mut std::io::sink())?;
    /// println!("{} bytes", reader.transferred());
    /// reader.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transferred(&self) -> u64 {
        self.session.transfer_bytes()
    }

    /// Close the data connection and read the final reply, which must be
    /// 2xx: the only proof that the whole file arrived.  Called before the
    /// end of the data, the server usually answers 426
    /// ([`Error::Transient`]); use [`abort`](RetrReader::abort) to stop
    /// early on purpose.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut reader = ftp.retr_reader("f")?;
    /// std::io::copy(&mut reader, &mut std::io::sink())?;
    /// let reply = reader.finish()?;
    /// assert_eq!(reply.code / 100, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(mut self) -> Result<Reply> {
        self.state = State::Done;
        let rc = self.session.raw.transfer_close();
        check(&self.session.raw, rc)?;
        Ok(self.session.last_reply())
    }

    /// Stop the download: `ABOR` (RFC 959 §4.1.3), close the data
    /// connection and read the server's replies (426 then 226/225).  The
    /// session stays usable.
    ///
    /// ```no_run
    /// # use std::io::Read;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut reader = ftp.retr_reader("huge.bin")?;
    /// let mut head = [0u8; 512];
    /// reader.read_exact(&mut head)?;
    /// reader.abort()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn abort(mut self) -> Result<Reply> {
        self.state = State::Done;
        let rc = self.session.raw.abort();
        check(&self.session.raw, rc)?;
        Ok(self.session.last_reply())
    }
}

impl Read for RetrReader<'_> {
    /// Read the next bytes of the file; `Ok(0)` at its end (then call
    /// [`finish`](RetrReader::finish)).  Errors wrap an [`Error`]
    /// (downcast with `get_ref()`).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.state != State::Open || buf.is_empty() {
            return Ok(0);
        }
        let (rc, n) = self.session.raw.transfer_read(buf);
        if let Err(e) = check(&self.session.raw, rc) {
            return Err(e.into());
        }
        if n == 0 {
            self.state = State::Eof;
        }
        Ok(n)
    }
}

impl Drop for RetrReader<'_> {
    fn drop(&mut self) {
        // Best effort, outcome discarded (documented): the final reply after
        // the end of data, ABOR before it.
        match self.state {
            State::Open => {
                let _ = self.session.raw.abort();
            }
            State::Eof => {
                let _ = self.session.raw.transfer_close();
            }
            State::Done => {}
        }
    }
}

/// An upload in progress, written with [`std::io::Write`]; made by
/// [`Session::stor_writer`].
///
/// **Call [`finish`](StorWriter::finish)**: it closes the data connection
/// (the end of the file) and reads the final reply; only its success means
/// the server has the whole file.  Dropping the writer without `finish`
/// sends `ABOR` instead (best effort), so an interrupted upload is never
/// reported as complete — but the server may keep the partial file.
///
/// ```no_run
/// use std::io::Write;
/// use ftpkit::{Config, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// let mut w = ftp.stor_writer("pub/hello.txt")?;
/// w.write_all(b"hello\n")?;
/// w.finish()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StorWriter<'s> {
    session: &'s mut Session,
    done: bool,
}

impl<'s> StorWriter<'s> {
    pub(crate) fn new(session: &'s mut Session) -> StorWriter<'s> {
        StorWriter {
            session,
            done: false,
        }
    }

    /// Bytes written to the data connection so far.
    ///
    /// ```no_run
    /// # use std::io::Write;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut w = ftp.stor_writer("f")?;
    /// w.write_all(&[0; 10])?;
    /// assert_eq!(w.transferred(), 10);
    /// w.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transferred(&self) -> u64 {
        self.session.transfer_bytes()
    }

    /// End the file: close the data connection and read the final reply,
    /// which must be 2xx.
    ///
    /// ```no_run
    /// # use std::io::Write;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut w = ftp.stor_writer("f")?;
    /// w.write_all(b"data")?;
    /// println!("{}", w.finish()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(mut self) -> Result<Reply> {
        self.done = true;
        let rc = self.session.raw.transfer_close();
        check(&self.session.raw, rc)?;
        Ok(self.session.last_reply())
    }

    /// Abandon the upload with `ABOR`.  The server may keep what it got.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let w = ftp.stor_writer("f")?;
    /// w.abort()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn abort(mut self) -> Result<Reply> {
        self.done = true;
        let rc = self.session.raw.abort();
        check(&self.session.raw, rc)?;
        Ok(self.session.last_reply())
    }
}

impl Write for StorWriter<'_> {
    /// Write all of `buf` to the data connection (the library writes
    /// everything or fails), so `Ok(buf.len())` or an error wrapping an
    /// [`Error`].
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.done {
            return Err(Error::State {
                message: "the upload is finished".to_owned(),
            }
            .into());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let rc = self.session.raw.transfer_write(buf);
        check(&self.session.raw, rc)?;
        Ok(buf.len())
    }

    /// Nothing to do: every write goes to the socket at once.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for StorWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.session.raw.abort();
        }
    }
}
