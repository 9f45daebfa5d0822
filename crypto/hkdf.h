// HKDF-SHA-256 (RFC 5869) over OpenSSL's EVP_KDF: derives subkeys from a key,
// so one root or master key never serves two purposes directly.
// Thread-safe. May include: OpenSSL, std.
#ifndef KEYHOLD_CRYPTO_HKDF_H_
#define KEYHOLD_CRYPTO_HKDF_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

// kHkdfMaxOutput is 255 * HashLen, the RFC 5869 limit.
inline constexpr std::size_t kHkdfMaxOutput = 255 * 32;

// HkdfSha256 returns `size` bytes of output keying material. `salt` may be
// empty (RFC 5869 then uses HashLen zeros). Sizes of 0 or above
// kHkdfMaxOutput are refused with kCryptoFailure.
Result<SecretBytes> HkdfSha256(std::span<const std::uint8_t> ikm,
                               std::span<const std::uint8_t> salt,
                               std::span<const std::uint8_t> info, std::size_t size);

// AsBytes views a string literal label as bytes, for `info` and `salt`.
inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_HKDF_H_
