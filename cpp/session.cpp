#include "session.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.hpp"

namespace ftpkit {
namespace {

bool has_crlf(std::string_view s) {
  return s.find_first_of("\r\n", 0) != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// Printable form of a line for traces and messages: non-printable bytes as
// \xNN, cut at `max` bytes.
std::string printable(std::string_view s, std::size_t max = 200) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  if (out.size() >= max) out += "...";
  return out;
}

std::string first_line(std::string_view text) {
  return printable(text.substr(0, text.find('\n')));
}

// Commands whose argument must never reach a trace.
// The line end, if any, is kept.
std::string redact(std::string_view cmd) {
  if (starts_with_nocase(cmd, "PASS ") || starts_with_nocase(cmd, "ACCT ")) {
    const std::size_t end = cmd.find_first_of("\r\n");
    return std::string(cmd.substr(0, 5)) + "****" +
           std::string(end == std::string_view::npos ? std::string_view() : cmd.substr(end));
  }
  return std::string(cmd);
}

bool is_ftpkit(const std::error_code &ec) { return &ec.category() == &category(); }

}  // namespace

session::session() : control_(reactor_), data_(reactor_), listener_(reactor_) {}

session::~session() {
  close();
  // Best effort: do not leave the password lying in freed memory.
  std::fill(pass_.begin(), pass_.end(), '\0');
  std::fill(acct_.begin(), acct_.end(), '\0');
}

void session::cancel() noexcept {
  reactor_.cancel();
  std::lock_guard<std::mutex> lock(clones_mu_);
  for (session *c : clones_) c->reactor_.cancel();
}

void session::begin_call() {
  errmsg_.clear();
  reactor_.clear_cancel();
}

std::error_code session::fail(errc e, std::string msg) {
  errmsg_ = std::move(msg);
  return e;
}

void session::trace(const char *tag, std::string_view text) {
  if (!opts_.debug_cb) return;
  std::string line = tag;
  line += " '";
  line += printable(text, 4096);
  line += "'";
  opts_.debug_cb(line.data(), line.size(), opts_.debug_userdata);
}

void session::close() noexcept {
  prot_p_ = false;
  listener_.close();
  data_.close();
  control_.close();
  rbuf_.clear();
  rpos_ = 0;
  transfer_ = {};
  type_ = 0;
}

// Turn any error into ftpkit's category, write the one-line message, and
// close the connection unless the session is still in a known state.
std::error_code session::failure(std::error_code ec, std::string_view context,
                                 const tcp_stream *src) {
  std::string msg(context);
  errc kind = errc::io;
  if (is_ftpkit(ec)) {
    kind = static_cast<errc>(ec.value());
    if (!msg.empty()) msg += ": ";
    const bool tls = kind == errc::tls || kind == errc::cert;
    msg += tls && src && !src->tls_detail().empty() ? src->tls_detail() : ec.message();
  } else {
    if (!msg.empty()) msg += ": ";
    msg += ec.message();
  }
  switch (kind) {
    case errc::io:
    case errc::timeout:
    case errc::canceled:
    case errc::closed:
    case errc::protocol:
    case errc::tls:
    case errc::cert:
      close();
      break;
    default:
      break;
  }
  errmsg_ = std::move(msg);
  return kind;
}

std::error_code session::reply_failure(errc e) {
  errmsg_ = first_line(text_);
  return e;
}

// ---------------------------------------------------------------------------
// Control connection

std::error_code session::send_line(std::string_view cmd) {
  if (opts_.debug_level >= 1) trace("*cmd*", redact(cmd));
  std::string line;
  line.reserve(cmd.size() + 2);
  line.append(cmd);
  line += "\r\n";
  if (opts_.debug_level >= 2) trace("*put*", redact(line));
  if (auto ec = control_.write_all(line.data(), line.size(), opts_.reply_timeout))
    return failure(ec, "sending command", &control_);
  return {};
}

std::error_code session::read_reply(clock::time_point deadline) {
  reply_parser parser(opts_.maxline, opts_.max_reply);
  code_ = 0;
  text_.clear();
  for (;;) {
    std::size_t nl = rbuf_.find('\n', rpos_);
    if (nl == std::string::npos) {
      std::size_t pending = rbuf_.size() - rpos_;
      if (pending > opts_.maxline + 1)
        return failure(errc::protocol,
                       "reply line longer than " + std::to_string(opts_.maxline) + " bytes");
      if (rpos_ > 0) {
        rbuf_.erase(0, rpos_);
        rpos_ = 0;
      }
      std::size_t old = rbuf_.size();
      std::size_t want = std::min<std::size_t>(opts_.maxline + 2 - old, 16384);
      // Read into a scratch block sized once per session and append only
      // what arrived: resizing rbuf_ by `want` zero-filled up to 8 KiB per
      // read, most of a NOOP round trip's instructions.
      if (rscratch_.size() < 16384) rscratch_.resize(16384);
      std::size_t n = 0;
      auto ec = control_.read_some(rscratch_.data(), want, n, deadline);
      rbuf_.append(rscratch_.data(), n);
      if (ec) return failure(ec, "reading reply", &control_);
      if (n == 0)
        return failure(errc::closed, pending || parser.code() ? "connection closed in mid-reply"
                                                              : "reading reply");
      continue;
    }
    std::string_view line(rbuf_.data() + rpos_, nl - rpos_);
    rpos_ = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (opts_.debug_level >= 2) trace("*get*", line);
    auto r = parser.feed_line(line);
    if (r == reply_parser::result::error) {
      text_.assign(line.substr(0, std::min<std::size_t>(line.size(), 512)));
      return failure(errc::protocol, parser.error());
    }
    if (r == reply_parser::result::complete) {
      code_ = parser.code();
      text_ = parser.text();
      if (rpos_ == rbuf_.size()) {
        rbuf_.clear();
        rpos_ = 0;
      }
      if (opts_.debug_level >= 1) trace("*resp*", text_);
      return {};
    }
  }
}

// A reply waiting before we send a command was not asked for: the server's
// replies and our commands no longer pair up.  A 421 (the server closing
// the session) is reported as such; anything else as a protocol error.
std::error_code session::check_unsolicited() {
  if (rpos_ == rbuf_.size() && !control_.readable_now()) return {};
  if (auto ec = read_reply()) return ec;
  if (code_ == 421) {
    auto e = reply_failure(errc::transient);
    close();
    return e;
  }
  return failure(errc::protocol, "unsolicited reply '" + first_line(text_) +
                                     "' before command: replies out of step, connection closed");
}

std::error_code session::ensure_ready() {
  if (!control_.is_open()) return fail(errc::state, "not connected");
  if (transfer_.open) return fail(errc::state, "a transfer is open");
  return {};
}

std::error_code session::command(std::string_view cmd) {
  if (has_crlf(cmd)) return fail(errc::invalid, "command contains CR, LF or NUL");
  if (!control_.is_open()) return fail(errc::state, "not connected");
  if (auto ec = check_unsolicited()) return ec;
  // A TYPE (or a new login) sent through sendcmd() makes our idea of the
  // representation type stale: forget it, so transfers send theirs again.
  if (starts_with_nocase(cmd, "TYPE") || starts_with_nocase(cmd, "USER") ||
      starts_with_nocase(cmd, "REIN"))
    type_ = 0;
  if (auto ec = send_line(cmd)) return ec;
  return read_reply();
}

std::error_code session::require_positive() {
  if (code_ >= 100 && code_ < 400) return {};
  return reply_failure(errc_for_reply(code_));
}

std::error_code session::require_class(char first) {
  if (code_ / 100 == first - '0') return {};
  return reply_failure(errc_for_reply(code_));
}

std::error_code session::sendcmd(std::string_view cmd) {
  if (auto ec = ensure_ready()) return ec;
  if (auto ec = command(cmd)) return ec;
  return require_positive();
}

std::error_code session::voidcmd(std::string_view cmd) {
  if (auto ec = ensure_ready()) return ec;
  if (auto ec = command(cmd)) return ec;
  return require_class('2');
}

// ---------------------------------------------------------------------------
// Connection and login

std::error_code session::connect(const std::string &host, std::uint16_t port) {
  close();
  welcome_.clear();
  features_.clear();
  epsv_refused_ = false;
  code_ = 0;
  text_.clear();
  if (host.empty() || has_crlf(host)) return fail(errc::invalid, "empty or invalid host");
  const auto deadline = clock::now() + opts_.connect_timeout;
  std::vector<tcp::endpoint> endpoints;
  std::string detail;
  if (auto ec = resolve(reactor_, host, port ? port : (opts_.tls.mode == FTP_TLS_IMPLICIT ? 990 : 21), opts_.family, deadline, endpoints,
                        detail)) {
    if (ec == errc::resolve) return fail(errc::resolve, "cannot resolve '" + host + "': " + detail);
    return failure(ec, "resolving " + host);
  }
  if (auto ec = control_.connect(endpoints, opts_.source, deadline))
    return failure(ec, "connecting to " + host);
  if (auto ec = control_.prepare(true)) return failure(ec, "connecting to " + host);
  host_ = host;
  port_ = port;
  if (opts_.tls.mode == FTP_TLS_IMPLICIT) {
    if (auto ec = start_control_tls()) return ec;
  }
  // The greeting: 120 "ready in nnn minutes" comes before the 220.
  const auto greet_deadline = clock::now() + opts_.reply_timeout;
  for (;;) {
    if (auto ec = read_reply(greet_deadline)) return ec;
    if (code_ >= 100 && code_ < 200) continue;
    break;
  }
  welcome_ = text_;
  if (code_ / 100 != 2) {
    auto e = reply_failure(errc_for_reply(code_));
    close();
    return e;
  }
  if (opts_.tls.mode == FTP_TLS_EXPLICIT) {
    if (auto ec = auth()) {
      if (connected()) close();  // TLS was required: never continue in clear
      return ec;
    }
  }
  return {};
}

std::error_code session::start_control_tls() {
  std::string detail;
  if (auto ec = tls_ctx_.configure(opts_.tls, detail)) return failure(errc::tls, detail);
  const std::string &name = opts_.tls.server_name.empty() ? host_ : opts_.tls.server_name;
  if (auto ec = control_.start_tls(tls_ctx_.get(), name, !opts_.tls.insecure, nullptr,
                                   clock::now() + opts_.connect_timeout))
    return failure(ec, "TLS on the control connection", &control_);
  return {};
}

std::error_code session::auth() {
  if (auto ec = ensure_ready()) return ec;
  if (control_.tls_active()) return fail(errc::state, "the control connection is already secured");
  if (auto ec = command("AUTH TLS")) return ec;
  if (code_ / 100 != 2 && opts_.tls.auth_ssl_fallback && code_ / 100 == 5) {
    if (auto ec = command("AUTH SSL")) return ec;
  }
  if (code_ != 234 && code_ != 334) return reply_failure(errc_for_reply(code_));
  if (rpos_ != rbuf_.size())  // plain text after 234 would be injected
    return failure(errc::tls, "plain text received after the AUTH reply, before TLS");
  return start_control_tls();
}

std::error_code session::prot_p() {
  if (auto ec = ensure_ready()) return ec;
  if (!control_.tls_active() && opts_.tls.mode == FTP_TLS_NONE)
    return fail(errc::state, "PROT P needs a TLS control connection (AUTH first)");
  if (auto ec = voidcmd("PBSZ 0")) return ec;
  if (auto ec = voidcmd("PROT P")) return ec;
  prot_p_ = true;
  return {};
}

std::error_code session::prot_c() {
  if (auto ec = voidcmd("PROT C")) return ec;
  prot_p_ = false;
  return {};
}

std::error_code session::ccc() {
  if (auto ec = ensure_ready()) return ec;
  if (!control_.tls_active()) return fail(errc::state, "the control connection is not secured");
  if (auto ec = voidcmd("CCC")) return ec;
  if (auto ec = control_.stop_tls(true, clock::now() + opts_.reply_timeout))
    return failure(ec, "TLS shutdown after CCC", &control_);
  return {};
}

std::error_code session::login(std::string_view user, std::string_view passwd,
                               std::string_view acct) {
  if (auto ec = ensure_ready()) return ec;
  if (has_crlf(user) || has_crlf(passwd) || has_crlf(acct))
    return fail(errc::invalid, "user, password or account contains CR, LF or NUL");
  std::string u(user.empty() ? "anonymous" : user);
  std::string p(passwd);
  if (u == "anonymous" && (p.empty() || p == "-")) p += "anonymous@";
  if (auto ec = command("USER " + u)) return ec;
  if (code_ / 100 == 3) {
    if (auto ec = command("PASS " + p)) return ec;
  }
  if (code_ / 100 == 3) {
    if (auto ec = command("ACCT " + std::string(acct))) return ec;
  }
  if (code_ / 100 != 2) return reply_failure(errc_for_reply(code_));
  user_ = std::string(user);
  pass_ = std::string(passwd);
  acct_ = std::string(acct);
  const int login_code = code_;
  const std::string login_text = text_;

  // Optional extras; a negative reply is not a login failure.
  features_.clear();
  if (auto ec = command("FEAT")) return ec;
  if (code_ == 211) features_ = parse_feat(text_);
  if (feature("UTF8", nullptr)) {
    if (auto ec = command("OPTS UTF8 ON")) return ec;
  }
  // Secure by default: with TLS, data connections are protected too.
  if (control_.tls_active() && opts_.tls.mode != FTP_TLS_NONE && !prot_p_) {
    if (auto ec = prot_p()) return ec;
  }
  code_ = login_code;
  text_ = login_text;
  return {};
}

bool session::feature(std::string_view name, const std::string **params) const {
  for (const auto &f : features_) {
    if (f.first.size() == name.size() && starts_with_nocase(name, f.first)) {
      if (params) *params = &f.second;
      return true;
    }
  }
  return false;
}

std::error_code session::quit() {
  if (auto ec = ensure_ready()) {
    close();
    return ec;
  }
  auto ec = command("QUIT");
  if (!ec) ec = require_class('2');
  close();
  return ec;
}

// ---------------------------------------------------------------------------
// Simple commands

std::error_code session::cwd(std::string_view path) {
  if (path == "..") {
    auto ec = sendcmd("CDUP");
    if (!ec || code_ != 500) return ec ? ec : require_class('2');
    errmsg_.clear();
  }
  if (path.empty()) path = ".";
  return voidcmd("CWD " + std::string(path));
}

std::error_code session::pwd(std::string &out) {
  if (auto ec = voidcmd("PWD")) return ec;
  auto name = parse_257(text_);
  if (!name) return fail(errc::protocol, "malformed 257 reply: '" + first_line(text_) + "'");
  out = std::move(*name);
  return {};
}

std::error_code session::mkd(std::string_view path, std::string &out) {
  if (auto ec = voidcmd("MKD " + std::string(path))) return ec;
  auto name = parse_257(text_);
  out = name ? std::move(*name) : std::string();
  return {};
}

std::error_code session::dele(std::string_view path) {
  if (auto ec = sendcmd("DELE " + std::string(path))) return ec;
  if (code_ == 250 || code_ == 200) return {};
  return reply_failure(errc::reply);
}

std::error_code session::rename(std::string_view from, std::string_view to) {
  if (has_crlf(from) || has_crlf(to)) return fail(errc::invalid, "name contains CR, LF or NUL");
  if (auto ec = sendcmd("RNFR " + std::string(from))) return ec;
  if (code_ / 100 != 3) return reply_failure(errc::reply);
  return voidcmd("RNTO " + std::string(to));
}

std::error_code session::size(std::string_view path, std::uint64_t &out) {
  if (auto ec = ensure_ready()) return ec;
  if (has_crlf(path)) return fail(errc::invalid, "path contains CR, LF or NUL");
  if (auto ec = set_type('I')) return ec;
  if (auto ec = sendcmd("SIZE " + std::string(path))) return ec;
  if (code_ != 213) return reply_failure(errc::reply);
  auto v = parse_213_size(text_);
  if (!v) return fail(errc::protocol, "malformed SIZE reply: '" + first_line(text_) + "'");
  out = *v;
  return {};
}

std::error_code session::set_type(char type) {
  if (type == 0 || type == type_) return {};
  std::string cmd = "TYPE ";
  cmd.push_back(type);
  if (auto ec = voidcmd(cmd)) return ec;
  type_ = type;
  return {};
}

// ---------------------------------------------------------------------------
// Data connections

std::error_code session::passive_endpoint(tcp::endpoint &out) {
  std::error_code ignored;
  const tcp::endpoint peer = control_.socket().remote_endpoint(ignored);
  if (ignored) return failure(ignored, "control connection");
  const bool v6 = peer.address().is_v6() && !peer.address().to_v6().is_v4_mapped();
  if (v6 || (opts_.epsv && !epsv_refused_)) {
    if (auto ec = command("EPSV")) return ec;
    if (code_ == 229) {
      auto port = parse_229(text_);
      if (!port) return fail(errc::protocol, "malformed EPSV reply: '" + first_line(text_) + "'");
      out = tcp::endpoint(peer.address(), *port);
      return {};
    }
    if (v6 || code_ / 100 != 5) return reply_failure(errc_for_reply(code_));
    epsv_refused_ = true;  // RFC 2428 not supported: PASV from now on
  }
  if (auto ec = command("PASV")) return ec;
  if (code_ != 227) return reply_failure(errc_for_reply(code_));
  auto addr = parse_227(text_);
  if (!addr) return fail(errc::protocol, "malformed PASV reply: '" + first_line(text_) + "'");
  asio::ip::address host = peer.address();
  if (opts_.trust_pasv_host) {
    std::error_code bad;
    host = asio::ip::make_address(addr->host, bad);
    if (bad) return fail(errc::protocol, "malformed PASV address");
  }
  out = tcp::endpoint(host, addr->port);
  return {};
}

std::error_code session::transfer_open(std::string_view cmd, int type, std::uint64_t rest,
                                       std::int64_t *size) {
  if (size) *size = -1;
  if (auto ec = ensure_ready()) return ec;
  if (has_crlf(cmd)) return fail(errc::invalid, "command contains CR, LF or NUL");
  if (type != FTP_TYPE_KEEP && type != FTP_TYPE_BINARY && type != FTP_TYPE_ASCII)
    return fail(errc::invalid, "unknown transfer type");
  transfer_bytes_ = 0;
  if (auto ec = set_type(static_cast<char>(type))) return ec;

  auto cleanup = [this](std::error_code ec) {
    listener_.close();
    data_.close();
    return ec;
  };
  if (opts_.passive) {
    tcp::endpoint ep;
    if (auto ec = passive_endpoint(ep)) return ec;
    const auto deadline = clock::now() + opts_.connect_timeout;
    std::optional<tcp::endpoint> bind_to;
    if (opts_.source) bind_to = tcp::endpoint(opts_.source->address(), 0);
    if (auto ec = data_.connect({ep}, bind_to, deadline)) {
      // The control connection is fine; only a timeout or cancel leaves it
      // in doubt (the caller's deadline is spent).
      if (ec == errc::timeout || ec == errc::canceled)
        return cleanup(failure(ec, "opening data connection"));
      cleanup({});
      return fail(is_ftpkit(ec) ? static_cast<errc>(ec.value()) : errc::io,
                  "opening data connection to " + ep.address().to_string() + " port " +
                      std::to_string(ep.port()) + ": " + ec.message());
    }
  } else {
    std::error_code e;
    const tcp::endpoint local = control_.socket().local_endpoint(e);
    if (e) return failure(e, "control connection");
    if (auto ec = listener_.listen(local.address())) return cleanup(failure(ec, "listening"));
    const tcp::endpoint ep = listener_.local_endpoint();
    std::string port_cmd;
    if (ep.address().is_v4()) {
      auto b = ep.address().to_v4().to_bytes();
      port_cmd = "PORT " + std::to_string(b[0]) + "," + std::to_string(b[1]) + "," +
                 std::to_string(b[2]) + "," + std::to_string(b[3]) + "," +
                 std::to_string(ep.port() >> 8) + "," + std::to_string(ep.port() & 255);
    } else {
      port_cmd = "EPRT |2|" + ep.address().to_string() + "|" + std::to_string(ep.port()) + "|";
    }
    if (auto ec = voidcmd(port_cmd)) return cleanup(ec);
  }
  if (rest > 0) {
    if (auto ec = command("REST " + std::to_string(rest))) return cleanup(ec);
    if (code_ / 100 != 3) return cleanup(reply_failure(errc_for_reply(code_)));
  }
  if (auto ec = command(cmd)) return cleanup(ec);
  // Some servers send a 2xx before the 1xx (ftplib discards it too); but a
  // command that simply completes must not wait for a reply that never
  // comes: the 1xx is taken only if it follows within a short grace.
  if (code_ / 100 == 2) {
    constexpr auto grace = std::chrono::seconds(2);
    if (!control_.readable_within(clock::now() + std::min<clock::duration>(grace,
                                                                         opts_.reply_timeout)))
      return cleanup(reply_failure(errc::reply));
    if (auto ec = read_reply()) return cleanup(ec);
  }
  if (code_ / 100 != 1) return cleanup(reply_failure(errc_for_reply(code_)));
  if (!opts_.passive) {
    if (auto ec = listener_.accept(data_, clock::now() + opts_.data_timeout))
      return cleanup(failure(ec, "waiting for the server's data connection"));
  }
  if (auto ec = data_.prepare(false)) return cleanup(failure(ec, "data connection"));
  data_resumed_ = false;
  if (prot_p_) {
    SSL_SESSION *sess = tls_ctx_.take_session();
    if (!sess) sess = control_.tls_session();
    const std::string &name = opts_.tls.server_name.empty() ? host_ : opts_.tls.server_name;
    auto ec = data_.start_tls(tls_ctx_.get(), name, !opts_.tls.insecure, sess,
                              clock::now() + opts_.data_timeout, /*bulk=*/true);
    if (sess) SSL_SESSION_free(sess);
    if (ec) return cleanup(failure(ec, "TLS on the data connection", &data_));
    data_resumed_ = data_.tls_resumed();
  }
  if (size) *size = code_ == 150 ? parse_150(text_) : -1;
  transfer_ = transfer_state{};
  transfer_.open = true;
  transfer_.upload = starts_with_nocase(cmd, "STOR") || starts_with_nocase(cmd, "STOU") ||
                     starts_with_nocase(cmd, "APPE");
  return {};
}

std::error_code session::transfer_read(void *buf, std::size_t cap, std::size_t &n) {
  n = 0;
  if (!transfer_.open) return fail(errc::state, "no transfer open");
  if (transfer_.eof || cap == 0) return {};
  return read_data(buf, cap, n);
}

std::error_code session::read_data(void *buf, std::size_t cap, std::size_t &n) {
  auto ec = data_.read_some(buf, cap, n, clock::now() + opts_.data_timeout);
  if (ec) return data_failed(ec, "reading data");
  if (n == 0) transfer_.eof = true;
  transfer_bytes_ += n;
  return {};
}

std::error_code session::transfer_write(const void *buf, std::size_t len) {
  if (!transfer_.open) return fail(errc::state, "no transfer open");
  if (len == 0) return {};
  if (!buf) return fail(errc::invalid, "NULL buffer");
  transfer_.upload = true;
  if (auto ec = data_.write_all(buf, len, opts_.data_timeout)) return data_failed(ec, "writing data");
  transfer_bytes_ += len;
  return {};
}

// The data connection failed.  A timeout or cancel leaves the control
// connection in an unknown state (closed).  Otherwise read the server's
// final reply so the session stays in step, and report the data error (or
// the server's negative reply, which explains it better).
std::error_code session::data_failed(std::error_code ec, const char *what) {
  const std::string ctx = std::string(what) + " after " + std::to_string(transfer_bytes_) + " bytes";
  transfer_.open = false;
  tls_ctx_.forget_from(data_.tls_handle());
  data_.reset_close();
  if (ec == errc::timeout || ec == errc::canceled) return failure(ec, ctx);
  const bool tls = ec == errc::tls || ec == errc::cert;
  const std::string detail =
      ctx + ": " + (tls && !data_.tls_detail().empty() ? data_.tls_detail() : ec.message());
  if (auto rec = read_reply()) return rec;
  if (code_ >= 400) {
    auto e = reply_failure(errc_for_reply(code_));
    errmsg_ = detail + "; server: " + errmsg_;
    return e;
  }
  errmsg_ = detail;
  return tls ? errc::tls : errc::io;
}

std::error_code session::finish_transfer() {
  transfer_.open = false;
  const auto deadline = clock::now() + opts_.data_timeout;
  // An upload signals its end and waits for the server to close (see
  // finish_upload()); a PROT P download sends its close_notify.
  std::error_code ec;
  if (transfer_.upload)
    ec = data_.finish_upload(deadline);
  else if (data_.tls_active())
    ec = data_.stop_tls(false, deadline);
  if (ec) {
    tls_ctx_.forget_from(data_.tls_handle());
    data_.reset_close();
    return data_failed(ec, "closing the data connection");
  }
  data_.close();
  if (auto ec = read_reply()) return ec;
  if (code_ / 100 == 2) return {};
  auto e = reply_failure(errc_for_reply(code_));
  errmsg_ = "transfer failed after " + std::to_string(transfer_bytes_) + " bytes: " + errmsg_;
  return e;
}

std::error_code session::transfer_close() {
  if (!transfer_.open) return fail(errc::state, "no transfer open");
  return finish_transfer();
}

// ABOR (RFC 959 §4.1.3) after ending the data connection: reset on plain
// connections, so that an upload cannot look complete.  With a transfer
// open the server answers twice (426 or 226 for the transfer, then 226/225
// for ABOR).
std::error_code session::abort_transfer() {
  const bool had_transfer = transfer_.open;
  transfer_.open = false;
  // A PROT P download is read to its end instead, up to a bound: servers
  // evict the TLS session of a data connection that ends without a clean
  // shutdown (OpenSSL does: the next resumption fails, and vsftpd with
  // require_ssl_reuse refuses every later transfer), and over TLS there is
  // no urgent data to make the server stop early anyway.
  // A PROT P upload likewise ends with close_notify rather than a reset
  // (the server keeps the partial file either way; the caller is told the
  // upload was aborted).
  constexpr std::size_t tls_drain_limit = std::size_t{16} << 20;
  if (had_transfer && data_.tls_active()) {
    const auto deadline = clock::now() + opts_.data_timeout;
    const bool clean = transfer_.upload ? !data_.finish_upload(deadline)
                                        : transfer_.eof || data_.drain_tls(tls_drain_limit, deadline);
    if (clean) data_.close();
  }
  tls_ctx_.forget_from(data_.tls_handle());
  data_.reset_close();
  // Plain "ABOR", with no Telnet IP/Synch before it (RFC 959 §4.1.3 asks
  // for them so that a server busy with the data connection notices): the
  // data connection is already closed or drained here, so every server
  // reads its control connection again; Pure-FTPd ignores a command line
  // that starts with Telnet IAC bytes; and over TLS urgent data would
  // travel beside the TLS stream and break it.
  if (auto ec = send_line("ABOR")) return ec;
  if (auto ec = read_reply()) return ec;
  // With a transfer open the first reply is the transfer's outcome (426,
  // 451, 226, ... whatever it was) and ABOR's own follows; 225 means ABOR
  // found nothing to abort and is the only reply.
  if (had_transfer && code_ != 225) {
    if (auto ec = read_reply()) return ec;
  }
  // ABOR's reply: 225/226, or the 426/451 some servers (Pure-FTPd) send
  // last.
  if (code_ / 100 == 2 || code_ == 426 || code_ == 451) return {};
  return reply_failure(errc_for_reply(code_));
}

std::error_code session::abort() {
  if (!control_.is_open()) return fail(errc::state, "not connected");
  return abort_transfer();
}

std::error_code session::stop_by_callback() {
  const auto bytes = transfer_bytes_;
  if (auto ec = abort_transfer()) {
    if (!connected()) return ec;  // the abort itself broke the connection
  }
  transfer_bytes_ = bytes;
  return fail(errc::aborted,
              "stopped by callback after " + std::to_string(transfer_bytes_) + " bytes");
}

// ---------------------------------------------------------------------------
// Push transfers

std::error_code session::retrbinary(std::string_view cmd, std::size_t blocksize,
                                    std::uint64_t rest, ftp_data_cb cb, void *userdata) {
  if (!cb) return fail(errc::invalid, "NULL callback");
  if (blocksize == 0) blocksize = opts_.blocksize;
  if (auto ec = transfer_open(cmd, FTP_TYPE_BINARY, rest, nullptr)) return ec;
  block_.resize(blocksize);
  for (;;) {
    std::size_t n = 0;
    if (auto ec = read_data(block_.data(), block_.size(), n)) return ec;
    if (n == 0) break;
    if (cb(block_.data(), n, userdata) != 0) return stop_by_callback();
  }
  return finish_transfer();
}

std::error_code session::retrlines(std::string_view cmd, ftp_line_cb cb, void *userdata) {
  if (!cb) return fail(errc::invalid, "NULL callback");
  if (auto ec = transfer_open(cmd, FTP_TYPE_ASCII, 0, nullptr)) return ec;
  block_.resize(opts_.blocksize);
  std::string line;  // a partial line carried between blocks
  auto deliver = [&](const char *p, std::size_t len) {
    if (len > 0 && p[len - 1] == '\r') --len;
    return cb(p, len, userdata);
  };
  for (;;) {
    std::size_t n = 0;
    if (auto ec = read_data(block_.data(), block_.size(), n)) return ec;
    if (n == 0) break;
    const char *p = block_.data();
    const char *end = p + n;
    while (p < end) {
      const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
      const std::size_t seg = static_cast<std::size_t>((nl ? nl : end) - p);
      if (line.size() + seg > opts_.maxline + 1) {  // +1: the CR before LF
        abort_transfer();
        return fail(errc::protocol,
                    "line longer than " + std::to_string(opts_.maxline) + " bytes in data");
      }
      if (!nl) {
        line.append(p, end);
        break;
      }
      int stop;
      if (line.empty()) {
        stop = deliver(p, seg);
      } else {
        line.append(p, nl);
        stop = deliver(line.data(), line.size());
        line.clear();
      }
      if (stop != 0) return stop_by_callback();
      p = nl + 1;
    }
  }
  if (!line.empty() && deliver(line.data(), line.size()) != 0) {
    // All data has arrived; the callback's stop only skips the final line.
    auto ec = finish_transfer();
    return ec ? ec : fail(errc::aborted, "stopped by callback");
  }
  return finish_transfer();
}

std::error_code session::storbinary(std::string_view cmd, std::size_t blocksize,
                                    std::uint64_t rest, ftp_read_cb cb, void *userdata) {
  if (!cb) return fail(errc::invalid, "NULL callback");
  if (blocksize == 0) blocksize = opts_.blocksize;
  if (auto ec = transfer_open(cmd, FTP_TYPE_BINARY, rest, nullptr)) return ec;
  block_.resize(blocksize);
  for (;;) {
    std::size_t n = 0;
    if (cb(block_.data(), block_.size(), &n, userdata) != 0) return stop_by_callback();
    if (n > block_.size()) {
      abort_transfer();
      return fail(errc::invalid, "read callback reported more bytes than the buffer holds");
    }
    if (n == 0) break;
    if (auto ec = transfer_write(block_.data(), n)) return ec;
  }
  return finish_transfer();
}

std::error_code session::storlines(std::string_view cmd, ftp_read_cb cb, void *userdata) {
  if (!cb) return fail(errc::invalid, "NULL callback");
  if (auto ec = transfer_open(cmd, FTP_TYPE_ASCII, 0, nullptr)) return ec;
  block_.resize(opts_.blocksize);
  std::string out;
  char last = 0;  // last byte read from the callback
  bool any = false;
  for (;;) {
    std::size_t n = 0;
    if (cb(block_.data(), block_.size(), &n, userdata) != 0) return stop_by_callback();
    if (n > block_.size()) {
      abort_transfer();
      return fail(errc::invalid, "read callback reported more bytes than the buffer holds");
    }
    if (n == 0) break;
    any = true;
    out.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const char c = block_[i];
      if (c == '\n' && last != '\r') out.push_back('\r');
      out.push_back(c);
      last = c;
    }
    if (auto ec = transfer_write(out.data(), out.size())) return ec;
  }
  // A last line without a line end gets one, as ftplib's storlines does.
  if (any && last != '\n') {
    const char *tail = last == '\r' ? "\n" : "\r\n";
    if (auto ec = transfer_write(tail, std::strlen(tail))) return ec;
  }
  return finish_transfer();
}

