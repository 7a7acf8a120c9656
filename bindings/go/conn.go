package ftpkit

/*
#include <stdlib.h>
#include <ftpkit/ftp.h>

int ftpkitgo_set_debug(ftp_session *s, int level, uintptr_t h);
*/
import "C"

import (
	"context"
	"net"
	"runtime"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Conn is one FTP session: a control connection (RFC 959 §2.3) and at most
// one data connection at a time, wrapping a libftpkit ftp_session.
//
// Its methods are serialized by a mutex, but the session has one working
// directory and one transfer at a time, so use a Conn from one goroutine
// at a time.  The exceptions are Close, which may be called from any
// goroutine and then aborts a call in flight, and the Conn's context
// (DialContext, SetContext), whose cancellation does the same.  Distinct
// Conns are fully independent and may be used concurrently.
//
// Call Close (or Quit) when done; a Conn that becomes unreachable without
// it is freed by a cleanup function, without sending QUIT.
type Conn struct {
	mu      sync.Mutex
	s       *C.ftp_session // nil once closed
	ctx     context.Context
	debug   cgo.Handle // the debug trace's callState, 0 if none
	cleanup runtime.Cleanup
	closing atomic.Bool
}

// session resources released by Close or, for a forgotten Conn, by the
// cleanup function registered with runtime.AddCleanup.
type sessionRes struct {
	s     *C.ftp_session
	debug cgo.Handle
}

func freeSession(r sessionRes) {
	C.ftp_free(r.s)
	if r.debug != 0 {
		r.debug.Delete()
	}
}

// Dial connects to an FTP server: it resolves the host, opens the control
// connection and reads the 220 greeting (RFC 959 §5.4), doing the TLS
// handshake first in the TLS modes (RFC 4217).  addr is "host:port",
// "host" or "[ipv6]"; without a port, 21 is used (990 with TLSImplicit).
// It is DialContext with context.Background().
//
// Errors (*Error): ErrResolve, ErrIO (connection refused), ErrTimeout,
// ErrTransient/ErrPermanent (421 and other refusals, AUTH TLS refused),
// ErrProtocol, ErrClosed, ErrTLS, ErrCert, ErrInvalid (a bad option or
// address).
func Dial(addr string, opts ...Option) (*Conn, error) {
	return DialContext(context.Background(), addr, opts...)
}

// DialContext is Dial with a context that stays attached to the returned
// Conn: when it is canceled or its deadline passes, the call in flight
// (connect, a command, a Retr reader's Read...) is aborted through
// ftp_cancel and returns an error matching both ErrCanceled and the
// context's error (context.Canceled or context.DeadlineExceeded); the
// control connection is then closed, so later calls fail and a new Dial is
// needed.  Unlike net.Dialer, the context therefore bounds the whole life
// of the Conn, not just the dial; use SetContext to replace it between
// calls (for instance to give one download its own deadline).
func DialContext(ctx context.Context, addr string, opts ...Option) (*Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	host, port, err := splitAddr(addr)
	if err != nil {
		return nil, err
	}
	if !libraryVersionOK() {
		return nil, &Error{Op: "dial", Kind: ErrInternal, Status: int(C.FTP_EINTERNAL),
			Msg: "unsupported libftpkit version " + LibraryVersion()}
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := C.ftp_new()
	if s == nil {
		return nil, &Error{Op: "dial", Kind: ErrNoMemory, Status: int(C.FTP_ENOMEM)}
	}
	c := &Conn{s: s, ctx: ctx}
	if cfg.debug != nil {
		c.debug = cgo.NewHandle(&callState{debug: cfg.debug})
	}
	c.cleanup = runtime.AddCleanup(c, freeSession, sessionRes{s: s, debug: c.debug})
	if err := c.configure(&cfg); err != nil {
		c.Close()
		return nil, err
	}
	chost, err := cString("connect", host)
	if err != nil {
		c.Close()
		return nil, err
	}
	defer C.free(unsafe.Pointer(chost))
	if err := c.do("connect", nil, func(s *C.ftp_session) C.int {
		return C.ftp_connect(s, chost, C.uint(port))
	}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// splitAddr splits "host:port", "host", "[v6]:port" or "[v6]".
func splitAddr(addr string) (string, uint, error) {
	bad := func(msg string) error {
		return &Error{Op: "dial", Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: msg + ": " + strconv.Quote(addr)}
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		// No port: the whole string is the host.
		host, portStr = addr, ""
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		} else if strings.Count(host, ":") == 1 {
			return "", 0, bad("invalid address")
		}
	}
	if host == "" {
		return "", 0, bad("missing host")
	}
	if strings.ContainsAny(host, "[]/ \t\r\n\x00") {
		return "", 0, bad("invalid host")
	}
	var port uint64
	if portStr != "" {
		port, err = strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			return "", 0, bad("invalid port")
		}
	}
	return host, uint(port), nil
}

// configure applies the options to the fresh session.
func (c *Conn) configure(cfg *config) error {
	set := func(op string, rc C.int) error { return c.checkNoReply(op, rc) }
	if cfg.timeoutSet {
		ms := (cfg.timeout + time.Millisecond - 1) / time.Millisecond
		if cfg.timeout <= 0 {
			ms = 0 // the library refuses it: ErrInvalid
		}
		if err := set("timeout", C.ftp_set_timeout_ms(c.s, C.long(ms))); err != nil {
			return err
		}
	}
	if cfg.active {
		if err := set("passive", C.ftp_set_passive(c.s, 0)); err != nil {
			return err
		}
	}
	if cfg.noEPSV {
		if err := set("epsv", C.ftp_set_epsv(c.s, 0)); err != nil {
			return err
		}
	}
	if cfg.blockSize != 0 {
		n := cfg.blockSize
		if n < 0 {
			n = 0
		}
		if err := set("blocksize", C.ftp_set_blocksize(c.s, C.size_t(n))); err != nil {
			return err
		}
	}
	if c.debug != 0 {
		if err := set("debug", C.ftpkitgo_set_debug(c.s, C.int(cfg.debugLevel), C.uintptr_t(c.debug))); err != nil {
			return err
		}
	}
	if err := set("tls mode", C.ftp_set_tls_mode(c.s, C.int(cfg.tlsMode))); err != nil {
		return err
	}
	if cfg.tls != nil {
		return c.configureTLS(cfg.tls)
	}
	return nil
}

// SetContext replaces the context that governs the Conn's calls from now
// on (see DialContext); nil means context.Background().  A call already in
// flight keeps the context it started with.
func (c *Conn) SetContext(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
}

// closedError is returned by calls on a closed Conn.
func closedError(op string) error {
	return &Error{Op: op, Kind: ErrState, Status: int(C.FTP_ESTATE), Msg: "use of closed Conn"}
}

// do runs one C call on the session with the mutex held.
func (c *Conn) do(op string, st *callState, f func(*C.ftp_session) C.int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.doLocked(op, st, f)
}

// doLocked runs one C call on the session (c.mu held).  While it runs, a
// context.AfterFunc calls ftp_cancel if the Conn's context is done.  Before
// returning, doLocked stops that watcher and, if it had already started,
// waits until its ftp_cancel has returned: so a cancellation can only hit
// the call it was meant for, never the next one (the library clears a stale
// cancel flag at the start of each call; a cancel that arrives after f
// returned finds no call running and does nothing).
//
// When st is not nil it is the callbacks' state, reachable from C through a
// runtime/cgo.Handle that lives exactly as long as the call.
func (c *Conn) doLocked(op string, st *callState, f func(*C.ftp_session) C.int) error {
	if c.s == nil || c.closing.Load() {
		return closedError(op)
	}
	ctx := c.ctx
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Kind: ErrCanceled, Status: int(C.FTP_ECANCELED), Msg: "context done before the call", err: err}
	}
	s := c.s
	var rc C.int
	if ctx.Done() == nil {
		rc = f(s)
	} else {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			C.ftp_cancel(s)
			close(fired)
		})
		rc = f(s)
		if !stop() {
			<-fired
		}
	}
	runtime.KeepAlive(c)
	if st != nil && st.panic != nil {
		panic(st.panic)
	}
	if rc == C.FTP_OK {
		return nil
	}
	e := c.errorFor(op, rc)
	if st != nil && st.err != nil {
		e.err = st.err
	} else if rc == C.FTP_ECANCELED && ctx.Err() != nil {
		e.err = ctx.Err()
	}
	return e
}

