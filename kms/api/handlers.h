// Handlers: the work of each route, from a decoded call to a reply, over the
// key service. Transport-free: the Api (kms/api/api.h) authenticates, parses
// and renders errors; handlers decode their body, authorise against the
// key's tenant, act and render. Grouped by resource: sys_handlers.cc,
// key_handlers.cc, token_handlers.cc, audit_handlers.cc, policy_handlers.cc
// (with the policy decision). Thread-safe.
#ifndef KEYHOLD_KMS_API_HANDLERS_H_
#define KEYHOLD_KMS_API_HANDLERS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "crypto/error.h"
#include "kms/api/json.h"
#include "kms/api/requests.h"
#include "kms/api/router.h"
#include "kms/audit/audit_log.h"
#include "kms/auth/roles.h"
#include "kms/clock.h"
#include "kms/config.h"
#include "kms/key_service.h"
#include "kms/metrics.h"
#include "kms/policy_store.h"

namespace keyhold::kms {

// AuditFacts is what a handler learnt that the audit record needs and the
// Api cannot see: set as soon as it is known, so a call that fails later
// still records it.
struct AuditFacts {
  std::string key;  // "tenant/name" when the key comes from the body
  std::optional<std::uint32_t> key_version;
  std::optional<crypto::EncryptionContext> context;
  std::optional<Justification> justification;
  // The policy involved: "document/rule" that decided a call, or
  // "document@vN" for a policy change.
  std::string policy;
  std::string access_request;  // see AuditEvent
  std::optional<ApprovalEvidence> approval;
  std::optional<std::pair<std::string, std::string>> officer_key;
  // Reverses the call if its record cannot be made durable. Only init sets
  // it: its answer is the only copy of the shares, so an init that cannot
  // be answered must not stand either.
  std::function<Status()> undo;
};

struct Call {
  const RouteMatch& route;
  const std::map<std::string, std::string>& query;
  const SecureJson* body;      // POST routes only
  const Principal* principal;  // nullptr on public routes
  AuditFacts* facts;           // never null
  std::string_view peer;       // the caller's IP address
  std::string_view raw_body;   // the body as sent (POST and PUT routes)
  std::string_view grant;      // X-Keyhold-Grant: an access request id, or empty
};

struct Reply {
  int status = 200;
  SecureJson body = SecureJson::object();
  // Set instead of `body` for the one non-JSON answer (/metrics).
  std::string text;
};

// Authorize checks a principal against a route's access rule for a tenant
// (kForbidden, naming the rule, if it fails).
Status Authorize(Access access, const Principal& principal, std::string_view tenant);

// ExportBinding is the context an access request for "export" carries, and
// the export call must match: the customer key's SHA-256 (of its DER
// SubjectPublicKeyInfo, hex), the wrapping algorithm, the version.
crypto::EncryptionContext ExportBinding(std::string_view public_key_sha256,
                                        std::string_view algorithm, std::uint32_t version);

class Handlers {
 public:
  Handlers(KeyService* service, const Config* config, Metrics* metrics, const Clock* clock,
           const AuditLog* audit, PolicyStore* policies)
      : service_(service),
        config_(config),
        metrics_(metrics),
        clock_(clock),
        audit_(audit),
        policies_(policies) {}

  Result<Reply> Sys(const Call& call);
  Result<Reply> Keys(const Call& call);
  Result<Reply> Tokens(const Call& call);
  Result<Reply> Audit(const Call& call);
  Result<Reply> Policies(const Call& call);
  Result<Reply> Requests(const Call& call);
  Result<Reply> Officers(const Call& call);
  Result<Reply> XksCredentials(const Call& call);

 private:
  // Decide applies residency, then the policies in force, to `operation`
  // on key `id`: kResidencyViolation, kPolicyDenied or kApprovalRequired
  // (naming the rule) when the call may not go ahead. `context` and
  // `justification` are the call's, when it has them.
  Status Decide(const Call& call, std::string_view operation, const crypto::KeyId& id,
                const crypto::EncryptionContext* context,
                const std::optional<Justification>& justification) const;
  // CheckResidency refuses a tenant resident in another region than this
  // instance's (or any region, when this instance has none).
  Status CheckResidency(const policies::PolicySet& set, std::string_view tenant) const;
  // Residency renders the tenant's region, or null.
  SecureJson Residency(std::string_view tenant) const;
  // NeedGrant is called when an approval rule covers a call: without a
  // grant (X-Keyhold-Grant) it refuses with kApprovalRequired naming the
  // rule; with one it spends one use of it (RequestStore::UseGrant), or
  // refuses saying why the grant does not fit.
  Status NeedGrant(const Call& call, std::string_view operation, std::string_view key,
                   const crypto::EncryptionContext* context, const policies::ApprovalRule& rule,
                   const std::string& rule_name) const;
  // CheckAdminApproval applies approval rules to an administrative
  // operation: nothing if none covers it, NeedGrant otherwise. `binding` is
  // the context the access request must have carried: what the approval is
  // for (policy-change: {policy, document_sha256}; admin-token-create:
  // {principal, tenant}).
  Status CheckAdminApproval(const Call& call, std::string_view operation,
                            const crypto::EncryptionContext& binding) const;

  KeyService* service_;
  const Config* config_;
  Metrics* metrics_;
  const Clock* clock_;
  const AuditLog* audit_;  // may be null (tests without a log)
  PolicyStore* policies_;  // never null
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_HANDLERS_H_
