// Roles: what a principal may do, before policies refine it.
//
//   admin    manages keys (create, rotate, config, enable, disable, deletion)
//            and, with tenant "*", tokens and sealing
//   app      uses keys: wrap, unwrap, rewrap, generate-data-key
//   officer  approves access requests (approvals issue)
//   auditor  reads key metadata and, later, the audit log
//
// Admins do not get app rights implicitly: whoever manages a key does not
// by that alone read the data under it. Thread-safe (value types).
#ifndef KEYHOLD_KMS_AUTH_ROLES_H_
#define KEYHOLD_KMS_AUTH_ROLES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"

namespace keyhold::kms {

enum class Role : std::uint8_t { kAdmin = 1, kApp = 2, kOfficer = 4, kAuditor = 8 };

// RoleSet is a bit set of roles.
class RoleSet {
 public:
  RoleSet() = default;
  explicit RoleSet(std::uint8_t bits) : bits_(bits & kAll) {}
  static RoleSet Of(std::initializer_list<Role> roles);

  bool Has(Role r) const { return (bits_ & static_cast<std::uint8_t>(r)) != 0; }
  bool HasAny(RoleSet other) const { return (bits_ & other.bits_) != 0; }
  bool empty() const { return bits_ == 0; }
  std::uint8_t bits() const { return bits_; }
  // Names returns the roles' names in a fixed order.
  std::vector<std::string> Names() const;

  friend bool operator==(RoleSet, RoleSet) = default;

 private:
  static constexpr std::uint8_t kAll = 15;
  std::uint8_t bits_ = 0;
};

// ParseRole maps "admin", "app", "officer" or "auditor"; kInvalidRequest
// otherwise.
Result<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

// kAllTenants is the tenant of a principal that may act on every tenant.
inline constexpr std::string_view kAllTenants = "*";

// Principal is who made a request, after authentication.
struct Principal {
  std::string name;    // token principal, or the client certificate's identity
  std::string tenant;  // a tenant, or "*"
  RoleSet roles;
  std::string auth;      // "token" or "mtls"
  std::string accessor;  // the token's accessor (tokens only)

  // CoversTenant is true when the principal may act on `tenant`.
  bool CoversTenant(std::string_view tenant_name) const {
    return tenant == kAllTenants || tenant == tenant_name;
  }
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUTH_ROLES_H_
