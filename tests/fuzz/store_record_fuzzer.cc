// store_record_fuzzer: the store's record parsers on arbitrary bytes. The
// first input byte picks the parser (0xff: import token; otherwise mod 5:
// key, version, usage, seal config, access request); the rest is the record
// body. Property: a binary body that parses is the one encoding of what it
// parsed to, so encoding again gives it back exactly (a key or usage record
// of format 1, written before BYOK, comes back as the same record in format
// 2); an access request (JSON, whose spacing and key order may vary)
// encodes to a fixed point that parses to the same. Test-only.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/secret_bytes.h"
#include "kms/approvals/access_request.h"
#include "kms/byok/import_token.h"
#include "kms/key_record.h"
#include "kms/seal_config.h"
#include "kms/version_record.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::fuzz::SameBytes;

// Each parser reports malformed bytes as kStoreCorrupt and nothing else.
template <class T>
bool ParsedOrCorrupt(const keyhold::Result<T>& result) {
  if (!result.ok()) {
    KEYHOLD_FUZZ_CHECK(result.error().code == keyhold::ErrorCode::kStoreCorrupt);
  }
  return result.ok();
}

void KeyRecord(std::span<const std::uint8_t> body) {
  auto record = keyhold::kms::ParseKeyRecord(body);
  if (!ParsedOrCorrupt(record)) {
    return;
  }
  if (body[0] == 1) {
    // Format 1 becomes format 2: the same fields, then "not exportable".
    std::vector<std::uint8_t> upgraded(body.begin(), body.end());
    upgraded[0] = 2;
    upgraded.push_back(0);
    KEYHOLD_FUZZ_CHECK(SameBytes(keyhold::kms::EncodeKeyRecord(*record), upgraded));
  } else {
    KEYHOLD_FUZZ_CHECK(SameBytes(keyhold::kms::EncodeKeyRecord(*record), body));
  }
  KEYHOLD_FUZZ_CHECK(record->primary_version >= 1);
  KEYHOLD_FUZZ_CHECK(record->primary_version <= record->latest_version);
  KEYHOLD_FUZZ_CHECK(record->min_decryption_version >= 1);
  KEYHOLD_FUZZ_CHECK(record->min_decryption_version <= record->latest_version);
}

void VersionRecord(std::span<const std::uint8_t> body) {
  auto record = keyhold::kms::ParseVersionRecord(body);
  if (!ParsedOrCorrupt(record)) {
    return;
  }
  KEYHOLD_FUZZ_CHECK(record->version >= 1);
  KEYHOLD_FUZZ_CHECK(record->material.size() == keyhold::crypto::kKeyMaterialSize);
  auto encoded = keyhold::kms::EncodeVersionRecord(*record);
  KEYHOLD_FUZZ_CHECK(encoded.ok());
  KEYHOLD_FUZZ_CHECK(SameBytes(encoded->Reveal(keyhold::crypto::SecretAccess::Get()), body));
}

void UsageRecord(std::span<const std::uint8_t> body) {
  auto record = keyhold::kms::ParseUsageRecord(body);
  if (!ParsedOrCorrupt(record)) {
    return;
  }
  if (body[0] == 1) {
    // Format 1 becomes format 2: the same fields, then no expiry.
    std::vector<std::uint8_t> upgraded(body.begin(), body.end());
    upgraded[0] = 2;
    upgraded.resize(upgraded.size() + 8, 0);
    KEYHOLD_FUZZ_CHECK(SameBytes(keyhold::kms::EncodeUsageRecord(*record), upgraded));
    KEYHOLD_FUZZ_CHECK(record->material_expires_at == 0);
  } else {
    KEYHOLD_FUZZ_CHECK(SameBytes(keyhold::kms::EncodeUsageRecord(*record), body));
  }
  KEYHOLD_FUZZ_CHECK(record->material_expires_at >= 0);
}

void ImportToken(std::span<const std::uint8_t> body) {
  auto token = keyhold::kms::ParseImportToken(body);
  if (!ParsedOrCorrupt(token)) {
    return;
  }
  auto encoded = keyhold::kms::EncodeImportToken(*token);
  KEYHOLD_FUZZ_CHECK(encoded.ok());
  KEYHOLD_FUZZ_CHECK(SameBytes(encoded->Reveal(keyhold::crypto::SecretAccess::Get()), body));
  KEYHOLD_FUZZ_CHECK(token->expires_at >= token->created_at);
  KEYHOLD_FUZZ_CHECK(token->key_bits == 3072 || token->key_bits == 4096);
}

void SealConfig(std::span<const std::uint8_t> body) {
  auto config = keyhold::kms::SealConfig::Parse(body);
  if (!ParsedOrCorrupt(config)) {
    return;
  }
  const std::vector<std::uint8_t> encoded = config->Encode();
  KEYHOLD_FUZZ_CHECK(SameBytes(encoded, body));
  // The bound part is a prefix of the record: what the root key's AAD covers
  // is exactly the record minus the wrapped root.
  const std::vector<std::uint8_t> bound = config->EncodeBound();
  KEYHOLD_FUZZ_CHECK(bound.size() + 2 + config->wrapped_root.size() == encoded.size());
  KEYHOLD_FUZZ_CHECK(SameBytes(bound, std::span(encoded).first(bound.size())));
  if (config->method == keyhold::kms::SealMethod::kShamir) {
    KEYHOLD_FUZZ_CHECK(config->threshold >= 1);
    KEYHOLD_FUZZ_CHECK(config->shares.size() >= config->threshold);
  }
}

void AccessRequest(std::span<const std::uint8_t> body) {
  auto request = keyhold::kms::DecodeAccessRequest(body);
  if (!ParsedOrCorrupt(request)) {
    return;
  }
  const std::vector<std::uint8_t> encoded = keyhold::kms::EncodeAccessRequest(*request);
  auto again = keyhold::kms::DecodeAccessRequest(encoded);
  KEYHOLD_FUZZ_CHECK(again.ok());
  KEYHOLD_FUZZ_CHECK(SameBytes(keyhold::kms::EncodeAccessRequest(*again), encoded));
  KEYHOLD_FUZZ_CHECK(keyhold::kms::IsRequestId(again->id));
  KEYHOLD_FUZZ_CHECK(again->approvals_needed >= 1 && again->approvals_needed <= 16);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> body(data + 1, size - 1);
  if (data[0] == 0xff) {
    ImportToken(body);
    return 0;
  }
  switch (data[0] % 5) {
    case 0:
      KeyRecord(body);
      break;
    case 1:
      VersionRecord(body);
      break;
    case 2:
      UsageRecord(body);
      break;
    case 3:
      SealConfig(body);
      break;
    default:
      AccessRequest(body);
      break;
  }
  return 0;
}
