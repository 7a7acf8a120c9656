// Pure parsers for the pieces of FTP replies and listings ftpkit understands.
// No I/O here: everything takes bytes and returns values, so each parser can
// be unit-tested and fuzzed on its own (tests/unit, tests/fuzz).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ftpkit {

// A host and port named by a 227 reply (RFC 959 §4.1.2, PASV).
struct pasv_address {
  std::string host;  // dotted quad, e.g. "127.0.0.1"
  uint16_t port = 0;
};

// Parse "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)." — the six numbers
// may appear anywhere in the text, with or without parentheses (as ftplib's
// parse227 regex finds them).  Every number must be a decimal 0..255; port 0
// is rejected.  Returns nullopt when the reply is not 227 or is malformed.
std::optional<pasv_address> parse_227(std::string_view reply);

// Parse "229 Entering Extended Passive Mode (|||port|)" (RFC 2428 §3): the
// text between '(' and ')' is d d d port d with one delimiter character d
// (ASCII 33..126) used four times; network and address fields must be empty.
// Port must be 1..65535.  Returns nullopt when the reply is not 229 or is
// malformed.
std::optional<uint16_t> parse_229(std::string_view reply);

// Parse the directory name of a 257 reply (RFC 959 Appendix II): the text
// after "257 " must start with '"'; the name runs to the next lone '"', with
// '""' standing for one '"'.  Returns nullopt when the reply is not 257, the
// quote is missing or unclosed, or the name contains CR, LF or NUL.
std::optional<std::string> parse_257(std::string_view reply);

// The size announced by a 150 reply, as ftplib's parse150 finds it: the
// decimal number inside "(NNN bytes)" (case-insensitive "bytes").  Returns -1
// when there is none or it does not fit in int64.
int64_t parse_150(std::string_view reply);

// The value of a "213 NNN" SIZE reply (RFC 3659 §4.2): decimal digits only
// (surrounding spaces allowed), fitting in 63 bits.  nullopt otherwise.
std::optional<uint64_t> parse_213_size(std::string_view reply);

// One fact of an MLSD/MLST entry; views into the line that was parsed.
struct fact_view {
  std::string_view name;   // as sent (callers lowercase it)
  std::string_view value;
};

// Parse one MLSD line (RFC 3659 §7.2): "fact=value;fact=value; name".
// The facts part ends at the first space; each fact is "name=value" followed
// by ';' (an empty facts part is allowed: " name").  The name is everything
// after that single space, verbatim (it may contain spaces, ';', any byte).
// On success fills `facts` (cleared first) and returns the name; nullopt for
// a line with no space, an empty name, or a fact without '='.
std::optional<std::string_view> parse_mlsd_line(std::string_view line,
                                                std::vector<fact_view> &facts);

// Parse a FEAT reply (RFC 2389 §3.2): "211-Features:\n FEAT1 params\n ...\n211 End".
// Returns the feature lines as (NAME uppercased, params) pairs, in order.
// A reply that is not 211 gives an empty list.
std::vector<std::pair<std::string, std::string>> parse_feat(std::string_view reply);

// One entry of a LIST reply line, as the common server formats write it:
// Unix `ls -l` ("drwxr-xr-x 2 user group 4096 Dec  6 02:32 name", also
// without the group column) and DOS/IIS ("12-06-26  02:32AM  <DIR>  name").
// Views point into the parsed line.
struct list_entry {
  std::string_view name;         // verbatim, spaces included
  std::string_view link_target;  // for symbolic links ("name -> target")
  char type = '?';               // 'f' file, 'd' directory, 'l' link, '?' other
  int64_t size = -1;             // bytes; -1 when unknown
  int year = 0;                  // 0 when the line gives none (Unix: recent)
  int month = 0, day = 0;        // 1..12, 1..31; 0 when unknown
  int hour = -1, minute = -1;    // -1 when the line gives no time
};

enum class list_result { entry, skip, unknown };

// Parse one LIST line (RFC 959 leaves the format to the server).  `skip`
// for lines that are no entry ("total 42", blank); `unknown` for a format
// not recognised (the caller keeps the raw line).  Never throws; every
// number is range-checked (month 1..12, day 1..31, hour 0..23, minute
// 0..59, size fits in int64).
list_result parse_list_line(std::string_view line, list_entry &out);

}  // namespace ftpkit
