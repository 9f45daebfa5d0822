#include "kms/keyring.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "crypto/byte_reader.h"
#include "crypto/random.h"
#include "crypto/wrapped_blob.h"
#include "kms/version_record.h"

namespace keyhold::kms {

using crypto::KeyId;
using crypto::SecretAccess;
using crypto::SecretBytes;

struct Keyring::VersionEntry {
  VersionEntry(std::uint32_t v, std::int64_t created, std::unique_ptr<crypto::CommittedKey> k,
               std::uint64_t reserved, std::int64_t expires)
      : version(v),
        created_at(created),
        key(std::move(k)),
        budget(reserved),
        material_expires_at(expires) {}
  const std::uint32_t version;
  const std::int64_t created_at;
  const std::unique_ptr<const crypto::CommittedKey> key;
  UsageBudget budget;
  // Moved by a re-import of the same material, under the key's write lock.
  std::atomic<std::int64_t> material_expires_at;
};

struct Keyring::KeyEntry {
  KeyEntry(KeyId key_id, const KeyRecord& r)
      : id(std::move(key_id)), record_(std::make_shared<const KeyRecord>(r)) {}

  std::shared_ptr<const KeyRecord> Record() const {
    std::lock_guard lock(record_mu_);
    return record_;
  }
  void Publish(const KeyRecord& r) {
    auto next = std::make_shared<const KeyRecord>(r);
    std::lock_guard lock(record_mu_);
    record_ = std::move(next);
  }

  const KeyId id;
  // Serialises every change to this key (state, versions, reservations).
  std::mutex write_mu;
  std::shared_mutex versions_mu;
  std::map<std::uint32_t, std::shared_ptr<VersionEntry>> versions;  // guarded by versions_mu
  bool destroyed = false;                                           // guarded by versions_mu

 private:
  mutable std::mutex record_mu_;
  std::shared_ptr<const KeyRecord> record_;  // immutable snapshot, swapped whole
};

namespace {

constexpr std::uint64_t kMinRotationPeriod = 3600;
constexpr std::uint64_t kMaxRotationPeriod = 100ULL * 365 * kDay;
constexpr std::size_t kMaxListLimit = 1000;

Error NotFound(const KeyId& id) {
  return MakeError(ErrorCode::kKeyNotFound, "no key named " + id.ToString());
}

Error GenericCiphertext() {
  return MakeError(ErrorCode::kInvalidCiphertext);
}

Status ValidRotationPeriod(std::uint64_t period, bool dev_mode) {
  if (period == 0) {
    return Status::Ok();
  }
  if ((!dev_mode && period < kMinRotationPeriod) || period > kMaxRotationPeriod) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "rotation_period must be 0 (off) or between one hour and 100 years");
  }
  return Status::Ok();
}

}  // namespace

Keyring::Keyring(Store* store, std::shared_ptr<const RecordSealer> sealer,
                 const KeyringOptions& options, const Clock* clock)
    : store_(store), sealer_(std::move(sealer)), options_(options), clock_(clock) {}

Keyring::~Keyring() = default;

Status ValidateKeyringOptions(const KeyringOptions& options) {
  KEYHOLD_TRY(ValidateBudgetLimits(options.budget));
  if (!options.dev_mode && options.min_deletion_days < 7) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the deletion window floor cannot be below 7 days outside development mode");
  }
  if (options.default_deletion_days < options.min_deletion_days ||
      options.default_deletion_days > options.max_deletion_days) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the default deletion window must lie between the floor and the ceiling");
  }
  return ValidRotationPeriod(options.default_rotation_period_s, options.dev_mode);
}

Result<std::unique_ptr<Keyring>> Keyring::Create(Store* store,
                                                 std::shared_ptr<const RecordSealer> sealer,
                                                 const KeyringOptions& options,
                                                 const Clock* clock) {
  KEYHOLD_TRY(ValidateKeyringOptions(options));
  if (store == nullptr || sealer == nullptr || clock == nullptr) {
    return MakeError(ErrorCode::kInternal, "keyring needs a store, a sealer and a clock");
  }
  return std::unique_ptr<Keyring>(new Keyring(store, std::move(sealer), options, clock));
}

