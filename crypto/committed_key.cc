#include "crypto/committed_key.h"

#include <algorithm>

#include "crypto/hkdf.h"

namespace keyhold::crypto {
namespace {
constexpr std::string_view kEncryptLabel = "keyhold/v1/key-version/encrypt";
constexpr std::string_view kCommitLabel = "keyhold/v1/key-version/commit";
constexpr std::string_view kXksLabel = "keyhold/v1/key-version/xks";
}  // namespace

Result<std::unique_ptr<CommittedKey>> CommittedKey::Derive(const SecretBytes& material) {
  if (material.size() != kKeyMaterialSize) {
    return MakeError(ErrorCode::kCryptoFailure, "key material must be 256 bits");
  }
  const auto access = SecretAccess::Get();
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes enc_key,
                           HkdfSha256(material.Reveal(access), {}, AsBytes(kEncryptLabel), 32));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes commit,
                           HkdfSha256(material.Reveal(access), {}, AsBytes(kCommitLabel), 32));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes xks_key,
                           HkdfSha256(material.Reveal(access), {}, AsBytes(kXksLabel), 32));
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<Aes256Gcm> aead, Aes256Gcm::Create(enc_key));
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<Aes256Gcm> xks_aead, Aes256Gcm::Create(xks_key));
  KeyCommitment commitment{};
  std::ranges::copy(commit.Reveal(access), commitment.begin());
  return std::unique_ptr<CommittedKey>(
      new CommittedKey(std::move(aead), std::move(xks_aead), commitment));
}

bool CommittedKey::Matches(std::span<const std::uint8_t> commitment) const {
  return ConstantTimeEquals(commitment, commitment_);
}

}  // namespace keyhold::crypto
