// Wrapped blob, format v1: what wrap returns and unwrap takes. Self-describing
// (it names the key and version that sealed it) so that rotation never breaks
// old blobs. Byte layout, all integers big-endian (docs/formats.md):
//
//   offset  size  field
//   0       1     format = 0x01
//   1       1     L = length of the key id
//   2       L     key id "TENANT/NAME"
//   2+L     4     key version (>= 1)
//   6+L     32    key commitment of that version (crypto/committed_key.h)
//   38+L    12    nonce
//   50+L    n     ciphertext, 1 <= n <= 4096
//   50+L+n  16    tag
//
// The AES-256-GCM associated data is bytes [0, 38+L) (the header) followed by
// the canonical encoding of the encryption context. Parsing is strict and
// every failure, whether in parsing, commitment or tag, is the one generic
// kInvalidCiphertext. Thread-safe. May include: std, crypto/.
#ifndef KEYHOLD_CRYPTO_WRAPPED_BLOB_H_
#define KEYHOLD_CRYPTO_WRAPPED_BLOB_H_

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/committed_key.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

inline constexpr std::uint8_t kBlobFormatV1 = 0x01;
inline constexpr std::size_t kMaxWrapPlaintext = 4096;

struct BlobHeader {
  KeyId key_id;
  std::uint32_t key_version;
  KeyCommitment commitment;
};

// ParsedBlob views a blob: valid only while the parsed bytes live.
struct ParsedBlob {
  BlobHeader header;
  std::span<const std::uint8_t> header_bytes;  // authenticated as AAD
  std::span<const std::uint8_t> sealed;        // nonce || ciphertext || tag
};

// SealBlob wraps `plaintext` (1 to 4096 bytes) under `key`, which is version
// `key_version` of `key_id`, binding `context`. The caller is responsible for
// counting the encryption against the version's budget.
Result<std::vector<std::uint8_t>> SealBlob(const CommittedKey& key, const KeyId& key_id,
                                           std::uint32_t key_version,
                                           std::span<const std::uint8_t> plaintext,
                                           const EncryptionContext& context);

// ParseBlob checks the layout and returns the header, so the caller can find
// the key version; it authenticates nothing.
Result<ParsedBlob> ParseBlob(std::span<const std::uint8_t> blob);

// OpenBlob checks the commitment against `key`, then authenticates and
// decrypts under `context`. Any failure is kInvalidCiphertext.
Result<SecretBytes> OpenBlob(const CommittedKey& key, const ParsedBlob& blob,
                             const EncryptionContext& context);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_WRAPPED_BLOB_H_
