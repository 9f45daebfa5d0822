// SealManager: initialisation, unseal and seal of the key store's root key.
//
// States: not initialised -> (Init) -> sealed -> (unseal) -> unsealed ->
// (Seal) -> sealed. While sealed no key can be used: the root key exists in
// memory (guarded, see crypto/secret_bytes.h) only while unsealed.
//
// Init creates a random 256-bit root key and wraps it under an unseal key
// made by one of three methods (kms/seal_config.h): Shamir shares (N shares,
// any M recombine it; returned once, never stored), a passphrase (Argon2id),
// or a key file (development mode only). Init never runs over an initialised
// store. Each submitted share is checked against the commitment stored for
// its index before it is kept, so a mistyped, forged, foreign or duplicate
// share is refused at once, not after recovery. Thread-safe.
#ifndef KEYHOLD_KMS_SEAL_MANAGER_H_
#define KEYHOLD_KMS_SEAL_MANAGER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/argon2id.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/shamir.h"
#include "kms/record_sealer.h"
#include "kms/seal_config.h"
#include "kms/store.h"

namespace keyhold::kms {

struct SealOptions {
  // Development mode allows the key-file method and weak passphrase costs.
  bool dev_mode = false;
};

// Limits outside development mode (docs/operations.md).
inline constexpr std::uint8_t kMaxShares = 16;
inline constexpr std::size_t kMinPassphraseSize = 12;

struct InitRequest {
  SealMethod method = SealMethod::kShamir;
  std::uint8_t share_count = 5;                    // kShamir
  std::uint8_t threshold = 3;                      // kShamir
  crypto::SecretBytes passphrase;                  // kPassphrase
  std::optional<crypto::Argon2idParams> argon2id;  // kPassphrase; default MODERATE
  std::filesystem::path key_file;                  // kKeyFile; created, never overwritten
};

struct InitResult {
  // The shares' text forms (kShamir only). Shown once: Keyhold keeps only a
  // commitment per share.
  std::vector<crypto::SecretBytes> shares;
  // The first admin token, when the caller's InitHook made one. Shown once.
  crypto::SecretBytes admin_token;
  // The new store's id (not secret): names this init to UndoInit.
  std::vector<std::uint8_t> store_id;
};

// InitHook adds records to the store inside init's own transaction, sealed
// under the new root key, so they exist exactly when the store does.
using InitHook =
    std::function<Status(WriteTxn& txn, const RecordSealer& sealer, InitResult* result)>;

struct SealStatus {
  bool initialized = false;
  bool sealed = true;
  SealMethod method = SealMethod::kShamir;
  std::uint8_t threshold = 0;    // kShamir
  std::uint8_t share_count = 0;  // kShamir
  std::uint8_t progress = 0;     // shares accepted so far while sealed
};

class SealManager {
 public:
  // Open reads the seal configuration, if any, from `store` (which must
  // outlive the manager). A malformed configuration is kStoreCorrupt.
  static Result<std::unique_ptr<SealManager>> Open(Store* store, const SealOptions& options);

  SealStatus seal_status() const;

  // Init initialises the store and leaves it sealed. kAlreadyInitialized if
  // it already is; kDevModeOnly for a key file outside development mode.
  Result<InitResult> Init(InitRequest request, const InitHook& hook = nullptr);

  // UndoInit returns the store to uninitialised after an Init whose result
  // could not be handed out (its audit record failed: the shares must not
  // leave, and nobody else holds them, so the store could never be opened).
  // It deletes what init wrote and the key file, and is refused unless the
  // store is still the one `store_id` names, holds no key and no token but
  // the first.
  Status UndoInit(std::span<const std::uint8_t> store_id);

  // SubmitShare checks one share and keeps it; at the threshold it unseals.
  // kInvalidShare names what is wrong with a refused share (which is not
  // kept); kUnsealFailed if the recombined key does not open the root key.
  Result<SealStatus> SubmitShare(std::span<const std::uint8_t> share_text);
  // ResetUnseal forgets the shares submitted so far.
  void ResetUnseal();

  // UnsealWithPassphrase: kUnsealFailed if the passphrase is wrong.
  Status UnsealWithPassphrase(const crypto::SecretBytes& passphrase);
  // UnsealWithKeyFile: development mode only.
  Status UnsealWithKeyFile(const std::filesystem::path& key_file);

  // Seal forgets the root key. Users of record_sealer() that still hold it
  // finish their work; new ones get kSealed.
  void Seal();

  // RecordSealer of the unsealed store; kSealed or kNotInitialized otherwise.
  Result<std::shared_ptr<const RecordSealer>> record_sealer() const;

  // DeriveKey returns HKDF-SHA-256(root key, info = `label`), 32 bytes, for
  // other subsystems (the audit log's key): kSealed while sealed.
  Result<crypto::SecretBytes> DeriveKey(std::string_view label) const;

 private:
  SealManager(Store* store, const SealOptions& options) : store_(store), options_(options) {}
  Status UnsealWithKek(const crypto::SecretBytes& kek);  // requires mu_
  SealStatus StatusLocked() const;

  Store* store_;
  SealOptions options_;
  mutable std::mutex mu_;
  std::optional<SealConfig> config_;
  std::vector<std::uint8_t> store_id_;
  std::filesystem::path init_key_file_;  // the key file this process's Init wrote
  std::vector<crypto::ShamirShare> pending_shares_;
  crypto::SecretBytes root_key_;
  std::shared_ptr<const RecordSealer> sealer_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SEAL_MANAGER_H_
