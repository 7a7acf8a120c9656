//! Raw declarations of libftpkit's C API, `<ftpkit/ftp.h>`, written by hand.
//!
//! This crate only declares; it adds no behaviour.  Use the safe `ftpkit`
//! crate unless you need the C API itself.  The header is the reference
//! manual: every item below names the function it declares, and its
//! arguments, units, ownership rules and returned statuses are the header's.
//!
//! Conventions of the C API, in short:
//! * functions that can fail return `c_int`: [`FTP_OK`] or a negative
//!   `FTP_E*` status;
//! * error and reply state lives on the session: [`ftp_reply_code`],
//!   [`ftp_reply_text`], [`ftp_errmsg`] after every call;
//! * returned strings are owned by the session and valid until the next call
//!   on it; strings passed in are copied;
//! * callbacks take `userdata` last and return 0 to continue;
//! * timeouts are in milliseconds, sizes and offsets in bytes;
//! * a session must not be used by two threads at once ([`ftp_cancel`] is
//!   the exception).
//!
//! The library is found with pkg-config (`ftpkit`) by the build script.
//!
//! ```no_run
//! use ftpkit_sys as sys;
//! use std::ffi::{CStr, CString};
//!
//! unsafe {
//!     let s = sys::ftp_new();
//!     assert!(!s.is_null());
//!     let host = CString::new("127.0.0.1").unwrap();
//!     let rc = sys::ftp_connect(s, host.as_ptr(), 21);
//!     if rc != sys::FTP_OK {
//!         eprintln!("{}", CStr::from_ptr(sys::ftp_errmsg(s)).to_string_lossy());
//!     }
//!     sys::ftp_free(s);
//! }
//! ```
#![no_std]
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

use core::ffi::{c_char, c_int, c_long, c_uint, c_void};
use core::marker::{PhantomData, PhantomPinned};

// ---------------------------------------------------------------------------
// Version
// ---------------------------------------------------------------------------

/// `FTPKIT_VERSION_MAJOR` of the header these declarations were written from.
pub const FTPKIT_VERSION_MAJOR: c_uint = 0;
/// `FTPKIT_VERSION_MINOR` of the header these declarations were written from.
pub const FTPKIT_VERSION_MINOR: c_uint = 1;
/// `FTPKIT_VERSION_PATCH` of the header these declarations were written from.
pub const FTPKIT_VERSION_PATCH: c_uint = 0;
/// `FTPKIT_VERSION_NUMBER`: `(major << 16) | (minor << 8) | patch`.
pub const FTPKIT_VERSION_NUMBER: c_uint =
    (FTPKIT_VERSION_MAJOR << 16) | (FTPKIT_VERSION_MINOR << 8) | FTPKIT_VERSION_PATCH;

// ---------------------------------------------------------------------------
// Status codes (enum ftp_status; append-only, never renumbered)
// ---------------------------------------------------------------------------

/// `enum ftp_status`: [`FTP_OK`] or one of the negative `FTP_E*` values.
pub type ftp_status = c_int;

/// Success.
pub const FTP_OK: ftp_status = 0;
/// A complete reply of an unexpected class (ftplib's `error_reply`).
pub const FTP_EREPLY: ftp_status = -1;
/// A 4xx reply: transient negative completion (ftplib's `error_temp`).
pub const FTP_ETEMP: ftp_status = -2;
/// A 5xx reply: permanent negative completion (ftplib's `error_perm`).
pub const FTP_EPERM: ftp_status = -3;
/// A malformed reply (ftplib's `error_proto`).
pub const FTP_EPROTO: ftp_status = -4;
/// A local or network I/O error on the control or data connection.
pub const FTP_EIO: ftp_status = -5;
/// A deadline passed (connect, reply, data accept, data idle).
pub const FTP_ETIMEOUT: ftp_status = -6;
/// A TLS failure (handshake, record layer, missing close_notify).
pub const FTP_ETLS: ftp_status = -7;
/// The server's certificate failed verification.
pub const FTP_ECERT: ftp_status = -8;
/// The host name could not be resolved.
pub const FTP_ERESOLVE: ftp_status = -9;
/// An invalid argument (NULL, CR/LF in a command or path, out of range).
pub const FTP_EINVAL: ftp_status = -10;
/// Out of memory.
pub const FTP_ENOMEM: ftp_status = -11;
/// The call is not valid in the session's state.
pub const FTP_ESTATE: ftp_status = -12;
/// A user callback returned non-zero and the operation was stopped.
pub const FTP_EABORTED: ftp_status = -13;
/// `ftp_cancel()` was called while the operation was running.
pub const FTP_ECANCELED: ftp_status = -14;
/// The server closed the control connection (ftplib's `EOFError`).
pub const FTP_ECLOSED: ftp_status = -15;
/// An internal error (a bug in ftpkit).
pub const FTP_EINTERNAL: ftp_status = -16;
/// Reading or writing the caller's file descriptor failed (`ftp_retr_fd`,
/// `ftp_stor_fd`); the transfer was aborted and the session stays usable.
pub const FTP_ELOCAL: ftp_status = -17;

