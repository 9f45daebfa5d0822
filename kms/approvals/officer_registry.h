// OfficerRegistry: the security officers whose approvals count, each with
// the Ed25519 public key that must sign them. A global admin enrols an
// officer's key (read out of band from the officer), so that approving needs
// both the officer's token and the private key only the officer holds.
// Removing an officer makes its approvals of still-pending requests stop
// counting. Records are sealed in the store; every change is durable before
// it returns. Thread-safe (LMDB serialises writers).
#ifndef KEYHOLD_KMS_APPROVALS_OFFICER_REGISTRY_H_
#define KEYHOLD_KMS_APPROVALS_OFFICER_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/error.h"
#include "kms/clock.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

struct Officer {
  std::string principal;
  crypto::Ed25519PublicKey public_key{};
  std::int64_t enrolled_at = 0;
  std::string enrolled_by;
};

class OfficerRegistry {
 public:
  OfficerRegistry(Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock)
      : store_(store), sealer_(std::move(sealer)), clock_(clock) {}

  // Enrol binds `public_key` to `principal` (replacing an earlier key).
  // kInvalidRequest for a bad principal name.
  Result<Officer> Enrol(std::string_view principal, const crypto::Ed25519PublicKey& public_key,
                        std::string_view by);
  // Remove forgets an officer; kNotFound if none is enrolled.
  Status Remove(std::string_view principal);
  Result<std::vector<Officer>> List();

  // FindInTxn reads an officer inside a caller's transaction, so that a
  // decision and the enrolment it relies on are one consistent view.
  static Result<std::optional<Officer>> FindInTxn(ReadTxn& txn, const RecordSealer& sealer,
                                                  std::string_view principal);

 private:
  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  const Clock* clock_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_APPROVALS_OFFICER_REGISTRY_H_
