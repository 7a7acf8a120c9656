//! Panics in user code during a transfer: caught at the C boundary, the
//! transfer stopped cleanly, the panic resumed in the caller, and the
//! session still usable.

use std::io::{self, Read, Write};
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common::*;

struct PanickingWriter;

impl Write for PanickingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        panic!("boom in write");
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct PanickingReader(usize);

impl Read for PanickingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0 == 0 {
            panic!("boom in read");
        }
        let n = buf.len().min(self.0);
        self.0 -= n;
        Ok(n)
    }
}

fn message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        p.downcast_ref::<String>().cloned().unwrap_or_default()
    }
}

#[test]
fn panic_in_write_resumes_and_session_survives() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("panic-w");
        let data = noise(40, 2 << 20);
        srv.put(&dir, "f", &data);
        let p = catch_unwind(AssertUnwindSafe(|| s.retr("f", &mut PanickingWriter)))
            .expect_err("the panic must reach the caller");
        assert_eq!(message(p), "boom in write");
        assert!(s.is_connected());
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.kind);
        let mut back = Vec::new();
        s.retr("f", &mut back).unwrap();
        assert_eq!(back, data);
    }
}

#[test]
fn panic_in_read_resumes_and_session_survives() {
    for srv in upload_abort_servers() {
        let (mut s, _, _) = srv.session_in("panic-r");
        let p = catch_unwind(AssertUnwindSafe(|| {
            s.stor("f", &mut PanickingReader(300_000))
        }))
        .expect_err("the panic must reach the caller");
        assert_eq!(message(p), "boom in read");
        assert_eq!(s.noop().unwrap().code, 200, "{:?}", srv.tls);
        s.stor("g", &mut &b"after the panic"[..]).unwrap();
        let mut back = Vec::new();
        s.retr("g", &mut back).unwrap();
        assert_eq!(back, b"after the panic");
    }
}

#[test]
fn panic_in_listing_closures() {
    let (mut s, _, dir) = pyftpd().session_in("panic-l");
    for i in 0..20 {
        pyftpd().put(&dir, format!("f{i}"), b"");
    }
    let p = catch_unwind(AssertUnwindSafe(|| {
        s.mlsd_each("", |e| -> ControlFlow<()> {
            panic!("mlsd saw {}", e.name())
        })
    }))
    .unwrap_err();
    assert!(message(p).starts_with("mlsd saw f"));
    s.noop().unwrap();
    let mut calls = 0;
    let p = catch_unwind(AssertUnwindSafe(|| {
        s.retrlines("NLST", |_| {
            calls += 1;
            panic!("line {calls}")
        })
    }))
    .unwrap_err();
    // The closure is never called again after it panicked.
    assert_eq!(message(p), "line 1");
    assert_eq!(calls, 1);
    assert_eq!(s.nlst("").unwrap().len(), 20);
}

#[test]
fn panic_in_debug_callback_resumes_after_the_call() {
    let srv = pyftpd();
    let mut s = srv.login(&srv.config());
    s.set_debug(1, |line| {
        if line.contains("NOOP") {
            panic!("debug saw NOOP");
        }
    })
    .unwrap();
    let p = catch_unwind(AssertUnwindSafe(|| s.noop())).unwrap_err();
    assert_eq!(message(p), "debug saw NOOP");
    // The command itself completed; the session is fine.
    assert_eq!(s.last_reply().code, 200);
    s.set_debug(0, |_| {}).unwrap();
    s.noop().unwrap();
}
