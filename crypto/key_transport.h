// Key transport for BYOK: the two wrapping algorithms of AWS KMS key import
// (RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256), the second being PKCS#11
// CKM_RSA_AES_KEY_WRAP with a 256-bit AES key, SHA-256 OAEP and KWP.
// Owns: the byte layout below, over crypto/rsa_oaep.h and
// crypto/aes_key_wrap.h. Unwrap fails with one generic error whatever step
// failed. Thread-safe (no state). May include: OpenSSL, libsodium, std,
// crypto/.
//
// Byte layout. k is the RSA modulus size in bytes (256, 384 or 512 for 2048,
// 3072 and 4096 bits); OAEP is RSAES-OAEP (RFC 8017 7.1) with SHA-256,
// MGF1-SHA-256 and an empty label; M is the key material.
//
//   RSAES_OAEP_SHA_256:
//     wrapped = OAEP(M)                                  k bytes
//     M is 1 to k - 66 bytes.
//
//   RSA_AES_KEY_WRAP_SHA_256:
//     wrapped = OAEP(E) || KWP(E, M)                     k + 8 * ceil(|M| / 8) + 8 bytes
//     E is a fresh random 32-byte AES-256 key, used once. KWP is AES-256 Key
//     Wrap with Padding (RFC 5649, default initial value A65959A6 || 32-bit
//     big-endian |M|); for |M| = 32 it is 40 bytes. M is 1 to 65536 bytes.
//
// There is no header, version byte or length field: the algorithm travels
// beside the bytes (the import request names it) and k comes from the key.
#ifndef KEYHOLD_CRYPTO_KEY_TRANSPORT_H_
#define KEYHOLD_CRYPTO_KEY_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/rsa_oaep.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

// WrappingAlgorithm names a layout above.
enum class WrappingAlgorithm : std::uint8_t {
  kRsaesOaepSha256,
  kRsaAesKeyWrapSha256,
};

// kEphemeralKeySize is the size of E, the AES key of RSA_AES_KEY_WRAP_SHA_256.
inline constexpr std::size_t kEphemeralKeySize = 32;

// WrappingAlgorithmName returns the AWS KMS name of `algorithm`:
// "RSAES_OAEP_SHA_256" or "RSA_AES_KEY_WRAP_SHA_256".
std::string_view WrappingAlgorithmName(WrappingAlgorithm algorithm);

// ParseWrappingAlgorithm maps an AWS KMS name (exact, case-sensitive) back
// to the algorithm. Any other name is kInvalidRequest; the message lists the
// accepted names and does not quote `name`.
Result<WrappingAlgorithm> ParseWrappingAlgorithm(std::string_view name);

// UnwrapKeyMaterial returns the key material that `wrapped` carries under
// `key` in `algorithm`'s layout, in guarded memory. The material must be
// exactly `expected_size` bytes (Keyhold imports 32-byte keys). EVERY
// failure (a wrong total size, an RSA part that does not decrypt, an
// ephemeral key that is not 32 bytes, a KWP part that does not unwrap,
// material of another size, expected_size 0) is kInvalidCiphertext with the
// catalogue's text, so a caller cannot tell which step failed. Intermediate
// secrets (E) live in guarded memory and are wiped on return.
Result<SecretBytes> UnwrapKeyMaterial(const RsaPrivateKey& key, WrappingAlgorithm algorithm,
                                      std::span<const std::uint8_t> wrapped,
                                      std::size_t expected_size);

// WrapKeyMaterial returns `material` wrapped under `key` in `algorithm`'s
// layout, drawing E from the CSPRNG (crypto/random.h). Material that is
// empty or too large for the layout is kInvalidRequest; a failing RNG or
// OpenSSL call is kCryptoFailure.
Result<std::vector<std::uint8_t>> WrapKeyMaterial(const RsaPublicKey& key,
                                                  WrappingAlgorithm algorithm,
                                                  const SecretBytes& material);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_KEY_TRANSPORT_H_
