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
//   Q <request id>                access request created (acknowledged)
//   P <request id> <n>            its n-th officer approval (acknowledged;
//                                 at n = kApprovals it is granted)
//   A <request id>                audit record durable (acknowledged)
//   F <finding>                   the audit check at unseal found a problem
#ifndef KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_
#define KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_

#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/secret_bytes.h"
#include "kms/audit/audit_log.h"
#include "kms/auth/roles.h"
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

// The officers who approve the worker's access requests: enrolled by the
// worker when missing, with keys from fixed seeds so that every run (and
// the driver) knows them. Two approvals grant a request.
inline constexpr int kApprovals = 2;
inline std::string OfficerName(int i) {
  return "crash-officer-" + std::to_string(i);
}
inline crypto::Ed25519Signer OfficerSigner(int i) {
  auto seed = crypto::SecretBytes::CopyFrom(
      std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(0xc0 + i)));
  return crypto::Ed25519Signer::FromSeed(*seed).value();
}
inline kms::Principal Officer(int i) {
  return kms::Principal{OfficerName(i), "*", kms::RoleSet::Of({kms::Role::kOfficer}), "token", ""};
}

}  // namespace keyhold::crash

#endif  // KEYHOLD_TESTS_CRASH_CRASH_PROTOCOL_H_
