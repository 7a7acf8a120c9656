package ftpkit

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDialLoginQuit(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c, err := Dial(srv.addr, srv.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if w := c.Welcome(); !strings.HasPrefix(w, "220") || !strings.Contains(w, "ftpkit-go test server") {
				t.Errorf("Welcome() = %q", w)
			}
			if !c.IsConnected() {
				t.Error("IsConnected() false after Dial")
			}
			if err := c.Login(srv.user, srv.pass); err != nil {
				t.Fatal(err)
			}
			if err := c.NoOp(); err != nil {
				t.Errorf("NoOp: %v", err)
			}
			if err := c.Quit(); err != nil {
				t.Errorf("Quit: %v", err)
			}
			if c.IsConnected() {
				t.Error("IsConnected() true after Quit")
			}
			if err := c.NoOp(); !errors.Is(err, ErrState) {
				t.Errorf("NoOp after Quit = %v, want ErrState", err)
			}
			if err := c.Close(); err != nil {
				t.Errorf("Close after Quit = %v", err)
			}
			if err := c.Quit(); !errors.Is(err, ErrState) {
				t.Errorf("Quit after Quit = %v, want ErrState", err)
			}
		})
	}
}

func TestLoginIncorrect(t *testing.T) {
	c, err := Dial(pyPlain.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Login("user", "wrong password")
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("Login = %v, want *Error", err)
	}
	if !errors.Is(err, ErrPermanent) || fe.Code != 530 || !strings.HasPrefix(fe.Text, "530") || fe.Op != "login" {
		t.Errorf("Login = %#v, want ErrPermanent 530", fe)
	}
	// The session stays usable after a negative reply.
	if err := c.Login("user", "12345"); err != nil {
		t.Errorf("second Login: %v", err)
	}
	if err := c.Login("user", "pass\r\nDELE x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Login with CRLF = %v, want ErrInvalid", err)
	}
	if err := c.Login("user", "a\x00b"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Login with NUL = %v, want ErrInvalid", err)
	}
}

func TestAnonymousLogin(t *testing.T) {
	c, err := Dial(pyPlain.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("", ""); err != nil {
		t.Fatalf("anonymous Login: %v", err)
	}
	// pyftpdlib's anonymous user is read-only.
	if err := c.Stor("/anon.txt", strings.NewReader("x")); !errors.Is(err, ErrPermanent) {
		t.Errorf("anonymous Stor = %v, want ErrPermanent", err)
	}
}

func TestSendCmdVoidCmd(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c := srv.dial(t)
			code, text, err := c.SendCmd("SYST")
			if err != nil || code != 215 || !strings.HasPrefix(text, "215") {
				t.Errorf("SendCmd(SYST) = %d, %q, %v", code, text, err)
			}
			code, text, err = c.VoidCmd("NOOP")
			if err != nil || code != 200 || !strings.HasPrefix(text, "200") {
				t.Errorf("VoidCmd(NOOP) = %d, %q, %v", code, text, err)
			}
			code, text, err = c.SendCmd("XYZZY")
			if !errors.Is(err, ErrPermanent) || code < 500 || code > 599 || !strings.HasPrefix(text, fmt.Sprint(code)) {
				t.Errorf("SendCmd(XYZZY) = %d, %q, %v; want 5xx ErrPermanent", code, text, err)
			}
			// A multi-line reply comes back whole.
			code, text, err = c.SendCmd("FEAT")
			if err != nil || code != 211 || !strings.Contains(text, "\n") {
				t.Errorf("SendCmd(FEAT) = %d, %q, %v; want a multi-line 211", code, text, err)
			}
			// 350 is fine for SendCmd, but VoidCmd wants 2xx.
			if _, _, err := c.VoidCmd("TYPE I"); err != nil {
				t.Fatal(err)
			}
			code, _, err = c.SendCmd("REST 0")
			if err != nil || code != 350 {
				t.Errorf("SendCmd(REST 0) = %d, %v", code, err)
			}
			code, _, err = c.VoidCmd("REST 0")
			var fe *Error
			if !errors.Is(err, ErrReply) || code != 350 || !errors.As(err, &fe) || fe.Code != 350 {
				t.Errorf("VoidCmd(REST 0) = %d, %v; want ErrReply 350", code, err)
			}
			if _, _, err := c.SendCmd("NOOP\r\nDELE x"); !errors.Is(err, ErrInvalid) {
				t.Errorf("SendCmd with CRLF = %v, want ErrInvalid", err)
			}
			if _, _, err := c.SendCmd("NOOP\x00"); !errors.Is(err, ErrInvalid) {
				t.Errorf("SendCmd with NUL = %v, want ErrInvalid", err)
			}
			if err := c.NoOp(); err != nil {
				t.Errorf("NoOp after errors: %v", err)
			}
		})
	}
}

