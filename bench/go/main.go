// Command ftpkit-bench-go is the Go binding's client in ftpkit's benchmark
// (bench/run.py builds it into <build>/bench/ftpkit-bench-go and starts it
// as a whole process, like every other client).  It takes the argv of
// bench/ftpkit_bench.c:
//
//	ftpkit-bench-go HOST PORT USER PASS MODE ARGS...
//	  retr-cb     PATH OUT    RETR through Conn.RetrTo with a plain io.Writer
//	                          (the cgo data callback), written to OUT
//	  retr-fd     PATH OUT    RETR through Conn.RetrTo with the *os.File
//	                          (ftp_retr_fd; only when OUT is a regular file)
//	  retr-reader PATH OUT    RETR through the pull API (Conn.Retr + io.Copy)
//	  stor-cb     PATH IN     STOR through Conn.Stor with a plain io.Reader
//	  stor-fd     PATH IN     STOR through Conn.Stor with the *os.File
//	  mlsd        PATH        MLSD, counting entries
//	  concurrent  PATH N OUT  N goroutines, each its own Conn, RETR PATH to OUT
//	                          (opened by each); prints the open descriptors
//	                          before and after
//
// Exit status 0 only when every operation succeeded (and, in concurrent,
// no descriptor leaked); the result line on stderr says what moved.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	ftpkit "github.com/ftpkit/ftpkit-go"
)

// writerOnly hides the *os.File behind a plain io.Writer, so RetrTo takes
// the callback path instead of the descriptor fast path.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

// readerOnly does the same for Stor.
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

type params struct{ host, port, user, pass string }

func dial(p params) (*ftpkit.Conn, error) {
	var opts []ftpkit.Option
	opts = append(opts, ftpkit.WithTimeout(120*time.Second))
	if tls := os.Getenv("FTPKIT_BENCH_TLS"); tls == "explicit" || tls == "implicit" {
		mode := ftpkit.TLSExplicit
		if tls == "implicit" {
			mode = ftpkit.TLSImplicit
		}
		opts = append(opts, ftpkit.WithTLS(mode, &ftpkit.TLSConfig{CAFile: os.Getenv("FTPKIT_BENCH_CA")}))
	}
	if b := os.Getenv("FTPKIT_BENCH_BLOCK"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ftpkit.WithBlockSize(n))
	}
	c, err := ftpkit.Dial(net.JoinHostPort(p.host, p.port), opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Login(p.user, p.pass); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// retrOnce opens out, downloads path into it on a new Conn and quits.
func retrOnce(p params, path, out string) (int64, error) {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	c, err := dial(p)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	n, err := c.RetrTo(path, writerOnly{f})
	if err != nil {
		return n, err
	}
	return n, c.Quit()
}

// openFds counts the entries of /proc/self/fd (minus the one ReadDir uses).
func openFds() int {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return -1
	}
	return len(names) - 1
}

func run(args []string) error {
	p := params{args[1], args[2], args[3], args[4]}
	mode, rest := args[5], args[6:]
	need := func(n int) error {
		if len(rest) < n {
			return fmt.Errorf("mode %s needs %d arguments", mode, n)
		}
		return nil
	}
	if mode == "concurrent" {
		if err := need(3); err != nil {
			return err
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 1 {
			return fmt.Errorf("bad N %q", rest[1])
		}
		before := openFds()
		var wg sync.WaitGroup
		errs := make([]error, n)
		bytes := make([]int64, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				bytes[i], errs[i] = retrOnce(p, rest[0], rest[2])
			}(i)
		}
		wg.Wait()
		after := openFds()
		var total int64
		failed := 0
		for i, e := range errs {
			total += bytes[i]
			if e != nil {
				failed++
				if failed <= 3 {
					fmt.Fprintf(os.Stderr, "ftpkit-bench-go: session %d: %v\n", i, e)
				}
			}
		}
		fmt.Fprintf(os.Stderr, "concurrent: %d sessions, %d failed, %d bytes, fds before %d after %d\n",
			n, failed, total, before, after)
		if failed > 0 {
			return fmt.Errorf("%d of %d transfers failed", failed, n)
		}
		if after > before {
			return fmt.Errorf("descriptor leak: %d before, %d after", before, after)
		}
		return nil
	}

	c, err := dial(p)
	if err != nil {
		return err
	}
	defer c.Close()
	switch mode {
	case "retr-cb", "retr-fd", "retr-reader":
		if err := need(2); err != nil {
			return err
		}
		f, err := os.OpenFile(rest[1], os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		var n int64
		switch mode {
		case "retr-cb":
			n, err = c.RetrTo(rest[0], writerOnly{f})
		case "retr-fd":
			n, err = c.RetrTo(rest[0], f)
		default:
			var r io.ReadCloser
			if r, err = c.Retr(rest[0]); err == nil {
				n, err = io.Copy(writerOnly{f}, r)
				if cerr := r.Close(); err == nil {
					err = cerr
				}
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d bytes\n", mode, n)
	case "stor-cb", "stor-fd":
		if err := need(2); err != nil {
			return err
		}
		f, err := os.Open(rest[1])
		if err != nil {
			return err
		}
		defer f.Close()
		if mode == "stor-cb" {
			err = c.Stor(rest[0], readerOnly{f})
		} else {
			err = c.Stor(rest[0], f)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d bytes\n", mode, c.TransferBytes())
	case "mlsd":
		if err := need(1); err != nil {
			return err
		}
		entries, err := c.MLSD(rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "mlsd: %d entries\n", len(entries))
	default:
		return fmt.Errorf("unknown mode %s", mode)
	}
	return c.Quit()
}

func main() {
	if len(os.Args) < 7 {
		fmt.Fprintln(os.Stderr, "usage: ftpkit-bench-go HOST PORT USER PASS MODE ARGS...")
		os.Exit(2)
	}
	if err := run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "ftpkit-bench-go:", err)
		os.Exit(1)
	}
}
