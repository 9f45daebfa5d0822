// Keyring: master keys and their lifecycle, and the four key operations
// (wrap, unwrap, rewrap, generate-data-key), over the unsealed store.
//
// Every change (create, rotate, enable, disable, config, schedule/cancel
// deletion, destroy, encryption reservations) is one LMDB transaction and
// is durable when the call returns ok; nothing is published in memory before
// it is committed. Key metadata is held as immutable snapshots: a reader
// sees the whole record before or after a change, never half of it. Key
// versions are loaded lazily, their material kept in guarded memory, and
// checked against their stored commitment on load.
//
// Thread-safe: any number of threads may call any method. Writes to one key
// are serialised; writes to different keys are serialised by LMDB's single
// writer. Requires an unsealed store; dropping the Keyring wipes every cached
// key. Time comes from the injected Clock.
#ifndef KEYHOLD_KMS_KEYRING_H_
#define KEYHOLD_KMS_KEYRING_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/committed_key.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"
#include "kms/clock.h"
#include "kms/key_lifecycle.h"
#include "kms/key_record.h"
#include "kms/record_sealer.h"
#include "kms/store.h"
#include "kms/usage_budget.h"
#include "policies/policy_set.h"
#include "policies/rotation.h"

namespace keyhold::kms {

inline constexpr std::int64_t kDay = 86400;

struct KeyringOptions {
  bool dev_mode = false;
  BudgetLimits budget;
  // Rotation period given to keys created without one (0: none).
  std::uint64_t default_rotation_period_s = 365 * kDay;
  // Deletion window: default, and the floor (never below 7 days outside
  // development mode), and the ceiling.
  std::uint32_t default_deletion_days = 30;
  std::uint32_t min_deletion_days = 7;
  std::uint32_t max_deletion_days = 365;
};

// ValidateKeyringOptions refuses options that would weaken an invariant: an
// encryption budget above 2^32, a deletion floor under 7 days outside
// development mode, a default period out of range.
Status ValidateKeyringOptions(const KeyringOptions& options);

struct CreateKeyOptions {
  std::optional<std::uint64_t> rotation_period_s{};
  // The material may leave, wrapped, after approval (ExportMaterial). Set at
  // creation only, never later.
  bool exportable = false;
};

// ImportOptions say where imported (BYOK) material goes.
struct ImportOptions {
  // Back into this existing version: the same material only (its commitment
  // must match), with a new expiry. Unset: version 1 of a new key, or a new
  // primary version of an existing external key.
  std::optional<std::uint32_t> version{};
  // When the material becomes unusable (unix seconds); 0: never.
  std::int64_t material_expires_at = 0;
  bool exportable = false;  // when the import creates the key
};

struct ImportResult {
  std::uint32_t version = 0;
  bool created = false;  // the import created the key
};

struct ExportedMaterial {
  std::uint32_t version = 0;
  crypto::SecretBytes material;  // 32 bytes
};

struct KeyConfigUpdate {
  std::optional<std::uint32_t> min_decryption_version;
  std::optional<std::uint64_t> rotation_period_s;
};

struct VersionInfo {
  std::uint32_t version = 0;
  std::int64_t created_at = 0;
  // Encryptions counted against this version (an upper bound after a
  // restart, which skips the rest of the reserved block).
  std::uint64_t encryptions = 0;
  std::int64_t material_expires_at = 0;  // imported material; 0: never
};

struct KeyInfo {
  crypto::KeyId id;
  KeyRecord record;
  std::vector<VersionInfo> versions;  // filled by GetKey, empty in ListKeys
};

struct WrapResult {
  std::vector<std::uint8_t> ciphertext;
  std::uint32_t key_version = 0;
};

struct UnwrapResult {
  crypto::SecretBytes plaintext;
  std::uint32_t key_version = 0;
};

struct DataKey {
  crypto::SecretBytes plaintext;  // 32 bytes
  std::vector<std::uint8_t> ciphertext;
  std::uint32_t key_version = 0;
};

struct VersionUsage {
  crypto::KeyId id;
  std::uint32_t version = 0;
  std::uint64_t encryptions = 0;
};

struct DueRotation {
  crypto::KeyId id;
  policies::RotationReason reason;
};

class Keyring {
 public:
  // Create validates `options`. `store`, `clock` must outlive the keyring.
  static Result<std::unique_ptr<Keyring>> Create(Store* store,
                                                 std::shared_ptr<const RecordSealer> sealer,
                                                 const KeyringOptions& options, const Clock* clock);
  ~Keyring();