Result<std::shared_ptr<Keyring::KeyEntry>> Keyring::Entry(const KeyId& id) {
  const std::string name = id.ToString();
  {
    std::shared_lock lock(keys_mu_);
    if (auto it = keys_.find(name); it != keys_.end()) {
      return it->second;
    }
  }
  const auto key = KeyRecordKey(id);
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kKeys, key));
  if (!raw) {
    return NotFound(id);
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, sealer_->Open(Table::kKeys, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(KeyRecord record, ParseKeyRecord(body.Reveal(SecretAccess::Get())));
  auto entry = std::make_shared<KeyEntry>(id, record);
  std::unique_lock lock(keys_mu_);
  // Never replace an entry another thread published: it may be newer.
  return keys_.emplace(name, std::move(entry)).first->second;
}

Result<std::shared_ptr<Keyring::VersionEntry>> Keyring::LoadVersion(const KeyId& id,
                                                                    std::uint32_t version) {
  const auto key = VersionRecordKey(id, version);
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kVersions, key));
  KEYHOLD_ASSIGN_OR_RETURN(auto raw_usage, txn.Get(Table::kCounters, key));
  if (!raw) {
    return MakeError(ErrorCode::kNotFound, "no such key version");
  }
  if (!raw_usage) {
    return MakeError(ErrorCode::kStoreCorrupt, "a key version has no usage record");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, sealer_->Open(Table::kVersions, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(VersionRecord record,
                           ParseVersionRecord(body.Reveal(SecretAccess::Get())));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes usage_body,
                           sealer_->Open(Table::kCounters, key, *raw_usage));
  KEYHOLD_ASSIGN_OR_RETURN(UsageRecord usage,
                           ParseUsageRecord(usage_body.Reveal(SecretAccess::Get())));
  if (record.version != version) {
    return MakeError(ErrorCode::kStoreCorrupt, "a key version record is out of place");
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto committed, crypto::CommittedKey::Derive(record.material));
  if (!committed->Matches(record.commitment)) {
    return MakeError(ErrorCode::kStoreCorrupt, "key material does not match its commitment");
  }
  return std::make_shared<VersionEntry>(version, usage.created_at, std::move(committed),
                                        usage.reserved_encryptions, usage.material_expires_at);
}

Result<std::shared_ptr<Keyring::VersionEntry>> Keyring::Version(KeyEntry& entry,
                                                                std::uint32_t version) {
  {
    std::shared_lock lock(entry.versions_mu);
    if (auto it = entry.versions.find(version); it != entry.versions.end()) {
      return it->second;
    }
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto loaded, LoadVersion(entry.id, version));
  std::unique_lock lock(entry.versions_mu);
  if (entry.destroyed) {
    // Destroy ran while this version was being read: do not keep the key.
    return MakeError(ErrorCode::kInvalidKeyState, "the key is destroyed");
  }
  return entry.versions.emplace(version, std::move(loaded)).first->second;
}

Result<std::shared_ptr<Keyring::VersionEntry>> Keyring::NewVersion(WriteTxn& txn, const KeyId& id,
                                                                   std::uint32_t version,
                                                                   std::int64_t now) {
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes material, crypto::RandomSecret(crypto::kKeyMaterialSize));
  return PutVersion(txn, id, version, std::move(material), now, 0);
}

Result<std::shared_ptr<Keyring::VersionEntry>> Keyring::PutVersion(
    WriteTxn& txn, const KeyId& id, std::uint32_t version, SecretBytes material, std::int64_t now,
    std::int64_t material_expires_at) {
  KEYHOLD_ASSIGN_OR_RETURN(auto committed, crypto::CommittedKey::Derive(material));
  const auto key = VersionRecordKey(id, version);
  VersionRecord record{version, committed->commitment(), std::move(material)};
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, EncodeVersionRecord(record));
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed,
                           sealer_->Seal(Table::kVersions, key, body.Reveal(SecretAccess::Get())));
  KEYHOLD_TRY(txn.Put(Table::kVersions, key, sealed));
  const auto usage = EncodeUsageRecord(UsageRecord{0, now, material_expires_at});
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed_usage, sealer_->Seal(Table::kCounters, key, usage));
  KEYHOLD_TRY(txn.Put(Table::kCounters, key, sealed_usage));
  return std::make_shared<VersionEntry>(version, now, std::move(committed), 0, material_expires_at);
}

Status Keyring::Usable(const VersionEntry& version) const {
  const std::int64_t expires = version.material_expires_at.load();
  if (expires != 0 && clock_->NowSeconds() >= expires) {
    return MakeError(ErrorCode::kInvalidKeyState, "the imported material of key version " +
                                                      std::to_string(version.version) +
                                                      " has expired; import it again to use it");
  }
  return Status::Ok();
}

Status Keyring::PutKeyRecord(WriteTxn& txn, const KeyId& id, const KeyRecord& record) {
  const auto key = KeyRecordKey(id);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed, sealer_->Seal(Table::kKeys, key, EncodeKeyRecord(record)));
  return txn.Put(Table::kKeys, key, sealed);
}

