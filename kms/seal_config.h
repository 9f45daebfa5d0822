// SealConfig: how the root key is protected at rest, stored in the `meta`
// table next to the root key wrapped under the unseal key.
//
// The root key is random and never leaves memory in clear. An unseal key
// (KEK) wraps it with AES-256-GCM; the KEK is recombined from Shamir shares,
// derived from a passphrase with Argon2id, or read from a key file (dev mode
// only). The wrapped root's associated data binds the store id and every
// other field of this config, so tampering with the method, the Argon2id
// cost or the share commitments makes unseal fail instead of weakening it.
// Thread-safe (value type).
#ifndef KEYHOLD_KMS_SEAL_CONFIG_H_
#define KEYHOLD_KMS_SEAL_CONFIG_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/argon2id.h"
#include "crypto/error.h"
#include "crypto/sha256.h"
#include "crypto/shamir.h"

namespace keyhold::kms {

enum class SealMethod : std::uint8_t { kShamir = 1, kPassphrase = 2, kKeyFile = 3 };

// SealMethodName returns "shamir", "passphrase" or "key_file".
std::string_view SealMethodName(SealMethod method);

struct ShareCommitmentEntry {
  std::uint8_t index = 0;
  crypto::Sha256Digest commitment{};
};

struct SealConfig {
  SealMethod method = SealMethod::kShamir;
  // kShamir
  std::uint8_t threshold = 0;
  crypto::ShareSetId set_id{};
  std::vector<ShareCommitmentEntry> shares;
  // kPassphrase
  crypto::Argon2idParams argon2id;
  // The root key wrapped under the KEK: nonce || ciphertext || tag.
  std::vector<std::uint8_t> wrapped_root;

  // EncodeBound returns every field but wrapped_root: the bytes bound into
  // the wrapped root's associated data.
  std::vector<std::uint8_t> EncodeBound() const;
  // Encode returns the whole record.
  std::vector<std::uint8_t> Encode() const;
  // Parse reads a record; malformed is kStoreCorrupt.
  static Result<SealConfig> Parse(std::span<const std::uint8_t> bytes);
};

// RootKeyAad returns the associated data of the wrapped root key:
// "keyhold-root-v1" || store id || config.EncodeBound().
std::vector<std::uint8_t> RootKeyAad(std::span<const std::uint8_t> store_id,
                                     const SealConfig& config);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SEAL_CONFIG_H_
