//! The only module with `unsafe` code: it owns the `ftp_session` pointer,
//! turns borrowed C strings into owned Rust values, and runs user closures
//! behind `extern "C"` trampolines that never let a panic cross into C.
//!
//! Every function here returns the raw status; `crate::error` turns it into
//! an [`Error`](crate::Error).  Invariants kept by this module:
//!
//! * the session pointer is non-null and freed exactly once, by [`Handle`]'s
//!   `Drop`, after the last [`Raw`] or [`CancelRef`] upgrade let go of it;
//! * every call that takes `*mut ftp_session` goes through `&mut Raw`, so
//!   the C rule "one thread at a time per session" holds by construction;
//!   only `ftp_cancel()` (documented as callable from any thread) is made
//!   through a shared reference;
//! * strings returned by the library are copied before the next call;
//! * a closure's panic is caught in its trampoline (the trampoline returns
//!   non-zero, so the library stops the operation cleanly) and resumed with
//!   `resume_unwind` once the C call has returned.
#![allow(unsafe_code)]

use std::any::Any;
use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::{Arc, Weak};

use ftpkit_sys as sys;

pub(crate) use sys::{
    FTP_EABORTED, FTP_ECANCELED, FTP_ECERT, FTP_ECLOSED, FTP_EINTERNAL, FTP_EINVAL, FTP_EIO,
    FTP_ELOCAL, FTP_ENOMEM, FTP_EPERM, FTP_EPROTO, FTP_EREPLY, FTP_ERESOLVE, FTP_ESTATE, FTP_ETEMP,
    FTP_ETIMEOUT, FTP_ETLS, FTP_OK, FTP_TLS_EXPLICIT, FTP_TLS_IMPLICIT, FTP_TLS_NONE,
    FTP_TLS_VERSION_1_2, FTP_TLS_VERSION_1_3, FTP_TYPE_BINARY,
};

type Panic = Box<dyn Any + Send + 'static>;

/// A status no library call returns: "this job was not attempted".
pub(crate) const NOT_RUN: c_int = c_int::MIN;

/// Why a user closure asked the library to stop.
pub(crate) enum Stop {
    /// The caller's own `Read`/`Write` failed; returned as the error source.
    Io(io::Error),
    /// The closure returned `ControlFlow::Break`.
    Break,
}

/// What a closure returns to a trampoline.
pub(crate) type Flow = Result<(), Stop>;

/// The status of a call that ran a closure, and why the closure stopped it
/// (if it did).  A panic never gets here: it was resumed already.
pub(crate) struct Outcome {
    pub(crate) rc: c_int,
    pub(crate) stop: Option<Stop>,
}

// ---------------------------------------------------------------------------
// Library-wide functions
// ---------------------------------------------------------------------------

/// `ftp_version()`.
pub(crate) fn version() -> u32 {
    // SAFETY: no arguments, no preconditions.
    unsafe { sys::ftp_version() }
}

/// `ftp_version_string()`: a static string.
pub(crate) fn version_string() -> &'static str {
    // SAFETY: the library returns a static NUL-terminated string.
    let s = unsafe { CStr::from_ptr(sys::ftp_version_string()) };
    s.to_str().unwrap_or("?")
}

/// `ftp_strerror()`: a static name for a status.
pub(crate) fn strerror(rc: c_int) -> &'static str {
    // SAFETY: never NULL, static storage.
    let s = unsafe { CStr::from_ptr(sys::ftp_strerror(rc)) };
    s.to_str().unwrap_or("unknown status")
}

/// Bytes from a pointer and length given by the library; empty for NULL.
///
/// # Safety
/// `p` must be valid for `len` bytes for the lifetime `'a` (the library
/// guarantees it until the next call on the session, or during a callback).
unsafe fn bytes<'a>(p: *const c_char, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p.cast::<u8>(), len)
    }
}

/// An owned copy of a NUL-terminated string from the library.
///
/// # Safety
/// `p` is NULL or a valid NUL-terminated string.
unsafe fn owned(p: *const c_char) -> Vec<u8> {
    if p.is_null() {
        Vec::new()
    } else {
        CStr::from_ptr(p).to_bytes().to_vec()
    }
}