  // CreateKey creates an enabled key with version 1 (256 bits from the
  // CSPRNG). kKeyExists if the id was ever used (destroyed ids stay taken).
  Result<KeyInfo> CreateKey(const crypto::KeyId& id, const CreateKeyOptions& options);

  // ImportMaterial puts 32 bytes of material made outside Keyhold (BYOK)
  // into key `id`: version 1 of a new external key (no rotation period:
  // an imported key rotates by importing again), a new primary version of
  // an existing external key, or back into an existing version (see
  // ImportOptions). Refused: a generated key, or a state that cannot import
  // (kInvalidKeyState); other material than a version already holds
  // (kInvalidRequest, "key commitment mismatch"); an expiry in the past.
  // Durable when it returns.
  Result<ImportResult> ImportMaterial(const crypto::KeyId& id, const crypto::SecretBytes& material,
                                      const ImportOptions& options);

  // ExportMaterial returns the material of `version` (default: the primary)
  // of a key created exportable, for the caller to wrap at once under a
  // customer's public key. kInvalidKeyState if the key is not exportable or
  // its state forbids; kNotFound for a version it does not have. WARNING:
  // the only call that releases master-key material; the API allows it
  // only with an approved access request (docs/byok.md).
  Result<ExportedMaterial> ExportMaterial(const crypto::KeyId& id,
                                          std::optional<std::uint32_t> version);
  // GetKey returns the key with its versions. kKeyNotFound if absent.
  Result<KeyInfo> GetKey(const crypto::KeyId& id);
  // ListKeys returns up to `limit` keys of `tenant` whose names sort after
  // `after` (empty: from the start), in name order.
  Result<std::vector<KeyInfo>> ListKeys(std::string_view tenant, std::size_t limit,
                                        std::string_view after);

  // Rotate adds a new version and makes it primary. Enabled keys only;
  // generated keys only (an external key rotates by importing).
  Result<KeyInfo> Rotate(const crypto::KeyId& id);
  Result<KeyInfo> Enable(const crypto::KeyId& id);
  Result<KeyInfo> Disable(const crypto::KeyId& id);
  // SetConfig changes min_decryption_version (1..latest) and/or the
  // rotation period (0, or at least one hour outside development mode).
  Result<KeyInfo> SetConfig(const crypto::KeyId& id, const KeyConfigUpdate& update);
  // ScheduleDeletion starts the deletion window (`days`, default from the
  // options, within [min, max]); the key can no longer be used.
  Result<KeyInfo> ScheduleDeletion(const crypto::KeyId& id, std::optional<std::uint32_t> days);
  // CancelDeletion ends the window; the key comes back disabled.
  Result<KeyInfo> CancelDeletion(const crypto::KeyId& id);

  // Wrap seals `plaintext` (1..4096 bytes) under the primary version.
  Result<WrapResult> Wrap(const crypto::KeyId& id, std::span<const std::uint8_t> plaintext,
                          const crypto::EncryptionContext& context);
  // Unwrap opens a blob of this key. Every cryptographic failure, and a blob
  // of another key, is the one kInvalidCiphertext.
  Result<UnwrapResult> Unwrap(const crypto::KeyId& id, std::span<const std::uint8_t> blob,
                              const crypto::EncryptionContext& context);
  // Rewrap unwraps and wraps again under the primary version, never
  // returning the plaintext.
  Result<WrapResult> Rewrap(const crypto::KeyId& id, std::span<const std::uint8_t> blob,
                            const crypto::EncryptionContext& context);
  // GenerateDataKey returns a fresh 256-bit data key and its blob.
  Result<DataKey> GenerateDataKey(const crypto::KeyId& id,
                                  const crypto::EncryptionContext& context);