// withState runs f with a handle to st as userdata.
func (c *Conn) withState(op string, st *callState, f func(*C.ftp_session, C.uintptr_t) C.int) error {
	h := cgo.NewHandle(st)
	defer h.Delete()
	return c.do(op, st, func(s *C.ftp_session) C.int { return f(s, C.uintptr_t(h)) })
}

// errorFor builds the *Error for status rc from the session's state.
func (c *Conn) errorFor(op string, rc C.int) *Error {
	var n C.size_t
	text := C.ftp_reply_text(c.s, &n)
	return &Error{
		Op:     op,
		Kind:   kindOf(rc),
		Status: int(rc),
		Code:   int(C.ftp_reply_code(c.s)),
		Text:   C.GoStringN(text, C.int(n)),
		Msg:    C.GoString(C.ftp_errmsg(c.s)),
	}
}

// checkNoReply turns the status of an option setter into an error.
func (c *Conn) checkNoReply(op string, rc C.int) error {
	if rc == C.FTP_OK {
		return nil
	}
	return &Error{Op: op, Kind: kindOf(rc), Status: int(rc), Msg: C.GoString(C.ftp_errmsg(c.s))}
}

// cString copies s for C; a NUL byte, which C would silently cut the
// string at, is ErrInvalid.  The caller frees the result.
func cString(op, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, &Error{Op: op, Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: "NUL byte in argument"}
	}
	return C.CString(s), nil
}

