#include "crypto/ed25519.h"

#include <sodium.h>

#include "crypto/check.h"

namespace keyhold::crypto {

Result<Ed25519Signer> Ed25519Signer::FromSeed(const SecretBytes& seed) {
  EnsureInitialized();
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return MakeError(ErrorCode::kCryptoFailure, "an Ed25519 seed is 32 bytes");
  }
  Ed25519Signer signer;
  KEYHOLD_ASSIGN_OR_RETURN(signer.secret_key_, SecretBytes::Allocate(crypto_sign_SECRETKEYBYTES));
  const auto access = SecretAccess::Get();
  if (crypto_sign_seed_keypair(signer.public_key_.data(),
                               signer.secret_key_.RevealMutable(access).data(),
                               seed.Reveal(access).data()) != 0) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  return signer;
}

Ed25519Signature Ed25519Signer::Sign(std::span<const std::uint8_t> message) const {
  Ed25519Signature signature{};
  // Signing with a well-formed key cannot fail in libsodium.
  KEYHOLD_CHECK(crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                                     secret_key_.Reveal(SecretAccess::Get()).data()) == 0);
  return signature;
}

bool VerifyEd25519(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                   std::span<const std::uint8_t> signature) {
  EnsureInitialized();
  return public_key.size() == crypto_sign_PUBLICKEYBYTES && signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace keyhold::crypto
