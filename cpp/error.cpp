#include "error.hpp"

namespace ftpkit {
namespace {

class category_impl final : public std::error_category {
 public:
  const char *name() const noexcept override { return "ftpkit"; }
  std::string message(int v) const override {
    switch (static_cast<errc>(v)) {
      case errc::reply: return "unexpected reply";
      case errc::transient: return "transient negative reply (4xx)";
      case errc::permanent: return "permanent negative reply (5xx)";
      case errc::protocol: return "malformed reply";
      case errc::io: return "I/O error";
      case errc::timeout: return "timeout";
      case errc::tls: return "TLS error";
      case errc::cert: return "certificate verification failed";
      case errc::resolve: return "host name resolution failed";
      case errc::invalid: return "invalid argument";
      case errc::nomem: return "out of memory";
      case errc::state: return "wrong session state";
      case errc::aborted: return "aborted by callback";
      case errc::canceled: return "canceled";
      case errc::closed: return "connection closed by server";
      case errc::internal: return "internal error";
      case errc::local: return "local file error";
    }
    return "unknown status";
  }
};

}  // namespace

const std::error_category &category() noexcept {
  static const category_impl instance;
  return instance;
}

errc errc_for_reply(int code) noexcept {
  if (code >= 400 && code < 500) return errc::transient;
  if (code >= 500 && code < 600) return errc::permanent;
  return errc::reply;
}

}  // namespace ftpkit
