#include "crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace keyhold::crypto {

namespace {

using MacCtx = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

// OpenSSL 3 looks the digest up by name in every EVP_MAC_init that names
// it: a fetch under a global lock, on which the worker threads queued (two
// tags per request: the audit record's mac and its context digest). A
// context keyed once with a public all-zero key holds the fetched digest;
// each call copies it and keys the copy, which fetches nothing. The
// template holds no secret, so it may live as long as the process.
const EVP_MAC_CTX* Template() {
  static EVP_MAC_CTX* const tmpl = []() -> EVP_MAC_CTX* {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) {
      return nullptr;
    }
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context keeps its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    const std::uint8_t zero[32] = {};
    if (ctx == nullptr || EVP_MAC_init(ctx, zero, sizeof(zero), params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }();
  return tmpl;
}

}  // namespace

Result<HmacTag> HmacSha256(const SecretBytes& key, std::span<const std::uint8_t> message) {
  if (key.empty()) {
    return MakeError(ErrorCode::kCryptoFailure, "HMAC needs a key");
  }
  const EVP_MAC_CTX* tmpl = Template();
  if (tmpl == nullptr) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  // EVP_MAC_CTX_dup only reads its source: safe on the shared template.
  MacCtx ctx(EVP_MAC_CTX_dup(tmpl), EVP_MAC_CTX_free);
  const auto k = key.Reveal(SecretAccess::Get());
  HmacTag tag{};
  std::size_t len = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), k.data(), k.size(), nullptr) != 1 ||
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
