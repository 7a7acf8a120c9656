// The extern "C" layer: every entry point runs through guard(), which turns
// the core's std::error_code into an ftp_status and catches every exception
// so that none crosses the ABI.
#include <ftpkit/ftp.h>

#include <cstring>
#include <new>
#include <string>

#include "parse.hpp"
#include "session.hpp"

struct ftp_session {
  ftpkit::session impl;
  std::string out;  // backs strings returned by ftp_pwd()/ftp_mkd()
};

namespace {

using ftpkit::errc;

int to_status(const std::error_code &ec) {
  if (!ec) return FTP_OK;
  if (&ec.category() == &ftpkit::category()) return -ec.value();
  return FTP_EINTERNAL;
}

template <typename F>
int guard(ftp_session *s, F &&body) noexcept {
  if (!s) return FTP_EINVAL;
  try {
    s->impl.begin_call();
    return to_status(body(s->impl));
  } catch (const std::bad_alloc &) {
    s->impl.close();
    s->impl.fail(errc::nomem, "out of memory");
    return FTP_ENOMEM;
  } catch (const std::exception &e) {
    s->impl.close();
    try {
      s->impl.fail(errc::internal, std::string("internal error: ") + e.what());
    } catch (...) {
    }
    return FTP_EINTERNAL;
  } catch (...) {
    s->impl.close();
    return FTP_EINTERNAL;
  }
}

std::string_view view(const char *s) { return s ? std::string_view(s) : std::string_view(); }

std::error_code need(ftpkit::session &impl, const void *p, const char *what) {
  if (p) return {};
  return impl.fail(errc::invalid, std::string(what) + " is NULL");
}

int set_timeout(ftp_session *s, long ms, ftpkit::clock::duration ftpkit::options::*field) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (ms <= 0) return impl.fail(errc::invalid, "timeout must be > 0 ms");
    impl.opts().*field = std::chrono::milliseconds(ms);
    return {};
  });
}

}  // namespace

extern "C" {

unsigned ftp_version(void) { return FTPKIT_VERSION_NUMBER; }

const char *ftp_version_string(void) {
#define FTPKIT_STR2(x) #x
#define FTPKIT_STR(x) FTPKIT_STR2(x)
  return FTPKIT_STR(FTPKIT_VERSION_MAJOR) "." FTPKIT_STR(FTPKIT_VERSION_MINOR) "." FTPKIT_STR(
      FTPKIT_VERSION_PATCH);
}

const char *ftp_strerror(int status) {
  switch (status) {
    case FTP_OK: return "success";
    case FTP_EREPLY: return "unexpected reply";
    case FTP_ETEMP: return "transient negative reply (4xx)";
    case FTP_EPERM: return "permanent negative reply (5xx)";
    case FTP_EPROTO: return "malformed reply";
    case FTP_EIO: return "I/O error";
    case FTP_ETIMEOUT: return "timeout";
    case FTP_ETLS: return "TLS error";
    case FTP_ECERT: return "certificate verification failed";
    case FTP_ERESOLVE: return "host name resolution failed";
    case FTP_EINVAL: return "invalid argument";
    case FTP_ENOMEM: return "out of memory";
    case FTP_ESTATE: return "wrong session state";
    case FTP_EABORTED: return "aborted by callback";
    case FTP_ECANCELED: return "canceled";
    case FTP_ECLOSED: return "connection closed by server";
    case FTP_EINTERNAL: return "internal error";
    case FTP_ELOCAL: return "local file error";
    default: return "unknown status";
  }
}

ftp_session *ftp_new(void) { return new (std::nothrow) ftp_session(); }

void ftp_free(ftp_session *s) { delete s; }

int ftp_reply_code(const ftp_session *s) { return s ? s->impl.reply_code() : 0; }

const char *ftp_reply_text(const ftp_session *s, size_t *len) {
  if (!s) {
    if (len) *len = 0;
    return "";
  }
  if (len) *len = s->impl.reply_text().size();
  return s->impl.reply_text().c_str();
}

const char *ftp_errmsg(const ftp_session *s) { return s ? s->impl.errmsg().c_str() : ""; }

uint64_t ftp_transfer_bytes(const ftp_session *s) { return s ? s->impl.transfer_bytes() : 0; }

int ftp_set_timeout_ms(ftp_session *s, long ms) {
  int rc = ftp_set_connect_timeout_ms(s, ms);
  if (rc == FTP_OK) rc = ftp_set_reply_timeout_ms(s, ms);
  if (rc == FTP_OK) rc = ftp_set_data_timeout_ms(s, ms);
  return rc;
}
int ftp_set_connect_timeout_ms(ftp_session *s, long ms) {
  return set_timeout(s, ms, &ftpkit::options::connect_timeout);
}
int ftp_set_reply_timeout_ms(ftp_session *s, long ms) {
  return set_timeout(s, ms, &ftpkit::options::reply_timeout);
}
int ftp_set_data_timeout_ms(ftp_session *s, long ms) {
  return set_timeout(s, ms, &ftpkit::options::data_timeout);
}

int ftp_set_passive(ftp_session *s, int passive) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().passive = passive != 0;
    return {};
  });
}

