// parse_227 (PASV) and parse_229 (EPSV).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "parse.hpp"

using namespace std::string_view_literals;
using ftpkit::parse_227;
using ftpkit::parse_229;

namespace {

// ---------------------------------------------------------------- parse_227

TEST(Parse227, Typical) {
  auto a = parse_227("227 Entering Passive Mode (127,0,0,1,195,80).");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 195 * 256 + 80);
}

TEST(Parse227, NoParentheses) {
  auto a = parse_227("227 Entering Passive Mode 198,51,100,3,4,5");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "198.51.100.3");
  EXPECT_EQ(a->port, 4 * 256 + 5);
}

TEST(Parse227, NumbersRightAfterCode) {
  auto a = parse_227("227 192,0,2,2,0,21");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "192.0.2.2");
  EXPECT_EQ(a->port, 21);
}

TEST(Parse227, ExtremeValidValues) {
  auto a = parse_227("227 =255,255,255,255,255,255");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "255.255.255.255");
  EXPECT_EQ(a->port, 65535);

  auto b = parse_227("227 (0,0,0,0,0,1)");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "0.0.0.0");
  EXPECT_EQ(b->port, 1);

  auto c = parse_227("227 (1,2,3,4,1,0)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 256);
}

TEST(Parse227, LeadingZerosAreDecimalAndNormalized) {
  auto a = parse_227("227 (0203,000,0113,099,000,021)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "203.0.113.99");  // never octal, never "0203"
  EXPECT_EQ(a->port, 21);
  auto b = parse_227("227 (0000000000000000000000127,0,0,1,0,21)");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "127.0.0.1");
}

