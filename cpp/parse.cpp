// Pure parsers for FTP replies and listings; see parse.hpp for the contract.
//
// Every function here accepts any byte sequence (NUL, 0xFF, ...) without
// throwing (other than std::bad_alloc from std::string) or invoking undefined
// behaviour: numbers are accumulated with explicit overflow checks and bytes
// are classified with our own ASCII helpers, never <cctype> (which is UB for
// negative char values).
#include "parse.hpp"

#include <cstddef>
#include <limits>

namespace ftpkit {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// True when `reply` is a reply with `code`: the three digits, then either the
// end of the text, ' ' (last line) or '-' (first line of a multi-line reply).
bool has_code(std::string_view reply, std::string_view code) {
  if (reply.size() < 3 || reply.substr(0, 3) != code) return false;
  return reply.size() == 3 || reply[3] == ' ' || reply[3] == '-';
}

// Parses a non-empty run of ASCII digits as an unsigned value no larger than
// `max`.  Returns nullopt on an empty string, a non-digit or a value > max.
std::optional<uint64_t> parse_decimal(std::string_view digits, uint64_t max) {
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (d > max || value > (max - d) / 10) return std::nullopt;  // value*10 + d > max
    value = value * 10 + d;
  }
  return value;
}

// Length of the run of ASCII digits starting at `pos`.
std::size_t digit_run(std::string_view s, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < s.size() && is_digit(s[pos + n])) ++n;
  return n;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<pasv_address> parse_227(std::string_view reply) {
  if (!has_code(reply, "227")) return std::nullopt;

  // Leftmost match of d+,d+,d+,d+,d+,d+ (what ftplib's regex search finds).
  // A match can only start at the beginning of a digit run: starting inside
  // one leaves the same remainder, so it succeeds or fails the same way.
  std::size_t pos = 0;
  while (pos < reply.size()) {
    if (!is_digit(reply[pos])) {
      ++pos;
      continue;
    }
    std::string_view fields[6];
    std::size_t p = pos;
    bool matched = true;
    for (int i = 0; i < 6; ++i) {
      const std::size_t n = digit_run(reply, p);
      if (n == 0) {
        matched = false;
        break;
      }
      fields[i] = reply.substr(p, n);
      p += n;
      if (i < 5) {
        if (p >= reply.size() || reply[p] != ',') {
          matched = false;
          break;
        }
        ++p;
      }
    }
    if (!matched) {
      pos += digit_run(reply, pos);  // skip this run; see above
      continue;
    }

    // The first match decides: out-of-range numbers are an error, we never
    // look further or wrap them.
    uint64_t v[6];
    for (int i = 0; i < 6; ++i) {
      const auto n = parse_decimal(fields[i], 255);
      if (!n) return std::nullopt;
      v[i] = *n;
    }
    const uint64_t port = (v[4] << 8) | v[5];
    if (port == 0) return std::nullopt;
    pasv_address addr;
    addr.host = std::to_string(v[0]) + '.' + std::to_string(v[1]) + '.' +
                std::to_string(v[2]) + '.' + std::to_string(v[3]);
    addr.port = static_cast<uint16_t>(port);
    return addr;
  }
  return std::nullopt;
}

std::optional<uint16_t> parse_229(std::string_view reply) {
  if (!has_code(reply, "229")) return std::nullopt;
  const std::size_t left = reply.find('(');
  if (left == std::string_view::npos) return std::nullopt;
  const std::size_t right = reply.find(')', left + 1);
  if (right == std::string_view::npos) return std::nullopt;
  const std::string_view inner = reply.substr(left + 1, right - left - 1);

  // d d d <port> d
  if (inner.size() < 5) return std::nullopt;
  const char d = inner[0];
  if (d < 33 || d > 126) return std::nullopt;
  if (inner[1] != d || inner[2] != d || inner.back() != d) return std::nullopt;
  const std::string_view port_text = inner.substr(3, inner.size() - 4);
  // Digits only (so it cannot contain d unless d is a digit; then the split
  // into exactly five fields would be ambiguous, which we refuse).
  if (port_text.find(d) != std::string_view::npos) return std::nullopt;
  const auto port = parse_decimal(port_text, 65535);
  if (!port || *port == 0) return std::nullopt;
  return static_cast<uint16_t>(*port);
}