fn opt_ptr(s: Option<&CStr>) -> *const c_char {
    s.map_or(ptr::null(), CStr::as_ptr)
}

fn flag(b: bool) -> c_int {
    c_int::from(b)
}

// ---------------------------------------------------------------------------
// The session handle
// ---------------------------------------------------------------------------

/// Owns the `ftp_session *`; `ftp_free()` runs when the last owner drops.
struct Handle(NonNull<sys::ftp_session>);

// SAFETY: a session may move between threads between calls (ftp.h,
// "Threading").  Through `&Handle` only `ftp_cancel()` is called, which the
// header allows from any thread at any time while the session is not being
// freed; the Arc guarantees it is not.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the pointer came from ftp_new() and is freed only here.
        unsafe { sys::ftp_free(self.0.as_ptr()) }
    }
}

/// A way to call `ftp_cancel()` from another thread.
#[derive(Clone)]
pub(crate) struct CancelRef(Weak<Handle>);

impl CancelRef {
    pub(crate) fn cancel(&self) {
        if let Some(h) = self.0.upgrade() {
            // SAFETY: ftp_cancel() may be called from any thread at any time
            // while the session is alive; `h` keeps it alive.
            unsafe { sys::ftp_cancel(h.0.as_ptr()) }
        }
    }
}

/// The closure that receives debug trace lines.
pub(crate) type DebugFn = dyn FnMut(&[u8]) + Send;

/// The debug trace closure and a panic it may have raised.
struct DebugCtx {
    f: Box<DebugFn>,
    panic: Option<Panic>,
}

/// The session as the rest of the crate sees it: safe methods that return
/// raw statuses.
pub(crate) struct Raw {
    handle: Arc<Handle>,
    /// From `Box::into_raw`; registered with ftp_set_debug().
    debug: Option<NonNull<DebugCtx>>,
}

// SAFETY: `Handle` is Send; the debug context holds a `Send` closure and is
// only touched by calls made through `&mut Raw` (on the calling thread).
unsafe impl Send for Raw {}

impl Drop for Raw {
    fn drop(&mut self) {
        let p = self.p();
        // SAFETY: `p` is alive (we hold the Arc).  Close the connection now,
        // even if a CancelRef upgrade keeps the memory a little longer, and
        // unregister the debug callback before its context is freed.
        unsafe {
            sys::ftp_close(p);
            sys::ftp_set_debug(p, 0, None, ptr::null_mut());
        }
        if let Some(d) = self.debug.take() {
            // SAFETY: created by Box::into_raw in set_debug, freed once.
            drop(unsafe { Box::from_raw(d.as_ptr()) });
        }
    }
}

impl Raw {
    /// `ftp_new()`; `None` when out of memory.
    pub(crate) fn new() -> Option<Raw> {
        // SAFETY: no preconditions.
        let p = NonNull::new(unsafe { sys::ftp_new() })?;
        Some(Raw {
            handle: Arc::new(Handle(p)),
            debug: None,
        })
    }

    fn p(&self) -> *mut sys::ftp_session {
        self.handle.0.as_ptr()
    }

    pub(crate) fn cancel_ref(&self) -> CancelRef {
        CancelRef(Arc::downgrade(&self.handle))
    }

    /// Run one library call, then resume a panic the debug closure raised
    /// during it.
    fn call(&mut self, f: impl FnOnce(*mut sys::ftp_session) -> c_int) -> c_int {
        let rc = f(self.p());
        self.resume_debug_panic();
        rc
    }

    fn resume_debug_panic(&mut self) {
        if let Some(d) = self.debug {
            // SAFETY: the context lives until Drop/set_debug replace it; no
            // library call is running now, so nothing else touches it.
            let ctx = unsafe { &mut *d.as_ptr() };
            if let Some(p) = ctx.panic.take() {
                panic::resume_unwind(p);
            }
        }
    }

    // -- state getters (copies) ------------------------------------------

    pub(crate) fn reply_code(&self) -> c_int {
        // SAFETY: valid session pointer.
        unsafe { sys::ftp_reply_code(self.p()) }
    }

