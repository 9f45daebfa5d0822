// Router: maps a method and path to a route of API v1 (docs/api.md), with
// what the route requires of its caller. One table decides every route.
// Path segments that name a key are validated here (TENANT, NAME rules of
// crypto/key_id.h), so handlers only ever see valid ids. Thread-safe.
#ifndef KEYHOLD_KMS_API_ROUTER_H_
#define KEYHOLD_KMS_API_ROUTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "kms/auth/roles.h"

namespace keyhold::kms {

enum class RouteId : std::uint8_t {
  kSysInit,
  kSysUnseal,
  kSysSeal,
  kSysSealStatus,
  kSysHealth,
  kHealthLive,
  kHealthReady,
  kMetrics,
  kKeysCreate,
  kKeysList,
  kKeyShow,
  kKeyRotate,
  kKeyEnable,
  kKeyDisable,
  kKeyConfig,
  kKeyScheduleDeletion,
  kKeyCancelDeletion,
  kKeyWrap,
  kKeyUnwrap,
  kKeyRewrap,
  kKeyGenerateDataKey,
  kKeyImportParams,
  kKeyImport,
  kKeyExport,
  kTokensCreate,
  kTokensList,
  kTokenRevoke,
  kAuditRead,
  kPoliciesList,
  kPolicyShow,
  kPolicyPut,
  kRequestsCreate,
  kRequestsList,
  kRequestShow,
  kRequestApprove,
  kRequestDeny,
  kOfficersList,
  kOfficerEnrol,
  kOfficerRemove,
  kXksCredentialsCreate,
  kXksCredentialsList,
  kXksCredentialRevoke,
};

// Access says who may call a route.
enum class Access : std::uint8_t {
  kPublic,        // no credential (health, seal status, init, unseal, metrics)
  kKeyRead,       // admin, app or auditor of the key's tenant
  kKeyAdmin,      // admin of the key's tenant
  kKeyUse,        // app of the key's tenant
  kGlobalAdmin,   // admin of tenant "*"
  kAuditRead,     // auditor: every record, or those of its tenant's keys
  kPolicyRead,    // admin, officer or auditor of tenant "*" (policies span tenants)
  kAnyPrincipal,  // any authenticated principal; the handler decides (access requests)
};

struct RouteMatch {
  RouteId id;
  Access access;
  std::string_view name;             // the route's template, e.g. "/v1/keys/{tenant}/{name}/wrap"
  bool has_body;                     // POST and PUT routes read a JSON body
  std::optional<crypto::KeyId> key;  // for /v1/keys/{tenant}/{name}/...
  std::string accessor;              // for /v1/tokens/{accessor}/revoke
  std::string policy;                // for /v1/policies/{policy}, a valid name
  std::string resource;              // {id} of a request, or {officer} (a principal)
  bool changes_state = false;        // audited before it acts (an intent record)
};

// MatchRoute finds the route of `method` (e.g. "POST") and `path` (no
// query). kNotFound for an unknown path; kMethodNotAllowed (with the allowed
// method in `*allow`) for a known path and another method; kInvalidKeyId for
// a key path whose tenant or name breaks the rules; kInvalidRequest for a
// policy path whose name breaks them.
Result<RouteMatch> MatchRoute(std::string_view method, std::string_view path, std::string* allow);

// ParseQuery splits "a=1&b=2" into a map. Percent-escapes are refused
// (nothing in Keyhold's queries needs them); a repeated name is an error.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_ROUTER_H_
