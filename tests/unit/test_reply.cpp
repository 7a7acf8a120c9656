// reply_parser: reply assembly per RFC 959 §4.2, with bounded memory.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "reply.hpp"

using namespace std::string_view_literals;
using ftpkit::reply_parser;
using result = ftpkit::reply_parser::result;

namespace {

constexpr std::size_t kLine = 8192;
constexpr std::size_t kTotal = 65536;

TEST(ReplyParser, InitialState) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.code(), 0);
  EXPECT_EQ(p.text(), "");
  EXPECT_EQ(p.error(), "");
}

// A line with the same code followed by '-' continues a multi-line reply;
// only "ddd " (or the bare code) ends it.
TEST(ReplyParser, SameCodeWithDashDoesNotEndMultiline) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("211-Features:"), result::need_more);
  EXPECT_EQ(p.feed_line("211-still going"), result::need_more);
  EXPECT_EQ(p.feed_line("211 End"), result::complete);
  EXPECT_EQ(p.text(), "211-Features:\n211-still going\n211 End");
}

TEST(ReplyParser, SingleLine) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("220 Service ready"), result::complete);
  EXPECT_EQ(p.code(), 220);
  EXPECT_EQ(p.text(), "220 Service ready");
  EXPECT_EQ(p.error(), "");
}

TEST(ReplyParser, BareCode) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("200"), result::complete);
  EXPECT_EQ(p.code(), 200);
  EXPECT_EQ(p.text(), "200");
}

TEST(ReplyParser, CodeWithSpaceOnly) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("200 "), result::complete);
  EXPECT_EQ(p.text(), "200 ");
}

TEST(ReplyParser, CodeRangeLimits) {
  for (auto ok : {"100 x", "199 x", "250 x", "599 x"}) {
    reply_parser p(kLine, kTotal);
    EXPECT_EQ(p.feed_line(ok), result::complete) << ok;
    EXPECT_EQ(std::to_string(p.code()), std::string(ok, 3));
  }
  for (auto bad : {"099 x", "000 x", "600 x", "999 x", "050 x"}) {
    reply_parser p(kLine, kTotal);
    EXPECT_EQ(p.feed_line(bad), result::error) << bad;
    EXPECT_EQ(p.code(), 0);
    EXPECT_NE(p.error(), "");
  }
}

TEST(ReplyParser, MalformedCodes) {
  for (auto bad : {"2X0 ok", "22", "22 ok", "2", "", "abc", " 220 x", "220x",
                   "2200 x", "220_x", "220\tx", "+20 x", "-20 x", "２２０ x"}) {
    reply_parser p(kLine, kTotal);
    EXPECT_EQ(p.feed_line(bad), result::error) << bad;
    EXPECT_EQ(p.code(), 0) << bad;
    EXPECT_NE(p.error(), "") << bad;
  }
}

TEST(ReplyParser, MalformedCodeMessage) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("2X0 ok"), result::error);
  EXPECT_EQ(p.error(), "malformed reply code: '2X0 ok'");
}

TEST(ReplyParser, MalformedCodeMessageEscapesAndTruncates) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("\0\xff\x1b[31m"sv), result::error);
  EXPECT_EQ(p.error(), "malformed reply code: '\\x00\\xff\\x1b[31m'");

  p.reset();
  const std::string long_line = "HTTP/1.1 400 Bad Request " + std::string(1000, 'A');
  ASSERT_EQ(p.feed_line(long_line), result::error);
  EXPECT_EQ(p.error(), "malformed reply code: '" + long_line.substr(0, 40) + "'...");
  EXPECT_LT(p.error().size(), 100u);
  for (char c : p.error()) {
    EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << static_cast<int>(c);
  }
}

TEST(ReplyParser, MalformedCodeMessageAllPrintable) {
  std::string junk;
  for (int i = 0; i < 256; ++i) junk.push_back(static_cast<char>(255 - i));
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line(junk), result::error);
  for (char c : p.error()) {
    EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << static_cast<int>(c);
  }
  EXPECT_LT(p.error().size(), 220u);
}

TEST(ReplyParser, NulInsideCode) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("2\0" "0 ok"sv), result::error);
  p.reset();
  EXPECT_EQ(p.feed_line("200\0ok"sv), result::error);  // 4th byte NUL
}

TEST(ReplyParser, NulAfterCodeKept) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("200 a\0b"sv), result::complete);
  EXPECT_EQ(p.text(), "200 a\0b"sv);
}

