// ImportToken: one pending BYOK import as stored in the `imports` table,
// under its token (32 hex). The body holds the wrapping RSA private key
// (PKCS#8 DER), so it lives in guarded memory and the store seals it
// (RecordSealer) like every secret. Layout in docs/formats.md. Thread-safe
// (value type and pure functions). May include: std, crypto/, kms/.
#ifndef KEYHOLD_KMS_BYOK_IMPORT_TOKEN_H_
#define KEYHOLD_KMS_BYOK_IMPORT_TOKEN_H_

#include <cstdint>
#include <span>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"

namespace keyhold::kms {

// ImportToken is a pending import: for which key, until when, and the
// private half of the wrapping key pair.
struct ImportToken {
  crypto::KeyId key;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::uint32_t key_bits = 0;
  crypto::SecretBytes private_key_der;  // PKCS#8
};

// EncodeImportToken returns the body (format 1) in guarded memory.
Result<crypto::SecretBytes> EncodeImportToken(const ImportToken& token);

// ParseImportToken parses a body; a malformed one is kStoreCorrupt.
Result<ImportToken> ParseImportToken(std::span<const std::uint8_t> body);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_BYOK_IMPORT_TOKEN_H_
