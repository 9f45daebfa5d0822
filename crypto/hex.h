// Hex: lower-case hexadecimal text of public bytes (digests, ids, keys'
// public halves), through libsodium's constant-time encoder. Never for
// secrets: the text is an ordinary std::string. Thread-safe. May include:
// libsodium, std.
#ifndef KEYHOLD_CRYPTO_HEX_H_
#define KEYHOLD_CRYPTO_HEX_H_

#include <cstdint>
#include <span>
#include <string>

namespace keyhold::crypto {

// HexEncode returns two lower-case hex digits per byte of `bytes`.
std::string HexEncode(std::span<const std::uint8_t> bytes);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_HEX_H_
