#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <memory>

#include "crypto/check.h"

namespace keyhold::crypto {

Sha256Digest Sha256(std::initializer_list<std::span<const std::uint8_t>> parts) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  KEYHOLD_CHECK(md != nullptr);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // A digest of in-memory bytes only fails on allocation failure, which leaves
  // nothing sensible to return: treat it as fatal.
  KEYHOLD_CHECK(ctx && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1);
  for (const auto& part : parts) {
    KEYHOLD_CHECK(EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1);
  }
  Sha256Digest out{};
  unsigned int len = 0;
  KEYHOLD_CHECK(EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size());
  return out;
}

}  // namespace keyhold::crypto