Result<KeyInfo> Keyring::CreateKey(const KeyId& id, const CreateKeyOptions& options) {
  const std::uint64_t period =
      options.rotation_period_s.value_or(options_.default_rotation_period_s);
  KEYHOLD_TRY(ValidRotationPeriod(period, options_.dev_mode));
  const std::int64_t now = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kKeys, KeyRecordKey(id)));
  if (existing) {
    return MakeError(ErrorCode::kKeyExists, "a key named " + id.ToString() + " already exists");
  }
  KeyRecord record;
  record.state = KeyState::kEnabled;
  record.origin = KeyOrigin::kGenerated;
  record.primary_version = 1;
  record.latest_version = 1;
  record.min_decryption_version = 1;
  record.created_at = record.updated_at = record.last_rotated_at = now;
  record.rotation_period_s = period;
  record.exportable = options.exportable;
  KEYHOLD_ASSIGN_OR_RETURN(auto version, NewVersion(txn, id, 1, now));
  KEYHOLD_TRY(PutKeyRecord(txn, id, record));
  KEYHOLD_TRY(txn.Commit());
  auto entry = std::make_shared<KeyEntry>(id, record);
  entry->versions.emplace(1, std::move(version));
  {
    std::unique_lock lock(keys_mu_);
    keys_.emplace(id.ToString(), std::move(entry));
  }
  return KeyInfo{id, record, {VersionInfo{1, now, 0, 0}}};
}

Result<ImportResult> Keyring::ImportMaterial(const KeyId& id, const SecretBytes& material,
                                             const ImportOptions& options) {
  if (material.size() != crypto::kKeyMaterialSize) {
    return MakeError(ErrorCode::kInvalidRequest, "key material must be 256 bits (32 bytes)");
  }
  const std::int64_t now = clock_->NowSeconds();
  if (options.material_expires_at != 0 && options.material_expires_at <= now) {
    return MakeError(ErrorCode::kInvalidRequest, "the material's expiry is not in the future");
  }
  auto found = Entry(id);
  if (!found.ok() && found.error().code != ErrorCode::kKeyNotFound) {
    return found.error();
  }
  if (!found.ok()) {
    if (options.version) {
      return MakeError(ErrorCode::kKeyNotFound,
                       "no key named " + id.ToString() + " to import a version into");
    }
    // A new external key, version 1.
    KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
    KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kKeys, KeyRecordKey(id)));
    if (existing) {
      return MakeError(ErrorCode::kKeyExists,
                       id.ToString() + " was created meanwhile; import into it again");
    }
    KeyRecord record;
    record.state = KeyState::kEnabled;
    record.origin = KeyOrigin::kExternal;
    record.primary_version = record.latest_version = record.min_decryption_version = 1;
    record.created_at = record.updated_at = record.last_rotated_at = now;
    record.rotation_period_s = 0;  // rotates by import only
    record.exportable = options.exportable;
    KEYHOLD_ASSIGN_OR_RETURN(SecretBytes copy, material.Clone());
    KEYHOLD_ASSIGN_OR_RETURN(
        auto version, PutVersion(txn, id, 1, std::move(copy), now, options.material_expires_at));
    KEYHOLD_TRY(PutKeyRecord(txn, id, record));
    KEYHOLD_TRY(txn.Commit());
    auto entry = std::make_shared<KeyEntry>(id, record);
    entry->versions.emplace(1, std::move(version));
    std::unique_lock lock(keys_mu_);
    keys_.emplace(id.ToString(), std::move(entry));
    return ImportResult{1, true};
  }

  KeyEntry& entry = **found;
  std::lock_guard write(entry.write_mu);
  const auto current = entry.Record();
  KEYHOLD_TRY(Transition(current->state, KeyOp::kImport));
  if (current->origin != KeyOrigin::kExternal) {
    return MakeError(ErrorCode::kInvalidKeyState,
                     id.ToString() +
                         " was generated inside Keyhold: only a key created by an "
                         "import takes imported material");
  }
  if (options.exportable && !current->exportable) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "exportable is chosen when a key is created, never later");
  }

  if (options.version) {
    // Back into a version it already has: the same material only.
    const std::uint32_t v = *options.version;
    if (v == 0 || v > current->latest_version) {
      return MakeError(ErrorCode::kNotFound,
                       id.ToString() + " has no version " + std::to_string(v));
    }
    KEYHOLD_ASSIGN_OR_RETURN(auto version, Version(entry, v));
    KEYHOLD_ASSIGN_OR_RETURN(auto offered, crypto::CommittedKey::Derive(material));
    if (!version->key->Matches(offered->commitment())) {
      return MakeError(ErrorCode::kInvalidRequest, "key commitment mismatch: version " +
                                                       std::to_string(v) + " of " + id.ToString() +
                                                       " holds other material");
    }
    const auto key = VersionRecordKey(id, v);
    KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
    KEYHOLD_ASSIGN_OR_RETURN(auto raw_usage, txn.Get(Table::kCounters, key));
    if (!raw_usage) {
      return MakeError(ErrorCode::kStoreCorrupt, "a key version has no usage record");
    }
    KEYHOLD_ASSIGN_OR_RETURN(SecretBytes usage_body,
                             sealer_->Open(Table::kCounters, key, *raw_usage));
    KEYHOLD_ASSIGN_OR_RETURN(UsageRecord usage,
                             ParseUsageRecord(usage_body.Reveal(SecretAccess::Get())));
    usage.material_expires_at = options.material_expires_at;
    KEYHOLD_ASSIGN_OR_RETURN(auto sealed,
                             sealer_->Seal(Table::kCounters, key, EncodeUsageRecord(usage)));
    KEYHOLD_TRY(txn.Put(Table::kCounters, key, sealed));
    KEYHOLD_TRY(txn.Commit());
    version->material_expires_at.store(options.material_expires_at);
    return ImportResult{v, false};
  }

  // A new primary version, as a rotation would make, with this material.
  if (current->latest_version == std::numeric_limits<std::uint32_t>::max()) {
    return MakeError(ErrorCode::kInvalidKeyState, "the key has no version numbers left");
  }
  const std::uint32_t v = current->latest_version + 1;
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes copy, material.Clone());
  KEYHOLD_ASSIGN_OR_RETURN(
      auto version, PutVersion(txn, id, v, std::move(copy), now, options.material_expires_at));
  KeyRecord next = *current;
  next.latest_version = v;
  next.primary_version = v;
  next.last_rotated_at = now;
  next.updated_at = now;
  KEYHOLD_TRY(PutKeyRecord(txn, id, next));
  KEYHOLD_TRY(txn.Commit());
  {
    std::unique_lock lock(entry.versions_mu);
    entry.versions.emplace(v, std::move(version));
  }
  entry.Publish(next);
  return ImportResult{v, false};
}

