package ftpkit

import (
	"bytes"
	cryptotls "crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"
)

// tlsServers are the vsftpd FTPS servers with their modes.
func tlsServers() map[TLSMode]*server {
	return map[TLSMode]*server{TLSExplicit: vsExplicit, TLSImplicit: vsImplicit}
}

func modeName(m TLSMode) string {
	if m == TLSImplicit {
		return "implicit"
	}
	return "explicit"
}

// TestTLSChoices dials the FTPS servers with each way of trusting them.
func TestTLSChoices(t *testing.T) {
	choices := []struct {
		name string
		cfg  TLSConfig
	}{
		{"ca-file", TLSConfig{CAFile: caFile}},
		{"ca-pem-in-memory", TLSConfig{RootCAs: [][]byte{caPEM}}},
		{"ca-der-in-memory", TLSConfig{RootCAs: [][]byte{caDER}}},
		{"insecure", TLSConfig{InsecureSkipVerify: true}},
		{"server-name", TLSConfig{CAFile: caFile, ServerName: "localhost"}},
		{"client-cert", TLSConfig{CAFile: caFile, CertFile: clientCert, KeyFile: clientKey}},
		{"tls12", TLSConfig{CAFile: caFile, MinVersion: cryptotls.VersionTLS12, MaxVersion: cryptotls.VersionTLS12}},
		{"tls13", TLSConfig{CAFile: caFile, MinVersion: cryptotls.VersionTLS13}},
	}
	for mode, srv := range tlsServers() {
		for _, ch := range choices {
			t.Run(modeName(mode)+"/"+ch.name, func(t *testing.T) {
				cfg := ch.cfg
				c, err := Dial(srv.addr, WithTimeout(60*time.Second), WithTLS(mode, &cfg))
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.Close()
				v := c.TLSVersion()
				switch ch.name {
				case "tls12":
					if v != "TLSv1.2" {
						t.Errorf("TLSVersion = %q, want TLSv1.2", v)
					}
				case "tls13":
					if v != "TLSv1.3" {
						t.Errorf("TLSVersion = %q, want TLSv1.3", v)
					}
				default:
					if !strings.HasPrefix(v, "TLSv1.") {
						t.Errorf("TLSVersion = %q", v)
					}
				}
				if err := c.Login("", ""); err != nil {
					t.Fatalf("Login: %v", err)
				}
				name := uniq(t, ".txt")
				srv.put(t, name, []byte("secret data"))
				var buf bytes.Buffer
				if _, err := c.RetrTo(srv.remote(name), &buf); err != nil || buf.String() != "secret data" {
					t.Fatalf("RetrTo = %q, %v", buf.String(), err)
				}
				if !c.TLSSessionResumed() {
					t.Error("the data connection did not resume the TLS session")
				}
			})
		}
	}
}

func TestTLSFailures(t *testing.T) {
	for mode, srv := range tlsServers() {
		t.Run(modeName(mode), func(t *testing.T) {
			cases := []struct {
				name string
				cfg  *TLSConfig
				kind error
			}{
				{"system-store", nil, ErrCert},
				{"wrong-server-name", &TLSConfig{CAFile: caFile, ServerName: "wrong.example"}, ErrCert},
				{"missing-ca-file", &TLSConfig{CAFile: "/nonexistent/ca.pem"}, ErrTLS},
				{"garbage-ca", &TLSConfig{RootCAs: [][]byte{[]byte("not a certificate")}}, ErrTLS},
				{"missing-client-cert", &TLSConfig{CAFile: caFile, CertFile: "/nonexistent/c.pem"}, ErrTLS},
			}
			for _, tc := range cases {
				c, err := Dial(srv.addr, WithTimeout(60*time.Second), WithTLS(mode, tc.cfg))
				if c != nil {
					c.Close()
				}
				var fe *Error
				if !errors.Is(err, tc.kind) || !errors.As(err, &fe) || fe.Op != "connect" {
					t.Errorf("%s: Dial = %v, want %v", tc.name, err, tc.kind)
				}
			}
		})
	}
	t.Run("implicit-to-plain-server", func(t *testing.T) {
		_, err := Dial(pyPlain.addr, WithTimeout(10*time.Second), WithTLS(TLSImplicit, &TLSConfig{CAFile: caFile}))
		if !errors.Is(err, ErrTLS) {
			t.Errorf("Dial = %v, want ErrTLS", err)
		}
	})
	t.Run("explicit-auth-refused", func(t *testing.T) {
		_, err := Dial(pyPlain.addr, WithTLS(TLSExplicit, &TLSConfig{CAFile: caFile}))
		var fe *Error
		if !errors.Is(err, ErrPermanent) || !errors.As(err, &fe) || fe.Code/100 != 5 {
			t.Errorf("Dial = %v, want ErrPermanent for a refused AUTH TLS", err)
		}
	})
}

