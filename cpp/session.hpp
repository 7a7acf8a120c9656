// One FTP session: a control connection (RFC 959) and at most one data
// connection at a time, modelled on Python's ftplib.FTP.  Every method
// returns a std::error_code in ftpkit's category (or {}), sets the reply and
// error-message state that the C API exposes, and closes the control
// connection itself when its state can no longer be trusted.
#pragma once

#include <ftpkit/ftp.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "reply.hpp"
#include "tls.hpp"
#include "transport.hpp"

namespace ftpkit {

struct options {
  clock::duration connect_timeout = std::chrono::seconds(30);
  clock::duration reply_timeout = std::chrono::seconds(30);
  clock::duration data_timeout = std::chrono::seconds(30);
  bool passive = true;
  bool epsv = true;
  bool trust_pasv_host = false;
  int family = 0;  // 0 any, 4, 6
  std::optional<tcp::endpoint> source;
  std::size_t maxline = 8192;
  std::size_t max_reply = 1u << 20;
  std::size_t blocksize = 64u * 1024;
  int debug_level = 0;
  ftp_debug_cb debug_cb = nullptr;
  void *debug_userdata = nullptr;
  tls_options tls;
};

class session {
 public:
  session();
  ~session();
  session(const session &) = delete;
  session &operator=(const session &) = delete;

  options &opts() { return opts_; }
  // Thread-safe: cancel the call in progress, including the helper
  // sessions of a parallel transfer.
  void cancel() noexcept;

  // State the C API reads back.
  int reply_code() const { return code_; }
  const std::string &reply_text() const { return text_; }
  const std::string &errmsg() const { return errmsg_; }
  const std::string &welcome() const { return welcome_; }
  std::uint64_t transfer_bytes() const { return transfer_bytes_; }
  bool connected() const { return control_.is_open(); }

  // Start of every public call: clear the message and a stale cancel.
  void begin_call();
  // Record a failure that happened outside the session (bad arguments...).
  std::error_code fail(errc e, std::string msg);

  std::error_code connect(const std::string &host, std::uint16_t port);
  std::error_code login(std::string_view user, std::string_view passwd, std::string_view acct);
  std::error_code quit();
  void close() noexcept;
  std::error_code sendcmd(std::string_view cmd);
  std::error_code voidcmd(std::string_view cmd);
  std::error_code cwd(std::string_view path);
  std::error_code pwd(std::string &out);
  std::error_code mkd(std::string_view path, std::string &out);
  std::error_code dele(std::string_view path);
  std::error_code rename(std::string_view from, std::string_view to);
  std::error_code size(std::string_view path, std::uint64_t &out);
  std::error_code abort();
  bool feature(std::string_view name, const std::string **params) const;

  // FTPS (RFC 4217).
  std::error_code auth();   // AUTH TLS (or SSL) and the control handshake
  std::error_code prot_p();  // PBSZ 0 + PROT P
  std::error_code prot_c();  // PROT C
  std::error_code ccc();     // CCC, then plain text on the control connection
  const char *tls_version() const { return control_.tls_version(); }
  bool data_tls_resumed() const { return data_resumed_; }

  std::error_code retrbinary(std::string_view cmd, std::size_t blocksize, std::uint64_t rest,
                             ftp_data_cb cb, void *userdata);
  std::error_code retrlines(std::string_view cmd, ftp_line_cb cb, void *userdata);
  std::error_code storbinary(std::string_view cmd, std::size_t blocksize, std::uint64_t rest,
                             ftp_read_cb cb, void *userdata);
  std::error_code storlines(std::string_view cmd, ftp_read_cb cb, void *userdata);
  std::error_code mlsd(std::string_view path, ftp_mlsd_cb cb, void *userdata);
  std::error_code retr_fd(std::string_view cmd, std::uint64_t rest, int fd);
  // Many files over up to `parallel` sessions: this one plus clones logged
  // in with the same options, credentials and working directory.
  std::error_code transfer_files(ftp_file_item *items, std::size_t n, unsigned parallel,
                                 bool upload);
  std::error_code stor_fd(std::string_view cmd, std::uint64_t rest, int fd);

  std::error_code transfer_open(std::string_view cmd, int type, std::uint64_t rest,
                                std::int64_t *size);
  std::error_code transfer_read(void *buf, std::size_t cap, std::size_t &n);
  std::error_code transfer_write(const void *buf, std::size_t len);
  std::error_code transfer_close();

 private:
  struct transfer_state {
    bool open = false;
    bool eof = false;
    bool upload = false;  // STOR/STOU/APPE, or data was written
  };

  // Control connection.
  std::error_code send_line(std::string_view cmd);
  std::error_code read_reply(clock::time_point deadline);
  std::error_code read_reply() { return read_reply(clock::now() + opts_.reply_timeout); }
  std::error_code command(std::string_view cmd);  // send + read, no class check
  std::error_code check_unsolicited();
  std::error_code require_positive();  // 1xx/2xx/3xx
  std::error_code require_class(char first);
  std::error_code ensure_ready();       // connected and no transfer open
  std::error_code set_type(char type);

  // Data connection.
  std::error_code passive_endpoint(tcp::endpoint &out);
  std::error_code read_data(void *buf, std::size_t cap, std::size_t &n);
  std::error_code finish_transfer();            // close data, read final reply
  std::error_code abort_transfer();             // ABOR, reset data, read replies
  std::error_code data_failed(std::error_code ec, const char *what);
  std::error_code stop_by_callback();
  std::error_code local_failure(const char *what, int err);
  std::error_code wait_local(int fd, short events);
  std::error_code write_local(int fd, const char *p, std::size_t len);

  // Errors: convert, describe, and close when the connection is unusable.
  std::error_code failure(std::error_code ec, std::string_view context,
                          const tcp_stream *src = nullptr);
  std::error_code start_control_tls();
  std::error_code reply_failure(errc e);
  void trace(const char *tag, std::string_view text);

  options opts_;
  reactor reactor_;
  tcp_stream control_;
  tcp_stream data_;
  tcp_listener listener_;
  std::string rbuf_;     // control-connection bytes received, not yet parsed
  std::size_t rpos_ = 0;
  std::vector<char> rscratch_;  // read_reply()'s receive block (16 KiB)
  int code_ = 0;
  std::string text_;
  std::string errmsg_;
  std::string welcome_;
  std::vector<std::pair<std::string, std::string>> features_;
  bool epsv_refused_ = false;
  char type_ = 0;  // TYPE in effect: 0 unknown, 'A' or 'I'
  transfer_state transfer_;
  std::uint64_t transfer_bytes_ = 0;
  std::vector<char> block_;  // reused transfer buffer
  std::string host_;         // as given to connect(): the name TLS verifies
  std::uint16_t port_ = 0;   // as given to connect()
  // Credentials of the last successful login, kept for the clones of a
  // parallel transfer (wiped on destruction).
  std::string user_, pass_, acct_;
  std::mutex clones_mu_;
  std::vector<session *> clones_;  // helpers of a running parallel transfer
  tls_context tls_ctx_;
  bool prot_p_ = false;      // data connections protected (PROT P)
  bool data_resumed_ = false;
};

}  // namespace ftpkit
