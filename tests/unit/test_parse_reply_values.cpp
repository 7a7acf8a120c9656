// parse_257 (PWD/MKD), parse_150 (RETR size), parse_213_size (SIZE).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "parse.hpp"

using namespace std::string_view_literals;
using ftpkit::parse_150;
using ftpkit::parse_213_size;
using ftpkit::parse_257;

namespace {

// ---------------------------------------------------------------- parse_257

TEST(Parse257, Typical) {
  EXPECT_EQ(parse_257("257 \"/home/user\" is current directory"), "/home/user");
  EXPECT_EQ(parse_257("257 \"/\""), "/");
  EXPECT_EQ(parse_257("257 \"/new dir\" created"), "/new dir");
}

TEST(Parse257, DoubledQuotes) {
  // RFC 959 Appendix II example.
  EXPECT_EQ(parse_257("257 \"/usr/dm/\"\"quoted\"\"\" created"),
            "/usr/dm/\"quoted\"");
  EXPECT_EQ(parse_257("257 \"\"\"\""), "\"");
  EXPECT_EQ(parse_257("257 \"a\"\"\" rest \"ignored\""), "a\"");
  EXPECT_EQ(parse_257("257 \"\"\"\"\"\""), "\"\"");
}

TEST(Parse257, EmptyName) {
  EXPECT_EQ(parse_257("257 \"\""), "");
  EXPECT_EQ(parse_257("257 \"\" is current"), "");
}

TEST(Parse257, StopsAtFirstLoneQuote) {
  EXPECT_EQ(parse_257("257 \"/a\"b\""), "/a");
  EXPECT_EQ(parse_257("257 \"/a\" \"/b\""), "/a");
}

TEST(Parse257, Unclosed) {
  EXPECT_FALSE(parse_257("257 \"/home/user is current directory"));
  EXPECT_FALSE(parse_257("257 \""));
  EXPECT_FALSE(parse_257("257 \"\"\""));           // '""' then end
  EXPECT_FALSE(parse_257("257 \"/a\"\""));          // '""' escapes, no close
}

TEST(Parse257, MissingQuote) {
  EXPECT_FALSE(parse_257("257 /home/user is current directory"));
  EXPECT_FALSE(parse_257("257  \"/home/user\""));   // two spaces
  EXPECT_FALSE(parse_257("257 '/home/user'"));
  EXPECT_FALSE(parse_257("257 "));
  EXPECT_FALSE(parse_257("257"));
  EXPECT_FALSE(parse_257("257\"/home\""));
}

TEST(Parse257, WrongCode) {
  EXPECT_FALSE(parse_257("250 \"/home/user\""));
  EXPECT_FALSE(parse_257("2570 \"/home/user\""));
  EXPECT_FALSE(parse_257(""));
  EXPECT_FALSE(parse_257("25"));
}

TEST(Parse257, FirstLineOfMultiLineReply) {
  EXPECT_EQ(parse_257("257-\"/home\" is current\n257 done"), "/home");
}

TEST(Parse257, ControlBytesRejected) {
  EXPECT_FALSE(parse_257("257 \"/a\rb\""));
  EXPECT_FALSE(parse_257("257 \"/a\nb\""));
  EXPECT_FALSE(parse_257("257 \"/a\0b\""sv));
  EXPECT_FALSE(parse_257("257 \"/a\n257 \"b\""));
  // NUL after the closing quote is no part of the name.
  EXPECT_EQ(parse_257("257 \"/a\"\0"sv), "/a");
}

TEST(Parse257, OtherBytesKept) {
  auto n = parse_257("257 \"/caf\xc3\xa9/\xff\x01\t x\" ok");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, "/caf\xc3\xa9/\xff\x01\t x");
}

TEST(Parse257, ExplicitLength) {
  const char buf[] = "257 \"/abc\" ok";
  EXPECT_FALSE(parse_257(std::string_view(buf, 9)));  // quote cut off
  EXPECT_EQ(parse_257(std::string_view(buf, 10)), "/abc");
}

TEST(Parse257, LongName) {
  std::string name(100000, 'x');
  EXPECT_EQ(parse_257("257 \"" + name + "\""), name);
}

// ---------------------------------------------------------------- parse_150

TEST(Parse150, Typical) {
  EXPECT_EQ(parse_150("150 Opening BINARY mode data connection for f (1234 bytes)"), 1234);
  EXPECT_EQ(parse_150("150 Opening BINARY mode data connection for f (1234 bytes)."), 1234);
  EXPECT_EQ(parse_150("150 x (0 bytes)"), 0);
}

TEST(Parse150, CaseInsensitiveBytes) {
  EXPECT_EQ(parse_150("150 x (12 BYTES)"), 12);
  EXPECT_EQ(parse_150("150 x (12 ByTeS)"), 12);
}

TEST(Parse150, NoSize) {
  EXPECT_EQ(parse_150("150 Opening BINARY mode data connection"), -1);
  EXPECT_EQ(parse_150("150 "), -1);
  EXPECT_EQ(parse_150("150"), -1);
  EXPECT_EQ(parse_150(""), -1);
}

TEST(Parse150, ShapeMustMatch) {
  EXPECT_EQ(parse_150("150 x (12 byte)"), -1);
  EXPECT_EQ(parse_150("150 x (12 bytes"), -1);
  EXPECT_EQ(parse_150("150 x (12bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (12  bytes)"), -1);
  EXPECT_EQ(parse_150("150 x ( 12 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x(12 bytes)"), -1);     // needs a space before '('
  EXPECT_EQ(parse_150("150 x (-12 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (+12 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x ( bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (12 kbytes)"), -1);
  EXPECT_EQ(parse_150("150 x (1.5 bytes)"), -1);
}

