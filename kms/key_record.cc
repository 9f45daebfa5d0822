#include "kms/key_record.h"

#include "crypto/byte_reader.h"

namespace keyhold::kms {
namespace {
// Format 2 adds the exportable flag; format 1 records are still read.
constexpr std::uint8_t kKeyRecordFormatV1 = 1;
constexpr std::uint8_t kKeyRecordFormat = 2;
}  // namespace

std::string_view KeyOriginName(KeyOrigin origin) {
  switch (origin) {
    case KeyOrigin::kGenerated:
      return "generated";
    case KeyOrigin::kExternal:
      return "external";
  }
  return "unknown";
}

std::vector<std::uint8_t> EncodeKeyRecord(const KeyRecord& r) {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kKeyRecordFormat);
  w.PutU8(static_cast<std::uint8_t>(r.state));
  w.PutU8(static_cast<std::uint8_t>(r.origin));
  w.PutU32(r.primary_version);
  w.PutU32(r.min_decryption_version);
  w.PutU32(r.latest_version);
  w.PutU64(static_cast<std::uint64_t>(r.created_at));
  w.PutU64(static_cast<std::uint64_t>(r.updated_at));
  w.PutU64(static_cast<std::uint64_t>(r.last_rotated_at));
  w.PutU64(r.rotation_period_s);
  w.PutU64(static_cast<std::uint64_t>(r.deletion_at));
  w.PutU8(r.exportable ? 1 : 0);
  return out;
}

Result<KeyRecord> ParseKeyRecord(std::span<const std::uint8_t> body) {
  crypto::ByteReader rd(body);
  KeyRecord r;
  std::uint8_t format = 0;
  std::uint8_t state = 0;
  std::uint8_t origin = 0;
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t rotated = 0;
  std::uint64_t deletion = 0;
  std::uint8_t exportable = 0;
  bool ok =
      rd.ReadU8(&format) && (format == kKeyRecordFormat || format == kKeyRecordFormatV1) &&
      rd.ReadU8(&state) && ParseKeyState(state, &r.state) && rd.ReadU8(&origin) &&
      (origin == static_cast<std::uint8_t>(KeyOrigin::kGenerated) ||
       (format == kKeyRecordFormat && origin == static_cast<std::uint8_t>(KeyOrigin::kExternal))) &&
      rd.ReadU32(&r.primary_version) && rd.ReadU32(&r.min_decryption_version) &&
      rd.ReadU32(&r.latest_version) && rd.ReadU64(&created) && rd.ReadU64(&updated) &&
      rd.ReadU64(&rotated) && rd.ReadU64(&r.rotation_period_s) && rd.ReadU64(&deletion);
  if (ok && format == kKeyRecordFormat) {
    ok = rd.ReadU8(&exportable) && exportable <= 1;
  }
  ok = ok && rd.Done();
  // Cross-field rules that every writer maintains; a record breaking them was
  // not written by Keyhold.
  if (!ok || r.latest_version == 0 || r.primary_version == 0 ||
      r.primary_version > r.latest_version || r.min_decryption_version == 0 ||
      r.min_decryption_version > r.latest_version) {
    return MakeError(ErrorCode::kStoreCorrupt, "a key record is malformed");
  }
  r.origin = static_cast<KeyOrigin>(origin);
  r.created_at = static_cast<std::int64_t>(created);
  r.updated_at = static_cast<std::int64_t>(updated);
  r.last_rotated_at = static_cast<std::int64_t>(rotated);
  r.deletion_at = static_cast<std::int64_t>(deletion);
  r.exportable = exportable == 1;
  return r;
}

std::vector<std::uint8_t> KeyRecordKey(const crypto::KeyId& id) {
  const std::string s = id.ToString();
  return {s.begin(), s.end()};
}

std::vector<std::uint8_t> VersionPrefix(const crypto::KeyId& id) {
  std::vector<std::uint8_t> key = KeyRecordKey(id);
  key.push_back(0);
  return key;
}

std::vector<std::uint8_t> VersionRecordKey(const crypto::KeyId& id, std::uint32_t version) {
  std::vector<std::uint8_t> key = VersionPrefix(id);
  crypto::ByteWriter(&key).PutU32(version);
  return key;
}

}  // namespace keyhold::kms
