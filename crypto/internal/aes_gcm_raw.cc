#include "crypto/internal/aes_gcm_raw.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "crypto/check.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto::internal {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }  // cleanses
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

// Fetched once: implicit fetching by EVP_aes_256_gcm() repeats a provider
// lookup on every init.
const EVP_CIPHER* Cipher() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  KEYHOLD_CHECK(cipher != nullptr);
  return cipher;
}

bool FitsInt(std::size_t n) {
  return n <= static_cast<std::size_t>(INT_MAX);
}

bool ShapesOk(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
              std::span<const std::uint8_t> text, std::span<const std::uint8_t> aad,
              std::size_t out_size, std::size_t tag_size) {
  return key.size() == kGcmKeySize && nonce.size() == kGcmNonceSize && out_size == text.size() &&
         tag_size == kGcmTagSize && FitsInt(text.size()) && FitsInt(aad.size());
}

}  // namespace

Status GcmSealWithNonce(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> aad,
                        std::span<std::uint8_t> out_ciphertext, std::span<std::uint8_t> out_tag) {
  const Error failure = MakeError(ErrorCode::kCryptoFailure);
  if (!ShapesOk(key, nonce, plaintext, aad, out_ciphertext.size(), out_tag.size())) {
    return failure;
  }
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  // The default GCM IV length is 96 bits, which is the only one accepted here.
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), Cipher(), key.data(), nonce.data(), nullptr) != 1) {
    return failure;
  }
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return failure;
  }
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out_ciphertext.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    Wipe(out_ciphertext);
    return failure;
  }
  // GCM is a stream mode: Final emits no bytes, but it needs a valid buffer.
  std::uint8_t final_block[16];
  if (EVP_EncryptFinal_ex(ctx.get(), final_block, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          out_tag.data()) != 1) {
    Wipe(out_ciphertext);
    return failure;
  }
  return Status::Ok();
}

Status GcmOpenWithNonce(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> ciphertext, std::span<const std::uint8_t> aad,
                        std::span<const std::uint8_t> tag, std::span<std::uint8_t> out_plaintext) {
  // One error for every cause: a caller must not learn whether the length,
  // the tag or the key was wrong.
  const Error failure = MakeError(ErrorCode::kInvalidCiphertext);
  if (!ShapesOk(key, nonce, ciphertext, aad, out_plaintext.size(), tag.size())) {
    return failure;
  }
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex2(ctx.get(), Cipher(), key.data(), nonce.data(), nullptr) == 1;
  ok = ok && (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                               static_cast<int>(aad.size())) == 1);
  ok = ok && (ciphertext.empty() ||
              EVP_DecryptUpdate(ctx.get(), out_plaintext.data(), &len, ciphertext.data(),
                                static_cast<int>(ciphertext.size())) == 1);
  // OpenSSL's ctrl takes a non-const pointer; hand it a copy.
  std::uint8_t tag_copy[kGcmTagSize];
  std::copy(tag.begin(), tag.end(), tag_copy);
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                                 tag_copy) == 1;
  std::uint8_t final_block[16];
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), final_block, &len) == 1;
  if (!ok) {
    // OpenSSL has already written unauthenticated plaintext: erase it.
    Wipe(out_plaintext);
    return failure;
  }
  return Status::Ok();
}

}  // namespace keyhold::crypto::internal
