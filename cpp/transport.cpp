#include "transport.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>

#include "tls.hpp"

namespace ftpkit {

namespace {
// Descriptors must not leak into programs the application starts: a child
// holding our socket keeps the connection open after ftp_free().  Asio
// opens sockets without SOCK_CLOEXEC, so set it right after each opens.
void set_cloexec(int fd) noexcept {
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}
}  // namespace

sigpipe_guard::sigpipe_guard() {
  sigset_t pipe_only, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  active_ = pthread_sigmask(SIG_BLOCK, &pipe_only, &old_) == 0;
}

sigpipe_guard::~sigpipe_guard() {
  if (!active_) return;
  if (!was_pending_) {
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

std::error_code tcp_stream::prepare(bool nodelay) {
  std::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) return ec;
  if (nodelay) socket_.set_option(tcp::no_delay(true), ec);
  return ec;
}

std::error_code tcp_stream::connect(const std::vector<tcp::endpoint> &endpoints,
                                    const std::optional<tcp::endpoint> &bind_to,
                                    clock::time_point deadline) {
  std::error_code last = asio::error::host_not_found;
  for (const auto &ep : endpoints) {
    if (bind_to && bind_to->protocol() != ep.protocol()) continue;
    close();
    std::error_code ec;
    socket_.open(ep.protocol(), ec);
    if (ec) { last = ec; continue; }
    set_cloexec(socket_.native_handle());
    if (bind_to) {
      socket_.set_option(asio::socket_base::reuse_address(true), ec);
      socket_.bind(*bind_to, ec);
      if (ec) { last = ec; continue; }
    }
    bool done = false;
    std::error_code result;
    socket_.async_connect(ep, [&](const std::error_code &e) {
      result = e;
      done = true;
    });
    ec = reactor_.wait(done, deadline, [&] { close(); });
    if (ec) {  // timeout or cancel: give up on all endpoints
      close();
      return ec;
    }
    if (!result) return {};
    last = result;
  }
  close();
  return last;
}

std::error_code tcp_stream::wait_ready(tcp::socket::wait_type what, clock::time_point deadline) {
  bool done = false;
  std::error_code result;
  socket_.async_wait(what, [&](const std::error_code &e) {
    result = e;
    done = true;
  });
  if (auto ec = reactor_.wait(done, deadline, [&] {
        std::error_code ignored;
        socket_.cancel(ignored);
      }))
    return ec;
  return result;
}

std::error_code tcp_stream::read_some(void *buf, std::size_t cap, std::size_t &n,
                                      clock::time_point deadline) {
  n = 0;
  if (!socket_.is_open()) return asio::error::not_connected;
  if (deferred_) return std::exchange(deferred_, {});
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
    if (ssl_) {
      ERR_clear_error();
      const int r = SSL_read_ex(ssl_, buf, cap, &n);
      if (r == 1) {
        fill_from_tls_buffer(static_cast<char *>(buf), cap, n);
        return {};
      }
      n = 0;
      if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return {};  // close_notify
      bool retry = false;
      if (auto ec = tls_step(r, "reading", deadline, retry)) return ec;
      continue;
    }
    std::error_code ec;
    n = socket_.read_some(asio::buffer(buf, cap), ec);
    if (!ec) return {};
    if (ec == asio::error::eof) {
      n = 0;
      return {};
    }
    if (ec != asio::error::would_block && ec != asio::error::try_again) return ec;
    if (auto w = wait_ready(tcp::socket::wait_read, deadline)) return w;
  }
}

// SSL_read_ex() returns at most one record (16 KiB); when more records are
// already buffered (read ahead), decrypt them into the rest of the block
// too, without waiting, so callers see full blocks.  An error met here is
// kept for the next read (OpenSSL reports it only once); the end of the
// stream (close_notify) is reported again by the next SSL_read_ex().
void tcp_stream::fill_from_tls_buffer(char *buf, std::size_t cap, std::size_t &n) {
  while (n < cap && SSL_has_pending(ssl_)) {
    std::size_t more = 0;
    ERR_clear_error();
    const int r = SSL_read_ex(ssl_, buf + n, cap - n, &more);
    if (r == 1) {
      n += more;
      continue;
    }
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
    } else if (err != SSL_ERROR_ZERO_RETURN) {
      bool retry = false;
      deferred_ = tls_step(r, "reading", clock::now(), retry);
    }
    return;
  }
}

