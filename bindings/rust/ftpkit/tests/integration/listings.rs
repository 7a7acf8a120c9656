//! NLST, LIST, MLSD and raw-byte names.

use std::ffi::OsStr;
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ftpkit::{EntryKind, Error};

use crate::common::*;

/// 2021-03-04 05:06:07 UTC.
const OLD: u64 = 1_614_834_367;

fn set_mtime(p: &Path, t: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// A directory with `a.txt` (10 bytes, modified at OLD) and `d/`.
fn populate(srv: &Server, dir: &Path) {
    let f = srv.put(dir, "a.txt", b"0123456789");
    set_mtime(&f, UNIX_EPOCH + Duration::from_secs(OLD));
    std::fs::create_dir(dir.join("d")).unwrap();
    srv.own(&dir.join("d"));
}

#[test]
fn mlsd_entries_with_facts() {
    let srv = pyftpd();
    let (mut s, name, dir) = srv.session_in("mlsd");
    populate(srv, &dir);
    let entries = s.mlsd("").unwrap();
    let a = entries
        .iter()
        .find(|e| e.name() == "a.txt")
        .expect("a.txt listed");
    assert_eq!(a.kind(), &EntryKind::File);
    assert_eq!(a.size(), Some(10));
    assert_eq!(a.modified(), Some(UNIX_EPOCH + Duration::from_secs(OLD)));
    assert_eq!(a.fact("type"), Some("file"));
    assert_eq!(a.fact("Size"), Some("10"));
    assert!(a.fact("perm").is_some());
    assert!(a.facts().contains_key("unique"), "{:?}", a.facts());
    assert_eq!(a.name_bytes(), b"a.txt");
    let d = entries.iter().find(|e| e.name() == "d").expect("d listed");
    assert_eq!(d.kind(), &EntryKind::Dir);
    assert!(d.kind().is_dir());
    // With a path argument, from the parent.
    s.cwd("..").unwrap();
    let mut names: Vec<_> = s
        .mlsd(&name)
        .unwrap()
        .into_iter()
        .filter(|e| !matches!(e.kind(), EntryKind::CurrentDir | EntryKind::ParentDir))
        .map(|e| e.name().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "d"]);
}

