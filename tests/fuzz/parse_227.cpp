// libFuzzer target: ftpkit::parse_227 (cpp/parse.hpp), the PASV reply
// (RFC 959 §4.1.2).  The input is the reply text as the session holds it
// (lines joined with '\n').
//
// Checked, against an independent scan for the leftmost "d+,d+,d+,d+,d+,d+"
// (the match ftplib's parse227 regex search finds):
//   - a result only for a reply starting "227", "227 " or "227-";
//   - the port is never 0; the host is a dotted quad of four decimal numbers
//     0..255 without leading zeros;
//   - result <=> the leftmost match has six numbers 0..255 and a port > 0,
//     and then host and port are exactly those numbers (never wrapped).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "parse.hpp"

namespace {

// The six digit runs of the leftmost match, tried at every position (not
// only at the start of a digit run, unlike cpp/parse.cpp).  run_end[i] is
// where the digit run at i ends (i itself when s[i] is no digit), so that
// each attempt costs O(1) even inside a long run of digits.
bool leftmost_match(std::string_view s, std::string_view out[6]) {
  std::vector<std::size_t> run_end(s.size() + 1, s.size());
  for (std::size_t i = s.size(); i-- > 0;)
    run_end[i] = fuzz::is_digit(s[i]) ? run_end[i + 1] : i;
  for (std::size_t start = 0; start < s.size(); ++start) {
    std::size_t p = start;
    int i = 0;
    for (; i < 6; ++i) {
      const std::size_t e = run_end[p];
      if (e == p) break;
      out[i] = s.substr(p, e - p);
      p = e;
      if (i < 5) {
        if (p >= s.size() || s[p] != ',') break;
        ++p;
      }
    }
    if (i == 6) return true;
  }
  return false;
}

// Four decimal numbers 0..255 without leading zeros, separated by '.'.
bool is_dotted_quad(std::string_view h) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    while (n < h.size() && fuzz::is_digit(h[n])) ++n;
    if (n == 0 || n > 3 || (n > 1 && h[0] == '0')) return false;
    uint64_t v = 0;
    if (!fuzz::decimal_at_most(h.substr(0, n), 255, &v)) return false;
    ++parts;
    h.remove_prefix(n);
    if (parts == 4) return h.empty();
    if (h.empty() || h[0] != '.') return false;
    h.remove_prefix(1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const std::optional<ftpkit::pasv_address> got = ftpkit::parse_227(reply);

  if (got) {
    FUZZ_CHECK(fuzz::starts_with_code(reply, "227"));
    FUZZ_CHECK(got->port != 0);
    FUZZ_CHECK(is_dotted_quad(got->host));
  }

  // The expected answer.
  std::optional<ftpkit::pasv_address> want;
  std::string_view f[6];
  if (fuzz::starts_with_code(reply, "227") && leftmost_match(reply, f)) {
    uint64_t v[6];
    bool ok = true;
    for (int i = 0; i < 6 && ok; ++i) ok = fuzz::decimal_at_most(f[i], 255, &v[i]);
    if (ok && (v[4] * 256 + v[5]) != 0) {
      want = ftpkit::pasv_address{};
      want->host = std::to_string(v[0]) + "." + std::to_string(v[1]) + "." +
                   std::to_string(v[2]) + "." + std::to_string(v[3]);
      want->port = static_cast<uint16_t>(v[4] * 256 + v[5]);
    }
  }
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) {
    FUZZ_CHECK(got->host == want->host);
    FUZZ_CHECK(got->port == want->port);
  }
  return 0;
}
