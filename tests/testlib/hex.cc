#include "tests/testlib/hex.h"

#include <cstdlib>
#include <iostream>

namespace keyhold::testing {
namespace {
int Nibble(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  std::cerr << "bad hex digit in test data\n";
  std::abort();
}
}  // namespace

std::vector<std::uint8_t> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    std::cerr << "odd-length hex in test data\n";
    std::abort();
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(Nibble(hex[2 * i]) * 16 + Nibble(hex[2 * i + 1]));
  }
  return out;
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::vector<std::uint8_t> Bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

}  // namespace keyhold::testing
