//! [`Config`]: the options a [`Session`](crate::Session) is created with.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the connection is secured (RFC 4217).
///
/// ```
/// use ftpkit::{Config, TlsMode};
/// let config = Config::new().tls(TlsMode::Explicit);
/// assert_eq!(config.tls_mode(), TlsMode::Explicit);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TlsMode {
    /// Plain FTP (the default).  [`Session::auth`](crate::Session::auth)
    /// can still secure the session later.
    #[default]
    Plain,
    /// Explicit FTPS (RFC 4217 §4): `AUTH TLS` right after the greeting;
    /// connecting fails if the server refuses, so nothing is ever sent in
    /// clear.  After login `PBSZ 0` and `PROT P` protect the data too.
    Explicit,
    /// Implicit FTPS: TLS from the first byte (port 990 by convention), then
    /// `PBSZ 0` and `PROT P` after login.
    Implicit,
}

/// A TLS protocol version, for [`Config::tls_versions`].
///
/// ```
/// use ftpkit::{Config, TlsVersion};
/// let config = Config::new().tls_versions(TlsVersion::Tls13, None);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2 (the default minimum).
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// Which address family [`Session::connect`](crate::Session::connect) may
/// use for a host name.
///
/// ```
/// use ftpkit::{AddressFamily, Config};
/// let config = Config::new().address_family(AddressFamily::V4);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AddressFamily {
    /// Any (the default): every resolved address is tried.
    #[default]
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// Options for a [`Session`](crate::Session), set with chained calls.
/// Unset values keep the library's defaults: passive mode with EPSV tried
/// first, 30 s timeouts, TLS off, certificates verified against the system
/// store.
///
/// A `Config` is applied when a session is created
/// ([`Session::connect`](crate::Session::connect),
/// [`Session::new`](crate::Session::new)) or with
/// [`Session::configure`](crate::Session::configure); paths are checked
/// then (a path with a NUL byte is [`Error::InvalidInput`](crate::Error::InvalidInput)),
/// files are read at connect time.
///
/// ```
/// use std::time::Duration;
/// use ftpkit::{Config, TlsMode};
///
/// let config = Config::new()
///     .timeout(Duration::from_secs(10))
///     .tls(TlsMode::Explicit)
///     .ca_file("/etc/ftpkit/ca.pem")
///     .passive(true);
/// assert_eq!(config.tls_mode(), TlsMode::Explicit);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) reply_timeout: Option<Duration>,
    pub(crate) data_timeout: Option<Duration>,
    pub(crate) tls: TlsMode,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) ca_dir: Option<PathBuf>,
    pub(crate) ca_certs: Vec<Vec<u8>>,
    pub(crate) accept_invalid_certs: bool,
    pub(crate) client_cert: Option<(PathBuf, Option<PathBuf>)>,
    pub(crate) server_name: Option<String>,
    pub(crate) tls_versions: Option<(TlsVersion, Option<TlsVersion>)>,
    pub(crate) auth_ssl_fallback: bool,
    pub(crate) passive: bool,
    pub(crate) epsv: bool,
    pub(crate) trust_pasv_host: bool,
    pub(crate) family: AddressFamily,
    pub(crate) source_address: Option<SocketAddr>,
    pub(crate) max_line: Option<usize>,
    pub(crate) max_reply_size: Option<usize>,
    pub(crate) block_size: Option<usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            connect_timeout: None,
            reply_timeout: None,
            data_timeout: None,
            tls: TlsMode::Plain,
            ca_file: None,
            ca_dir: None,
            ca_certs: Vec::new(),
            accept_invalid_certs: false,
            client_cert: None,
            server_name: None,
            tls_versions: None,
            auth_ssl_fallback: false,
            passive: true,
            epsv: true,
            trust_pasv_host: false,
            family: AddressFamily::Any,
            source_address: None,
            max_line: None,
            max_reply_size: None,
            block_size: None,
        }
    }
}

impl Config {
    /// The library's defaults (same as `Config::default()`).
    ///
    /// ```
    /// let config = ftpkit::Config::new();
    /// assert_eq!(config.tls_mode(), ftpkit::TlsMode::Plain);
    /// ```
    pub fn new() -> Config {
        Config::default()
    }

    /// Set the connect, reply and data timeouts at once (default 30 s each;
    /// rounded up to whole milliseconds; zero is rejected with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when applied).
    ///
    /// ```
    /// let config = ftpkit::Config::new().timeout(std::time::Duration::from_secs(5));
    /// # let _ = config;
    /// ```
    pub fn timeout(self, timeout: Duration) -> Config {
        self.connect_timeout(timeout)
            .reply_timeout(timeout)
            .data_timeout(timeout)
    }