int ftp_set_epsv(ftp_session *s, int use_epsv) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().epsv = use_epsv != 0;
    return {};
  });
}

int ftp_set_trust_pasv_host(ftp_session *s, int trust) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().trust_pasv_host = trust != 0;
    return {};
  });
}

int ftp_set_address_family(ftp_session *s, int family) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (family != 0 && family != 4 && family != 6)
      return impl.fail(errc::invalid, "address family must be 0, 4 or 6");
    impl.opts().family = family;
    return {};
  });
}

int ftp_set_source_address(ftp_session *s, const char *host, unsigned port) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (!host) {
      impl.opts().source.reset();
      return {};
    }
    if (port > 65535) return impl.fail(errc::invalid, "port out of range");
    std::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) return impl.fail(errc::invalid, std::string("not a numeric address: ") + host);
    impl.opts().source = ftpkit::tcp::endpoint(addr, static_cast<unsigned short>(port));
    return {};
  });
}

int ftp_set_maxline(ftp_session *s, size_t bytes) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (bytes < 64 || bytes > (size_t{1} << 30))
      return impl.fail(errc::invalid, "line limit must be 64 bytes .. 1 GiB");
    impl.opts().maxline = bytes;
    return {};
  });
}

int ftp_set_max_reply_size(ftp_session *s, size_t bytes) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (bytes < 64 || bytes > (size_t{1} << 30))
      return impl.fail(errc::invalid, "reply size cap must be 64 bytes .. 1 GiB");
    impl.opts().max_reply = bytes;
    return {};
  });
}

int ftp_set_blocksize(ftp_session *s, size_t bytes) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (bytes == 0 || bytes > (size_t{64} << 20))
      return impl.fail(errc::invalid, "block size must be 1 byte .. 64 MiB");
    impl.opts().blocksize = bytes;
    return {};
  });
}

int ftp_set_debug(ftp_session *s, int level, ftp_debug_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (level < 0 || level > 2) return impl.fail(errc::invalid, "debug level must be 0, 1 or 2");
    impl.opts().debug_level = cb ? level : 0;
    impl.opts().debug_cb = cb;
    impl.opts().debug_userdata = userdata;
    return {};
  });
}

int ftp_connect(ftp_session *s, const char *host, unsigned port) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, host, "host")) return ec;
    if (port > 65535) return impl.fail(errc::invalid, "port out of range");
    return impl.connect(host, static_cast<std::uint16_t>(port));
  });
}

const char *ftp_getwelcome(const ftp_session *s) { return s ? s->impl.welcome().c_str() : ""; }

int ftp_login(ftp_session *s, const char *user, const char *passwd, const char *acct) {
  return guard(s, [&](ftpkit::session &impl) {
    return impl.login(view(user), view(passwd), view(acct));
  });
}

int ftp_quit(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.quit(); });
}

void ftp_close(ftp_session *s) {
  if (s) s->impl.close();
}

int ftp_is_connected(const ftp_session *s) { return s && s->impl.connected() ? 1 : 0; }

void ftp_cancel(ftp_session *s) {
  if (s) s->impl.cancel();
}

int ftp_sendcmd(ftp_session *s, const char *cmd) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    return impl.sendcmd(cmd);
  });
}

int ftp_voidcmd(ftp_session *s, const char *cmd) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    return impl.voidcmd(cmd);
  });
}

int ftp_acct(ftp_session *s, const char *account) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, account, "account")) return ec;
    return impl.voidcmd(std::string("ACCT ") + account);
  });
}

int ftp_cwd(ftp_session *s, const char *path) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.cwd(path);
  });
}