namespace {
struct mlsd_ctx {
  ftp_mlsd_cb cb;
  void *userdata;
  std::vector<fact_view> views;
  std::vector<ftp_fact> facts;
  std::string names;  // lowercased fact names, back to back
  bool malformed = false;
};

int mlsd_line(const char *line, std::size_t len, void *userdata) {
  auto *ctx = static_cast<mlsd_ctx *>(userdata);
  auto name = parse_mlsd_line(std::string_view(line, len), ctx->views);
  if (!name) {
    ctx->malformed = true;
    return 1;
  }
  ctx->names.clear();
  for (const auto &v : ctx->views)
    for (char c : v.name) ctx->names.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  ctx->facts.clear();
  std::size_t off = 0;
  for (const auto &v : ctx->views) {
    ctx->facts.push_back(ftp_fact{ctx->names.data() + off, v.name.size(), v.value.data(), v.value.size()});
    off += v.name.size();
  }
  return ctx->cb(name->data(), name->size(), ctx->facts.data(), ctx->facts.size(), ctx->userdata);
}
}  // namespace

std::error_code session::mlsd(std::string_view path, ftp_mlsd_cb cb, void *userdata) {
  if (!cb) return fail(errc::invalid, "NULL callback");
  mlsd_ctx ctx{cb, userdata, {}, {}, {}, false};
  std::string cmd = path.empty() ? std::string("MLSD") : "MLSD " + std::string(path);
  auto ec = retrlines(cmd, mlsd_line, &ctx);
  if (ctx.malformed && ec == errc::aborted)
    return fail(errc::protocol, "malformed MLSD entry (expected 'facts; name')");
  return ec;
}

