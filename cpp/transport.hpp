// Sockets with a deadline on every blocking step, in the style of Asio's
// blocking_tcp_client example: the session owns one io_context; each wait
// starts an asynchronous operation and runs the context until it completes,
// the deadline passes, or another thread cancels the call.
//
// Data moves with non-blocking reads and writes first; only when the kernel
// has nothing to give (would_block) do we wait for readiness, so the steady
// state of a bulk transfer costs one system call per block.
#pragma once

#include <asio.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

#include <string>

#include "error.hpp"

namespace ftpkit {

using clock = std::chrono::steady_clock;
using asio::ip::tcp;

// The session's event loop plus the cancellation flag ftp_cancel() sets.
class reactor {
 public:
  reactor() : io_(1) {}
  asio::io_context &io() { return io_; }

  // Thread-safe: make the operation in progress (if any) return canceled.
  void cancel() noexcept {
    cancel_.store(true, std::memory_order_release);
    io_.stop();
  }
  void clear_cancel() noexcept { cancel_.store(false, std::memory_order_release); }
  bool canceled() const noexcept { return cancel_.load(std::memory_order_acquire); }

  // Run the loop until `done` is set by a completion handler, the deadline
  // passes (errc::timeout) or cancel() is called (errc::canceled).  On
  // timeout or cancel, `abort_op` is called to cancel the pending operation,
  // whose handler is then drained so no handler outlives this call.
  template <typename Abort>
  std::error_code wait(const bool &done, clock::time_point deadline, Abort &&abort_op);

 private:
  asio::io_context io_;
  std::atomic<bool> cancel_{false};
};

// Blocks SIGPIPE in the calling thread for its lifetime, and swallows a
// SIGPIPE raised meanwhile: sendfile(2), splice(2), write(2) to a caller's
// pipe and OpenSSL's socket writes cannot pass MSG_NOSIGNAL, and a library
// must not kill its host process (the error comes back as EPIPE instead).
class sigpipe_guard {
 public:
  sigpipe_guard();
  ~sigpipe_guard();
  sigpipe_guard(const sigpipe_guard &) = delete;
  sigpipe_guard &operator=(const sigpipe_guard &) = delete;

 private:
  sigset_t old_;
  bool was_pending_ = false;
  bool active_ = false;
};

// One TCP connection (control or data) with deadline-bound operations.
// Errors from the system are returned as they are (std::system_category or
// asio's categories); our own are errc::timeout and errc::canceled.
class tcp_stream {
 public:
  explicit tcp_stream(reactor &r) : reactor_(r), socket_(r.io()) {}
  tcp_stream(const tcp_stream &) = delete;
  tcp_stream &operator=(const tcp_stream &) = delete;
  ~tcp_stream() { close(); }

  tcp::socket &socket() { return socket_; }
  bool is_open() const { return socket_.is_open(); }

  // Try each endpoint in turn until one connects, all before `deadline`.
  // When `bind_to` is set, endpoints of the other address family are skipped.
  std::error_code connect(const std::vector<tcp::endpoint> &endpoints,
                          const std::optional<tcp::endpoint> &bind_to, clock::time_point deadline);

  // Read what is available (at most `cap` bytes), waiting until `deadline`
  // if nothing is.  `n` == 0 with no error means the peer closed (EOF).
  std::error_code read_some(void *buf, std::size_t cap, std::size_t &n, clock::time_point deadline);

  // Write all `len` bytes; each wait for the socket to become writable may
  // last at most `idle` (the data connection's idle timeout).
  std::error_code write_all(const void *buf, std::size_t len, clock::duration idle);

  // Zero-copy helpers (Linux), plain connections only.
  // Move up to `max` bytes from the socket into the pipe `pipe_w` with
  // splice(2); `n` == 0 with no error means EOF.
  std::error_code splice_to_pipe(int pipe_w, std::size_t max, std::size_t &n,
                                 clock::time_point deadline);
  // Send up to `max` bytes from file descriptor `fd` (from its current
  // offset) with sendfile(2); `n` == 0 means end of file.  Returns
  // errc::invalid when `fd` cannot be used with sendfile (not a file), and
  // errc::local when reading `fd` failed (last_errno() says why).
  std::error_code send_from_fd(int fd, std::size_t max, std::size_t &n, clock::duration idle);

  // Bytes that can be read without blocking (0 on error).
  std::size_t available();

  // End an upload: close_notify (with TLS), FIN, then read and discard
  // until the server closes too.  With TLS the reading goes through
  // OpenSSL, which takes in the server's close_notify and any session
  // ticket it sent (TLS 1.3 tickets can be single-use, and the next data
  // connection needs a fresh one); and a socket closed with unread bytes
  // sends a reset, which makes servers take a complete upload for a failed
  // one.  Only a timeout or cancel is an error: once FIN is out, the
  // server's final reply says whether the upload succeeded.
  std::error_code finish_upload(clock::time_point deadline);

