// Strict base64 (RFC 4648 section 4, standard alphabet, with padding) over
// libsodium: no whitespace, no missing or extra padding, no non-zero trailing
// bits, no URL-safe alphabet. The same bytes have exactly one encoding.
// Thread-safe. May include: libsodium, std.
#ifndef KEYHOLD_CRYPTO_BASE64_H_
#define KEYHOLD_CRYPTO_BASE64_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

// Base64Encode returns the padded standard encoding of `bytes`.
std::string Base64Encode(std::span<const std::uint8_t> bytes);

// Base64Decode decodes public bytes, refusing any non-canonical input with
// kInvalidRequest. `max_decoded` bounds the output (and so the work done).
Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text, std::size_t max_decoded);

// Base64DecodeSecret decodes straight into guarded memory, so that a secret
// (a plaintext data key, a share) never sits in an ordinary buffer.
Result<SecretBytes> Base64DecodeSecret(std::string_view text, std::size_t max_decoded);

// Base64EncodeSecret encodes a secret into guarded memory (text form of a
// share or a data key handed to a caller).
Result<SecretBytes> Base64EncodeSecret(const SecretBytes& secret);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_BASE64_H_
