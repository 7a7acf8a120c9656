// libFuzzer target: ftpkit::reply_parser (cpp/reply.hpp), the assembly of
// control-connection lines into replies (RFC 959 §4.2).
//
// Input layout: bytes 0-1 give max_line (little-endian, mod 1024), bytes 2-3
// max_total (mod 8192); the rest is the byte stream a server would send.  It
// is split at '\n' and one trailing '\r' is removed from each line, as
// session::read_reply does; an unterminated tail is not fed (the session
// would still be waiting for its line end).  After each complete or error
// result the parser is reset() and the next line starts a new reply.
//
// Checked against a small model written from the header's contract:
//   - the result of every feed_line (need_more / complete / error) matches the
//     model: a line longer than max_line or a text beyond max_total is an
//     error, a first line must be "ddd", "ddd " or "ddd-" with ddd 100..599,
//     a multi-line reply ends at "ddd " or the bare "ddd" of the same code;
//   - text().size() never exceeds max_total, after any call;
//   - on complete: 100 <= code() <= 599, text() starts with the code's three
//     digits, and text() is the fed lines joined with '\n';
//   - on error: error() is not empty.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "reply.hpp"

namespace {

using ftpkit::reply_parser;

// The header's contract, written out the simplest way.
class model {
 public:
  model(std::size_t max_line, std::size_t max_total)
      : max_line_(max_line), max_total_(max_total) {}

  reply_parser::result feed(std::string_view line) {
    if (line.size() > max_line_) return reply_parser::result::error;
    if (code_ == 0) {
      if (line.size() > max_total_) return reply_parser::result::error;
      if (line.size() < 3) return reply_parser::result::error;
      for (int i = 0; i < 3; ++i)
        if (!fuzz::is_digit(line[i])) return reply_parser::result::error;
      const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (code < 100 || code > 599) return reply_parser::result::error;
      if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
        return reply_parser::result::error;
      code_ = code;
      text_ = std::string(line);
      if (line.size() > 3 && line[3] == '-') return reply_parser::result::need_more;
      return reply_parser::result::complete;
    }
    // Compare as text + '\n' + line, without any subtraction that could wrap.
    if (text_.size() + 1 + line.size() > max_total_) return reply_parser::result::error;
    text_ += '\n';
    text_ += line;
    if (line.size() >= 3 && line.substr(0, 3) == std::string_view(text_).substr(0, 3) &&
        (line.size() == 3 || line[3] == ' '))
      return reply_parser::result::complete;
    return reply_parser::result::need_more;
  }

  void reset() {
    code_ = 0;
    text_.clear();
  }
  int code() const { return code_; }
  const std::string &text() const { return text_; }

 private:
  std::size_t max_line_, max_total_;
  int code_ = 0;
  std::string text_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t max_line = (data[0] | (data[1] << 8)) % 1024;
  const std::size_t max_total = (data[2] | (data[3] << 8)) % 8192;
  std::string_view stream = fuzz::as_view(data + 4, size - 4);

  reply_parser parser(max_line, max_total);
  model expect(max_line, max_total);
  FUZZ_CHECK(parser.code() == 0);
  FUZZ_CHECK(parser.text().empty());

  for (;;) {
    const std::size_t nl = stream.find('\n');
    if (nl == std::string_view::npos) break;  // no line end yet: not fed
    std::string_view line = stream.substr(0, nl);
    stream.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    const reply_parser::result got = parser.feed_line(line);
    const reply_parser::result want = expect.feed(line);
    FUZZ_CHECK(got == want);
    FUZZ_CHECK(parser.text().size() <= max_total);

    switch (got) {
      case reply_parser::result::need_more:
        FUZZ_CHECK(parser.code() >= 100 && parser.code() <= 599);
        FUZZ_CHECK(parser.error().empty());
        break;
      case reply_parser::result::complete: {
        const int code = parser.code();
        const std::string &text = parser.text();
        FUZZ_CHECK(code >= 100 && code <= 599);
        FUZZ_CHECK(code == expect.code());
        FUZZ_CHECK(text.size() >= 3);
        FUZZ_CHECK(text[0] == static_cast<char>('0' + code / 100));
        FUZZ_CHECK(text[1] == static_cast<char>('0' + code / 10 % 10));
        FUZZ_CHECK(text[2] == static_cast<char>('0' + code % 10));
        FUZZ_CHECK(text == expect.text());
        FUZZ_CHECK(parser.error().empty());
        parser.reset();
        expect.reset();
        FUZZ_CHECK(parser.code() == 0 && parser.text().empty() && parser.error().empty());
        break;
      }
      case reply_parser::result::error:
        FUZZ_CHECK(!parser.error().empty());
        parser.reset();
        expect.reset();
        FUZZ_CHECK(parser.code() == 0 && parser.text().empty() && parser.error().empty());
        break;
    }
  }
  return 0;
}