// cStringOrNil is cString, with "" giving NULL (the library's "no path").
func cStringOrNil(op, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cString(op, s)
}

// withStrings converts the arguments, runs f and frees them.
func (c *Conn) withStrings(op string, args []string, f func(cs []*C.char) error) error {
	cs := make([]*C.char, len(args))
	defer func() {
		for _, p := range cs {
			if p != nil {
				C.free(unsafe.Pointer(p))
			}
		}
	}()
	for i, a := range args {
		p, err := cString(op, a)
		if err != nil {
			return err
		}
		cs[i] = p
	}
	return f(cs)
}

// Close closes the connection without sending QUIT and frees the session
// (ftp_close, ftp_free).  It may be called from any goroutine: a call in
// flight on another goroutine is then aborted with ErrCanceled.  Closing a
// closed Conn does nothing.  An open Retr reader fails afterwards with
// ErrState.  Close always returns nil; the error result is there for
// io.Closer.
func (c *Conn) Close() error {
	if !c.closing.CompareAndSwap(false, true) {
		return nil
	}
	s := c.s // only Close writes c.s, after taking the mutex below
	for !c.mu.TryLock() {
		if s != nil {
			C.ftp_cancel(s) // thread-safe; a no-op between calls
		}
		time.Sleep(2 * time.Millisecond)
	}
	defer c.mu.Unlock()
	c.releaseLocked()
	return nil
}

func (c *Conn) releaseLocked() {
	if c.s == nil {
		return
	}
	c.cleanup.Stop()
	freeSession(sessionRes{s: c.s, debug: c.debug})
	c.s = nil
	c.debug = 0
}

// Quit sends QUIT (RFC 959 §4.1.1), reads the reply and then closes and
// frees the Conn as Close does, whatever the reply.  Errors: those of the
// QUIT command (the Conn is closed anyway).
func (c *Conn) Quit() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.doLocked("QUIT", nil, func(s *C.ftp_session) C.int { return C.ftp_quit(s) })
	// If a concurrent Close won this race, it frees the session once the
	// mutex is released.
	if c.closing.CompareAndSwap(false, true) {
		c.releaseLocked()
	}
	return err
}

// Welcome returns the server's greeting, the full text of the 220 reply
// (e.g. "220 ready"), or "" on a closed Conn.
func (c *Conn) Welcome() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return ""
	}
	return C.GoString(C.ftp_getwelcome(c.s))
}