    pub(crate) fn reply_text(&self) -> Vec<u8> {
        let mut len = 0usize;
        // SAFETY: valid session; the text is valid for `len` bytes until the
        // next call, and we copy it now.
        unsafe {
            let p = sys::ftp_reply_text(self.p(), &mut len);
            bytes(p, len).to_vec()
        }
    }

    pub(crate) fn errmsg(&self) -> String {
        // SAFETY: never NULL; copied before any other call.
        let v = unsafe { owned(sys::ftp_errmsg(self.p())) };
        String::from_utf8_lossy(&v).into_owned()
    }

    pub(crate) fn welcome(&self) -> Vec<u8> {
        // SAFETY: never NULL; copied.
        unsafe { owned(sys::ftp_getwelcome(self.p())) }
    }

    pub(crate) fn transfer_bytes(&self) -> u64 {
        // SAFETY: valid session pointer.
        unsafe { sys::ftp_transfer_bytes(self.p()) }
    }

    pub(crate) fn is_connected(&self) -> bool {
        // SAFETY: valid session pointer.
        unsafe { sys::ftp_is_connected(self.p()) != 0 }
    }

    pub(crate) fn feature(&self, name: &CStr) -> Option<Vec<u8>> {
        let mut params: *const c_char = ptr::null();
        // SAFETY: valid pointers; `params` is copied at once.
        unsafe {
            if sys::ftp_feature(self.p(), name.as_ptr(), &mut params) == 0 {
                None
            } else {
                Some(owned(params))
            }
        }
    }

    pub(crate) fn tls_version(&self) -> String {
        // SAFETY: static string, never NULL.
        let v = unsafe { owned(sys::ftp_tls_version(self.p())) };
        String::from_utf8_lossy(&v).into_owned()
    }

    pub(crate) fn tls_data_resumed(&self) -> bool {
        // SAFETY: valid session pointer.
        unsafe { sys::ftp_tls_data_resumed(self.p()) != 0 }
    }

    // -- options -----------------------------------------------------------