// ---------------------------------------------------------------------------
// Transfers to and from file descriptors (zero-copy on plain connections)

namespace {

// Write `len` bytes to `fd`; `done` counts what was written.  Returns 0 or
// the errno of the failure (EAGAIN when a non-blocking `fd` is full).
int write_fully(int fd, const char *p, std::size_t len, std::size_t &done) {
  done = 0;
  while (done < len) {
    const ssize_t w = ::write(fd, p + done, len - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(w);
  }
  return 0;
}

// The caller's descriptor, made non-blocking for the call when it is a pipe,
// socket or terminal (regular files never block), so that a reader who
// stops reading cannot hold the call beyond ftp_cancel() or the timeout.
// The flag is restored on scope exit.
class local_fd {
 public:
  explicit local_fd(int fd) : fd_(fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) return;
    flags_ = ::fcntl(fd, F_GETFL);
    if (flags_ >= 0 && !(flags_ & O_NONBLOCK))
      changed_ = ::fcntl(fd, F_SETFL, flags_ | O_NONBLOCK) == 0;
  }
  ~local_fd() {
    if (changed_) ::fcntl(fd_, F_SETFL, flags_);
  }
  local_fd(const local_fd &) = delete;
  local_fd &operator=(const local_fd &) = delete;

 private:
  int fd_;
  int flags_ = -1;
  bool changed_ = false;
};

// A pipe for splice(2), closed on scope exit.
struct pipe_pair {
  int fd[2] = {-1, -1};
  bool open() {
    if (::pipe2(fd, O_CLOEXEC) != 0) return false;
    ::fcntl(fd[1], F_SETPIPE_SZ, 1 << 20);  // best effort; 64 KiB otherwise
    return true;
  }
  ~pipe_pair() {
    if (fd[0] >= 0) ::close(fd[0]);
    if (fd[1] >= 0) ::close(fd[1]);
  }
};

}  // namespace

