// KeyId: the name of a master key, TENANT/NAME. Validated once at the edge
// and again wherever one is parsed from bytes (a blob, a store record).
//
//   tenant: 1-64 bytes of [a-z0-9_-], starting with [a-z0-9]
//   name:   1-128 bytes of [A-Za-z0-9._-], starting with [A-Za-z0-9]
//
// The charsets keep ids safe in URLs, file names, logs and LMDB keys without
// escaping, and rule out "." and ".." path segments. Thread-safe (value type).
// May include: std only.
#ifndef KEYHOLD_CRYPTO_KEY_ID_H_
#define KEYHOLD_CRYPTO_KEY_ID_H_

#include <compare>
#include <string>
#include <string_view>

#include "crypto/error.h"

namespace keyhold::crypto {

inline constexpr std::size_t kMaxTenantSize = 64;
inline constexpr std::size_t kMaxKeyNameSize = 128;

class KeyId {
 public:
  // Create validates both parts; kInvalidKeyId names which part is wrong.
  static Result<KeyId> Create(std::string_view tenant, std::string_view name);
  // Parse accepts "TENANT/NAME".
  static Result<KeyId> Parse(std::string_view text);

  const std::string& tenant() const { return tenant_; }
  const std::string& name() const { return name_; }
  // ToString returns "TENANT/NAME".
  std::string ToString() const { return tenant_ + "/" + name_; }

  friend auto operator<=>(const KeyId&, const KeyId&) = default;

 private:
  KeyId(std::string tenant, std::string name)
      : tenant_(std::move(tenant)), name_(std::move(name)) {}
  std::string tenant_;
  std::string name_;
};

// ValidTenant reports whether `tenant` satisfies the tenant rule above.
bool ValidTenant(std::string_view tenant);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_KEY_ID_H_
