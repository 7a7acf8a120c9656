// libFuzzer target: ftpkit::parse_mlsd_line (cpp/parse.hpp), one entry of an
// MLSD listing (RFC 3659 §7.2).  The input is one line, without its line end
// (it may contain any byte, '\n' included: the callers do not filter).
//
// Checked:
//   - on success the name is non-empty, is exactly the bytes after the first
//     space (verbatim), and is a view into the input line; every fact's name
//     and value are views into the facts part of the line, the fact name is
//     non-empty and holds no '=', ';' or ' ', the value no ';' or ' ';
//   - the facts, in order, are exactly the non-empty ';'-separated pieces of
//     the facts part, each split at its first '=';
//   - the other way round: a line with a space, a non-empty name and only
//     "name=value" facts (non-empty fact names) is always accepted, and a
//     line without a space, with an empty name or with a fact lacking '='
//     is always refused (computed independently);
//   - `facts` is cleared first: stale entries from a previous call never leak
//     into the result (the vector is pre-filled with garbage before the call).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "parse.hpp"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  // Compare addresses as integers: pointers into different objects have
  // no defined order.
  const auto p = reinterpret_cast<std::uintptr_t>(part.data());
  const auto w = reinterpret_cast<std::uintptr_t>(whole.data());
  return part.empty() || (p >= w && p + part.size() <= w + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view line = fuzz::as_view(data, size);
  static const char stale[] = "stale=1";
  std::vector<ftpkit::fact_view> facts{{std::string_view(stale, 5), std::string_view(stale + 6, 1)}};
  const std::optional<std::string_view> got = ftpkit::parse_mlsd_line(line, facts);

  // Independent computation of the contract.
  enum { refuse, accept, either } want = refuse;
  std::vector<ftpkit::fact_view> want_facts;
  const std::size_t sp = line.find(' ');
  if (sp != std::string_view::npos && sp + 1 < line.size()) {
    want = accept;
    std::size_t b = 0;
    while (b < sp) {
      std::size_t e = b;
      while (e < sp && line[e] != ';') ++e;
      if (e > b) {
        const std::string_view fact = line.substr(b, e - b);
        const std::size_t eq = fact.find('=');
        if (eq == std::string_view::npos) {
          want = refuse;
          break;
        }
        // "=value": a fact with an empty name; the header does not say,
        // so either answer is accepted.
        if (eq == 0) want = either;
        want_facts.push_back({fact.substr(0, eq), fact.substr(eq + 1)});
      }
      b = e + 1;
    }
  }
  if (want == accept) FUZZ_CHECK(got.has_value());
  if (want == refuse) FUZZ_CHECK(!got.has_value());

  if (got) {
    FUZZ_CHECK(!got->empty());
    FUZZ_CHECK(sp != std::string_view::npos);
    FUZZ_CHECK(*got == line.substr(sp + 1));
    FUZZ_CHECK(got->data() == line.data() + sp + 1);
    FUZZ_CHECK(facts.size() == want_facts.size());
    const std::string_view facts_part = line.substr(0, sp);
    for (std::size_t i = 0; i < facts.size(); ++i) {
      const ftpkit::fact_view &f = facts[i];
      FUZZ_CHECK(inside(f.name, facts_part));
      FUZZ_CHECK(inside(f.value, facts_part));
      FUZZ_CHECK(f.name.find_first_of("=; ") == std::string_view::npos);
      FUZZ_CHECK(f.value.find_first_of("; ") == std::string_view::npos);
      FUZZ_CHECK(f.name == want_facts[i].name);
      FUZZ_CHECK(f.value == want_facts[i].value);
      FUZZ_CHECK(f.name.data() == want_facts[i].name.data());
    }
    for (const ftpkit::fact_view &f : facts) FUZZ_CHECK(f.name.data() != stale);
  }
  return 0;
}
