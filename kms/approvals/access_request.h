// AccessRequest: a principal's request to perform one operation that an
// approval rule covers, the officers' signed approvals of it, and the grant
// it becomes at quorum (docs/policies.md, "Access requests"). The record is
// sealed in the store like every other; its body is versioned JSON.
//
// A request is pending until `approvals_needed` distinct officers approved
// it (then it is approved and carries a grant), one officer denied it, or it
// expired. The grant lets the requester's call that matches the request
// exactly (operation, key, context) run inside the window, at most
// `grant_uses` times. Thread-safe (value type).
#ifndef KEYHOLD_KMS_APPROVALS_ACCESS_REQUEST_H_
#define KEYHOLD_KMS_APPROVALS_ACCESS_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "policies/approval_digest.h"

namespace keyhold::kms {

struct Approval {
  std::string officer;
  std::string signature;  // base64 of the 64-byte Ed25519 signature (deny: empty)
  std::string comment;
  std::int64_t at = 0;
};

struct AccessRequest {
  std::string id;  // 32 hex
  std::string requester;
  std::string requester_tenant;
  std::string operation;
  std::string key;  // "tenant/name"; empty for admin operations
  crypto::EncryptionContext context;
  std::int64_t not_before = 0;  // the window the grant may be used in
  std::int64_t not_after = 0;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  // a pending request expires here
  std::string justification_code;
  std::string justification_text;
  // From the approval rule, fixed when the request is made.
  std::string rule;
  std::uint32_t approvals_needed = 2;
  std::string approver_role = "officer";
  std::uint64_t grant_ttl_s = 3600;
  std::uint32_t grant_uses = 1;
  // What happened to it.
  std::vector<Approval> approvals;
  std::optional<Approval> denial;
  std::int64_t approved_at = 0;  // when quorum was reached; 0 before
  std::uint32_t uses = 0;

  // Subject is what an approval signs (policies/approval_digest.h).
  policies::ApprovalSubject Subject() const;
  // GrantUntil is when the grant ends: the window's end or the grant's
  // lifetime from quorum, whichever is first.
  std::int64_t GrantUntil() const;
  // Status at `now`: "pending", "approved" (a grant usable now or later),
  // "denied", "expired" (never approved in time) or "spent" (the grant
  // ended or was used up).
  std::string Status(std::int64_t now) const;
};

// EncodeAccessRequest / DecodeAccessRequest convert the stored body
// (a format byte, then JSON). Decode fails with kStoreCorrupt.
std::vector<std::uint8_t> EncodeAccessRequest(const AccessRequest& request);
Result<AccessRequest> DecodeAccessRequest(std::span<const std::uint8_t> body);

// IsRequestId is true for 32 lower-case hex digits.
bool IsRequestId(std::string_view id);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_APPROVALS_ACCESS_REQUEST_H_
