// libFuzzer target: ftpkit::parse_257 (cpp/parse.hpp), the directory name of
// a PWD/MKD reply (RFC 959 Appendix II).  The input is the reply text.
//
// Checked:
//   - a result only for a reply starting "257 \"" or "257-\"";
//   - the name never contains CR, LF or NUL;
//   - the name, quoted back ('"' doubled, enclosed in '"'), is exactly what
//     follows "257 " in the reply, and the byte after its closing quote is
//     not another '"' (that would have been an escaped quote);
//   - the other way round: a 257 reply whose quoted name is closed and free
//     of CR/LF/NUL always gives a result (computed independently).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const std::optional<std::string> got = ftpkit::parse_257(reply);

  if (got) {
    FUZZ_CHECK(reply.size() >= 5 && fuzz::starts_with_code(reply, "257") &&
               reply[4] == '"');
    FUZZ_CHECK(got->find('\r') == std::string::npos);
    FUZZ_CHECK(got->find('\n') == std::string::npos);
    FUZZ_CHECK(got->find('\0') == std::string::npos);
    std::string quoted = "\"";
    for (char c : *got) {
      quoted += c;
      if (c == '"') quoted += '"';
    }
    quoted += '"';
    FUZZ_CHECK(reply.substr(4, quoted.size()) == quoted);
    const std::size_t after = 4 + quoted.size();
    FUZZ_CHECK(after == reply.size() || reply[after] != '"');
  }

  // Independent scan: the quoted name runs from reply[4] to the first '"'
  // that is not part of a '""' pair; it must not contain CR, LF or NUL.
  bool want = false;
  if (reply.size() >= 5 && fuzz::starts_with_code(reply, "257") && reply[4] == '"') {
    for (std::size_t i = 5; i < reply.size(); ++i) {
      const char c = reply[i];
      if (c == '\r' || c == '\n' || c == '\0') break;
      if (c != '"') continue;
      if (i + 1 < reply.size() && reply[i + 1] == '"') {
        ++i;
        continue;
      }
      want = true;
      break;
    }
  }
  FUZZ_CHECK(got.has_value() == want);
  return 0;
}
