#include "kms/api/router.h"

#include <array>
#include <vector>

#include "policies/policy.h"

namespace keyhold::kms {
namespace {

struct Route {
  const char* method;
  const char* pattern;  // segments; "{tenant}", "{name}", "{accessor}" capture
  RouteId id;
  Access access;
  // The route changes stored state: its intent is audited before it acts.
  bool changes_state = false;
};

constexpr std::array kRoutes = {
    Route{"POST", "/v1/sys/init", RouteId::kSysInit, Access::kPublic, true},
    Route{"POST", "/v1/sys/unseal", RouteId::kSysUnseal, Access::kPublic},
    Route{"POST", "/v1/sys/seal", RouteId::kSysSeal, Access::kGlobalAdmin},
    Route{"GET", "/v1/sys/seal-status", RouteId::kSysSealStatus, Access::kPublic},
    Route{"GET", "/v1/sys/health", RouteId::kSysHealth, Access::kPublic},
    Route{"GET", "/v1/health/live", RouteId::kHealthLive, Access::kPublic},
    Route{"GET", "/v1/health/ready", RouteId::kHealthReady, Access::kPublic},
    Route{"GET", "/metrics", RouteId::kMetrics, Access::kPublic},
    Route{"POST", "/v1/keys", RouteId::kKeysCreate, Access::kKeyAdmin, true},
    Route{"GET", "/v1/keys", RouteId::kKeysList, Access::kKeyRead},
    Route{"GET", "/v1/keys/{tenant}/{name}", RouteId::kKeyShow, Access::kKeyRead},
    Route{"POST", "/v1/keys/{tenant}/{name}/rotate", RouteId::kKeyRotate, Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/enable", RouteId::kKeyEnable, Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/disable", RouteId::kKeyDisable, Access::kKeyAdmin,
          true},
    Route{"POST", "/v1/keys/{tenant}/{name}/config", RouteId::kKeyConfig, Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/schedule-deletion", RouteId::kKeyScheduleDeletion,
          Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/cancel-deletion", RouteId::kKeyCancelDeletion,
          Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/wrap", RouteId::kKeyWrap, Access::kKeyUse},
    Route{"POST", "/v1/keys/{tenant}/{name}/unwrap", RouteId::kKeyUnwrap, Access::kKeyUse},
    Route{"POST", "/v1/keys/{tenant}/{name}/rewrap", RouteId::kKeyRewrap, Access::kKeyUse},
    Route{"POST", "/v1/keys/{tenant}/{name}/generate-data-key", RouteId::kKeyGenerateDataKey,
          Access::kKeyUse},
    Route{"POST", "/v1/keys/{tenant}/{name}/import-params", RouteId::kKeyImportParams,
          Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/import", RouteId::kKeyImport, Access::kKeyAdmin, true},
    Route{"POST", "/v1/keys/{tenant}/{name}/export", RouteId::kKeyExport, Access::kKeyAdmin},
    Route{"POST", "/v1/tokens", RouteId::kTokensCreate, Access::kGlobalAdmin, true},
    Route{"GET", "/v1/tokens", RouteId::kTokensList, Access::kGlobalAdmin},
    Route{"POST", "/v1/tokens/{accessor}/revoke", RouteId::kTokenRevoke, Access::kGlobalAdmin,
          true},
    Route{"POST", "/v1/xks/credentials", RouteId::kXksCredentialsCreate, Access::kGlobalAdmin,
          true},
    Route{"GET", "/v1/xks/credentials", RouteId::kXksCredentialsList, Access::kGlobalAdmin},
    Route{"POST", "/v1/xks/credentials/{accessor}/revoke", RouteId::kXksCredentialRevoke,
          Access::kGlobalAdmin, true},
    Route{"GET", "/v1/audit", RouteId::kAuditRead, Access::kAuditRead},
    Route{"GET", "/v1/policies", RouteId::kPoliciesList, Access::kPolicyRead},
    Route{"GET", "/v1/policies/{policy}", RouteId::kPolicyShow, Access::kPolicyRead},
    Route{"PUT", "/v1/policies/{policy}", RouteId::kPolicyPut, Access::kGlobalAdmin, true},
    Route{"POST", "/v1/requests", RouteId::kRequestsCreate, Access::kAnyPrincipal, true},
    Route{"GET", "/v1/requests", RouteId::kRequestsList, Access::kAnyPrincipal},
    Route{"GET", "/v1/requests/{id}", RouteId::kRequestShow, Access::kAnyPrincipal},
    Route{"POST", "/v1/requests/{id}/approve", RouteId::kRequestApprove, Access::kAnyPrincipal,
          true},
    Route{"POST", "/v1/requests/{id}/deny", RouteId::kRequestDeny, Access::kAnyPrincipal, true},
    Route{"GET", "/v1/officers", RouteId::kOfficersList, Access::kPolicyRead},
    Route{"PUT", "/v1/officers/{officer}", RouteId::kOfficerEnrol, Access::kGlobalAdmin, true},
    Route{"POST", "/v1/officers/{officer}/remove", RouteId::kOfficerRemove, Access::kGlobalAdmin,
          true},
};

struct Captures {
  std::string_view tenant;
  std::string_view name;
  std::string_view accessor;
  std::string_view policy;
  std::string_view resource;
};

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

// Matches `segments` against `pattern`, filling captures.
bool Matches(std::string_view pattern, const std::vector<std::string_view>& segments,
             Captures* out) {
  const auto parts = Split(pattern);
  if (parts.size() != segments.size()) {
    return false;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "{tenant}") {
      out->tenant = segments[i];
    } else if (parts[i] == "{name}") {
      out->name = segments[i];
    } else if (parts[i] == "{accessor}") {
      out->accessor = segments[i];
    } else if (parts[i] == "{policy}") {
      out->policy = segments[i];
    } else if (parts[i] == "{id}" || parts[i] == "{officer}") {
      out->resource = segments[i];
    } else if (parts[i] != segments[i]) {
      return false;
    }
    if (segments[i].empty()) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<RouteMatch> MatchRoute(std::string_view method, std::string_view path, std::string* allow) {
  if (path.empty() || path.front() != '/' || path.size() > 512) {
    return MakeError(ErrorCode::kNotFound, "no such route");
  }
  const auto segments = Split(path);
  std::string allowed;
  for (const Route& route : kRoutes) {
    Captures c;
    if (!Matches(route.pattern, segments, &c)) {
      continue;
    }
    if (method != route.method) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += allowed.empty() ? "" : ", ";
        allowed += route.method;
      }
      continue;
    }
    RouteMatch match{.id = route.id,
                     .access = route.access,
                     .name = route.pattern,
                     .has_body = method == "POST" || method == "PUT",
                     .key = std::nullopt,
                     .accessor = {},
                     .policy = {},
                     .resource = std::string(c.resource),
                     .changes_state = route.changes_state};
    if (!c.tenant.empty() || !c.name.empty()) {
      KEYHOLD_ASSIGN_OR_RETURN(crypto::KeyId id, crypto::KeyId::Create(c.tenant, c.name));
      match.key = std::move(id);
    }
    match.accessor = std::string(c.accessor);
    if (!c.policy.empty()) {
      if (!policies::IsValidPolicyName(c.policy)) {
        return MakeError(ErrorCode::kInvalidRequest, "a policy name is 1-64 of [a-z0-9_-]");
      }
      match.policy = std::string(c.policy);
    }
    return match;
  }
  if (!allowed.empty()) {
    if (allow != nullptr) {
      *allow = allowed;
    }
    return MakeError(ErrorCode::kMethodNotAllowed, "method " + std::string(method.substr(0, 16)) +
                                                       " is not allowed here; use " + allowed);
  }
  return MakeError(ErrorCode::kNotFound, "no such route");
}

Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  if (query.empty()) {
    return out;
  }
  if (query.size() > 1024) {
    return MakeError(ErrorCode::kInvalidRequest, "query string too long");
  }
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t amp = query.find('&', start);
    const std::string_view pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0 || pair.find('%') != std::string_view::npos ||
        pair.find('+') != std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidRequest, "malformed query string");
    }
    if (!out.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1))).second) {
      return MakeError(ErrorCode::kInvalidRequest, "a query parameter is repeated");
    }
    if (amp == std::string_view::npos) {
      break;
    }
    start = amp + 1;
  }
  return out;
}

}  // namespace keyhold::kms
