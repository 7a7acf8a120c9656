//! FTPS against vsftpd (require_ssl_reuse): explicit, implicit, `AUTH`
//! later, CA file / in-memory CA (PEM and DER), client certificates,
//! verification failures and the insecure switch.

use ftpkit::{Config, Error, Session, TlsMode, TlsVersion};

use crate::common::*;

fn in_work(srv: &Server, s: &mut Session) {
    s.cwd(srv.work).unwrap();
}

#[test]
fn explicit_and_implicit_transfers_resume_the_tls_session() {
    for srv in [vsftpd_explicit(), vsftpd_implicit()] {
        let (mut s, _, dir) = srv.session_in("tls");
        let v = s.tls_version().expect("TLS is on");
        assert!(v.starts_with("TLSv1."), "{v}");
        let data = noise(20, 500_000);
        s.stor("t.bin", &mut &data[..]).unwrap();
        assert!(s.tls_data_resumed(), "{:?}", srv.tls);
        assert_eq!(std::fs::read(dir.join("t.bin")).unwrap(), data);
        let mut back = Vec::new();
        s.retr("t.bin", &mut back).unwrap();
        assert_eq!(back, data);
        assert!(s.tls_data_resumed());
        assert_eq!(s.nlst("").unwrap(), ["t.bin"]);
        s.quit().unwrap();
    }
}

