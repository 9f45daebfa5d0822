#include "crypto/key_transport.h"

#include "crypto/aes_key_wrap.h"
#include "crypto/check.h"
#include "crypto/random.h"

namespace keyhold::crypto {
namespace {

constexpr std::string_view kOaepName = "RSAES_OAEP_SHA_256";
constexpr std::string_view kRsaAesName = "RSA_AES_KEY_WRAP_SHA_256";

// UnwrapRsaAes undoes OAEP(E) || KWP(E, M). Its errors are not the
// caller's: UnwrapKeyMaterial replaces each by the one generic error.
//
// Timing: a failing RSA part returns before the KWP part is tried, so a
// caller can time whether OAEP(E) decrypted to 32 bytes. That reveals
// nothing: anyone holding the public key can make a valid OAEP(E) at will.
// What Manger's attack needs, why OAEP decoding failed, stays inside
// OpenSSL's constant-time check.
Result<SecretBytes> UnwrapRsaAes(const RsaPrivateKey& key, std::span<const std::uint8_t> wrapped) {
  const std::size_t k = key.ModulusBytes();
  if (wrapped.size() <= k) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  KEYHOLD_ASSIGN_OR_RETURN(const SecretBytes ephemeral, key.Decrypt(wrapped.first(k)));
  if (ephemeral.size() != kEphemeralKeySize) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  KEYHOLD_ASSIGN_OR_RETURN(const auto kwp, Aes256KeyWrap::Create(ephemeral, KeyWrapMode::kKwp));
  return kwp->Unwrap(wrapped.subspan(k));
}

Result<std::vector<std::uint8_t>> WrapRsaAes(const RsaPublicKey& key, const SecretBytes& material) {
  KEYHOLD_ASSIGN_OR_RETURN(const SecretBytes ephemeral, RandomSecret(kEphemeralKeySize));
  KEYHOLD_ASSIGN_OR_RETURN(const auto kwp, Aes256KeyWrap::Create(ephemeral, KeyWrapMode::kKwp));
  KEYHOLD_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> wrapped_material, kwp->Wrap(material));
  KEYHOLD_ASSIGN_OR_RETURN(std::vector<std::uint8_t> out,
                           key.Encrypt(ephemeral.Reveal(SecretAccess::Get())));
  out.insert(out.end(), wrapped_material.begin(), wrapped_material.end());
  return out;
}

}  // namespace

std::string_view WrappingAlgorithmName(WrappingAlgorithm algorithm) {
  switch (algorithm) {
    case WrappingAlgorithm::kRsaesOaepSha256:
      return kOaepName;
    case WrappingAlgorithm::kRsaAesKeyWrapSha256:
      return kRsaAesName;
    default:
      break;
  }
  // Only a cast can make another value: a logic bug, not input.
  KEYHOLD_CHECK(false);
  return {};
}

Result<WrappingAlgorithm> ParseWrappingAlgorithm(std::string_view name) {
  if (name == kOaepName) {
    return WrappingAlgorithm::kRsaesOaepSha256;
  }
  if (name == kRsaAesName) {
    return WrappingAlgorithm::kRsaAesKeyWrapSha256;
  }
  return MakeError(ErrorCode::kInvalidRequest,
                   "wrapping algorithm must be RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256");
}

Result<SecretBytes> UnwrapKeyMaterial(const RsaPrivateKey& key, WrappingAlgorithm algorithm,
                                      std::span<const std::uint8_t> wrapped,
                                      std::size_t expected_size) {
  Result<SecretBytes> material = MakeError(ErrorCode::kInvalidCiphertext);
  switch (algorithm) {
    case WrappingAlgorithm::kRsaesOaepSha256:
      material = key.Decrypt(wrapped);
      break;
    case WrappingAlgorithm::kRsaAesKeyWrapSha256:
      material = UnwrapRsaAes(key, wrapped);
      break;
    default:
      break;
  }
  // One error for every failure, whichever step produced it. A material of
  // the wrong size is dropped (and wiped) here.
  if (!material.ok() || expected_size == 0 || material->size() != expected_size) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  return material;
}

Result<std::vector<std::uint8_t>> WrapKeyMaterial(const RsaPublicKey& key,
                                                  WrappingAlgorithm algorithm,
                                                  const SecretBytes& material) {
  if (material.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "key material to wrap is empty");
  }
  switch (algorithm) {
    case WrappingAlgorithm::kRsaesOaepSha256:
      return key.Encrypt(material.Reveal(SecretAccess::Get()));
    case WrappingAlgorithm::kRsaAesKeyWrapSha256:
      return WrapRsaAes(key, material);
    default:
      break;
  }
  return MakeError(ErrorCode::kInvalidRequest, "unknown wrapping algorithm");
}

}  // namespace keyhold::crypto
