#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace keyhold::crypto {

Result<HmacTag> HmacSha256(const SecretBytes& key, std::span<const std::uint8_t> message) {
  if (key.empty()) {
    return MakeError(ErrorCode::kCryptoFailure, "HMAC needs a key");
  }
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac),
                                                                EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  const auto k = key.Reveal(SecretAccess::Get());
  HmacTag tag{};
  std::size_t len = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), k.data(), k.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_MAC_final(ctx.get(), tag.data(), &len, tag.size()) != 1 || len != tag.size()) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  return tag;
}

bool VerifyHmacSha256(const SecretBytes& key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> tag) {
  auto expected = HmacSha256(key, message);
  return expected.ok() && tag.size() == expected->size() && ConstantTimeEquals(*expected, tag);
}

}  // namespace keyhold::crypto
