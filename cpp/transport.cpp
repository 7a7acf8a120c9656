#include "transport.hpp"

#include <sys/socket.h>

namespace ftpkit {

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
  for (;;) {
    if (reactor_.canceled()) return errc::canceled;
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

std::error_code tcp_stream::write_all(const void *buf, std::size_t len, clock::duration idle) {
  if (!socket_.is_open()) return asio::error::not_connected;
  const auto *p = static_cast<const std::uint8_t *>(buf);
  while (len > 0) {
    if (reactor_.canceled()) return errc::canceled;
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

std::error_code tcp_stream::send_urgent(std::uint8_t byte) {
  std::error_code ec;
  socket_.send(asio::buffer(&byte, 1), asio::socket_base::message_out_of_band, ec);
  return ec;
}

std::size_t tcp_stream::available() {
  std::error_code ec;
  std::size_t n = socket_.available(ec);
  return ec ? 0 : n;
}

void tcp_stream::close() noexcept {
  std::error_code ignored;
  if (socket_.is_open()) socket_.close(ignored);
}

void tcp_stream::reset_close() noexcept {
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
