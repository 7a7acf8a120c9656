// Assembles FTP replies (RFC 959 §4.2) from lines, with bounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ftpkit {

class reply_parser {
 public:
  enum class result { need_more, complete, error };

  // max_line: longest accepted line in bytes (without its line end);
  // max_total: cap on the whole reply text in bytes.
  reply_parser(std::size_t max_line, std::size_t max_total);

  // Feed one line with its line end (CRLF or a bare LF) already removed.
  // - The first line must start with three digits forming a code 100..599,
  //   followed by ' ', '-' or nothing.  Anything else is an error.
  // - "ddd-" starts a multi-line reply, which ends with a line that starts
  //   with the same code followed by ' ' (or the bare code alone); lines in
  //   between are kept verbatim, whatever they start with.
  // - A line longer than max_line, or a reply whose text would exceed
  //   max_total, is an error.
  // After complete or error, call reset() before feeding the next reply.
  result feed_line(std::string_view line);

  int code() const { return code_; }               // 0 until the first line parsed
  const std::string &text() const { return text_; }  // lines joined with '\n'
  const std::string &error() const { return error_; }  // why feed_line failed
  void reset();

 private:
  std::size_t max_line_, max_total_;
  int code_ = 0;
  bool multiline_ = false;
  std::string text_;
  std::string error_;
};

}  // namespace ftpkit