TEST(Parse150, SpaceAfterCodeThenAnything) {
  // "150 " then ".*" (possibly empty) then " (".
  EXPECT_EQ(parse_150("150  (7 bytes)"), 7);
  EXPECT_EQ(parse_150("150 (7 bytes)"), -1);
}

TEST(Parse150, TextAfterTheMatch) {
  EXPECT_EQ(parse_150("150 x (7 bytes) and more"), 7);
}

TEST(Parse150, LastMatchOnTheLineWins) {
  // ftplib's greedy ".*" takes the last one.
  EXPECT_EQ(parse_150("150 a (1 bytes) b (2 bytes)"), 2);
  EXPECT_EQ(parse_150("150 a (1 bytes) b (2 bits)"), 1);
}

TEST(Parse150, WrongCode) {
  EXPECT_EQ(parse_150("125 x (12 bytes)"), -1);
  EXPECT_EQ(parse_150("1500 x (12 bytes)"), -1);
  EXPECT_EQ(parse_150("150-x (12 bytes)"), -1);
  EXPECT_EQ(parse_150(" 150 x (12 bytes)"), -1);
}

TEST(Parse150, OnlyTheFirstLine) {
  EXPECT_EQ(parse_150("150 x\n(12 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x\n150 x (12 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (3 bytes)\n150 x (12 bytes)"), 3);
  // CR is an ordinary byte for ".".
  EXPECT_EQ(parse_150("150 x\r (12 bytes)"), 12);
}

TEST(Parse150, Int64Limits) {
  EXPECT_EQ(parse_150("150 x (9223372036854775807 bytes)"),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_150("150 x (9223372036854775808 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (18446744073709551615 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (18446744073709551616 bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (" + std::string(10000, '9') + " bytes)"), -1);
  EXPECT_EQ(parse_150("150 x (0000000000000000000000000042 bytes)"), 42);
}

TEST(Parse150, NulAndHighBytes) {
  EXPECT_EQ(parse_150("150 \0\xff (12 bytes)"sv), 12);
  EXPECT_EQ(parse_150("150 x (1\0" "2 bytes)"sv), -1);
  EXPECT_EQ(parse_150("150 x (12 bytes\0)"sv), -1);
  EXPECT_EQ(parse_150("150 x (12 bytes)\0"sv), 12);
}

TEST(Parse150, ExplicitLength) {
  const char buf[] = "150 x (12 bytes)";
  EXPECT_EQ(parse_150(std::string_view(buf, sizeof buf - 2)), -1);
  EXPECT_EQ(parse_150(std::string_view(buf, sizeof buf - 1)), 12);
}

// ----------------------------------------------------------- parse_213_size

TEST(Parse213Size, Typical) {
  EXPECT_EQ(parse_213_size("213 1234"), 1234u);
  EXPECT_EQ(parse_213_size("213 0"), 0u);
  EXPECT_EQ(parse_213_size("213 007"), 7u);
}

TEST(Parse213Size, SurroundingSpaces) {
  EXPECT_EQ(parse_213_size("213   1234"), 1234u);
  EXPECT_EQ(parse_213_size("213 1234   "), 1234u);
  EXPECT_EQ(parse_213_size("213  1234 "), 1234u);
}

TEST(Parse213Size, NotDigits) {
  EXPECT_FALSE(parse_213_size("213 "));
  EXPECT_FALSE(parse_213_size("213    "));
  EXPECT_FALSE(parse_213_size("213"));
  EXPECT_FALSE(parse_213_size("213 12 34"));
  EXPECT_FALSE(parse_213_size("213 -1"));
  EXPECT_FALSE(parse_213_size("213 +1"));
  EXPECT_FALSE(parse_213_size("213 0x10"));
  EXPECT_FALSE(parse_213_size("213 12a"));
  EXPECT_FALSE(parse_213_size("213 1.5"));
  EXPECT_FALSE(parse_213_size("213 1e3"));
  EXPECT_FALSE(parse_213_size("213 \t12"));
  EXPECT_FALSE(parse_213_size("213 12\t"));
  EXPECT_FALSE(parse_213_size("213 12\r"));
  EXPECT_FALSE(parse_213_size("213 12\n"));
  EXPECT_FALSE(parse_213_size("213 File status: 12"));
}

TEST(Parse213Size, SixtyThreeBits) {
  EXPECT_EQ(parse_213_size("213 9223372036854775807"), 9223372036854775807u);
  EXPECT_FALSE(parse_213_size("213 9223372036854775808"));
  EXPECT_FALSE(parse_213_size("213 18446744073709551615"));
  EXPECT_FALSE(parse_213_size("213 18446744073709551616"));
  EXPECT_FALSE(parse_213_size("213 " + std::string(10000, '9')));
  EXPECT_EQ(parse_213_size("213 " + std::string(10000, '0') + "5"), 5u);
}

TEST(Parse213Size, WrongCode) {
  EXPECT_FALSE(parse_213_size("212 1234"));
  EXPECT_FALSE(parse_213_size("2131234"));
  EXPECT_FALSE(parse_213_size("213-1234"));
  EXPECT_FALSE(parse_213_size(" 213 1234"));
  EXPECT_FALSE(parse_213_size("550 1234"));
  EXPECT_FALSE(parse_213_size(""));
}

TEST(Parse213Size, NulBytes) {
  EXPECT_FALSE(parse_213_size("213 12\0"sv));
  EXPECT_FALSE(parse_213_size("213 \0" "12"sv));
  EXPECT_FALSE(parse_213_size("213\0" "12"sv));
  const char buf[] = "213 1234\0junk";
  EXPECT_EQ(parse_213_size(std::string_view(buf, 8)), 1234u);
}

}  // namespace
