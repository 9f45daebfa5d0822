// Tests for kms/auth/roles.h: the role bits, RoleSet::Of, Has and HasAny,
// Names in fixed order, ParseRole/RoleName round trips and refusals, the
// mask on unknown bits, and Principal::CoversTenant.
#include "kms/auth/roles.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keyhold::kms {
namespace {

constexpr Role kAll[] = {Role::kAdmin, Role::kApp, Role::kOfficer, Role::kAuditor};

TEST(RoleTest, BitsAreFixed) {
  // Persisted in token records: these values never change.
  EXPECT_EQ(static_cast<int>(Role::kAdmin), 1);
  EXPECT_EQ(static_cast<int>(Role::kApp), 2);
  EXPECT_EQ(static_cast<int>(Role::kOfficer), 4);
  EXPECT_EQ(static_cast<int>(Role::kAuditor), 8);
}

TEST(RoleSetTest, EmptyByDefault) {
  const RoleSet none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.bits(), 0);
  EXPECT_TRUE(none.Names().empty());
  for (Role r : kAll) {
    EXPECT_FALSE(none.Has(r));
  }
  EXPECT_EQ(RoleSet::Of({}), none);
  EXPECT_EQ(RoleSet(0), none);
}

TEST(RoleSetTest, OfSetsExactlyTheNamedBits) {
  const RoleSet s = RoleSet::Of({Role::kApp, Role::kAuditor});
  EXPECT_EQ(s.bits(), 2 | 8);
  EXPECT_FALSE(s.empty());
  EXPECT_FALSE(s.Has(Role::kAdmin));
  EXPECT_TRUE(s.Has(Role::kApp));
  EXPECT_FALSE(s.Has(Role::kOfficer));
  EXPECT_TRUE(s.Has(Role::kAuditor));
  EXPECT_EQ(RoleSet::Of({Role::kApp, Role::kApp}), RoleSet::Of({Role::kApp}));
  EXPECT_EQ(RoleSet::Of({Role::kAuditor, Role::kApp}), s);
  EXPECT_EQ(RoleSet::Of({Role::kAdmin, Role::kApp, Role::kOfficer, Role::kAuditor}).bits(), 15);
}

TEST(RoleSetTest, EachBitAlone) {
  for (Role r : kAll) {
    const RoleSet s = RoleSet::Of({r});
    EXPECT_EQ(s.bits(), static_cast<std::uint8_t>(r));
    for (Role other : kAll) {
      EXPECT_EQ(s.Has(other), other == r) << RoleName(r) << " / " << RoleName(other);
    }
  }
}

TEST(RoleSetTest, HasAny) {
  const RoleSet app_auditor = RoleSet::Of({Role::kApp, Role::kAuditor});
  EXPECT_TRUE(app_auditor.HasAny(RoleSet::Of({Role::kAuditor})));
  EXPECT_TRUE(app_auditor.HasAny(RoleSet::Of({Role::kAdmin, Role::kApp})));
  EXPECT_FALSE(app_auditor.HasAny(RoleSet::Of({Role::kAdmin, Role::kOfficer})));
  EXPECT_FALSE(app_auditor.HasAny(RoleSet()));
  EXPECT_FALSE(RoleSet().HasAny(app_auditor));
  EXPECT_FALSE(RoleSet().HasAny(RoleSet()));
}

TEST(RoleSetTest, NamesInFixedOrder) {
  EXPECT_EQ(RoleSet(15).Names(), (std::vector<std::string>{"admin", "app", "officer", "auditor"}));
  EXPECT_EQ(RoleSet::Of({Role::kAuditor, Role::kAdmin}).Names(),
            (std::vector<std::string>{"admin", "auditor"}));
  EXPECT_EQ(RoleSet::Of({Role::kAuditor, Role::kOfficer}).Names(),
            (std::vector<std::string>{"officer", "auditor"}));
  EXPECT_EQ(RoleSet::Of({Role::kApp}).Names(), (std::vector<std::string>{"app"}));
}

TEST(RoleSetTest, UnknownBitsAreMasked) {
  EXPECT_EQ(RoleSet(0xff).bits(), 15);
  EXPECT_EQ(RoleSet(0xff), RoleSet(15));
  EXPECT_EQ(RoleSet(0xf0).bits(), 0);
  EXPECT_TRUE(RoleSet(0xf0).empty());
  EXPECT_TRUE(RoleSet(0x10).Names().empty());
  EXPECT_EQ(RoleSet(0x12), RoleSet::Of({Role::kApp}));
}

TEST(RoleTest, ParseAndNameRoundTrip) {
  EXPECT_EQ(RoleName(Role::kAdmin), "admin");
  EXPECT_EQ(RoleName(Role::kApp), "app");
  EXPECT_EQ(RoleName(Role::kOfficer), "officer");
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
  for (Role r : kAll) {
    auto parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.ok()) << RoleName(r);
    EXPECT_EQ(*parsed, r);
  }
  for (const std::string& name : RoleSet(15).Names()) {
    auto parsed = ParseRole(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(RoleName(*parsed), name);
  }
}

TEST(RoleTest, UnknownRoleRefused) {
  const std::string_view names[] = {"",         "Admin",
                                    "ADMIN",    "admin ",
                                    " admin",   "root",
                                    "apps",     "audit",
                                    "officers", "admin,app",
                                    "adm",      "app_",
                                    "auditors", std::string_view("app\0", 4)};
  for (std::string_view name : names) {
    auto parsed = ParseRole(name);
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(parsed.error().message, "unknown role (expected admin, app, officer or auditor)");
  }
}

TEST(RoleTest, PrincipalCoversTenant) {
  Principal all{"root", "*", RoleSet::Of({Role::kAdmin}), "token", "0123456789abcdef"};
  EXPECT_TRUE(all.CoversTenant("acme"));
  EXPECT_TRUE(all.CoversTenant("globex"));
  EXPECT_TRUE(all.CoversTenant("*"));
  EXPECT_EQ(kAllTenants, "*");

  Principal acme{"billing", "acme", RoleSet::Of({Role::kApp}), "mtls", ""};
  EXPECT_TRUE(acme.CoversTenant("acme"));
  EXPECT_FALSE(acme.CoversTenant("globex"));
  EXPECT_FALSE(acme.CoversTenant("acm"));
  EXPECT_FALSE(acme.CoversTenant("acme2"));
  EXPECT_FALSE(acme.CoversTenant("ACME"));
  EXPECT_FALSE(acme.CoversTenant(""));
  // A tenant principal never covers the wildcard.
  EXPECT_FALSE(acme.CoversTenant("*"));

  Principal none{"x", "", RoleSet::Of({Role::kApp}), "token", ""};
  EXPECT_FALSE(none.CoversTenant("acme"));
}

}  // namespace
}  // namespace keyhold::kms