TEST(ReplyParser, MultiLine) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("211-Features:"), result::need_more);
  EXPECT_EQ(p.code(), 211);
  EXPECT_EQ(p.feed_line(" MDTM"), result::need_more);
  EXPECT_EQ(p.feed_line(" SIZE"), result::need_more);
  EXPECT_EQ(p.feed_line("211 End"), result::complete);
  EXPECT_EQ(p.code(), 211);
  EXPECT_EQ(p.text(), "211-Features:\n MDTM\n SIZE\n211 End");
  EXPECT_EQ(p.error(), "");
}

TEST(ReplyParser, MultiLineEndsWithBareCode) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("230-Welcome"), result::need_more);
  EXPECT_EQ(p.feed_line("230"), result::complete);
  EXPECT_EQ(p.text(), "230-Welcome\n230");
}

TEST(ReplyParser, MultiLineImmediateEnd) {
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("230-"), result::need_more);
  EXPECT_EQ(p.feed_line("230 "), result::complete);
  EXPECT_EQ(p.text(), "230-\n230 ");
}

TEST(ReplyParser, MultiLineInterleavedCodesKeptVerbatim) {
  // RFC 959 §4.2: inner lines may start with digits, even other codes or the
  // same code followed by '-'.
  reply_parser p(kLine, kTotal);
  EXPECT_EQ(p.feed_line("123-First line"), result::need_more);
  EXPECT_EQ(p.feed_line("Second line"), result::need_more);
  EXPECT_EQ(p.feed_line("  234 A line beginning with numbers"), result::need_more);
  EXPECT_EQ(p.feed_line("234 Another code, not ours"), result::need_more);
  EXPECT_EQ(p.feed_line("500 Also not ours"), result::need_more);
  EXPECT_EQ(p.feed_line("123-Same code with dash"), result::need_more);
  EXPECT_EQ(p.feed_line("1234 Same prefix, more digits"), result::need_more);
  EXPECT_EQ(p.feed_line("123x"), result::need_more);
  EXPECT_EQ(p.feed_line("12"), result::need_more);
  EXPECT_EQ(p.feed_line(""), result::need_more);
  EXPECT_EQ(p.feed_line("2X0 junk \0\xff"sv), result::need_more);
  EXPECT_EQ(p.feed_line(" 123 leading space"), result::need_more);
  EXPECT_EQ(p.feed_line("123 The last line"), result::complete);
  EXPECT_EQ(p.code(), 123);
  EXPECT_EQ(p.text(),
            "123-First line\nSecond line\n  234 A line beginning with numbers\n"
            "234 Another code, not ours\n500 Also not ours\n123-Same code with dash\n"
            "1234 Same prefix, more digits\n123x\n12\n\n2X0 junk \0\xff\n"
            " 123 leading space\n123 The last line"sv);
}

TEST(ReplyParser, FeedAfterCompleteIsError) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("200 ok"), result::complete);
  EXPECT_EQ(p.feed_line("200 again"), result::error);
  EXPECT_NE(p.error(), "");
  EXPECT_EQ(p.text(), "200 ok");  // the complete reply is untouched
  EXPECT_EQ(p.code(), 200);
}

TEST(ReplyParser, FeedAfterErrorStaysError) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("bogus"), result::error);
  const std::string first = p.error();
  EXPECT_EQ(p.feed_line("200 ok"), result::error);
  EXPECT_EQ(p.error(), first);
  EXPECT_EQ(p.code(), 0);
}

TEST(ReplyParser, ResetAllowsNextReply) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("150-a"), result::need_more);
  ASSERT_EQ(p.feed_line("150 b"), result::complete);
  p.reset();
  EXPECT_EQ(p.code(), 0);
  EXPECT_EQ(p.text(), "");
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.feed_line("226 done"), result::complete);
  EXPECT_EQ(p.code(), 226);
  EXPECT_EQ(p.text(), "226 done");

  p.reset();
  ASSERT_EQ(p.feed_line("x"), result::error);
  p.reset();
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.feed_line("221 bye"), result::complete);
}

TEST(ReplyParser, ResetMidMultiLine) {
  reply_parser p(kLine, kTotal);
  ASSERT_EQ(p.feed_line("211-a"), result::need_more);
  p.reset();
  // "211 End" is now a fresh single-line reply, not an end line.
  EXPECT_EQ(p.feed_line("220 hi"), result::complete);
  EXPECT_EQ(p.text(), "220 hi");
}

TEST(ReplyParser, LineAtExactlyMaxLine) {
  reply_parser p(16, kTotal);
  const std::string line = "200 " + std::string(12, 'x');
  ASSERT_EQ(line.size(), 16u);
  EXPECT_EQ(p.feed_line(line), result::complete);
  EXPECT_EQ(p.text(), line);
}

