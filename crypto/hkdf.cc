#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

#include "crypto/check.h"

namespace keyhold::crypto {
namespace {

struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

EVP_KDF* Hkdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  KEYHOLD_CHECK(kdf != nullptr);
  return kdf;
}

// OSSL_PARAM wants non-const pointers even for inputs it only reads.
void* Mutable(std::span<const std::uint8_t> s) {
  static std::uint8_t empty = 0;
  return s.empty() ? &empty : const_cast<std::uint8_t*>(s.data());
}

}  // namespace

Result<SecretBytes> HkdfSha256(std::span<const std::uint8_t> ikm,
                               std::span<const std::uint8_t> salt,
                               std::span<const std::uint8_t> info, std::size_t size) {
  if (size == 0 || size > kHkdfMaxOutput) {
    return MakeError(ErrorCode::kCryptoFailure, "HKDF output size out of range");
  }
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(Hkdf()));
  if (!ctx) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, Mutable(ikm), ikm.size());
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, Mutable(info), info.size());
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, Mutable(salt), salt.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(size));
  if (EVP_KDF_derive(ctx.get(), out.RevealMutable(SecretAccess::Get()).data(), size, params) != 1) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  return out;
}

}  // namespace keyhold::crypto