Result<ExportedMaterial> Keyring::ExportMaterial(const KeyId& id,
                                                 std::optional<std::uint32_t> version) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  const auto record = entry->Record();
  KEYHOLD_TRY(Transition(record->state, KeyOp::kExport));
  if (!record->exportable) {
    return MakeError(ErrorCode::kInvalidKeyState,
                     id.ToString() + " was not created exportable: its material never leaves");
  }
  const std::uint32_t v = version.value_or(record->primary_version);
  if (v == 0 || v > record->latest_version) {
    return MakeError(ErrorCode::kNotFound, id.ToString() + " has no version " + std::to_string(v));
  }
  // Checks that the version exists, matches its commitment and has not
  // expired, before its material is read again for the caller.
  KEYHOLD_ASSIGN_OR_RETURN(auto loaded, Version(*entry, v));
  KEYHOLD_TRY(Usable(*loaded));
  const auto key = VersionRecordKey(id, v);
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kVersions, key));
  if (!raw) {
    return MakeError(ErrorCode::kNotFound, id.ToString() + " has no version " + std::to_string(v));
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, sealer_->Open(Table::kVersions, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(VersionRecord stored,
                           ParseVersionRecord(body.Reveal(SecretAccess::Get())));
  if (!loaded->key->Matches(stored.commitment)) {
    return MakeError(ErrorCode::kStoreCorrupt, "key material does not match its commitment");
  }
  return ExportedMaterial{v, std::move(stored.material)};
}

Result<std::vector<VersionInfo>> Keyring::Versions(KeyEntry& entry) {
  std::vector<VersionInfo> out;
  std::map<std::uint32_t, std::uint64_t> live;
  {
    std::shared_lock lock(entry.versions_mu);
    for (const auto& [v, ve] : entry.versions) {
      live[v] = ve->budget.used();
    }
  }
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  Status inner;
  KEYHOLD_TRY(
      txn.ForEach(Table::kCounters, VersionPrefix(entry.id), {}, [&](Bytes key, Bytes value) {
        crypto::ByteReader r(key.subspan(key.size() - 4));
        std::uint32_t v = 0;
        (void)r.ReadU32(&v);
        auto body = sealer_->Open(Table::kCounters, key, value);
        if (!body.ok()) {
          inner = body.error();
          return false;
        }
        auto usage = ParseUsageRecord(body->Reveal(SecretAccess::Get()));
        if (!usage.ok()) {
          inner = usage.error();
          return false;
        }
        const auto it = live.find(v);
        out.push_back({v, usage->created_at,
                       it != live.end() ? it->second : usage->reserved_encryptions,
                       usage->material_expires_at});
        return true;
      }));
  KEYHOLD_TRY(inner);
  return out;
}

Result<KeyInfo> Keyring::GetKey(const KeyId& id) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  const auto record = entry->Record();
  KEYHOLD_ASSIGN_OR_RETURN(auto versions, Versions(*entry));
  return KeyInfo{id, *record, std::move(versions)};
}

