package ftpkit

// The test servers: pyftpdlib (plain, and a throttled one for the
// cancellation tests) and vsftpd (plain, explicit FTPS with
// require_ssl_reuse, implicit FTPS), all on 127.0.0.1, started by TestMain
// and awaited until they answer 220.  Test certificates come from the
// openssl command: a local CA and a server certificate for CN=localhost
// with subjectAltName DNS:localhost,IP:127.0.0.1.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server describes one test server.
type server struct {
	name      string
	addr      string // 127.0.0.1:port
	user      string // "" for anonymous
	pass      string
	localDir  string // the writable directory on disk
	dir       string // the same directory as the server names it
	mlsd      bool   // the server implements MLSD
	sizeIn150 bool   // RETR's 150 reply names the size
	tls       bool   // FTPS
	opts      []Option
	proc      *exec.Cmd
	ftpUID    int // owner to give files under localDir (-1: keep)
	ftpGID    int
}

var (
	pyPlain    *server
	pyThrottle *server
	vsPlain    *server
	vsExplicit *server
	vsImplicit *server
	tmpRoot    string
	caFile     string // PEM of the test CA
	caPEM      []byte
	caDER      []byte
	clientCert string
	clientKey  string
)

// allServers are the servers the per-server tests run against.
func allServers() []*server { return []*server{pyPlain, vsPlain, vsExplicit, vsImplicit} }