TEST(ReplyParser, LineOneOverMaxLine) {
  reply_parser p(16, kTotal);
  const std::string line = "200 " + std::string(13, 'x');
  EXPECT_EQ(p.feed_line(line), result::error);
  EXPECT_EQ(p.error(), "reply line longer than 16 bytes");
  EXPECT_EQ(p.code(), 0);
}

TEST(ReplyParser, DefaultSizedLineCapMessage) {
  reply_parser p(8192, kTotal);
  EXPECT_EQ(p.feed_line("200 " + std::string(8189, 'x')), result::error);
  EXPECT_EQ(p.error(), "reply line longer than 8192 bytes");
}

TEST(ReplyParser, InnerLineOverMaxLine) {
  reply_parser p(10, kTotal);
  ASSERT_EQ(p.feed_line("211-a"), result::need_more);
  EXPECT_EQ(p.feed_line(std::string(10, 'y')), result::need_more);
  EXPECT_EQ(p.feed_line(std::string(11, 'y')), result::error);
  EXPECT_EQ(p.error(), "reply line longer than 10 bytes");
  EXPECT_EQ(p.feed_line("211 End"), result::error);
}

TEST(ReplyParser, TotalAtExactlyMax) {
  // "211-a" (5) + "\n" + "bb" (2) + "\n" + "211 E" (5) = 14.
  reply_parser p(kLine, 14);
  ASSERT_EQ(p.feed_line("211-a"), result::need_more);
  ASSERT_EQ(p.feed_line("bb"), result::need_more);
  EXPECT_EQ(p.feed_line("211 E"), result::complete);
  EXPECT_EQ(p.text().size(), 14u);
}

TEST(ReplyParser, TotalOneOverMax) {
  reply_parser p(kLine, 13);
  ASSERT_EQ(p.feed_line("211-a"), result::need_more);
  ASSERT_EQ(p.feed_line("bb"), result::need_more);
  EXPECT_EQ(p.feed_line("211 E"), result::error);
  EXPECT_EQ(p.error(), "reply longer than 13 bytes");
  EXPECT_LE(p.text().size(), 13u);
}

TEST(ReplyParser, SeparatorCountsTowardTotal) {
  // After "211-a" (5), an empty line needs 1 byte for its '\n'.
  reply_parser p(kLine, 5);
  ASSERT_EQ(p.feed_line("211-a"), result::need_more);
  EXPECT_EQ(p.feed_line(""), result::error);
  reply_parser q(kLine, 6);
  ASSERT_EQ(q.feed_line("211-a"), result::need_more);
  EXPECT_EQ(q.feed_line(""), result::need_more);
  EXPECT_EQ(q.feed_line(""), result::error);
}

TEST(ReplyParser, FirstLineTotalCap) {
  reply_parser p(kLine, 6);
  EXPECT_EQ(p.feed_line("200 ok"), result::complete);
  reply_parser q(kLine, 6);
  EXPECT_EQ(q.feed_line("200 ok!"), result::error);
  EXPECT_EQ(q.error(), "reply longer than 6 bytes");
}

TEST(ReplyParser, EndlessMultiLineIsBounded) {
  reply_parser p(100, 1000);
  ASSERT_EQ(p.feed_line("211-start"), result::need_more);
  result r = result::need_more;
  int fed = 0;
  while (r == result::need_more && fed < 100000) {
    r = p.feed_line("211-more lines that never end");
    ++fed;
  }
  EXPECT_EQ(r, result::error);
  EXPECT_LE(p.text().size(), 1000u);
  EXPECT_LT(fed, 100);
}

TEST(ReplyParser, ZeroLimits) {
  reply_parser p(0, 0);
  EXPECT_EQ(p.feed_line("200"), result::error);
  p.reset();
  EXPECT_EQ(p.feed_line(""), result::error);
}

TEST(ReplyParser, HugeLimitsDoNotOverflow) {
  reply_parser p(static_cast<std::size_t>(-1), static_cast<std::size_t>(-1));
  EXPECT_EQ(p.feed_line("211-a"), result::need_more);
  EXPECT_EQ(p.feed_line("211 b"), result::complete);
}

TEST(ReplyParser, OversizedMalformedLineReportsLength) {
  // The length cap is checked before the code: no need to scan garbage.
  reply_parser p(8, kTotal);
  EXPECT_EQ(p.feed_line("garbage garbage"), result::error);
  EXPECT_EQ(p.error(), "reply line longer than 8 bytes");
}

}  // namespace