Result<std::vector<KeyInfo>> Keyring::ListKeys(std::string_view tenant, std::size_t limit,
                                               std::string_view after) {
  if (!crypto::ValidTenant(tenant)) {
    return MakeError(ErrorCode::kInvalidKeyId, "invalid tenant");
  }
  limit = std::clamp<std::size_t>(limit, 1, kMaxListLimit);
  std::vector<std::uint8_t> prefix(tenant.begin(), tenant.end());
  prefix.push_back('/');
  std::vector<std::uint8_t> start;
  if (!after.empty()) {
    start = prefix;
    start.insert(start.end(), after.begin(), after.end());
    start.push_back(0);  // strictly after `after`: NUL sorts before every name byte
  }
  std::vector<KeyInfo> out;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kKeys, prefix, start, [&](Bytes key, Bytes value) {
    auto id = KeyId::Parse(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    if (!id.ok()) {
      inner = MakeError(ErrorCode::kStoreCorrupt, "a key record has an invalid name");
      return false;
    }
    std::shared_ptr<KeyEntry> cached;
    {
      std::shared_lock lock(keys_mu_);
      if (auto it = keys_.find(id->ToString()); it != keys_.end()) {
        cached = it->second;
      }
    }
    if (cached) {
      out.push_back(KeyInfo{*id, *cached->Record(), {}});
    } else {
      auto body = sealer_->Open(Table::kKeys, key, value);
      if (!body.ok()) {
        inner = body.error();
        return false;
      }
      auto record = ParseKeyRecord(body->Reveal(SecretAccess::Get()));
      if (!record.ok()) {
        inner = record.error();
        return false;
      }
      out.push_back(KeyInfo{*id, *record, {}});
    }
    return out.size() < limit;
  }));
  KEYHOLD_TRY(inner);
  return out;
}

Result<KeyInfo> Keyring::ChangeState(const KeyId& id, KeyOp op,
                                     const std::function<Status(KeyRecord&)>& edit) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  std::lock_guard write(entry->write_mu);
  const auto current = entry->Record();
  KEYHOLD_ASSIGN_OR_RETURN(KeyState next_state, Transition(current->state, op));
  KeyRecord next = *current;
  next.state = next_state;
  if (edit) {
    KEYHOLD_TRY(edit(next));
  }
  if (next == *current) {
    return KeyInfo{id, next, {}};  // nothing changes: no write
  }
  next.updated_at = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_TRY(PutKeyRecord(txn, id, next));
  KEYHOLD_TRY(txn.Commit());
  entry->Publish(next);
  return KeyInfo{id, next, {}};
}

Result<KeyInfo> Keyring::Rotate(const KeyId& id) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  std::lock_guard write(entry->write_mu);
  const auto current = entry->Record();
  KEYHOLD_TRY(Transition(current->state, KeyOp::kRotate));
  if (current->origin == KeyOrigin::kExternal) {
    return MakeError(ErrorCode::kInvalidKeyState,
                     id.ToString() +
                         " holds imported material: it rotates by importing a new "
                         "version (keyhold key import), never inside Keyhold");
  }
  if (current->latest_version == std::numeric_limits<std::uint32_t>::max()) {
    return MakeError(ErrorCode::kInvalidKeyState, "the key has no version numbers left");
  }
  const std::int64_t now = clock_->NowSeconds();
  const std::uint32_t v = current->latest_version + 1;
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(auto version, NewVersion(txn, id, v, now));
  KeyRecord next = *current;
  next.latest_version = v;
  next.primary_version = v;
  next.last_rotated_at = now;
  next.updated_at = now;
  KEYHOLD_TRY(PutKeyRecord(txn, id, next));
  KEYHOLD_TRY(txn.Commit());
  {
    // The version is visible before the record that names it as primary.
    std::unique_lock lock(entry->versions_mu);
    entry->versions.emplace(v, std::move(version));
  }
  entry->Publish(next);
  return KeyInfo{id, next, {}};
}

