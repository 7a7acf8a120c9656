package ftpkit

/*
#include <ftpkit/ftp.h>
*/
import "C"

import (
	"errors"
	"strings"
)

// Sentinel kinds.  Every error returned by this package for a failed
// library call is an *Error whose Kind is one of these, so
//
//	errors.Is(err, ftpkit.ErrPermanent)
//
// tells the kind, and errors.As(err, &e) with e of type *Error gives the
// reply code and text.  The kinds mirror the C library's ftp_status values
// (and Python ftplib's exceptions, named in parentheses).
var (
	// ErrReply: a complete reply of an unexpected class, 1xx/2xx/3xx where
	// another was required (ftplib error_reply).  FTP_EREPLY.
	ErrReply = errors.New("ftpkit: unexpected reply")
	// ErrTransient: a 4xx reply, transient negative completion, RFC 959
	// §4.2 (ftplib error_temp).  FTP_ETEMP.
	ErrTransient = errors.New("ftpkit: transient negative reply")
	// ErrPermanent: a 5xx reply, permanent negative completion, RFC 959
	// §4.2 (ftplib error_perm).  FTP_EPERM.
	ErrPermanent = errors.New("ftpkit: permanent negative reply")
	// ErrProtocol: a malformed reply or listing (ftplib error_proto).
	// FTP_EPROTO.
	ErrProtocol = errors.New("ftpkit: protocol error")
	// ErrIO: a local or network I/O error (connection refused, reset, a
	// data connection that failed).  FTP_EIO.
	ErrIO = errors.New("ftpkit: I/O error")
	// ErrTimeout: a deadline set with WithTimeout passed.  FTP_ETIMEOUT.
	ErrTimeout = errors.New("ftpkit: timeout")
	// ErrTLS: a TLS failure (handshake, record layer, unreadable CA or
	// client certificate file).  FTP_ETLS.
	ErrTLS = errors.New("ftpkit: TLS error")
	// ErrCert: the server's certificate failed verification.  FTP_ECERT.
	ErrCert = errors.New("ftpkit: certificate verification failed")
	// ErrResolve: the host name could not be resolved.  FTP_ERESOLVE.
	ErrResolve = errors.New("ftpkit: cannot resolve host")
	// ErrInvalid: an invalid argument (CR, LF or NUL in a command or path,
	// an option out of range); nothing was sent.  FTP_EINVAL.
	ErrInvalid = errors.New("ftpkit: invalid argument")
	// ErrNoMemory: the library ran out of memory.  FTP_ENOMEM.
	ErrNoMemory = errors.New("ftpkit: out of memory")
	// ErrState: the call is not valid now: not connected, a transfer is
	// open (e.g. a Retr reader not yet closed), or the Conn was closed.
	// FTP_ESTATE.
	ErrState = errors.New("ftpkit: invalid state")
	// ErrAborted: a callback (the io.Reader of Stor, the io.Writer of
	// RetrTo, the function of Walk...) failed or the transfer was stopped
	// on purpose; errors.Unwrap gives the callback's own error.
	// FTP_EABORTED.
	ErrAborted = errors.New("ftpkit: aborted")
	// ErrCanceled: the call was canceled: the Conn's context was done
	// (errors.Is then also matches context.Canceled or
	// context.DeadlineExceeded) or Close was called from another
	// goroutine.  A call that had started leaves the control connection
	// closed; a call refused because the context was already done leaves
	// the Conn as it was (SetContext can revive it).  FTP_ECANCELED.
	ErrCanceled = errors.New("ftpkit: canceled")
	// ErrClosed: the server closed the control connection (ftplib's
	// EOFError).  FTP_ECLOSED.
	ErrClosed = errors.New("ftpkit: connection closed by server")
	// ErrInternal: a bug in libftpkit.  FTP_EINTERNAL.
	ErrInternal = errors.New("ftpkit: internal error")
	// ErrLocal: reading or writing the caller's *os.File failed on the
	// zero-copy paths of Stor and RetrTo (the transfer was aborted; the
	// session stays usable).  FTP_ELOCAL.
	ErrLocal = errors.New("ftpkit: local file error")
)

