package ftpkit

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestKindMapping(t *testing.T) {
	// The ftp_status values, spelled out: the enum is append-only and never
	// renumbered, so this also pins the ABI.
	want := map[int]error{
		-1: ErrReply, -2: ErrTransient, -3: ErrPermanent, -4: ErrProtocol, -5: ErrIO,
		-6: ErrTimeout, -7: ErrTLS, -8: ErrCert, -9: ErrResolve, -10: ErrInvalid,
		-11: ErrNoMemory, -12: ErrState, -13: ErrAborted, -14: ErrCanceled, -15: ErrClosed,
		-16: ErrInternal, -17: ErrLocal,
	}
	seen := map[error]bool{}
	for st, kind := range want {
		if got := kindOfStatus(st); got != kind {
			t.Errorf("kindOf(%d) = %v, want %v", st, got, kind)
		}
		if seen[kind] {
			t.Errorf("kind %v used twice", kind)
		}
		seen[kind] = true
		if strerror(st) == "unknown status" || strerror(st) == "" {
			t.Errorf("the library does not know status %d", st)
		}
	}
	if len(kinds) != len(want) {
		t.Errorf("kinds has %d entries, want %d", len(kinds), len(want))
	}
	if kindOfStatus(-999) != ErrInternal || strerror(-999) != "unknown status" {
		t.Error("an unknown status is not ErrInternal")
	}

	cause := errors.New("cause")
	e := &Error{Op: "RETR", Kind: ErrPermanent, Status: -3, Code: 550, Text: "550 no such file", Msg: "550 no such file", err: cause}
	if !errors.Is(e, ErrPermanent) || errors.Is(e, ErrTransient) || !errors.Is(e, cause) || errors.Unwrap(e) != cause {
		t.Error("Is/Unwrap")
	}
	if s := e.Error(); !strings.HasPrefix(s, "ftpkit: RETR: 550 no such file") || !strings.Contains(s, "cause") {
		t.Errorf("Error() = %q", s)
	}
	e2 := &Error{Op: "CWD", Kind: ErrTransient, Code: 450, Text: "450-a\n450 b", Msg: "negative reply"}
	if s := e2.Error(); s != "ftpkit: CWD: negative reply [450-a | 450 b]" {
		t.Errorf("Error() = %q", s)
	}
	if s := (&Error{Kind: ErrTimeout}).Error(); s != "ftpkit: timeout" {
		t.Errorf("Error() = %q", s)
	}
}

// asError checks that err is an *Error of the given kind.
func asError(t *testing.T, what string, err error, kind error) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) || !errors.Is(err, kind) {
		t.Fatalf("%s = %v (%T), want %v", what, err, err, kind)
	}
	return fe
}

