// parse_mlsd_line (RFC 3659 §7) and parse_feat (RFC 2389).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parse.hpp"

using namespace std::string_view_literals;
using ftpkit::fact_view;
using ftpkit::parse_feat;
using ftpkit::parse_mlsd_line;

namespace {

using feat_list = std::vector<std::pair<std::string, std::string>>;

// ----------------------------------------------------------- parse_mlsd_line

TEST(ParseMlsd, Typical) {
  std::vector<fact_view> facts;
  const std::string line = "type=file;size=1024;modify=20240101120000;perm=adfr; report.txt";
  auto name = parse_mlsd_line(line, facts);
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "report.txt");
  ASSERT_EQ(facts.size(), 4u);
  EXPECT_EQ(facts[0].name, "type");
  EXPECT_EQ(facts[0].value, "file");
  EXPECT_EQ(facts[1].name, "size");
  EXPECT_EQ(facts[1].value, "1024");
  EXPECT_EQ(facts[2].name, "modify");
  EXPECT_EQ(facts[2].value, "20240101120000");
  EXPECT_EQ(facts[3].name, "perm");
  EXPECT_EQ(facts[3].value, "adfr");
}

TEST(ParseMlsd, ViewsPointIntoTheLine) {
  std::vector<fact_view> facts;
  const std::string line = "Type=dir; sub";
  auto name = parse_mlsd_line(line, facts);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->data(), line.data() + 10);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].name.data(), line.data());
  EXPECT_EQ(facts[0].name, "Type");  // case kept as sent
}

TEST(ParseMlsd, EmptyFactsPart) {
  std::vector<fact_view> facts{{"stale", "x"}};
  auto name = parse_mlsd_line(" just a name", facts);
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "just a name");
  EXPECT_TRUE(facts.empty());
}

TEST(ParseMlsd, NameIsVerbatim) {
  std::vector<fact_view> facts;
  EXPECT_EQ(parse_mlsd_line("type=file; name with  spaces ", facts), "name with  spaces ");
  EXPECT_EQ(parse_mlsd_line("type=file;  leading space", facts), " leading space");
  EXPECT_EQ(parse_mlsd_line("type=file; a;b=c; d", facts), "a;b=c; d");
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].value, "file");
  auto n = parse_mlsd_line("type=file; \xff\0\x01z"sv, facts);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, "\xff\0\x01z"sv);
}

TEST(ParseMlsd, EmptyValueAndEqualsInValue) {
  std::vector<fact_view> facts;
  auto name = parse_mlsd_line("perm=;x.y=a=b; f", facts);
  ASSERT_TRUE(name);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].name, "perm");
  EXPECT_EQ(facts[0].value, "");
  EXPECT_EQ(facts[1].name, "x.y");
  EXPECT_EQ(facts[1].value, "a=b");
}

TEST(ParseMlsd, LastFactWithoutSemicolonAccepted) {
  std::vector<fact_view> facts;
  auto name = parse_mlsd_line("type=file;size=3 f", facts);
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "f");
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[1].name, "size");
  EXPECT_EQ(facts[1].value, "3");
}

TEST(ParseMlsd, EmptySegmentsSkipped) {
  std::vector<fact_view> facts;
  auto name = parse_mlsd_line(";type=file;;size=3;; f", facts);
  ASSERT_TRUE(name);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].name, "type");
  EXPECT_EQ(facts[1].name, "size");
}

TEST(ParseMlsd, NoSpace) {
  std::vector<fact_view> facts{{"stale", "x"}};
  EXPECT_FALSE(parse_mlsd_line("type=file;size=3;name", facts));
  EXPECT_TRUE(facts.empty());
  EXPECT_FALSE(parse_mlsd_line("", facts));
  EXPECT_FALSE(parse_mlsd_line("name", facts));
  EXPECT_FALSE(parse_mlsd_line("type=file;\tname", facts));
}

TEST(ParseMlsd, EmptyName) {
  std::vector<fact_view> facts;
  EXPECT_FALSE(parse_mlsd_line("type=file; ", facts));
  EXPECT_FALSE(parse_mlsd_line(" ", facts));
  EXPECT_TRUE(facts.empty());
}

TEST(ParseMlsd, FactWithoutEquals) {
  std::vector<fact_view> facts;
  EXPECT_FALSE(parse_mlsd_line("type=file;size; f", facts));
  EXPECT_TRUE(facts.empty());  // nothing half-filled on failure
  EXPECT_FALSE(parse_mlsd_line("garbage f", facts));
  EXPECT_FALSE(parse_mlsd_line("type; f", facts));
}

TEST(ParseMlsd, FactWithoutName) {
  std::vector<fact_view> facts;
  EXPECT_FALSE(parse_mlsd_line("=file; f", facts));
  EXPECT_FALSE(parse_mlsd_line("type=file;=3; f", facts));
  EXPECT_TRUE(facts.empty());
}

