//! Fixtures: real FTP servers (pyftpdlib, vsftpd plain / explicit FTPS /
//! implicit FTPS / FTPS requiring a client certificate) on 127.0.0.1, test
//! certificates made with the `openssl` command, temporary directories, and
//! tiny scripted servers for the failures real servers do not produce.
//!
//! Each server starts once per test binary (on first use) under a small
//! Python supervisor that kills the server's process group when the test
//! process exits (its stdin pipe closes), so nothing outlives `cargo test`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ftpkit::{Config, Session, TlsMode};

/// Generous: the machine is small and noisy.
pub const TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------

/// A directory removed (recursively) on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory under the system temp dir.
    pub fn new(tag: &str) -> TempDir {
        TempDir::new_in(&std::env::temp_dir(), tag)
    }

    /// A fresh directory under `parent`.
    pub fn new_in(parent: &Path, tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let p = parent.join(format!(
            "ftpkit-rs-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes its directory once stdin reaches EOF (the test process exited).
const JANITOR: &str = r#"
import shutil, sys, time
sys.stdin.buffer.read()
time.sleep(1)  # let the supervisors kill their servers first
shutil.rmtree(sys.argv[1], ignore_errors=True)
"#;

/// The folder for the fixtures that live as long as the test process
/// (certificates, server roots): statics are never dropped, so a janitor
/// process removes it when this process exits.
pub fn fixture_root() -> &'static Path {
    static ROOT: OnceLock<(TempDir, Mutex<Child>)> = OnceLock::new();
    let (dir, _) = ROOT.get_or_init(|| {
        let dir = TempDir::new("fixtures");
        let janitor = Command::new("python3")
            .arg("-c")
            .arg(JANITOR)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("cannot start python3");
        (dir, Mutex::new(janitor))
    });
    dir.path()
}

/// A name no other test uses (for per-test directories on shared servers).
pub fn unique(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{tag}-{}", N.fetch_add(1, Ordering::Relaxed))
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/// Runs argv[1:] in a new session and kills its process group when stdin
/// reaches EOF (the test process exited) or the server exits.
const SUPERVISOR: &str = r#"
import os, signal, subprocess, sys, threading
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, start_new_session=True)
def watch():
    try:
        sys.stdin.buffer.read()
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.exit(p.wait())
"#;

fn supervised(args: &[&str], stdout: Stdio, stderr: Stdio) -> Child {
    Command::new("python3")
        .arg("-c")
        .arg(SUPERVISOR)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("cannot start python3")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Poll until 127.0.0.1:`port` greets with 220 (plain servers), or just
/// accepts connections (implicit TLS, where the greeting is encrypted).
fn wait_ready(port: u16, child: &mut Child, plain: bool) -> Result<(), String> {
    let deadline = Instant::now() + TIMEOUT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("server exited with {status}"));
        }
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) if !plain => {
                drop(s);
                return Ok(());
            }
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut line = String::new();
                let mut r = BufReader::new(&s);
                if r.read_line(&mut line).is_ok() && line.starts_with("220") {
                    let _ = (&s).write_all(b"QUIT\r\n");
                    return Ok(());
                }
                last = line;
            }
            Err(e) => last = e.to_string(),
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err(format!("no 220 on port {port}: {last}"))
}

// ---------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------

