// HMAC-SHA-256 (RFC 2104) over OpenSSL's EVP_MAC, keyed by a SecretBytes:
// authenticates public bytes (audit records) under a secret key.
// Thread-safe. May include: OpenSSL, std.
#ifndef KEYHOLD_CRYPTO_HMAC_H_
#define KEYHOLD_CRYPTO_HMAC_H_

#include <cstdint>
#include <span>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::crypto {

using HmacTag = Sha256Digest;

// HmacSha256 returns the tag of `message` under `key` (any non-empty size;
// 32 bytes is what Keyhold derives). An empty key is kCryptoFailure.
Result<HmacTag> HmacSha256(const SecretBytes& key, std::span<const std::uint8_t> message);

// VerifyHmacSha256 recomputes the tag and compares it in constant time.
// False for a wrong tag, a tag of the wrong size, or an unusable key.
bool VerifyHmacSha256(const SecretBytes& key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> tag);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_HMAC_H_
