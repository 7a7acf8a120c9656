//! Every error variant that can be provoked for real: replies from real
//! servers, and scripted TCP servers for malformed replies, silence and
//! hang-ups.

use std::error::Error as _;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ftpkit::{Config, Error, Session};

use crate::common::*;

fn short() -> Config {
    Config::new().timeout(Duration::from_secs(2))
}

#[test]
fn permanent_550() {
    for srv in plain_servers() {
        let (mut s, _, _) = srv.session_in("550");
        let e = s.cwd("missing").unwrap_err();
        match &e {
            Error::Permanent { code: 550, text } => assert!(text.starts_with("550")),
            other => panic!("{:?}: {other:?}", srv.kind),
        }
        assert_eq!(e.reply_code(), Some(550));
        assert!(e.reply_text().unwrap().starts_with("550"));
        assert!(
            e.to_string().starts_with("permanent negative reply: 550"),
            "{e}"
        );
        assert!(e.source().is_none());
        let e = s.retr("missing", &mut Vec::new()).unwrap_err();
        assert!(matches!(e, Error::Permanent { code: 550, .. }), "{e:?}");
        assert!(matches!(
            s.size("missing"),
            Err(Error::Permanent { code: 550, .. })
        ));
        assert!(matches!(
            s.delete("missing"),
            Err(Error::Permanent { code: 550, .. })
        ));
        assert!(matches!(
            s.rmd("missing"),
            Err(Error::Permanent { code: 550, .. })
        ));
        assert!(matches!(
            s.rename("missing", "x"),
            Err(Error::Permanent { code: 550, .. })
        ));
        // Reply errors leave the session usable.
        assert!(s.is_connected());
        s.noop().unwrap();
    }
}

#[test]
fn transient_4xx() {
    // vsftpd answers a data command without PASV/PORT with 425.
    let (mut s, _, _) = vsftpd().session_in("4xx");
    let e = s.send_cmd("LIST").unwrap_err();
    match &e {
        Error::Transient { code: 425, text } => assert!(text.starts_with("425")),
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().starts_with("transient negative reply: 425"),
        "{e}"
    );
    s.noop().unwrap();
    // A 421 greeting refuses the connection.
    let (port, server) = scripted(|mut p| p.send("421 Too many users, try later.\r\n"));
    let e = Session::connect("127.0.0.1", port, &short()).unwrap_err();
    assert!(matches!(e, Error::Transient { code: 421, .. }), "{e:?}");
    server.join().unwrap();
}

#[test]
fn unexpected_reply_class() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("reply");
        srv.put(&dir, "f", b"");
        let e = s.void_cmd("RNFR f").unwrap_err();
        assert!(matches!(e, Error::Reply { code: 350, .. }), "{e:?}");
        assert_eq!(e.reply_code(), Some(350));
        assert!(e.to_string().starts_with("unexpected reply: 350"), "{e}");
        s.void_cmd("RNTO g").unwrap();
    }
}

#[test]
fn protocol_malformed_replies() {
    // A greeting without a reply code.
    let (port, server) = scripted(|mut p| {
        p.send("hello there\r\n");
        p.wait_close();
    });
    let mut s = Session::new(&short()).unwrap();
    let e = s.connect_to("127.0.0.1", port).unwrap_err();
    assert!(matches!(e, Error::Protocol { .. }), "{e:?}");
    assert!(!s.is_connected());
    assert!(e.to_string().starts_with("malformed reply: "), "{e}");
    drop(s);
    drop(server); // detached: see common::Peer::wait_close

    // A line over the configured limit.
    let (port, server) = scripted(|mut p| {
        p.send(&format!("220 {}\r\n", "x".repeat(200)));
        p.wait_close();
    });
    let e = Session::connect("127.0.0.1", port, &short().max_line(64)).unwrap_err();
    assert!(matches!(e, Error::Protocol { .. }), "{e:?}");
    drop(server); // detached: see common::Peer::wait_close

    // A 257 reply without a quoted name; and a SIZE that is not a number.
    let (port, server) = scripted(|mut p| {
        p.send("220 ok\r\n");
        while let Some(cmd) = p.recv() {
            match cmd.split(' ').next().unwrap() {
                "PWD" => p.send("257 no quotes here\r\n"),
                "TYPE" => p.send("200 ok\r\n"),
                "SIZE" => p.send("213 twelve\r\n"),
                "QUIT" => {
                    p.send("221 bye\r\n");
                    break;
                }
                _ => p.send("200 ok\r\n"),
            }
        }
    });
    let mut s = Session::connect("127.0.0.1", port, &short()).unwrap();
    assert!(matches!(s.pwd(), Err(Error::Protocol { .. })));
    if s.is_connected() {
        assert!(matches!(s.size("f"), Err(Error::Protocol { .. })));
    }
    drop(s);
    drop(server); // detached: see common::Peer::wait_close
}