#[test]
fn prot_c_and_prot_p() {
    let (mut s, _, dir) = vsftpd_explicit().session_in("prot");
    vsftpd_explicit().put(&dir, "f", b"x");
    assert_eq!(s.prot_c().unwrap().code, 200);
    // This server insists on protected data.
    match s.nlst("") {
        Err(Error::Permanent { code: 522, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(s.prot_p().unwrap().code, 200);
    assert_eq!(s.nlst("").unwrap(), ["f"]);
}

#[test]
fn auth_on_a_plain_session() {
    let srv = vsftpd_explicit();
    let c = srv.config().tls(TlsMode::Plain);
    let mut s = Session::connect("127.0.0.1", srv.port, &c).unwrap();
    assert_eq!(s.tls_version(), None);
    assert_eq!(s.auth().unwrap().code, 234);
    assert!(s.tls_version().is_some());
    s.login("anonymous", "").unwrap();
    // Data is still clear after AUTH alone: refused until PROT P.
    in_work(srv, &mut s);
    assert!(matches!(
        s.nlst(""),
        Err(Error::Permanent { code: 522, .. })
    ));
    s.prot_p().unwrap();
    s.nlst("").unwrap();
    // A second AUTH is a state error; the session goes on.
    assert!(matches!(s.auth(), Err(Error::State { .. })));
    s.noop().unwrap();
}

#[test]
fn ccc_refused_or_wrong_state() {
    let (mut s, _, _) = vsftpd_explicit().session_in("ccc");
    // vsftpd does not implement CCC: a 5xx and the TLS session continues.
    match s.ccc() {
        Err(Error::Permanent {
            code: 500..=502, ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(s.tls_version().is_some());
    s.nlst("").unwrap();
    let mut plain = pyftpd().login(&pyftpd().config());
    assert!(matches!(plain.ccc(), Err(Error::State { .. })));
    assert!(matches!(plain.prot_p(), Err(Error::State { .. })));
    plain.noop().unwrap();
}

#[test]
fn in_memory_ca_pem_and_der() {
    let srv = vsftpd_explicit();
    for file in [&certs().ca_pem, &certs().ca_der] {
        let c = Config::new()
            .tls(TlsMode::Explicit)
            .timeout(TIMEOUT)
            .add_ca_cert(std::fs::read(file).unwrap());
        let mut s = srv.login(&c);
        in_work(srv, &mut s);
        s.nlst("").unwrap();
    }
    // Garbage instead of a certificate: a TLS error at connect.
    let c = Config::new()
        .tls(TlsMode::Explicit)
        .timeout(TIMEOUT)
        .add_ca_cert(b"not a certificate".to_vec());
    let e = Session::connect("127.0.0.1", srv.port, &c).unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    // An empty certificate is refused when the config is applied.
    let e = Session::new(&Config::new().add_ca_cert(Vec::new())).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
}

#[test]
fn certificate_errors_and_the_insecure_switch() {
    let srv = vsftpd_explicit();
    // System store only: our test CA is unknown.
    let c = Config::new().tls(TlsMode::Explicit).timeout(TIMEOUT);
    let mut s = Session::new(&c).unwrap();
    let e = s.connect_to("127.0.0.1", srv.port).unwrap_err();
    assert!(matches!(e, Error::Certificate { .. }), "{e:?}");
    assert!(!s.is_connected());
    // The right CA, the wrong name.
    let e = Session::connect(
        "127.0.0.1",
        srv.port,
        &srv.config().server_name("ftp.example.com"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Certificate { .. }), "{e:?}");
    // The certificate names localhost too.
    let mut s = Session::connect("localhost", srv.port, &srv.config()).unwrap();
    s.login("anonymous", "").unwrap();
    let mut s = Session::connect(
        "127.0.0.1",
        srv.port,
        &srv.config().server_name("localhost"),
    )
    .unwrap();
    s.login("anonymous", "").unwrap();
    // Verification off: any certificate passes.
    let c = Config::new()
        .tls(TlsMode::Explicit)
        .timeout(TIMEOUT)
        .danger_accept_invalid_certs(true);
    let mut s = srv.login(&c);
    in_work(srv, &mut s);
    s.nlst("").unwrap();
}

#[test]
fn tls_failures() {
    // Implicit TLS against a plain server: the handshake fails.
    let e = Session::connect(
        "127.0.0.1",
        pyftpd().port,
        &Config::new().tls(TlsMode::Implicit).timeout(TIMEOUT),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    // An unreadable CA file.
    let c = vsftpd_explicit().config().ca_file("/nonexistent/ca.pem");
    let e = Session::connect("127.0.0.1", vsftpd_explicit().port, &c).unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    // Explicit TLS against a server without AUTH: refused, nothing sent.
    let e = Session::connect(
        "127.0.0.1",
        pyftpd().port,
        &Config::new().tls(TlsMode::Explicit).timeout(TIMEOUT),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Permanent {
                code: 500..=504,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn tls_versions_pin() {
    let srv = vsftpd_explicit();
    let s = srv.login(
        &srv.config()
            .tls_versions(TlsVersion::Tls12, Some(TlsVersion::Tls12)),
    );
    assert_eq!(s.tls_version().as_deref(), Some("TLSv1.2"));
    let mut s = srv.login(&srv.config().tls_versions(TlsVersion::Tls13, None));
    assert_eq!(s.tls_version().as_deref(), Some("TLSv1.3"));
    in_work(srv, &mut s);
    s.nlst("").unwrap();
    assert!(s.tls_data_resumed());
}

#[test]
fn client_certificate() {
    let srv = vsftpd_client_cert();
    // Without a certificate the server rejects the handshake.
    let r = Session::connect("127.0.0.1", srv.port, &srv.config())
        .and_then(|mut s| s.login("anonymous", "").map(|_| s));
    match r {
        Err(Error::Tls { .. } | Error::Closed { .. } | Error::Io { .. }) => {}
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    let c = srv
        .config()
        .client_cert(&certs().client_pem, &certs().client_key);
    let (mut s, dir) = {
        let mut s = srv.login(&c);
        let name = unique("client-cert");
        let dir = srv.dir.join(&name);
        std::fs::create_dir(&dir).unwrap();
        srv.own(&dir);
        in_work(srv, &mut s);
        s.cwd(&name).unwrap();
        (s, dir)
    };
    srv.put(&dir, "f", b"with a client certificate");
    let mut out = Vec::new();
    s.retr("f", &mut out).unwrap();
    assert_eq!(out, b"with a client certificate");
    // Certificate and key in one file.
    let both = TempDir::new("client-pem");
    let pem = both.path().join("both.pem");
    let mut text = std::fs::read(&certs().client_pem).unwrap();
    text.extend(std::fs::read(&certs().client_key).unwrap());
    std::fs::write(&pem, text).unwrap();
    let mut s = srv.login(&srv.config().client_cert_pem(&pem));
    in_work(srv, &mut s);
    s.noop().unwrap();
    // A missing key file fails at connect.
    let c = srv
        .config()
        .client_cert(&certs().client_pem, "/nonexistent.key");
    let e = Session::connect("127.0.0.1", srv.port, &c).unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
}

/// ABOR on a TLS control connection: no urgent data outside the TLS
/// records (an early library version sent it and lost the connection), and
/// the TLS session stays resumable for the next data connection.
#[test]
fn abor_on_ftps_keeps_the_session() {
    use std::io::Read;
    let srv = vsftpd_explicit();
    let (mut s, _, dir) = srv.session_in("ftps-abor");
    srv.put(&dir, "big", &noise(50, 8 << 20));
    // Without a transfer.
    s.abort().expect("ABOR without a transfer on FTPS");
    s.noop().unwrap();
    // During a download.
    let mut r = s.retr_reader("big").unwrap();
    let mut head = [0u8; 4096];
    r.read_exact(&mut head).unwrap();
    r.abort().expect("ABOR during an FTPS download");
    s.noop().unwrap();
    // An upload stopped by the caller's error.
    let mut failing = crate::errors::FailingReaderPub::new(100_000);
    let e = s.stor("partial", &mut failing).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Io {
                source: Some(_),
                ..
            }
        ),
        "{e:?}"
    );
    s.noop().unwrap();
    // Data connections still resume the TLS session (require_ssl_reuse).
    let mut back = Vec::new();
    s.retr("big", &mut back).unwrap();
    assert_eq!(back.len(), 8 << 20);
    assert!(s.tls_data_resumed());
}
