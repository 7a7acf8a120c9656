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

// ---------------------------------------------------------------------------
// LIST lines

namespace {

struct token {
  std::string_view text;
  std::size_t pos;  // offset in the line
};

// Split on runs of spaces (and tabs), keeping where each token starts.
std::vector<token> split_fields(std::string_view line, std::size_t max_fields) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < line.size() && out.size() < max_fields) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back({line.substr(start, i - start), start});
  }
  return out;
}

// A decimal number of at most `max_digits` digits, all of `s`.
bool small_number(std::string_view s, std::size_t max_digits, int &out) {
  if (s.empty() || s.size() > max_digits) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool size_number(std::string_view s, int64_t &out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  out = static_cast<int64_t>(v);
  return true;
}

int month_number(std::string_view s) {
  static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() != 3) return 0;
  for (int m = 0; m < 12; ++m) {
    bool same = true;
    for (int k = 0; k < 3; ++k)
      if ((s[static_cast<std::size_t>(k)] | 0x20) != names[m][k]) same = false;
    if (same) return m + 1;
  }
  return 0;
}

// "HH:MM" with 0..23 and 0..59.
bool clock_time(std::string_view s, int &hour, int &minute) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return small_number(s.substr(0, colon), 2, hour) && small_number(s.substr(colon + 1), 2, minute) &&
         hour <= 23 && minute <= 59;
}

list_result parse_unix(std::string_view line, list_entry &out) {
  // perms links owner [group] size month day time|year name...
  const auto f = split_fields(line, 12);
  if (f.size() < 8) return list_result::unknown;
  const std::string_view perms = f[0].text;
  if (perms.size() < 10) return list_result::unknown;
  switch (perms[0]) {
    case '-': out.type = 'f'; break;
    case 'd': out.type = 'd'; break;
    case 'l': out.type = 'l'; break;
    case 'b': case 'c': case 'p': case 's': case 'D': out.type = '?'; break;
    default: return list_result::unknown;
  }
  // The month is the first field from the fourth on that names one, with a
  // size before it and day, time/year and a name after it.
  for (std::size_t m = 3; m + 2 < f.size(); ++m) {
    const int month = month_number(f[m].text);
    if (month == 0) continue;
    int day = 0;
    if (!small_number(f[m + 1].text, 2, day) || day < 1 || day > 31) continue;
    int64_t size = 0;
    if (!size_number(f[m - 1].text, size)) continue;
    const token &when = f[m + 2];
    int year = 0, hour = -1, minute = -1;
    if (!clock_time(when.text, hour, minute)) {
      hour = minute = -1;
      if (!small_number(when.text, 4, year) || year < 1900) continue;
    }
    // The name: everything after the single space that follows the time.
    const std::size_t after = when.pos + when.text.size() + 1;
    if (after >= line.size()) return list_result::unknown;
    std::string_view name = line.substr(after);
    if (out.type == 'l') {
      const std::size_t arrow = name.find(" -> ");
      if (arrow != std::string_view::npos) {
        out.link_target = name.substr(arrow + 4);
        name = name.substr(0, arrow);
      }
    }
    if (name.empty()) return list_result::unknown;
    out.name = name;
    out.size = size;
    out.month = month;
    out.day = day;
    out.year = year;
    out.hour = hour;
    out.minute = minute;
    return list_result::entry;
  }
  return list_result::unknown;
}

list_result parse_dos(std::string_view line, list_entry &out) {
  // MM-DD-YY[YY]  HH:MM(AM|PM)  <DIR>|size  name
  const auto f = split_fields(line, 3);
  if (f.size() < 3) return list_result::unknown;
  const std::string_view date = f[0].text;
  if (date.size() != 8 && date.size() != 10) return list_result::unknown;
  int month = 0, day = 0, year = 0;
  if (date[2] != '-' || date[5] != '-' || !small_number(date.substr(0, 2), 2, month) ||
      !small_number(date.substr(3, 2), 2, day) || !small_number(date.substr(6), 4, year) ||
      month < 1 || month > 12 || day < 1 || day > 31)
    return list_result::unknown;
  if (date.size() == 8) year += year < 70 ? 2000 : 1900;
  if (year < 1900) return list_result::unknown;
  std::string_view t = f[1].text;
  int hour = -1, minute = -1;
  bool pm = false, am = false;
  if (t.size() > 2) {
    const std::string_view suffix = t.substr(t.size() - 2);
    pm = (suffix[0] | 0x20) == 'p' && (suffix[1] | 0x20) == 'm';
    am = (suffix[0] | 0x20) == 'a' && (suffix[1] | 0x20) == 'm';
    if (am || pm) t.remove_suffix(2);
  }
  if (!clock_time(t, hour, minute)) return list_result::unknown;
  if (am || pm) {
    if (hour < 1 || hour > 12) return list_result::unknown;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  // The third field is <DIR> or a size; the name follows the spaces after it.
  const std::size_t rest = f[2].pos;
  std::size_t end = rest;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
  const std::string_view kind = line.substr(rest, end - rest);
  int64_t size = -1;
  if (kind == "<DIR>") {
    out.type = 'd';
  } else if (size_number(kind, size)) {
    out.type = 'f';
  } else {
    return list_result::unknown;
  }
  while (end < line.size() && (line[end] == ' ' || line[end] == '\t')) ++end;
  if (end >= line.size()) return list_result::unknown;
  out.name = line.substr(end);
  out.size = size;
  out.year = year;
  out.month = month;
  out.day = day;
  out.hour = hour;
  out.minute = minute;
  return list_result::entry;
}

}  // namespace

list_result parse_list_line(std::string_view line, list_entry &out) {
  out = list_entry{};
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first == line.size()) return list_result::skip;
  const std::string_view body = line.substr(first);
  if (body.size() >= 6 && (body.substr(0, 6) == "total " || body.substr(0, 6) == "Total "))
    return list_result::skip;
  if (!body.empty() && body[0] >= '0' && body[0] <= '9') {
    const auto r = parse_dos(body, out);
    if (r != list_result::unknown) return r;
    out = list_entry{};
  }
  const auto r = parse_unix(body, out);
  if (r == list_result::unknown) out = list_entry{};
  return r;
}

}  // namespace ftpkit
