package ftpkit

/*
#include <stdlib.h>
#include <ftpkit/ftp.h>
*/
import "C"

import "unsafe"

// configureTLS maps a TLSConfig onto the ftp_set_tls_* setters.
func (c *Conn) configureTLS(t *TLSConfig) error {
	set := func(op string, rc C.int) error { return c.checkNoReply(op, rc) }
	if t.CAFile != "" || t.CADir != "" {
		err := func() error {
			file, err := cStringOrNil("tls ca", t.CAFile)
			if err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(file))
			dir, err := cStringOrNil("tls ca", t.CADir)
			if err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(dir))
			return set("tls ca", C.ftp_set_tls_ca(c.s, file, dir))
		}()
		if err != nil {
			return err
		}
	}
	for _, der := range t.RootCAs {
		if len(der) == 0 {
			return &Error{Op: "tls ca", Kind: ErrInvalid, Status: int(C.FTP_EINVAL), Msg: "empty CA certificate"}
		}
		// The library copies the bytes during the call.
		if err := set("tls ca", C.ftp_add_tls_ca_cert(c.s, unsafe.Pointer(&der[0]), C.size_t(len(der)))); err != nil {
			return err
		}
	}
	if t.InsecureSkipVerify {
		if err := set("tls insecure", C.ftp_set_tls_insecure(c.s, 1)); err != nil {
			return err
		}
	}
	if t.CertFile != "" {
		cert, err := cString("tls client cert", t.CertFile)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(cert))
		key, err := cStringOrNil("tls client cert", t.KeyFile)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(key))
		if err := set("tls client cert", C.ftp_set_tls_client_cert(c.s, cert, key)); err != nil {
			return err
		}
	}
	if t.ServerName != "" {
		name, err := cString("tls server name", t.ServerName)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(name))
		if err := set("tls server name", C.ftp_set_tls_server_name(c.s, name)); err != nil {
			return err
		}
	}
	if t.MinVersion != 0 || t.MaxVersion != 0 {
		lo := C.int(t.MinVersion)
		if lo == 0 {
			lo = C.FTP_TLS_VERSION_1_2
		}
		if err := set("tls versions", C.ftp_set_tls_versions(c.s, lo, C.int(t.MaxVersion))); err != nil {
			return err
		}
	}
	if t.AuthSSLFallback {
		if err := set("tls auth ssl", C.ftp_set_tls_auth_ssl_fallback(c.s, 1)); err != nil {
			return err
		}
	}
	return nil
}

// Auth secures the control connection of a plain session now: "AUTH TLS"
// (234 required, RFC 4217 §4) and the TLS handshake, verified with the
// choices given by WithTLS(TLSNone, cfg) (ftplib's FTP_TLS.auth).  Data
// stays clear until ProtP.  Errors: reply errors (AUTH refused; the
// session stays usable in clear), ErrCert (the connection is closed,
// nothing more sent), ErrTLS, ErrState (already secured).
func (c *Conn) Auth() error {
	return c.do("AUTH", nil, func(s *C.ftp_session) C.int { return C.ftp_auth(s) })
}

// ProtP protects the data connections: "PBSZ 0" then "PROT P" (RFC 4217
// §8-9).  Each data connection then does a TLS handshake resuming the
// control connection's TLS session.  Login does this already in the TLS
// modes.  Errors: ErrState without a secured control connection, reply
// errors.
func (c *Conn) ProtP() error {
	return c.do("PROT P", nil, func(s *C.ftp_session) C.int { return C.ftp_prot_p(s) })
}

// ProtC makes the data connections clear again: "PROT C" (RFC 4217 §9).
func (c *Conn) ProtC() error {
	return c.do("PROT C", nil, func(s *C.ftp_session) C.int { return C.ftp_prot_c(s) })
}

// CCC clears the control connection (RFC 4217 §6): after the 200 reply
// its TLS is shut down and it continues in plain text; data protection is
// unchanged.  Errors: ErrState when not secured, reply errors, ErrTLS.
func (c *Conn) CCC() error {
	return c.do("CCC", nil, func(s *C.ftp_session) C.int { return C.ftp_ccc(s) })
}

// TLSVersion returns the control connection's TLS version, e.g.
// "TLSv1.3", or "" without TLS.
func (c *Conn) TLSVersion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return ""
	}
	return C.GoString(C.ftp_tls_version(c.s))
}

// TLSSessionResumed reports whether the last protected data connection
// resumed the control connection's TLS session (as vsftpd's
// require_ssl_reuse demands).
func (c *Conn) TLSSessionResumed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s != nil && C.ftp_tls_data_resumed(c.s) != 0
}