#[test]
fn mlsd_each_streams_and_stops() {
    let srv = pyftpd();
    let (mut s, _, dir) = srv.session_in("mlsd-each");
    for i in 0..50 {
        srv.put(&dir, format!("f{i:02}"), b"");
    }
    let mut seen = 0;
    s.mlsd_each("", |e| {
        assert_eq!(e.size(), Some(0));
        seen += 1;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(seen, 50);
    let mut seen = 0;
    let err = s
        .mlsd_each("", |_| {
            seen += 1;
            ControlFlow::Break(())
        })
        .unwrap_err();
    assert!(matches!(err, Error::Aborted { .. }), "{err:?}");
    assert_eq!(seen, 1);
    s.noop().unwrap();
    assert_eq!(s.mlsd("").unwrap().len(), 50);
}

#[test]
fn mlsd_unsupported_is_permanent() {
    let (mut s, _, _) = vsftpd().session_in("no-mlsd");
    match s.mlsd("") {
        Err(Error::Permanent { code, .. }) => assert!((500..=502).contains(&code)),
        other => panic!("{other:?}"),
    }
    s.noop().unwrap();
}

#[test]
fn nlst_list_and_list_entries() {
    for srv in plain_servers() {
        let (mut s, name, dir) = srv.session_in("list");
        populate(srv, &dir);
        let fresh = srv.put(&dir, "new file.txt", b"abc");
        let now = SystemTime::now();
        set_mtime(&fresh, now);

        let mut names = s.nlst("").unwrap();
        names.sort();
        assert_eq!(names, ["a.txt", "d", "new file.txt"], "{:?}", srv.kind);
        let mut raw = s.nlst_bytes("").unwrap();
        raw.sort();
        assert_eq!(raw[0], b"a.txt");

        let lines = s.list("").unwrap();
        assert_eq!(lines.len(), 3, "{:?}: {lines:?}", srv.kind);
        assert!(lines.iter().any(|l| l.ends_with(" a.txt")));
        let bytes = s.list_bytes("").unwrap();
        assert_eq!(bytes.len(), 3);

        let entries = s.list_entries("").unwrap();
        let a = entries.iter().find(|e| e.name() == "a.txt").unwrap();
        assert_eq!(a.kind(), &EntryKind::File);
        assert_eq!(a.size(), Some(10));
        // Older than six months: `ls` shows the date with the year only.
        let day = OLD - OLD % 86_400;
        assert_eq!(a.modified(), Some(UNIX_EPOCH + Duration::from_secs(day)));
        assert_eq!(a.fact("unix.mode"), Some("-rw-r--r--"));
        let d = entries.iter().find(|e| e.name() == "d").unwrap();
        assert_eq!(d.kind(), &EntryKind::Dir);
        let n = entries.iter().find(|e| e.name() == "new file.txt").unwrap();
        assert_eq!(n.size(), Some(3));
        let t = n.modified().expect("time of a fresh file");
        let diff = t.duration_since(now).unwrap_or_else(|e| e.duration());
        assert!(
            diff < Duration::from_secs(120),
            "{:?}: {t:?} vs {now:?}",
            srv.kind
        );

        // With a path argument, from the parent.
        s.cwd("..").unwrap();
        let mut names = s.nlst(format!("{name}/d")).unwrap();
        names.retain(|n| !n.is_empty());
        assert!(names.is_empty(), "{names:?}");
        assert_eq!(s.list_entries(&name).unwrap().len(), 3);
    }
}

#[test]
fn retrlines_any_command_and_break() {
    for srv in plain_servers() {
        let (mut s, _, dir) = srv.session_in("retrlines");
        srv.put(&dir, "text.txt", b"one\r\ntwo\nthree");
        let mut lines = Vec::new();
        s.retrlines("RETR text.txt", |l| {
            lines.push(String::from_utf8(l.to_vec()).unwrap());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(lines, ["one", "two", "three"], "{:?}", srv.kind);
        let mut n = 0;
        s.retrlines("LIST", |_| {
            n += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(n, 1);
        for i in 0..200 {
            srv.put(&dir, format!("many{i}"), b"");
        }
        let err = s.retrlines("NLST", |_| ControlFlow::Break(())).unwrap_err();
        assert!(matches!(err, Error::Aborted { .. }), "{err:?}");
        assert!(s.is_connected());
        s.noop().unwrap();
        assert_eq!(s.nlst("").unwrap().len(), 201);
    }
}

#[test]
fn names_that_are_not_utf8() {
    // vsftpd passes names through as bytes.
    let srv = vsftpd();
    let (mut s, _, dir) = srv.session_in("bytes");
    let name: &[u8] = b"caf\xe9 \xff.bin";
    srv.put(&dir, OsStr::from_bytes(name), b"latin-1 name");

    let raw = s.nlst_bytes("").unwrap();
    assert_eq!(raw, vec![name.to_vec()]);
    assert_eq!(s.nlst("").unwrap(), ["caf\u{fffd} \u{fffd}.bin"]);
    let entries = s.list_entries("").unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name_bytes(), name);
    assert_eq!(entries[0].name(), "caf\u{fffd} \u{fffd}.bin");

    // The bytes name works everywhere a path goes.
    assert_eq!(s.size(entries[0].name_bytes()).unwrap(), 12);
    let mut out = Vec::new();
    s.retr(entries[0].name_bytes(), &mut out).unwrap();
    assert_eq!(out, b"latin-1 name");
    let renamed: &[u8] = b"\xfe\xfd";
    s.rename(name, renamed).unwrap();
    assert!(dir.join(OsStr::from_bytes(renamed)).exists());
    s.delete(renamed).unwrap();

    let made = s.mkd_bytes(b"dir\xe9").unwrap();
    assert!(made.ends_with(b"/dir\xe9"), "{made:?}");
    s.cwd(b"dir\xe9").unwrap();
    assert!(s.pwd_bytes().unwrap().ends_with(b"/dir\xe9"));
    assert!(s.pwd().unwrap().ends_with("/dir\u{fffd}"));
    s.cwd("..").unwrap();
    let owned: Vec<u8> = b"dir\xe9".to_vec();
    s.rmd(owned).unwrap();
    assert!(s.nlst_bytes("").unwrap().is_empty());
}
