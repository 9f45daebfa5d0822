// XksCipher: AES-256-GCM as the AWS KMS External Key Store (XKS) proxy API
// v1 defines it (../docs/xks.md, docs/formats.md "XKS ciphertext").
//
// AWS KMS sends plaintext and optional AAD; the proxy answers with the
// ciphertext (as long as the plaintext), a 12-byte IV it drew, the 16-byte
// tag and up to 20 bytes of `ciphertextMetadata`. The metadata is
// authenticated by framing it into the GCM associated data, as the spec
// says:  u16be(len(aad)) || aad || u8(len(metadata)) || metadata.
// The length prefixes make (aad, metadata) pairs unambiguous: AAD moved into
// the metadata field, or the reverse, does not authenticate.
//
// The key is the version's XKS key (CommittedKey::xks_aead), derived under
// its own label, so an XKS ciphertext and a Keyhold blob never share a GCM
// key even for the same master-key version. Open fails with one generic
// kInvalidCiphertext whatever was wrong. Thread-safe (pure functions).
// May include: OpenSSL, libsodium, std, crypto/.
#ifndef KEYHOLD_CRYPTO_XKS_CIPHER_H_
#define KEYHOLD_CRYPTO_XKS_CIPHER_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::crypto {

// The spec's bounds: AAD length travels in 16 bits, metadata in 8 bits and
// AWS KMS refuses metadata over 20 bytes.
inline constexpr std::size_t kXksMaxAad = 0xffff;
inline constexpr std::size_t kXksMaxMetadata = 20;
inline constexpr std::size_t kXksIvSize = 12;
inline constexpr std::size_t kXksTagSize = 16;

struct XksSealed {
  std::vector<std::uint8_t> ciphertext;  // as long as the plaintext
  std::array<std::uint8_t, kXksIvSize> iv{};
  std::array<std::uint8_t, kXksTagSize> tag{};
};

// XksFrameAad returns the GCM associated data for (`aad`, `metadata`), or
// kInvalidRequest when either is over its bound.
Result<std::vector<std::uint8_t>> XksFrameAad(std::span<const std::uint8_t> aad,
                                              std::span<const std::uint8_t> metadata);

// XksSeal encrypts `plaintext` (which may be empty) under `key` with a fresh
// random IV. The caller counts the encryption against the key's budget.
Result<XksSealed> XksSeal(const Aes256Gcm& key, std::span<const std::uint8_t> plaintext,
                          std::span<const std::uint8_t> aad,
                          std::span<const std::uint8_t> metadata);

// XksOpen authenticates and decrypts. A 16-byte IV (allowed by the spec for
// other proxies) never came from Keyhold and fails like any other forgery.
Result<SecretBytes> XksOpen(const Aes256Gcm& key, std::span<const std::uint8_t> iv,
                            std::span<const std::uint8_t> ciphertext,
                            std::span<const std::uint8_t> tag, std::span<const std::uint8_t> aad,
                            std::span<const std::uint8_t> metadata);

// XksIntegrityValue is the spec's ciphertextDataIntegrityValue (Appendix C):
// SHA-256(aad || metadata || iv || ciphertext || tag), unframed. It guards
// the answer against accidental corruption on the way to AWS, not attacks.
Sha256Digest XksIntegrityValue(std::span<const std::uint8_t> aad,
                               std::span<const std::uint8_t> metadata,
                               std::span<const std::uint8_t> iv,
                               std::span<const std::uint8_t> ciphertext,
                               std::span<const std::uint8_t> tag);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_XKS_CIPHER_H_
