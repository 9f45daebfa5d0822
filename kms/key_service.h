// KeyService: the key store as one object, the entry point for the server,
// the CLI and the tests. Owns the LMDB store, the seal manager and, while
// unsealed, the keyring; seal status changes swap the keyring atomically.
//
// A sealed service refuses every key operation with kSealed (503 at the
// API); an uninitialised one with kNotInitialized. Thread-safe.
#ifndef KEYHOLD_KMS_KEY_SERVICE_H_
#define KEYHOLD_KMS_KEY_SERVICE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>

#include "crypto/error.h"
#include "kms/approvals/officer_registry.h"
#include "kms/approvals/request_store.h"
#include "kms/audit/audit_log.h"
#include "kms/auth/token_store.h"
#include "kms/byok/key_importer.h"
#include "kms/clock.h"
#include "kms/keyring.h"
#include "kms/seal_manager.h"
#include "kms/store.h"
#include "kms/xks/credential_store.h"

namespace keyhold::kms {

struct KeyServiceOptions {
  StoreOptions store;
  SealOptions seal;
  KeyringOptions keyring;
  const Clock* clock = &SystemClock::Instance();
};

class KeyService {
 public:
  // Open opens (or creates) the store; the service starts sealed.
  static Result<std::unique_ptr<KeyService>> Open(const KeyServiceOptions& options);
  ~KeyService();

  SealStatus seal_status() const { return seal_->seal_status(); }
  // Init initialises the store (left sealed) and mints the first admin
  // token (principal "root", tenant "*", role admin, no expiry), returned
  // once in InitResult::admin_token.
  Result<InitResult> Init(InitRequest request);
  // UndoInit reverses an Init whose answer was never sent (see
  // SealManager::UndoInit), sealing first if a key file unsealed it.
  Status UndoInit(std::span<const std::uint8_t> store_id);
  Result<SealStatus> SubmitShare(std::span<const std::uint8_t> share_text);
  Status UnsealWithPassphrase(const crypto::SecretBytes& passphrase);
  Status UnsealWithKeyFile(const std::filesystem::path& key_file);
  void ResetUnseal() { seal_->ResetUnseal(); }
  // Seal drops the keyring (wiping its cached keys once in-flight calls end)
  // and the root key.
  void Seal();

  // keyring returns the keyring while unsealed; kSealed or kNotInitialized
  // otherwise. Holders may finish their call after a concurrent Seal().
  Result<std::shared_ptr<Keyring>> keyring() const;
  // tokens returns the token store, on the same terms.
  Result<std::shared_ptr<TokenStore>> tokens() const;
  // requests and officers return the access-request store and the officer
  // registry, on the same terms.
  Result<std::shared_ptr<RequestStore>> requests() const;
  Result<std::shared_ptr<OfficerRegistry>> officers() const;
  // importer returns BYOK's import-token store, on the same terms.
  Result<std::shared_ptr<KeyImporter>> importer() const;
  // xks_credentials returns the XKS SigV4 credentials, on the same terms.
  Result<std::shared_ptr<XksCredentialStore>> xks_credentials() const;

  const SealManager& seal_manager() const { return *seal_; }

  // AttachAudit connects the audit log, which must outlive the service. At
  // each unseal the log gets its keys (derived from the root key) and is
  // checked against the chain head the store kept; a problem found is
  // written into the log itself and passed to `on_finding`. An unseal whose
  // checkpoint cannot be made durable fails (and leaves the store sealed).
  // At seal the log writes a last checkpoint and drops its keys.
  void AttachAudit(AuditLog* log, std::function<void(const std::string&)> on_finding);

 private:
  KeyService() = default;
  Status AttachKeyring();  // requires transition_mu_
  Status ConnectAudit(const std::shared_ptr<const RecordSealer>& sealer);  // ditto

  KeyServiceOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SealManager> seal_;
  // Held across every seal-state transition (init, unseal, seal), so that
  // "sealed" and "a keyring is attached" never disagree, even for a moment.
  std::mutex transition_mu_;
  mutable std::mutex mu_;
  std::shared_ptr<Keyring> keyring_;                     // guarded by mu_
  std::shared_ptr<TokenStore> tokens_;                   // guarded by mu_; set with keyring_
  std::shared_ptr<RequestStore> requests_;               // ditto
  std::shared_ptr<OfficerRegistry> officers_;            // ditto
  std::shared_ptr<KeyImporter> importer_;                // ditto
  std::shared_ptr<XksCredentialStore> xks_credentials_;  // ditto
  AuditLog* audit_ = nullptr;                            // set before serving; then read-only
  std::function<void(const std::string&)> on_audit_finding_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_KEY_SERVICE_H_
