package ftpkit

/*
#include <stdlib.h>
#include <ftpkit/ftp.h>

int ftpkitgo_retrbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h);
int ftpkitgo_storbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h);
*/
import "C"

import (
	"io"
	"os"
	"unsafe"
)

// Transfer is an open download: the io.ReadCloser that Retr and RetrFrom
// return.  Read the data to io.EOF, then Close: Close reads the server's
// final reply, and only a nil error from Close says the whole file arrived
// (RFC 959 §4.2: 226/250 after the data).  While a Transfer is open, other
// calls on its Conn fail with ErrState.  A Transfer is for one goroutine.
type Transfer struct {
	c      *Conn
	op     string
	size   int64
	eof    bool
	err    error // first Read error, returned again by Read and Close
	closed bool
	cerr   error // Close's result
}

var _ io.ReadCloser = (*Transfer)(nil)

// Retr starts downloading path in binary mode (TYPE I, RETR; RFC 959
// §4.1.3) over a data connection and returns a reader of its bytes (a
// *Transfer).  Read it to io.EOF and Close it; Close's error tells whether
// the download succeeded.  Errors from Retr itself: ErrPermanent (550 no
// such file), ErrTransient, ErrInvalid, ErrState (another transfer is
// open), data connection and connection errors.
func (c *Conn) Retr(path string) (io.ReadCloser, error) {
	return c.RetrFrom(path, 0)
}

// RetrFrom is Retr starting at byte offset (REST offset before RETR, RFC
// 3659 §5), to resume an interrupted download.  offset must be >= 0.
func (c *Conn) RetrFrom(path string, offset int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, &Error{Op: "RETR", Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: "negative offset"}
	}
	cmd, err := cString("RETR", "RETR "+path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cmd))
	var size C.int64_t
	err = c.do("RETR", nil, func(s *C.ftp_session) C.int {
		return C.ftp_transfer_open(s, cmd, C.FTP_TYPE_BINARY, C.uint64_t(offset), &size)
	})
	if err != nil {
		return nil, err
	}
	return &Transfer{c: c, op: "RETR", size: int64(size)}, nil
}

// Size returns the size in bytes announced by the server's 150 reply (e.g.
// vsftpd's "(1234 bytes)"), or -1 if it named none.
func (t *Transfer) Size() int64 { return t.size }

// Read reads up to len(p) bytes of the file (ftp_transfer_read).  At the
// end of the data it returns 0, io.EOF; that alone does not prove success:
// Close does.  Errors: ErrIO, ErrTimeout (the data connection stayed idle),
// ErrCanceled, ErrState (the Conn was closed).
func (t *Transfer) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if t.closed {
		return 0, closedError(t.op)
	}
	if t.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	var n C.size_t
	// p is Go memory holding no Go pointers: C may use it during the call.
	err := t.c.do(t.op, nil, func(s *C.ftp_session) C.int {
		return C.ftp_transfer_read(s, unsafe.Pointer(&p[0]), C.size_t(len(p)), &n)
	})
	if err != nil {
		t.err = err
		return 0, err
	}
	if n == 0 {
		t.eof = true
		return 0, io.EOF
	}
	return int(n), nil
}

// Close finishes the transfer.  After Read returned io.EOF it closes the
// data connection and reads the final reply (ftp_transfer_close): nil
// means the server confirmed the whole transfer; otherwise its reply error
// (ErrTransient 426, ErrPermanent) or a connection error.  Closed before
// the end of the data, it aborts the transfer (ABOR, RFC 959 §4.1.3) so
// the Conn stays usable, and returns ErrAborted.  After a failed Read it
// returns that Read's error.  Further calls return the same result.
func (t *Transfer) Close() error {
	if t.closed {
		return t.cerr
	}
	t.closed = true
	switch {
	case t.err != nil:
		// Tidy up the library's state if the session survived the error.
		_ = t.c.do(t.op, nil, func(s *C.ftp_session) C.int { return C.ftp_transfer_close(s) })
		t.cerr = t.err
	case t.eof:
		t.cerr = t.c.do(t.op, nil, func(s *C.ftp_session) C.int { return C.ftp_transfer_close(s) })
	default:
		t.cerr = t.abort()
		if t.cerr == nil {
			t.cerr = &Error{Op: t.op, Kind: ErrAborted, Status: int(C.FTP_EABORTED),
				Msg: "transfer closed before the end of the data"}
		}
	}
	return t.cerr
}

// Abort stops the transfer on purpose: ABOR (sent as Telnet IP and Synch,
// RFC 959 §4.1.3), closing the data connection and reading the replies, so
// the Conn stays usable.  The Transfer is closed; Close then returns
// Abort's result.
func (t *Transfer) Abort() error {
	if t.closed {
		return t.cerr
	}
	t.closed = true
	t.cerr = t.abort()
	return t.cerr
}

func (t *Transfer) abort() error {
	return t.c.do("ABOR", nil, func(s *C.ftp_session) C.int { return C.ftp_abort(s) })
}