std::optional<std::string> parse_257(std::string_view reply) {
  // "257 " per the RFC; "257-" (first line of a multi-line 257) is accepted
  // too, the name then being read from that first line.
  if (reply.size() < 5 || !has_code(reply, "257") || reply[4] != '"') {
    return std::nullopt;
  }
  std::string name;
  std::size_t i = 5;
  while (i < reply.size()) {
    const char c = reply[i++];
    if (c == '"') {
      if (i < reply.size() && reply[i] == '"') {
        ++i;  // '""' stands for one '"'
      } else {
        return name;  // the closing quote
      }
    } else if (c == '\r' || c == '\n' || c == '\0') {
      return std::nullopt;
    }
    name.push_back(c);
  }
  return std::nullopt;  // unclosed
}

int64_t parse_150(std::string_view reply) {
  // ftplib: re.match(r"150 .* \((\d+) bytes\)", IGNORECASE).  '.' does not
  // match '\n', so only the first line counts, and the greedy ".*" makes the
  // last " (NNN bytes)" on that line the one that is taken.
  if (reply.size() < 4 || reply.substr(0, 4) != "150 ") return -1;
  std::string_view line = reply;
  const std::size_t nl = line.find('\n');
  if (nl != std::string_view::npos) line = line.substr(0, nl);

  std::optional<std::string_view> found;
  for (std::size_t q = 4; q + 1 < line.size(); ++q) {
    if (line[q] != ' ' || line[q + 1] != '(') continue;
    const std::size_t start = q + 2;
    const std::size_t n = digit_run(line, start);
    if (n == 0) continue;
    const std::size_t after = start + n;
    if (line.size() - after < 7) continue;
    if (!iequals(line.substr(after, 6), " bytes") || line[after + 6] != ')') {
      continue;
    }
    found = line.substr(start, n);  // keep going: the last match wins
  }
  if (!found) return -1;
  const auto v = parse_decimal(
      *found, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  return v ? static_cast<int64_t>(*v) : -1;
}

std::optional<uint64_t> parse_213_size(std::string_view reply) {
  if (reply.size() < 5 || reply.substr(0, 4) != "213 ") return std::nullopt;
  return parse_decimal(
      trim_spaces(reply.substr(4)),
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
}

std::optional<std::string_view> parse_mlsd_line(std::string_view line,
                                                std::vector<fact_view> &facts) {
  facts.clear();
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  const std::string_view name = line.substr(sp + 1);
  if (name.empty()) return std::nullopt;

  std::string_view rest = line.substr(0, sp);
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    // RFC 3659 terminates every fact with ';'; a last fact without one is
    // accepted too.
    const std::string_view fact = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{}
                                          : rest.substr(semi + 1);
    if (fact.empty()) continue;  // ";;" holds no fact
    const std::size_t eq = fact.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      facts.clear();
      return std::nullopt;
    }
    facts.push_back(fact_view{fact.substr(0, eq), fact.substr(eq + 1)});
  }
  return name;
}

std::vector<std::pair<std::string, std::string>> parse_feat(std::string_view reply) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!has_code(reply, "211") || reply.size() < 4 || reply[3] != '-') {
    return out;  // not 211, or a single-line 211 ("no features")
  }
  // Tolerate line ends left on the text.
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) {
    reply.remove_suffix(1);
  }
  const std::size_t first_end = reply.find('\n');
  const std::size_t last_start = reply.rfind('\n');
  if (first_end == std::string_view::npos || first_end == last_start) {
    return out;  // no lines between the first and the last
  }
  std::string_view body =
      reply.substr(first_end + 1, last_start - first_end - 1);

  while (true) {
    const std::size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (!line.empty()) {
      const std::size_t sp = line.find(' ');
      const std::string_view word = line.substr(0, sp);
      std::string feature(word);
      for (char &c : feature) c = ascii_upper(c);
      std::string params;
      if (sp != std::string_view::npos) params.assign(line.substr(sp + 1));
      out.emplace_back(std::move(feature), std::move(params));
    }
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace ftpkit
