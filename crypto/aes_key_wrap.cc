#include "crypto/aes_key_wrap.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "crypto/check.h"

namespace keyhold::crypto {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }  // cleanses
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

// Fetched once, like AES-256-GCM in internal/aes_gcm_raw.cc: the implicit
// fetch behind EVP_aes_256_wrap() repeats a provider lookup on every init.
const EVP_CIPHER* Cipher(KeyWrapMode mode) {
  static EVP_CIPHER* const kw = EVP_CIPHER_fetch(nullptr, "AES-256-WRAP", nullptr);
  static EVP_CIPHER* const kwp = EVP_CIPHER_fetch(nullptr, "AES-256-WRAP-PAD", nullptr);
  KEYHOLD_CHECK(kw != nullptr && kwp != nullptr);
  return mode == KeyWrapMode::kKw ? kw : kwp;
}

// RunCipher runs one wrap (`encrypt`) or unwrap of `in` into `out` and
// returns the bytes written, or 0 on any failure. The wrap ciphers do the
// whole operation in one update; the final call only reports 0 bytes.
std::size_t RunCipher(KeyWrapMode mode, std::span<const std::uint8_t> kek, bool encrypt,
                      std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    return 0;
  }
  // OpenSSL refuses the wrap modes unless asked for explicitly.
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  // A null IV selects the default initial value of RFC 3394 / RFC 5649.
  if (EVP_CipherInit_ex2(ctx.get(), Cipher(mode), kek.data(), nullptr, encrypt ? 1 : 0, nullptr) !=
      1) {
    return 0;
  }
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      len <= 0 || static_cast<std::size_t>(len) > out.size()) {
    return 0;
  }
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1 || final_len != 0) {
    return 0;
  }
  return static_cast<std::size_t>(len);
}

}  // namespace

Result<std::unique_ptr<Aes256KeyWrap>> Aes256KeyWrap::Create(const SecretBytes& kek,
                                                             KeyWrapMode mode) {
  if (kek.size() != kKeySize) {
    return MakeError(ErrorCode::kCryptoFailure, "AES key wrap needs a 256-bit key");
  }
  if (mode != KeyWrapMode::kKw && mode != KeyWrapMode::kKwp) {
    return MakeError(ErrorCode::kCryptoFailure, "unknown AES key wrap mode");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes copy, kek.Clone());
  return std::unique_ptr<Aes256KeyWrap>(new Aes256KeyWrap(std::move(copy), mode));
}

std::size_t Aes256KeyWrap::WrappedSize(std::size_t key_size) const {
  if (key_size > kMaxKeyWrapInput) {
    return 0;
  }
  if (mode_ == KeyWrapMode::kKw) {
    // RFC 3394 2.2.1: "Inputs: Plaintext, n 64-bit values {P1, P2, ..., Pn}"
    // with n >= 2 (SP 800-38F 6.2: "the length of P is at least two
    // semiblocks"): 8-byte keys go through KWP instead.
    if (key_size < 16 || key_size % 8 != 0) {
      return 0;
    }
    return key_size + kOverhead;
  }
  // RFC 5649 4.1: the plaintext is padded with zeros to a multiple of 8.
  if (key_size == 0) {
    return 0;
  }
  return (key_size + 7) / 8 * 8 + kOverhead;
}

Result<std::vector<std::uint8_t>> Aes256KeyWrap::Wrap(const SecretBytes& key) const {
  const std::size_t size = WrappedSize(key.size());
  if (size == 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     mode_ == KeyWrapMode::kKw
                         ? "AES-KW wraps a multiple of 8 bytes, from 16 to 65536"
                         : "AES-KWP wraps 1 to 65536 bytes");
  }
  std::vector<std::uint8_t> out(size);
  const auto access = SecretAccess::Get();
  if (RunCipher(mode_, kek_.Reveal(access), true, key.Reveal(access), out) != size) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCryptoFailure);
  }
  return out;
}

Result<SecretBytes> Aes256KeyWrap::Unwrap(std::span<const std::uint8_t> wrapped) const {
  // Every Wrap output is a multiple of 8 bytes, at least 16 (KWP) or 24 (KW).
  const std::size_t min_size = mode_ == KeyWrapMode::kKw ? 24 : 16;
  if (wrapped.size() < min_size || wrapped.size() % 8 != 0 ||
      wrapped.size() > WrappedSize(kMaxKeyWrapInput)) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  // The unwrapped key is 8 bytes shorter (for KWP, before the padding
  // comes off), but OpenSSL's KWP unwrap zeroes `wrapped.size()` bytes of
  // its output when a check fails (CRYPTO_128_unwrap_pad), so the buffer is
  // that large. OpenSSL writes straight into guarded memory.
  const std::size_t padded_size = wrapped.size() - kOverhead;
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Allocate(wrapped.size()));
  const auto access = SecretAccess::Get();
  const std::size_t size =
      RunCipher(mode_, kek_.Reveal(access), false, wrapped, key.RevealMutable(access));
  const bool size_ok = mode_ == KeyWrapMode::kKw
                           ? size == padded_size
                           : size >= 1 && size <= padded_size && padded_size - size < 8;
  if (!size_ok) {
    ERR_clear_error();
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  key.Shrink(size);
  return key;
}

}  // namespace keyhold::crypto
