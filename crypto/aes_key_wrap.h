// Aes256KeyWrap: AES-256 Key Wrap (KW: RFC 3394, NIST SP 800-38F 6.2) and
// Key Wrap with Padding (KWP: RFC 5649, SP 800-38F 6.3) over OpenSSL's
// AES-256-WRAP and AES-256-WRAP-PAD, with the default initial values only.
//
// Owns: wrapping key material under a 256-bit key-encryption key (KEK) and
// unwrapping it into guarded memory. KW and KWP are deterministic and
// authenticate the whole output with a 64-bit integrity check; they carry no
// associated data and no nonce, so they are for keys only, never for data.
// Unwrap fails with one generic kInvalidCiphertext whatever was wrong.
// Thread-safe (immutable). May include: OpenSSL, libsodium, std, crypto/.
#ifndef KEYHOLD_CRYPTO_AES_KEY_WRAP_H_
#define KEYHOLD_CRYPTO_AES_KEY_WRAP_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

// KeyWrapMode picks the construction.
//   kKw:  RFC 3394. Input: a multiple of 8 bytes, at least 16 (two
//         semiblocks). Output: input + 8 bytes.
//   kKwp: RFC 5649. Input: 1 byte and up, zero-padded to a multiple of 8
//         inside the wrap. Output: 8 * ceil(input / 8) + 8 bytes (16 bytes
//         for inputs of 1 to 8).
// Both take at most kMaxKeyWrapInput bytes of input.
enum class KeyWrapMode : std::uint8_t { kKw, kKwp };

class Aes256KeyWrap {
 public:
  static constexpr std::size_t kKeySize = 32;
  // Bytes of integrity check a wrap adds (beyond KWP's padding).
  static constexpr std::size_t kOverhead = 8;
  // kMaxKeyWrapInput bounds what is wrapped (64 KiB: a 4096-bit RSA private
  // key in PKCS#8 is about 2.4 KiB). Not a limit of the construction.
  static constexpr std::size_t kMaxKeyWrapInput = 64 * 1024;

  // Create returns a wrapper in `mode` over a copy of `kek`, which must be
  // exactly 32 bytes; other sizes (AES-128, AES-192) are refused by design
  // with kCryptoFailure.
  static Result<std::unique_ptr<Aes256KeyWrap>> Create(const SecretBytes& kek, KeyWrapMode mode);

  KeyWrapMode mode() const { return mode_; }

  // WrappedSize returns the size Wrap produces for `key_size` input bytes,
  // or 0 if this mode refuses that size.
  std::size_t WrappedSize(std::size_t key_size) const;

  // Wrap returns `key` wrapped under the KEK. An input size outside the
  // mode's limits (see KeyWrapMode) is kInvalidRequest; an OpenSSL failure
  // is kCryptoFailure.
  Result<std::vector<std::uint8_t>> Wrap(const SecretBytes& key) const;

  // Unwrap checks and unwraps a Wrap output, returning the key in guarded
  // memory. Every failure (a size that no Wrap produces, a failed integrity
  // check, KWP padding or length indicator out of place, a wrong KEK) is
  // kInvalidCiphertext with the catalogue's text; no partial output leaves
  // the call.
  Result<SecretBytes> Unwrap(std::span<const std::uint8_t> wrapped) const;

 private:
  Aes256KeyWrap(SecretBytes kek, KeyWrapMode mode) : kek_(std::move(kek)), mode_(mode) {}
  SecretBytes kek_;
  KeyWrapMode mode_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_AES_KEY_WRAP_H_