// dial connects and logs in to srv, failing the test on error; the Conn is
// closed at the end of the test.
func (srv *server) dial(t testing.TB, opts ...Option) *Conn {
	t.Helper()
	all := append(append([]Option{WithTimeout(60 * time.Second)}, srv.opts...), opts...)
	c, err := Dial(srv.addr, all...)
	if err != nil {
		t.Fatalf("%s: Dial: %v", srv.name, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(srv.user, srv.pass); err != nil {
		t.Fatalf("%s: Login: %v", srv.name, err)
	}
	return c
}

// remote returns the server's path of a name in the writable directory.
func (srv *server) remote(name string) string {
	if srv.dir == "/" {
		return "/" + name
	}
	return srv.dir + "/" + name
}

// put writes a fixture file into the writable directory.
func (srv *server) put(t testing.TB, name string, data []byte) {
	t.Helper()
	p := filepath.Join(srv.localDir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv.chown(p)
}

func (srv *server) mkdir(t testing.TB, name string) {
	t.Helper()
	p := filepath.Join(srv.localDir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	srv.chown(p)
}

func (srv *server) chown(p string) {
	if srv.ftpUID >= 0 {
		_ = os.Lchown(p, srv.ftpUID, srv.ftpGID)
	}
}

// read returns a file of the writable directory from disk.
func (srv *server) read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(srv.localDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uniq makes a file name unique to the test.
func uniq(t testing.TB, suffix string) string {
	r := strings.NewReplacer("/", "_", " ", "_", "#", "_")
	return "go_" + r.Replace(t.Name()) + suffix
}

func TestMain(m *testing.M) {
	code, err := runMain(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ftpkit-go tests: cannot set up the test servers: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

func runMain(m *testing.M) (code int, err error) {
	tmpRoot, err = os.MkdirTemp("", "ftpkit-go-")
	if err != nil {
		return 1, err
	}
	// vsftpd (running as root, then as "ftp") must be able to reach the
	// anonymous roots below.
	_ = os.Chmod(tmpRoot, 0o755)
	var started []*server
	defer func() {
		for _, s := range started {
			s.stop()
		}
		if os.Getenv("FTPKIT_KEEP_TMP") == "" {
			_ = os.RemoveAll(tmpRoot)
		}
	}()
	if err := makeCerts(); err != nil {
		return 1, err
	}
	start := func(s *server, err error) (*server, error) {
		if err != nil {
			return nil, err
		}
		started = append(started, s)
		return s, nil
	}
	if pyPlain, err = start(startPyftpd("pyftpdlib", 0)); err != nil {
		return 1, err
	}
	if pyThrottle, err = start(startPyftpd("pyftpdlib-throttled", 256*1024)); err != nil {
		return 1, err
	}
	if vsPlain, err = start(startVsftpd("vsftpd", "")); err != nil {
		return 1, err
	}
	if vsExplicit, err = start(startVsftpd("vsftpd-explicit", "explicit")); err != nil {
		return 1, err
	}
	if vsImplicit, err = start(startVsftpd("vsftpd-implicit", "implicit")); err != nil {
		return 1, err
	}
	return m.Run(), nil
}

func (s *server) stop() {
	if s.proc == nil || s.proc.Process == nil {
		return
	}
	_ = s.proc.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.proc.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.proc.Process.Kill()
		<-done
	}
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// makeCerts makes a CA, a server certificate for localhost/127.0.0.1 and a
// client certificate with the openssl command.
func makeCerts() error {
	d := filepath.Join(tmpRoot, "certs")
	if err := os.Mkdir(d, 0o755); err != nil {
		return err
	}
	p := func(n string) string { return filepath.Join(d, n) }
	ext := p("server.ext")
	if err := os.WriteFile(ext, []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\n"+
		"basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"), 0o644); err != nil {
		return err
	}
	cext := p("client.ext")
	if err := os.WriteFile(cext, []byte("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"), 0o644); err != nil {
		return err
	}
	steps := [][]string{
		{"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"),
			"-days", "3", "-subj", "/CN=ftpkit-go test CA",
			"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
		{"req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"},
		{"x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
			"-out", p("server.pem"), "-days", "3", "-extfile", ext},
		{"req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("client.key"), "-out", p("client.csr"), "-subj", "/CN=ftpkit-go client"},
		{"x509", "-req", "-in", p("client.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
			"-out", p("client.pem"), "-days", "3", "-extfile", cext},
		{"x509", "-in", p("ca.pem"), "-outform", "DER", "-out", p("ca.der")},
	}
	for _, args := range steps {
		if err := run("openssl", args...); err != nil {
			return err
		}
	}
	var err error
	caFile = p("ca.pem")
	if caPEM, err = os.ReadFile(caFile); err != nil {
		return err
	}
	if caDER, err = os.ReadFile(p("ca.der")); err != nil {
		return err
	}
	clientCert, clientKey = p("client.pem"), p("client.key")
	return nil
}

func python() string {
	if p := os.Getenv("FTPKIT_PYTHON"); p != "" {
		return p
	}
	return "python3"
}

// startPyftpd runs testdata/pyftpd.py and waits for its 220.
func startPyftpd(name string, throttle int) (*server, error) {
	root := filepath.Join(tmpRoot, name)
	if err := os.Mkdir(root, 0o755); err != nil {
		return nil, err
	}
	script, err := filepath.Abs(filepath.Join("testdata", "pyftpd.py"))
	if err != nil {
		return nil, err
	}
	args := []string{script, "--root", root}
	if throttle > 0 {
		args = append(args, "--throttle", strconv.Itoa(throttle))
	}
	cmd := exec.Command(python(), args...)
	// pyftpdlib logs every session; keep that out of the test output.
	logf, err := os.Create(filepath.Join(tmpRoot, name+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	srv := &server{name: name, user: "user", pass: "12345", localDir: root, dir: "/", mlsd: true,
		proc: cmd, ftpUID: -1}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = bufio.NewReader(stdout).WriteTo(devNull{}) // keep the pipe drained
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(60 * time.Second):
	}
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "PORT ")
	if !ok {
		srv.stop()
		return nil, fmt.Errorf("%s did not report its port (is pyftpdlib installed for %s?): %q", name, python(), line)
	}
	srv.addr = "127.0.0.1:" + port
	if err := waitFor220(srv.addr, false, 60*time.Second); err != nil {
		srv.stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return srv, nil
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

// freePort picks a free TCP port on 127.0.0.1 (bound, then released).
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startVsftpd runs vsftpd in the foreground with an anonymous-only config:
// tls "" plain, "explicit" or "implicit" FTPS (TLS required for login and
// data, require_ssl_reuse=YES).
func startVsftpd(name, tls string) (*server, error) {
	const bin = "/usr/sbin/vsftpd"
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("vsftpd not installed: %w", err)
	}
	ftp, err := user.Lookup("ftp")
	if err != nil {
		return nil, fmt.Errorf("vsftpd needs the user ftp: %w", err)
	}
	uid, _ := strconv.Atoi(ftp.Uid)
	gid, _ := strconv.Atoi(ftp.Gid)
	base := filepath.Join(tmpRoot, name)
	anon := filepath.Join(base, "anon")
	pub := filepath.Join(anon, "pub")
	empty := filepath.Join(base, "empty")
	for _, d := range []string{base, anon, pub, empty} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.Chown(pub, uid, gid); err != nil {
		return nil, err
	}
	srv := &server{name: name, localDir: pub, dir: "/pub", sizeIn150: true, ftpUID: uid, ftpGID: gid, tls: tls != ""}
	switch tls {
	case "explicit":
		srv.opts = []Option{WithTLS(TLSExplicit, &TLSConfig{CAFile: caFile})}
	case "implicit":
		srv.opts = []Option{WithTLS(TLSImplicit, &TLSConfig{CAFile: caFile})}
	}
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		conf := []string{
			"listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
			"listen_port=" + strconv.Itoa(port), "background=NO",
			"anonymous_enable=YES", "anon_root=" + anon, "no_anon_password=YES",
			"write_enable=YES", "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
			"anon_other_write_enable=YES", "anon_umask=022", "local_enable=NO",
			"seccomp_sandbox=NO", "isolate=NO", "isolate_network=NO",
			"secure_chroot_dir=" + empty, "xferlog_enable=NO",
			"pasv_enable=YES", "port_enable=YES", "connect_from_port_20=NO",
			"max_clients=0", "max_per_ip=0",
			"ftpd_banner=ftpkit-go test server (vsftpd) ready.",
		}
		if tls != "" {
			conf = append(conf, "ssl_enable=YES", "allow_anon_ssl=YES", "force_anon_logins_ssl=YES",
				"force_anon_data_ssl=YES", "rsa_cert_file="+filepath.Join(tmpRoot, "certs", "server.pem"),
				"rsa_private_key_file="+filepath.Join(tmpRoot, "certs", "server.key"),
				"require_ssl_reuse=YES", "ssl_ciphers=HIGH")
			if tls == "implicit" {
				conf = append(conf, "implicit_ssl=YES")
			}
		}
		confFile := filepath.Join(base, "vsftpd.conf")
		if err := os.WriteFile(confFile, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, confFile)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		srv.proc = cmd
		srv.addr = "127.0.0.1:" + strconv.Itoa(port)
		if err := waitFor220(srv.addr, tls == "implicit", 30*time.Second); err != nil {
			srv.stop()
			lastErr = fmt.Errorf("%s: %v; vsftpd said: %s", name, err, stderr.String())
			continue
		}
		return srv, nil
	}
	return nil, lastErr
}

// waitFor220 polls addr until it answers a 220 greeting.  For implicit
// FTPS it only waits for the port to accept connections (the greeting
// comes after the TLS handshake).
func waitFor220(addr string, acceptOnly bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err == nil {
			if acceptOnly {
				conn.Close()
				return nil
			}
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if err == nil && strings.HasPrefix(line, "220") {
				return nil
			}
			last = fmt.Errorf("greeting %q, %v", line, err)
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	if last == nil {
		last = errors.New("timeout")
	}
	return fmt.Errorf("no 220 from %s: %w", addr, last)
}
