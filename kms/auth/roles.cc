#include "kms/auth/roles.h"

namespace keyhold::kms {
namespace {
constexpr Role kAllRoles[] = {Role::kAdmin, Role::kApp, Role::kOfficer, Role::kAuditor};
}  // namespace

RoleSet RoleSet::Of(std::initializer_list<Role> roles) {
  std::uint8_t bits = 0;
  for (Role r : roles) {
    bits |= static_cast<std::uint8_t>(r);
  }
  return RoleSet(bits);
}

std::vector<std::string> RoleSet::Names() const {
  std::vector<std::string> out;
  for (Role r : kAllRoles) {
    if (Has(r)) {
      out.emplace_back(RoleName(r));
    }
  }
  return out;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kApp:
      return "app";
    case Role::kOfficer:
      return "officer";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) {
      return r;
    }
  }
  return MakeError(ErrorCode::kInvalidRequest,
                   "unknown role (expected admin, app, officer or auditor)");
}

}  // namespace keyhold::kms
