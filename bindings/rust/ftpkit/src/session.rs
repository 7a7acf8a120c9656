//! [`Session`]: one FTP control connection and its commands, and
//! [`Canceler`], which stops a running call from another thread.

use std::cell::Cell;
use std::ffi::{c_int, c_long, CString};
use std::fmt;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::os::fd::AsFd;
use std::time::{Duration, SystemTime};

use crate::config::{AddressFamily, Config, TlsMode, TlsVersion};
use crate::entry::{parse_list_line, Entry};
use crate::error::{check, check_outcome, Error, Result};
use crate::ffi::{self, CancelRef, Raw, Stop};
use crate::files::FileJob;
use crate::reply::Reply;
use crate::transfer::{RetrReader, StorWriter};

/// A string for the C API: `InvalidInput` if it holds a NUL byte.
fn c_string(bytes: &[u8], what: &str) -> Result<CString> {
    CString::new(bytes).map_err(|_| Error::invalid(format!("{what} contains a NUL byte")))
}

/// `"VERB arg"` as a C string.
fn command(verb: &str, arg: &[u8]) -> Result<CString> {
    let mut v = Vec::with_capacity(verb.len() + 1 + arg.len());
    v.extend_from_slice(verb.as_bytes());
    v.push(b' ');
    v.extend_from_slice(arg);
    c_string(&v, "path")
}

/// An optional path argument: empty means "none".
fn opt_path(path: &[u8]) -> Result<Option<CString>> {
    if path.is_empty() {
        Ok(None)
    } else {
        c_string(path, "path").map(Some)
    }
}

/// Milliseconds for the C API, rounded up; zero stays zero (rejected there).
fn millis(d: Duration) -> c_long {
    if d.is_zero() {
        0
    } else {
        let ms = d.as_nanos().div_ceil(1_000_000);
        c_long::try_from(ms).unwrap_or(c_long::MAX)
    }
}

fn lossy(v: Vec<u8>) -> String {
    match String::from_utf8(v) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn read_retrying(
    input: &mut (impl Read + ?Sized),
    buf: &mut [u8],
) -> std::result::Result<usize, Stop> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Io(e)),
        }
    }
}

/// One FTP session: a control connection (RFC 959 §2.3) plus at most one
/// data connection at a time, over libftpkit.
///
/// Methods mirror Python's `ftplib.FTP`.  Paths and names are bytes: every
/// method takes `impl AsRef<[u8]>`, so `&str`, `String`, `&[u8]` and
/// `Vec<u8>` all work, and a name read from a listing
/// ([`Entry::name_bytes`]) can be passed back even when it is not UTF-8.
/// A path containing CR or LF is [`Error::InvalidInput`] and nothing is
/// sent (no command injection); so is a NUL byte.
///
/// `Session` is [`Send`] (it may move between threads between calls) but not
/// [`Sync`]: the library allows one call at a time per session, and every
/// method that talks to the server takes `&mut self`.  To stop a running
/// call from another thread use a [`Canceler`].  Dropping the session
/// closes the connection without `QUIT` (call [`quit`](Session::quit) to be
/// polite) and frees the handle.
///
/// ```no_run
/// use std::time::Duration;
/// use ftpkit::{Config, Session, TlsMode};
///
/// let config = Config::new()
///     .tls(TlsMode::Explicit)
///     .ca_file("ca.pem")
///     .timeout(Duration::from_secs(15));
/// let mut ftp = Session::connect("ftp.example.com", 21, &config)?;
/// ftp.login("user", "secret")?;
/// ftp.cwd("pub")?;
/// let mut file = std::fs::File::create("readme.txt").unwrap();
/// let bytes = ftp.retr("readme.txt", &mut file)?;
/// println!("{bytes} bytes");
/// ftp.quit()?;
/// # Ok::<(), ftpkit::Error>(())
/// ```
///
/// A `Session` cannot be shared between threads:
///
/// ```compile_fail
/// fn needs_sync<T: Sync>() {}
/// needs_sync::<ftpkit::Session>();
/// ```
pub struct Session {
    pub(crate) raw: Raw,
    /// `Cell` is `Send` but not `Sync`: so is `Session`.
    _not_sync: PhantomData<Cell<()>>,
}

/// Stops the call running on a [`Session`] from another thread
/// (`ftp_cancel()`).  The call returns [`Error::Canceled`] promptly and the
/// session is left disconnected.  Cheap to clone; `Send` and `Sync`;
/// harmless when nothing is running or the session is gone.
///
/// ```no_run
/// use std::time::Duration;
/// use ftpkit::{Config, Session};
///
/// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
/// ftp.login("anonymous", "")?;
/// let canceler = ftp.canceler();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_secs(10));
///     canceler.cancel();
/// });
/// let result = ftp.retr("huge.iso", &mut std::io::sink());
/// # let _ = result;
/// # Ok::<(), ftpkit::Error>(())
/// ```
#[derive(Clone)]
pub struct Canceler {
    inner: CancelRef,
}

impl Canceler {
    /// Cancel the call running on the session now, if any.
    ///
    /// ```no_run
    /// # let ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// let c = ftp.canceler();
    /// c.cancel(); // nothing running: no effect
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}

impl fmt::Debug for Canceler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Canceler")
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("connected", &self.raw.is_connected())
            .field("tls", &self.raw.tls_version())
            .finish()
    }
}

impl Session {
    // -----------------------------------------------------------------
    // Creating and connecting
    // -----------------------------------------------------------------

