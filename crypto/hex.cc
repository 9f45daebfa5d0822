#include "crypto/hex.h"

#include <sodium.h>

namespace keyhold::crypto {

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');  // sodium_bin2hex writes a NUL
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace keyhold::crypto
