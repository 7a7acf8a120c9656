// Reply assembly (RFC 959 §4.2); see reply.hpp for the contract.
#include "reply.hpp"

namespace ftpkit {

namespace {

constexpr std::size_t quoted_line_max = 40;

// `line` quoted for an error message: at most quoted_line_max bytes of it,
// bytes outside 0x20..0x7E (and '\\', '\'') written as \xNN, "..." appended
// when it was cut.
std::string quote_line(std::string_view line) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "'";
  const std::size_t n = line.size() < quoted_line_max ? line.size() : quoted_line_max;
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b >= 0x20 && b <= 0x7e && b != '\\' && b != '\'') {
      out.push_back(static_cast<char>(b));
    } else {
      out += "\\x";
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 0x0f]);
    }
  }
  out.push_back('\'');
  if (line.size() > n) out += "...";
  return out;
}

// The reply code at the start of a first line, or 0 when malformed.
int parse_code(std::string_view line) {
  if (line.size() < 3) return 0;
  int code = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = line[i];
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  if (code < 100 || code > 599) return 0;
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return 0;
  return code;
}

}  // namespace

reply_parser::reply_parser(std::size_t max_line, std::size_t max_total)
    : max_line_(max_line), max_total_(max_total) {}

void reply_parser::reset() {
  code_ = 0;
  multiline_ = false;
  text_.clear();
  error_.clear();
}

reply_parser::result reply_parser::feed_line(std::string_view line) {
  // State is implied by the members: error_ set means failed; a code with no
  // multi-line reply open means the reply is complete.
  if (!error_.empty()) return result::error;
  if (code_ != 0 && !multiline_) {
    error_ = "line fed after a complete reply without reset()";
    return result::error;
  }

  if (line.size() > max_line_) {
    error_ = "reply line longer than " + std::to_string(max_line_) + " bytes";
    return result::error;
  }
  // Room needed: the line, plus the '\n' joining it to what came before.
  const std::size_t sep = code_ == 0 ? 0 : 1;
  if (text_.size() > max_total_ || max_total_ - text_.size() < sep ||
      max_total_ - text_.size() - sep < line.size()) {
    error_ = "reply longer than " + std::to_string(max_total_) + " bytes";
    return result::error;
  }

  if (code_ == 0) {
    const int code = parse_code(line);
    if (code == 0) {
      error_ = "malformed reply code: " + quote_line(line);
      return result::error;
    }
    code_ = code;
    multiline_ = line.size() > 3 && line[3] == '-';
    text_.assign(line.data(), line.size());
    return multiline_ ? result::need_more : result::complete;
  }

  text_.push_back('\n');
  text_.append(line.data(), line.size());
  // The last line: the same code, then ' ' or nothing.
  if (line.size() >= 3 && line[0] == text_[0] && line[1] == text_[1] &&
      line[2] == text_[2] && (line.size() == 3 || line[3] == ' ')) {
    multiline_ = false;
    return result::complete;
  }
  return result::need_more;
}

}  // namespace ftpkit