// IsConnected reports whether the control connection is open.  After
// ErrTimeout, ErrClosed, ErrCanceled, ErrTLS, ErrCert, control-connection
// ErrIO or a malformed reply the library closes it, and only a new Dial
// helps.
func (c *Conn) IsConnected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s != nil && C.ftp_is_connected(c.s) != 0
}

// Login logs in with USER, then PASS and ACCT as the server asks (RFC 959
// §5.4; ftplib's login).  user "" logs in as "anonymous"; an anonymous
// login with password "" sends "anonymous@".  Afterwards FEAT is read once
// (see Feature) and, in the TLS modes, "PBSZ 0" and "PROT P" protect the
// data connections (their failure is Login's failure).
// Errors: ErrPermanent (530 login incorrect), ErrTransient, ErrReply,
// ErrInvalid (CR, LF or NUL in an argument), connection errors.
func (c *Conn) Login(user, password string) error {
	return c.LoginAccount(user, password, "")
}

// LoginAccount is Login with an account for servers that ask for ACCT
// (reply 332); account "" sends none.
func (c *Conn) LoginAccount(user, password, account string) error {
	return c.withStrings("login", []string{user, password, account}, func(cs []*C.char) error {
		acct := cs[2]
		if account == "" {
			acct = nil
		}
		return c.do("login", nil, func(s *C.ftp_session) C.int {
			return C.ftp_login(s, cs[0], cs[1], acct)
		})
	})
}

// Feature reports whether the server listed name (case-insensitive, e.g.
// "MLST", "UTF8") in its FEAT reply read after Login (RFC 2389), and the
// rest of that feature line (e.g. "type*;size*;modify*;").
func (c *Conn) Feature(name string) (params string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil || strings.IndexByte(name, 0) >= 0 {
		return "", false
	}
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var p *C.char
	if C.ftp_feature(c.s, cn, &p) == 0 {
		return "", false
	}
	if p != nil {
		params = C.GoString(p)
	}
	return params, true
}

// replyLocked returns the last reply's code and text (c.mu held).
func (c *Conn) replyLocked() (int, string) {
	if c.s == nil {
		return 0, ""
	}
	var n C.size_t
	t := C.ftp_reply_text(c.s, &n)
	return int(C.ftp_reply_code(c.s)), C.GoStringN(t, C.int(n))
}

// cmd runs a command-style call and returns the reply it ended with.
func (c *Conn) cmd(op, line string, f func(*C.ftp_session, *C.char) C.int) (int, string, error) {
	cs, err := cString(op, line)
	if err != nil {
		return 0, "", err
	}
	defer C.free(unsafe.Pointer(cs))
	c.mu.Lock()
	defer c.mu.Unlock()
	err = c.doLocked(op, nil, func(s *C.ftp_session) C.int { return f(s, cs) })
	if err != nil {
		if e, ok := err.(*Error); ok {
			return e.Code, e.Text, err
		}
		return 0, "", err
	}
	code, text := c.replyLocked()
	return code, text, nil
}

// SendCmd sends one command line (without CRLF) and reads its reply
// (ftplib's sendcmd).  It returns the reply code and the full reply text,
// lines joined by "\n", code included.  A 1xx, 2xx or 3xx reply is
// success.  Errors: ErrTransient (4xx) and ErrPermanent (5xx), with the
// reply also returned; ErrInvalid for CR, LF or NUL in cmd (nothing is
// sent); connection errors.
func (c *Conn) SendCmd(cmd string) (code int, text string, err error) {
	return c.cmd("sendcmd", cmd, func(s *C.ftp_session, cs *C.char) C.int { return C.ftp_sendcmd(s, cs) })
}

// VoidCmd is SendCmd, but only a 2xx reply is success; 1xx or 3xx is
// ErrReply (ftplib's voidcmd).
func (c *Conn) VoidCmd(cmd string) (code int, text string, err error) {
	return c.cmd("voidcmd", cmd, func(s *C.ftp_session, cs *C.char) C.int { return C.ftp_voidcmd(s, cs) })
}

// simple runs a path command that returns only a status.
func (c *Conn) simple(op string, args []string, f func(*C.ftp_session, []*C.char) C.int) error {
	return c.withStrings(op, args, func(cs []*C.char) error {
		return c.do(op, nil, func(s *C.ftp_session) C.int { return f(s, cs) })
	})
}

