// libFuzzer target: ftpkit::parse_150 (cpp/parse.hpp), the transfer size
// announced in a 150 reply (ftplib's parse150).  The input is the reply text.
//
// Checked:
//   - the result is -1 or a non-negative value (it is an int64 in the API);
//   - a value >= 0 only for a reply starting "150 ";
//   - the value is the one of the last " (NNN bytes)" (case-insensitive) on
//     the first line after "150 " — ftplib's r"150 .* \((\d+) bytes\)" with its
//     greedy ".*" — and -1 when there is none or NNN exceeds INT64_MAX
//     (computed independently, scanning from the end of the line).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parse.hpp"

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fuzz::lower(a[i]) != fuzz::lower(b[i])) return false;
  return true;
}

int64_t expected(std::string_view reply) {
  if (reply.substr(0, 4) != "150 ") return -1;
  const std::string_view line = reply.substr(0, reply.find('\n'));
  // The last ")" that closes " (digits bytes)"; ".*" may be empty, so the
  // " (" may start right at index 4.
  for (std::size_t close = line.size(); close-- > 4;) {
    if (line[close] != ')') continue;
    if (close < 6 || !ieq(line.substr(close - 6, 6), " bytes")) continue;
    std::size_t b = close - 6;
    const std::size_t e = b;
    while (b > 0 && fuzz::is_digit(line[b - 1])) --b;
    if (b == e || b < 2 || line[b - 1] != '(' || line[b - 2] != ' ') continue;
    if (b - 2 < 4) continue;  // the " (" must come after "150 "
    uint64_t v = 0;
    if (!fuzz::decimal_at_most(line.substr(b, e - b),
                               static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), &v))
      return -1;
    return static_cast<int64_t>(v);
  }
  return -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const int64_t got = ftpkit::parse_150(reply);
  FUZZ_CHECK(got >= -1);
  if (got >= 0) FUZZ_CHECK(reply.substr(0, 4) == "150 ");
  FUZZ_CHECK(got == expected(reply));
  return 0;
}