Result<KeyInfo> Keyring::Enable(const KeyId& id) {
  return ChangeState(id, KeyOp::kEnable, nullptr);
}

Result<KeyInfo> Keyring::Disable(const KeyId& id) {
  return ChangeState(id, KeyOp::kDisable, nullptr);
}

Result<KeyInfo> Keyring::SetConfig(const KeyId& id, const KeyConfigUpdate& update) {
  if (update.rotation_period_s) {
    KEYHOLD_TRY(ValidRotationPeriod(*update.rotation_period_s, options_.dev_mode));
  }
  return ChangeState(id, KeyOp::kSetConfig, [&](KeyRecord& r) -> Status {
    if (update.min_decryption_version) {
      const std::uint32_t m = *update.min_decryption_version;
      if (m < 1 || m > r.latest_version) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "min_decryption_version must be between 1 and the latest version (" +
                             std::to_string(r.latest_version) + ")");
      }
      r.min_decryption_version = m;
    }
    if (update.rotation_period_s) {
      r.rotation_period_s = *update.rotation_period_s;
    }
    return Status::Ok();
  });
}

Result<KeyInfo> Keyring::ScheduleDeletion(const KeyId& id, std::optional<std::uint32_t> days) {
  const std::uint32_t d = days.value_or(options_.default_deletion_days);
  if (d < options_.min_deletion_days || d > options_.max_deletion_days) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the deletion window must be between " +
                         std::to_string(options_.min_deletion_days) + " and " +
                         std::to_string(options_.max_deletion_days) + " days");
  }
  const std::int64_t now = clock_->NowSeconds();
  return ChangeState(id, KeyOp::kScheduleDeletion, [&](KeyRecord& r) {
    r.deletion_at = now + static_cast<std::int64_t>(d) * kDay;
    return Status::Ok();
  });
}

Result<KeyInfo> Keyring::CancelDeletion(const KeyId& id) {
  return ChangeState(id, KeyOp::kCancelDeletion, [](KeyRecord& r) {
    r.deletion_at = 0;
    return Status::Ok();
  });
}

Status Keyring::Reserve(KeyEntry& entry, std::uint32_t version, std::uint64_t reserved) {
  // Under the key's write lock, so a reservation never races a destroy or
  // lands for a key that can no longer wrap.
  std::lock_guard write(entry.write_mu);
  KEYHOLD_TRY(Transition(entry.Record()->state, KeyOp::kWrap));
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  {
    std::shared_lock lock(entry.versions_mu);
    const auto it = entry.versions.find(version);
    if (it == entry.versions.end()) {
      return MakeError(ErrorCode::kInternal, "reserving for a version that is not loaded");
    }
    created_at = it->second->created_at;
    expires_at = it->second->material_expires_at.load();
  }
  const auto key = VersionRecordKey(entry.id, version);
  KEYHOLD_ASSIGN_OR_RETURN(
      auto sealed,
      sealer_->Seal(Table::kCounters, key, EncodeUsageRecord({reserved, created_at, expires_at})));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_TRY(txn.Put(Table::kCounters, key, sealed));
  return txn.Commit();
}

Result<WrapResult> Keyring::WrapWith(const KeyId& id, KeyEntry& entry,
                                     std::span<const std::uint8_t> plaintext,
                                     const crypto::EncryptionContext& context) {
  if (plaintext.empty() || plaintext.size() > crypto::kMaxWrapPlaintext) {
    return MakeError(ErrorCode::kInvalidRequest, "plaintext must be 1 to 4096 bytes");
  }
  const auto record = entry.Record();
  KEYHOLD_TRY(Transition(record->state, KeyOp::kWrap));
  const std::uint32_t v = record->primary_version;
  KEYHOLD_ASSIGN_OR_RETURN(auto version, Version(entry, v));
  KEYHOLD_TRY(Usable(*version));
  // Counted before sealing: a failure after Take wastes a count, never reuses one.
  KEYHOLD_TRY(version->budget.Take(
      options_.budget, [&](std::uint64_t reserved) { return Reserve(entry, v, reserved); }));
  KEYHOLD_ASSIGN_OR_RETURN(auto blob, crypto::SealBlob(*version->key, id, v, plaintext, context));
  return WrapResult{std::move(blob), v};
}

Result<WrapResult> Keyring::Wrap(const KeyId& id, std::span<const std::uint8_t> plaintext,
                                 const crypto::EncryptionContext& context) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  return WrapWith(id, *entry, plaintext, context);
}

