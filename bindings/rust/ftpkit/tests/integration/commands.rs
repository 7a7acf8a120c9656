//! Connection, login and the simple commands, on pyftpdlib and vsftpd.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ftpkit::{Config, Error, Session};

use crate::common::*;

#[test]
fn connect_login_quit_on_every_server() {
    for srv in plain_servers() {
        let mut s = Session::connect("127.0.0.1", srv.port, &srv.config()).unwrap();
        assert!(
            s.welcome().starts_with("220"),
            "{:?}: {}",
            srv.kind,
            s.welcome()
        );
        assert!(s.is_connected());
        assert_eq!(s.tls_version(), None);
        s.login(srv.user, srv.password).unwrap();
        assert!(s.last_reply().code >= 200 && s.last_reply().code < 300);
        let bye = s.quit().unwrap();
        assert_eq!(bye.code, 221, "{:?}", srv.kind);
        assert!(bye.text.starts_with("221"));
        assert!(!s.is_connected());
    }
}

#[test]
fn new_connect_to_close_and_reconnect() {
    let srv = pyftpd();
    let mut s = Session::new(&srv.config()).unwrap();
    assert!(!s.is_connected());
    assert_eq!(s.welcome(), "");
    assert_eq!(s.last_reply().code, 0);
    // Not connected yet: a wrong-state error, nothing else.
    assert!(matches!(s.pwd(), Err(Error::State { .. })), "{:?}", s.pwd());
    s.connect_to("127.0.0.1", srv.port).unwrap();
    s.login(srv.user, srv.password).unwrap();
    assert_eq!(s.pwd().unwrap(), "/");
    s.close();
    assert!(!s.is_connected());
    assert!(matches!(s.noop(), Err(Error::State { .. })));
    s.connect_to("localhost", srv.port).unwrap();
    s.login(srv.user, srv.password).unwrap();
    assert_eq!(s.noop().unwrap().code, 200);
}

#[test]
fn bad_login_is_permanent_and_retryable() {
    let srv = pyftpd();
    let mut s = Session::connect("127.0.0.1", srv.port, &srv.config()).unwrap();
    match s.login("user", "wrong") {
        Err(Error::Permanent { code: 530, text }) => assert!(text.starts_with("530")),
        other => panic!("expected 530, got {other:?}"),
    }
    assert!(s.is_connected());
    s.login("user", "12345").unwrap();
}

#[test]
fn login_with_account_and_acct() {
    let srv = pyftpd();
    let mut s = Session::connect("127.0.0.1", srv.port, &srv.config()).unwrap();
    // The server does not ask for an account: the login succeeds without ACCT.
    s.login_with_account(srv.user, srv.password, "dept")
        .unwrap();
    // Neither server implements ACCT: a 5xx, and the session goes on.
    for srv in plain_servers() {
        let mut s = srv.login(&srv.config());
        match s.acct("dept") {
            Err(Error::Permanent { code, .. }) => assert!((500..=502).contains(&code)),
            other => panic!("{:?}: {other:?}", srv.kind),
        }
        s.noop().unwrap();
    }
}

#[test]
fn send_cmd_and_void_cmd() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("cmd");
        srv.put(&dir, "a.txt", b"x");
        let syst = s.send_cmd("SYST").unwrap();
        assert_eq!(syst.code, 215);
        assert_eq!(s.void_cmd("TYPE I").unwrap().code, 200);
        // 3xx is fine for send_cmd, an error for void_cmd.
        let r = s.send_cmd("RNFR a.txt").unwrap();
        assert_eq!(r.code, 350);
        assert!(r.is_positive_intermediate());
        assert_eq!(s.void_cmd(b"RNTO b.txt").unwrap().code, 250);
        match s.void_cmd("RNFR b.txt") {
            Err(Error::Reply { code: 350, text }) => assert!(text.starts_with("350")),
            other => panic!("{:?}: {other:?}", srv.kind),
        }
        s.void_cmd("RNTO c.txt").unwrap();
        assert!(dir.join("c.txt").exists());
    }
}

#[test]
fn directories_cwd_pwd_mkd_rmd() {
    for srv in plain_servers() {
        let (mut s, name, dir) = srv.session_in("dirs");
        let base = s.pwd().unwrap();
        assert!(base.ends_with(&format!("/{name}")), "{base}");
        let made = s.mkd("sub").unwrap();
        assert_eq!(made, format!("{base}/sub"));
        assert!(dir.join("sub").is_dir());
        assert_eq!(s.cwd("sub").unwrap().code, 250);
        assert_eq!(s.pwd().unwrap(), format!("{base}/sub"));
        assert_eq!(s.pwd_bytes().unwrap(), format!("{base}/sub").into_bytes());
        s.cwd("..").unwrap(); // CDUP
        assert_eq!(s.pwd().unwrap(), base);
        s.rmd("sub").unwrap();
        assert!(!dir.join("sub").exists());
        // A quote in a directory name is doubled in the 257 reply and
        // undone by the library.
        let made = s.mkd("say \"hi\"").unwrap();
        assert!(made.ends_with("/say \"hi\""), "{made}");
        s.rmd("say \"hi\"").unwrap();
    }
}

#[test]
fn files_size_rename_delete() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("files");
        srv.put(&dir, "data.bin", &noise(1, 12345));
        assert_eq!(s.size("data.bin").unwrap(), 12345);
        assert_eq!(s.rename("data.bin", "moved.bin").unwrap().code, 250);
        assert!(!dir.join("data.bin").exists());
        assert_eq!(std::fs::read(dir.join("moved.bin")).unwrap().len(), 12345);
        assert_eq!(s.delete("moved.bin").unwrap().code, 250);
        assert!(!dir.join("moved.bin").exists());
    }
}

