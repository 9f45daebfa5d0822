// CommittedKey: one master-key version as it is used for wrapping.
//
// From the version's 256-bit key material K it derives, with HKDF-SHA-256
// under distinct labels, an AES-256-GCM key and a 32-byte public commitment.
// Every wrapped blob carries the commitment and unwrap compares it (in
// constant time) before decrypting. GCM alone is not key-committing: a
// ciphertext can be crafted to open under two different keys ("invisible
// salamanders"); with the commitment, which is collision-resistant in K, a
// blob opens under at most one key. The store also keeps each version's
// commitment, so key material that does not match its record is caught.
// A third label gives the version's key for the AWS XKS proxy API
// (crypto/xks_cipher.h), whose ciphertexts have no room for a commitment.
// Thread-safe (immutable). May include: OpenSSL, libsodium, std.
#ifndef KEYHOLD_CRYPTO_COMMITTED_KEY_H_
#define KEYHOLD_CRYPTO_COMMITTED_KEY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "crypto/aes_gcm.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

inline constexpr std::size_t kKeyMaterialSize = 32;
using KeyCommitment = std::array<std::uint8_t, 32>;

class CommittedKey {
 public:
  // Derive builds the committed key from 32 bytes of key material.
  static Result<std::unique_ptr<CommittedKey>> Derive(const SecretBytes& material);

  const KeyCommitment& commitment() const { return commitment_; }
  const Aes256Gcm& aead() const { return *aead_; }
  // xks_aead is the version's AES-256-GCM key for XKS ciphertexts.
  const Aes256Gcm& xks_aead() const { return *xks_aead_; }

  // Matches compares `commitment` with this key's, in constant time.
  bool Matches(std::span<const std::uint8_t> commitment) const;

 private:
  CommittedKey(std::unique_ptr<Aes256Gcm> aead, std::unique_ptr<Aes256Gcm> xks_aead,
               const KeyCommitment& commitment)
      : aead_(std::move(aead)), xks_aead_(std::move(xks_aead)), commitment_(commitment) {}
  std::unique_ptr<Aes256Gcm> aead_;
  std::unique_ptr<Aes256Gcm> xks_aead_;
  KeyCommitment commitment_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_COMMITTED_KEY_H_
