// Tests for kms/api/router.h. MatchRoute is checked against a route table
// written independently from /work/shared/DESIGN.md ("HTTP API v1") and the
// Access comments of router.h: every route's id, access rule, template name,
// body flag and captures; every other method gives kMethodNotAllowed naming
// the allowed ones; malformed and near-miss paths give kNotFound; key ids in
// the path are validated (kInvalidKeyId), including at the length limits.
// ParseQuery is pinned on every shape of query string, valid and refused.
#include "kms/api/router.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace keyhold::kms {
namespace {

struct Expected {
  const char* method;
  const char* path;  // a concrete path
  const char* name;  // the route template
  RouteId id;
  Access access;
  const char* tenant;    // "" when the route names no key
  const char* key_name;  // "" when the route names no key
  const char* accessor;  // "" unless a token route captures one
};

// Public: health, seal status, init, unseal, metrics. Keys: read (admin,
// app, auditor), admin (create, rotate, config, enable, disable, deletion,
// import, export),
// use (wrap, unwrap, rewrap, generate-data-key). Tokens and sealing: admin
// of tenant "*".
const std::vector<Expected>& Table() {
  static const std::vector<Expected> table = {
      {"POST", "/v1/sys/init", "/v1/sys/init", RouteId::kSysInit, Access::kPublic, "", "", ""},
      {"POST", "/v1/sys/unseal", "/v1/sys/unseal", RouteId::kSysUnseal, Access::kPublic, "", "",
       ""},
      {"POST", "/v1/sys/seal", "/v1/sys/seal", RouteId::kSysSeal, Access::kGlobalAdmin, "", "", ""},
      {"GET", "/v1/sys/seal-status", "/v1/sys/seal-status", RouteId::kSysSealStatus,
       Access::kPublic, "", "", ""},
      {"GET", "/v1/sys/health", "/v1/sys/health", RouteId::kSysHealth, Access::kPublic, "", "", ""},
      {"GET", "/v1/health/live", "/v1/health/live", RouteId::kHealthLive, Access::kPublic, "", "",
       ""},
      {"GET", "/v1/health/ready", "/v1/health/ready", RouteId::kHealthReady, Access::kPublic, "",
       "", ""},
      {"GET", "/metrics", "/metrics", RouteId::kMetrics, Access::kPublic, "", "", ""},
      {"POST", "/v1/keys", "/v1/keys", RouteId::kKeysCreate, Access::kKeyAdmin, "", "", ""},
      {"GET", "/v1/keys", "/v1/keys", RouteId::kKeysList, Access::kKeyRead, "", "", ""},
      {"GET", "/v1/keys/acme/app", "/v1/keys/{tenant}/{name}", RouteId::kKeyShow, Access::kKeyRead,
       "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/rotate", "/v1/keys/{tenant}/{name}/rotate", RouteId::kKeyRotate,
       Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/enable", "/v1/keys/{tenant}/{name}/enable", RouteId::kKeyEnable,
       Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/disable", "/v1/keys/{tenant}/{name}/disable",
       RouteId::kKeyDisable, Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/config", "/v1/keys/{tenant}/{name}/config", RouteId::kKeyConfig,
       Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/schedule-deletion", "/v1/keys/{tenant}/{name}/schedule-deletion",
       RouteId::kKeyScheduleDeletion, Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/cancel-deletion", "/v1/keys/{tenant}/{name}/cancel-deletion",
       RouteId::kKeyCancelDeletion, Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/wrap", "/v1/keys/{tenant}/{name}/wrap", RouteId::kKeyWrap,
       Access::kKeyUse, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/unwrap", "/v1/keys/{tenant}/{name}/unwrap", RouteId::kKeyUnwrap,
       Access::kKeyUse, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/rewrap", "/v1/keys/{tenant}/{name}/rewrap", RouteId::kKeyRewrap,
       Access::kKeyUse, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/generate-data-key", "/v1/keys/{tenant}/{name}/generate-data-key",
       RouteId::kKeyGenerateDataKey, Access::kKeyUse, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/import-params", "/v1/keys/{tenant}/{name}/import-params",
       RouteId::kKeyImportParams, Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/import", "/v1/keys/{tenant}/{name}/import", RouteId::kKeyImport,
       Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/keys/acme/app/export", "/v1/keys/{tenant}/{name}/export", RouteId::kKeyExport,
       Access::kKeyAdmin, "acme", "app", ""},
      {"POST", "/v1/tokens", "/v1/tokens", RouteId::kTokensCreate, Access::kGlobalAdmin, "", "",
       ""},
      {"GET", "/v1/tokens", "/v1/tokens", RouteId::kTokensList, Access::kGlobalAdmin, "", "", ""},
      {"POST", "/v1/tokens/acc123/revoke", "/v1/tokens/{accessor}/revoke", RouteId::kTokenRevoke,
       Access::kGlobalAdmin, "", "", "acc123"},
      {"GET", "/v1/audit", "/v1/audit", RouteId::kAuditRead, Access::kAuditRead, "", "", ""},
      {"GET", "/v1/policies", "/v1/policies", RouteId::kPoliciesList, Access::kPolicyRead, "", "",
       ""},
      {"GET", "/v1/policies/payments", "/v1/policies/{policy}", RouteId::kPolicyShow,
       Access::kPolicyRead, "", "", ""},
      {"PUT", "/v1/policies/payments", "/v1/policies/{policy}", RouteId::kPolicyPut,
       Access::kGlobalAdmin, "", "", ""},
      {"POST", "/v1/requests", "/v1/requests", RouteId::kRequestsCreate, Access::kAnyPrincipal, "",
       "", ""},
      {"GET", "/v1/requests", "/v1/requests", RouteId::kRequestsList, Access::kAnyPrincipal, "", "",
       ""},
      {"GET", "/v1/requests/0123456789abcdef0123456789abcdef", "/v1/requests/{id}",
       RouteId::kRequestShow, Access::kAnyPrincipal, "", "", ""},
      {"POST", "/v1/requests/0123456789abcdef0123456789abcdef/approve", "/v1/requests/{id}/approve",
       RouteId::kRequestApprove, Access::kAnyPrincipal, "", "", ""},
      {"POST", "/v1/requests/0123456789abcdef0123456789abcdef/deny", "/v1/requests/{id}/deny",
       RouteId::kRequestDeny, Access::kAnyPrincipal, "", "", ""},
      {"GET", "/v1/officers", "/v1/officers", RouteId::kOfficersList, Access::kPolicyRead, "", "",
       ""},
      {"PUT", "/v1/officers/alice", "/v1/officers/{officer}", RouteId::kOfficerEnrol,
       Access::kGlobalAdmin, "", "", ""},
      {"POST", "/v1/officers/alice/remove", "/v1/officers/{officer}/remove",
       RouteId::kOfficerRemove, Access::kGlobalAdmin, "", "", ""},
  };
  return table;
}

// The methods registered for `path` in the table, in table order.
std::string AllowedFor(const std::string& path) {
  std::string allowed;
  for (const Expected& e : Table()) {
    if (e.path == path && allowed.find(e.method) == std::string::npos) {
      allowed += allowed.empty() ? "" : ", ";
      allowed += e.method;
    }
  }
  return allowed;
}

bool Registered(const std::string& path, const std::string& method) {
  for (const Expected& e : Table()) {
    if (e.path == path && e.method == method) {
      return true;
    }
  }
  return false;
}

TEST(RouterTable, CoversEveryRouteIdOnce) {
  std::set<RouteId> seen;
  for (const Expected& e : Table()) {
    EXPECT_TRUE(seen.insert(e.id).second) << e.path;
  }
  for (int i = 0; i <= static_cast<int>(RouteId::kOfficerRemove); ++i) {
    EXPECT_TRUE(seen.contains(static_cast<RouteId>(i))) << "route id " << i << " untested";
  }
}

// Exactly the routes that change stored state are audited before they act.
TEST(RouterMatch, ChangesStateOnExactlyTheMutatingRoutes) {
  const std::set<RouteId> mutating = {RouteId::kSysInit,
                                      RouteId::kKeysCreate,
                                      RouteId::kKeyRotate,
                                      RouteId::kKeyEnable,
                                      RouteId::kKeyDisable,
                                      RouteId::kKeyConfig,
                                      RouteId::kKeyScheduleDeletion,
                                      RouteId::kKeyCancelDeletion,
                                      RouteId::kKeyImportParams,
                                      RouteId::kKeyImport,
                                      RouteId::kTokensCreate,
                                      RouteId::kTokenRevoke,
                                      RouteId::kPolicyPut,
                                      RouteId::kRequestsCreate,
                                      RouteId::kRequestApprove,
                                      RouteId::kRequestDeny,
                                      RouteId::kOfficerEnrol,
                                      RouteId::kOfficerRemove};
  for (const Expected& e : Table()) {
    auto m = MatchRoute(e.method, e.path, nullptr);
    ASSERT_TRUE(m.ok()) << e.path;
    EXPECT_EQ(m->changes_state, mutating.contains(e.id)) << e.method << " " << e.path;
  }
}

TEST(RouterMatch, EveryRouteMatchesWithItsAccessAndCaptures) {
  for (const Expected& e : Table()) {
    std::string allow = "untouched";
    auto m = MatchRoute(e.method, e.path, &allow);
    ASSERT_TRUE(m.ok()) << e.method << " " << e.path << ": " << m.error().message;
    EXPECT_EQ(m->id, e.id) << e.path;
    EXPECT_EQ(m->access, e.access) << e.path;
    EXPECT_EQ(m->name, e.name) << e.path;
    EXPECT_EQ(m->has_body, std::string(e.method) != "GET") << e.path;
    if (*e.tenant != '\0') {
      ASSERT_TRUE(m->key.has_value()) << e.path;
      EXPECT_EQ(m->key->tenant(), e.tenant);
      EXPECT_EQ(m->key->name(), e.key_name);
    } else {
      EXPECT_FALSE(m->key.has_value()) << e.path;
    }
    EXPECT_EQ(m->accessor, e.accessor) << e.path;
    EXPECT_EQ(allow, "untouched") << e.path;
  }
}

TEST(RouterMatch, EveryOtherMethodIsNotAllowed) {
  for (const Expected& e : Table()) {
    const std::string allowed = AllowedFor(e.path);
    for (const char* method :
         {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "post", "", "POST "}) {
      if (Registered(e.path, method)) {
        continue;
      }
      std::string allow;
      auto m = MatchRoute(method, e.path, &allow);
      ASSERT_FALSE(m.ok()) << method << " " << e.path;
      EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed) << method << " " << e.path;
      EXPECT_EQ(allow, allowed) << method << " " << e.path;
      EXPECT_EQ(m.error().message,
                "method " + std::string(method) + " is not allowed here; use " + allowed)
          << e.path;
    }
  }
}

