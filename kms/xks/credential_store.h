// XksCredentialStore: the SigV4 credentials AWS KMS signs XKS calls with,
// one set or more per key store (docs/xks.md).
//
// Keyhold makes each credential itself: an access key id of 24 characters
// of A-Z and 2-7 (the spec's 20-30) and a secret of 32 random bytes in
// base64 (44 characters, the spec's 43-64 of a-z A-Z 0-9 + / =). SigV4
// needs the secret itself to check a signature, so the store keeps it, in a
// record sealed like every other (kms/record_sealer.h): a copy of the store
// yields no credential. The secret is shown once, at creation. Several
// credentials of one key store are live at once, so AWS KMS can be moved to
// a new one before the old one is revoked; creating and revoking take
// effect at once, with no restart. Thread-safe; needs the unsealed store.
#ifndef KEYHOLD_KMS_XKS_CREDENTIAL_STORE_H_
#define KEYHOLD_KMS_XKS_CREDENTIAL_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/clock.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

// At most this many live credentials per key store: rotation needs two.
inline constexpr std::size_t kMaxXksCredentialsPerStore = 4;

struct XksCredentialInfo {
  std::string access_key_id;
  std::string key_store;
  std::int64_t created_at = 0;
  std::int64_t revoked_at = 0;  // 0: live
};

struct NewXksCredential {
  XksCredentialInfo info;
  crypto::SecretBytes secret;  // the only copy handed out
};

struct XksSecret {
  std::string key_store;
  crypto::SecretBytes secret;
};

class XksCredentialStore {
 public:
  static Result<std::unique_ptr<XksCredentialStore>> Create(
      Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock);

  // CreateCredential makes a credential for `key_store` (a configured key
  // store's name, checked by the caller), durably. kInvalidRequest when the
  // key store already has kMaxXksCredentialsPerStore live ones.
  Result<NewXksCredential> CreateCredential(std::string_view key_store);
  // Lookup returns the live credential's key store and secret, or
  // kUnauthenticated (unknown, malformed or revoked alike).
  Result<XksSecret> Lookup(std::string_view access_key_id);
  // Revoke marks it revoked, durably; kNotFound if unknown. Revoking twice
  // keeps the first time.
  Result<XksCredentialInfo> Revoke(std::string_view access_key_id);
  // List returns every credential (never a secret), in id order.
  Result<std::vector<XksCredentialInfo>> List();

  struct Record;  // one stored credential (credential_store.cc)

 private:
  XksCredentialStore(Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock)
      : store_(store), sealer_(std::move(sealer)), clock_(clock) {}
  Result<std::shared_ptr<const Record>> Load(const std::string& access_key_id);

  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  const Clock* clock_;
  std::mutex write_mu_;  // create and revoke: one at a time
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Record>> cache_;  // guarded by mu_
  // Bumped by every revocation (guarded by mu_): a Load that read the store
  // before a revocation must not cache what it read after it.
  std::uint64_t revocations_ = 0;
};

// ValidXksAccessKeyId reports whether `id` has the shape Keyhold makes.
bool ValidXksAccessKeyId(std::string_view id);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_XKS_CREDENTIAL_STORE_H_
