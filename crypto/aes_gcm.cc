#include "crypto/aes_gcm.h"

#include "crypto/random.h"

namespace keyhold::crypto {

Result<std::unique_ptr<Aes256Gcm>> Aes256Gcm::Create(const SecretBytes& key) {
  if (key.size() != kKeySize) {
    return MakeError(ErrorCode::kCryptoFailure, "AES-256-GCM needs a 256-bit key");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes copy, key.Clone());
  return std::unique_ptr<Aes256Gcm>(new Aes256Gcm(std::move(copy)));
}

Status Aes256Gcm::Seal(std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> aad,
                       std::vector<std::uint8_t>* out) const {
  const std::size_t start = out->size();
  out->resize(start + kOverhead + plaintext.size());
  const std::span<std::uint8_t> all(*out);
  const auto nonce = all.subspan(start, kNonceSize);
  const auto ciphertext = all.subspan(start + kNonceSize, plaintext.size());
  const auto tag = all.subspan(start + kNonceSize + plaintext.size(), kTagSize);
  Status s = FillNonce(nonce);
  if (s.ok()) {
    s = internal::GcmSealWithNonce(key_.Reveal(SecretAccess::Get()), nonce, plaintext, aad,
                                   ciphertext, tag);
  }
  if (!s.ok()) {
    out->resize(start);
  }
  return s;
}

Result<SecretBytes> Aes256Gcm::Open(std::span<const std::uint8_t> sealed,
                                    std::span<const std::uint8_t> aad) const {
  if (sealed.size() < kOverhead) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  const std::size_t text_size = sealed.size() - kOverhead;
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes plaintext, SecretBytes::Allocate(text_size));
  KEYHOLD_TRY(internal::GcmOpenWithNonce(key_.Reveal(SecretAccess::Get()), sealed.first(kNonceSize),
                                         sealed.subspan(kNonceSize, text_size), aad,
                                         sealed.last(kTagSize),
                                         plaintext.RevealMutable(SecretAccess::Get())));
  return plaintext;
}

}  // namespace keyhold::crypto