  // Read and discard TLS data until the server's close_notify, at most
  // `limit` bytes and until `deadline`; then send our close_notify.  True
  // when the connection ended cleanly (the TLS state is freed), false
  // otherwise (the caller resets the connection).
  bool drain_tls(std::size_t limit, clock::time_point deadline);

  // Close, sending FIN after pending data.  Never fails.
  void close() noexcept;
  // Close with SO_LINGER 0, so the peer sees a reset instead of a clean end
  // of data (used to abort uploads: the server must not take the truncated
  // stream for a complete file).
  void reset_close() noexcept;

  // Make the socket non-blocking and apply per-connection options.
  std::error_code prepare(bool nodelay);

  // --- TLS (RFC 4217), OpenSSL on the non-blocking socket ---------------
  // Handshake as the TLS client.  `name` is the server's name: sent as SNI
  // (unless numeric) and, when `verify`, checked against the certificate
  // (a DNS name or an IP address).  `resume` (may be null) is a session to
  // resume, as data connections do with the control connection's session.
  // Errors: errc::cert (verification failed), errc::tls, system errors,
  // errc::timeout/canceled; tls_detail() then says why.
  // `bulk` (data connections only, where no plain text ever follows the TLS
  // stream): let OpenSSL read ahead, so that one read(2) brings in a
  // record's body with the next header instead of two calls per record.
  std::error_code start_tls(SSL_CTX *ctx, const std::string &name, bool verify,
                            SSL_SESSION *resume, clock::time_point deadline,
                            bool bulk = false);
  // Send close_notify; with `wait_peer`, also wait for the server's (needed
  // before the socket continues in plain text, as after CCC).  The TLS state
  // is freed afterwards; the socket stays open.
  std::error_code stop_tls(bool wait_peer, clock::time_point deadline);
  bool tls_active() const { return ssl_ != nullptr; }
  const SSL *tls_handle() const { return ssl_; }
  bool tls_resumed() const { return ssl_ && SSL_session_reused(ssl_); }
  const char *tls_version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }
  // The current session (with a reference the caller must SSL_SESSION_free).
  SSL_SESSION *tls_session() const { return ssl_ ? SSL_get1_session(ssl_) : nullptr; }
  const std::string &tls_detail() const { return tls_detail_; }
  int last_errno() const { return last_errno_; }

  // Wait until something can be read (or the peer closed), at most until
  // `deadline`; false on timeout or cancel.  Nothing is consumed.
  bool readable_within(clock::time_point deadline);

  // Whether application data can be read without waiting (for detecting
  // unsolicited replies).  True on errors too, so the reader sees them.
  bool readable_now();

 private:
  std::error_code wait_ready(tcp::socket::wait_type what, clock::time_point deadline);
  // Handle the outcome `r` of an SSL_* call: {} with retry=true after a
  // wait, or an error.
  std::error_code tls_step(int r, const char *what, clock::time_point deadline, bool &retry);
  void free_tls() noexcept;
  void fill_from_tls_buffer(char *buf, std::size_t cap, std::size_t &n);
  reactor &reactor_;
  tcp::socket socket_;
  SSL *ssl_ = nullptr;
  bool verify_ = false;
  std::string tls_detail_;
  int last_errno_ = 0;
  std::error_code deferred_;  // an error readable_now() met, for the next read
};

// A listening socket for active-mode data connections (RFC 959 PORT,
// RFC 2428 EPRT).
class tcp_listener {
 public:
  explicit tcp_listener(reactor &r) : reactor_(r), acceptor_(r.io()) {}
  std::error_code listen(const asio::ip::address &local);
  tcp::endpoint local_endpoint() const;
  std::error_code accept(tcp_stream &into, clock::time_point deadline);
  void close() noexcept;

 private:
  reactor &reactor_;
  tcp::acceptor acceptor_;
};

// Resolve `host` for `port`; family 0 any, 4 or 6.  Returns errc::resolve
// (with `detail` set) when nothing usable comes back.
std::error_code resolve(reactor &r, const std::string &host, std::uint16_t port, int family,
                        clock::time_point deadline, std::vector<tcp::endpoint> &out,
                        std::string &detail);

// ---------------------------------------------------------------------------

template <typename Abort>
std::error_code reactor::wait(const bool &done, clock::time_point deadline, Abort &&abort_op) {
  io_.restart();
  if (!canceled()) io_.run_until(deadline);
  if (done) return {};
  const bool was_canceled = canceled();
  abort_op();
  io_.restart();
  io_.run();  // drain the aborted handler
  return was_canceled ? std::error_code(errc::canceled) : std::error_code(errc::timeout);
}

}  // namespace ftpkit
