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

// ---------------------------------------------------------------------------
// parse_list_line: Unix `ls -l` and DOS/IIS LIST lines.

namespace {

using ftpkit::list_entry;
using ftpkit::list_result;
using ftpkit::parse_list_line;

TEST(ParseListLine, UnixDirectoryFromVsftpd) {
  list_entry e;
  ASSERT_EQ(parse_list_line("drwxr-xr-x    2 102      0            4096 Dec 06 02:32 pub", e),
            list_result::entry);
  EXPECT_EQ(e.name, "pub");
  EXPECT_EQ(e.type, 'd');
  EXPECT_EQ(e.size, 4096);
  EXPECT_EQ(e.month, 12);
  EXPECT_EQ(e.day, 6);
  EXPECT_EQ(e.year, 0);
  EXPECT_EQ(e.hour, 2);
  EXPECT_EQ(e.minute, 32);
}

TEST(ParseListLine, UnixFileWithYearAndSpacesInName) {
  list_entry e;
  ASSERT_EQ(parse_list_line("-rw-r--r--   1 root  root  5000000 Jan  1  2024 my  file.bin\r", e),
            list_result::entry);
  EXPECT_EQ(e.name, "my  file.bin");
  EXPECT_EQ(e.type, 'f');
  EXPECT_EQ(e.size, 5000000);
  EXPECT_EQ(e.year, 2024);
  EXPECT_EQ(e.month, 1);
  EXPECT_EQ(e.day, 1);
  EXPECT_EQ(e.hour, -1);
  EXPECT_EQ(e.minute, -1);
}

TEST(ParseListLine, UnixWithoutGroupColumn) {
  list_entry e;
  ASSERT_EQ(parse_list_line("-rw-r--r-- 1 owner 5 Feb 29 12:00 x", e), list_result::entry);
  EXPECT_EQ(e.name, "x");
  EXPECT_EQ(e.size, 5);
}

TEST(ParseListLine, SymbolicLinkTarget) {
  list_entry e;
  ASSERT_EQ(parse_list_line("lrwxrwxrwx 1 ftp ftp 11 Jan  1  2024 link -> target dir", e),
            list_result::entry);
  EXPECT_EQ(e.type, 'l');
  EXPECT_EQ(e.name, "link");
  EXPECT_EQ(e.link_target, "target dir");
}

TEST(ParseListLine, ArrowInAFileNameIsKept) {
  list_entry e;
  ASSERT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Jan  1  2024 a -> b", e), list_result::entry);
  EXPECT_EQ(e.name, "a -> b");
  EXPECT_TRUE(e.link_target.empty());
}

TEST(ParseListLine, HostileNamesComeBackVerbatim) {
  list_entry e;
  ASSERT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 06 02:32 ../../etc/passwd", e),
            list_result::entry);
  EXPECT_EQ(e.name, "../../etc/passwd");
}

TEST(ParseListLine, DosDirectoryAndFile) {
  list_entry e;
  ASSERT_EQ(parse_list_line("12-06-26  02:32PM       <DIR>          My Documents", e),
            list_result::entry);
  EXPECT_EQ(e.type, 'd');
  EXPECT_EQ(e.name, "My Documents");
  EXPECT_EQ(e.size, -1);
  EXPECT_EQ(e.year, 2026);
  EXPECT_EQ(e.hour, 14);
  ASSERT_EQ(parse_list_line("01-31-1999  12:05AM            123456 report.txt", e),
            list_result::entry);
  EXPECT_EQ(e.type, 'f');
  EXPECT_EQ(e.size, 123456);
  EXPECT_EQ(e.year, 1999);
  EXPECT_EQ(e.hour, 0);
  EXPECT_EQ(e.minute, 5);
}

TEST(ParseListLine, TotalAndBlankLinesAreSkipped) {
  list_entry e;
  EXPECT_EQ(parse_list_line("total 12", e), list_result::skip);
  EXPECT_EQ(parse_list_line("   ", e), list_result::skip);
  EXPECT_EQ(parse_list_line("", e), list_result::skip);
}

TEST(ParseListLine, OutOfRangeValuesAreRefusedNotWrapped) {
  list_entry e;
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 99999999999999999999 Dec 06 02:32 f", e),
            list_result::unknown);
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 32 02:32 f", e), list_result::unknown);
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 06 24:00 f", e), list_result::unknown);
  EXPECT_EQ(parse_list_line("13-01-26  02:32PM  5 f", e), list_result::unknown);
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Xyz 06 02:32 f", e), list_result::unknown);
  EXPECT_TRUE(e.name.empty());
}

TEST(ParseListLine, UnknownFormats) {
  list_entry e;
  EXPECT_EQ(parse_list_line("hello world", e), list_result::unknown);
  EXPECT_EQ(parse_list_line("-rw-r--r-- 1 a b 1 Dec 06 02:32", e), list_result::unknown);
  EXPECT_EQ(parse_list_line(std::string_view("-rw\0r--r-- 1", 12), e), list_result::unknown);
}

}  // namespace
