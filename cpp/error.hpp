// ftpkit's error codes: one std::error_category whose values are the
// negated ftp_status values of the C API, so the C layer maps them 1:1.
#pragma once

#include <string>
#include <system_error>

namespace ftpkit {

enum class errc {
  reply = 1,       // unexpected 1xx/2xx/3xx reply
  transient = 2,   // 4xx
  permanent = 3,   // 5xx
  protocol = 4,    // malformed reply
  io = 5,
  timeout = 6,
  tls = 7,
  cert = 8,
  resolve = 9,
  invalid = 10,
  nomem = 11,
  state = 12,
  aborted = 13,
  canceled = 14,
  closed = 15,
  internal = 16,
  local = 17,  // the caller's file descriptor failed
};

const std::error_category &category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// The error kind for a reply code: 4xx transient, 5xx permanent, else an
// unexpected (but well-formed) reply.
errc errc_for_reply(int code) noexcept;

}  // namespace ftpkit

namespace std {
template <>
struct is_error_code_enum<ftpkit::errc> : true_type {};
}  // namespace std