    pub(crate) fn set_connect_timeout_ms(&mut self, ms: c_long) -> c_int {
        // SAFETY: valid session pointer (all `call`s below likewise).
        self.call(|p| unsafe { sys::ftp_set_connect_timeout_ms(p, ms) })
    }
    pub(crate) fn set_reply_timeout_ms(&mut self, ms: c_long) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_reply_timeout_ms(p, ms) })
    }
    pub(crate) fn set_data_timeout_ms(&mut self, ms: c_long) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_data_timeout_ms(p, ms) })
    }
    pub(crate) fn set_passive(&mut self, on: bool) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_passive(p, flag(on)) })
    }
    pub(crate) fn set_epsv(&mut self, on: bool) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_epsv(p, flag(on)) })
    }
    pub(crate) fn set_trust_pasv_host(&mut self, on: bool) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_trust_pasv_host(p, flag(on)) })
    }
    pub(crate) fn set_address_family(&mut self, family: c_int) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_address_family(p, family) })
    }
    pub(crate) fn set_source_address(&mut self, host: Option<&CStr>, port: u16) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_source_address(p, opt_ptr(host), port.into()) })
    }
    pub(crate) fn set_maxline(&mut self, n: usize) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_maxline(p, n) })
    }
    pub(crate) fn set_max_reply_size(&mut self, n: usize) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_max_reply_size(p, n) })
    }
    pub(crate) fn set_blocksize(&mut self, n: usize) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_blocksize(p, n) })
    }
    pub(crate) fn set_tls_mode(&mut self, mode: c_int) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_mode(p, mode) })
    }
    pub(crate) fn set_tls_insecure(&mut self, on: bool) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_insecure(p, flag(on)) })
    }
    pub(crate) fn set_tls_ca(&mut self, file: Option<&CStr>, dir: Option<&CStr>) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_ca(p, opt_ptr(file), opt_ptr(dir)) })
    }
    pub(crate) fn add_tls_ca_cert(&mut self, data: &[u8]) -> c_int {
        // SAFETY: `data` is valid for its length; the library copies it.
        self.call(|p| unsafe { sys::ftp_add_tls_ca_cert(p, data.as_ptr().cast(), data.len()) })
    }
    pub(crate) fn clear_tls_ca(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_clear_tls_ca(p) })
    }
    pub(crate) fn set_tls_client_cert(&mut self, cert: Option<&CStr>, key: Option<&CStr>) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_client_cert(p, opt_ptr(cert), opt_ptr(key)) })
    }
    pub(crate) fn set_tls_server_name(&mut self, name: Option<&CStr>) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_server_name(p, opt_ptr(name)) })
    }
    pub(crate) fn set_tls_versions(&mut self, min: c_int, max: c_int) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_versions(p, min, max) })
    }
    pub(crate) fn set_tls_auth_ssl_fallback(&mut self, on: bool) -> c_int {
        self.call(|p| unsafe { sys::ftp_set_tls_auth_ssl_fallback(p, flag(on)) })
    }

    /// `ftp_set_debug()` with a closure that receives each trace line, or
    /// `None` to stop tracing.
    pub(crate) fn set_debug(&mut self, level: c_int, f: Option<Box<DebugFn>>) -> c_int {
        unsafe extern "C" fn tramp(line: *const c_char, len: usize, ud: *mut c_void) {
            // SAFETY: `ud` is the DebugCtx registered below, alive while
            // registered; the line is valid during this call.
            let ctx = unsafe { &mut *ud.cast::<DebugCtx>() };
            if ctx.panic.is_some() {
                return;
            }
            let line = unsafe { bytes(line, len) };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| (ctx.f)(line))) {
                ctx.panic = Some(p);
            }
        }
        let new = f.map(|f| NonNull::from(Box::leak(Box::new(DebugCtx { f, panic: None }))));
        let (cb, ud): (sys::ftp_debug_cb, *mut c_void) = match new {
            Some(ctx) => (Some(tramp), ctx.as_ptr().cast()),
            None => (None, ptr::null_mut()),
        };
        // SAFETY: valid session; `ud` outlives its registration (freed only
        // after being replaced or in Drop, after unregistering).
        let rc = unsafe { sys::ftp_set_debug(self.p(), level, cb, ud) };
        if rc == FTP_OK {
            if let Some(old) = std::mem::replace(&mut self.debug, new) {
                // SAFETY: no longer registered; from Box::leak above.
                drop(unsafe { Box::from_raw(old.as_ptr()) });
            }
        } else if let Some(ctx) = new {
            // SAFETY: never registered; from Box::leak above.
            drop(unsafe { Box::from_raw(ctx.as_ptr()) });
        }
        rc
    }

    // -- connection --------------------------------------------------------

    pub(crate) fn connect(&mut self, host: &CStr, port: u16) -> c_int {
        self.call(|p| unsafe { sys::ftp_connect(p, host.as_ptr(), port.into()) })
    }
    pub(crate) fn login(&mut self, user: &CStr, pass: &CStr, acct: Option<&CStr>) -> c_int {
        self.call(|p| unsafe { sys::ftp_login(p, user.as_ptr(), pass.as_ptr(), opt_ptr(acct)) })
    }
    pub(crate) fn quit(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_quit(p) })
    }
    pub(crate) fn close(&mut self) {
        // SAFETY: valid session pointer.
        unsafe { sys::ftp_close(self.p()) }
    }
    pub(crate) fn auth(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_auth(p) })
    }
    pub(crate) fn prot_p(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_prot_p(p) })
    }
    pub(crate) fn prot_c(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_prot_c(p) })
    }
    pub(crate) fn ccc(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_ccc(p) })
    }

    // -- commands ----------------------------------------------------------

    pub(crate) fn sendcmd(&mut self, cmd: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_sendcmd(p, cmd.as_ptr()) })
    }
    pub(crate) fn voidcmd(&mut self, cmd: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_voidcmd(p, cmd.as_ptr()) })
    }
    pub(crate) fn acct(&mut self, account: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_acct(p, account.as_ptr()) })
    }
    pub(crate) fn cwd(&mut self, path: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_cwd(p, path.as_ptr()) })
    }
    pub(crate) fn pwd(&mut self) -> (c_int, Vec<u8>) {
        let mut out: *const c_char = ptr::null();
        let mut len = 0usize;
        let rc = self.call(|p| unsafe { sys::ftp_pwd(p, &mut out, &mut len) });
        // SAFETY: on success `out` is valid for `len` bytes until the next
        // call; copied now.
        let v = if rc == FTP_OK {
            unsafe { bytes(out, len).to_vec() }
        } else {
            Vec::new()
        };
        (rc, v)
    }
    pub(crate) fn mkd(&mut self, path: &CStr) -> (c_int, Vec<u8>) {
        let mut out: *const c_char = ptr::null();
        let mut len = 0usize;
        let rc = self.call(|p| unsafe { sys::ftp_mkd(p, path.as_ptr(), &mut out, &mut len) });
        // SAFETY: as in pwd().
        let v = if rc == FTP_OK {
            unsafe { bytes(out, len).to_vec() }
        } else {
            Vec::new()
        };
        (rc, v)
    }
    pub(crate) fn rmd(&mut self, path: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_rmd(p, path.as_ptr()) })
    }
    pub(crate) fn delete(&mut self, path: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_delete(p, path.as_ptr()) })
    }
    pub(crate) fn rename(&mut self, from: &CStr, to: &CStr) -> c_int {
        self.call(|p| unsafe { sys::ftp_rename(p, from.as_ptr(), to.as_ptr()) })
    }
    pub(crate) fn size(&mut self, path: &CStr) -> (c_int, u64) {
        let mut out = 0u64;
        let rc = self.call(|p| unsafe { sys::ftp_size(p, path.as_ptr(), &mut out) });
        (rc, out)
    }
    pub(crate) fn noop(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_noop(p) })
    }
    pub(crate) fn abort(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_abort(p) })
    }

    // -- push transfers with closures ---------------------------------------

    /// Runs `f` with a trampoline context, then resumes a panic it raised.
    fn with_ctx<F: ?Sized>(
        &mut self,
        f: &mut F,
        run: impl FnOnce(*mut sys::ftp_session, *mut c_void) -> c_int,
    ) -> Outcome {
        let mut ctx = Ctx {
            f,
            stop: None,
            panic: None,
        };
        let ud = ptr::addr_of_mut!(ctx).cast::<c_void>();
        let rc = self.call(|p| run(p, ud));
        if let Some(p) = ctx.panic.take() {
            panic::resume_unwind(p);
        }
        Outcome {
            rc,
            stop: ctx.stop.take(),
        }
    }

    /// `ftp_retrbinary()`: blocks go to `f`.
    pub(crate) fn retrbinary(&mut self, cmd: &CStr, rest: u64, f: &mut BytesFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_retrbinary(p, cmd.as_ptr(), 0, rest, Some(data_tramp), ud)
        })
    }

    /// `ftp_retrlines()`: lines go to `f`.
    pub(crate) fn retrlines(&mut self, cmd: &CStr, f: &mut BytesFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_retrlines(p, cmd.as_ptr(), Some(line_tramp), ud)
        })
    }

    /// `ftp_nlst()` (`path` None: no argument).
    pub(crate) fn nlst(&mut self, path: Option<&CStr>, f: &mut BytesFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_nlst(p, opt_ptr(path), Some(line_tramp), ud)
        })
    }

    /// `ftp_list()` (`path` None: no argument).
    pub(crate) fn list(&mut self, path: Option<&CStr>, f: &mut BytesFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_list(p, opt_ptr(path), Some(line_tramp), ud)
        })
    }

    /// `ftp_mlsd()`: each entry's name and facts go to `f`.
    pub(crate) fn mlsd(&mut self, path: Option<&CStr>, f: &mut MlsdFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_mlsd(p, opt_ptr(path), Some(mlsd_tramp), ud)
        })
    }

    /// `ftp_storbinary()`: data comes from `f`, which fills the buffer and
    /// returns the count (0 at end of data).
    pub(crate) fn storbinary(&mut self, cmd: &CStr, rest: u64, f: &mut ReadFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_storbinary(p, cmd.as_ptr(), 0, rest, Some(read_tramp), ud)
        })
    }

    /// `ftp_storlines()`.
    pub(crate) fn storlines(&mut self, cmd: &CStr, f: &mut ReadFn<'_>) -> Outcome {
        self.with_ctx(f, |p, ud| unsafe {
            sys::ftp_storlines(p, cmd.as_ptr(), Some(read_tramp), ud)
        })
    }

    /// `ftp_retr_fd()`.
    pub(crate) fn retr_fd(&mut self, path: &CStr, rest: u64, fd: BorrowedFd<'_>) -> c_int {
        let fd = fd.as_raw_fd();
        // SAFETY: `fd` is open for the duration (borrowed); the library does
        // not close it.
        self.call(|p| unsafe { sys::ftp_retr_fd(p, path.as_ptr(), rest, fd) })
    }

    /// `ftp_stor_fd()`.
    pub(crate) fn stor_fd(&mut self, path: &CStr, rest: u64, fd: BorrowedFd<'_>) -> c_int {
        let fd = fd.as_raw_fd();
        // SAFETY: as in retr_fd().
        self.call(|p| unsafe { sys::ftp_stor_fd(p, path.as_ptr(), rest, fd) })
    }

    /// `ftp_retr_files()` (`upload` false) or `ftp_stor_files()` (true):
    /// the call's status, and each job's status ([`NOT_RUN`] if the
    /// library left it untouched) and byte count.
    pub(crate) fn transfer_files(
        &mut self,
        upload: bool,
        jobs: &[(&CStr, BorrowedFd<'_>)],
        parallel: u32,
    ) -> (c_int, Vec<(c_int, u64)>) {
        let mut items: Vec<sys::ftp_file_item> = jobs
            .iter()
            .map(|(path, fd)| sys::ftp_file_item {
                path: path.as_ptr(),
                fd: fd.as_raw_fd(),
                status: NOT_RUN,
                bytes: 0,
            })
            .collect();
        // SAFETY: `items` and the paths and descriptors it points at outlive
        // the call; the library writes only `status` and `bytes`.
        let rc = self.call(|p| unsafe {
            if upload {
                sys::ftp_stor_files(p, items.as_mut_ptr(), items.len(), parallel)
            } else {
                sys::ftp_retr_files(p, items.as_mut_ptr(), items.len(), parallel)
            }
        });
        (rc, items.iter().map(|i| (i.status, i.bytes)).collect())
    }

    // -- pull transfers ------------------------------------------------------

    /// `ftp_transfer_open()`; the size the 150 reply announced, or -1.
    pub(crate) fn transfer_open(&mut self, cmd: &CStr, type_: c_int, rest: u64) -> (c_int, i64) {
        let mut size = -1i64;
        let rc = self
            .call(|p| unsafe { sys::ftp_transfer_open(p, cmd.as_ptr(), type_, rest, &mut size) });
        (rc, size)
    }

    /// `ftp_transfer_read()` into `buf`; the count (0 at the end of data).
    pub(crate) fn transfer_read(&mut self, buf: &mut [u8]) -> (c_int, usize) {
        let mut n = 0usize;
        // SAFETY: `buf` is valid for writes of its length.
        let rc = self.call(|p| unsafe {
            sys::ftp_transfer_read(p, buf.as_mut_ptr().cast(), buf.len(), &mut n)
        });
        (rc, n.min(buf.len()))
    }

    /// `ftp_transfer_write()` of all of `buf`.
    pub(crate) fn transfer_write(&mut self, buf: &[u8]) -> c_int {
        // SAFETY: `buf` is valid for reads of its length.
        self.call(|p| unsafe { sys::ftp_transfer_write(p, buf.as_ptr().cast(), buf.len()) })
    }

    /// `ftp_transfer_close()`.
    pub(crate) fn transfer_close(&mut self) -> c_int {
        self.call(|p| unsafe { sys::ftp_transfer_close(p) })
    }
}

// ---------------------------------------------------------------------------
// Trampolines
// ---------------------------------------------------------------------------

/// The closure type behind the download and listing functions: one block
/// or one line.
pub(crate) type BytesFn<'a> = dyn FnMut(&[u8]) -> Flow + 'a;

/// The closure type behind `ftp_mlsd()`: the entry name and its facts as
/// (lowercased name, value) byte pairs.
pub(crate) type MlsdFn<'a> = dyn FnMut(&[u8], &[(&[u8], &[u8])]) -> Flow + 'a;

/// The closure type behind the upload functions: fill the buffer, return
/// the count (0: end of data).
pub(crate) type ReadFn<'a> = dyn FnMut(&mut [u8]) -> Result<usize, Stop> + 'a;

/// What a trampoline's `userdata` points at.
struct Ctx<'a, F: ?Sized> {
    f: &'a mut F,
    stop: Option<Stop>,
    panic: Option<Panic>,
}

