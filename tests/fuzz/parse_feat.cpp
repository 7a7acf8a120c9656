// libFuzzer target: ftpkit::parse_feat (cpp/parse.hpp), the FEAT reply
// (RFC 2389 §3.2).  The input is the reply text (lines joined with '\n').
//
// Checked:
//   - a reply that does not start with "211" (then ' ', '-' or the end)
//     gives an empty list;
//   - there are no more features than lines in the reply;
//   - every feature name is non-empty, has no ' ' or '\n' and no lowercase
//     ASCII letter (names are uppercased); params hold no '\n';
//   - each (name, params) pair comes from its own line of the reply, in
//     order: a line that, without one trailing '\r' and the spaces around it,
//     is name (compared ASCII case-insensitively), then the end or one space
//     and params;
//   - the first and the last line of the reply (the "211-" and "211 End"
//     lines) are never features.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "parse.hpp"

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fuzz::upper(a[i]) != fuzz::upper(b[i])) return false;
  return true;
}

// Does `line` state the feature (name, params)?
bool states(std::string_view line, const std::pair<std::string, std::string> &f) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  if (line.size() < f.first.size() || !ieq(line.substr(0, f.first.size()), f.first))
    return false;
  const std::string_view rest = line.substr(f.first.size());
  if (rest.empty()) return f.second.empty();
  return rest[0] == ' ' && rest.substr(1) == f.second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view reply = fuzz::as_view(data, size);
  const std::vector<std::pair<std::string, std::string>> got = ftpkit::parse_feat(reply);

  if (!fuzz::starts_with_code(reply, "211")) FUZZ_CHECK(got.empty());

  std::vector<std::string_view> lines;
  for (std::string_view rest = reply;;) {
    const std::size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  FUZZ_CHECK(got.size() <= lines.size());

  for (const auto &f : got) {
    FUZZ_CHECK(!f.first.empty());
    FUZZ_CHECK(f.first.find_first_of(" \n") == std::string::npos);
    for (char c : f.first) FUZZ_CHECK(!(c >= 'a' && c <= 'z'));
    FUZZ_CHECK(f.second.find('\n') == std::string::npos);
  }

  // An in-order matching of the features to distinct inner lines.  Trailing
  // empty lines (or CR) are tolerated at the end of the text, so the last
  // line is the last one with content.
  std::size_t last = lines.size();
  while (last > 0) {
    std::string_view l = lines[last - 1];
    while (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!l.empty()) break;
    --last;
  }
  std::size_t li = 1;  // never the first line
  for (const auto &f : got) {
    while (li + 1 < last && !states(lines[li], f)) ++li;
    FUZZ_CHECK(li + 1 < last);  // found, and not the last line
    ++li;
  }
  return 0;
}