TEST(ParseMlsd, NulInFacts) {
  std::vector<fact_view> facts;
  auto name = parse_mlsd_line("ty\0pe=fi\0le; f"sv, facts);
  ASSERT_TRUE(name);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].name, "ty\0pe"sv);
  EXPECT_EQ(facts[0].value, "fi\0le"sv);
}

TEST(ParseMlsd, ExplicitLength) {
  std::vector<fact_view> facts;
  const char buf[] = "type=file; abc";
  EXPECT_FALSE(parse_mlsd_line(std::string_view(buf, 11), facts));  // empty name
  EXPECT_EQ(parse_mlsd_line(std::string_view(buf, 12), facts), "a");
}

TEST(ParseMlsd, ManyFacts) {
  std::vector<fact_view> facts;
  std::string line;
  for (int i = 0; i < 10000; ++i) line += "f=v;";
  line += " n";
  auto name = parse_mlsd_line(line, facts);
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "n");
  EXPECT_EQ(facts.size(), 10000u);
}

// --------------------------------------------------------------- parse_feat

TEST(ParseFeat, Typical) {
  auto f = parse_feat(
      "211-Features:\n"
      " MDTM\n"
      " REST STREAM\n"
      " SIZE\n"
      " MLST type*;size*;modify*;\n"
      " UTF8\n"
      " AUTH TLS\n"
      "211 End");
  feat_list want{{"MDTM", ""},
                 {"REST", "STREAM"},
                 {"SIZE", ""},
                 {"MLST", "type*;size*;modify*;"},
                 {"UTF8", ""},
                 {"AUTH", "TLS"}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, NameUppercasedParamsKept) {
  auto f = parse_feat("211-x\n mlst Type*;Size*;\n rest stream\n211 End");
  feat_list want{{"MLST", "Type*;Size*;"}, {"REST", "stream"}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, LenientSpacing) {
  auto f = parse_feat("211-x\nMDTM\n    SIZE   \n LANG EN*;FR  \n AUTH  TLS\n211 End");
  // Leading spaces trimmed; params after one space, trailing spaces trimmed.
  feat_list want{{"MDTM", ""}, {"SIZE", ""}, {"LANG", "EN*;FR"}, {"AUTH", " TLS"}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, BlankLinesSkipped) {
  auto f = parse_feat("211-x\n\n   \n SIZE\n211 End");
  feat_list want{{"SIZE", ""}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, CrLfAndTrailingNewline) {
  auto f = parse_feat("211-x\r\n MDTM\r\n SIZE\r\n211 End\r\n");
  feat_list want{{"MDTM", ""}, {"SIZE", ""}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, SingleLineGivesEmpty) {
  EXPECT_TRUE(parse_feat("211 no features").empty());
  EXPECT_TRUE(parse_feat("211").empty());
  EXPECT_TRUE(parse_feat("211 ").empty());
}

TEST(ParseFeat, NoInnerLines) {
  EXPECT_TRUE(parse_feat("211-Features:\n211 End").empty());
  EXPECT_TRUE(parse_feat("211-Features:").empty());
  EXPECT_TRUE(parse_feat("211-Features:\n").empty());
  EXPECT_TRUE(parse_feat("211-").empty());
}

TEST(ParseFeat, NotTwoElevenGivesEmpty) {
  EXPECT_TRUE(parse_feat("500 FEAT not understood").empty());
  EXPECT_TRUE(parse_feat("502-x\n MDTM\n502 End").empty());
  EXPECT_TRUE(parse_feat("2110-x\n MDTM\n211 End").empty());
  EXPECT_TRUE(parse_feat(" 211-x\n MDTM\n211 End").empty());
  EXPECT_TRUE(parse_feat("").empty());
  EXPECT_TRUE(parse_feat("21").empty());
}

TEST(ParseFeat, LastLineIsNeverAFeature) {
  auto f = parse_feat("211-x\n MDTM\n SIZE");
  feat_list want{{"MDTM", ""}};
  EXPECT_EQ(f, want);
}

TEST(ParseFeat, UppercasesOnlyAscii) {
  auto f = parse_feat("211-x\n caf\xc3\xa9\xff\0z p\n211 End"sv);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].first, "CAF\xc3\xa9\xff\0Z"sv);
  EXPECT_EQ(f[0].second, "p");
}

TEST(ParseFeat, ManyFeatures) {
  std::string reply = "211-Features:\n";
  for (int i = 0; i < 5000; ++i) reply += " feat" + std::to_string(i) + " p\n";
  reply += "211 End";
  auto f = parse_feat(reply);
  ASSERT_EQ(f.size(), 5000u);
  EXPECT_EQ(f[4999].first, "FEAT4999");
  EXPECT_EQ(f[4999].second, "p");
}

}  // namespace
