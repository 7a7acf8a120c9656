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

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

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

  // Send one byte as TCP urgent data (the Telnet Synch's DM, RFC 854).
  std::error_code send_urgent(std::uint8_t byte);

  // Bytes that can be read without blocking (0 on error).
  std::size_t available();

  // Close, sending FIN after pending data.  Never fails.
  void close() noexcept;
  // Close with SO_LINGER 0, so the peer sees a reset instead of a clean end
  // of data (used to abort uploads: the server must not take the truncated
  // stream for a complete file).
  void reset_close() noexcept;

  // Make the socket non-blocking and apply per-connection options.
  std::error_code prepare(bool nodelay);

 private:
  std::error_code wait_ready(tcp::socket::wait_type what, clock::time_point deadline);
  reactor &reactor_;
  tcp::socket socket_;
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
