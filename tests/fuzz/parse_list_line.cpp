// libFuzzer target: ftpkit::parse_list_line (cpp/parse.hpp), one LIST line
// in the Unix `ls -l` or DOS/IIS format.
//
// Checked:
//   - an entry's name is non-empty and lies inside the input (a view into
//     it), and so does a link target, which only a link ('l') has;
//   - type is one of 'f', 'd', 'l', '?';
//   - size is -1 or >= 0; month 1..12 and day 1..31 (or both 0 only for
//     no entry); hour -1 or 0..23, minute -1 or 0..59, both -1 or neither;
//     year 0 or >= 1900;
//   - skip and unknown leave the entry empty;
//   - the result does not depend on a trailing CR or LF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "parse.hpp"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
  const std::string_view line = fuzz::as_view(data, size);
  ftpkit::list_entry e;
  const auto r = ftpkit::parse_list_line(line, e);
  if (r == ftpkit::list_result::entry) {
    FUZZ_CHECK(!e.name.empty() && inside(e.name, line));
    FUZZ_CHECK(e.type == 'f' || e.type == 'd' || e.type == 'l' || e.type == '?');
    FUZZ_CHECK(e.link_target.empty() || (e.type == 'l' && inside(e.link_target, line)));
    FUZZ_CHECK(e.size >= -1);
    FUZZ_CHECK(e.month >= 1 && e.month <= 12 && e.day >= 1 && e.day <= 31);
    FUZZ_CHECK((e.hour == -1) == (e.minute == -1));
    FUZZ_CHECK(e.hour >= -1 && e.hour <= 23 && e.minute >= -1 && e.minute <= 59);
    FUZZ_CHECK(e.year == 0 || e.year >= 1900);
  } else {
    FUZZ_CHECK(e.name.empty() && e.link_target.empty() && e.size == -1 && e.month == 0);
  }
  // A trailing line end does not change the outcome.
  std::string with_end(line);
  with_end += "\r\n";
  ftpkit::list_entry e2;
  const auto r2 = ftpkit::parse_list_line(with_end, e2);
  const bool ends_in_newline = !line.empty() && (line.back() == '\r' || line.back() == '\n');
  if (!ends_in_newline) {
    FUZZ_CHECK(r2 == r);
    if (r == ftpkit::list_result::entry) {
      FUZZ_CHECK(e2.name == e.name && e2.size == e.size && e2.type == e.type);
    }
  }
  return 0;
}
