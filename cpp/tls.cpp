#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "error.hpp"

namespace ftpkit {

std::string openssl_error(const char *fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  // "error:0A000086:SSL routines::certificate verify failed" → the reason.
  const char *reason = ERR_reason_error_string(e);
  return reason ? std::string(reason) : std::string(buf);
}

tls_context::~tls_context() {
  clear_sessions();
  if (ctx_) SSL_CTX_free(ctx_);
}

void tls_context::clear_sessions() noexcept {
  for (const ticket &t : sessions_) SSL_SESSION_free(t.session);
  sessions_.clear();
  if (spare_) SSL_SESSION_free(spare_);
  spare_ = nullptr;
}

void tls_context::forget_from(const SSL *ssl) noexcept {
  if (!ssl) return;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->from == ssl) {
      SSL_SESSION_free(it->session);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

SSL_SESSION *tls_context::take_session() {
  if (sessions_.empty()) return spare_ ? SSL_SESSION_dup(spare_) : nullptr;
  SSL_SESSION *s = sessions_.back().session;
  sessions_.pop_back();
  if (SSL_SESSION *copy = SSL_SESSION_dup(s)) {
    if (spare_) SSL_SESSION_free(spare_);
    spare_ = copy;
  }
  return s;
}

int tls_context::on_new_session(SSL *ssl, SSL_SESSION *sess) {
  auto *self = static_cast<tls_context *>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (!self) return 0;
  constexpr std::size_t max_kept = 8;
  if (self->sessions_.size() >= max_kept) {
    SSL_SESSION_free(self->sessions_.front().session);
    self->sessions_.pop_front();
  }
  self->sessions_.push_back(ticket{ssl, sess});
  return 1;  // we keep the reference
}

namespace {

// Parse one certificate given as PEM or DER.
X509 *parse_cert(const std::string &blob) {
  const auto *p = reinterpret_cast<const unsigned char *>(blob.data());
  if (X509 *x = d2i_X509(nullptr, &p, static_cast<long>(blob.size()))) return x;
  ERR_clear_error();
  BIO *bio = BIO_new_mem_buf(blob.data(), static_cast<int>(blob.size()));
  if (!bio) return nullptr;
  X509 *x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

}  // namespace

std::error_code tls_context::configure(const tls_options &opts, std::string &detail) {
  clear_sessions();
  if (ctx_) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  ERR_clear_error();
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    detail = openssl_error("cannot create TLS context");
    return errc::tls;
  }
  auto fail = [&](const std::string &what) {
    detail = what + ": " + openssl_error("failed");
    SSL_CTX_free(ctx);
    return std::error_code(errc::tls);
  };
  if (!SSL_CTX_set_min_proto_version(ctx, opts.min_version) ||
      !SSL_CTX_set_max_proto_version(ctx, opts.max_version))
    return fail("TLS version range");
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Keep sessions on the SSL objects (for data-connection resumption) but
  // not in a process-wide cache: no state is shared between sessions.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_set_app_data(ctx, this);
  SSL_CTX_sess_set_new_cb(ctx, &tls_context::on_new_session);
  if (!opts.insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const bool custom = !opts.ca_file.empty() || !opts.ca_dir.empty() || !opts.ca_certs.empty();
    if (!custom) {
      if (!SSL_CTX_set_default_verify_paths(ctx)) return fail("loading the system trust store");
    }
    if (!opts.ca_file.empty() || !opts.ca_dir.empty()) {
      if (!SSL_CTX_load_verify_locations(ctx, opts.ca_file.empty() ? nullptr : opts.ca_file.c_str(),
                                         opts.ca_dir.empty() ? nullptr : opts.ca_dir.c_str()))
        return fail("loading CA " + (opts.ca_file.empty() ? "directory " + opts.ca_dir
                                                           : "file " + opts.ca_file));
    }
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    for (const auto &blob : opts.ca_certs) {
      X509 *x = parse_cert(blob);
      if (!x) return fail("parsing an in-memory CA certificate");
      const int ok = X509_STORE_add_cert(store, x);
      X509_free(x);
      if (!ok) return fail("adding an in-memory CA certificate");
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!opts.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, opts.cert_file.c_str()) != 1)
      return fail("loading client certificate " + opts.cert_file);
    const std::string &key = opts.key_file.empty() ? opts.cert_file : opts.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
      return fail("loading client key " + key);
    if (SSL_CTX_check_private_key(ctx) != 1) return fail("client key does not match certificate");
  }
  ctx_ = ctx;
  return {};
}

}  // namespace ftpkit