/// A test CA, a server certificate for localhost/127.0.0.1 and a client
/// certificate, all signed by the CA.
pub struct Certs {
    _dir: TempDir,
    pub ca_pem: PathBuf,
    pub ca_der: PathBuf,
    pub server_pem: PathBuf,
    pub server_key: PathBuf,
    pub client_pem: PathBuf,
    pub client_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cannot run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let dir = TempDir::new_in(fixture_root(), "certs");
        let d = dir.path();
        std::fs::write(
            d.join("server.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        std::fs::write(
            d.join("client.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        #[rustfmt::skip]
        openssl(d, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "3", "-subj", "/CN=ftpkit rust test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        for who in ["server", "client"] {
            let cn = if who == "server" {
                "/CN=localhost"
            } else {
                "/CN=ftpkit-client"
            };
            #[rustfmt::skip]
            openssl(d, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &format!("{who}.key"),
                "-out", &format!("{who}.csr"), "-subj", cn]);
            #[rustfmt::skip]
            openssl(d, &["x509", "-req", "-in", &format!("{who}.csr"), "-CA", "ca.pem",
                "-CAkey", "ca.key", "-CAcreateserial", "-out", &format!("{who}.pem"),
                "-days", "3", "-extfile", &format!("{who}.ext")]);
        }
        openssl(
            d,
            &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
        );
        for f in ["server.key", "client.key"] {
            std::fs::set_permissions(d.join(f), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        Certs {
            ca_pem: d.join("ca.pem"),
            ca_der: d.join("ca.der"),
            server_pem: d.join("server.pem"),
            server_key: d.join("server.key"),
            client_pem: d.join("client.pem"),
            client_key: d.join("client.key"),
            _dir: dir,
        }
    })
}

// ---------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pyftpd,
    Vsftpd,
}

/// A running server.  `dir` is the on-disk directory that the login
/// user's working directory maps to (for vsftpd: the writable `pub`).
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub user: &'static str,
    pub password: &'static str,
    /// The remote directory tests work in ("" for pyftpdlib's root,
    /// "pub" for vsftpd's anonymous upload dir).
    pub work: &'static str,
    /// The local directory behind `work`.
    pub dir: PathBuf,
    pub tls: TlsMode,
    _child: Mutex<Child>,
    _root: TempDir,
}

impl Server {
    /// A config that reaches this server: TLS mode, trust in the test CA,
    /// and the long test timeout.
    pub fn config(&self) -> Config {
        let c = Config::new().timeout(TIMEOUT).tls(self.tls);
        if self.tls == TlsMode::Plain {
            c
        } else {
            c.ca_file(&certs().ca_pem)
        }
    }

    /// Connect and log in; the session is in a fresh directory of its own
    /// (`work/<tag>-N`), whose remote name and local path are returned.
    pub fn session_in(&self, tag: &str) -> (Session, String, PathBuf) {
        let mut s = self.login(&self.config());
        let name = unique(tag);
        let local = self.dir.join(&name);
        std::fs::create_dir(&local).unwrap();
        self.own(&local);
        if !self.work.is_empty() {
            s.cwd(self.work).unwrap();
        }
        s.cwd(&name).unwrap();
        (s, name, local)
    }

    /// Connect with `config` and log in.
    pub fn login(&self, config: &Config) -> Session {
        let mut s = Session::connect("127.0.0.1", self.port, config)
            .unwrap_or_else(|e| panic!("connect to {:?} port {}: {e}", self.kind, self.port));
        // The trace of the login, shown if it fails.
        let trace = std::sync::Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = std::sync::Arc::clone(&trace);
        s.set_debug(1, move |l| sink.lock().unwrap().push(l.to_owned()))
            .unwrap();
        if let Err(e) = s.login(self.user, self.password) {
            let trace = trace.lock().unwrap().join("\n");
            panic!("login to {:?} ({:?}): {e}\n{trace}", self.kind, self.tls);
        }
        s.set_debug(0, |_| {}).unwrap();
        s
    }

    /// Give a local path to the server's writing user (vsftpd: `ftp`).
    pub fn own(&self, path: &Path) {
        if self.kind == Kind::Vsftpd {
            let out = Command::new("chown")
                .arg("ftp:ftp")
                .arg(path)
                .output()
                .unwrap();
            assert!(out.status.success(), "chown failed");
        }
    }