// ChangeDir changes the working directory: CWD path, or CDUP for ".." (a
// 500 to CDUP is retried as "CWD .."), RFC 959 §4.1.1.  Errors:
// ErrPermanent (550 no such directory), ErrInvalid, connection errors.
func (c *Conn) ChangeDir(path string) error {
	return c.simple("CWD", []string{path}, func(s *C.ftp_session, cs []*C.char) C.int { return C.ftp_cwd(s, cs[0]) })
}

// CurrentDir returns the working directory from PWD's 257 reply, quotes
// removed and doubled quotes undone (RFC 959 §4.1.3, Appendix II).
// Errors: ErrProtocol for a 257 without a well-formed quoted name, reply
// and connection errors.
func (c *Conn) CurrentDir() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out *C.char
	var n C.size_t
	if err := c.doLocked("PWD", nil, func(s *C.ftp_session) C.int { return C.ftp_pwd(s, &out, &n) }); err != nil {
		return "", err
	}
	return C.GoStringN(out, C.int(n)), nil
}

// MakeDir creates a directory (MKD, RFC 959 §4.1.3) and returns the path
// named in the 257 reply, or "" if the server gave none in the expected
// form.  Errors: ErrPermanent (550 exists or not allowed), ErrInvalid,
// connection errors.
func (c *Conn) MakeDir(path string) (string, error) {
	var created string
	err := c.withStrings("MKD", []string{path}, func(cs []*C.char) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		var out *C.char
		var n C.size_t
		if err := c.doLocked("MKD", nil, func(s *C.ftp_session) C.int { return C.ftp_mkd(s, cs[0], &out, &n) }); err != nil {
			return err
		}
		created = C.GoStringN(out, C.int(n))
		return nil
	})
	return created, err
}

// RemoveDir removes a directory (RMD, RFC 959 §4.1.3).  Errors:
// ErrPermanent (550), ErrInvalid, connection errors.
func (c *Conn) RemoveDir(path string) error {
	return c.simple("RMD", []string{path}, func(s *C.ftp_session, cs []*C.char) C.int { return C.ftp_rmd(s, cs[0]) })
}

// Delete deletes a file (DELE, RFC 959 §4.1.3).  Errors: ErrPermanent
// (550), ErrInvalid, connection errors.
func (c *Conn) Delete(path string) error {
	return c.simple("DELE", []string{path}, func(s *C.ftp_session, cs []*C.char) C.int { return C.ftp_delete(s, cs[0]) })
}

// Rename renames from to to (RNFR, which must answer 3xx, then RNTO, RFC
// 959 §4.1.3).  Errors: ErrPermanent (550 no such file), ErrReply,
// ErrInvalid, connection errors.
func (c *Conn) Rename(from, to string) error {
	return c.simple("rename", []string{from, to}, func(s *C.ftp_session, cs []*C.char) C.int {
		return C.ftp_rename(s, cs[0], cs[1])
	})
}

// FileSize returns the size of a file in bytes (SIZE, RFC 3659 §4), after
// switching to binary type.  Errors: ErrPermanent (550 no such file, or
// a directory), ErrProtocol (a 213 reply that is not a number), connection
// errors.
func (c *Conn) FileSize(path string) (int64, error) {
	var size C.uint64_t
	err := c.simple("SIZE", []string{path}, func(s *C.ftp_session, cs []*C.char) C.int { return C.ftp_size(s, cs[0], &size) })
	if err != nil {
		return -1, err
	}
	return int64(size), nil
}

// NoOp sends NOOP (RFC 959 §4.1.3), e.g. to keep the connection alive.
func (c *Conn) NoOp() error {
	return c.do("NOOP", nil, func(s *C.ftp_session) C.int { return C.ftp_noop(s) })
}

// TransferBytes returns the bytes moved over the data connection by the
// last transfer (or the one open): after a failed download how many
// arrived, after a failed upload how many were written.
func (c *Conn) TransferBytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return 0
	}
	return int64(C.ftp_transfer_bytes(c.s))
}