TEST(RouterMatch, AllowListsArePinned) {
  EXPECT_EQ(AllowedFor("/v1/keys"), "POST, GET");
  EXPECT_EQ(AllowedFor("/v1/tokens"), "POST, GET");
  std::string allow;
  auto m = MatchRoute("DELETE", "/v1/keys", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(allow, "POST, GET");
  m = MatchRoute("GET", "/v1/keys/acme/app/wrap", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(allow, "POST");
  m = MatchRoute("POST", "/v1/keys/acme/app", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(allow, "GET");
  m = MatchRoute("POST", "/metrics", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(allow, "GET");
}

// Found by the http_request fuzzer: a path only PUT serves answers 405
// naming PUT.
TEST(RouterMatch, APathOnlyPutServesNamesPut) {
  std::string allow;
  auto m = MatchRoute("POST", "/v1/officers/generate-data-key", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(allow, "PUT");
}

TEST(RouterMatch, MethodNotAllowedWithoutAllowPointer) {
  auto m = MatchRoute("PUT", "/v1/sys/init", nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(m.error().message, "method PUT is not allowed here; use POST");
}

TEST(RouterMatch, LongMethodIsTruncatedInTheMessage) {
  const std::string method(100, 'X');
  std::string allow;
  auto m = MatchRoute(method, "/v1/sys/init", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(m.error().message, "method " + std::string(16, 'X') + " is not allowed here; use POST");
}

TEST(RouterMatch, MethodIsCheckedBeforeTheKeyId) {
  // A bad key id on the wrong method is reported as the method problem.
  std::string allow;
  auto m = MatchRoute("GET", "/v1/keys/ACME/app/wrap", &allow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(allow, "POST");
}

TEST(RouterMatch, UnknownPathsAreNotFound) {
  const std::string long_path = "/v1/keys/acme/" + std::string(600, 'a');
  for (const std::string& path : std::vector<std::string>{
           "",
           "/",
           "//",
           "v1/keys",
           "/v1/keys/",
           "/v1//keys",
           "//v1/keys",
           "/v1/keys//",
           "/v1/keys/acme",
           "/v1/keys/acme/",
           "/v1/keys/acme/app/",
           "/v1/keys/acme/app/wrap/",
           "/v1/keys/acme/app/wrap/extra",
           "/v1/keys/acme/app/WRAP",
           "/v1/keys/acme/app/frobnicate",
           "/v1/keys/acme//wrap",
           "/v1/keys//app/wrap",
           "/v1/keys//app",
           "/V1/keys",
           "/v1/Keys",
           "/v2/keys",
           "/v1",
           "/v1/sys",
           "/v1/sys/",
           "/v1/sys/init/",
           "/v1/sys/init?x=1",
           "/v1/sys/seal_status",
           "/v1/health",
           "/metrics/",
           "/Metrics",
           "/metrics/x",
           "/v1/tokens/",
           "/v1/tokens/acc",
           "/v1/tokens//revoke",
           "/v1/tokens/acc/revoke/",
           "/v1/tokens/a/b/revoke",
           "/v1/requests/",
           "/v1/requests/a/b",
           "/v1/policies/",
           "/v1/policies/a/b",
           "/v1/audit/",
           "/v1/audit/x",
           long_path,
           "/v1/keys/acme/app" + std::string(1000, '/'),
       }) {
    std::string allow;
    auto m = MatchRoute("GET", path, &allow);
    ASSERT_FALSE(m.ok()) << path;
    EXPECT_EQ(m.error().code, ErrorCode::kNotFound) << path;
    EXPECT_EQ(m.error().message, "no such route") << path;
    EXPECT_EQ(allow, "") << path;
    auto post = MatchRoute("POST", path, &allow);
    ASSERT_FALSE(post.ok()) << path;
    EXPECT_EQ(post.error().code, ErrorCode::kNotFound) << path;
  }
}

TEST(RouterMatch, PathLengthLimitIs512Bytes) {
  // 512 bytes still reaches the matcher (and fails on the name's length);
  // 513 bytes is refused before matching.
  const std::string prefix = "/v1/keys/acme/";
  const std::string at_limit = prefix + std::string(512 - prefix.size(), 'n');
  ASSERT_EQ(at_limit.size(), 512u);
  auto m = MatchRoute("GET", at_limit, nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidKeyId);
  const std::string over = at_limit + "n";
  m = MatchRoute("GET", over, nullptr);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kNotFound);
  // A long but valid path (64-byte tenant, 128-byte name, longest action).
  const std::string longest =
      "/v1/keys/" + std::string(64, 't') + "/" + std::string(128, 'N') + "/generate-data-key";
  auto ok = MatchRoute("POST", longest, nullptr);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->id, RouteId::kKeyGenerateDataKey);
}

TEST(RouterMatch, InvalidKeyIdsInThePath) {
  struct Case {
    std::string tenant;
    std::string name;
    bool tenant_is_bad;
  };
  const std::vector<Case> cases = {
      {"ACME", "app", true},
      {"Acme", "app", true},
      {std::string(65, 'a'), "app", true},
      {"-acme", "app", true},
      {"_acme", "app", true},
      {"..", "app", true},
      {".", "app", true},
      {"ac.me", "app", true},
      {"*", "app", true},
      {"ac%2Fme", "app", true},
      {"ac me", "app", true},
      {"acme", "..", false},
      {"acme", ".", false},
      {"acme", ".hidden", false},
      {"acme", "-app", false},
      {"acme", "_app", false},
      {"acme", "a%2Fb", false},
      {"acme", "%2F", false},
      {"acme", "a%20b", false},
      {"acme", "a b", false},
      {"acme", "a@b", false},
      {"acme", "a\\b", false},
      {"acme", "a\xc3\xa9", false},
      {"acme", std::string(129, 'a'), false},
  };
  for (const Case& c : cases) {
    for (const std::string& suffix : {std::string(""), std::string("/wrap")}) {
      const std::string path = "/v1/keys/" + c.tenant + "/" + c.name + suffix;
      const std::string method = suffix.empty() ? "GET" : "POST";
      auto m = MatchRoute(method, path, nullptr);
      ASSERT_FALSE(m.ok()) << path;
      EXPECT_EQ(m.error().code, ErrorCode::kInvalidKeyId) << path;
      const std::string want = c.tenant_is_bad ? "tenant must be" : "key name must be";
      EXPECT_EQ(m.error().message.rfind(want, 0), 0u) << path << ": " << m.error().message;
      // The offending segment is never quoted back.
      if (c.tenant.size() > 3 && c.tenant_is_bad) {
        EXPECT_EQ(m.error().message.find(c.tenant), std::string::npos) << path;
      }
    }
  }
}

TEST(RouterMatch, ValidKeyIdEdgeCases) {
  struct Case {
    std::string tenant;
    std::string name;
  };
  const std::vector<Case> cases = {
      {std::string(64, 'a'), "app"},
      {"acme", std::string(128, 'N')},
      {std::string(64, '9'), std::string(128, 'z')},
      {"a", "b"},
      {"0", "9"},
      {"a-_0", "A.b_c-9"},
      {"acme", "app.v2"},
      {"acme", "a..b"},
      {"acme", "Z"},
  };
  for (const Case& c : cases) {
    const std::string path = "/v1/keys/" + c.tenant + "/" + c.name + "/unwrap";
    auto m = MatchRoute("POST", path, nullptr);
    ASSERT_TRUE(m.ok()) << path << ": " << m.error().message;
    EXPECT_EQ(m->id, RouteId::kKeyUnwrap);
    ASSERT_TRUE(m->key.has_value());
    EXPECT_EQ(m->key->tenant(), c.tenant);
    EXPECT_EQ(m->key->name(), c.name);
  }
}

TEST(RouterMatch, ActionWordsAreKeyNamesOnTheShowRoute) {
  // "/v1/keys/acme/wrap" is the key "acme/wrap", not an action.
  auto m = MatchRoute("GET", "/v1/keys/acme/wrap", nullptr);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->id, RouteId::kKeyShow);
  EXPECT_EQ(m->key->name(), "wrap");
  // And a key may be named after an action.
  m = MatchRoute("POST", "/v1/keys/acme/rotate/rotate", nullptr);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->id, RouteId::kKeyRotate);
  EXPECT_EQ(m->key->name(), "rotate");
}

TEST(RouterMatch, AccessorIsCapturedVerbatim) {
  // The router does not validate accessors; the token store looks them up.
  for (const char* accessor : {"a", "0123456789abcdef", "%2F", "ACC.x-y"}) {
    auto m = MatchRoute("POST", "/v1/tokens/" + std::string(accessor) + "/revoke", nullptr);
    ASSERT_TRUE(m.ok()) << accessor << ": " << m.error().message;
    EXPECT_EQ(m->id, RouteId::kTokenRevoke);
    EXPECT_EQ(m->accessor, accessor);
    EXPECT_FALSE(m->key.has_value());
  }
}

using Query = std::map<std::string, std::string>;

void ExpectQuery(std::string_view q, const Query& want) {
  auto parsed = ParseQuery(q);
  ASSERT_TRUE(parsed.ok()) << q << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, want) << q;
}

void ExpectQueryRefused(std::string_view q, const std::string& message) {
  auto parsed = ParseQuery(q);
  ASSERT_FALSE(parsed.ok()) << q;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest) << q;
  EXPECT_EQ(parsed.error().message, message) << q;
}

TEST(QueryParse, AcceptsNameValuePairs) {
  ExpectQuery("", {});
  ExpectQuery("a=1", {{"a", "1"}});
  ExpectQuery("a=1&b=2", {{"a", "1"}, {"b", "2"}});
  ExpectQuery("a=", {{"a", ""}});
  ExpectQuery("a=&b=", {{"a", ""}, {"b", ""}});
  ExpectQuery("tenant=acme&limit=10&after=app",
              {{"tenant", "acme"}, {"limit", "10"}, {"after", "app"}});
  // Names are case-sensitive: a and A are different parameters.
  ExpectQuery("a=1&A=2", {{"a", "1"}, {"A", "2"}});
  // Only the first '=' splits; the rest is value.
  ExpectQuery("a==1", {{"a", "=1"}});
  ExpectQuery("a=b=c", {{"a", "b=c"}});
  ExpectQuery("a=/x?y", {{"a", "/x?y"}});
}

TEST(QueryParse, RefusesMalformedQueries) {
  const std::string malformed = "malformed query string";
  ExpectQueryRefused("=1", malformed);
  ExpectQueryRefused("=", malformed);
  ExpectQueryRefused("a", malformed);
  ExpectQueryRefused("a=1&b", malformed);
  ExpectQueryRefused("%41=1", malformed);
  ExpectQueryRefused("a=%41", malformed);
  ExpectQueryRefused("a=b+c", malformed);
  ExpectQueryRefused("a+b=c", malformed);
  // An empty pair is malformed wherever it is: trailing, leading, doubled.
  ExpectQueryRefused("a=1&", malformed);
  ExpectQueryRefused("&a=1", malformed);
  ExpectQueryRefused("a=1&&b=2", malformed);
  ExpectQueryRefused("&", malformed);
}

TEST(QueryParse, RefusesRepeatedNames) {
  ExpectQueryRefused("a=1&a=2", "a query parameter is repeated");
  ExpectQueryRefused("a=1&a=1", "a query parameter is repeated");
  ExpectQueryRefused("a=1&b=2&a=", "a query parameter is repeated");
}

TEST(QueryParse, LengthLimitIs1024Bytes) {
  const std::string at_limit = "a=" + std::string(1022, 'x');
  ASSERT_EQ(at_limit.size(), 1024u);
  ExpectQuery(at_limit, {{"a", std::string(1022, 'x')}});
  ExpectQueryRefused(at_limit + "x", "query string too long");
  // The length is checked before the shape.
  ExpectQueryRefused(std::string(1025, '%'), "query string too long");
}

}  // namespace
}  // namespace keyhold::kms