// ---------------------------------------------------------------------------
// TLS modes and versions, transfer types
// ---------------------------------------------------------------------------

/// `enum ftp_tls_mode`, for [`ftp_set_tls_mode`].
pub type ftp_tls_mode = c_int;
/// Plain FTP (the default).
pub const FTP_TLS_NONE: ftp_tls_mode = 0;
/// Explicit FTPS: `AUTH TLS` right after the greeting (RFC 4217 §4).
pub const FTP_TLS_EXPLICIT: ftp_tls_mode = 1;
/// Implicit FTPS: TLS from the first byte (port 990 by default).
pub const FTP_TLS_IMPLICIT: ftp_tls_mode = 2;

/// TLS 1.2, for [`ftp_set_tls_versions`].
pub const FTP_TLS_VERSION_1_2: c_int = 0x0303;
/// TLS 1.3, for [`ftp_set_tls_versions`].
pub const FTP_TLS_VERSION_1_3: c_int = 0x0304;

/// [`ftp_transfer_open`] type: send no TYPE command.
pub const FTP_TYPE_KEEP: c_int = 0;
/// [`ftp_transfer_open`] type: `TYPE I`.
pub const FTP_TYPE_BINARY: c_int = b'I' as c_int;
/// [`ftp_transfer_open`] type: `TYPE A` (data passes unconverted).
pub const FTP_TYPE_ASCII: c_int = b'A' as c_int;

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// The opaque session: one control connection plus at most one data
/// connection.  Only ever handled through a pointer.
#[repr(C)]
pub struct ftp_session {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// One MLSD fact (RFC 3659 §7): the name lowercased; both raw bytes, not
/// NUL-terminated.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ftp_fact {
    /// The fact name (lowercased).
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// The fact value.
    pub value: *const c_char,
    /// Length of `value` in bytes.
    pub value_len: usize,
}

/// One file of [`ftp_retr_files`] / [`ftp_stor_files`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ftp_file_item {
    /// In: the remote path (relative to the working directory).
    pub path: *const c_char,
    /// In: the local descriptor to write (download) or read (upload).
    pub fd: c_int,
    /// Out: [`FTP_OK`] or the status of this file's transfer.
    pub status: c_int,
    /// Out: the bytes moved for this file.
    pub bytes: u64,
}

/// One entry of a LIST line, as [`ftp_parse_list_line`] reads it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ftp_list_entry {
    /// The name, verbatim; points into the parsed line.
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// A symbolic link's target, or null.
    pub link_target: *const c_char,
    /// Length of `link_target` in bytes.
    pub link_target_len: usize,
    /// `'f'`, `'d'`, `'l'` or `'?'`.
    pub type_: c_int,
    /// Size in bytes, or -1.
    pub size: i64,
    /// Year, or 0 when the line omits it.
    pub year: c_int,
    /// Month 1-12.
    pub month: c_int,
    /// Day 1-31.
    pub day: c_int,
    /// Hour 0-23, or -1.
    pub hour: c_int,
    /// Minute 0-59, or -1.
    pub minute: c_int,
}

/// `ftp_debug_cb`: one trace line, valid during the call only.
pub type ftp_debug_cb =
    Option<unsafe extern "C" fn(line: *const c_char, len: usize, userdata: *mut c_void)>;

/// `ftp_data_cb`: a received block of `len` > 0 bytes; return 0 to continue.
pub type ftp_data_cb =
    Option<unsafe extern "C" fn(data: *const c_void, len: usize, userdata: *mut c_void) -> c_int>;