func TestDirectories(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c := srv.dial(t)
			name := uniq(t, "_dir")
			dir := srv.remote(name)
			created, err := c.MakeDir(dir)
			if err != nil {
				t.Fatalf("MakeDir: %v", err)
			}
			if created != dir {
				t.Errorf("MakeDir returned %q, want %q", created, dir)
			}
			if _, err := c.MakeDir(dir); !errors.Is(err, ErrPermanent) {
				t.Errorf("MakeDir of an existing dir = %v, want ErrPermanent", err)
			}
			if err := c.ChangeDir(dir); err != nil {
				t.Fatalf("ChangeDir: %v", err)
			}
			if wd, err := c.CurrentDir(); err != nil || wd != dir {
				t.Errorf("CurrentDir = %q, %v; want %q", wd, err, dir)
			}
			// Names with spaces and quotes survive PWD's quoting.
			odd := `a "quoted" name`
			if _, err := c.MakeDir(odd); err != nil {
				t.Fatalf("MakeDir(%q): %v", odd, err)
			}
			if err := c.ChangeDir(odd); err != nil {
				t.Fatalf("ChangeDir(%q): %v", odd, err)
			}
			if wd, err := c.CurrentDir(); err != nil || wd != dir+"/"+odd {
				t.Errorf("CurrentDir = %q, %v; want %q", wd, err, dir+"/"+odd)
			}
			if err := c.ChangeDir(".."); err != nil {
				t.Fatalf(`ChangeDir(".."): %v`, err)
			}
			if err := c.RemoveDir(odd); err != nil {
				t.Errorf("RemoveDir(%q): %v", odd, err)
			}
			if err := c.ChangeDir(".."); err != nil {
				t.Fatalf(`ChangeDir(".."): %v`, err)
			}
			if wd, err := c.CurrentDir(); err != nil || wd != srv.dir {
				t.Errorf("CurrentDir = %q, %v; want %q", wd, err, srv.dir)
			}
			err = c.ChangeDir(srv.remote("no_such_dir"))
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != ErrPermanent || fe.Code != 550 || fe.Op != "CWD" {
				t.Errorf("ChangeDir(missing) = %v, want ErrPermanent 550", err)
			}
			if err := c.RemoveDir(dir); err != nil {
				t.Errorf("RemoveDir: %v", err)
			}
			if err := c.RemoveDir(dir); !errors.Is(err, ErrPermanent) {
				t.Errorf("RemoveDir(missing) = %v, want ErrPermanent", err)
			}
			if err := c.ChangeDir("a\nb"); !errors.Is(err, ErrInvalid) {
				t.Errorf("ChangeDir with LF = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestFileOperations(t *testing.T) {
	for _, srv := range allServers() {
		t.Run(srv.name, func(t *testing.T) {
			c := srv.dial(t)
			a, b := uniq(t, "_a.bin"), uniq(t, "_b.bin")
			data := bytes.Repeat([]byte("0123456789"), 1234)
			if err := c.Stor(srv.remote(a), bytes.NewReader(data)); err != nil {
				t.Fatalf("Stor: %v", err)
			}
			if n := c.TransferBytes(); n != int64(len(data)) {
				t.Errorf("TransferBytes = %d, want %d", n, len(data))
			}
			if !bytes.Equal(srv.read(t, a), data) {
				t.Error("stored file differs")
			}
			if size, err := c.FileSize(srv.remote(a)); err != nil || size != int64(len(data)) {
				t.Errorf("FileSize = %d, %v; want %d", size, err, len(data))
			}
			if err := c.Rename(srv.remote(a), srv.remote(b)); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			if _, err := c.FileSize(srv.remote(a)); !errors.Is(err, ErrPermanent) {
				t.Errorf("FileSize(renamed away) = %v, want ErrPermanent", err)
			}
			if err := c.Rename(srv.remote(a), srv.remote(b)); !errors.Is(err, ErrPermanent) {
				t.Errorf("Rename(missing) = %v, want ErrPermanent", err)
			}
			if err := c.Delete(srv.remote(b)); err != nil {
				t.Errorf("Delete: %v", err)
			}
			err := c.Delete(srv.remote(b))
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != ErrPermanent || fe.Code != 550 {
				t.Errorf("Delete(missing) = %v, want ErrPermanent 550", err)
			}
			if err := c.Delete(""); err == nil {
				t.Error(`Delete("") succeeded`)
			}
		})
	}
}

func TestFeature(t *testing.T) {
	c := pyPlain.dial(t)
	params, ok := c.Feature("mlst")
	if !ok || !strings.Contains(strings.ToLower(params), "modify") {
		t.Errorf(`Feature("mlst") = %q, %v`, params, ok)
	}
	if _, ok := c.Feature("NO-SUCH-FEATURE"); ok {
		t.Error("Feature(NO-SUCH-FEATURE) = true")
	}
	if _, ok := c.Feature("UTF8"); !ok {
		t.Error("Feature(UTF8) = false")
	}
}

func TestDebug(t *testing.T) {
	var buf syncBuffer
	c := pyPlain.dial(t, WithDebug(&buf))
	if err := c.NoOp(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"*cmd* 'USER user'", "*cmd* 'PASS ****'", "*cmd* 'NOOP'", "*resp* '200"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug trace lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "12345") {
		t.Errorf("debug trace shows the password:\n%s", out)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, "*") {
			t.Errorf("unexpected trace line %q", l)
		}
	}
	// Level 2 shows every line as *put*/*get*.
	var buf2 syncBuffer
	c2 := pyPlain.dial(t, WithDebugLevel(&buf2, 2))
	_ = c2.NoOp()
	if out := buf2.String(); !strings.Contains(out, "*put*") || !strings.Contains(out, "*get*") {
		t.Errorf("level 2 trace lacks *put*/*get*:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the race detector's eyes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDataModes runs a round trip in passive (EPSV), passive with PASV
// only, and active mode against each server.
func TestDataModes(t *testing.T) {
	modes := []struct {
		name string
		opts []Option
		cmd  string // a command the trace must show
	}{
		{"epsv", nil, "*cmd* 'EPSV'"},
		{"pasv", []Option{WithDisableEPSV()}, "*cmd* 'PASV'"},
		{"active", []Option{WithActive()}, "*cmd* 'EPRT"},
	}
	for _, srv := range allServers() {
		for _, m := range modes {
			t.Run(srv.name+"/"+m.name, func(t *testing.T) {
				var trace syncBuffer
				c := srv.dial(t, append(m.opts, WithDebug(&trace))...)
				name := uniq(t, ".txt")
				data := []byte(strings.Repeat("data mode test\n", 5000))
				if err := c.Stor(srv.remote(name), bytes.NewReader(data)); err != nil {
					t.Fatalf("Stor: %v", err)
				}
				var got bytes.Buffer
				if _, err := c.RetrTo(srv.remote(name), &got); err != nil {
					t.Fatalf("RetrTo: %v", err)
				}
				if !bytes.Equal(got.Bytes(), data) {
					t.Error("round trip differs")
				}
				if names, err := c.NameList(srv.dir); err != nil || len(names) == 0 {
					t.Errorf("NameList = %v, %v", names, err)
				}
				out := trace.String()
				if !strings.Contains(out, m.cmd) && !(m.name == "active" && strings.Contains(out, "*cmd* 'PORT")) {
					t.Errorf("trace lacks %q:\n%s", m.cmd, out)
				}
				if m.name == "pasv" && strings.Contains(out, "*cmd* 'EPSV'") {
					t.Errorf("EPSV sent with WithDisableEPSV:\n%s", out)
				}
			})
		}
	}
}

// TestConcurrentConns uses distinct Conns from several goroutines at once.
func TestConcurrentConns(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, srv := range []*server{pyPlain, vsPlain, vsExplicit} {
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func(srv *server, i int) {
				defer wg.Done()
				errs <- concurrentWork(t, srv, i)
			}(srv, i)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func concurrentWork(t *testing.T, srv *server, i int) error {
	c, err := Dial(srv.addr, srv.opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(srv.user, srv.pass); err != nil {
		return err
	}
	name := srv.remote(fmt.Sprintf("%s_%d.bin", uniq(t, ""), i))
	data := bytes.Repeat([]byte{byte(i), 1, 2, 3}, 100000+i)
	for round := 0; round < 3; round++ {
		if err := c.Stor(name, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("%s Stor: %w", srv.name, err)
		}
		var got bytes.Buffer
		if _, err := c.RetrTo(name, &got); err != nil {
			return fmt.Errorf("%s RetrTo: %w", srv.name, err)
		}
		if !bytes.Equal(got.Bytes(), data) {
			return fmt.Errorf("%s: round trip %d differs", srv.name, i)
		}
		d := fmt.Sprintf("%s.d%d", name, round)
		if _, err := c.MakeDir(d); err != nil {
			return err
		}
		if err := c.RemoveDir(d); err != nil {
			return err
		}
	}
	return c.Quit()
}

// TestMutexSerializes calls one Conn from two goroutines: the mutex keeps
// the calls apart (each NOOP gets its own reply).
func TestMutexSerializes(t *testing.T) {
	c := pyPlain.dial(t)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if code, _, err := c.VoidCmd("NOOP"); err != nil || code != 200 {
					errs <- fmt.Errorf("NOOP = %d, %v", code, err)
					return
				}
			}
			errs <- nil
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestCleanupFreesForgottenConn drops Conns without Close: the cleanup
// registered with runtime.AddCleanup frees their sessions, which closes
// their connections.
func TestCleanupFreesForgottenConn(t *testing.T) {
	f := fakeServer(t, "220 hi", nil)
	const n = 5
	func() {
		for i := 0; i < n; i++ {
			c, err := Dial(f.addr, WithDebug(&syncBuffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.NoOp(); err != nil {
				t.Fatal(err)
			}
		}
	}()
	deadline := time.After(60 * time.Second)
	for got := 0; got < n; {
		runtime.GC()
		select {
		case <-f.hangup:
			got++
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("only %d of %d forgotten Conns were freed", got, n)
		}
	}
}