#[test]
fn timeout_on_silence() {
    // Greets, then never answers.
    let (port, server) = scripted(|mut p| {
        p.send("220 hi\r\n");
        p.wait_close();
    });
    let mut s = Session::connect("127.0.0.1", port, &short()).unwrap();
    let e = s.noop().unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.to_string().starts_with("timeout: "), "{e}");
    assert_eq!(io::Error::from(e).kind(), io::ErrorKind::TimedOut);
    assert!(!s.is_connected(), "a timeout closes the connection");
    drop(s);
    drop(server); // detached: see common::Peer::wait_close

    // Accepts, never greets.
    let (port, server) = scripted(|mut p| p.wait_close());
    let e = Session::connect("127.0.0.1", port, &short()).unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    drop(server); // detached: see common::Peer::wait_close
}

#[test]
fn closed_by_server() {
    let (port, server) = scripted(|mut p| {
        p.send("220 hi\r\n");
        let _ = p.recv(); // the first command, then hang up
    });
    let mut s = Session::connect("127.0.0.1", port, &short()).unwrap();
    let e = s.noop().unwrap_err();
    server.join().unwrap();
    assert!(
        matches!(e, Error::Closed { .. } | Error::Io { .. }),
        "{e:?}"
    );
    assert!(!s.is_connected());
    // Hang-up before the greeting.
    let (port, server) = scripted(drop);
    let e = Session::connect("127.0.0.1", port, &short()).unwrap_err();
    assert!(matches!(e, Error::Closed { .. }), "{e:?}");
    server.join().unwrap();
}

#[test]
fn resolve_failure() {
    let e = Session::connect("no-such-host.invalid", 21, &short()).unwrap_err();
    assert!(matches!(e, Error::Resolve { .. }), "{e:?}");
    assert!(e.to_string().contains("no-such-host.invalid"), "{e}");
}

#[test]
fn io_connection_refused() {
    let e = Session::connect("127.0.0.1", refused_port(), &short()).unwrap_err();
    match &e {
        Error::Io { message, source } => {
            assert!(message.contains("refused"), "{message}");
            assert!(source.is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_input_cr_lf_and_nul() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("crlf");
        srv.put(&dir, "victim", b"keep me");
        for e in [
            s.cwd("x\r\nDELE victim").unwrap_err(),
            s.send_cmd("NOOP\r\nDELE victim").unwrap_err(),
            s.delete("victim\nx").unwrap_err(),
            s.retr("a\rb", &mut Vec::new()).unwrap_err(),
            s.rename("victim", "x\r\nDELE victim").unwrap_err(),
            s.mkd("a\0b").unwrap_err(),
            s.stor("a\0b", &mut io::empty()).unwrap_err(),
            s.login("user\0", "x").unwrap_err(),
        ] {
            assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
            assert_eq!(io::Error::from(e).kind(), io::ErrorKind::InvalidInput);
        }
        // Nothing was sent: the file is still there and the session fine.
        assert_eq!(std::fs::read(dir.join("victim")).unwrap(), b"keep me");
        s.noop().unwrap();
        assert!(matches!(
            Session::connect("127.0.0.1\0", srv.port, &short()),
            Err(Error::InvalidInput { .. })
        ));
    }
}

#[test]
fn wrong_state() {
    let mut s = Session::new(&short()).unwrap();
    for e in [
        s.pwd().unwrap_err(),
        s.noop().unwrap_err(),
        s.nlst("").unwrap_err(),
        s.login("a", "b").unwrap_err(),
    ] {
        assert!(matches!(e, Error::State { .. }), "{e:?}");
        assert!(e.to_string().starts_with("wrong session state: "), "{e}");
    }
}

#[test]
fn aborted_by_the_caller() {
    let (mut s, _, dir) = pyftpd().session_in("aborted");
    pyftpd().put(&dir, "f", b"1\n2\n3\n");
    let e = s
        .retrlines("RETR f", |_| std::ops::ControlFlow::Break(()))
        .unwrap_err();
    assert!(matches!(e, Error::Aborted { .. }), "{e:?}");
    assert!(e.to_string().starts_with("aborted: "), "{e}");
    s.noop().unwrap();
}

#[test]
fn canceled_from_another_thread() {
    // A server that greets and then never answers; the call would wait a
    // minute, the canceler ends it at once.
    let (port, server) = scripted(|mut p| {
        p.send("220 hi\r\n");
        p.wait_close();
    });
    let mut s = Session::connect("127.0.0.1", port, &Config::new().timeout(TIMEOUT)).unwrap();
    let canceler = s.canceler();
    let done = Arc::new(AtomicBool::new(false));
    let done2 = Arc::clone(&done);
    let t = thread::spawn(move || {
        // Cancel repeatedly until the call has returned: a cancel that
        // lands before the call starts does nothing.
        while !done2.load(Ordering::SeqCst) {
            canceler.cancel();
            thread::sleep(Duration::from_millis(20));
        }
    });
    let e = s.noop().unwrap_err();
    done.store(true, Ordering::SeqCst);
    t.join().unwrap();
    assert!(matches!(e, Error::Canceled { .. }), "{e:?}");
    assert!(!s.is_connected());
    drop(s);
    drop(server); // detached: see common::Peer::wait_close
                  // A canceler outliving its session is harmless.
    let s = Session::new(&short()).unwrap();
    let c = s.canceler();
    drop(s);
    c.cancel();
}

struct FailingWriter {
    after: usize,
    written: usize,
}

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written >= self.after {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "disk full (test)"));
        }
        self.written += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct FailingReader {
    left: usize,
}