/// `ftp_line_cb`: one received line without its line end; return 0 to
/// continue.
pub type ftp_line_cb =
    Option<unsafe extern "C" fn(line: *const c_char, len: usize, userdata: *mut c_void) -> c_int>;

/// `ftp_read_cb`: fill at most `cap` bytes of `buf`, store the count in
/// `*out_len` (0 at end of data); return 0, or non-zero to abort the upload.
pub type ftp_read_cb = Option<
    unsafe extern "C" fn(
        buf: *mut c_void,
        cap: usize,
        out_len: *mut usize,
        userdata: *mut c_void,
    ) -> c_int,
>;

/// `ftp_mlsd_cb`: one MLSD entry (name verbatim, `nfacts` facts); return 0
/// to continue.
pub type ftp_mlsd_cb = Option<
    unsafe extern "C" fn(
        name: *const c_char,
        name_len: usize,
        facts: *const ftp_fact,
        nfacts: usize,
        userdata: *mut c_void,
    ) -> c_int,
>;

// ---------------------------------------------------------------------------
// Functions, in the header's order
// ---------------------------------------------------------------------------

extern "C" {
    /// `ftp_version()`: the loaded library's version as
    /// [`FTPKIT_VERSION_NUMBER`] encodes it.
    pub fn ftp_version() -> c_uint;
    /// `ftp_version_string()`: e.g. `"0.1.0"`, static.
    pub fn ftp_version_string() -> *const c_char;
    /// `ftp_strerror()`: a static name for a status; never NULL.
    pub fn ftp_strerror(status: c_int) -> *const c_char;

    /// `ftp_new()`: a session with default options; NULL when out of memory.
    pub fn ftp_new() -> *mut ftp_session;
    /// `ftp_free()`: close without QUIT and free; accepts NULL.
    pub fn ftp_free(s: *mut ftp_session);

    /// `ftp_reply_code()`: the last complete reply's code, or 0.
    pub fn ftp_reply_code(s: *const ftp_session) -> c_int;
    /// `ftp_reply_text()`: the last reply's full text; `*len` gets its length.
    pub fn ftp_reply_text(s: *const ftp_session, len: *mut usize) -> *const c_char;
    /// `ftp_errmsg()`: one line about the last call; `""` after success.
    pub fn ftp_errmsg(s: *const ftp_session) -> *const c_char;
    /// `ftp_transfer_bytes()`: bytes moved by the last (or current) transfer.
    pub fn ftp_transfer_bytes(s: *const ftp_session) -> u64;

    /// `ftp_set_timeout_ms()`: connect, reply and data timeouts at once.
    pub fn ftp_set_timeout_ms(s: *mut ftp_session, ms: c_long) -> c_int;
    /// `ftp_set_connect_timeout_ms()`.
    pub fn ftp_set_connect_timeout_ms(s: *mut ftp_session, ms: c_long) -> c_int;
    /// `ftp_set_reply_timeout_ms()`.
    pub fn ftp_set_reply_timeout_ms(s: *mut ftp_session, ms: c_long) -> c_int;
    /// `ftp_set_data_timeout_ms()`.
    pub fn ftp_set_data_timeout_ms(s: *mut ftp_session, ms: c_long) -> c_int;
    /// `ftp_set_passive()`: passive (non-zero, default) or active (0).
    pub fn ftp_set_passive(s: *mut ftp_session, passive: c_int) -> c_int;
    /// `ftp_set_epsv()`: try EPSV before PASV (non-zero, default).
    pub fn ftp_set_epsv(s: *mut ftp_session, use_epsv: c_int) -> c_int;
    /// `ftp_set_trust_pasv_host()`: use the 227 reply's host (non-zero).
    pub fn ftp_set_trust_pasv_host(s: *mut ftp_session, trust: c_int) -> c_int;
    /// `ftp_set_address_family()`: 0 any, 4, or 6.
    pub fn ftp_set_address_family(s: *mut ftp_session, family: c_int) -> c_int;
    /// `ftp_set_source_address()`: bind to a numeric local address; NULL resets.
    pub fn ftp_set_source_address(s: *mut ftp_session, host: *const c_char, port: c_uint) -> c_int;
    /// `ftp_set_maxline()`: longest reply line accepted, in bytes.
    pub fn ftp_set_maxline(s: *mut ftp_session, bytes: usize) -> c_int;
    /// `ftp_set_max_reply_size()`: largest total reply, in bytes.
    pub fn ftp_set_max_reply_size(s: *mut ftp_session, bytes: usize) -> c_int;
    /// `ftp_set_blocksize()`: block size for data callbacks, in bytes.
    pub fn ftp_set_blocksize(s: *mut ftp_session, bytes: usize) -> c_int;
    /// `ftp_set_debug()`: debug level 0-2 and the trace callback.
    pub fn ftp_set_debug(
        s: *mut ftp_session,
        level: c_int,
        cb: ftp_debug_cb,
        userdata: *mut c_void,
    ) -> c_int;

    /// `ftp_connect()`: resolve, connect, read the greeting (and TLS).
    pub fn ftp_connect(s: *mut ftp_session, host: *const c_char, port: c_uint) -> c_int;
    /// `ftp_getwelcome()`: the greeting's full text.
    pub fn ftp_getwelcome(s: *const ftp_session) -> *const c_char;
    /// `ftp_login()`: USER, PASS, ACCT as asked, then FEAT (and PBSZ/PROT).
    pub fn ftp_login(
        s: *mut ftp_session,
        user: *const c_char,
        passwd: *const c_char,
        acct: *const c_char,
    ) -> c_int;
    /// `ftp_quit()`: QUIT and close.
    pub fn ftp_quit(s: *mut ftp_session) -> c_int;
    /// `ftp_close()`: close without sending anything.
    pub fn ftp_close(s: *mut ftp_session);
    /// `ftp_is_connected()`: non-zero while the control connection is open.
    pub fn ftp_is_connected(s: *const ftp_session) -> c_int;
    /// `ftp_cancel()`: cancel the running call; callable from any thread.
    pub fn ftp_cancel(s: *mut ftp_session);

    /// `ftp_set_tls_mode()`: [`FTP_TLS_NONE`], [`FTP_TLS_EXPLICIT`] or
    /// [`FTP_TLS_IMPLICIT`].
    pub fn ftp_set_tls_mode(s: *mut ftp_session, mode: c_int) -> c_int;
    /// `ftp_set_tls_insecure()`: non-zero turns verification OFF.
    pub fn ftp_set_tls_insecure(s: *mut ftp_session, insecure: c_int) -> c_int;
    /// `ftp_set_tls_ca()`: PEM CA file and/or hashed directory.
    pub fn ftp_set_tls_ca(
        s: *mut ftp_session,
        ca_file: *const c_char,
        ca_dir: *const c_char,
    ) -> c_int;
    /// `ftp_add_tls_ca_cert()`: one more CA, `len` bytes of DER or PEM.
    pub fn ftp_add_tls_ca_cert(s: *mut ftp_session, data: *const c_void, len: usize) -> c_int;
    /// `ftp_clear_tls_ca()`: back to the system store.
    pub fn ftp_clear_tls_ca(s: *mut ftp_session) -> c_int;
    /// `ftp_set_tls_client_cert()`: PEM certificate and key files.
    pub fn ftp_set_tls_client_cert(
        s: *mut ftp_session,
        cert_file: *const c_char,
        key_file: *const c_char,
    ) -> c_int;
    /// `ftp_set_tls_server_name()`: SNI and verified name; NULL: the host.
    pub fn ftp_set_tls_server_name(s: *mut ftp_session, name: *const c_char) -> c_int;
    /// `ftp_set_tls_versions()`: allowed TLS versions (`max` 0: newest).
    pub fn ftp_set_tls_versions(s: *mut ftp_session, min: c_int, max: c_int) -> c_int;
    /// `ftp_set_tls_auth_ssl_fallback()`: try `AUTH SSL` after a 5xx.
    pub fn ftp_set_tls_auth_ssl_fallback(s: *mut ftp_session, fallback: c_int) -> c_int;
    /// `ftp_auth()`: `AUTH TLS` and the handshake now.
    pub fn ftp_auth(s: *mut ftp_session) -> c_int;
    /// `ftp_prot_p()`: `PBSZ 0` then `PROT P`.
    pub fn ftp_prot_p(s: *mut ftp_session) -> c_int;
    /// `ftp_prot_c()`: `PROT C`.
    pub fn ftp_prot_c(s: *mut ftp_session) -> c_int;
    /// `ftp_ccc()`: `CCC`, the control connection back to plain text.
    pub fn ftp_ccc(s: *mut ftp_session) -> c_int;
    /// `ftp_tls_version()`: e.g. `"TLSv1.3"`, `""` without TLS; static.
    pub fn ftp_tls_version(s: *const ftp_session) -> *const c_char;
    /// `ftp_tls_data_resumed()`: 1 if the last protected data connection
    /// resumed the control connection's TLS session.
    pub fn ftp_tls_data_resumed(s: *const ftp_session) -> c_int;

    /// `ftp_sendcmd()`: one command, 1xx-3xx is success.
    pub fn ftp_sendcmd(s: *mut ftp_session, cmd: *const c_char) -> c_int;
    /// `ftp_voidcmd()`: one command, 2xx required.
    pub fn ftp_voidcmd(s: *mut ftp_session, cmd: *const c_char) -> c_int;
    /// `ftp_acct()`: `ACCT account`.
    pub fn ftp_acct(s: *mut ftp_session, account: *const c_char) -> c_int;
    /// `ftp_cwd()`: `CWD path` (or `CDUP` for `".."`).
    pub fn ftp_cwd(s: *mut ftp_session, path: *const c_char) -> c_int;
    /// `ftp_pwd()`: the working directory, owned by the session.
    pub fn ftp_pwd(s: *mut ftp_session, out: *mut *const c_char, len: *mut usize) -> c_int;
    /// `ftp_mkd()`: `MKD path`; `*out` the created path (may be `""`).
    pub fn ftp_mkd(
        s: *mut ftp_session,
        path: *const c_char,
        out: *mut *const c_char,
        len: *mut usize,
    ) -> c_int;
    /// `ftp_rmd()`: `RMD path`.
    pub fn ftp_rmd(s: *mut ftp_session, path: *const c_char) -> c_int;
    /// `ftp_delete()`: `DELE path`.
    pub fn ftp_delete(s: *mut ftp_session, path: *const c_char) -> c_int;
    /// `ftp_rename()`: `RNFR from` then `RNTO to`.
    pub fn ftp_rename(s: *mut ftp_session, from: *const c_char, to: *const c_char) -> c_int;
    /// `ftp_size()`: `SIZE path` in binary type, in bytes.
    pub fn ftp_size(s: *mut ftp_session, path: *const c_char, out: *mut u64) -> c_int;
    /// `ftp_noop()`: `NOOP`.
    pub fn ftp_noop(s: *mut ftp_session) -> c_int;
    /// `ftp_abort()`: `ABOR` with Telnet IP/Synch.
    pub fn ftp_abort(s: *mut ftp_session) -> c_int;
    /// `ftp_feature()`: 1 if FEAT listed `name`; `*params` the rest of the line.
    pub fn ftp_feature(
        s: *const ftp_session,
        name: *const c_char,
        params: *mut *const c_char,
    ) -> c_int;

    /// `ftp_retrbinary()`: binary download with a RETR-style command.
    pub fn ftp_retrbinary(
        s: *mut ftp_session,
        cmd: *const c_char,
        blocksize: usize,
        rest: u64,
        cb: ftp_data_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_retr()`: `RETR path` in binary mode from offset `rest`.
    pub fn ftp_retr(
        s: *mut ftp_session,
        path: *const c_char,
        rest: u64,
        cb: ftp_data_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_retrlines()`: ASCII transfer, one line per callback.
    pub fn ftp_retrlines(
        s: *mut ftp_session,
        cmd: *const c_char,
        cb: ftp_line_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_storbinary()`: binary upload with a STOR-style command.
    pub fn ftp_storbinary(
        s: *mut ftp_session,
        cmd: *const c_char,
        blocksize: usize,
        rest: u64,
        cb: ftp_read_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_stor()`: `STOR path` in binary mode from offset `rest`.
    pub fn ftp_stor(
        s: *mut ftp_session,
        path: *const c_char,
        rest: u64,
        cb: ftp_read_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_storlines()`: ASCII upload, line ends sent as CRLF.
    pub fn ftp_storlines(
        s: *mut ftp_session,
        cmd: *const c_char,
        cb: ftp_read_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_nlst()`: `NLST [path]`, one name per callback.
    pub fn ftp_nlst(
        s: *mut ftp_session,
        path: *const c_char,
        cb: ftp_line_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_list()`: `LIST [path]`, one raw line per callback.
    pub fn ftp_list(
        s: *mut ftp_session,
        path: *const c_char,
        cb: ftp_line_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_mlsd()`: `MLSD [path]`, one parsed entry per callback.
    pub fn ftp_mlsd(
        s: *mut ftp_session,
        path: *const c_char,
        cb: ftp_mlsd_cb,
        userdata: *mut c_void,
    ) -> c_int;
    /// `ftp_retr_fd()`: `RETR path` straight into the file descriptor `fd`.
    pub fn ftp_retr_fd(s: *mut ftp_session, path: *const c_char, rest: u64, fd: c_int) -> c_int;
    /// `ftp_stor_fd()`: `STOR path` from the rest of the file descriptor `fd`.
    pub fn ftp_stor_fd(s: *mut ftp_session, path: *const c_char, rest: u64, fd: c_int) -> c_int;
    /// `ftp_retr_files()`: download `n` items over up to `parallel` sessions.
    pub fn ftp_retr_files(
        s: *mut ftp_session,
        items: *mut ftp_file_item,
        n: usize,
        parallel: c_uint,
    ) -> c_int;
    /// `ftp_parse_list_line()`: parse one LIST line (1 entry, 0 none,
    /// negative status for an unknown format); a pure function.
    pub fn ftp_parse_list_line(line: *const c_char, len: usize, out: *mut ftp_list_entry) -> c_int;
    /// `ftp_stor_files()`: upload `n` items over up to `parallel` sessions.
    pub fn ftp_stor_files(
        s: *mut ftp_session,
        items: *mut ftp_file_item,
        n: usize,
        parallel: c_uint,
    ) -> c_int;

    /// `ftp_transfer_open()`: start a pull transfer; `*size` the announced
    /// size or -1.
    pub fn ftp_transfer_open(
        s: *mut ftp_session,
        cmd: *const c_char,
        type_: c_int,
        rest: u64,
        size: *mut i64,
    ) -> c_int;
    /// `ftp_transfer_read()`: read up to `cap` bytes; `*n` 0 at the end.
    pub fn ftp_transfer_read(
        s: *mut ftp_session,
        buf: *mut c_void,
        cap: usize,
        n: *mut usize,
    ) -> c_int;
    /// `ftp_transfer_write()`: write all `len` bytes.
    pub fn ftp_transfer_write(s: *mut ftp_session, buf: *const c_void, len: usize) -> c_int;
    /// `ftp_transfer_close()`: close the data connection, read the final reply.
    pub fn ftp_transfer_close(s: *mut ftp_session) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_layout_matches_c() {
        // Two (pointer, size_t) pairs, no padding.
        assert_eq!(
            core::mem::size_of::<ftp_fact>(),
            4 * core::mem::size_of::<usize>()
        );
        assert_eq!(
            core::mem::align_of::<ftp_fact>(),
            core::mem::align_of::<usize>()
        );
    }

    #[test]
    fn file_item_layout_matches_c() {
        // const char *, int, int, uint64_t: 8 + 4 + 4 + 8 on LP64.
        assert_eq!(
            core::mem::offset_of!(ftp_file_item, fd),
            core::mem::size_of::<usize>()
        );
        assert_eq!(
            core::mem::offset_of!(ftp_file_item, bytes),
            (core::mem::size_of::<usize>() + 8).next_multiple_of(8)
        );
        assert_eq!(core::mem::align_of::<ftp_file_item>(), 8);
    }

    #[test]
    fn loaded_library_matches_declarations() {
        let v = unsafe { ftp_version() };
        assert_eq!(v >> 16, FTPKIT_VERSION_MAJOR);
        assert_eq!((v >> 8) & 0xff, FTPKIT_VERSION_MINOR);
        let s = unsafe { core::ffi::CStr::from_ptr(ftp_strerror(FTP_EPERM)) };
        assert!(!s.to_bytes().is_empty());
    }
}