    /// Deadline for establishing the control connection (all addresses of
    /// the host together) and, in passive mode, each data connection.
    ///
    /// ```
    /// let config = ftpkit::Config::new().connect_timeout(std::time::Duration::from_secs(3));
    /// # let _ = config;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Config {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Deadline for one complete reply, counted from sending the command (or
    /// from the end of the data for a transfer's final reply).
    ///
    /// ```
    /// let config = ftpkit::Config::new().reply_timeout(std::time::Duration::from_secs(20));
    /// # let _ = config;
    /// ```
    pub fn reply_timeout(mut self, timeout: Duration) -> Config {
        self.reply_timeout = Some(timeout);
        self
    }

    /// Deadline for the server to connect in active mode, and the longest a
    /// data connection may stay idle.
    ///
    /// ```
    /// let config = ftpkit::Config::new().data_timeout(std::time::Duration::from_secs(60));
    /// # let _ = config;
    /// ```
    pub fn data_timeout(mut self, timeout: Duration) -> Config {
        self.data_timeout = Some(timeout);
        self
    }

    /// Choose plain FTP, explicit or implicit FTPS (RFC 4217).  With TLS the
    /// server certificate is verified unless
    /// [`danger_accept_invalid_certs`](Config::danger_accept_invalid_certs)
    /// is set.
    ///
    /// ```
    /// let config = ftpkit::Config::new().tls(ftpkit::TlsMode::Implicit);
    /// # let _ = config;
    /// ```
    pub fn tls(mut self, mode: TlsMode) -> Config {
        self.tls = mode;
        self
    }

    /// The TLS mode set with [`tls`](Config::tls).
    ///
    /// ```
    /// assert_eq!(ftpkit::Config::new().tls_mode(), ftpkit::TlsMode::Plain);
    /// ```
    pub fn tls_mode(&self) -> TlsMode {
        self.tls
    }