int ftp_pwd(ftp_session *s, const char **out, size_t *len) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, out, "out")) return ec;
    if (auto ec = impl.pwd(s->out)) return ec;
    *out = s->out.c_str();
    if (len) *len = s->out.size();
    return {};
  });
}

int ftp_mkd(ftp_session *s, const char *path, const char **out, size_t *len) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    if (auto ec = impl.mkd(path, s->out)) return ec;
    if (out) *out = s->out.c_str();
    if (len) *len = s->out.size();
    return {};
  });
}

int ftp_rmd(ftp_session *s, const char *path) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.voidcmd(std::string("RMD ") + path);
  });
}

int ftp_delete(ftp_session *s, const char *path) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.dele(path);
  });
}

int ftp_rename(ftp_session *s, const char *from, const char *to) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, from, "from")) return ec;
    if (auto ec = need(impl, to, "to")) return ec;
    return impl.rename(from, to);
  });
}

int ftp_size(ftp_session *s, const char *path, uint64_t *out) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    if (auto ec = need(impl, out, "out")) return ec;
    return impl.size(path, *out);
  });
}

int ftp_noop(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.voidcmd("NOOP"); });
}

int ftp_abort(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.abort(); });
}

int ftp_feature(const ftp_session *s, const char *name, const char **params) {
  if (!s || !name) return 0;
  const std::string *p = nullptr;
  if (!s->impl.feature(name, &p)) return 0;
  if (params) *params = p->c_str();
  return 1;
}

int ftp_retrbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                   ftp_data_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    if (blocksize > (size_t{64} << 20)) return impl.fail(errc::invalid, "block size over 64 MiB");
    return impl.retrbinary(cmd, blocksize, rest, cb, userdata);
  });
}

int ftp_retr(ftp_session *s, const char *path, uint64_t rest, ftp_data_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.retrbinary(std::string("RETR ") + path, 0, rest, cb, userdata);
  });
}

int ftp_retrlines(ftp_session *s, const char *cmd, ftp_line_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    return impl.retrlines(cmd, cb, userdata);
  });
}

int ftp_storbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                   ftp_read_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    if (blocksize > (size_t{64} << 20)) return impl.fail(errc::invalid, "block size over 64 MiB");
    return impl.storbinary(cmd, blocksize, rest, cb, userdata);
  });
}

int ftp_stor(ftp_session *s, const char *path, uint64_t rest, ftp_read_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.storbinary(std::string("STOR ") + path, 0, rest, cb, userdata);
  });
}

int ftp_retr_fd(ftp_session *s, const char *path, uint64_t rest, int fd) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.retr_fd(std::string("RETR ") + path, rest, fd);
  });
}

int ftp_stor_fd(ftp_session *s, const char *path, uint64_t rest, int fd) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, path, "path")) return ec;
    return impl.stor_fd(std::string("STOR ") + path, rest, fd);
  });
}

int ftp_retr_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel) {
  return guard(s, [&](ftpkit::session &impl) {
    return impl.transfer_files(items, n, parallel, false);
  });
}

int ftp_stor_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel) {
  return guard(s, [&](ftpkit::session &impl) {
    return impl.transfer_files(items, n, parallel, true);
  });
}

int ftp_parse_list_line(const char *line, size_t len, ftp_list_entry *out) {
  if (!out) return FTP_EINVAL;
  *out = ftp_list_entry{};
  out->size = -1;
  out->hour = out->minute = -1;
  if (!line) return FTP_EINVAL;
  ftpkit::list_entry e;
  ftpkit::list_result r;
  try {
    r = ftpkit::parse_list_line(std::string_view(line, len), e);
  } catch (const std::bad_alloc &) {
    return FTP_ENOMEM;
  } catch (...) {
    return FTP_EINTERNAL;
  }
  switch (r) {
    case ftpkit::list_result::skip: return 0;
    case ftpkit::list_result::unknown: return FTP_EPROTO;
    case ftpkit::list_result::entry: break;
  }
  out->name = e.name.data();
  out->name_len = e.name.size();
  out->link_target = e.link_target.empty() ? nullptr : e.link_target.data();
  out->link_target_len = e.link_target.size();
  out->type = e.type;
  out->size = e.size;
  out->year = e.year;
  out->month = e.month;
  out->day = e.day;
  out->hour = e.hour;
  out->minute = e.minute;
  return 1;
}

