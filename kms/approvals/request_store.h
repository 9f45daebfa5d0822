// RequestStore: access requests, their approvals and the use of their
// grants, durable in the store (an acknowledged approval survives kill -9).
// Every change is one LMDB write transaction that re-reads the request,
// checks, and commits, so two officers approving at once, or two calls
// racing for a single-use grant, are serialised: each use is counted once,
// and a grant of N uses runs at most N calls. Thread-safe.
#ifndef KEYHOLD_KMS_APPROVALS_REQUEST_STORE_H_
#define KEYHOLD_KMS_APPROVALS_REQUEST_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "kms/approvals/access_request.h"
#include "kms/auth/roles.h"
#include "kms/clock.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

// GrantUse is the call that wants to use a grant.
struct GrantUse {
  std::string_view principal;
  std::string_view operation;
  std::string_view key;
  const crypto::EncryptionContext* context = nullptr;  // nullptr: the empty context
};

class RequestStore {
 public:
  RequestStore(Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock)
      : store_(store), sealer_(std::move(sealer)), clock_(clock) {}

  // Create stores `draft` as a new pending request: it gets an id,
  // created_at and expires_at (now + `request_ttl_s`).
  Result<AccessRequest> Create(AccessRequest draft, std::uint64_t request_ttl_s);
  // Get returns a request; kNotFound for an unknown id.
  Result<AccessRequest> Get(std::string_view id);
  // List returns the requests `keep` accepts, oldest first, at most `limit`.
  Result<std::vector<AccessRequest>> List(const std::function<bool(const AccessRequest&)>& keep,
                                          std::size_t limit);

  // Approve records `officer`'s approval, signed over the request's
  // ApprovalDigest, and grants the request when quorum is reached.
  // Refused: kNotFound; kRequestClosed (not pending: approved, denied or
  // expired, or its window over); kApprovalRefused (the officer is the
  // requester, approved it already, lacks the rule's approver role, or is
  // not enrolled); kInvalidSignature. Only approvals that verify under
  // their officer's currently enrolled key count towards quorum.
  // `signed_with` (optional) receives the enrolled key the signature was
  // checked with, read in the same transaction (for the audit record).
  Result<AccessRequest> Approve(std::string_view id, const Principal& officer,
                                std::span<const std::uint8_t> signature, std::string comment,
                                crypto::Ed25519PublicKey* signed_with = nullptr);
  // Deny closes a pending request, or withdraws an approved one's grant
  // (uses not yet spent); the same refusals as Approve but the signature
  // and "already approved" (an officer may change its mind).
  Result<AccessRequest> Deny(std::string_view id, const Principal& officer, std::string comment);

  // UseGrant spends one use of request `id`'s grant on `use`, durably,
  // before the call acts. kApprovalRequired (saying what does not match)
  // unless the request is granted to this principal for exactly this
  // operation, key and context, now is inside its window, and uses remain.
  Result<AccessRequest> UseGrant(std::string_view id, const GrantUse& use);

 private:
  Result<AccessRequest> Load(ReadTxn& txn, std::string_view id);
  Status Save(WriteTxn& txn, const AccessRequest& request);
  // Decide is Approve and Deny's shared path.
  Result<AccessRequest> Decide(std::string_view id, const Principal& officer,
                               std::span<const std::uint8_t> signature, std::string comment,
                               bool approve, crypto::Ed25519PublicKey* signed_with);

  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  const Clock* clock_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_APPROVALS_REQUEST_STORE_H_
