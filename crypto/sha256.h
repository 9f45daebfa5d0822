// SHA-256 over OpenSSL, for public digests (share checksums and commitments,
// token hashes). Not for secrets that need a key: use HKDF or HMAC for those.
// Thread-safe. May include: OpenSSL, std.
#ifndef KEYHOLD_CRYPTO_SHA256_H_
#define KEYHOLD_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace keyhold::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Sha256 returns the digest of the concatenation of `parts`.
Sha256Digest Sha256(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_SHA256_H_