// RetrTo downloads path in binary mode and writes its bytes to w (ftplib's
// retrbinary; RETR, RFC 959 §4.1.3), returning the number of bytes
// written.  Blocks are written as they arrive (see WithBlockSize).  nil is
// returned only when the server confirmed the complete transfer.  If w
// fails, the transfer is aborted (ABOR) and the error matches ErrAborted
// with w's error as its cause (errors.Is / errors.Unwrap).
//
// When w is an *os.File of a regular file, the data goes straight to its
// descriptor at its current offset (ftp_retr_fd: splice(2) on plain
// connections, no copy through Go); a write error on it is then ErrLocal,
// with the system's reason in the message.
func (c *Conn) RetrTo(path string, w io.Writer) (int64, error) {
	if f, ok := regularFile(w); ok {
		return c.retrFile(path, f)
	}
	st := &callState{w: w}
	err := c.withCmd("RETR", "RETR "+path, func(cmd *C.char) error {
		return c.withState("RETR", st, func(s *C.ftp_session, h C.uintptr_t) C.int {
			return C.ftpkitgo_retrbinary(s, cmd, 0, h)
		})
	})
	return st.n, err
}

// regularFile returns v as an *os.File if it is one of a regular file.
func regularFile(v any) (*os.File, bool) {
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return nil, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	return f, true
}

// withFd runs f with f's descriptor, valid for the duration (without
// switching it to blocking mode as os.File.Fd would).
func withFd(file *os.File, f func(fd C.int)) error {
	rc, err := file.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { f(C.int(fd)) })
}

func (c *Conn) retrFile(path string, file *os.File) (int64, error) {
	var n int64
	err := c.withStrings("RETR", []string{path}, func(cs []*C.char) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		var err error
		ferr := withFd(file, func(fd C.int) {
			err = c.doLocked("RETR", nil, func(s *C.ftp_session) C.int { return C.ftp_retr_fd(s, cs[0], 0, fd) })
		})
		if c.s != nil {
			n = int64(C.ftp_transfer_bytes(c.s))
		}
		if ferr != nil {
			return &Error{Op: "RETR", Kind: ErrLocal, Status: int(C.FTP_ELOCAL), Msg: ferr.Error(), err: ferr}
		}
		return err
	})
	return n, err
}

func (c *Conn) storFile(path string, file *os.File, offset int64) error {
	return c.withStrings("STOR", []string{path}, func(cs []*C.char) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		var err error
		ferr := withFd(file, func(fd C.int) {
			err = c.doLocked("STOR", nil, func(s *C.ftp_session) C.int {
				return C.ftp_stor_fd(s, cs[0], C.uint64_t(offset), fd)
			})
		})
		if ferr != nil {
			return &Error{Op: "STOR", Kind: ErrLocal, Status: int(C.FTP_ELOCAL), Msg: ferr.Error(), err: ferr}
		}
		return err
	})
}

// withCmd converts a command line for C.
func (c *Conn) withCmd(op, line string, f func(*C.char) error) error {
	cmd, err := cString(op, line)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cmd))
	return f(cmd)
}

func (c *Conn) store(op, line string, r io.Reader, offset int64) error {
	if offset < 0 {
		return &Error{Op: op, Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: "negative offset"}
	}
	if r == nil {
		return &Error{Op: op, Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: "nil io.Reader"}
	}
	if f, ok := regularFile(r); ok && op == "STOR" {
		return c.storFile(line[len("STOR "):], f, offset)
	}
	st := &callState{r: r}
	return c.withCmd(op, line, func(cmd *C.char) error {
		return c.withState(op, st, func(s *C.ftp_session, h C.uintptr_t) C.int {
			return C.ftpkitgo_storbinary(s, cmd, C.uint64_t(offset), h)
		})
	})
}

// Stor uploads the bytes of r to path in binary mode (TYPE I, STOR; RFC
// 959 §4.1.3; ftplib's storbinary), reading r until io.EOF.  nil is
// returned only when the data connection closed cleanly and the server
// confirmed with 2xx.  If r fails, the upload is aborted and the error
// matches ErrAborted with r's error as its cause.  Other errors:
// ErrPermanent (553 not allowed), ErrTransient, ErrInvalid, data
// connection and connection errors.
//
// When r is an *os.File of a regular file, the rest of the file from its
// current offset is sent straight from its descriptor (ftp_stor_fd:
// sendfile(2) on plain connections); a read error on it is then ErrLocal.
func (c *Conn) Stor(path string, r io.Reader) error {
	return c.store("STOR", "STOR "+path, r, 0)
}

// StorFrom is Stor that writes from byte offset of the remote file on
// (REST offset then STOR, RFC 3659 §5), to resume an upload: r should
// yield the local file's bytes from the same offset.
func (c *Conn) StorFrom(path string, r io.Reader, offset int64) error {
	return c.store("STOR", "STOR "+path, r, offset)
}

// Append uploads r to the end of path (APPE, RFC 959 §4.1.3), creating it
// if needed.  Errors as Stor.
func (c *Conn) Append(path string, r io.Reader) error {
	return c.store("APPE", "APPE "+path, r, 0)
}
