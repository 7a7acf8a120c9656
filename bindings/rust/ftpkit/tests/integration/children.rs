//! Sessions and the processes an application starts.

use std::time::{Duration, Instant};

use ftpkit::{Config, Session};

use crate::common::*;

/// The control connection's socket must not leak into child processes:
/// after the session is dropped the server must see the close at once,
/// even while a child spawned during the session is still running.
/// (Found by this test: the library used to open sockets without
/// close-on-exec, and the server saw EOF only when the child exited.)
#[test]
fn sockets_are_not_inherited_by_child_processes() {
    let (port, server) = scripted(|mut p| {
        p.send("220 hi\r\n");
        let t = Instant::now();
        p.wait_close();
        t.elapsed()
    });
    let s = Session::connect("127.0.0.1", port, &Config::new().timeout(TIMEOUT)).unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    drop(s);
    let waited = server.join().unwrap();
    child.wait().unwrap();
    assert!(
        waited < Duration::from_secs(3),
        "the server saw the close only after {waited:?} (when the child exited)"
    );
}
