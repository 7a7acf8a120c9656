// TLS configuration for FTPS (RFC 4217): one OpenSSL SSL_CTX per session,
// built from the session's options when a connection needs it.
#pragma once

#include <openssl/ssl.h>

#include <deque>
#include <string>
#include <system_error>
#include <vector>

namespace ftpkit {

struct tls_options {
  int mode = 0;                    // FTP_TLS_NONE / FTP_TLS_EXPLICIT / FTP_TLS_IMPLICIT
  bool insecure = false;           // skip certificate and host name checks
  bool auth_ssl_fallback = false;  // try "AUTH SSL" when "AUTH TLS" is refused
  std::string ca_file, ca_dir;     // trust anchors; system store when all empty
  std::vector<std::string> ca_certs;  // in-memory trust anchors, PEM or DER
  std::string cert_file, key_file;    // client certificate
  std::string server_name;            // name to verify instead of the host
  int min_version = TLS1_2_VERSION;
  int max_version = 0;  // 0: the highest OpenSSL supports
};

// Owns an SSL_CTX.
class tls_context {
 public:
  tls_context() = default;
  ~tls_context();
  tls_context(const tls_context &) = delete;
  tls_context &operator=(const tls_context &) = delete;

  // (Re)build the context from `opts`.  On failure returns errc::tls and
  // sets `detail` to OpenSSL's reason.
  std::error_code configure(const tls_options &opts, std::string &detail);
  SSL_CTX *get() const { return ctx_; }

  // A session to resume on the next data connection (the caller frees the
  // reference), or null.  TLS 1.3 tickets may be single-use (servers with a
  // stateful cache, such as vsftpd, refuse a second resumption), so every
  // ticket the server sends, on any connection, goes into a small pool and
  // each is handed out once, newest first.  When the pool is empty (servers
  // that send no ticket on some data connections, as ProFTPD on uploads), a
  // fresh copy of the last session handed out is offered: servers whose
  // tickets are reusable accept it.  (The copy is made before use: OpenSSL
  // marks a session it has resumed as not resumable.)
  SSL_SESSION *take_session();
  void clear_sessions() noexcept;
  // Drop the sessions that connection `ssl` brought: it ended without a
  // clean TLS shutdown, and servers then evict its sessions from their
  // cache (OpenSSL does), so resuming one would fail.
  void forget_from(const SSL *ssl) noexcept;

 private:
  struct ticket {
    const SSL *from;
    SSL_SESSION *session;
  };
  static int on_new_session(SSL *ssl, SSL_SESSION *sess);
  SSL_CTX *ctx_ = nullptr;
  std::deque<ticket> sessions_;
  SSL_SESSION *spare_ = nullptr;  // an unused copy of the last session handed out
};

// The reason of the oldest error on OpenSSL's queue (then clears it), or
// `fallback` when the queue is empty.
std::string openssl_error(const char *fallback);

}  // namespace ftpkit