func TestErrorKinds(t *testing.T) {
	t.Run("421-greeting", func(t *testing.T) {
		f := fakeServer(t, "421 too many users, come back later", nil)
		_, err := Dial(f.addr)
		fe := asError(t, "Dial", err, ErrTransient)
		if fe.Code != 421 || fe.Text != "421 too many users, come back later" || fe.Op != "connect" || fe.Status != -2 {
			t.Errorf("%#v", fe)
		}
	})
	t.Run("530-greeting", func(t *testing.T) {
		f := fakeServer(t, "530 go away", nil)
		_, err := Dial(f.addr)
		if fe := asError(t, "Dial", err, ErrPermanent); fe.Code != 530 {
			t.Errorf("Code = %d", fe.Code)
		}
	})
	t.Run("malformed-greeting", func(t *testing.T) {
		f := fakeServer(t, "hello, this is not FTP", nil)
		_, err := Dial(f.addr)
		asError(t, "Dial", err, ErrProtocol)
	})
	t.Run("silent-greeting", func(t *testing.T) {
		f := fakeServer(t, replySilent, nil)
		_, err := Dial(f.addr, WithTimeout(300*time.Millisecond))
		asError(t, "Dial", err, ErrTimeout)
	})
	t.Run("closed-at-once", func(t *testing.T) {
		f := fakeServer(t, replyClose, nil)
		_, err := Dial(f.addr)
		asError(t, "Dial", err, ErrClosed)
	})
	t.Run("refused", func(t *testing.T) {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		_, err = Dial(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		asError(t, "Dial", err, ErrIO)
	})
	t.Run("4xx-multiline", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"NOOP": "450-busy\n450 try later"})
		c := dialFake(t, f)
		fe := asError(t, "NoOp", c.NoOp(), ErrTransient)
		if fe.Code != 450 || fe.Text != "450-busy\n450 try later" {
			t.Errorf("%#v", fe)
		}
		if !c.IsConnected() {
			t.Error("a 4xx reply closed the session")
		}
	})
	t.Run("unexpected-1xx", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"SITE": "150 hmm"})
		c := dialFake(t, f)
		code, _, err := c.VoidCmd("SITE X")
		if fe := asError(t, "VoidCmd", err, ErrReply); fe.Code != 150 || code != 150 {
			t.Errorf("Code = %d, %d", fe.Code, code)
		}
	})
	t.Run("malformed-pwd", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"PWD": "257 no quotes here"})
		c := dialFake(t, f)
		_, err := c.CurrentDir()
		asError(t, "CurrentDir", err, ErrProtocol)
	})
	t.Run("malformed-size", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"SIZE": "213 lots"})
		c := dialFake(t, f)
		_, err := c.FileSize("f")
		asError(t, "FileSize", err, ErrProtocol)
	})
	t.Run("garbage-reply", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"NOOP": "xyz garbage"})
		c := dialFake(t, f)
		asError(t, "NoOp", c.NoOp(), ErrProtocol)
		if c.IsConnected() {
			t.Error("still connected after a malformed reply")
		}
	})
	t.Run("silent-reply", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"NOOP": replySilent})
		c := dialFake(t, f, WithTimeout(500*time.Millisecond))
		asError(t, "NoOp", c.NoOp(), ErrTimeout)
		if c.IsConnected() {
			t.Error("still connected after a timeout")
		}
		asError(t, "NoOp after timeout", c.NoOp(), ErrState)
	})
	t.Run("closed-mid-session", func(t *testing.T) {
		f := fakeServer(t, "220 hi", map[string]string{"NOOP": replyClose})
		c := dialFake(t, f)
		asError(t, "NoOp", c.NoOp(), ErrClosed)
		if c.IsConnected() {
			t.Error("still connected after the server closed")
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, addr := range []string{"", "127.0.0.1:99999", "127.0.0.1:x", ":21", "[::1"} {
			_, err := Dial(addr)
			asError(t, "Dial("+addr+")", err, ErrInvalid)
		}
		bad := [][]Option{
			{WithTimeout(-time.Second)},
			{WithTimeout(0)},
			{WithBlockSize(1 << 30)},
			{WithTLS(TLSMode(7), nil)},
			{WithTLS(TLSExplicit, &TLSConfig{MinVersion: 0x0301})},
			{WithTLS(TLSExplicit, &TLSConfig{MinVersion: 0x0304, MaxVersion: 0x0303})},
			{WithTLS(TLSExplicit, &TLSConfig{RootCAs: [][]byte{{}}})},
			{WithTLS(TLSExplicit, &TLSConfig{CAFile: "a\x00b"})},
		}
		for i, opts := range bad {
			_, err := Dial(pyPlain.addr, opts...)
			asError(t, "Dial with bad option "+strconv.Itoa(i), err, ErrInvalid)
		}
	})
	t.Run("closed-conn", func(t *testing.T) {
		c := pyPlain.dial(t)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		asError(t, "NoOp after Close", c.NoOp(), ErrState)
		_, err := c.Retr("/x")
		asError(t, "Retr after Close", err, ErrState)
		if c.IsConnected() || c.Welcome() != "" || c.TLSVersion() != "" || c.TransferBytes() != 0 {
			t.Error("getters on a closed Conn")
		}
		if _, ok := c.Feature("MLST"); ok {
			t.Error("Feature on a closed Conn")
		}
	})
}

// dialFake dials and logs in to a fake server.
func dialFake(t *testing.T, f *fake, opts ...Option) *Conn {
	t.Helper()
	c, err := Dial(f.addr, opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("user", "pass"); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}