#[test]
fn noop_and_abort_without_transfer() {
    for srv in plain_servers() {
        let mut s = srv.login(&srv.config());
        let r = s.noop().unwrap();
        assert_eq!(r.code, 200);
        assert!(r.is_positive_completion());
        let r = s.abort().unwrap();
        assert_eq!(r.code, 225, "{:?}: {r:?}", srv.kind);
        s.noop().unwrap();
    }
}

#[test]
fn features_from_feat() {
    let mut s = pyftpd().login(&pyftpd().config());
    let mlst = s.feature("mlst").expect("pyftpdlib lists MLST");
    assert!(mlst.contains("modify*"), "{mlst}");
    assert_eq!(s.feature("SIZE").as_deref(), Some(""));
    assert_eq!(s.feature("NO-SUCH-FEATURE"), None);
    assert_eq!(s.feature("bad\0name"), None);
    s.quit().unwrap();
    let s = vsftpd().login(&vsftpd().config());
    assert_eq!(s.feature("MLST"), None);
    assert!(s.feature("EPSV").is_some());
}

/// Collects the debug trace.
fn trace(s: &mut Session, level: u8) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    s.set_debug(level, move |l| sink.lock().unwrap().push(l.to_owned()))
        .unwrap();
    lines
}

#[test]
fn debug_trace_masks_the_password() {
    let srv = pyftpd();
    let mut s = Session::connect("127.0.0.1", srv.port, &srv.config()).unwrap();
    let lines = trace(&mut s, 1);
    s.login(srv.user, srv.password).unwrap();
    s.noop().unwrap();
    let got = lines.lock().unwrap().clone();
    assert!(
        got.iter().any(|l| l.contains("*cmd* 'USER user'")),
        "{got:?}"
    );
    assert!(got.iter().any(|l| l.contains("PASS ****")), "{got:?}");
    assert!(!got.iter().any(|l| l.contains("12345")), "{got:?}");
    assert!(got.iter().any(|l| l.contains("*resp* '200")), "{got:?}");
    // Level 0 stops the trace.
    s.set_debug(0, |_| {}).unwrap();
    let n = lines.lock().unwrap().len();
    s.noop().unwrap();
    assert_eq!(lines.lock().unwrap().len(), n);
    assert!(matches!(
        s.set_debug(3, |_| {}),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn epsv_toggle_and_active_mode() {
    for srv in plain_servers() {
        // EPSV first by default.
        let mut s = srv.login(&srv.config());
        let lines = trace(&mut s, 1);
        s.nlst("").unwrap();
        assert!(lines.lock().unwrap().iter().any(|l| l.contains("'EPSV'")));
        // PASV only.
        let mut s = srv.login(&srv.config().epsv(false));
        let lines = trace(&mut s, 1);
        s.nlst("").unwrap();
        let got = lines.lock().unwrap().clone();
        assert!(got.iter().any(|l| l.contains("'PASV'")), "{got:?}");
        assert!(!got.iter().any(|l| l.contains("EPSV")), "{got:?}");
        // Active: the server connects back (PORT or EPRT).
        let (mut s, _, dir) = srv.session_in("active");
        srv.put(&dir, "f", b"active data");
        s.set_passive(false).unwrap();
        let lines = trace(&mut s, 1);
        let mut out = Vec::new();
        s.retr("f", &mut out).unwrap();
        assert_eq!(out, b"active data");
        let got = lines.lock().unwrap().clone();
        assert!(
            got.iter()
                .any(|l| l.contains("'PORT ") || l.contains("'EPRT ")),
            "{:?}: {got:?}",
            srv.kind
        );
        // And active from the start through Config.
        let mut s = srv.login(&srv.config().passive(false));
        if !srv.work.is_empty() {
            s.cwd(srv.work).unwrap();
        }
        s.nlst("").unwrap();
    }
}

#[test]
fn configure_rejects_bad_options() {
    let e = Session::new(&Config::new().timeout(Duration::ZERO)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    let e = Session::new(&Config::new().block_size(0)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    let e = Session::new(&Config::new().max_line(10)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    let e = Session::new(&Config::new().ca_file("a\0b")).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    // Sub-millisecond timeouts round up instead of becoming 0.
    Session::new(&Config::new().timeout(Duration::from_micros(10))).unwrap();
    // A session can be reconfigured; the new options apply.
    let srv = pyftpd();
    let mut s = Session::new(&Config::new().block_size(1)).unwrap();
    s.configure(&srv.config().source_address("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    s.connect_to("127.0.0.1", srv.port).unwrap();
    s.login(srv.user, srv.password).unwrap();
    s.noop().unwrap();
}

#[test]
fn address_family_restriction() {
    let srv = pyftpd();
    let c = srv.config().address_family(ftpkit::AddressFamily::V4);
    let mut s = Session::connect("localhost", srv.port, &c).unwrap();
    s.login(srv.user, srv.password).unwrap();
    // The server only listens on IPv4: IPv6-only cannot reach it.
    let c = srv
        .config()
        .address_family(ftpkit::AddressFamily::V6)
        .connect_timeout(Duration::from_secs(10));
    assert!(Session::connect("127.0.0.1", srv.port, &c).is_err());
}

#[test]
fn library_version_is_supported() {
    assert_eq!(ftpkit::library_version().0, 0);
    assert_eq!(ftpkit::library_version().1, 1);
    let (ma, mi, pa) = ftpkit::library_version();
    assert_eq!(ftpkit::library_version_string(), format!("{ma}.{mi}.{pa}"));
}
