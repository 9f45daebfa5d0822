// AES-256-GCM with a caller-chosen nonce: the primitive under Aes256Gcm.
//
// Not a public API. It exists so that the public AEAD can draw its own nonce,
// so that the stream cipher can build its STREAM nonces, and so that
// known-answer tests (Wycheproof) can check the primitive.
// WARNING: reusing a (key, nonce) pair destroys confidentiality and
// authenticity; production code goes through crypto::Aes256Gcm, which never
// accepts a nonce, or crypto::StreamSealer, which hands out each nonce once. Thread-safe. May
// include: OpenSSL, std.
#ifndef KEYHOLD_CRYPTO_INTERNAL_AES_GCM_RAW_H_
#define KEYHOLD_CRYPTO_INTERNAL_AES_GCM_RAW_H_

#include <cstdint>
#include <span>

#include "crypto/error.h"

namespace keyhold::crypto::internal {

inline constexpr std::size_t kGcmKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

// GcmSealWithNonce encrypts `plaintext` into `out_ciphertext` (same size) and
// writes the 16-byte tag to `out_tag`. `key` must be 32 bytes and `nonce` 12
// bytes; anything else is refused with kCryptoFailure.
Status GcmSealWithNonce(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> aad,
                        std::span<std::uint8_t> out_ciphertext, std::span<std::uint8_t> out_tag);

// GcmOpenWithNonce authenticates and decrypts into `out_plaintext` (same size
// as `ciphertext`). On any failure it returns kInvalidCiphertext, whatever was
// wrong, and `out_plaintext` is zeroed.
Status GcmOpenWithNonce(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> aad,
                        std::span<const std::uint8_t> tag, std::span<std::uint8_t> out_plaintext);

}  // namespace keyhold::crypto::internal

#endif  // KEYHOLD_CRYPTO_INTERNAL_AES_GCM_RAW_H_
