package ftpkit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// throttledFile puts a file on the throttled server that takes about a
// minute to download at its 256 KiB/s, far longer than any test waits.
func throttledFile(t *testing.T) string {
	t.Helper()
	name := uniq(t, ".bin")
	pyThrottle.put(t, name, pattern(16<<20, 7))
	return pyThrottle.remote(name)
}

// assertCanceled checks that err is ErrCanceled caused by ctxErr.
func assertCanceled(t *testing.T, what string, err, ctxErr error) {
	t.Helper()
	var fe *Error
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, ctxErr) || !errors.As(err, &fe) {
		t.Fatalf("%s = %v, want ErrCanceled and %v", what, err, ctxErr)
	}
}

// TestCancelMidTransfer cancels the Conn's context while Retr's reader is
// blocked reading from a throttled server.
func TestCancelMidTransfer(t *testing.T) {
	p := throttledFile(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := DialContext(ctx, pyThrottle.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(pyThrottle.user, pyThrottle.pass); err != nil {
		t.Fatal(err)
	}
	rc, err := c.Retr(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	// Cancel from another goroutine while this one is inside Read.
	go func() {
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	n, err := io.Copy(io.Discard, rc)
	assertCanceled(t, "Read", err, context.Canceled)
	if n >= 16<<20 {
		t.Fatalf("the whole file arrived (%d bytes)", n)
	}
	assertCanceled(t, "Close", rc.Close(), context.Canceled)
	if c.IsConnected() {
		t.Error("still connected after cancel")
	}
	assertCanceled(t, "NoOp after cancel", c.NoOp(), context.Canceled)

	// Dialing again works, and the new Conn is unaffected.
	c2 := pyThrottle.dial(t)
	if err := c2.NoOp(); err != nil {
		t.Fatal(err)
	}
	pyThrottle.put(t, uniq(t, ".small"), []byte("small"))
	var buf bytes.Buffer
	if _, err := c2.RetrTo(pyThrottle.remote(uniq(t, ".small")), &buf); err != nil || buf.String() != "small" {
		t.Errorf("RetrTo after redial = %q, %v", buf.String(), err)
	}
}

// TestDeadlineMidTransfer: a context deadline aborts RetrTo's push
// transfer; SetContext gives one operation its own deadline.
func TestDeadlineMidTransfer(t *testing.T) {
	p := throttledFile(t)
	c := pyThrottle.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	c.SetContext(ctx)
	n, err := c.RetrTo(p, io.Discard)
	assertCanceled(t, "RetrTo", err, context.DeadlineExceeded)
	if n >= 16<<20 {
		t.Fatalf("the whole file arrived (%d bytes)", n)
	}
	// And for an upload to the throttled server.
	c2 := pyThrottle.dial(t)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	c2.SetContext(ctx2)
	err = c2.Stor(pyThrottle.remote(uniq(t, ".up")), bytes.NewReader(pattern(16<<20, 8)))
	assertCanceled(t, "Stor", err, context.DeadlineExceeded)
}

// TestCancelDuringDial cancels a Dial waiting for a greeting that never
// comes (the library's own timeout is far away).
func TestCancelDuringDial(t *testing.T) {
	f := fakeServer(t, replySilent, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	c, err := DialContext(ctx, f.addr, WithTimeout(120*time.Second))
	if c != nil {
		t.Error("DialContext returned a Conn")
	}
	assertCanceled(t, "DialContext", err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = DialContext(ctx, pyPlain.addr)
	assertCanceled(t, "DialContext with a canceled context", err, context.Canceled)
}

// TestCloseAbortsCall closes a Conn from another goroutine while a call
// waits for a reply that never comes.
func TestCloseAbortsCall(t *testing.T) {
	f := fakeServer(t, "220 hi", map[string]string{"NOOP": replySilent})
	c := dialFake(t, f, WithTimeout(120*time.Second))
	done := make(chan error, 1)
	go func() { done <- c.NoOp() }()
	f.waitCmd(t, "NOOP")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if !errors.Is(err, ErrCanceled) || errors.Is(err, context.Canceled) {
		t.Errorf("NoOp interrupted by Close = %v, want ErrCanceled without a context error", err)
	}
	if err := c.NoOp(); !errors.Is(err, ErrState) {
		t.Errorf("NoOp after Close = %v, want ErrState", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}

	// Close during a throttled download: the reader fails.
	c2 := pyThrottle.dial(t)
	rc, err := c2.Retr(throttledFile(t))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		c2.Close()
	}()
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, ErrCanceled) && !errors.Is(err, ErrState) {
		t.Errorf("Read interrupted by Close = %v, want ErrCanceled or ErrState", err)
	}
	if err := rc.Close(); err == nil {
		t.Error("Close of an interrupted download = nil")
	}
}

// TestCancelNeverLeaks races a cancel against short calls many times: a
// call either fails with ErrCanceled or succeeds, and in the latter case
// the next call, under a fresh context, must never be hit by the late
// cancel.
func TestCancelNeverLeaks(t *testing.T) {
	c := pyPlain.dial(t)
	canceled, completed := 0, 0
	for i := 0; i < 300; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		c.SetContext(ctx)
		go cancel()
		err := c.NoOp()
		c.SetContext(context.Background())
		switch {
		case err == nil:
			completed++
			if err := c.NoOp(); err != nil {
				t.Fatalf("iteration %d: the call after a late cancel failed: %v", i, err)
			}
		case errors.Is(err, ErrCanceled) && errors.Is(err, context.Canceled):
			canceled++
			c.Close()
			c = pyPlain.dial(t)
		default:
			t.Fatalf("iteration %d: %v", i, err)
		}
		cancel()
	}
	t.Logf("%d calls canceled, %d completed", canceled, completed)
}
