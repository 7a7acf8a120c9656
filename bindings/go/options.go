package ftpkit

import (
	"io"
	"time"
)

// An Option configures a Conn at Dial time.
type Option func(*config)

// TLSMode chooses how FTPS is used (RFC 4217).
type TLSMode int

const (
	// TLSNone is plain FTP (the default); Conn.Auth can still secure the
	// control connection later.
	TLSNone TLSMode = 0
	// TLSExplicit sends "AUTH TLS" right after the greeting and fails the
	// Dial if the server refuses, so nothing (the password least of all) is
	// sent in clear; after Login, "PBSZ 0" and "PROT P" protect the data
	// connections too.  RFC 4217 §4.
	TLSExplicit TLSMode = 1
	// TLSImplicit speaks TLS from the first byte (port 990 by default),
	// then protects the data connections after Login like TLSExplicit.
	TLSImplicit TLSMode = 2
)

// TLSConfig holds the TLS choices, mapped one to one onto the library's
// ftp_set_tls_* options.  The zero value verifies the server against the
// system's trusted CAs and the host name given to Dial.
type TLSConfig struct {
	// CAFile is a PEM file of trusted CA certificates; with CADir or
	// RootCAs it replaces the system store (ftp_set_tls_ca).  Read at Dial:
	// an unreadable file is ErrTLS.
	CAFile string
	// CADir is an OpenSSL hashed directory of trusted CAs (ftp_set_tls_ca).
	CADir string
	// RootCAs are trusted CA certificates given in memory, each PEM or DER
	// bytes (ftp_add_tls_ca_cert; copied).  One that does not parse is
	// ErrTLS at Dial.
	RootCAs [][]byte
	// InsecureSkipVerify turns certificate and host name verification off
	// (ftp_set_tls_insecure): any man in the middle is then accepted.  For
	// tests only.
	InsecureSkipVerify bool
	// CertFile and KeyFile present a client certificate: PEM files of the
	// certificate chain and its private key (KeyFile "" means the key is in
	// CertFile).  ftp_set_tls_client_cert.
	CertFile, KeyFile string
	// ServerName is sent as SNI and verified against the certificate when
	// it differs from the host given to Dial (e.g. dialing an IP address).
	ServerName string
	// MinVersion and MaxVersion bound the TLS version, as crypto/tls's
	// tls.VersionTLS12 (0x0303) and tls.VersionTLS13 (0x0304).  0 means the
	// library's default: TLS 1.2 minimum, newest maximum.
	MinVersion, MaxVersion uint16
	// AuthSSLFallback retries with the older "AUTH SSL" when the server
	// refuses "AUTH TLS" with 5xx.
	AuthSSLFallback bool
}

type config struct {
	timeout    time.Duration
	timeoutSet bool
	tlsMode    TLSMode
	tls        *TLSConfig
	active     bool
	noEPSV     bool
	debug      io.Writer
	debugLevel int
	blockSize  int
}

// WithTimeout sets the connect, reply and data timeouts at once
// (ftp_set_timeout_ms; the library's default is 30 s).  The reply deadline
// runs from the moment a command is sent; the data deadline is the longest
// a data connection may stay idle.  A passed deadline is ErrTimeout.  d is
// rounded up to whole milliseconds and must be positive (ErrInvalid from
// Dial otherwise).
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout, c.timeoutSet = d, true }
}

// WithTLS selects FTPS (RFC 4217) in the given mode with the given choices
// (nil: verify against the system store).
func WithTLS(mode TLSMode, cfg *TLSConfig) Option {
	return func(c *config) {
		c.tlsMode = mode
		c.tls = cfg
	}
}

// WithActive uses active-mode data connections (PORT/EPRT, RFC 959 §3.2,
// RFC 2428): the server connects back to a listener this side opens.  The
// default is passive mode.
func WithActive() Option {
	return func(c *config) { c.active = true }
}

// WithDisableEPSV makes passive mode use PASV only, never EPSV (RFC 2428
// §3); by default EPSV is tried first with a fallback to PASV.
func WithDisableEPSV() Option {
	return func(c *config) { c.noEPSV = true }
}

// WithDebug writes a trace of commands and replies to w, one line per
// Write ending in "\n", in ftplib's set_debuglevel(1) format ("*cmd* 'CWD
// x'", "*resp* '250 ok'"); passwords are masked.  Writes happen on the
// goroutine running the call; their errors are ignored.
func WithDebug(w io.Writer) Option {
	return WithDebugLevel(w, 1)
}

// WithDebugLevel is WithDebug with ftplib's level: 1 commands and replies,
// 2 every line sent and received.
func WithDebugLevel(w io.Writer, level int) Option {
	return func(c *config) {
		c.debug = w
		c.debugLevel = level
	}
}

// WithBlockSize sets the size in bytes of the blocks handed to RetrTo's
// io.Writer and asked of Stor's io.Reader (ftp_set_blocksize; default
// 65536, 1 byte to 64 MiB).
func WithBlockSize(n int) Option {
	return func(c *config) { c.blockSize = n }
}