var kinds = map[C.int]error{
	C.FTP_EREPLY:    ErrReply,
	C.FTP_ETEMP:     ErrTransient,
	C.FTP_EPERM:     ErrPermanent,
	C.FTP_EPROTO:    ErrProtocol,
	C.FTP_EIO:       ErrIO,
	C.FTP_ETIMEOUT:  ErrTimeout,
	C.FTP_ETLS:      ErrTLS,
	C.FTP_ECERT:     ErrCert,
	C.FTP_ERESOLVE:  ErrResolve,
	C.FTP_EINVAL:    ErrInvalid,
	C.FTP_ENOMEM:    ErrNoMemory,
	C.FTP_ESTATE:    ErrState,
	C.FTP_EABORTED:  ErrAborted,
	C.FTP_ECANCELED: ErrCanceled,
	C.FTP_ECLOSED:   ErrClosed,
	C.FTP_EINTERNAL: ErrInternal,
	C.FTP_ELOCAL:    ErrLocal,
}

// kindOf maps a negative ftp_status to its sentinel; an unknown status (a
// newer library) is ErrInternal.
func kindOf(status C.int) error {
	if k, ok := kinds[status]; ok {
		return k
	}
	return ErrInternal
}

// kindOfStatus is kindOf for a Go int.
func kindOfStatus(status int) error { return kindOf(C.int(status)) }

// strerror is the library's static name of a status (ftp_strerror).
func strerror(status int) string { return C.GoString(C.ftp_strerror(C.int(status))) }

// Error describes one failed call.  Code and Text are the last reply read
// (RFC 959 §4.2), which for ErrPermanent, ErrTransient and ErrReply is the
// reply that caused the failure.
type Error struct {
	// Op is what was attempted, e.g. "RETR", "login", "connect".
	Op string
	// Kind is one of the sentinel errors (ErrPermanent, ErrTimeout, ...).
	Kind error
	// Status is the library's ftp_status value (negative).
	Status int
	// Code is the reply code (100-599) of the last complete reply, 0 if
	// none was read.
	Code int
	// Text is the full text of that reply, lines joined by "\n", code
	// included (ftplib's sendcmd() value); "" if none.
	Text string
	// Msg is the library's one-line description (ftp_errmsg), or the
	// binding's own message.
	Msg string

	err error // the cause: a callback's error, or the context's error
}

// Error formats the failure as "ftpkit: OP: MSG [REPLY-TEXT]".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ftpkit: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	msg := e.Msg
	if msg == "" && e.Kind != nil {
		msg = strings.TrimPrefix(e.Kind.Error(), "ftpkit: ")
	}
	b.WriteString(msg)
	if e.err != nil && !strings.Contains(msg, e.err.Error()) {
		b.WriteString(": ")
		b.WriteString(e.err.Error())
	}
	if e.Text != "" && (e.Kind == ErrPermanent || e.Kind == ErrTransient || e.Kind == ErrReply || e.Kind == ErrProtocol) &&
		!strings.Contains(msg, e.Text) {
		b.WriteString(" [")
		b.WriteString(strings.ReplaceAll(e.Text, "\n", " | "))
		b.WriteString("]")
	}
	return b.String()
}

// Is reports whether target is e's Kind, so errors.Is(err, ErrTimeout)
// works.
func (e *Error) Is(target error) bool {
	return target != nil && target == e.Kind
}

// Unwrap returns the underlying cause: the error of a callback (the
// io.Writer of RetrTo, the io.Reader of Stor, a Walk function) for
// ErrAborted, the context's error for ErrCanceled, or nil.
func (e *Error) Unwrap() error { return e.err }
