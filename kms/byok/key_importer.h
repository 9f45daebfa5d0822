// KeyImporter: BYOK import, the service side. A key administrator asks for
// import parameters: a fresh RSA key pair made for one import into one key,
// whose public half goes to the customer and whose private half stays here,
// sealed in the store like every other secret, under a random import token.
// The customer wraps its key material under the public key (offline, with
// its HSM or openssl: docs/byok.md) and sends it back with the token; the
// importer unwraps it and hands the material to the keyring.
//
// A token serves one attempt: it is deleted, with its private key, before
// the material is unwrapped, whether the unwrap then succeeds or not, so the
// private key can never answer twice (no padding oracle). Tokens expire
// (24 h at most) and expired ones are deleted. Every change is one durable
// LMDB transaction. Thread-safe. May include: std, crypto/, kms/.
#ifndef KEYHOLD_KMS_BYOK_KEY_IMPORTER_H_
#define KEYHOLD_KMS_BYOK_KEY_IMPORTER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/key_transport.h"
#include "kms/clock.h"
#include "kms/keyring.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

inline constexpr std::int64_t kMaxImportTokenLifetime = 86400;
inline constexpr std::int64_t kMinImportTokenLifetime = 60;
// At most this many unexpired tokens per key: each holds an RSA key and cost
// a key generation.
inline constexpr std::size_t kMaxImportTokensPerKey = 10;

// ImportParams is what the customer needs to wrap its material.
struct ImportParams {
  std::string token;           // 32 lower-case hex
  std::string public_key_pem;  // SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"
  std::uint32_t key_bits = 0;  // 3072 or 4096
  std::int64_t expires_at = 0;
};

// ImportCall is one import: the token, how the material was wrapped, the
// wrapped bytes, and where the material goes.
struct ImportCall {
  std::string token;
  crypto::WrappingAlgorithm algorithm = crypto::WrappingAlgorithm::kRsaAesKeyWrapSha256;
  std::vector<std::uint8_t> wrapped;
  ImportOptions options;
};

class KeyImporter {
 public:
  // `store` and `clock` must outlive the importer.
  KeyImporter(Store* store, std::shared_ptr<const RecordSealer> sealer,
              std::shared_ptr<Keyring> keyring, const Clock* clock)
      : store_(store), sealer_(std::move(sealer)), keyring_(std::move(keyring)), clock_(clock) {}

  // NewParams makes the RSA key pair (`bits`: 3072 or 4096) for one import
  // into `key`, valid for `lifetime_s` (60 s to 24 h), and stores it under a
  // new token; durable when it returns. It also deletes expired tokens.
  // kInvalidRequest for bits or a lifetime out of range, or when `key`
  // already has kMaxImportTokensPerKey unexpired tokens. WARNING: makes an
  // RSA key, which takes up to seconds of CPU.
  Result<ImportParams> NewParams(const crypto::KeyId& key, std::uint32_t bits,
                                 std::int64_t lifetime_s);

  // Import spends the token (a token of another key is refused and kept),
  // unwraps the material with its private key and imports it
  // (Keyring::ImportMaterial). Refused with kInvalidRequest: an unknown,
  // used or expired token, a token for another key; with the generic
  // kInvalidCiphertext: wrapped bytes that do not unwrap to 32 bytes under
  // `algorithm`, whatever the reason.
  Result<ImportResult> Import(const crypto::KeyId& key, const ImportCall& call);

 private:
  // Purge deletes expired tokens and counts `key`'s unexpired ones.
  Result<std::size_t> Purge(WriteTxn& txn, const crypto::KeyId& key, std::int64_t now);

  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  std::shared_ptr<Keyring> keyring_;
  const Clock* clock_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_BYOK_KEY_IMPORTER_H_