impl<F: ?Sized> Ctx<'_, F> {
    /// Run the user's code: 0 to continue, 1 to stop (error or panic kept).
    fn run<T>(&mut self, body: impl FnOnce(&mut F) -> Result<T, Stop>) -> Result<T, ()> {
        if self.stop.is_some() || self.panic.is_some() {
            return Err(()); // already stopping; never call user code again
        }
        let f = &mut *self.f;
        match panic::catch_unwind(AssertUnwindSafe(|| body(f))) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(stop)) => {
                self.stop = Some(stop);
                Err(())
            }
            Err(p) => {
                self.panic = Some(p);
                Err(())
            }
        }
    }
}

/// # Safety
/// `ud` points at the live `Ctx<F>` that with_ctx() set up for this call.
unsafe fn ctx_mut<'a, F: ?Sized>(ud: *mut c_void) -> &'a mut Ctx<'a, F> {
    unsafe { &mut *ud.cast::<Ctx<'a, F>>() }
}

unsafe extern "C" fn data_tramp(data: *const c_void, len: usize, ud: *mut c_void) -> c_int {
    // SAFETY: `ud` is the Ctx set up by with_ctx() for this call; the data
    // is valid during the call.
    let ctx = unsafe { ctx_mut::<BytesFn<'_>>(ud) };
    let data = unsafe { bytes(data.cast(), len) };
    match ctx.run(|f| f(data)) {
        Ok(()) => 0,
        Err(()) => 1,
    }
}

unsafe extern "C" fn line_tramp(line: *const c_char, len: usize, ud: *mut c_void) -> c_int {
    // SAFETY: as in data_tramp().
    let ctx = unsafe { ctx_mut::<BytesFn<'_>>(ud) };
    let line = unsafe { bytes(line, len) };
    match ctx.run(|f| f(line)) {
        Ok(()) => 0,
        Err(()) => 1,
    }
}

unsafe extern "C" fn mlsd_tramp(
    name: *const c_char,
    name_len: usize,
    facts: *const sys::ftp_fact,
    nfacts: usize,
    ud: *mut c_void,
) -> c_int {
    // SAFETY: as in data_tramp(); `facts` points at `nfacts` facts whose
    // strings are valid during the call.
    let ctx = unsafe { ctx_mut::<MlsdFn<'_>>(ud) };
    let name = unsafe { bytes(name, name_len) };
    let facts: &[sys::ftp_fact] = if facts.is_null() || nfacts == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(facts, nfacts) }
    };
    let pairs: Vec<(&[u8], &[u8])> = facts
        .iter()
        .map(|f| unsafe { (bytes(f.name, f.name_len), bytes(f.value, f.value_len)) })
        .collect();
    match ctx.run(|f| f(name, &pairs)) {
        Ok(()) => 0,
        Err(()) => 1,
    }
}

unsafe extern "C" fn read_tramp(
    buf: *mut c_void,
    cap: usize,
    out_len: *mut usize,
    ud: *mut c_void,
) -> c_int {
    // SAFETY: as in data_tramp(); `buf` is writable for `cap` bytes and
    // `out_len` is valid.
    let ctx = unsafe { ctx_mut::<ReadFn<'_>>(ud) };
    unsafe { *out_len = 0 };
    if buf.is_null() || cap == 0 {
        return 0;
    }
    let buf = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
    match ctx.run(|f| f(buf)) {
        Ok(n) => {
            unsafe { *out_len = n.min(cap) };
            0
        }
        Err(()) => 1,
    }
}