    /// Write a file for the server to serve (world-readable, owned by the
    /// server's user).
    pub fn put(&self, local_dir: &Path, name: impl AsRef<Path>, data: &[u8]) -> PathBuf {
        let p = local_dir.join(name);
        std::fs::write(&p, data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        self.own(&p);
        p
    }
}

/// pyftpdlib with one thread per session: with the default single-threaded
/// loop, a session occasionally went deaf for 30-60 s when eight tests ran
/// at once (a command never read, "421 Passive data channel timed out").
const PYFTPD: &str = r#"
import logging, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
logging.basicConfig(level=logging.ERROR)
auth = DummyAuthorizer()
auth.add_user("user", "12345", sys.argv[1], perm="elradfmwMT")
class Handler(FTPHandler):
    authorizer = auth
    auth_failed_timeout = 0
    timeout = 600
server = ThreadedFTPServer(("127.0.0.1", 0), Handler)
server.max_cons = 0
print("PORT", server.socket.getsockname()[1], flush=True)
server.serve_forever(timeout=0.5)
"#;

fn start_pyftpd() -> Server {
    let root = TempDir::new_in(fixture_root(), "pyftpd");
    let log = std::fs::File::create(root.path().join("pyftpd.log")).unwrap();
    let files = root.path().join("files");
    std::fs::create_dir(&files).unwrap();
    let mut child = supervised(
        &["python3", "-c", PYFTPD, files.to_str().unwrap()],
        Stdio::piped(),
        Stdio::from(log),
    );
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .strip_prefix("PORT ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("pyftpdlib did not report its port: {line:?}"));
    wait_ready(port, &mut child, true).unwrap();
    Server {
        kind: Kind::Pyftpd,
        port,
        user: "user",
        password: "12345",
        work: "",
        dir: files,
        tls: TlsMode::Plain,
        _child: Mutex::new(child),
        _root: root,
    }
}

/// vsftpd with anonymous access to `<root>/anon`, uploads into `pub`.
fn start_vsftpd(tls: TlsMode, client_cert: bool) -> Server {
    let root = TempDir::new_in(fixture_root(), "vsftpd");
    let anon = root.path().join("anon");
    let pubdir = anon.join("pub");
    let empty = root.path().join("empty");
    for d in [&anon, &pubdir, &empty] {
        std::fs::create_dir(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = Command::new("chown")
        .arg("ftp:ftp")
        .arg(&pubdir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chown ftp:ftp failed (tests need root)"
    );
    let mut last = String::new();
    for _attempt in 0..8 {
        let port = free_port();
        let mut conf = format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n\
             background=NO\nanonymous_enable=YES\nanon_root={anon}\nno_anon_password=YES\n\
             write_enable=YES\nanon_upload_enable=YES\nanon_mkdir_write_enable=YES\n\
             anon_other_write_enable=YES\nanon_umask=022\nlocal_enable=NO\n\
             seccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\nsecure_chroot_dir={empty}\n\
             xferlog_enable=NO\npasv_enable=YES\nport_enable=YES\nconnect_from_port_20=NO\n\
             max_clients=0\nmax_per_ip=0\nidle_session_timeout=600\ndata_connection_timeout=600\n\
             ftpd_banner=ftpkit rust test server (vsftpd) ready.\n",
            anon = anon.display(),
            empty = empty.display(),
        );
        if tls != TlsMode::Plain {
            let c = certs();
            conf.push_str(&format!(
                "ssl_enable=YES\nallow_anon_ssl=YES\nforce_anon_logins_ssl=YES\n\
                 force_anon_data_ssl=YES\nrsa_cert_file={}\nrsa_private_key_file={}\n\
                 require_ssl_reuse=YES\nstrict_ssl_read_eof=YES\nstrict_ssl_write_shutdown=YES\n\
                 implicit_ssl={}\n",
                c.server_pem.display(),
                c.server_key.display(),
                if tls == TlsMode::Implicit {
                    "YES"
                } else {
                    "NO"
                },
            ));
            if client_cert {
                conf.push_str(&format!(
                    "require_cert=YES\nvalidate_cert=YES\nca_certs_file={}\n",
                    c.ca_pem.display()
                ));
            }
        }
        let conf_path = root.path().join("vsftpd.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let err = std::fs::File::create(root.path().join("stderr.txt")).unwrap();
        let mut child = supervised(
            &["/usr/sbin/vsftpd", conf_path.to_str().unwrap()],
            Stdio::null(),
            Stdio::from(err),
        );
        match wait_ready(port, &mut child, tls != TlsMode::Implicit) {
            Ok(()) => {
                return Server {
                    kind: Kind::Vsftpd,
                    port,
                    user: "anonymous",
                    password: "",
                    work: "pub",
                    dir: pubdir,
                    tls,
                    _child: Mutex::new(child),
                    _root: root,
                }
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                last = format!(
                    "{e}; {}",
                    std::fs::read_to_string(root.path().join("stderr.txt")).unwrap_or_default()
                );
            }
        }
    }
    panic!("vsftpd did not start: {last}");
}

pub fn pyftpd() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(start_pyftpd)
}

pub fn vsftpd() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start_vsftpd(TlsMode::Plain, false))
}

pub fn vsftpd_explicit() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start_vsftpd(TlsMode::Explicit, false))
}

