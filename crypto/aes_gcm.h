// Aes256Gcm: authenticated encryption with AES-256-GCM (NIST SP 800-38D),
// 96-bit random nonces and 128-bit tags only.
//
// The caller never supplies a nonce: Seal draws one from the CSPRNG and emits
// nonce || ciphertext || tag. With random 96-bit nonces one key must seal at
// most 2^32 messages (SP 800-38D 8.3); Keyhold's key versions enforce that
// budget above this layer (kms/usage_budget.h). Open fails with one generic
// error whatever was wrong. Thread-safe (const methods, no shared state).
// May include: OpenSSL, libsodium, std.
#ifndef KEYHOLD_CRYPTO_AES_GCM_H_
#define KEYHOLD_CRYPTO_AES_GCM_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/error.h"
#include "crypto/internal/aes_gcm_raw.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

class Aes256Gcm {
 public:
  static constexpr std::size_t kKeySize = internal::kGcmKeySize;
  static constexpr std::size_t kNonceSize = internal::kGcmNonceSize;
  static constexpr std::size_t kTagSize = internal::kGcmTagSize;
  // Bytes Seal adds to the plaintext.
  static constexpr std::size_t kOverhead = kNonceSize + kTagSize;

  // Create returns an AEAD over a copy of `key`, which must be exactly 32
  // bytes; other sizes (AES-128, AES-192) are refused by design.
  static Result<std::unique_ptr<Aes256Gcm>> Create(const SecretBytes& key);

  // Seal appends nonce || ciphertext || tag to `*out`. `aad` is authenticated
  // but not encrypted. On failure `*out` is left as it was. `plaintext` and
  // `aad` must not point into `*out`, which Seal grows.
  Status Seal(std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> aad,
              std::vector<std::uint8_t>* out) const;

  // Open authenticates and decrypts a Seal output. Returns the plaintext in
  // guarded memory, or kInvalidCiphertext for any failure (too short,
  // altered, wrong key, wrong aad).
  Result<SecretBytes> Open(std::span<const std::uint8_t> sealed,
                           std::span<const std::uint8_t> aad) const;

 private:
  explicit Aes256Gcm(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_AES_GCM_H_