  // EncryptWith runs `seal` with the primary version's key, after counting
  // one encryption against the version's budget, as Wrap does; for
  // ciphertext formats other than the blob (the XKS proxy API's). Returns
  // the version used.
  Result<std::uint32_t> EncryptWith(
      const crypto::KeyId& id,
      const std::function<Status(std::uint32_t version, const crypto::CommittedKey& key)>& seal);
  // DecryptWith runs `open` with version `version`'s key, under Unwrap's
  // rules (key state, min_decryption_version, material expiry). A version
  // the key does not have is kInvalidCiphertext.
  Status DecryptWith(const crypto::KeyId& id, std::uint32_t version,
                     const std::function<Status(const crypto::CommittedKey& key)>& open);

  // KeyCount returns the number of keys in the store, destroyed ones
  // included (their tombstones keep the name).
  Result<std::uint64_t> KeyCount();
  // LoadedVersionUsage returns the encryption count of every key version in
  // memory (the ones in use since start), for metrics.
  std::vector<VersionUsage> LoadedVersionUsage();
  // OverBudget lists enabled keys in memory whose primary version reached
  // the rotation threshold (the configured one, or a lower one that a
  // rotation rule of `rules` sets for the key): a cheap check the scheduler
  // runs often, between full DueForRotation scans.
  std::vector<crypto::KeyId> OverBudget(const policies::PolicySet& rules = {});

  // DueForRotation lists the enabled keys that must rotate at `now`
  // (policies::RotationDue over every key, with the key's own period
  // shortened by any rotation rule of `rules` that matches it).
  Result<std::vector<DueRotation>> DueForRotation(std::int64_t now,
                                                  const policies::PolicySet& rules = {});
  // DueForDestruction lists the keys whose deletion window ended by `now`.
  Result<std::vector<crypto::KeyId>> DueForDestruction(std::int64_t now);
  // Destroy removes every version of a key whose deletion window is over
  // (kInvalidKeyState otherwise) and leaves a tombstone record.
  Result<KeyInfo> Destroy(const crypto::KeyId& id);

 private:
  struct VersionEntry;
  struct KeyEntry;

  Keyring(Store* store, std::shared_ptr<const RecordSealer> sealer, const KeyringOptions& options,
          const Clock* clock);

  Result<std::shared_ptr<KeyEntry>> Entry(const crypto::KeyId& id);
  Result<std::shared_ptr<VersionEntry>> Version(KeyEntry& entry, std::uint32_t version);
  Result<std::shared_ptr<VersionEntry>> LoadVersion(const crypto::KeyId& id, std::uint32_t version);
  Result<std::shared_ptr<VersionEntry>> NewVersion(WriteTxn& txn, const crypto::KeyId& id,
                                                   std::uint32_t version, std::int64_t now);
  // PutVersion writes `material` as version `version` with a fresh usage
  // record, and returns its entry.
  Result<std::shared_ptr<VersionEntry>> PutVersion(WriteTxn& txn, const crypto::KeyId& id,
                                                   std::uint32_t version,
                                                   crypto::SecretBytes material, std::int64_t now,
                                                   std::int64_t material_expires_at);
  // Usable refuses a version whose imported material has expired.
  Status Usable(const VersionEntry& version) const;
  Status PutKeyRecord(WriteTxn& txn, const crypto::KeyId& id, const KeyRecord& record);
  Result<KeyInfo> ChangeState(const crypto::KeyId& id, KeyOp op,
                              const std::function<Status(KeyRecord&)>& edit);
  Result<WrapResult> WrapWith(const crypto::KeyId& id, KeyEntry& entry,
                              std::span<const std::uint8_t> plaintext,
                              const crypto::EncryptionContext& context);
  Status Reserve(KeyEntry& entry, std::uint32_t version, std::uint64_t reserved);
  Result<std::vector<VersionInfo>> Versions(KeyEntry& entry);

  Store* store_;
  std::shared_ptr<const RecordSealer> sealer_;
  KeyringOptions options_;
  const Clock* clock_;

  std::shared_mutex keys_mu_;
  std::unordered_map<std::string, std::shared_ptr<KeyEntry>> keys_;  // by "TENANT/NAME"
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_KEYRING_H_
