// VersionRecord and UsageRecord: one master-key version as stored.
//
// The `versions` table holds the key material of each version (sealed by
// RecordSealer, so it never touches the disk in clear) with its commitment;
// the `counters` table holds the version's durable encryption reservation
// (kms/usage_budget.h) and creation time, kept apart because it changes while
// the material never does. Thread-safe (pure functions).
#ifndef KEYHOLD_KMS_VERSION_RECORD_H_
#define KEYHOLD_KMS_VERSION_RECORD_H_

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/committed_key.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::kms {

struct VersionRecord {
  std::uint32_t version = 0;
  crypto::KeyCommitment commitment{};
  crypto::SecretBytes material;  // 32 bytes
};

// EncodeVersionRecord returns the body in guarded memory (it holds the key).
Result<crypto::SecretBytes> EncodeVersionRecord(const VersionRecord& record);

// ParseVersionRecord parses a body; malformed is kStoreCorrupt.
Result<VersionRecord> ParseVersionRecord(std::span<const std::uint8_t> body);

struct UsageRecord {
  std::uint64_t reserved_encryptions = 0;
  std::int64_t created_at = 0;
  // Imported material only: unusable from this time on (unix seconds);
  // 0, never. A re-import of the same material moves it.
  std::int64_t material_expires_at = 0;
};

// EncodeUsageRecord writes format 2; ParseUsageRecord also reads format 1
// (no expiry).

std::vector<std::uint8_t> EncodeUsageRecord(const UsageRecord& record);
Result<UsageRecord> ParseUsageRecord(std::span<const std::uint8_t> body);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_VERSION_RECORD_H_