TEST(Parse227, MultiLineReplyText) {
  auto a = parse_227("227-Here it comes\n227 Entering Passive Mode (1,2,3,4,5,6)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "1.2.3.4");
  EXPECT_EQ(a->port, 5 * 256 + 6);
}

TEST(Parse227, BareCodeSpaceAndDash) {
  EXPECT_TRUE(parse_227("227 1,2,3,4,5,6"));
  EXPECT_TRUE(parse_227("227-1,2,3,4,5,6"));
  EXPECT_FALSE(parse_227("227"));
  EXPECT_FALSE(parse_227("227 "));
}

TEST(Parse227, FirstMatchWins) {
  auto a = parse_227("227 (1,2,3,4,5,6) or (7,8,9,10,11,12)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "1.2.3.4");
  // More than six numbers: the leftmost six are taken, as ftplib does.
  auto b = parse_227("227 1,2,3,4,5,6,7,8");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "1.2.3.4");
  EXPECT_EQ(b->port, 5 * 256 + 6);
}

TEST(Parse227, SkipsShortRunsBeforeTheMatch) {
  // "1,2,3" is not a match; the search goes on to the real one.
  auto a = parse_227("227 version 1,2,3 then (9,8,7,6,0,80)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "9.8.7.6");
  EXPECT_EQ(a->port, 80);
  // A match can start in the middle of a comma list.
  auto b = parse_227("227 1,2,3,4,5,,6,7,8,9,10,11");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "6.7.8.9");
  EXPECT_EQ(b->port, 10 * 256 + 11);
}

TEST(Parse227, WrongCode) {
  EXPECT_FALSE(parse_227("200 (127,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("229 (127,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("2270 (127,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("227(127,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227(" 227 (127,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("22"));
}

TEST(Parse227, Empty) {
  EXPECT_FALSE(parse_227(""));
  EXPECT_FALSE(parse_227(std::string_view{}));
}

TEST(Parse227, TooFewNumbers) {
  EXPECT_FALSE(parse_227("227 Entering Passive Mode (127,0,0,1,195)"));
  EXPECT_FALSE(parse_227("227 Entering Passive Mode (127,0,0,1,195,)"));
  EXPECT_FALSE(parse_227("227 Entering Passive Mode (127,0,0,1,,80)"));
  EXPECT_FALSE(parse_227("227 Entering Passive Mode"));
}

TEST(Parse227, WrongSeparators) {
  EXPECT_FALSE(parse_227("227 (127.0.0.1.195.80)"));
  EXPECT_FALSE(parse_227("227 (127, 0, 0, 1, 195, 80)"));
  EXPECT_FALSE(parse_227("227 (127;0;0;1;195;80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,-195,80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,+195,80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,0x1,80)"));
}

TEST(Parse227, NumberAbove255IsAnErrorNotWrapped) {
  EXPECT_FALSE(parse_227("227 (256,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,256,80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,195,256)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,195,1000)"));
}

TEST(Parse227, HugeNumbersDoNotOverflow) {
  EXPECT_FALSE(parse_227("227 (127,0,0,1,195,18446744073709551616)"));
  EXPECT_FALSE(parse_227("227 (18446744073709551617,0,0,1,195,80)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,4294967297,80)"));
  std::string huge = "227 (" + std::string(100000, '9') + ",0,0,1,0,80)";
  EXPECT_FALSE(parse_227(huge));
}

TEST(Parse227, FirstMatchBadMeansError) {
  // ftplib takes the first match; an out-of-range first match is not
  // rescued by a later valid one.
  EXPECT_FALSE(parse_227("227 (300,0,0,1,0,80) (1,2,3,4,5,6)"));
}

TEST(Parse227, PortZeroRejected) {
  EXPECT_FALSE(parse_227("227 (127,0,0,1,0,0)"));
  EXPECT_FALSE(parse_227("227 (127,0,0,1,000,00)"));
}

TEST(Parse227, NonAsciiDigitsAndNul) {
  // NUL inside the numbers breaks the match.
  EXPECT_FALSE(parse_227("227 (127,0\0,0,1,195,80)"sv));
  // NUL and high bytes around a valid match are ignored.
  auto a = parse_227("227 \0\xff\x80 (127,0,0,1,195,80)\0"sv);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 195 * 256 + 80);
  // Fullwidth digits (UTF-8) are not digits.
  EXPECT_FALSE(parse_227("227 (\xef\xbc\x91,0,0,1,195,80)"));
}

TEST(Parse227, ExplicitLengthCutsTheInput) {
  const char buf[] = "227 (127,0,0,1,195,80)";
  // Cut before the last number: no match.
  EXPECT_FALSE(parse_227(std::string_view(buf, 19)));
  // Cut in the middle of the last number: "8" instead of "80".
  auto a = parse_227(std::string_view(buf, 20));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 195 * 256 + 8);
}

// ---------------------------------------------------------------- parse_229

TEST(Parse229, Typical) {
  EXPECT_EQ(parse_229("229 Entering Extended Passive Mode (|||6446|)"), 6446);
  EXPECT_EQ(parse_229("229 (|||21|)"), 21);
  EXPECT_EQ(parse_229("229-(|||21|)"), 21);
  EXPECT_EQ(parse_229("229 Entering Extended Passive Mode (|||6446|)."), 6446);
}

TEST(Parse229, OtherDelimiters) {
  EXPECT_EQ(parse_229("229 (!!!1234!)"), 1234);
  EXPECT_EQ(parse_229("229 (~~~1234~)"), 1234);
  EXPECT_EQ(parse_229("229 (###1234#)"), 1234);
  EXPECT_EQ(parse_229("229 ((((1234()"), 1234);  // '(' is ASCII 40
}

TEST(Parse229, PortRange) {
  EXPECT_EQ(parse_229("229 (|||1|)"), 1);
  EXPECT_EQ(parse_229("229 (|||65535|)"), 65535);
  EXPECT_EQ(parse_229("229 (|||000080|)"), 80);
  EXPECT_FALSE(parse_229("229 (|||0|)"));
  EXPECT_FALSE(parse_229("229 (|||00000|)"));
  EXPECT_FALSE(parse_229("229 (|||65536|)"));
  EXPECT_FALSE(parse_229("229 (|||99999|)"));
  EXPECT_FALSE(parse_229("229 (|||4294967376|)"));          // 2^32 + 80
  EXPECT_FALSE(parse_229("229 (|||18446744073709551696|)"));  // 2^64 + 80
  EXPECT_FALSE(parse_229("229 (|||" + std::string(5000, '9') + "|)"));
}

TEST(Parse229, EmptyPort) {
  EXPECT_FALSE(parse_229("229 (||||)"));
  EXPECT_FALSE(parse_229("229 (|||)"));
  EXPECT_FALSE(parse_229("229 ()"));
}

TEST(Parse229, PortMustBeDigits) {
  EXPECT_FALSE(parse_229("229 (||| 80|)"));
  EXPECT_FALSE(parse_229("229 (|||80 |)"));
  EXPECT_FALSE(parse_229("229 (|||+80|)"));
  EXPECT_FALSE(parse_229("229 (|||-80|)"));
  EXPECT_FALSE(parse_229("229 (|||0x50|)"));
  EXPECT_FALSE(parse_229("229 (|||8\x00" "0|)"sv));
}

TEST(Parse229, NetworkAndAddressMustBeEmpty) {
  EXPECT_FALSE(parse_229("229 (|1|127.0.0.1|80|)"));
  EXPECT_FALSE(parse_229("229 (||127.0.0.1|80|)"));
  EXPECT_FALSE(parse_229("229 (|2|::1|80|)"));
}

TEST(Parse229, WrongFieldCount) {
  EXPECT_FALSE(parse_229("229 (||80|)"));
  EXPECT_FALSE(parse_229("229 (||||80|)"));
  EXPECT_FALSE(parse_229("229 (|||80||)"));
  EXPECT_FALSE(parse_229("229 (|||80)"));
  EXPECT_FALSE(parse_229("229 (|||8|0|)"));
}

TEST(Parse229, MixedDelimiters) {
  EXPECT_FALSE(parse_229("229 (|||80!)"));
  EXPECT_FALSE(parse_229("229 (!||80|)"));
  EXPECT_FALSE(parse_229("229 (|!|80|)"));
  EXPECT_FALSE(parse_229("229 (||!80|)"));
}

TEST(Parse229, DelimiterOutsidePrintableRange) {
  EXPECT_FALSE(parse_229("229 (   80 )"));             // space, 32
  EXPECT_FALSE(parse_229("229 (\t\t\t80\t)"));
  EXPECT_FALSE(parse_229("229 (\x7f\x7f\x7f" "80\x7f)"));  // DEL, 127
  EXPECT_FALSE(parse_229("229 (\xff\xff\xff" "80\xff)"));
  EXPECT_FALSE(parse_229("229 (\0\0\0" "80\0)"sv));
}

TEST(Parse229, DigitDelimiterCannotBeSplitAmbiguously) {
  // Port 80 with '1' as delimiter splits into exactly five fields.
  EXPECT_EQ(parse_229("229 (111801)"), 80);
  // Port "181" would contain the delimiter: more than five fields.
  EXPECT_FALSE(parse_229("229 (1111811)"));
}

TEST(Parse229, MissingParentheses) {
  EXPECT_FALSE(parse_229("229 |||6446|"));
  EXPECT_FALSE(parse_229("229 (|||6446|"));
  EXPECT_FALSE(parse_229("229 |||6446|)"));
  EXPECT_FALSE(parse_229("229 )|||6446|("));
}

TEST(Parse229, FirstParenthesesDecide) {
  // The text between the first '(' and the next ')'.
  EXPECT_FALSE(parse_229("229 Entering (mode) (|||6446|)"));
  EXPECT_EQ(parse_229("229 (|||6446|) (|||1|)"), 6446);
}

TEST(Parse229, WrongCode) {
  EXPECT_FALSE(parse_229("227 (|||6446|)"));
  EXPECT_FALSE(parse_229("2290 (|||6446|)"));
  EXPECT_FALSE(parse_229("229(|||6446|)"));
  EXPECT_FALSE(parse_229(""));
  EXPECT_FALSE(parse_229("229"));
  EXPECT_FALSE(parse_229("22"));
}

TEST(Parse229, ExplicitLength) {
  const char buf[] = "229 (|||6446|)";
  EXPECT_FALSE(parse_229(std::string_view(buf, sizeof buf - 2)));  // no ')'
  EXPECT_EQ(parse_229(std::string_view(buf, sizeof buf - 1)), 6446);
}

}  // namespace