// TestAuthProt secures a plain session step by step: Auth, then ProtP and
// ProtC, as ftplib's FTP_TLS does.
func TestAuthProt(t *testing.T) {
	c, err := Dial(vsExplicit.addr, WithTimeout(60*time.Second),
		WithTLS(TLSNone, &TLSConfig{CAFile: caFile, MaxVersion: cryptotls.VersionTLS12}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := c.TLSVersion(); v != "" {
		t.Errorf("TLSVersion before Auth = %q", v)
	}
	if err := c.ProtP(); !errors.Is(err, ErrState) {
		t.Errorf("ProtP before Auth = %v, want ErrState", err)
	}
	if err := c.CCC(); !errors.Is(err, ErrState) {
		t.Errorf("CCC before Auth = %v, want ErrState", err)
	}
	if err := c.Auth(); err != nil {
		t.Fatalf("Auth: %v", err)
	}
	if v := c.TLSVersion(); v != "TLSv1.2" {
		t.Errorf("TLSVersion after Auth = %q", v)
	}
	if err := c.Auth(); !errors.Is(err, ErrState) {
		t.Errorf("second Auth = %v, want ErrState", err)
	}
	if err := c.Login("", ""); err != nil {
		t.Fatal(err)
	}
	// vsftpd demands protected data (force_anon_data_ssl).
	if _, err := c.NameList(vsExplicit.dir); !errors.Is(err, ErrPermanent) {
		t.Errorf("NameList with clear data = %v, want ErrPermanent", err)
	}
	if err := c.ProtP(); err != nil {
		t.Fatalf("ProtP: %v", err)
	}
	if _, err := c.NameList(vsExplicit.dir); err != nil {
		t.Errorf("NameList after ProtP: %v", err)
	}
	if !c.TLSSessionResumed() {
		t.Error("data connection not resumed")
	}
	if err := c.ProtC(); err != nil {
		t.Fatalf("ProtC: %v", err)
	}
	if _, err := c.NameList(vsExplicit.dir); !errors.Is(err, ErrPermanent) {
		t.Errorf("NameList after ProtC = %v, want ErrPermanent", err)
	}
	if err := c.ProtP(); err != nil {
		t.Fatal(err)
	}
	// vsftpd does not implement CCC.
	if err := c.CCC(); !errors.Is(err, ErrPermanent) {
		t.Errorf("CCC = %v, want ErrPermanent from vsftpd", err)
	}
	if err := c.NoOp(); err != nil {
		t.Errorf("NoOp: %v", err)
	}

	// AUTH against a server without TLS: refused, the session goes on.
	p := pyPlain.dial(t)
	if err := p.Auth(); !errors.Is(err, ErrPermanent) {
		t.Errorf("Auth on pyftpdlib = %v, want ErrPermanent", err)
	}
	if err := p.NoOp(); err != nil {
		t.Errorf("NoOp after a refused Auth: %v", err)
	}
}

// TestTLS13Uploads alternates uploads and downloads over TLS 1.3, where
// every data connection must resume the control connection's session.
func TestTLS13Uploads(t *testing.T) {
	for mode, srv := range tlsServers() {
		t.Run(modeName(mode), func(t *testing.T) {
			c := srv.dial(t, WithTLS(mode, &TLSConfig{CAFile: caFile, MinVersion: cryptotls.VersionTLS13}))
			if v := c.TLSVersion(); v != "TLSv1.3" {
				t.Fatalf("TLSVersion = %q", v)
			}
			data := pattern(100000, 9)
			name := srv.remote(uniq(t, ".bin"))
			for i := 0; i < 6; i++ {
				err := c.Stor(name, bytes.NewReader(data))
				if err != nil {
					t.Fatalf("Stor %d: %v", i, err)
				}
				var buf bytes.Buffer
				_, err = c.RetrTo(name, &buf)
				if err != nil || !bytes.Equal(buf.Bytes(), data) {
					t.Fatalf("RetrTo %d: %v", i, err)
				}
			}
		})
	}
}