std::error_code tcp_stream::write_all(const void *buf, std::size_t len, clock::duration idle) {
  if (!socket_.is_open()) return asio::error::not_connected;
  const auto *p = static_cast<const std::uint8_t *>(buf);
  while (len > 0) {
    if (reactor_.canceled()) return errc::canceled;
    if (ssl_) {
      sigpipe_guard no_sigpipe;  // OpenSSL writes with send(2) without MSG_NOSIGNAL
      ERR_clear_error();
      std::size_t n = 0;
      const int r = SSL_write_ex(ssl_, p, len, &n);
      if (r == 1) {
        p += n;
        len -= n;
        continue;
      }
      bool retry = false;
      if (auto ec = tls_step(r, "writing", clock::now() + idle, retry)) return ec;
      continue;
    }
    std::error_code ec;
    std::size_t n = socket_.write_some(asio::buffer(p, len), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      if (auto w = wait_ready(tcp::socket::wait_write, clock::now() + idle)) return w;
      continue;
    }
    if (ec) return ec;
    p += n;
    len -= n;
  }
  return {};
}

std::error_code tcp_stream::tls_step(int r, const char *what, clock::time_point deadline,
                                     bool &retry) {
  retry = false;
  const int err = SSL_get_error(ssl_, r);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      retry = true;
      return wait_ready(tcp::socket::wait_read, deadline);
    case SSL_ERROR_WANT_WRITE:
      retry = true;
      return wait_ready(tcp::socket::wait_write, deadline);
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (errno != 0) return std::error_code(errno, std::system_category());
        tls_detail_ = std::string("TLS ") + what +
                      ": connection closed without close_notify (data may be truncated)";
        return errc::tls;
      }
      break;
    case SSL_ERROR_ZERO_RETURN:
      tls_detail_ = std::string("TLS ") + what + ": peer sent close_notify";
      return errc::tls;
    default:
      break;
  }
  if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    tls_detail_ = std::string("TLS ") + what +
                  ": connection closed without close_notify (data may be truncated)";
    return errc::tls;
  }
  if (verify_ && SSL_get_verify_result(ssl_) != X509_V_OK) {
    ERR_clear_error();
    tls_detail_ = std::string("certificate verify failed: ") +
                  X509_verify_cert_error_string(SSL_get_verify_result(ssl_));
    return errc::cert;
  }
  tls_detail_ = std::string("TLS ") + what + ": " + openssl_error("failed");
  return errc::tls;
}

std::error_code tcp_stream::start_tls(SSL_CTX *ctx, const std::string &name, bool verify,
                                      SSL_SESSION *resume, clock::time_point deadline,
                                      bool bulk) {
  free_tls();
  tls_detail_.clear();
  ERR_clear_error();
  ssl_ = SSL_new(ctx);
  if (!ssl_) {
    tls_detail_ = openssl_error("cannot create TLS connection");
    return errc::tls;
  }
  verify_ = verify;
  // Read ahead with OpenSSL's default (one-record) buffer: a read(2) takes
  // the rest of a record and the next header together.  A larger buffer
  // (SSL_set_default_read_buffer_len) saves more calls but costs more:
  // OpenSSL 3 moves the unread bytes to the front of it for every record.
  if (bulk) SSL_set_read_ahead(ssl_, 1);
  if (!SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle()))) {
    tls_detail_ = openssl_error("cannot attach TLS to the socket");
    free_tls();
    return errc::tls;
  }
  std::error_code bad;
  const bool numeric = !asio::ip::make_address(name, bad).is_unspecified() && !bad;
  if (!name.empty()) {
    if (!numeric) SSL_set_tlsext_host_name(ssl_, name.c_str());
    if (verify) {
      X509_VERIFY_PARAM *param = SSL_get0_param(ssl_);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
      if (!ok) {
        tls_detail_ = "cannot set the name to verify: " + name;
        free_tls();
        return errc::tls;
      }
    }
  }
  if (resume) SSL_set_session(ssl_, resume);
  sigpipe_guard no_sigpipe;
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
    ERR_clear_error();
    const int r = SSL_connect(ssl_);
    if (r == 1) return {};
    bool retry = false;
    auto ec = tls_step(r, "handshake", deadline, retry);
    if (ec) {
      if (ec == errc::tls && tls_detail_.find("close_notify") != std::string::npos)
        tls_detail_ = "TLS handshake: connection closed by the server";
      free_tls();
      return ec;
    }
  }
}