pub fn vsftpd_implicit() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start_vsftpd(TlsMode::Implicit, false))
}

/// Explicit FTPS that requires a client certificate signed by the test CA.
pub fn vsftpd_client_cert() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start_vsftpd(TlsMode::Explicit, true))
}

/// All plain servers, for tests that must pass on each.
pub fn plain_servers() -> [&'static Server; 2] {
    [pyftpd(), vsftpd()]
}

/// Servers for tests that abort an upload.
///
/// Not pyftpdlib: when ABOR arrives before it has accepted the data
/// connection it answers "225 ... data channel closed", and then the next
/// RETR on that session stalls after 64 KiB (reproduced with plain ftplib
/// too, so a pyftpdlib bug).
pub fn upload_abort_servers() -> [&'static Server; 2] {
    [vsftpd(), vsftpd_explicit()]
}

// ---------------------------------------------------------------------------
// Scripted servers
// ---------------------------------------------------------------------------

/// One accepted connection of a scripted server, with line helpers.
pub struct Peer {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Peer {
    pub fn send(&mut self, text: &str) {
        let _ = self.stream.write_all(text.as_bytes());
    }

    /// The next command line without CRLF; `None` at EOF or timeout.
    pub fn recv(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_owned()),
        }
    }

    /// Wait until the client closes the connection (or 60 s pass).
    ///
    /// Tests do not join a server thread that waits here: libftpkit's
    /// sockets are not close-on-exec, so a child process that another test
    /// spawns at that moment (openssl, a server) inherits the client's
    /// socket and keeps the connection open after the session is dropped.
    pub fn wait_close(&mut self) {
        let mut sink = Vec::new();
        let _ = self.reader.read_to_end(&mut sink);
    }
}

/// A server on 127.0.0.1 that accepts one connection and runs `script` on
/// it in a thread.  Returns the port and the thread (join it to surface the
/// script's own assertion failures).
pub fn scripted<T: Send + 'static>(
    script: impl FnOnce(Peer) -> T + Send + 'static,
) -> (u16, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        script(Peer { stream, reader })
    });
    (port, handle)
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn refused_port() -> u16 {
    free_port()
}

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

/// Deterministic pseudo-random bytes (xorshift64*), `len` of them.
pub struct Noise {
    state: u64,
    left: u64,
}

impl Noise {
    pub fn new(seed: u64, len: u64) -> Noise {
        Noise {
            state: seed | 1,
            left: len,
        }
    }
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            let v = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    Noise::new(seed, len as u64).read_to_end(&mut v).unwrap();
    v
}