Result<UnwrapResult> Keyring::Unwrap(const KeyId& id, std::span<const std::uint8_t> blob,
                                     const crypto::EncryptionContext& context) {
  KEYHOLD_ASSIGN_OR_RETURN(crypto::ParsedBlob parsed, crypto::ParseBlob(blob));
  if (parsed.header.key_id != id) {
    return GenericCiphertext();
  }
  const std::uint32_t v = parsed.header.key_version;  // never 0 (ParseBlob)
  std::optional<SecretBytes> plaintext;
  KEYHOLD_TRY(DecryptWith(id, v, [&](const crypto::CommittedKey& key) -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(plaintext, crypto::OpenBlob(key, parsed, context));
    return Status::Ok();
  }));
  return UnwrapResult{std::move(*plaintext), v};
}

Result<WrapResult> Keyring::Rewrap(const KeyId& id, std::span<const std::uint8_t> blob,
                                   const crypto::EncryptionContext& context) {
  KEYHOLD_ASSIGN_OR_RETURN(UnwrapResult opened, Unwrap(id, blob, context));
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  return WrapWith(id, *entry, opened.plaintext.Reveal(SecretAccess::Get()), context);
}

Result<DataKey> Keyring::GenerateDataKey(const KeyId& id,
                                         const crypto::EncryptionContext& context) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes data_key, crypto::RandomSecret(32));
  KEYHOLD_ASSIGN_OR_RETURN(WrapResult wrapped,
                           WrapWith(id, *entry, data_key.Reveal(SecretAccess::Get()), context));
  return DataKey{std::move(data_key), std::move(wrapped.ciphertext), wrapped.key_version};
}

Result<std::uint32_t> Keyring::EncryptWith(
    const KeyId& id,
    const std::function<Status(std::uint32_t version, const crypto::CommittedKey& key)>& seal) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  const auto record = entry->Record();
  KEYHOLD_TRY(Transition(record->state, KeyOp::kWrap));
  const std::uint32_t v = record->primary_version;
  KEYHOLD_ASSIGN_OR_RETURN(auto version, Version(*entry, v));
  KEYHOLD_TRY(Usable(*version));
  KEYHOLD_TRY(version->budget.Take(
      options_.budget, [&](std::uint64_t reserved) { return Reserve(*entry, v, reserved); }));
  KEYHOLD_TRY(seal(v, *version->key));
  return v;
}

Status Keyring::DecryptWith(const KeyId& id, std::uint32_t v,
                            const std::function<Status(const crypto::CommittedKey& key)>& open) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  const auto record = entry->Record();
  KEYHOLD_TRY(Transition(record->state, KeyOp::kUnwrap));
  if (v == 0 || v > record->latest_version) {
    return GenericCiphertext();
  }
  if (v < record->min_decryption_version) {
    return MakeError(ErrorCode::kInvalidKeyState,
                     "key version " + std::to_string(v) + " is below min_decryption_version " +
                         std::to_string(record->min_decryption_version));
  }
  auto version = Version(*entry, v);
  if (!version.ok()) {
    return version.error().code == ErrorCode::kNotFound ? GenericCiphertext() : version.error();
  }
  KEYHOLD_TRY(Usable(**version));
  return open(*(*version)->key);
}

Result<std::uint64_t> Keyring::KeyCount() {
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  return txn.Count(Table::kKeys);
}

std::vector<VersionUsage> Keyring::LoadedVersionUsage() {
  std::vector<VersionUsage> out;
  std::shared_lock lock(keys_mu_);
  for (const auto& [name, entry] : keys_) {
    std::shared_lock vlock(entry->versions_mu);
    for (const auto& [v, version] : entry->versions) {
      out.push_back({entry->id, v, version->budget.used()});
    }
  }
  return out;
}

namespace {

// Tighter is the stricter of two limits where 0 means "none".
std::uint64_t Tighter(std::uint64_t a, std::uint64_t b) {
  return a == 0 ? b : b == 0 ? a : std::min(a, b);
}

}  // namespace

std::vector<KeyId> Keyring::OverBudget(const policies::PolicySet& rules) {
  std::vector<KeyId> out;
  std::shared_lock lock(keys_mu_);
  for (const auto& [name, entry] : keys_) {
    const auto record = entry->Record();
    // An external key cannot rotate inside Keyhold: over its budget it
    // stops wrapping until new material is imported.
    if (record->state != KeyState::kEnabled || record->origin == KeyOrigin::kExternal) {
      continue;
    }
    std::shared_lock vlock(entry->versions_mu);
    const auto it = entry->versions.find(record->primary_version);
    const std::uint64_t threshold = Tighter(
        options_.budget.rotate_after, rules.RotationFor(entry->id.ToString()).max_encryptions);
    if (it != entry->versions.end() && it->second->budget.used() >= threshold) {
      out.push_back(entry->id);
    }
  }
  return out;
}

