// Shared helpers for the libFuzzer targets in tests/fuzz/.
//
// FUZZ_CHECK(cond) states one of the documented guarantees of a parser; when
// it does not hold the target prints which one and calls __builtin_trap(), so
// that libFuzzer records the input as a crash (run.py then fails).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "fuzz: guarantee violated: %s (%s:%d)\n", #cond,    \
                   __FILE__, __LINE__);                                        \
      __builtin_trap();                                                        \
    }                                                                          \
  } while (0)

namespace fuzz {

inline std::string_view as_view(const uint8_t *data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char *>(data), size);
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// `code` ("227") followed by the end of the text, ' ' or '-': the reply-code
// prefix every parse_NNN function of cpp/parse.hpp requires.
inline bool starts_with_code(std::string_view s, std::string_view code) {
  return s.size() >= 3 && s.substr(0, 3) == code &&
         (s.size() == 3 || s[3] == ' ' || s[3] == '-');
}

// A non-empty run of digits whose value is at most `max` (leading zeros
// allowed, any length).  Written independently of cpp/parse.cpp on purpose:
// it strips the leading zeros and compares lengths, then digits.
inline bool decimal_at_most(std::string_view digits, uint64_t max, uint64_t *out) {
  if (digits.empty()) return false;
  for (char c : digits)
    if (!is_digit(c)) return false;
  std::size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  const std::string_view sig = digits.substr(i);
  const std::string max_text = std::to_string(max);
  if (sig.size() > max_text.size()) return false;
  if (sig.size() == max_text.size() && sig > std::string_view(max_text)) return false;
  uint64_t v = 0;
  for (char c : sig) v = v * 10 + static_cast<uint64_t>(c - '0');
  *out = v;
  return true;
}

}  // namespace fuzz
