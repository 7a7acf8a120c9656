// libFuzzer target: ftpkit::parse_213_size (cpp/parse.hpp), the SIZE reply
// (RFC 3659 §4.2).  The input is the reply text.
//
// Checked:
//   - a result only for a reply starting "213 ";
//   - the value fits in 63 bits (SIZE values that overflow are refused,
//     never wrapped);
//   - result <=> the text after "213 ", without surrounding spaces, is one
//     or more decimal digits whose value is <= INT64_MAX, and then the value
//     is exactly that number (computed independently).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "fuzz_check.hpp"
#include "parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const std::optional<uint64_t> got = ftpkit::parse_213_size(reply);
  constexpr auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

  if (got) {
    FUZZ_CHECK(reply.substr(0, 4) == "213 ");
    FUZZ_CHECK(*got <= max);
  }

  std::optional<uint64_t> want;
  if (reply.substr(0, 4) == "213 ") {
    std::string_view v = reply.substr(4);
    const std::size_t b = v.find_first_not_of(' ');
    const std::size_t e = v.find_last_not_of(' ');
    uint64_t n = 0;
    if (b != std::string_view::npos &&
        fuzz::decimal_at_most(v.substr(b, e - b + 1), max, &n))
      want = n;
  }
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) FUZZ_CHECK(*got == *want);
  return 0;
}
