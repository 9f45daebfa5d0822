#include "policies/approval_digest.h"

#include <vector>

#include "crypto/hex.h"

namespace keyhold::policies {
std::string ContextDigestHex(const crypto::EncryptionContext& context) {
  std::vector<std::uint8_t> canonical;
  context.AppendCanonical(&canonical);
  return crypto::HexEncode(crypto::Sha256({canonical}));
}

std::string ApprovalText(const ApprovalSubject& s) {
  // Fields are validated where they come from (request ids are hex, names
  // and operations have no newline), so each line is unambiguous.
  std::string t = "keyhold-approval-v1\n";
  t += "request:" + s.request_id + "\n";
  t += "operation:" + s.operation + "\n";
  t += "key:" + s.key + "\n";
  t += "version:" + (s.key_version ? std::to_string(*s.key_version) : std::string("any")) + "\n";
  t += "context:" + ContextDigestHex(s.context) + "\n";
  t += "requester:" + s.requester + "\n";
  t += "window:" + std::to_string(s.not_before) + "-" + std::to_string(s.not_after) + "\n";
  t += "expires:" + std::to_string(s.expires_at) + "\n";
  t += "reason:" + s.reason_code + "\n";
  t += "uses:" + std::to_string(s.grant_uses) + "\n";
  t += "grant_ttl:" + std::to_string(s.grant_ttl_s) + "\n";
  return t;
}

crypto::Sha256Digest ApprovalDigest(const ApprovalSubject& subject) {
  const std::string text = ApprovalText(subject);
  return crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
}

}  // namespace keyhold::policies
