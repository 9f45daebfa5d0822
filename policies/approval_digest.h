// ApprovalDigest: the exact bytes an officer signs to approve an access
// request (docs/policies.md, "Access requests"). Everything the approval
// lets happen is in it, so a signature cannot be moved to another request,
// key, operation, context, requester, window, expiry, reason or grant size:
// any change gives other bytes. The CLI builds it from the request's fields itself and the
// server rebuilds it from its own record; neither trusts the other's copy.
//
//   keyhold-approval-v1\n
//   request:<32 hex>\n operation:<op>\n key:<tenant/name or empty>\n
//   version:<n or any>\n context:<64 hex: SHA-256 of the canonical
//   context>\n requester:<principal>\n window:<not_before>-<not_after>\n
//   expires:<unix seconds>\n reason:<justification reason code>\n
//   uses:<grant uses>\n grant_ttl:<seconds>\n
//
// then SHA-256 of that text is what is signed (Ed25519). Pure, thread-safe.
// May include: std, crypto/.
#ifndef KEYHOLD_POLICIES_APPROVAL_DIGEST_H_
#define KEYHOLD_POLICIES_APPROVAL_DIGEST_H_

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/encryption_context.h"
#include "crypto/sha256.h"

namespace keyhold::policies {

struct ApprovalSubject {
  std::string request_id;
  std::string operation;
  std::string key;                           // empty for admin operations
  std::optional<std::uint32_t> key_version;  // nullopt: any version
  crypto::EncryptionContext context;
  std::string requester;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  std::int64_t expires_at = 0;
  std::string reason_code;
  std::uint32_t grant_uses = 1;
  std::uint64_t grant_ttl_s = 0;
};

// ApprovalText returns the canonical text above.
std::string ApprovalText(const ApprovalSubject& subject);

// ApprovalDigest returns SHA-256 of ApprovalText: the message an officer's
// Ed25519 key signs.
crypto::Sha256Digest ApprovalDigest(const ApprovalSubject& subject);

// ContextDigestHex returns the hex SHA-256 of a context's canonical
// encoding (crypto/encryption_context.h).
std::string ContextDigestHex(const crypto::EncryptionContext& context);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_APPROVAL_DIGEST_H_
