#include "crypto/xks_cipher.h"

#include <algorithm>

namespace keyhold::crypto {

Result<std::vector<std::uint8_t>> XksFrameAad(std::span<const std::uint8_t> aad,
                                              std::span<const std::uint8_t> metadata) {
  if (aad.size() > kXksMaxAad || metadata.size() > kXksMaxMetadata) {
    return MakeError(ErrorCode::kInvalidRequest, "XKS AAD or ciphertext metadata is too long");
  }
  std::vector<std::uint8_t> framed;
  framed.reserve(3 + aad.size() + metadata.size());
  framed.push_back(static_cast<std::uint8_t>(aad.size() >> 8));
  framed.push_back(static_cast<std::uint8_t>(aad.size()));
  framed.insert(framed.end(), aad.begin(), aad.end());
  framed.push_back(static_cast<std::uint8_t>(metadata.size()));
  framed.insert(framed.end(), metadata.begin(), metadata.end());
  return framed;
}

Result<XksSealed> XksSeal(const Aes256Gcm& key, std::span<const std::uint8_t> plaintext,
                          std::span<const std::uint8_t> aad,
                          std::span<const std::uint8_t> metadata) {
  static_assert(Aes256Gcm::kNonceSize == kXksIvSize && Aes256Gcm::kTagSize == kXksTagSize);
  KEYHOLD_ASSIGN_OR_RETURN(auto framed, XksFrameAad(aad, metadata));
  std::vector<std::uint8_t> sealed;  // iv || ciphertext || tag
  KEYHOLD_TRY(key.Seal(plaintext, framed, &sealed));
  XksSealed out;
  const std::span<const std::uint8_t> all(sealed);
  std::ranges::copy(all.first(kXksIvSize), out.iv.begin());
  const auto body = all.subspan(kXksIvSize, plaintext.size());
  out.ciphertext.assign(body.begin(), body.end());
  std::ranges::copy(all.last(kXksTagSize), out.tag.begin());
  return out;
}

Result<SecretBytes> XksOpen(const Aes256Gcm& key, std::span<const std::uint8_t> iv,
                            std::span<const std::uint8_t> ciphertext,
                            std::span<const std::uint8_t> tag, std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> metadata) {
  if (iv.size() != kXksIvSize || tag.size() != kXksTagSize) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  auto framed = XksFrameAad(aad, metadata);
  if (!framed.ok()) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  std::vector<std::uint8_t> sealed;
  sealed.reserve(iv.size() + ciphertext.size() + tag.size());
  sealed.insert(sealed.end(), iv.begin(), iv.end());
  sealed.insert(sealed.end(), ciphertext.begin(), ciphertext.end());
  sealed.insert(sealed.end(), tag.begin(), tag.end());
  return key.Open(sealed, *framed);
}

Sha256Digest XksIntegrityValue(std::span<const std::uint8_t> aad,
                               std::span<const std::uint8_t> metadata,
                               std::span<const std::uint8_t> iv,
                               std::span<const std::uint8_t> ciphertext,
                               std::span<const std::uint8_t> tag) {
  return Sha256({aad, metadata, iv, ciphertext, tag});
}

}  // namespace keyhold::crypto
