// libFuzzer target: ftpkit::parse_229 (cpp/parse.hpp), the EPSV reply
// (RFC 2428 §3).  The input is the reply text.
//
// Checked:
//   - a result only for a reply starting "229", "229 " or "229-";
//   - the port is never 0 (and, being a uint16_t, never above 65535: a
//     larger number must be refused, not wrapped);
//   - the result matches the header's contract computed independently: the
//     text between the first '(' and the next ')' is d d d <port> d with one
//     delimiter d in ASCII 33..126 and <port> decimal digits 1..65535.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const std::optional<uint16_t> got = ftpkit::parse_229(reply);

  if (got) {
    FUZZ_CHECK(fuzz::starts_with_code(reply, "229"));
    FUZZ_CHECK(*got != 0);
  }

  std::optional<uint16_t> want;
  const std::size_t left = reply.find('(');
  const std::size_t right =
      left == std::string_view::npos ? left : reply.find(')', left + 1);
  if (fuzz::starts_with_code(reply, "229") && right != std::string_view::npos) {
    const std::string_view in = reply.substr(left + 1, right - left - 1);
    if (in.size() >= 5) {
      const char d = in[0];
      const std::string_view port_text = in.substr(3, in.size() - 4);
      uint64_t port = 0;
      if (d >= 33 && d <= 126 && in[1] == d && in[2] == d && in.back() == d &&
          fuzz::decimal_at_most(port_text, 65535, &port) && port != 0 &&
          port_text.find(d) == std::string_view::npos) {
        want = static_cast<uint16_t>(port);
      }
    }
  }
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) FUZZ_CHECK(*got == *want);
  return 0;
}