Result<std::vector<DueRotation>> Keyring::DueForRotation(std::int64_t now,
                                                         const policies::PolicySet& rules) {
  std::vector<DueRotation> due;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kKeys, {}, {}, [&](Bytes key, Bytes value) {
    auto id = KeyId::Parse(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    auto body = sealer_->Open(Table::kKeys, key, value);
    if (!id.ok() || !body.ok()) {
      inner = MakeError(ErrorCode::kStoreCorrupt, "a key record failed to open");
      return false;
    }
    auto record = ParseKeyRecord(body->Reveal(SecretAccess::Get()));
    if (!record.ok()) {
      inner = record.error();
      return false;
    }
    // Counts live in memory for versions in use; a version not loaded since
    // start has done no encryption since, and is checked when next used.
    std::uint64_t encryptions = 0;
    {
      std::shared_lock lock(keys_mu_);
      if (auto it = keys_.find(id->ToString()); it != keys_.end()) {
        std::shared_lock vlock(it->second->versions_mu);
        const auto rec = it->second->Record();
        *record = *rec;
        if (auto v = it->second->versions.find(rec->primary_version);
            v != it->second->versions.end()) {
          encryptions = v->second->budget.used();
        }
      }
    }
    if (record->origin == KeyOrigin::kExternal) {
      return true;  // rotates only by import (see OverBudget)
    }
    const auto rule = rules.RotationFor(id->ToString());
    const policies::RotationFacts facts{
        record->state == KeyState::kEnabled, record->last_rotated_at,
        Tighter(record->rotation_period_s, rule.period_s), encryptions};
    const policies::RotationLimits limits{
        Tighter(options_.budget.rotate_after, rule.max_encryptions)};
    const auto reason = policies::RotationDue(facts, limits, now);
    if (reason != policies::RotationReason::kNotDue) {
      due.push_back({std::move(id).value(), reason});
    }
    return true;
  }));
  KEYHOLD_TRY(inner);
  return due;
}

Result<std::vector<KeyId>> Keyring::DueForDestruction(std::int64_t now) {
  std::vector<KeyId> due;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kKeys, {}, {}, [&](Bytes key, Bytes value) {
    auto id = KeyId::Parse(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    auto body = sealer_->Open(Table::kKeys, key, value);
    if (!id.ok() || !body.ok()) {
      inner = MakeError(ErrorCode::kStoreCorrupt, "a key record failed to open");
      return false;
    }
    auto record = ParseKeyRecord(body->Reveal(SecretAccess::Get()));
    if (!record.ok()) {
      inner = record.error();
      return false;
    }
    if (record->state == KeyState::kPendingDeletion && record->deletion_at <= now) {
      due.push_back(std::move(id).value());
    }
    return true;
  }));
  KEYHOLD_TRY(inner);
  return due;
}

Result<KeyInfo> Keyring::Destroy(const KeyId& id) {
  KEYHOLD_ASSIGN_OR_RETURN(auto entry, Entry(id));
  std::lock_guard write(entry->write_mu);
  const auto current = entry->Record();
  KEYHOLD_TRY(Transition(current->state, KeyOp::kDestroy));
  const std::int64_t now = clock_->NowSeconds();
  if (now < current->deletion_at) {
    return MakeError(ErrorCode::kInvalidKeyState,
                     "the deletion window of " + id.ToString() + " has not ended");
  }
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  std::vector<std::vector<std::uint8_t>> doomed;
  KEYHOLD_TRY(txn.ForEach(Table::kVersions, VersionPrefix(id), {}, [&](Bytes key, Bytes) {
    doomed.emplace_back(key.begin(), key.end());
    return true;
  }));
  for (const auto& key : doomed) {
    KEYHOLD_TRY(txn.Delete(Table::kVersions, key));
    KEYHOLD_TRY(txn.Delete(Table::kCounters, key));
  }
  KeyRecord next = *current;
  next.state = KeyState::kDestroyed;
  next.updated_at = now;
  KEYHOLD_TRY(PutKeyRecord(txn, id, next));
  KEYHOLD_TRY(txn.Commit());
  {
    std::unique_lock lock(entry->versions_mu);
    entry->destroyed = true;
    entry->versions.clear();  // the last reference wipes each key
  }
  entry->Publish(next);
  return KeyInfo{id, next, {}};
}

}  // namespace keyhold::kms
