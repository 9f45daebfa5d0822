#include "kms/version_record.h"

#include <algorithm>

#include "crypto/byte_reader.h"

namespace keyhold::kms {
namespace {

constexpr std::uint8_t kVersionRecordFormat = 1;
constexpr std::uint8_t kUsageRecordFormatV1 = 1;
constexpr std::uint8_t kUsageRecordFormat = 2;  // adds material_expires_at
constexpr std::size_t kVersionBodySize = 1 + 4 + 32 + crypto::kKeyMaterialSize;

Error Malformed(const char* what) {
  return MakeError(ErrorCode::kStoreCorrupt, std::string("a ") + what + " record is malformed");
}

}  // namespace

Result<crypto::SecretBytes> EncodeVersionRecord(const VersionRecord& record) {
  if (record.material.size() != crypto::kKeyMaterialSize) {
    return MakeError(ErrorCode::kInternal, "key material must be 256 bits");
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body,
                           crypto::SecretBytes::Allocate(kVersionBodySize));
  const auto access = crypto::SecretAccess::Get();
  auto out = body.RevealMutable(access);
  out[0] = kVersionRecordFormat;
  for (int i = 0; i < 4; ++i) {
    out[1 + i] = static_cast<std::uint8_t>(record.version >> (24 - 8 * i));
  }
  std::ranges::copy(record.commitment, out.begin() + 5);
  std::ranges::copy(record.material.Reveal(access), out.begin() + 37);
  return body;
}

Result<VersionRecord> ParseVersionRecord(std::span<const std::uint8_t> body) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  VersionRecord record;
  std::span<const std::uint8_t> commitment;
  std::span<const std::uint8_t> material;
  if (!r.ReadU8(&format) || format != kVersionRecordFormat || !r.ReadU32(&record.version) ||
      record.version == 0 || !r.ReadBytes(32, &commitment) ||
      !r.ReadBytes(crypto::kKeyMaterialSize, &material) || !r.Done()) {
    return Malformed("version");
  }
  std::ranges::copy(commitment, record.commitment.begin());
  KEYHOLD_ASSIGN_OR_RETURN(record.material, crypto::SecretBytes::CopyFrom(material));
  return record;
}

std::vector<std::uint8_t> EncodeUsageRecord(const UsageRecord& record) {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kUsageRecordFormat);
  w.PutU64(record.reserved_encryptions);
  w.PutU64(static_cast<std::uint64_t>(record.created_at));
  w.PutU64(static_cast<std::uint64_t>(record.material_expires_at));
  return out;
}

Result<UsageRecord> ParseUsageRecord(std::span<const std::uint8_t> body) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  UsageRecord record;
  std::uint64_t created = 0;
  std::uint64_t expires = 0;
  bool ok = r.ReadU8(&format) && (format == kUsageRecordFormat || format == kUsageRecordFormatV1) &&
            r.ReadU64(&record.reserved_encryptions) && r.ReadU64(&created);
  if (ok && format == kUsageRecordFormat) {
    ok = r.ReadU64(&expires) && expires <= static_cast<std::uint64_t>(INT64_MAX);
  }
  if (!ok || !r.Done()) {
    return Malformed("usage");
  }
  record.created_at = static_cast<std::int64_t>(created);
  record.material_expires_at = static_cast<std::int64_t>(expires);
  return record;
}

}  // namespace keyhold::kms