    /// A session with `config` applied, not connected yet; call
    /// [`connect_to`](Session::connect_to).  Errors:
    /// [`Error::IncompatibleLibrary`] if the loaded libftpkit is not 0.1.x,
    /// [`Error::OutOfMemory`], [`Error::InvalidInput`] for an option out of
    /// range (see [`configure`](Session::configure)).
    ///
    /// ```no_run
    /// let mut ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// ftp.connect_to("127.0.0.1", 2121)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn new(config: &Config) -> Result<Session> {
        check_library_version()?;
        let raw = Raw::new().ok_or(Error::OutOfMemory)?;
        let mut s = Session {
            raw,
            _not_sync: PhantomData,
        };
        s.configure(config)?;
        Ok(s)
    }

    /// Create a session with `config`, connect to `host` (a name or an IPv4
    /// or IPv6 address) on `port` and read the greeting
    /// (RFC 959 §5.4; port 0 means 21, or 990 with [`TlsMode::Implicit`]).
    /// With TLS the control connection is secured before anything else is
    /// sent.  Then [`login`](Session::login).
    ///
    /// Errors: [`Error::Resolve`], [`Error::Io`] (refused, unreachable),
    /// [`Error::Timeout`], [`Error::Transient`]/[`Error::Permanent`] (e.g.
    /// 421, or `AUTH TLS` refused), [`Error::Protocol`], [`Error::Closed`],
    /// [`Error::Tls`], [`Error::Certificate`], [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// use ftpkit::{Config, Session};
    /// let mut ftp = Session::connect("127.0.0.1", 21, &Config::new())?;
    /// println!("{}", ftp.welcome());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn connect(host: &str, port: u16, config: &Config) -> Result<Session> {
        let mut s = Session::new(config)?;
        s.connect_to(host, port)?;
        Ok(s)
    }

    /// Connect (again) to `host`:`port`, closing any open connection
    /// first, with the options currently set.  Errors as for
    /// [`Session::connect`].
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// ftp.connect_to("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn connect_to(&mut self, host: &str, port: u16) -> Result<()> {
        let host = c_string(host.as_bytes(), "host")?;
        let rc = self.raw.connect(&host, port);
        check(&self.raw, rc)
    }

    /// Apply every option of `config` to this session (options `config`
    /// leaves unset go back to the library defaults).  Takes effect for the
    /// next operation; TLS options for the next connect.
    ///
    /// Errors: [`Error::InvalidInput`] for a zero timeout, a block size over
    /// 64 MiB, a line limit under 64 bytes, a NUL byte in a path or name.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// ftp.configure(&ftpkit::Config::new().passive(false))?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn configure(&mut self, config: &Config) -> Result<()> {
        const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
        let raw = &mut self.raw;
        let rc =
            raw.set_connect_timeout_ms(millis(config.connect_timeout.unwrap_or(DEFAULT_TIMEOUT)));
        check(raw, rc)?;
        let rc = raw.set_reply_timeout_ms(millis(config.reply_timeout.unwrap_or(DEFAULT_TIMEOUT)));
        check(raw, rc)?;
        let rc = raw.set_data_timeout_ms(millis(config.data_timeout.unwrap_or(DEFAULT_TIMEOUT)));
        check(raw, rc)?;
        let rc = raw.set_passive(config.passive);
        check(raw, rc)?;
        let rc = raw.set_epsv(config.epsv);
        check(raw, rc)?;
        let rc = raw.set_trust_pasv_host(config.trust_pasv_host);
        check(raw, rc)?;
        let family: c_int = match config.family {
            AddressFamily::Any => 0,
            AddressFamily::V4 => 4,
            AddressFamily::V6 => 6,
        };
        let rc = raw.set_address_family(family);
        check(raw, rc)?;
        let rc = match config.source_address {
            Some(addr) => {
                let host = c_string(addr.ip().to_string().as_bytes(), "source address")?;
                raw.set_source_address(Some(&host), addr.port())
            }
            None => raw.set_source_address(None, 0),
        };
        check(raw, rc)?;
        let rc = raw.set_maxline(config.max_line.unwrap_or(8192));
        check(raw, rc)?;
        let rc = raw.set_max_reply_size(config.max_reply_size.unwrap_or(1 << 20));
        check(raw, rc)?;
        let rc = raw.set_blocksize(config.block_size.unwrap_or(65536));
        check(raw, rc)?;

        let mode = match config.tls {
            TlsMode::Plain => ffi::FTP_TLS_NONE,
            TlsMode::Explicit => ffi::FTP_TLS_EXPLICIT,
            TlsMode::Implicit => ffi::FTP_TLS_IMPLICIT,
        };
        let rc = raw.set_tls_mode(mode);
        check(raw, rc)?;
        let rc = raw.set_tls_insecure(config.accept_invalid_certs);
        check(raw, rc)?;
        let rc = raw.clear_tls_ca();
        check(raw, rc)?;
        let path = |p: &std::path::Path, what: &str| {
            use std::os::unix::ffi::OsStrExt;
            c_string(p.as_os_str().as_bytes(), what)
        };
        if config.ca_file.is_some() || config.ca_dir.is_some() {
            let file = config
                .ca_file
                .as_deref()
                .map(|p| path(p, "CA file"))
                .transpose()?;
            let dir = config
                .ca_dir
                .as_deref()
                .map(|p| path(p, "CA directory"))
                .transpose()?;
            let rc = raw.set_tls_ca(file.as_deref(), dir.as_deref());
            check(raw, rc)?;
        }
        for cert in &config.ca_certs {
            let rc = raw.add_tls_ca_cert(cert);
            check(raw, rc)?;
        }
        let rc = match &config.client_cert {
            Some((cert, key)) => {
                let cert = path(cert, "client certificate")?;
                let key = key.as_deref().map(|k| path(k, "client key")).transpose()?;
                raw.set_tls_client_cert(Some(&cert), key.as_deref())
            }
            None => raw.set_tls_client_cert(None, None),
        };
        check(raw, rc)?;
        let name = config
            .server_name
            .as_deref()
            .map(|n| c_string(n.as_bytes(), "server name"))
            .transpose()?;
        let rc = raw.set_tls_server_name(name.as_deref());
        check(raw, rc)?;
        let version = |v: TlsVersion| match v {
            TlsVersion::Tls12 => ffi::FTP_TLS_VERSION_1_2,
            TlsVersion::Tls13 => ffi::FTP_TLS_VERSION_1_3,
        };
        let (min, max) = config.tls_versions.unwrap_or((TlsVersion::Tls12, None));
        let rc = raw.set_tls_versions(version(min), max.map_or(0, version));
        check(raw, rc)?;
        let rc = raw.set_tls_auth_ssl_fallback(config.auth_ssl_fallback);
        check(raw, rc)
    }

    /// Switch between passive (`true`) and active (`false`) data
    /// connections for the next transfers (ftplib's `set_pasv()`; RFC 959
    /// §3.2, RFC 2428).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// ftp.set_passive(false)?; // the server connects to us (PORT/EPRT)
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn set_passive(&mut self, passive: bool) -> Result<()> {
        let rc = self.raw.set_passive(passive);
        check(&self.raw, rc)
    }

    /// Receive the library's debug trace: level 1 shows commands and
    /// replies, 2 every line, as ftplib's `set_debuglevel()` prints them
    /// (`*cmd* 'CWD x'`, `*resp* '250 ok'`; passwords show as `****`).
    /// The closure runs on the calling thread during each call; a panic in
    /// it is resumed when that call returns.  Level 0 turns tracing off.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// ftp.set_debug(1, |line| eprintln!("{line}"))?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn set_debug(&mut self, level: u8, mut f: impl FnMut(&str) + Send + 'static) -> Result<()> {
        let rc = if level == 0 {
            self.raw.set_debug(0, None)
        } else {
            self.raw.set_debug(
                c_int::from(level),
                Some(Box::new(move |line: &[u8]| {
                    f(&String::from_utf8_lossy(line))
                })),
            )
        };
        check(&self.raw, rc)
    }

    /// A handle that can cancel this session's running call from another
    /// thread (see [`Canceler`]).
    ///
    /// ```no_run
    /// # let ftp = ftpkit::Session::new(&ftpkit::Config::new())?;
    /// let canceler = ftp.canceler();
    /// std::thread::spawn(move || canceler.cancel());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn canceler(&self) -> Canceler {
        Canceler {
            inner: self.raw.cancel_ref(),
        }
    }

    // -----------------------------------------------------------------
    // State
    // -----------------------------------------------------------------

    /// The greeting the server sent on connect (full reply text; `""`
    /// before connecting).
    ///
    /// ```no_run
    /// let ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// assert!(ftp.welcome().starts_with("220"));
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn welcome(&self) -> String {
        lossy(self.raw.welcome())
    }

    /// The last complete reply read on this session (code 0 and empty text
    /// when there was none, or when it was malformed).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.login("anonymous", "")?;
    /// println!("{}", ftp.last_reply());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn last_reply(&self) -> Reply {
        Reply::from_raw(&self.raw)
    }

    /// Whether the control connection is open.  After errors that leave the
    /// connection untrustworthy (timeouts, TLS errors, a malformed reply,
    /// ...) the library closes it and this turns `false`.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.quit()?;
    /// assert!(!ftp.is_connected());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn is_connected(&self) -> bool {
        self.raw.is_connected()
    }

    /// Bytes moved over the data connection by the last transfer (or the
    /// one in progress).  After a failed download: how many arrived.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// if ftp.retr("f", &mut std::io::sink()).is_err() {
    ///     println!("got {} bytes before the failure", ftp.transfer_bytes());
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn transfer_bytes(&self) -> u64 {
        self.raw.transfer_bytes()
    }

    /// Whether the server listed `name` (case-insensitive, e.g. `"MLST"`,
    /// `"UTF8"`) in its FEAT reply (RFC 2389), read once after login:
    /// `Some(parameters)` (possibly empty, e.g. `"type*;size*;modify*;"`)
    /// or `None`.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.login("anonymous", "")?;
    /// if ftp.feature("MLST").is_some() {
    ///     let entries = ftp.mlsd("")?;
    ///     # let _ = entries;
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn feature(&self, name: &str) -> Option<String> {
        let name = CString::new(name).ok()?;
        self.raw.feature(&name).map(lossy)
    }

    /// The control connection's TLS version (`"TLSv1.3"`), or `None`
    /// without TLS.
    ///
    /// ```no_run
    /// # let ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// println!("{:?}", ftp.tls_version());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn tls_version(&self) -> Option<String> {
        Some(self.raw.tls_version()).filter(|v| !v.is_empty())
    }

    /// Whether the last protected data connection resumed the control
    /// connection's TLS session (RFC 4217 §10.2; vsftpd's
    /// `require_ssl_reuse` demands it).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.nlst("")?;
    /// println!("resumed: {}", ftp.tls_data_resumed());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn tls_data_resumed(&self) -> bool {
        self.raw.tls_data_resumed()
    }

    // -----------------------------------------------------------------
    // Login and connection control
    // -----------------------------------------------------------------

    /// Log in with `USER`, then `PASS` as the server asks (RFC 959 §5.4).
    /// An empty `user` means `"anonymous"`; an anonymous login with an
    /// empty password sends `"anonymous@"`.  Then reads FEAT (see
    /// [`feature`](Session::feature)) and, in the TLS modes, sends `PBSZ 0`
    /// and `PROT P`.
    ///
    /// Errors: [`Error::Permanent`] (530 login incorrect),
    /// [`Error::Transient`], [`Error::Reply`] (e.g. 332 when an account is
    /// needed: use [`login_with_account`](Session::login_with_account)),
    /// [`Error::InvalidInput`], connection errors.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.login("user", "12345")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn login(&mut self, user: impl AsRef<[u8]>, password: impl AsRef<[u8]>) -> Result<()> {
        self.login_inner(user.as_ref(), password.as_ref(), None)
    }

    /// [`login`](Session::login), sending `ACCT account` if the server asks
    /// for an account (332).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.login_with_account("user", "12345", "dept-42")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn login_with_account(
        &mut self,
        user: impl AsRef<[u8]>,
        password: impl AsRef<[u8]>,
        account: impl AsRef<[u8]>,
    ) -> Result<()> {
        self.login_inner(user.as_ref(), password.as_ref(), Some(account.as_ref()))
    }

    fn login_inner(&mut self, user: &[u8], password: &[u8], account: Option<&[u8]>) -> Result<()> {
        let user = c_string(user, "user name")?;
        let password = c_string(password, "password")?;
        let account = account.map(|a| c_string(a, "account")).transpose()?;
        let rc = self.raw.login(&user, &password, account.as_deref());
        check(&self.raw, rc)
    }

    /// Send `ACCT account` (RFC 959 §4.1.1); 2xx required.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.acct("dept-42")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn acct(&mut self, account: impl AsRef<[u8]>) -> Result<Reply> {
        let account = c_string(account.as_ref(), "account")?;
        let rc = self.raw.acct(&account);
        self.reply(rc)
    }

    /// Send `QUIT`, read the reply and close the connection (RFC 959
    /// §4.1.1).  The connection is closed even when this fails.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let bye = ftp.quit()?;
    /// assert_eq!(bye.code, 221);
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn quit(&mut self) -> Result<Reply> {
        let rc = self.raw.quit();
        self.reply(rc)
    }

    /// Close the control connection (and any data connection) without
    /// sending anything.  Never fails; the session can connect again.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.close();
    /// assert!(!ftp.is_connected());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn close(&mut self) {
        self.raw.close();
    }

    // -----------------------------------------------------------------
    // TLS (RFC 4217)
    // -----------------------------------------------------------------

    /// Secure the control connection of a plain session now: `AUTH TLS`
    /// (234 required) and the handshake, verified as configured (ftplib's
    /// `FTP_TLS.auth()`).  Data stays clear until [`prot_p`](Session::prot_p).
    /// Errors: reply errors (AUTH refused; still usable in clear),
    /// [`Error::Certificate`], [`Error::Tls`], [`Error::State`] (already
    /// secured).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.auth()?;
    /// ftp.login("user", "12345")?;
    /// ftp.prot_p()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn auth(&mut self) -> Result<Reply> {
        let rc = self.raw.auth();
        self.reply(rc)
    }

    /// Protect data connections: `PBSZ 0` then `PROT P` (RFC 4217 §8-9).
    /// [`Error::State`] without a secured control connection.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.prot_p()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn prot_p(&mut self) -> Result<Reply> {
        let rc = self.raw.prot_p();
        self.reply(rc)
    }

    /// Clear data connections: `PROT C` (RFC 4217 §9).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.prot_c()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn prot_c(&mut self) -> Result<Reply> {
        let rc = self.raw.prot_c();
        self.reply(rc)
    }

    /// `CCC` (RFC 4217 §6): after the 200 reply the control connection
    /// continues in plain text; data protection is unchanged.
    /// [`Error::State`] when not secured.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.ccc()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn ccc(&mut self) -> Result<Reply> {
        let rc = self.raw.ccc();
        self.reply(rc)
    }

    // -----------------------------------------------------------------
    // Commands
    // -----------------------------------------------------------------

    /// The reply after a successful call, or the error.
    fn reply(&self, rc: c_int) -> Result<Reply> {
        check(&self.raw, rc)?;
        Ok(self.last_reply())
    }

    /// Send one command line (without line end) and read its reply
    /// (ftplib's `sendcmd`).  1xx, 2xx and 3xx replies are returned;
    /// 4xx is [`Error::Transient`], 5xx [`Error::Permanent`]; CR or LF in
    /// `cmd` is [`Error::InvalidInput`] (nothing sent).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let r = ftp.send_cmd("SYST")?;
    /// println!("{} {}", r.code, r.text);
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn send_cmd(&mut self, cmd: impl AsRef<[u8]>) -> Result<Reply> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        let rc = self.raw.sendcmd(&cmd);
        self.reply(rc)
    }

    /// As [`send_cmd`](Session::send_cmd), but only a 2xx reply is success;
    /// 1xx/3xx is [`Error::Reply`] (ftplib's `voidcmd`).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.void_cmd("TYPE I")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn void_cmd(&mut self, cmd: impl AsRef<[u8]>) -> Result<Reply> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        let rc = self.raw.voidcmd(&cmd);
        self.reply(rc)
    }

    /// Change the working directory: `CWD path`, or `CDUP` for `".."`
    /// (RFC 959 §4.1.1).  2xx required.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.cwd("pub")?;
    /// ftp.cwd("..")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<Reply> {
        let path = c_string(path.as_ref(), "path")?;
        let rc = self.raw.cwd(&path);
        self.reply(rc)
    }

    /// The working directory (`PWD`, RFC 959 §4.1.3 and Appendix II), with
    /// the 257 reply's quoting undone; bytes that are not UTF-8 are replaced
    /// (use [`pwd_bytes`](Session::pwd_bytes) for the exact name).
    /// [`Error::Protocol`] if the reply has no well-formed quoted name.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// println!("in {}", ftp.pwd()?);
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn pwd(&mut self) -> Result<String> {
        self.pwd_bytes().map(lossy)
    }

    /// [`pwd`](Session::pwd) as raw bytes.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let dir: Vec<u8> = ftp.pwd_bytes()?;
    /// ftp.cwd(&dir)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn pwd_bytes(&mut self) -> Result<Vec<u8>> {
        let (rc, dir) = self.raw.pwd();
        check(&self.raw, rc)?;
        Ok(dir)
    }

    /// Make a directory (`MKD`, RFC 959 §4.1.3); returns the path the 257
    /// reply names (quoting undone), or `""` if the server named none in
    /// the usual form.  Lossy for non-UTF-8 names: see
    /// [`mkd_bytes`](Session::mkd_bytes).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let created = ftp.mkd("new-dir")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn mkd(&mut self, path: impl AsRef<[u8]>) -> Result<String> {
        self.mkd_bytes(path).map(lossy)
    }

    /// [`mkd`](Session::mkd) returning the created path as raw bytes.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let created = ftp.mkd_bytes(b"caf\xe9")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn mkd_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<u8>> {
        let path = c_string(path.as_ref(), "path")?;
        let (rc, made) = self.raw.mkd(&path);
        check(&self.raw, rc)?;
        Ok(made)
    }

    /// Remove a directory (`RMD`, RFC 959 §4.1.3); 2xx required.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.rmd("old-dir")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn rmd(&mut self, path: impl AsRef<[u8]>) -> Result<Reply> {
        let path = c_string(path.as_ref(), "path")?;
        let rc = self.raw.rmd(&path);
        self.reply(rc)
    }

    /// Delete a file (`DELE`, RFC 959 §4.1.3); 2xx required.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.delete("old.txt")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<Reply> {
        let path = c_string(path.as_ref(), "path")?;
        let rc = self.raw.delete(&path);
        self.reply(rc)
    }

    /// Rename with `RNFR from` (3xx required) then `RNTO to` (2xx
    /// required), RFC 959 §4.1.3.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.rename("draft.txt", "final.txt")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<Reply> {
        let from = c_string(from.as_ref(), "path")?;
        let to = c_string(to.as_ref(), "path")?;
        let rc = self.raw.rename(&from, &to);
        self.reply(rc)
    }

    /// The size of a file in bytes (`SIZE`, RFC 3659 §4), after switching to
    /// binary type.  [`Error::Protocol`] if the 213 reply is not a number.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let n = ftp.size("big.iso")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        let path = c_string(path.as_ref(), "path")?;
        let (rc, n) = self.raw.size(&path);
        check(&self.raw, rc)?;
        Ok(n)
    }

    /// Send `NOOP` (RFC 959 §4.1.3); 2xx required.  Keeps an idle
    /// connection alive.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.noop()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn noop(&mut self) -> Result<Reply> {
        let rc = self.raw.noop();
        self.reply(rc)
    }

    /// Send `ABOR` (RFC 959 §4.1.3) with Telnet IP and Synch, as ftplib
    /// does; 225, 226 and 426 count as success.  With no transfer running
    /// it only sends the command.  To stop a pull transfer use
    /// [`RetrReader::abort`]; to stop a push transfer return an error (or
    /// [`ControlFlow::Break`]) from its callback, or use a [`Canceler`].
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.abort()?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn abort(&mut self) -> Result<Reply> {
        let rc = self.raw.abort();
        self.reply(rc)
    }

    // -----------------------------------------------------------------
    // Listings
    // -----------------------------------------------------------------

    /// Run any listing-style command (`"LIST -a"`, `"NLST *.txt"`,
    /// `"RETR notes.txt"`, ...) in ASCII mode and hand each line, without
    /// its CRLF, to `f` (ftplib's `retrlines`).  `f` returns
    /// [`ControlFlow::Break`] to stop early: the transfer is aborted and the
    /// call returns [`Error::Aborted`].  A line over the line limit is
    /// [`Error::Protocol`].
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.retrlines("LIST -a", |line| {
    ///     println!("{}", String::from_utf8_lossy(line));
    ///     ControlFlow::Continue(())
    /// })?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retrlines(
        &mut self,
        cmd: impl AsRef<[u8]>,
        mut f: impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<()> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        let mut cb = |line: &[u8]| flow(f(line));
        let outcome = self.raw.retrlines(&cmd, &mut cb);
        check_outcome(&self.raw, outcome)
    }

    /// Names in a directory (`NLST`, RFC 959 §4.1.3); `path` `""` lists the
    /// working directory.  Lossy for names that are not UTF-8: see
    /// [`nlst_bytes`](Session::nlst_bytes).  Some servers answer an empty
    /// directory with 550 ([`Error::Permanent`]).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for name in ftp.nlst("pub")? {
    ///     println!("{name}");
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        Ok(self.nlst_bytes(path)?.into_iter().map(lossy).collect())
    }

    /// [`nlst`](Session::nlst) with the names as raw bytes.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for name in ftp.nlst_bytes("")? {
    ///     ftp.delete(&name)?;
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        let path = opt_path(path.as_ref())?;
        let mut names = Vec::new();
        let mut cb = |line: &[u8]| {
            names.push(line.to_vec());
            Ok(())
        };
        let outcome = self.raw.nlst(path.as_deref(), &mut cb);
        check_outcome(&self.raw, outcome)?;
        Ok(names)
    }

    /// The raw lines of a `LIST` (RFC 959 §4.1.3; ftplib's `dir`), whose
    /// format the RFC leaves to the server; `path` `""` lists the working
    /// directory.  Lossy for bytes that are not UTF-8: see
    /// [`list_bytes`](Session::list_bytes); parsed entries:
    /// [`list_entries`](Session::list_entries), or better
    /// [`mlsd`](Session::mlsd).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for line in ftp.list("")? {
    ///     println!("{line}");
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        Ok(self.list_bytes(path)?.into_iter().map(lossy).collect())
    }

    /// [`list`](Session::list) with the lines as raw bytes.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let lines: Vec<Vec<u8>> = ftp.list_bytes("pub")?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn list_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        let path = opt_path(path.as_ref())?;
        let mut lines = Vec::new();
        let mut cb = |line: &[u8]| {
            lines.push(line.to_vec());
            Ok(())
        };
        let outcome = self.raw.list(path.as_deref(), &mut cb);
        check_outcome(&self.raw, outcome)?;
        Ok(lines)
    }

    /// `LIST` parsed into [`Entry`] values, for servers without `MLSD`.
    /// Understands the Unix `ls -l` form (what vsftpd, pyftpdlib, ProFTPD
    /// and most servers send) and the DOS/IIS form; dates are read as UTC
    /// and a date without a year gets the most recent year that does not
    /// put it in the future.  `total N` lines are skipped; any other line
    /// in neither form is [`Error::Protocol`] (use
    /// [`list`](Session::list) for such servers).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for e in ftp.list_entries("")? {
    ///     println!("{} {:?} {:?}", e.name(), e.kind(), e.size());
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn list_entries(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
        let now = SystemTime::now();
        let mut entries = Vec::new();
        for line in self.list_bytes(path)? {
            if line.is_empty() || line.starts_with(b"total ") {
                continue;
            }
            match parse_list_line(&line, now) {
                Some(e) => entries.push(e),
                None => {
                    return Err(Error::Protocol {
                        message: format!(
                            "unrecognized LIST line: {:?}",
                            String::from_utf8_lossy(&line)
                        ),
                    })
                }
            }
        }
        Ok(entries)
    }

    /// A directory listing with facts (`MLSD`, RFC 3659 §7): name, kind,
    /// size, modification time and every fact per entry; `path` `""` lists
    /// the working directory.  The server must support MLSD (see
    /// [`feature`](Session::feature)`("MLST")`); a malformed entry line is
    /// [`Error::Protocol`].
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// for e in ftp.mlsd("pub")? {
    ///     println!("{} {:?} {:?} {:?}", e.name(), e.kind(), e.size(), e.modified());
    /// }
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        self.mlsd_each(path, |e| {
            entries.push(e);
            ControlFlow::Continue(())
        })?;
        Ok(entries)
    }

    /// [`mlsd`](Session::mlsd) streamed: each entry goes to `f` as it
    /// arrives, so memory does not grow with the listing.  `f` returns
    /// [`ControlFlow::Break`] to stop ([`Error::Aborted`]).
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut files = 0;
    /// ftp.mlsd_each("", |e| {
    ///     files += usize::from(e.kind() == &ftpkit::EntryKind::File);
    ///     ControlFlow::Continue(())
    /// })?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn mlsd_each(
        &mut self,
        path: impl AsRef<[u8]>,
        mut f: impl FnMut(Entry) -> ControlFlow<()>,
    ) -> Result<()> {
        let path = opt_path(path.as_ref())?;
        let mut cb = |name: &[u8], facts: &[(&[u8], &[u8])]| flow(f(Entry::from_mlsd(name, facts)));
        let outcome = self.raw.mlsd(path.as_deref(), &mut cb);
        check_outcome(&self.raw, outcome)
    }

    // -----------------------------------------------------------------
    // Downloads
    // -----------------------------------------------------------------

    /// Download `path` in binary mode into `out` (`RETR`, RFC 959
    /// §4.1.3); returns the number of bytes received.  Success means the
    /// data ended cleanly and the final reply was 2xx; `out` is flushed.
    ///
    /// Errors: reply errors ([`Error::Permanent`] 550: no such file),
    /// [`Error::Io`] (data connection failed; or `out` failed, which is
    /// then the error's [`source`](std::error::Error::source)),
    /// [`Error::Timeout`].  A panic in `out` stops the transfer (`ABOR`) and
    /// resumes after the library call returned; the session stays usable.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut data = Vec::new();
    /// let n = ftp.retr("pub/readme.txt", &mut data)?;
    /// assert_eq!(n as usize, data.len());
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retr<W: Write + ?Sized>(&mut self, path: impl AsRef<[u8]>, out: &mut W) -> Result<u64> {
        self.retr_from(path, 0, out)
    }

    /// [`retr`](Session::retr) resuming at byte `offset` (`REST offset`
    /// first, RFC 3659 §5): the bytes from `offset` on go to `out`.
    ///
    /// ```no_run
    /// use std::fs::OpenOptions;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut part = OpenOptions::new().append(true).open("big.iso.part").unwrap();
    /// let have = part.metadata().unwrap().len();
    /// ftp.retr_from("big.iso", have, &mut part)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retr_from<W: Write + ?Sized>(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut W,
    ) -> Result<u64> {
        let cmd = command("RETR", path.as_ref())?;
        self.retrbinary_c(&cmd, offset, out)
    }

    /// Download with any RETR-style command (ftplib's `retrbinary`), binary
    /// mode, from `offset` (0: the start).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut out = Vec::new();
    /// ftp.retrbinary("RETR data.bin", 0, &mut out)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retrbinary<W: Write + ?Sized>(
        &mut self,
        cmd: impl AsRef<[u8]>,
        offset: u64,
        out: &mut W,
    ) -> Result<u64> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        self.retrbinary_c(&cmd, offset, out)
    }

    fn retrbinary_c<W: Write + ?Sized>(
        &mut self,
        cmd: &CString,
        offset: u64,
        out: &mut W,
    ) -> Result<u64> {
        let mut cb = |block: &[u8]| out.write_all(block).map_err(Stop::Io);
        let outcome = self.raw.retrbinary(cmd, offset, &mut cb);
        check_outcome(&self.raw, outcome)?;
        out.flush().map_err(|e| Error::Io {
            message: format!("flushing the output failed: {e}"),
            source: Some(e),
        })?;
        Ok(self.raw.transfer_bytes())
    }

    /// Download `path` as a reader (the pull API): the transfer is open
    /// when this returns; read it with [`std::io::Read`], then call
    /// [`RetrReader::finish`] — **only `finish` tells whether the download
    /// succeeded**.
    ///
    /// ```no_run
    /// use std::io::Read;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut r = ftp.retr_reader("notes.txt")?;
    /// let mut text = String::new();
    /// r.read_to_string(&mut text)?;
    /// r.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retr_reader(&mut self, path: impl AsRef<[u8]>) -> Result<RetrReader<'_>> {
        self.retr_reader_from(path, 0)
    }

    /// [`retr_reader`](Session::retr_reader) starting at byte `offset`
    /// (`REST`, RFC 3659 §5).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut r = ftp.retr_reader_from("log.txt", 1000)?;
    /// std::io::copy(&mut r, &mut std::io::stdout())?;
    /// r.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retr_reader_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
    ) -> Result<RetrReader<'_>> {
        let cmd = command("RETR", path.as_ref())?;
        let (rc, size) = self.raw.transfer_open(&cmd, ffi::FTP_TYPE_BINARY, offset);
        check(&self.raw, rc)?;
        Ok(RetrReader::new(self, size))
    }

    /// Download `path` straight into the open file descriptor `fd`, written
    /// at its current offset; `offset` > 0 sends `REST` first.  On plain
    /// connections the data moves with `splice(2)` and never enters user
    /// space.  Returns the bytes written to `fd`.  A write error on `fd` is
    /// [`Error::Local`] (the transfer is aborted, the session stays usable).
    /// `fd` stays open.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let file = std::fs::File::create("big.iso").unwrap();
    /// ftp.retr_fd("big.iso", 0, &file)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retr_fd(&mut self, path: impl AsRef<[u8]>, offset: u64, fd: impl AsFd) -> Result<u64> {
        let path = c_string(path.as_ref(), "path")?;
        let rc = self.raw.retr_fd(&path, offset, fd.as_fd());
        check(&self.raw, rc)?;
        Ok(self.raw.transfer_bytes())
    }

    // -----------------------------------------------------------------
    // Uploads
    // -----------------------------------------------------------------

    /// Upload everything `input` yields to `path` in binary mode (`STOR`,
    /// RFC 959 §4.1.3); returns the bytes sent.  Success requires the data
    /// connection to close cleanly and a 2xx final reply: an upload is never
    /// reported complete otherwise.  An error from `input` aborts the upload
    /// and comes back as [`Error::Io`] with it as the source; a panic in
    /// `input` aborts it and resumes once the library call returned.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut file = std::fs::File::open("report.pdf").unwrap();
    /// ftp.stor("incoming/report.pdf", &mut file)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn stor<R: Read + ?Sized>(&mut self, path: impl AsRef<[u8]>, input: &mut R) -> Result<u64> {
        self.stor_from(path, 0, input)
    }

    /// [`stor`](Session::stor) resuming at byte `offset` of the remote file
    /// (`REST offset` first, RFC 3659 §5); `input` must yield the data from
    /// `offset` on.
    ///
    /// ```no_run
    /// use std::io::{Seek, SeekFrom};
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let have = ftp.size("big.iso")?;
    /// let mut file = std::fs::File::open("big.iso").unwrap();
    /// file.seek(SeekFrom::Start(have)).unwrap();
    /// ftp.stor_from("big.iso", have, &mut file)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn stor_from<R: Read + ?Sized>(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        input: &mut R,
    ) -> Result<u64> {
        let cmd = command("STOR", path.as_ref())?;
        self.storbinary_c(&cmd, offset, input)
    }

    /// Append `input` to `path` (`APPE`, RFC 959 §4.1.3), binary mode;
    /// creates the file if it does not exist.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.append("log.txt", &mut &b"one more line\n"[..])?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn append<R: Read + ?Sized>(
        &mut self,
        path: impl AsRef<[u8]>,
        input: &mut R,
    ) -> Result<u64> {
        let cmd = command("APPE", path.as_ref())?;
        self.storbinary_c(&cmd, 0, input)
    }

    /// Upload with any STOR-style command (`"STOU"`, ...) in binary mode
    /// (ftplib's `storbinary`), `REST offset` first when `offset` > 0.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.storbinary("STOR data.bin", 0, &mut &[1u8, 2, 3][..])?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn storbinary<R: Read + ?Sized>(
        &mut self,
        cmd: impl AsRef<[u8]>,
        offset: u64,
        input: &mut R,
    ) -> Result<u64> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        self.storbinary_c(&cmd, offset, input)
    }

    fn storbinary_c<R: Read + ?Sized>(
        &mut self,
        cmd: &CString,
        offset: u64,
        input: &mut R,
    ) -> Result<u64> {
        let mut cb = |buf: &mut [u8]| read_retrying(input, buf);
        let outcome = self.raw.storbinary(cmd, offset, &mut cb);
        check_outcome(&self.raw, outcome)?;
        Ok(self.raw.transfer_bytes())
    }

    /// Upload text in ASCII mode with any STOR-style command: every line
    /// end (LF or CRLF) in `input` is sent as CRLF (ftplib's `storlines`).
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// ftp.storlines("STOR notes.txt", &mut &b"line 1\nline 2\n"[..])?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn storlines<R: Read + ?Sized>(
        &mut self,
        cmd: impl AsRef<[u8]>,
        input: &mut R,
    ) -> Result<u64> {
        let cmd = c_string(cmd.as_ref(), "command")?;
        let mut cb = |buf: &mut [u8]| read_retrying(input, buf);
        let outcome = self.raw.storlines(&cmd, &mut cb);
        check_outcome(&self.raw, outcome)?;
        Ok(self.raw.transfer_bytes())
    }

    /// Upload to `path` as a writer (the pull API): write with
    /// [`std::io::Write`], then call [`StorWriter::finish`] — only its
    /// success means the server has the file.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let mut w = ftp.stor_writer("out.csv")?;
    /// writeln!(w, "a,b,c")?;
    /// w.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stor_writer(&mut self, path: impl AsRef<[u8]>) -> Result<StorWriter<'_>> {
        let cmd = command("STOR", path.as_ref())?;
        let (rc, _) = self.raw.transfer_open(&cmd, ffi::FTP_TYPE_BINARY, 0);
        check(&self.raw, rc)?;
        Ok(StorWriter::new(self))
    }

    /// Upload the rest of the open file descriptor `fd` (from its current
    /// offset) to `path`; `offset` > 0 sends `REST` first (position `fd`
    /// to match).  Regular files go with `sendfile(2)` on plain
    /// connections.  A read error on `fd` aborts the upload and is
    /// [`Error::Local`].  `fd` stays open.
    ///
    /// ```no_run
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let file = std::fs::File::open("big.iso").unwrap();
    /// ftp.stor_fd("big.iso", 0, &file)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn stor_fd(&mut self, path: impl AsRef<[u8]>, offset: u64, fd: impl AsFd) -> Result<u64> {
        let path = c_string(path.as_ref(), "path")?;
        let rc = self.raw.stor_fd(&path, offset, fd.as_fd());
        check(&self.raw, rc)?;
        Ok(self.raw.transfer_bytes())
    }
}

