// RecordSealer: seals every record the key store writes under a key derived
// from the root key, and refuses any record that was altered, truncated,
// swapped with another record or written under another root key.
//
// Record layout (docs/formats.md): u8 format=1 | 32-byte salt | 12-byte nonce
// | ciphertext | 16-byte tag. Each record gets its own AES-256-GCM key,
// HKDF-SHA-256(store key, salt, "keyhold/v1/record"), so the store key has no
// message budget to exhaust. The associated data binds the record format, the
// table and the LMDB key: a valid record copied under another key or table
// fails to open. Thread-safe (immutable after Create).
#ifndef KEYHOLD_KMS_RECORD_SEALER_H_
#define KEYHOLD_KMS_RECORD_SEALER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/store.h"

namespace keyhold::kms {

class RecordSealer {
 public:
  // Create derives the store key from the 32-byte root key.
  static Result<std::unique_ptr<RecordSealer>> Create(const crypto::SecretBytes& root_key);

  // Seal returns the sealed record for `body` stored at (`table`, `key`).
  Result<std::vector<std::uint8_t>> Seal(Table table, Bytes key, Bytes body) const;

  // Open authenticates and decrypts the record at (`table`, `key`). Any
  // failure is kStoreCorrupt: the store was altered or belongs to another
  // root key.
  Result<crypto::SecretBytes> Open(Table table, Bytes key, Bytes record) const;

 private:
  explicit RecordSealer(crypto::SecretBytes store_key) : store_key_(std::move(store_key)) {}
  crypto::SecretBytes store_key_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_RECORD_SEALER_H_
