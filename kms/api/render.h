// Rendering of API responses: one function per kind of resource, so every
// route shows a key, a token or the seal status the same way. Times are RFC
// 3339 in UTC. Nothing here can render a secret except the explicit
// plaintext and token fields the handlers pass. Thread-safe.
#ifndef KEYHOLD_KMS_API_RENDER_H_
#define KEYHOLD_KMS_API_RENDER_H_

#include <cstdint>
#include <string>

#include "crypto/error.h"
#include "kms/api/json.h"
#include "kms/auth/token_store.h"
#include "kms/keyring.h"
#include "kms/seal_manager.h"

namespace keyhold::kms {

// Rfc3339 renders Unix seconds as "2026-11-23T18:00:00Z".
std::string Rfc3339(std::int64_t unix_seconds);

// RenderKey renders a key object; `with_versions` adds the `versions` array
// (empty for a destroyed key), which create and show answer with.
enum class Versions : bool { kOmit, kInclude };
SecureJson RenderKey(const KeyInfo& key, Versions versions = Versions::kOmit);
SecureJson RenderToken(const TokenInfo& token);
SecureJson RenderSealStatus(const SealStatus& status);

// RenderError returns {"error": {"code", "message", "request_id"}}.
SecureJson RenderError(const Error& error, const std::string& request_id);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_RENDER_H_
