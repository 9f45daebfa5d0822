// RsaPrivateKey and RsaPublicKey: RSAES-OAEP (RFC 8017 7.1) with SHA-256
// and MGF1-SHA-256 over OpenSSL's EVP_PKEY, for key transport (BYOK import
// and export, crypto/key_transport.h). Nothing else: no signatures, no
// PKCS#1 v1.5, no other hashes. Decrypt fails with one generic error, so it
// is no padding oracle (Manger 2001); OpenSSL checks the padding in constant
// time. Both classes are immutable after creation and thread-safe (each call
// makes its own EVP_PKEY_CTX). May include: OpenSSL, libsodium, std, crypto/.
#ifndef KEYHOLD_CRYPTO_RSA_OAEP_H_
#define KEYHOLD_CRYPTO_RSA_OAEP_H_

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::crypto {

namespace internal {
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
}  // namespace internal

// kRsaOaepOverhead is 2 * hLen + 2 for SHA-256 (RFC 8017 7.1.1): a message
// under a k-byte modulus has at most k - 66 bytes.
inline constexpr std::size_t kRsaOaepOverhead = 2 * 32 + 2;

// RsaPrivateKey is an RSA key pair held by Keyhold (an import wrapping key).
class RsaPrivateKey {
 public:
  // Generate returns a fresh key pair of `bits` bits, public exponent 65537.
  // Only 3072 and 4096 are accepted (kInvalidRequest otherwise); a failing
  // key generation is kCryptoFailure. Slow: hundreds of milliseconds to
  // seconds.
  static Result<std::unique_ptr<RsaPrivateKey>> Generate(int bits);

  // FromPkcs8Der parses an unencrypted PKCS#8 PrivateKeyInfo (DER, exactly,
  // nothing trailing) holding an RSA key of 2048 to 4096 bits, as ToPkcs8Der
  // writes it. Anything else is kInvalidRequest, whose message never contains
  // key bytes.
  static Result<std::unique_ptr<RsaPrivateKey>> FromPkcs8Der(const SecretBytes& der);

  ~RsaPrivateKey();
  RsaPrivateKey(const RsaPrivateKey&) = delete;
  RsaPrivateKey& operator=(const RsaPrivateKey&) = delete;

  // ToPkcs8Der returns the key as an unencrypted PKCS#8 PrivateKeyInfo
  // (DER) in guarded memory: it is the private key, to be sealed before it is
  // stored. kCryptoFailure if OpenSSL cannot encode it.
  Result<SecretBytes> ToPkcs8Der() const;

  // PublicKeyPem returns the public key as a SubjectPublicKeyInfo PEM block
  // ("-----BEGIN PUBLIC KEY-----", 64-column base64, a final newline), or
  // kCryptoFailure.
  Result<std::string> PublicKeyPem() const;

  // Decrypt returns the OAEP-decrypted message in guarded memory. `label` is
  // the OAEP label (empty by default). `ciphertext` must be exactly
  // ModulusBytes() long. ANY failure (size, integer out of range, padding,
  // label) is kInvalidCiphertext with the catalogue's text, never saying why.
  Result<SecretBytes> Decrypt(std::span<const std::uint8_t> ciphertext,
                              std::span<const std::uint8_t> label = {}) const;

  // ModulusBytes is k, the modulus size in bytes (also the ciphertext size).
  std::size_t ModulusBytes() const { return modulus_bytes_; }
  // Bits is the modulus size in bits.
  int Bits() const { return bits_; }

 private:
  RsaPrivateKey(internal::EvpPkeyPtr key, int bits, std::size_t modulus_bytes);
  internal::EvpPkeyPtr key_;
  int bits_;
  std::size_t modulus_bytes_;
};

// RsaPublicKey is an RSA public key, typically a customer's (BYOK export).
class RsaPublicKey {
 public:
  // kMaxPemSize bounds FromPem's input: an 8192-bit key's PEM is about 1.5
  // KiB.
  static constexpr std::size_t kMaxPemSize = 16 * 1024;

  // FromPem parses an untrusted SubjectPublicKeyInfo PEM block ("-----BEGIN
  // PUBLIC KEY-----"). The text must be exactly one such block, with only
  // whitespace before or after it and no PEM headers; the DER inside must be
  // exactly one SubjectPublicKeyInfo of algorithm rsaEncryption (not
  // RSASSA-PSS, not EC) with a modulus of 2048 to 8192 bits, and must pass
  // OpenSSL's public-key check (odd modulus without small factors, not a
  // prime power, odd exponent with 2^16 < e < 2^256). Anything else is
  // kInvalidRequest with a message naming the problem; the message never
  // quotes the input.
  static Result<std::unique_ptr<RsaPublicKey>> FromPem(std::string_view pem);

  ~RsaPublicKey();
  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;

  // Encrypt returns RSAES-OAEP(`plaintext`) under this key with OAEP label
  // `label` (empty by default): ModulusBytes() bytes, randomised.
  // `plaintext` may hold 0 to ModulusBytes() - kRsaOaepOverhead bytes;
  // longer is kInvalidRequest. An OpenSSL failure is kCryptoFailure.
  Result<std::vector<std::uint8_t>> Encrypt(std::span<const std::uint8_t> plaintext,
                                            std::span<const std::uint8_t> label = {}) const;

  // Sha256 returns the SHA-256 of the key's DER SubjectPublicKeyInfo: a
  // fingerprint that does not depend on how the PEM was laid out (line
  // endings, whitespace). kCryptoFailure if OpenSSL cannot encode the key.
  Result<Sha256Digest> Sha256() const;

  // ModulusBytes is k, the modulus size in bytes (also the ciphertext size).
  std::size_t ModulusBytes() const { return modulus_bytes_; }
  // Bits is the modulus size in bits.
  int Bits() const { return bits_; }

 private:
  RsaPublicKey(internal::EvpPkeyPtr key, int bits, std::size_t modulus_bytes);
  internal::EvpPkeyPtr key_;
  int bits_;
  std::size_t modulus_bytes_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_RSA_OAEP_H_
