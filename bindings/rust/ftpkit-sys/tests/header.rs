//! Checks the hand-written declarations in `src/lib.rs` against the
//! `<ftpkit/ftp.h>` that pkg-config found: the same functions with the same
//! parameter and return types, and the same status and mode values.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn header() -> String {
    let dirs = env!("FTPKIT_SYS_INCLUDE_DIRS");
    for dir in std::env::split_paths(dirs) {
        let p: PathBuf = dir.join("ftpkit").join("ftp.h");
        if let Ok(text) = std::fs::read_to_string(&p) {
            return text;
        }
    }
    panic!("ftpkit/ftp.h not found under the pkg-config include dirs {dirs:?}");
}

fn strip_c_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.map_or(true, |l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..].find("*/").expect("unterminated comment") + b + 4;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |e| &rest[l + e..]);
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            _ => unreachable!(),
        }
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A C type as written in the header -> the Rust type these bindings use.
fn c_to_rust(c: &str) -> String {
    let c = squash(&c.replace('*', " * "));
    let map = |t: &str| -> String {
        match t {
            "int" => "c_int",
            "unsigned" => "c_uint",
            "long" => "c_long",
            "size_t" => "usize",
            "uint64_t" => "u64",
            "int64_t" => "i64",
            "char" => "c_char",
            "void" => "c_void",
            other => other,
        }
        .to_string()
    };
    // Peel pointers from the right: "const char * *" = *mut *const c_char.
    let mut toks: Vec<&str> = c.split(' ').collect();
    let mut ptrs = Vec::new();
    while toks.last() == Some(&"*") {
        toks.pop();
        ptrs.push(());
    }
    let is_const = toks.first() == Some(&"const");
    if is_const {
        toks.remove(0);
    }
    assert_eq!(toks.len(), 1, "unexpected C type {c:?}");
    let mut ty = map(toks[0]);
    for (i, _) in ptrs.iter().enumerate() {
        let innermost = i == 0;
        let q = if innermost && is_const {
            "*const"
        } else {
            "*mut"
        };
        ty = format!("{q} {ty}");
    }
    ty
}

/// name -> (parameter types, return type) from the header.
fn header_functions(h: &str) -> BTreeMap<String, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    // Drop preprocessor lines (with their continuations), then comments.
    let mut code = String::new();
    let mut continued = false;
    for line in strip_c_comments(h).lines() {
        let directive = continued || line.trim_start().starts_with('#');
        continued = directive && line.trim_end().ends_with('\\');
        if !directive {
            code.push_str(line);
            code.push('\n');
        }
    }
    for decl in code.split("FTP_EXTERN").skip(1) {
        let decl = &decl[..decl.find(';').expect("declaration without ;")];
        let decl = squash(decl);
        let open = decl.find('(').unwrap();
        let head = decl[..open].replace('*', " * ");
        let head = squash(&head);
        let (ret, name) = head.rsplit_once(' ').unwrap();
        let params = &decl[open + 1..decl.rfind(')').unwrap()];
        let mut ptys = Vec::new();
        if params.trim() != "void" {
            for p in params.split(',') {
                let p = squash(&p.replace('*', " * "));
                let (ty, _name) = p.rsplit_once(' ').unwrap();
                ptys.push(c_to_rust(ty));
            }
        }
        let ret = if ret.trim() == "void" {
            String::new()
        } else {
            c_to_rust(ret)
        };
        out.insert(name.to_string(), (ptys, ret));
    }
    out
}

/// name -> (parameter types, return type) from src/lib.rs's extern block.
fn rust_functions() -> BTreeMap<String, (Vec<String>, String)> {
    let src = include_str!("../src/lib.rs");
    let start = src.find("extern \"C\" {").unwrap();
    let block = &src[start..];
    let mut out = BTreeMap::new();
    let mut rest = block;
    while let Some(i) = rest.find("pub fn ") {
        let decl_end = rest[i..].find(';').unwrap() + i;
        let decl = squash(&rest[i + "pub fn ".len()..decl_end]);
        rest = &rest[decl_end..];
        let open = decl.find('(').unwrap();
        let name = decl[..open].to_string();
        let close = decl.rfind(')').unwrap();
        let params = decl[open + 1..close].trim().trim_end_matches(',');
        let mut ptys = Vec::new();
        if !params.is_empty() {
            for p in params.split(", ") {
                let (_, ty) = p.split_once(": ").unwrap();
                ptys.push(ty.trim().to_string());
            }
        }
        let ret = decl[close + 1..]
            .trim()
            .trim_start_matches("->")
            .trim()
            .to_string();
        out.insert(name, (ptys, ret));
    }
    out
}

#[test]
fn every_header_function_is_declared_with_the_same_signature() {
    let h = header_functions(&header());
    let r = rust_functions();
    assert!(h.len() > 50, "parsed too few header functions: {}", h.len());
    let missing: Vec<_> = h.keys().filter(|k| !r.contains_key(*k)).collect();
    let extra: Vec<_> = r.keys().filter(|k| !h.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "declared in ftp.h but not in ftpkit-sys: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "declared in ftpkit-sys but not in ftp.h: {extra:?}"
    );
    for (name, sig) in &h {
        assert_eq!(
            &r[name], sig,
            "signature of {name} differs (left: Rust, right: header)"
        );
    }
}

#[test]
fn status_and_mode_values_match_the_header() {
    let body = strip_c_comments(&header());
    let rust = include_str!("../src/lib.rs");
    let mut checked = 0;
    for line in body.lines() {
        let line = line.trim().trim_end_matches(',');
        // enum members such as "FTP_EPERM = -3"
        if let Some((name, value)) = line.split_once(" = ") {
            if name.starts_with("FTP_") && !name.contains(' ') {
                let want = format!("pub const {name}: ");
                let at = rust
                    .find(&want)
                    .unwrap_or_else(|| panic!("{name} not declared"));
                let decl = &rust[at..at + rust[at..].find(';').unwrap()];
                let rust_value = decl.rsplit(" = ").next().unwrap().trim();
                assert_eq!(rust_value, value.trim(), "{name}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "checked only {checked} enum values");
    // a few #defines
    for (name, value) in [
        ("FTP_TLS_VERSION_1_2", "0x0303"),
        ("FTP_TLS_VERSION_1_3", "0x0304"),
    ] {
        assert!(
            body.contains(&format!("#define {name} {value}")),
            "{name} changed in ftp.h"
        );
    }
    assert!(body.contains("#define FTP_TYPE_BINARY 'I'"));
    assert!(body.contains("#define FTP_TYPE_ASCII 'A'"));
}

#[test]
fn version_macros_match_the_header() {
    let body = header();
    for (name, value) in [
        ("FTPKIT_VERSION_MAJOR", ftpkit_sys::FTPKIT_VERSION_MAJOR),
        ("FTPKIT_VERSION_MINOR", ftpkit_sys::FTPKIT_VERSION_MINOR),
    ] {
        assert!(
            body.contains(&format!("#define {name} {value}\n")),
            "{name} in ftp.h differs from ftpkit-sys ({value})"
        );
    }
}