int ftp_storlines(ftp_session *s, const char *cmd, ftp_read_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    return impl.storlines(cmd, cb, userdata);
  });
}

static std::string with_path(const char *verb, const char *path) {
  std::string cmd(verb);
  if (path && *path) {
    cmd += ' ';
    cmd += path;
  }
  return cmd;
}

int ftp_nlst(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) {
    return impl.retrlines(with_path("NLST", path), cb, userdata);
  });
}

int ftp_list(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) {
    return impl.retrlines(with_path("LIST", path), cb, userdata);
  });
}

int ftp_mlsd(ftp_session *s, const char *path, ftp_mlsd_cb cb, void *userdata) {
  return guard(s, [&](ftpkit::session &impl) { return impl.mlsd(view(path), cb, userdata); });
}

int ftp_transfer_open(ftp_session *s, const char *cmd, int type, uint64_t rest, int64_t *size) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, cmd, "command")) return ec;
    return impl.transfer_open(cmd, type, rest, size);
  });
}

int ftp_transfer_read(ftp_session *s, void *buf, size_t cap, size_t *n) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (auto ec = need(impl, n, "n")) return ec;
    *n = 0;
    if (auto ec = need(impl, buf, "buf")) return ec;
    return impl.transfer_read(buf, cap, *n);
  });
}

int ftp_transfer_write(ftp_session *s, const void *buf, size_t len) {
  return guard(s, [&](ftpkit::session &impl) { return impl.transfer_write(buf, len); });
}

int ftp_transfer_close(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.transfer_close(); });
}

int ftp_set_tls_mode(ftp_session *s, int mode) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (mode != FTP_TLS_NONE && mode != FTP_TLS_EXPLICIT && mode != FTP_TLS_IMPLICIT)
      return impl.fail(errc::invalid, "unknown TLS mode");
    impl.opts().tls.mode = mode;
    return {};
  });
}

int ftp_set_tls_insecure(ftp_session *s, int insecure) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.insecure = insecure != 0;
    return {};
  });
}

int ftp_set_tls_ca(ftp_session *s, const char *ca_file, const char *ca_dir) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.ca_file = ca_file ? ca_file : "";
    impl.opts().tls.ca_dir = ca_dir ? ca_dir : "";
    return {};
  });
}

int ftp_add_tls_ca_cert(ftp_session *s, const void *data, size_t len) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    if (!data || len == 0) return impl.fail(errc::invalid, "empty certificate");
    impl.opts().tls.ca_certs.emplace_back(static_cast<const char *>(data), len);
    return {};
  });
}

int ftp_clear_tls_ca(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.ca_file.clear();
    impl.opts().tls.ca_dir.clear();
    impl.opts().tls.ca_certs.clear();
    return {};
  });
}

int ftp_set_tls_client_cert(ftp_session *s, const char *cert_file, const char *key_file) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.cert_file = cert_file ? cert_file : "";
    impl.opts().tls.key_file = cert_file && key_file ? key_file : "";
    return {};
  });
}

int ftp_set_tls_server_name(ftp_session *s, const char *name) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.server_name = name ? name : "";
    return {};
  });
}

int ftp_set_tls_versions(ftp_session *s, int min, int max) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    auto ok = [](int v) { return v == FTP_TLS_VERSION_1_2 || v == FTP_TLS_VERSION_1_3; };
    if (!ok(min) || (max != 0 && (!ok(max) || max < min)))
      return impl.fail(errc::invalid, "TLS versions must be 1.2 or 1.3, min <= max");
    impl.opts().tls.min_version = min;
    impl.opts().tls.max_version = max;
    return {};
  });
}

int ftp_set_tls_auth_ssl_fallback(ftp_session *s, int fallback) {
  return guard(s, [&](ftpkit::session &impl) -> std::error_code {
    impl.opts().tls.auth_ssl_fallback = fallback != 0;
    return {};
  });
}

int ftp_auth(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.auth(); });
}

int ftp_prot_p(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.prot_p(); });
}

int ftp_prot_c(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.prot_c(); });
}

int ftp_ccc(ftp_session *s) {
  return guard(s, [&](ftpkit::session &impl) { return impl.ccc(); });
}

const char *ftp_tls_version(const ftp_session *s) { return s ? s->impl.tls_version() : ""; }

int ftp_tls_data_resumed(const ftp_session *s) { return s && s->impl.data_tls_resumed() ? 1 : 0; }

}  // extern "C"
