// KeyRecord: a master key's metadata as stored in the `keys` table, and the
// LMDB keys of every per-key table. The record body is sealed by
// RecordSealer, so it is authenticated as well as private. Thread-safe
// (value type and pure functions).
#ifndef KEYHOLD_KMS_KEY_RECORD_H_
#define KEYHOLD_KMS_KEY_RECORD_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "kms/key_lifecycle.h"

namespace keyhold::kms {

enum class KeyOrigin : std::uint8_t {
  kGenerated = 1,  // AES-256 generated inside Keyhold
  kExternal = 2,   // imported (BYOK): every version's material came from outside
};

// KeyOriginName returns the API spelling ("generated", "external").
std::string_view KeyOriginName(KeyOrigin origin);

struct KeyRecord {
  KeyState state = KeyState::kEnabled;
  KeyOrigin origin = KeyOrigin::kGenerated;
  std::uint32_t primary_version = 0;         // the version that wraps
  std::uint32_t min_decryption_version = 1;  // older versions no longer unwrap
  std::uint32_t latest_version = 0;          // versions 1..latest exist (until destroyed)
  std::int64_t created_at = 0;               // unix seconds
  std::int64_t updated_at = 0;
  std::int64_t last_rotated_at = 0;
  std::uint64_t rotation_period_s = 0;  // 0: no periodic rotation
  std::int64_t deletion_at = 0;         // when pending_deletion ends; 0 otherwise
  // Set at creation only: the material may leave, wrapped, after approval.
  bool exportable = false;

  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

// EncodeKeyRecord returns the record body (format 2, docs/formats.md).
std::vector<std::uint8_t> EncodeKeyRecord(const KeyRecord& record);

// ParseKeyRecord parses a body of format 2, or of format 1 (written before
// BYOK: a generated key, not exportable); a malformed one is kStoreCorrupt.
Result<KeyRecord> ParseKeyRecord(std::span<const std::uint8_t> body);

// KeyRecordKey is the `keys` table key: "TENANT/NAME".
std::vector<std::uint8_t> KeyRecordKey(const crypto::KeyId& id);

// VersionRecordKey is the `versions` and `counters` table key:
// "TENANT/NAME" 0x00 u32be(version). The NUL keeps one key's versions
// together and apart from every other key's (names contain no NUL).
std::vector<std::uint8_t> VersionRecordKey(const crypto::KeyId& id, std::uint32_t version);

// VersionPrefix is the common prefix of all VersionRecordKeys of `id`.
std::vector<std::uint8_t> VersionPrefix(const crypto::KeyId& id);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_KEY_RECORD_H_
