// TokenStore: API bearer tokens, stored so that a copy of the store never
// yields a usable token.
//
// A token is "kh_" followed by 64 lowercase hex digits (256 random bits),
// shown once at creation. Keyhold keeps only
// SHA-256("keyhold-token-v1" || raw bits), under an accessor (the first 8
// bytes of that hash, in hex) that names the token in lists, logs and
// revocation without revealing it. Each record is
// sealed by RecordSealer, so principal, tenant, roles, expiry and revocation
// are authenticated like every other record. Authentication recomputes the
// hash and compares it in constant time; every failure (malformed, unknown,
// expired, revoked) is the same kUnauthenticated. Thread-safe; needs the
// unsealed store.
#ifndef KEYHOLD_KMS_AUTH_TOKEN_STORE_H_
#define KEYHOLD_KMS_AUTH_TOKEN_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/auth/roles.h"
#include "kms/clock.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

struct TokenSpec {
  std::string principal;   // 1-128 of [A-Za-z0-9._@:-]
  std::string tenant;      // a tenant or "*"
  RoleSet roles;           // at least one
  std::int64_t ttl_s = 0;  // > 0; 0 only for the initial admin token (no expiry)
};

struct TokenInfo {
  std::string accessor;
  std::string principal;
  std::string tenant;
  RoleSet roles;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  // 0: never
  std::int64_t revoked_at = 0;  // 0: not revoked
};

struct NewToken {
  crypto::SecretBytes token;  // "kh_" + 64 hex; the only copy
  TokenInfo info;
};

class TokenStore {
 public:
  static Result<std::unique_ptr<TokenStore>> Create(Store* store,
                                                    std::shared_ptr<const RecordSealer> sealer,
                                                    const Clock* clock);

  // MintInTxn creates a token inside an open write transaction (used by
  // init, so the first admin token is committed with the store itself).
  static Result<NewToken> MintInTxn(WriteTxn& txn, const RecordSealer& sealer,
                                    const TokenSpec& spec, std::int64_t now);

  // CreateToken validates `spec` and stores a new token durably.
  Result<NewToken> CreateToken(const TokenSpec& spec);

  // Authenticate returns the principal of a valid token, or
  // kUnauthenticated whatever was wrong.
  Result<Principal> Authenticate(std::span<const std::uint8_t> token);

  // Revoke marks a token revoked (durably); kNotFound for an unknown
  // accessor. Revoking twice keeps the first time.
  Result<TokenInfo> Revoke(std::string_view accessor);

  // List returns every token's information (never the token).
  Result<std::vector<TokenInfo>> List();

 private:
  TokenStore(Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock)
      : store_(store), sealer_(std::move(sealer)), clock_(clock) {}
  struct Record;
  Result<std::shared_ptr<const Record>> Load(const std::string& accessor);

  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  const Clock* clock_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Record>> cache_;  // guarded by mu_
};

// ValidPrincipalName reports whether `name` is 1-128 of [A-Za-z0-9._@:-].
bool ValidPrincipalName(std::string_view name);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUTH_TOKEN_STORE_H_