std::error_code tcp_stream::stop_tls(bool wait_peer, clock::time_point deadline) {
  if (!ssl_) return {};
  sigpipe_guard no_sigpipe;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_shutdown(ssl_);
    if (r == 1 || (r == 0 && !wait_peer)) break;
    if (r == 0) {
      // Our close_notify is out; read until the peer's arrives.
      char scratch[512];
      std::size_t n = 0;
      ERR_clear_error();
      const int rr = SSL_read_ex(ssl_, scratch, sizeof scratch, &n);
      if (rr == 1) continue;  // late application data: discard
      if (SSL_get_error(ssl_, rr) == SSL_ERROR_ZERO_RETURN) continue;
      bool retry = false;
      if (auto ec = tls_step(rr, "shutdown", deadline, retry)) {
        free_tls();
        return ec;
      }
      continue;
    }
    bool retry = false;
    if (auto ec = tls_step(r, "shutdown", deadline, retry)) {
      free_tls();
      return ec;
    }
  }
  free_tls();
  return {};
}

void tcp_stream::free_tls() noexcept {
  deferred_.clear();
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
}

bool tcp_stream::readable_within(clock::time_point deadline) {
  if (readable_now()) return true;
  return socket_.is_open() && !wait_ready(tcp::socket::wait_read, deadline);
}

bool tcp_stream::readable_now() {
  if (!socket_.is_open()) return false;
  if (!ssl_) return available() > 0;
  if (SSL_pending(ssl_) > 0) return true;
  if (available() == 0) return false;
  // Bytes are waiting, but they may be TLS records that carry no
  // application data (TLS 1.3 session tickets): peek without waiting.
  char c;
  std::size_t n = 0;
  ERR_clear_error();
  const int r = SSL_peek_ex(ssl_, &c, 1, &n);
  if (r == 1) return true;
  const int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return false;
  }
  // A fatal alert (e.g. the server refusing our certificate under TLS
  // 1.3) or the end: keep its reason for the read that follows, since
  // OpenSSL reports it only once.
  if (err == SSL_ERROR_ZERO_RETURN) return true;
  bool retry = false;
  deferred_ = tls_step(r, "reading", clock::now(), retry);
  return true;
}

std::error_code tcp_stream::splice_to_pipe(int pipe_w, std::size_t max, std::size_t &n,
                                           clock::time_point deadline) {
  n = 0;
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
    const ssize_t r = ::splice(socket_.native_handle(), nullptr, pipe_w, nullptr, max,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (r >= 0) {
      n = static_cast<std::size_t>(r);
      return {};
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return std::error_code(errno, std::system_category());
    // EAGAIN: the socket is empty (or the pipe is full, which the caller
    // prevents by draining it after every call).
    if (auto w = wait_ready(tcp::socket::wait_read, deadline)) return w;
  }
}

std::error_code tcp_stream::send_from_fd(int fd, std::size_t max, std::size_t &n,
                                         clock::duration idle) {
  n = 0;
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
    const ssize_t r = ::sendfile(socket_.native_handle(), fd, nullptr, max);
    if (r >= 0) {
      n = static_cast<std::size_t>(r);
      return {};
    }
    if (errno == EINTR) continue;
    if (errno == EINVAL || errno == ENOSYS || errno == ESPIPE) return errc::invalid;
    if (errno == EIO || errno == EBADF || errno == EISDIR || errno == EOVERFLOW) {
      last_errno_ = errno;  // the file's side failed, not the connection
      return errc::local;
    }
    if (errno != EAGAIN) return std::error_code(errno, std::system_category());
    if (auto w = wait_ready(tcp::socket::wait_write, clock::now() + idle)) return w;
  }
}

std::size_t tcp_stream::available() {
  std::error_code ec;
  std::size_t n = socket_.available(ec);
  return ec ? 0 : n;
}