/// A reader that fails after `left` bytes, for other modules.
pub struct FailingReaderPub(FailingReader);

impl FailingReaderPub {
    pub fn new(left: usize) -> FailingReaderPub {
        FailingReaderPub(FailingReader { left })
    }
}

impl Read for FailingReaderPub {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "source gone (test)",
            ));
        }
        let n = buf.len().min(self.left);
        buf[..n].fill(b'z');
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn callers_io_errors_come_back_as_the_source() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("user-io");
        srv.put(&dir, "big", &noise(30, 4 << 20));
        let mut w = FailingWriter {
            after: 100_000,
            written: 0,
        };
        let e = s.retr("big", &mut w).unwrap_err();
        match &e {
            Error::Io {
                source: Some(src), ..
            } => {
                assert_eq!(src.kind(), io::ErrorKind::WriteZero);
                assert_eq!(src.to_string(), "disk full (test)");
            }
            other => panic!("{:?}: {other:?}", srv.kind),
        }
        let src = e
            .source()
            .expect("source")
            .downcast_ref::<io::Error>()
            .unwrap();
        assert_eq!(src.kind(), io::ErrorKind::WriteZero);
        assert_eq!(io::Error::from(e).kind(), io::ErrorKind::WriteZero);
        assert!(s.is_connected());
        s.noop().unwrap();

        // The pull API reports through std::io, wrapping an ftpkit::Error.
        let mut reader = s.retr_reader("big").unwrap();
        let mut buf = [0u8; 10];
        reader.read_exact(&mut buf).unwrap();
        reader.abort().unwrap();
    }
}

#[test]
fn callers_read_error_aborts_the_upload() {
    for srv in upload_abort_servers() {
        let (mut s, _, _) = srv.session_in("user-read");
        let mut r = FailingReader { left: 200_000 };
        let e = s.stor("partial", &mut r).unwrap_err();
        match &e {
            Error::Io {
                source: Some(src),
                message,
            } => {
                assert_eq!(src.kind(), io::ErrorKind::PermissionDenied);
                assert!(message.contains("source gone (test)"), "{message}");
            }
            other => panic!("{:?}: {other:?}", srv.tls),
        }
        assert!(s.is_connected());
        s.noop().unwrap();
        s.stor("whole", &mut &b"fine"[..]).unwrap();
    }
}

#[test]
fn local_fd_errors() {
    let local = TempDir::new("local-fd");
    let path = local.path().join("f");
    std::fs::write(&path, b"local").unwrap();
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("local");
        srv.put(&dir, "remote", &noise(51, 300_000));
        // Writing into a read-only descriptor fails on our side.
        let ro = std::fs::File::open(&path).unwrap();
        let e = s.retr_fd("remote", 0, &ro).unwrap_err();
        assert!(matches!(e, Error::Local { .. }), "{:?}: {e:?}", srv.kind);
        assert!(e.to_string().starts_with("local file error: "), "{e}");
        assert!(s.is_connected());
        s.noop().unwrap();
    }
    for srv in upload_abort_servers() {
        let (mut s, _, _) = srv.session_in("local-up");
        let wo = std::fs::File::options().write(true).open(&path).unwrap();
        let e = s.stor_fd("up", 0, &wo).unwrap_err();
        assert!(matches!(e, Error::Local { .. }), "{e:?}");
        s.noop().unwrap();
    }
}

#[test]
fn io_error_wraps_ftpkit_error() {
    let (mut s, _, _) = vsftpd().session_in("wrap");
    let e = s.retr_reader("missing").map(|_| ()).unwrap_err();
    let io_err: io::Error = e.into();
    let inner = io_err.get_ref().unwrap().downcast_ref::<Error>().unwrap();
    assert_eq!(inner.reply_code(), Some(550));
}