// The caller's file descriptor failed: stop the transfer so the server
// knows (ABOR), and report FTP_ELOCAL with the system's reason.  The
// session stays usable unless the abort itself broke the connection.
std::error_code session::local_failure(const char *what, int err) {
  const auto bytes = transfer_bytes_;
  abort_transfer();
  transfer_bytes_ = bytes;
  errmsg_ = std::string(what) + " after " + std::to_string(bytes) +
            " bytes: " + std::error_code(err, std::system_category()).message();
  return errc::local;
}

// Wait until the caller's (non-blocking) descriptor is ready, looking for
// ftp_cancel() every 50 ms, for at most the data timeout.  A cancel closes
// the session as cancels do; a timeout is the descriptor's failure.
std::error_code session::wait_local(int fd, short events) {
  const auto deadline = clock::now() + opts_.data_timeout;
  for (;;) {
    if (reactor_.canceled()) return failure(errc::canceled, "waiting for the local descriptor");
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, 50);
    if (r > 0) return {};
    if (r < 0 && errno != EINTR) return local_failure("waiting for the local descriptor", errno);
    if (clock::now() >= deadline)
      return local_failure("waiting for the local descriptor", ETIMEDOUT);
  }
}

std::error_code session::retr_fd(std::string_view cmd, std::uint64_t rest, int fd) {
  if (fd < 0) return fail(errc::invalid, "invalid file descriptor");
  sigpipe_guard no_sigpipe;  // a pipe or socket as `fd` must not kill the process
  local_fd nonblocking(fd);
  if (auto ec = transfer_open(cmd, FTP_TYPE_BINARY, rest, nullptr)) return ec;
  pipe_pair pipe;
  bool use_splice = !data_.tls_active() && pipe.open();
  while (use_splice) {
    std::size_t n = 0;
    if (auto ec = data_.splice_to_pipe(pipe.fd[1], std::size_t{1} << 20, n,
                                       clock::now() + opts_.data_timeout))
      return data_failed(ec, "reading data");
    if (n == 0) return finish_transfer();
    // Drain the pipe into the file, counting what reached it; a target
    // splice(2) refuses falls back to read(2)/write(2) from then on.
    std::size_t left = n;
    while (left > 0) {
      const ssize_t w = ::splice(pipe.fd[0], nullptr, fd, nullptr, left, SPLICE_F_MOVE);
      if (w > 0) {
        left -= static_cast<std::size_t>(w);
        transfer_bytes_ += static_cast<std::size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        if (auto ec = wait_local(fd, POLLOUT)) return ec;
        continue;
      }
      if (w < 0 && errno != EINVAL) return local_failure("writing to the file", errno);
      block_.resize(std::max<std::size_t>(opts_.blocksize, 4096));
      while (left > 0) {
        const ssize_t r = ::read(pipe.fd[0], block_.data(), std::min(left, block_.size()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return local_failure("moving data", r < 0 ? errno : EIO);
        if (auto ec = write_local(fd, block_.data(), static_cast<std::size_t>(r))) return ec;
        left -= static_cast<std::size_t>(r);
      }
      use_splice = false;
    }
  }
  block_.resize(opts_.blocksize);
  for (;;) {
    std::size_t n = 0;
    if (auto ec = read_data(block_.data(), block_.size(), n)) return ec;
    if (n == 0) return finish_transfer();
    transfer_bytes_ -= n;  // read_data counted the block; count what reaches fd
    if (auto ec = write_local(fd, block_.data(), n)) return ec;
  }
}

// Write all of [p, p+len) to the caller's descriptor, counting what reaches
// it in transfer_bytes_, waiting (cancellable) while it is full.
std::error_code session::write_local(int fd, const char *p, std::size_t len) {
  while (len > 0) {
    std::size_t done = 0;
    const int err = write_fully(fd, p, len, done);
    transfer_bytes_ += done;
    p += done;
    len -= done;
    if (err == 0) break;
    if (err != EAGAIN) return local_failure("writing to the file", err);
    if (auto ec = wait_local(fd, POLLOUT)) return ec;
  }
  return {};
}

std::error_code session::stor_fd(std::string_view cmd, std::uint64_t rest, int fd) {
  if (fd < 0) return fail(errc::invalid, "invalid file descriptor");
  sigpipe_guard no_sigpipe;  // sendfile(2) has no MSG_NOSIGNAL
  local_fd nonblocking(fd);
  if (auto ec = transfer_open(cmd, FTP_TYPE_BINARY, rest, nullptr)) return ec;
  bool use_sendfile = !data_.tls_active();
  while (use_sendfile) {
    std::size_t n = 0;
    auto ec = data_.send_from_fd(fd, std::size_t{1} << 24, n, opts_.data_timeout);
    if (ec == errc::invalid) break;  // not a regular file: copy instead
    if (ec == errc::local) return local_failure("reading the file", data_.last_errno());
    if (ec) return data_failed(ec, "writing data");
    if (n == 0) return finish_transfer();
    transfer_bytes_ += n;
  }
  block_.resize(opts_.blocksize);
  for (;;) {
    const ssize_t r = ::read(fd, block_.data(), block_.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) {
      if (auto ec = wait_local(fd, POLLIN)) return ec;
      continue;
    }
    if (r < 0) return local_failure("reading the file", errno);
    if (r == 0) return finish_transfer();
    if (auto ec = transfer_write(block_.data(), static_cast<std::size_t>(r))) return ec;
  }
}

// ---------------------------------------------------------------------------
// Many files over parallel sessions

std::error_code session::transfer_files(ftp_file_item *items, std::size_t n, unsigned parallel,
                                        bool upload) {
  if (auto ec = ensure_ready()) return ec;
  if (n > 0 && !items) return fail(errc::invalid, "NULL items");
  for (std::size_t i = 0; i < n; ++i) {
    items[i].status = FTP_ECANCELED;  // until a worker takes it
    items[i].bytes = 0;
    if (!items[i].path || has_crlf(items[i].path) || items[i].fd < 0)
      return fail(errc::invalid, "item " + std::to_string(i) + ": bad path or descriptor");
  }
  if (parallel == 0) parallel = 1;
  if (parallel > 64) parallel = 64;
  if (parallel > n) parallel = static_cast<unsigned>(n ? n : 1);

  // The clones work where this session works.
  std::string cwd;
  if (parallel > 1) {
    if (auto ec = pwd(cwd)) {
      if (!connected()) return ec;
      cwd.clear();  // no usable PWD: clones stay in their login directory
      errmsg_.clear();
    }
  }
  std::vector<std::unique_ptr<session>> clones;
  for (unsigned i = 1; i < parallel; ++i) {
    auto c = std::make_unique<session>();
    c->opts_ = opts_;
    c->opts_.debug_cb = nullptr;  // callbacks run on the calling thread only
    c->opts_.debug_level = 0;
    clones.push_back(std::move(c));
  }
  {
    std::lock_guard<std::mutex> lock(clones_mu_);
    for (auto &c : clones) clones_.push_back(c.get());
  }
  if (reactor_.canceled())
    for (auto &c : clones) c->reactor_.cancel();

  std::atomic<std::size_t> next{0};
  auto work = [&](session &w, bool connect_first) {
    if (connect_first) {
      if (w.connect(host_, port_) || w.login(user_, pass_, acct_) ||
          (!cwd.empty() && w.cwd(cwd)))
        return;  // this helper could not start: the others take its share
    }
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) break;
      const std::string cmd = std::string(upload ? "STOR " : "RETR ") + items[i].path;
      auto ec = upload ? w.stor_fd(cmd, 0, items[i].fd) : w.retr_fd(cmd, 0, items[i].fd);
      items[i].bytes = w.transfer_bytes_;
      items[i].status = !ec ? FTP_OK : (is_ftpkit(ec) ? -ec.value() : FTP_EINTERNAL);
      if (ec && !w.connected()) break;  // this session is gone
    }
    if (connect_first) w.quit();
  };
  std::vector<std::thread> threads;
  try {
    for (auto &c : clones)
      threads.emplace_back([&work, w = c.get()] {
        try {  // nothing may escape a thread: std::terminate would follow
          work(*w, true);
        } catch (...) {
          w->close();  // its claimed item keeps FTP_ECANCELED
        }
      });
  } catch (const std::system_error &) {
    // fewer threads than asked: the ones running share the work
  }
  work(*this, false);
  for (auto &t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(clones_mu_);
    clones_.clear();
  }
  // Items no worker reached (every session failed): run them here if this
  // session still can, so each item has a real outcome.
  for (std::size_t i = next.load(); i < n && connected() && !reactor_.canceled(); ++i) {
    const std::string cmd = std::string(upload ? "STOR " : "RETR ") + items[i].path;
    auto ec = upload ? stor_fd(cmd, 0, items[i].fd) : retr_fd(cmd, 0, items[i].fd);
    items[i].bytes = transfer_bytes_;
    items[i].status = !ec ? FTP_OK : (is_ftpkit(ec) ? -ec.value() : FTP_EINTERNAL);
  }
  std::size_t failed = 0, first = n;
  for (std::size_t i = 0; i < n; ++i)
    if (items[i].status != FTP_OK) {
      ++failed;
      if (first == n) first = i;
    }
  if (failed == 0) {
    errmsg_.clear();
    return {};
  }
  errmsg_ = std::to_string(failed) + " of " + std::to_string(n) + " files failed; first: " +
            items[first].path + ": status " + std::to_string(items[first].status);
  return static_cast<errc>(-items[first].status);
}

}  // namespace ftpkit