impl Session {
    /// Download many files at once over up to `parallel` sessions: this one
    /// plus `parallel - 1` helper sessions that the library opens with the
    /// same options, host, port and login, in the same working directory
    /// (`parallel` 0 or 1: this session alone; at most 64).  Each job is
    /// fetched as [`retr_fd`](Session::retr_fd) would, in no particular
    /// order; a helper that cannot log in leaves its share to the others.
    /// A [`Canceler`] of this session cancels every worker.
    ///
    /// Returns `Ok(())` when every file arrived, otherwise the error of the
    /// first failed job (by index; a reply code and text in it are this
    /// session's last reply, which may belong to another file); each job's
    /// [`result`](FileJob::result) and [`bytes`](FileJob::bytes) tell the
    /// details.  [`Error::InvalidInput`] (nothing sent) for CR/LF in a
    /// path, [`Error::State`] if not connected.
    ///
    /// ```no_run
    /// use std::fs::File;
    /// use ftpkit::FileJob;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let files: Vec<File> = (0..8).map(|i| File::create(format!("part{i}")).unwrap()).collect();
    /// let mut jobs = files
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, f)| FileJob::new(format!("part{i}"), f))
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// ftp.retr_files(&mut jobs, 4)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn retr_files(&mut self, jobs: &mut [FileJob<'_>], parallel: u32) -> Result<()> {
        self.transfer_files(false, jobs, parallel)
    }

    /// Upload many files at once (`STOR path` from each job's descriptor,
    /// as [`stor_fd`](Session::stor_fd)) over up to `parallel` sessions;
    /// otherwise as [`retr_files`](Session::retr_files).
    ///
    /// ```no_run
    /// use std::fs::File;
    /// use ftpkit::FileJob;
    /// # let mut ftp = ftpkit::Session::connect("127.0.0.1", 21, &ftpkit::Config::new())?;
    /// let (a, b) = (File::open("a.bin").unwrap(), File::open("b.bin").unwrap());
    /// let mut jobs = [FileJob::new("a.bin", &a)?, FileJob::new("b.bin", &b)?];
    /// ftp.stor_files(&mut jobs, 2)?;
    /// # Ok::<(), ftpkit::Error>(())
    /// ```
    pub fn stor_files(&mut self, jobs: &mut [FileJob<'_>], parallel: u32) -> Result<()> {
        self.transfer_files(true, jobs, parallel)
    }

    fn transfer_files(
        &mut self,
        upload: bool,
        jobs: &mut [FileJob<'_>],
        parallel: u32,
    ) -> Result<()> {
        let items: Vec<_> = jobs.iter().map(|j| (j.path.as_c_str(), j.fd)).collect();
        let (rc, outcome) = self.raw.transfer_files(upload, &items, parallel);
        for (job, (status, bytes)) in jobs.iter_mut().zip(outcome) {
            job.status = status;
            job.bytes = bytes;
        }
        check(&self.raw, rc)
    }
}

fn flow(c: ControlFlow<()>) -> ffi::Flow {
    match c {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(Stop::Break),
    }
}

/// The library versions this crate supports: 0.1.x.
fn check_library_version() -> Result<()> {
    let v = ffi::version();
    let (major, minor) = (v >> 16, (v >> 8) & 0xff);
    if major == 0 && minor == 1 {
        Ok(())
    } else {
        Err(Error::IncompatibleLibrary {
            message: format!(
                "libftpkit {} is loaded; this crate supports 0.1.x",
                ffi::version_string()
            ),
        })
    }
}

// Session moves between threads; the compiler checks it here once more.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Session>();
    assert_send::<Canceler>();
};
