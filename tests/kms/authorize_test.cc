// Tests for Authorize (kms/api/handlers.h): every Access rule against every
// subset of roles, for principals of tenant "*", "acme" and "beta", acting
// on tenant "acme" (key routes) and "*" (global routes). The expectations
// are written from the Access comments of kms/api/router.h and the roles of
// kms/auth/roles.h, not from the implementation:
//   kPublic       anyone
//   kKeyRead      admin, app or auditor of the key's tenant
//   kKeyAdmin     admin of the key's tenant
//   kKeyUse       app of the key's tenant (admins get no app rights)
//   kGlobalAdmin  admin of tenant "*"
// A principal of tenant "*" covers every tenant. Officer alone gets nothing
// yet. Every denial is kForbidden with a message naming the rule.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kms/api/handlers.h"

namespace keyhold::kms {
namespace {

constexpr Access kAllAccess[] = {Access::kPublic,     Access::kKeyRead,     Access::kKeyAdmin,
                                 Access::kKeyUse,     Access::kGlobalAdmin, Access::kAuditRead,
                                 Access::kPolicyRead, Access::kAnyPrincipal};

const char* AccessName(Access a) {
  switch (a) {
    case Access::kPublic:
      return "public";
    case Access::kKeyRead:
      return "key-read";
    case Access::kKeyAdmin:
      return "key-admin";
    case Access::kKeyUse:
      return "key-use";
    case Access::kGlobalAdmin:
      return "global-admin";
    case Access::kAuditRead:
      return "audit-read";
    case Access::kPolicyRead:
      return "policy-read";
    case Access::kAnyPrincipal:
      return "any-principal";
  }
  return "?";
}

Principal Who(std::string tenant, RoleSet roles) {
  return Principal{"someone", std::move(tenant), roles, "token", "acc"};
}

// The rules, spelled out from the documentation.
bool ShouldAllow(Access access, const std::string& principal_tenant, RoleSet roles,
                 const std::string& target) {
  const bool admin = roles.Has(Role::kAdmin);
  const bool app = roles.Has(Role::kApp);
  const bool auditor = roles.Has(Role::kAuditor);
  const bool covers = principal_tenant == "*" || principal_tenant == target;
  switch (access) {
    case Access::kPublic:
      return true;
    case Access::kKeyRead:
      return covers && (admin || app || auditor);
    case Access::kKeyAdmin:
      return covers && admin;
    case Access::kKeyUse:
      return covers && app;
    case Access::kGlobalAdmin:
      return principal_tenant == "*" && admin;
    case Access::kAuditRead:
      return covers && auditor;
    case Access::kPolicyRead:
      return principal_tenant == "*" && (admin || roles.Has(Role::kOfficer) || auditor);
    case Access::kAnyPrincipal:
      return true;
  }
  return false;
}

std::string DenialMessage(Access access, const std::string& target) {
  switch (access) {
    case Access::kKeyRead:
      return "this needs the admin, app or auditor role for tenant '" + target + "'";
    case Access::kKeyAdmin:
      return "this needs the admin role for tenant '" + target + "'";
    case Access::kKeyUse:
      return "this needs the app role for tenant '" + target + "'";
    case Access::kGlobalAdmin:
      return "this needs the admin role for all tenants";
    case Access::kAuditRead:
      return "this needs the auditor role for tenant '" + target + "'";
    case Access::kPolicyRead:
      return "this needs the admin, officer or auditor role for all tenants";
    case Access::kPublic:
    case Access::kAnyPrincipal:
      break;
  }
  return "";
}

TEST(AuthorizeTable, EveryAccessRoleSubsetAndTenant) {
  int allowed = 0;
  int denied = 0;
  for (const Access access : kAllAccess) {
    for (int bits = 0; bits < 16; ++bits) {
      const RoleSet roles(static_cast<std::uint8_t>(bits));
      for (const char* principal_tenant : {"*", "acme", "beta"}) {
        for (const char* target : {"acme", "*"}) {
          const Status s = Authorize(access, Who(principal_tenant, roles), target);
          const bool want = ShouldAllow(access, principal_tenant, roles, target);
          const std::string what =
              std::string(AccessName(access)) + " roles=" + std::to_string(bits) +
              " principal=" + std::string(principal_tenant) + " target=" + target;
          ASSERT_EQ(s.ok(), want) << what;
          if (want) {
            ++allowed;
          } else {
            ++denied;
            EXPECT_EQ(s.error().code, ErrorCode::kForbidden) << what;
            EXPECT_EQ(s.error().message, DenialMessage(access, target)) << what;
          }
        }
      }
    }
  }
  // 8 rules x 16 role sets x 3 principal tenants x 2 targets.
  EXPECT_EQ(allowed + denied, 8 * 16 * 3 * 2);
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
}

struct Row {
  Access access;
  const char* principal_tenant;
  std::vector<Role> roles;
  const char* target;
  bool allow;
  const char* why;
};

TEST(AuthorizeTable, NamedCases) {
  const std::vector<Row> rows = {
      {Access::kPublic, "beta", {}, "acme", true, "public needs nothing"},
      {Access::kKeyRead, "acme", {Role::kAuditor}, "acme", true, "auditor reads its tenant"},
      {Access::kKeyRead, "acme", {Role::kApp}, "acme", true, "app reads its tenant"},
      {Access::kKeyRead, "acme", {Role::kAdmin}, "acme", true, "admin reads its tenant"},
      {Access::kKeyRead, "beta", {Role::kAuditor}, "acme", false, "auditor of another tenant"},
      {Access::kKeyRead, "*", {Role::kAuditor}, "acme", true, "global auditor"},
      {Access::kKeyRead, "acme", {Role::kOfficer}, "acme", false, "officer alone reads nothing"},
      {Access::kKeyAdmin, "acme", {Role::kAdmin}, "acme", true, "admin of the tenant"},
      {Access::kKeyAdmin, "beta", {Role::kAdmin}, "acme", false, "admin of another tenant"},
      {Access::kKeyAdmin, "*", {Role::kAdmin}, "acme", true, "global admin manages keys"},
      {Access::kKeyAdmin,
       "acme",
       {Role::kApp, Role::kAuditor, Role::kOfficer},
       "acme",
       false,
       "everything but admin"},
      {Access::kKeyUse, "acme", {Role::kApp}, "acme", true, "app uses its tenant's keys"},
      {Access::kKeyUse, "acme", {Role::kAdmin}, "acme", false, "admins get no app rights"},
      {Access::kKeyUse, "*", {Role::kAdmin}, "acme", false, "not even global admins"},
      {Access::kKeyUse, "*", {Role::kApp}, "acme", true, "global app"},
      {Access::kKeyUse, "beta", {Role::kApp}, "acme", false, "app of another tenant"},
      {Access::kKeyUse, "acme", {Role::kAuditor}, "acme", false, "auditors cannot use keys"},
      {Access::kKeyUse, "acme", {Role::kOfficer}, "acme", false, "officers cannot use keys"},
      {Access::kGlobalAdmin, "*", {Role::kAdmin}, "*", true, "global admin"},
      {Access::kGlobalAdmin, "*", {Role::kAdmin}, "acme", true, "target does not matter"},
      {Access::kGlobalAdmin, "acme", {Role::kAdmin}, "*", false, "tenant admin is not global"},
      {Access::kGlobalAdmin, "acme", {Role::kAdmin}, "acme", false, "not even for its tenant"},
      {Access::kGlobalAdmin,
       "*",
       {Role::kApp, Role::kAuditor, Role::kOfficer},
       "*",
       false,
       "global non-admin"},
      {Access::kGlobalAdmin, "*", {}, "*", false, "no roles"},
  };
  for (const Row& row : rows) {
    RoleSet roles;
    for (Role r : row.roles) {
      roles = RoleSet(roles.bits() | static_cast<std::uint8_t>(r));
    }
    const Status s = Authorize(row.access, Who(row.principal_tenant, roles), row.target);
    EXPECT_EQ(s.ok(), row.allow) << row.why;
    if (!s.ok()) {
      EXPECT_EQ(s.error().code, ErrorCode::kForbidden) << row.why;
    }
  }
}

// An officer reads policies (with tenant "*") and reaches the access-request
// routes (whose handlers decide), and nothing else: no key, token or audit
// access comes with approving.
TEST(AuthorizeOfficer, AloneGetsNothingButPublicAndPolicies) {
  const RoleSet officer = RoleSet::Of({Role::kOfficer});
  for (const char* tenant : {"*", "acme"}) {
    for (const Access access : kAllAccess) {
      const Status s = Authorize(access, Who(tenant, officer), "acme");
      const bool want = access == Access::kPublic || access == Access::kAnyPrincipal ||
                        (access == Access::kPolicyRead && std::string(tenant) == "*");
      EXPECT_EQ(s.ok(), want) << AccessName(access) << " " << tenant;
    }
  }
}

TEST(AuthorizeTenant, MatchIsExact) {
  const RoleSet all = RoleSet::Of({Role::kAdmin, Role::kApp, Role::kAuditor});
  for (const char* target : {"acme2", "acm", "ACME", "acme ", "", "*"}) {
    for (const Access access : {Access::kKeyRead, Access::kKeyAdmin, Access::kKeyUse}) {
      const Status s = Authorize(access, Who("acme", all), target);
      ASSERT_FALSE(s.ok()) << AccessName(access) << " target '" << target << "'";
      EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
      EXPECT_EQ(s.error().message, DenialMessage(access, target));
    }
  }
  // A principal with an empty tenant is not a wildcard.
  EXPECT_FALSE(Authorize(Access::kKeyRead, Who("", all), "acme").ok());
}

}  // namespace
}  // namespace keyhold::kms
