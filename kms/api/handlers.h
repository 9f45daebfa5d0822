// Handlers: the work of each route, from a decoded call to a reply, over the
// key service. Transport-free: the Api (kms/api/api.h) authenticates, parses
// and renders errors; handlers decode their body, authorise against the
// key's tenant, act and render. Grouped by resource: sys_handlers.cc,
// key_handlers.cc, token_handlers.cc, audit_handlers.cc. Thread-safe.
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

namespace keyhold::kms {

// AuditFacts is what a handler learnt that the audit record needs and the
// Api cannot see: set as soon as it is known, so a call that fails later
// still records it.
struct AuditFacts {
  std::string key;  // "tenant/name" when the key comes from the body
  std::optional<std::uint32_t> key_version;
  std::optional<crypto::EncryptionContext> context;
  std::optional<Justification> justification;
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

class Handlers {
 public:
  Handlers(KeyService* service, const Config* config, Metrics* metrics, const Clock* clock,
           const AuditLog* audit)
      : service_(service), config_(config), metrics_(metrics), clock_(clock), audit_(audit) {}

  Result<Reply> Sys(const Call& call);
  Result<Reply> Keys(const Call& call);
  Result<Reply> Tokens(const Call& call);
  Result<Reply> Audit(const Call& call);

 private:
  KeyService* service_;
  const Config* config_;
  Metrics* metrics_;
  const Clock* clock_;
  const AuditLog* audit_;  // may be null (tests without a log)
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_HANDLERS_H_
