#include "crypto/key_id.h"

namespace keyhold::crypto {
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAlnum(char c) {
  return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxKeyNameSize || !IsAlnum(name.front())) {
    return false;
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ValidTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > kMaxTenantSize || !IsLowerAlnum(tenant.front())) {
    return false;
  }
  for (char c : tenant) {
    if (!IsLowerAlnum(c) && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

Result<KeyId> KeyId::Create(std::string_view tenant, std::string_view name) {
  if (!ValidTenant(tenant)) {
    return MakeError(ErrorCode::kInvalidKeyId,
                     "tenant must be 1-64 characters of a-z, 0-9, '_' or '-', starting with a "
                     "letter or digit");
  }
  if (!ValidName(name)) {
    return MakeError(ErrorCode::kInvalidKeyId,
                     "key name must be 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-', "
                     "starting with a letter or digit");
  }
  return KeyId(std::string(tenant), std::string(name));
}

Result<KeyId> KeyId::Parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidKeyId);
  }
  return Create(text.substr(0, slash), text.substr(slash + 1));
}

}  // namespace keyhold::crypto
