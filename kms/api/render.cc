#include "kms/api/render.h"

#include <ctime>

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

SecureJson TimeOrNull(std::int64_t t) {
  return t == 0 ? SecureJson(nullptr) : SecureJson(S(Rfc3339(t)));
}

}  // namespace

std::string Rfc3339(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

SecureJson RenderKey(const KeyInfo& key, Versions with) {
  const KeyRecord& r = key.record;
  SecureJson out = SecureJson::object();
  out["id"] = S(key.id.ToString());
  out["tenant"] = S(key.id.tenant());
  out["name"] = S(key.id.name());
  out["state"] = S(KeyStateName(r.state));
  out["origin"] = S(KeyOriginName(r.origin));
  out["exportable"] = r.exportable;
  out["primary_version"] = r.primary_version;
  out["latest_version"] = r.latest_version;
  out["min_decryption_version"] = r.min_decryption_version;
  out["rotation_period_s"] = r.rotation_period_s;
  out["created_at"] = S(Rfc3339(r.created_at));
  out["updated_at"] = S(Rfc3339(r.updated_at));
  out["last_rotated_at"] = S(Rfc3339(r.last_rotated_at));
  out["deletion_at"] = TimeOrNull(r.deletion_at);
  if (with == Versions::kInclude) {
    SecureJson versions = SecureJson::array();
    for (const VersionInfo& v : key.versions) {
      SecureJson item = SecureJson::object();
      item["version"] = v.version;
      item["created_at"] = S(Rfc3339(v.created_at));
      item["encryptions"] = v.encryptions;
      item["material_expires_at"] = TimeOrNull(v.material_expires_at);
      versions.push_back(std::move(item));
    }
    out["versions"] = std::move(versions);
  }
  return out;
}

SecureJson RenderToken(const TokenInfo& t) {
  SecureJson out = SecureJson::object();
  out["accessor"] = S(t.accessor);
  out["principal"] = S(t.principal);
  out["tenant"] = S(t.tenant);
  SecureJson roles = SecureJson::array();
  for (const auto& name : t.roles.Names()) {
    roles.push_back(S(name));
  }
  out["roles"] = std::move(roles);
  out["created_at"] = S(Rfc3339(t.created_at));
  out["expires_at"] = TimeOrNull(t.expires_at);
  out["revoked_at"] = TimeOrNull(t.revoked_at);
  return out;
}

SecureJson RenderSealStatus(const SealStatus& s) {
  SecureJson out = SecureJson::object();
  out["initialized"] = s.initialized;
  out["sealed"] = s.sealed;
  if (s.initialized) {
    out["method"] = S(SealMethodName(s.method));
  }
  if (s.initialized && s.method == SealMethod::kShamir) {
    out["threshold"] = s.threshold;
    out["shares"] = s.share_count;
    out["progress"] = s.progress;
  }
  return out;
}

SecureJson RenderError(const Error& error, const std::string& request_id) {
  SecureJson inner = SecureJson::object();
  inner["code"] = S(Info(error.code).name);
  inner["message"] =
      S(error.message.empty() ? std::string(Info(error.code).safe_text) : error.message);
  inner["request_id"] = S(request_id);
  SecureJson out = SecureJson::object();
  out["error"] = std::move(inner);
  return out;
}

}  // namespace keyhold::kms
