// audit_query_fuzzer: the query string of GET /v1/audit on arbitrary bytes:
// kms::ParseQuery, then kms::DecodeAuditQuery, and kms::ParseAuditTime on
// the whole input. Properties:
//   - nothing throws; errors are kInvalidRequest or kInvalidKeyId only;
//   - a decoded query obeys its bounds (limit 1-1000, a key that is a valid
//     key id, a principal of 1-128 bytes), and each time it holds is the
//     one ParseAuditTime reads from the parameter;
//   - a time ParseAuditTime accepts renders back (Rfc3339Micros) to text it
//     reads as the same instant: no two spellings of one time disagree.
// Test-only.
#include <cstddef>
#include <cstdint>

#include "crypto/key_id.h"
#include "kms/api/requests.h"
#include "kms/api/router.h"
#include "kms/audit/audit_record.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::ErrorCode;

void Check(std::string_view text) {
  if (auto us = keyhold::kms::ParseAuditTime(text)) {
    const auto again = keyhold::kms::ParseAuditTime(keyhold::kms::Rfc3339Micros(*us));
    KEYHOLD_FUZZ_CHECK(again && *again == *us);
  }
  auto query = keyhold::kms::ParseQuery(text);
  if (!query.ok()) {
    KEYHOLD_FUZZ_CHECK(query.error().code == ErrorCode::kInvalidRequest);
    return;
  }
  auto decoded = keyhold::kms::DecodeAuditQuery(*query);
  if (!decoded.ok()) {
    KEYHOLD_FUZZ_CHECK(decoded.error().code == ErrorCode::kInvalidRequest ||
                       decoded.error().code == ErrorCode::kInvalidKeyId);
    return;
  }
  KEYHOLD_FUZZ_CHECK(decoded->limit >= 1 && decoded->limit <= 1000);
  const auto& f = decoded->filter;
  if (!f.key.empty()) {
    const std::size_t slash = f.key.find('/');
    KEYHOLD_FUZZ_CHECK(slash != std::string::npos);
    KEYHOLD_FUZZ_CHECK(
        keyhold::crypto::KeyId::Create(f.key.substr(0, slash), f.key.substr(slash + 1)).ok());
  }
  KEYHOLD_FUZZ_CHECK(f.principal.size() <= 128);
  KEYHOLD_FUZZ_CHECK(f.tenant.empty());  // set by the handler, never by the caller
  for (const char* name : {"since", "until"}) {
    const auto it = query->find(name);
    const std::int64_t held = std::string_view(name) == "since" ? f.since_us : f.until_us;
    if (it != query->end()) {
      const auto us = keyhold::kms::ParseAuditTime(it->second);
      KEYHOLD_FUZZ_CHECK(us && *us == held);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, Check);
}