    /// Trust the CA certificates in this PEM file instead of the system
    /// store.  Read at connect; an unreadable file gives
    /// [`Error::Tls`](crate::Error::Tls) then.
    ///
    /// ```
    /// let config = ftpkit::Config::new().ca_file("/etc/ssl/my-ca.pem");
    /// # let _ = config;
    /// ```
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Config {
        self.ca_file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Trust the CA certificates in this hashed directory (`c_rehash`
    /// layout) instead of the system store.
    ///
    /// ```
    /// let config = ftpkit::Config::new().ca_dir("/etc/ssl/my-cas");
    /// # let _ = config;
    /// ```
    pub fn ca_dir(mut self, path: impl AsRef<Path>) -> Config {
        self.ca_dir = Some(path.as_ref().to_path_buf());
        self
    }

    /// Trust one more CA certificate given in memory (DER or PEM bytes,
    /// copied); like [`ca_file`](Config::ca_file) it replaces the system
    /// store.  May be called several times.  A certificate that does not
    /// parse gives [`Error::Tls`](crate::Error::Tls) at connect; an empty
    /// one [`Error::InvalidInput`](crate::Error::InvalidInput) when applied.
    ///
    /// ```no_run
    /// let pem = std::fs::read("ca.pem")?;
    /// let config = ftpkit::Config::new().add_ca_cert(pem);
    /// # let _ = config;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add_ca_cert(mut self, der_or_pem: impl Into<Vec<u8>>) -> Config {
        self.ca_certs.push(der_or_pem.into());
        self
    }

    /// **Dangerous**: turn certificate and host name verification off.
    /// Any man in the middle can then read and change the session,
    /// password included.  Meant for tests against self-signed servers.
    ///
    /// ```
    /// let config = ftpkit::Config::new().danger_accept_invalid_certs(true);
    /// # let _ = config;
    /// ```
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Config {
        self.accept_invalid_certs = accept;
        self
    }

    /// Present a client certificate: `cert` is a PEM file with the
    /// certificate (and any intermediate certificates), `key` the PEM file
    /// with its private key.  Loaded at connect; an unreadable or
    /// mismatched file gives [`Error::Tls`](crate::Error::Tls) then.
    ///
    /// ```
    /// let config = ftpkit::Config::new().client_cert("client.pem", "client.key");
    /// # let _ = config;
    /// ```
    pub fn client_cert(mut self, cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Config {
        self.client_cert = Some((
            cert.as_ref().to_path_buf(),
            Some(key.as_ref().to_path_buf()),
        ));
        self
    }

    /// Present a client certificate whose private key is in the same PEM
    /// file as the certificate.
    ///
    /// ```
    /// let config = ftpkit::Config::new().client_cert_pem("client-with-key.pem");
    /// # let _ = config;
    /// ```
    pub fn client_cert_pem(mut self, cert_and_key: impl AsRef<Path>) -> Config {
        self.client_cert = Some((cert_and_key.as_ref().to_path_buf(), None));
        self
    }

    /// The name sent as SNI and verified against the certificate, when it
    /// differs from the host given to connect (e.g. connecting to an IP
    /// address).
    ///
    /// ```
    /// let config = ftpkit::Config::new().server_name("ftp.example.com");
    /// # let _ = config;
    /// ```
    pub fn server_name(mut self, name: impl Into<String>) -> Config {
        self.server_name = Some(name.into());
        self
    }

    /// Allowed TLS versions: at least `min` (default TLS 1.2), at most `max`
    /// (`None`: the newest supported).
    ///
    /// ```
    /// use ftpkit::TlsVersion;
    /// let config = ftpkit::Config::new().tls_versions(TlsVersion::Tls12, Some(TlsVersion::Tls12));
    /// # let _ = config;
    /// ```
    pub fn tls_versions(mut self, min: TlsVersion, max: Option<TlsVersion>) -> Config {
        self.tls_versions = Some((min, max));
        self
    }

    /// When the server refuses `AUTH TLS` with 5xx, try the older `AUTH
    /// SSL` (default: fail).
    ///
    /// ```
    /// let config = ftpkit::Config::new().auth_ssl_fallback(true);
    /// # let _ = config;
    /// ```
    pub fn auth_ssl_fallback(mut self, fallback: bool) -> Config {
        self.auth_ssl_fallback = fallback;
        self
    }

    /// Passive (`true`, the default) or active (`false`) data connections
    /// (RFC 959 §3.2, RFC 2428), like ftplib's `set_pasv()`.
    ///
    /// ```
    /// let active = ftpkit::Config::new().passive(false);
    /// # let _ = active;
    /// ```
    pub fn passive(mut self, passive: bool) -> Config {
        self.passive = passive;
        self
    }

    /// Try `EPSV` before `PASV` (default `true`; RFC 2428 §3).  A server
    /// that refuses EPSV with 5xx gets PASV from then on anyway; on IPv6
    /// EPSV is always used.
    ///
    /// ```
    /// let config = ftpkit::Config::new().epsv(false);
    /// # let _ = config;
    /// ```
    pub fn epsv(mut self, epsv: bool) -> Config {
        self.epsv = epsv;
        self
    }

    /// Connect data connections to the address a 227 `PASV` reply names
    /// (`true`) instead of the control connection's peer (`false`, the
    /// default and the safe choice).
    ///
    /// ```
    /// let config = ftpkit::Config::new().trust_pasv_host(false);
    /// # let _ = config;
    /// ```
    pub fn trust_pasv_host(mut self, trust: bool) -> Config {
        self.trust_pasv_host = trust;
        self
    }

    /// Restrict name resolution to one address family.
    ///
    /// ```
    /// let config = ftpkit::Config::new().address_family(ftpkit::AddressFamily::V6);
    /// # let _ = config;
    /// ```
    pub fn address_family(mut self, family: AddressFamily) -> Config {
        self.family = family;
        self
    }

    /// Bind the control connection (and active-mode listeners) to this
    /// local address; port 0 picks any port (ftplib's `source_address`).
    ///
    /// ```
    /// let config = ftpkit::Config::new().source_address("127.0.0.1:0".parse().unwrap());
    /// # let _ = config;
    /// ```
    pub fn source_address(mut self, addr: SocketAddr) -> Config {
        self.source_address = Some(addr);
        self
    }

    /// Longest reply line accepted, in bytes without the line end (default
    /// 8192, minimum 64).  A longer line is [`Error::Protocol`](crate::Error::Protocol).
    ///
    /// ```
    /// let config = ftpkit::Config::new().max_line(4096);
    /// # let _ = config;
    /// ```
    pub fn max_line(mut self, bytes: usize) -> Config {
        self.max_line = Some(bytes);
        self
    }

    /// Largest total size of one reply, in bytes (default 1 MiB).
    ///
    /// ```
    /// let config = ftpkit::Config::new().max_reply_size(64 * 1024);
    /// # let _ = config;
    /// ```
    pub fn max_reply_size(mut self, bytes: usize) -> Config {
        self.max_reply_size = Some(bytes);
        self
    }

    /// Size of the blocks moved per read or write of a transfer, in bytes
    /// (default 65536, 1 byte .. 64 MiB).
    ///
    /// ```
    /// let config = ftpkit::Config::new().block_size(256 * 1024);
    /// # let _ = config;
    /// ```
    pub fn block_size(mut self, bytes: usize) -> Config {
        self.block_size = Some(bytes);
        self
    }
}