std::error_code tcp_stream::finish_upload(clock::time_point deadline) {
  sigpipe_guard no_sigpipe;
  if (ssl_) {
    for (;;) {  // our close_notify
      ERR_clear_error();
      const int r = SSL_shutdown(ssl_);
      if (r >= 0) break;
      bool retry = false;
      auto ec = tls_step(r, "shutdown", deadline, retry);
      if (ec == errc::timeout || ec == errc::canceled) return ec;
      if (ec) break;  // the server is gone already; its reply will tell
    }
  }
  std::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    free_tls();
    return {};
  }
  char scratch[4096];
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
    std::size_t n = 0;
    if (ssl_) {
      ERR_clear_error();
      const int r = SSL_read_ex(ssl_, scratch, sizeof scratch, &n);
      if (r == 1) continue;
      if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) break;  // close_notify
      bool retry = false;
      auto e = tls_step(r, "closing", deadline, retry);
      if (e == errc::timeout || e == errc::canceled) return e;
      if (e) break;  // closed without close_notify, or a reset: done
      continue;
    }
    const std::size_t got = socket_.read_some(asio::buffer(scratch), ec);
    if (!ec && got > 0) continue;
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      if (auto w = wait_ready(tcp::socket::wait_read, deadline)) return w;
      continue;
    }
    break;  // EOF or an error: the server has closed
  }
  free_tls();
  return {};
}

bool tcp_stream::drain_tls(std::size_t limit, clock::time_point deadline) {
  if (!ssl_) return false;
  char scratch[16384];
  std::size_t total = 0;
  while (total <= limit) {
    std::size_t n = 0;
    if (read_some(scratch, sizeof scratch, n, deadline)) return false;
    if (n == 0) break;  // close_notify
    total += n;
  }
  if (total > limit) return false;
  return !stop_tls(false, deadline);
}

void tcp_stream::close() noexcept {
  free_tls();
  std::error_code ignored;
  if (socket_.is_open()) socket_.close(ignored);
}

void tcp_stream::reset_close() noexcept {
  free_tls();
  std::error_code ignored;
  if (!socket_.is_open()) return;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

std::error_code tcp_listener::listen(const asio::ip::address &local) {
  std::error_code ec;
  tcp::endpoint ep(local, 0);
  acceptor_.open(ep.protocol(), ec);
  if (ec) return ec;
  set_cloexec(acceptor_.native_handle());
  acceptor_.bind(ep, ec);
  if (ec) return ec;
  acceptor_.listen(1, ec);
  return ec;
}

tcp::endpoint tcp_listener::local_endpoint() const {
  std::error_code ec;
  return acceptor_.local_endpoint(ec);
}

std::error_code tcp_listener::accept(tcp_stream &into, clock::time_point deadline) {
  bool done = false;
  std::error_code result;
  into.close();
  acceptor_.async_accept(into.socket(), [&](const std::error_code &e) {
    result = e;
    done = true;
  });
  if (auto ec = reactor_.wait(done, deadline, [&] { close(); })) return ec;
  close();  // one connection per listener
  if (!result) set_cloexec(into.socket().native_handle());
  return result;
}

void tcp_listener::close() noexcept {
  std::error_code ignored;
  if (acceptor_.is_open()) acceptor_.close(ignored);
}

std::error_code resolve(reactor &r, const std::string &host, std::uint16_t port, int family,
                        clock::time_point deadline, std::vector<tcp::endpoint> &out,
                        std::string &detail) {
  out.clear();
  tcp::resolver resolver(r.io());
  bool done = false;
  std::error_code result;
  tcp::resolver::results_type results;
  auto flags = tcp::resolver::numeric_service;
  const std::string service = std::to_string(port);
  auto handler = [&](const std::error_code &e, tcp::resolver::results_type res) {
    result = e;
    results = std::move(res);
    done = true;
  };
  if (family == 4)
    resolver.async_resolve(tcp::v4(), host, service, flags, handler);
  else if (family == 6)
    resolver.async_resolve(tcp::v6(), host, service, flags, handler);
  else
    resolver.async_resolve(host, service, flags, handler);
  if (auto ec = r.wait(done, deadline, [&] { resolver.cancel(); })) return ec;
  if (result) {
    detail = result.message();
    return errc::resolve;
  }
  for (const auto &entry : results) out.push_back(entry.endpoint());
  if (out.empty()) {
    detail = "no address of the requested family";
    return errc::resolve;
  }
  return {};
}

}  // namespace ftpkit
