// The line protocol between the crash worker and the crash driver. The
// worker writes one line per event with a single write(2), so a line is
// either whole or (if the kill lands inside the write) missing its newline
// and ignored:
//
//   READY                         store open and unsealed
//   I                             store initialised (acknowledged)
//   C <key>                       key created (acknowledged)
//   R <key> <version>             rotated to <version> (acknowledged)
//   T <key> <state>               about to change the state (intent)
//   S <key> <state>               state changed (acknowledged)
//   W <key> <version> <b64 blob> <b64 plaintext>   wrap (acknowledged)
//   A <request id>                audit record durable (acknowledged)
//   F <finding>                   the audit check at unseal found a problem
#ifndef KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_
#define KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_

#include "kms/audit/audit_log.h"
#include "kms/key_service.h"

namespace keyhold::crash {

// Options shared by worker and driver so that both open the store alike.
// A small reservation block makes crashes land inside blocks often.
inline kms::KeyServiceOptions StoreOptions(const std::filesystem::path& dir) {
  kms::KeyServiceOptions o;
  o.store.dir = dir / "store";
  o.seal.dev_mode = true;
  o.keyring.budget = kms::BudgetLimits{1ULL << 30, 1ULL << 32, 4};
  return o;
}

// Small files so that kills also land around rotations.
inline kms::AuditLogOptions AuditOptions(const std::filesystem::path& dir) {
  kms::AuditLogOptions o;
  o.dir = dir / "audit";
  o.max_file_bytes = 256 * 1024;
  return o;
}

inline std::filesystem::path KeyFile(const std::filesystem::path& dir) {
  return dir / "unseal.key";
}

inline constexpr const char* kTenant = "crash";

}  // namespace keyhold::crash

#endif  // KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_
