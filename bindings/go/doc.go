// Package ftpkit is a Go binding of libftpkit, a fast and secure FTP/FTPS
// client engine (RFC 959, RFC 2428, RFC 3659, RFC 4217) written in C++
// behind a small C API.  The API mirrors Python's ftplib.
//
//	c, err := ftpkit.Dial("ftp.example.com:21", ftpkit.WithTimeout(30*time.Second))
//	if err != nil { ... }
//	defer c.Close()
//	if err := c.Login("anonymous", ""); err != nil { ... }
//	r, err := c.Retr("pub/file.txt")
//	...read r to io.EOF...
//	if err := r.Close(); err != nil { ... } // nil: the server confirmed
//
// # Building
//
// The package uses cgo with "#cgo pkg-config: ftpkit": PKG_CONFIG_PATH must
// find ftpkit.pc (an installed libftpkit) or, from a Meson build tree,
// <build>/meson-uninstalled (ftpkit-uninstalled.pc), and the dynamic
// loader must find libftpkit.so (LD_LIBRARY_PATH=<build>/capi).  The
// package builds only against libftpkit 0.x with x >= 1 and checks the
// loaded library's version at Dial.
//
// # Errors
//
// Every failed library call returns an *Error carrying the reply code and
// text, the library's message and a Kind, one of the sentinels
// ErrPermanent (5xx), ErrTransient (4xx), ErrReply, ErrProtocol, ErrIO,
// ErrTimeout, ErrTLS, ErrCert, ErrResolve, ErrInvalid, ErrNoMemory,
// ErrState, ErrAborted, ErrCanceled, ErrClosed, ErrInternal, ErrLocal:
//
//	if errors.Is(err, ftpkit.ErrPermanent) { ... }
//	var fe *ftpkit.Error
//	if errors.As(err, &fe) && fe.Code == 550 { ... }
//
// When an io.Reader, io.Writer or WalkFunc given to the package fails,
// the error matches ErrAborted and unwraps to that callback's own error;
// when the Conn's context ends a call, it matches ErrCanceled and the
// context's error.
//
// # Goroutines, threads and contexts
//
// A Conn is one FTP session: use it from one goroutine at a time (its
// methods are serialized by a mutex regardless); distinct Conns are
// independent and may be used concurrently.  libftpkit keeps its error and
// reply state on the session handle rather than in thread-local storage,
// so, unlike git2go, this package never needs runtime.LockOSThread: a
// goroutine may move between OS threads between (and during) calls.
// Callbacks run on the goroutine that made the call.
//
// The context given to DialContext (or set later with SetContext)
// governs every call of the Conn: when it is done, the call in flight is
// aborted through ftp_cancel, the library's one thread-safe function, and
// the control connection is closed.  Close may be called from another
// goroutine for the same effect.  A cancellation never reaches beyond the
// call it interrupted: each call stops its context watcher, and waits for
// a cancel already under way, before it returns.
//
// # Memory
//
// C never holds Go pointers: callbacks reach their Go state through
// runtime/cgo.Handle values, and Go buffers are passed to C only for the
// duration of one call.  Strings are copied in and out; names and paths
// are raw bytes, never re-encoded.  A Conn that is dropped without Close
// is freed by a cleanup function (runtime.AddCleanup).
package ftpkit
