// Ed25519 signatures (RFC 8032) over libsodium: lets anyone holding a public
// key check what Keyhold signed (audit checkpoints) without being able to
// sign. The key pair is derived from a 32-byte seed, so a key derived from
// the root key needs no storage of its own. Thread-safe. May include:
// libsodium, std.
#ifndef KEYHOLD_CRYPTO_ED25519_H_
#define KEYHOLD_CRYPTO_ED25519_H_

#include <array>
#include <cstdint>
#include <span>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

using Ed25519PublicKey = std::array<std::uint8_t, 32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;

// Ed25519Signer holds a private key in guarded memory. Move-only.
class Ed25519Signer {
 public:
  // FromSeed derives the key pair from a 32-byte seed; any other size is
  // kCryptoFailure.
  static Result<Ed25519Signer> FromSeed(const SecretBytes& seed);

  const Ed25519PublicKey& public_key() const { return public_key_; }

  // Sign returns the detached signature of `message`.
  Ed25519Signature Sign(std::span<const std::uint8_t> message) const;

 private:
  Ed25519Signer() = default;
  SecretBytes secret_key_;  // libsodium's 64-byte form: seed || public key
  Ed25519PublicKey public_key_{};
};

// VerifyEd25519 reports whether `signature` is a valid signature of
// `message` under `public_key`. Malformed sizes are simply false.
bool VerifyEd25519(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                   std::span<const std::uint8_t> signature);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_ED25519_H_
