// Every parser on generated hostile input: no crash, no exception, no
// sanitizer report, and the documented invariants hold.  Deterministic (fixed
// seed) so failures reproduce; the real fuzz targets live in tests/fuzz.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parse.hpp"
#include "reply.hpp"

namespace {

// Runs every parser on `data`, checking invariants.  Shaped like a fuzz
// target body so it can be reused as one.
void exercise_all(std::string_view data) {
  if (auto a = ftpkit::parse_227(data)) {
    EXPECT_NE(a->port, 0);
    EXPECT_LE(a->host.size(), 15u);
    EXPECT_EQ(data.substr(0, 3), "227");
  }
  if (auto p = ftpkit::parse_229(data)) {
    EXPECT_NE(*p, 0);
    EXPECT_EQ(data.substr(0, 3), "229");
  }
  if (auto n = ftpkit::parse_257(data)) {
    EXPECT_EQ(n->find_first_of(std::string_view("\r\n\0", 3)), std::string::npos);
    EXPECT_LT(n->size(), data.size());
  }
  const int64_t s150 = ftpkit::parse_150(data);
  EXPECT_GE(s150, -1);
  if (auto s = ftpkit::parse_213_size(data)) {
    EXPECT_LE(*s, static_cast<uint64_t>(INT64_MAX));
  }

  std::vector<ftpkit::fact_view> facts;
  if (auto name = ftpkit::parse_mlsd_line(data, facts)) {
    EXPECT_FALSE(name->empty());
    EXPECT_GE(name->data(), data.data());
    EXPECT_LE(name->data() + name->size(), data.data() + data.size());
    for (const auto &f : facts) {
      EXPECT_FALSE(f.name.empty());
      EXPECT_GE(f.name.data(), data.data());
      EXPECT_LE(f.value.data() + f.value.size(), data.data() + data.size());
    }
  } else {
    EXPECT_TRUE(facts.empty());
  }

  auto feats = ftpkit::parse_feat(data);
  for (const auto &f : feats) {
    EXPECT_FALSE(f.first.empty());
    for (char c : f.first) EXPECT_FALSE(c >= 'a' && c <= 'z');
  }

  // Reply assembly: split on '\n' and feed until the reply ends.
  ftpkit::reply_parser rp(64, 256);
  std::string_view rest = data;
  auto r = ftpkit::reply_parser::result::need_more;
  while (r == ftpkit::reply_parser::result::need_more && !rest.empty()) {
    const std::size_t nl = rest.find('\n');
    r = rp.feed_line(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  EXPECT_LE(rp.text().size(), 256u);
  if (r == ftpkit::reply_parser::result::error) {
    EXPECT_FALSE(rp.error().empty());
  } else {
    EXPECT_TRUE(rp.error().empty());
  }
  if (r == ftpkit::reply_parser::result::complete) {
    EXPECT_GE(rp.code(), 100);
    EXPECT_LE(rp.code(), 599);
  }
}

TEST(Robustness, EveryShortByteString) {
  // All 1- and 2-byte inputs.
  for (int a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    exercise_all(one);
    for (int b = 0; b < 256; ++b) {
      std::string two{static_cast<char>(a), static_cast<char>(b)};
      exercise_all(two);
    }
  }
}

TEST(Robustness, EveryByteAfterEachCode) {
  for (const char *code : {"150 ", "211-", "213 ", "227 ", "229 ", "257 ", "257 \""}) {
    for (int a = 0; a < 256; ++a) {
      for (int b = 0; b < 256; b += 7) {
        std::string s = code;
        s.push_back(static_cast<char>(a));
        s.push_back(static_cast<char>(b));
        exercise_all(s);
      }
    }
  }
}

TEST(Robustness, RandomTokenSoup) {
  // Pieces that steer the input towards every parser's interesting paths.
  static const char *const pieces[] = {
      "150 ", "211-", "211 ", "213 ", "227 ", "227-", "229 ", "257 ", "257-",
      "(", ")", "|", "|||", ",", "\"", "\"\"", " ", "  ", "\n", "\r", "\r\n",
      "bytes)", " BYTES)", "=", ";", "type=file;", "0", "1", "255", "256",
      "65535", "65536", "9223372036854775807", "9223372036854775808",
      "18446744073709551616", "99999999999999999999999999", "x", "\xff",
      "" /* a NUL byte */, "MDTM", " SIZE", "200"};
  std::mt19937 rng(20240601u);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> len(0, 24);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) {
      if (byte(rng) < 16) {
        s.push_back(static_cast<char>(byte(rng)));
      } else {
        const char *p = pieces[pick(rng)];
        if (*p == '\0') {
          s.push_back('\0');
        } else {
          s += p;
        }
      }
    }
    exercise_all(s);
  }
}

}  // namespace
