#include "kms/seal_manager.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "crypto/aes_gcm.h"
#include "crypto/base64.h"
#include "crypto/byte_reader.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;

constexpr std::uint32_t kStoreFormat = 1;
constexpr std::string_view kCanaryKey = "canary";
constexpr std::size_t kStoreIdSize = 16;
constexpr std::size_t kKeyFileMax = 1024;

Bytes MetaKey(std::string_view name) {
  return crypto::AsBytes(name);
}

Error UnsealFailed() {
  return MakeError(ErrorCode::kUnsealFailed);
}

Status SyncDir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    return MakeError(ErrorCode::kStoreUnavailable,
                     "cannot sync " + dir.string() + ": " + std::strerror(err));
  }
  ::close(fd);
  return Status::Ok();
}

// The key file holds the base64 of the 32-byte unseal key and a newline. It
// is created with O_EXCL (never overwriting a key that may protect another
// store), 0600, and synced with its directory before the store commits.
Status WriteKeyFile(const std::filesystem::path& path, const SecretBytes& kek) {
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes text, crypto::Base64EncodeSecret(kek));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "cannot create key file " + path.string() + ": " + std::strerror(errno));
  }
  const auto bytes = text.Reveal(SecretAccess::Get());
  const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                  ::write(fd, "\n", 1) == 1 && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return MakeError(ErrorCode::kStoreUnavailable,
                     "cannot write key file " + path.string() + ": " + std::strerror(err));
  }
  return SyncDir(path.has_parent_path() ? path.parent_path() : ".");
}

Result<SecretBytes> ReadKeyFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kUnsealFailed,
                     "cannot open key file " + path.string() + ": " + std::strerror(errno));
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes buffer, SecretBytes::Allocate(kKeyFileMax));
  auto out = buffer.RevealMutable(SecretAccess::Get());
  std::size_t size = 0;
  while (size < out.size()) {
    const ssize_t n = ::read(fd, out.data() + size, out.size() - size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  while (size > 0 && (out[size - 1] == '\n' || out[size - 1] == '\r')) {
    --size;
  }
  const std::string_view text(reinterpret_cast<const char*>(out.data()), size);
  auto kek = crypto::Base64DecodeSecret(text, 32);
  if (!kek.ok() || kek->size() != 32) {
    return MakeError(ErrorCode::kUnsealFailed, "the key file does not hold a Keyhold unseal key");
  }
  return std::move(kek).value();
}

Status ValidateInit(const InitRequest& r, const SealOptions& options) {
  switch (r.method) {
    case SealMethod::kShamir:
      if (r.share_count < 1 || r.share_count > kMaxShares || r.threshold < 1 ||
          r.threshold > r.share_count || (r.share_count > 1 && r.threshold < 2)) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "shares: need 1 <= share_count <= 16 and 2 <= threshold <= share_count "
                         "(or 1 of 1)");
      }
      return Status::Ok();
    case SealMethod::kPassphrase:
      if (!options.dev_mode && r.passphrase.size() < kMinPassphraseSize) {
        return MakeError(ErrorCode::kInvalidRequest, "the passphrase must be at least 12 bytes");
      }
      if (r.passphrase.empty()) {
        return MakeError(ErrorCode::kInvalidRequest, "the passphrase is empty");
      }
      if (r.argon2id && !options.dev_mode) {
        auto floor = crypto::Argon2idInteractiveParams();
        if (!floor.ok()) {
          return floor.error();
        }
        if (r.argon2id->ops_limit < floor->ops_limit || r.argon2id->mem_limit < floor->mem_limit) {
          return MakeError(ErrorCode::kInvalidRequest,
                           "Argon2id cost below the INTERACTIVE floor (2 passes, 64 MiB)");
        }
      }
      return Status::Ok();
    case SealMethod::kKeyFile:
      if (!options.dev_mode) {
        return MakeError(ErrorCode::kDevModeOnly,
                         "the key-file seal is for development only; use shares or a passphrase");
      }
      if (r.key_file.empty()) {
        return MakeError(ErrorCode::kInvalidRequest, "no key file path given");
      }
      return Status::Ok();
  }
  return MakeError(ErrorCode::kInvalidRequest, "unknown seal method");
}

}  // namespace

Result<std::unique_ptr<SealManager>> SealManager::Open(Store* store, const SealOptions& options) {
  std::unique_ptr<SealManager> m(new SealManager(store, options));
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store->BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto format, txn.Get(Table::kMeta, MetaKey("format")));
  KEYHOLD_ASSIGN_OR_RETURN(auto store_id, txn.Get(Table::kMeta, MetaKey("store_id")));
  KEYHOLD_ASSIGN_OR_RETURN(auto seal, txn.Get(Table::kMeta, MetaKey("seal")));
  if (!format && !store_id && !seal) {
    return m;  // never initialised
  }
  if (!format || !store_id || !seal || store_id->size() != kStoreIdSize) {
    return MakeError(ErrorCode::kStoreCorrupt, "the store's metadata is incomplete");
  }
  crypto::ByteReader r(*format);
  std::uint32_t version = 0;
  if (!r.ReadU32(&version) || !r.Done()) {
    return MakeError(ErrorCode::kStoreCorrupt, "the store's format record is malformed");
  }
  if (version != kStoreFormat) {
    return MakeError(ErrorCode::kStoreCorrupt,
                     "the store has format " + std::to_string(version) +
                         ", which this Keyhold does not know; refusing to touch it");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SealConfig config, SealConfig::Parse(*seal));
  m->config_ = std::move(config);
  m->store_id_.assign(store_id->begin(), store_id->end());
  return m;
}

SealStatus SealManager::StatusLocked() const {
  SealStatus s;
  s.initialized = config_.has_value();
  s.sealed = sealer_ == nullptr;
  if (config_) {
    s.method = config_->method;
    s.threshold = config_->threshold;
    s.share_count = static_cast<std::uint8_t>(config_->shares.size());
  }
  s.progress = static_cast<std::uint8_t>(pending_shares_.size());
  return s;
}

SealStatus SealManager::seal_status() const {
  std::lock_guard lock(mu_);
  return StatusLocked();
}

Result<InitResult> SealManager::Init(InitRequest request, const InitHook& hook) {
  std::lock_guard lock(mu_);
  if (config_) {
    return MakeError(ErrorCode::kAlreadyInitialized);
  }
  KEYHOLD_TRY(ValidateInit(request, options_));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes root, crypto::RandomSecret(32));
  KEYHOLD_ASSIGN_OR_RETURN(std::vector<std::uint8_t> store_id, crypto::RandomBytes(kStoreIdSize));

  SealConfig config;
  config.method = request.method;
  InitResult result;
  SecretBytes kek;
  switch (request.method) {
    case SealMethod::kShamir: {
      KEYHOLD_ASSIGN_OR_RETURN(kek, crypto::RandomSecret(32));
      KEYHOLD_ASSIGN_OR_RETURN(auto shares,
                               crypto::SplitSecret(kek, request.threshold, request.share_count));
      config.threshold = request.threshold;
      config.set_id = shares.front().set_id;
      for (const auto& share : shares) {
        config.shares.push_back({share.index, crypto::ShareCommitment(share)});
        KEYHOLD_ASSIGN_OR_RETURN(SecretBytes text, crypto::EncodeShare(share));
        result.shares.push_back(std::move(text));
      }
      break;
    }
    case SealMethod::kPassphrase: {
      if (request.argon2id) {
        config.argon2id = *request.argon2id;
      } else {
        KEYHOLD_ASSIGN_OR_RETURN(config.argon2id, crypto::Argon2idModerateParams());
      }
      KEYHOLD_ASSIGN_OR_RETURN(kek, crypto::Argon2idDeriveKey(request.passphrase, config.argon2id));
      break;
    }
    case SealMethod::kKeyFile:
      KEYHOLD_ASSIGN_OR_RETURN(kek, crypto::RandomSecret(32));
      break;
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto aead, crypto::Aes256Gcm::Create(kek));
  KEYHOLD_TRY(aead->Seal(root.Reveal(SecretAccess::Get()), RootKeyAad(store_id, config),
                         &config.wrapped_root));
  KEYHOLD_ASSIGN_OR_RETURN(auto sealer, RecordSealer::Create(root));
  KEYHOLD_ASSIGN_OR_RETURN(auto canary, sealer->Seal(Table::kMeta, MetaKey(kCanaryKey), store_id));

  if (request.method == SealMethod::kKeyFile) {
    KEYHOLD_TRY(WriteKeyFile(request.key_file, kek));
  }
  std::vector<std::uint8_t> format;
  crypto::ByteWriter(&format).PutU32(kStoreFormat);
  Status committed = [&]() -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
    KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kMeta, MetaKey("store_id")));
    if (existing) {
      return MakeError(ErrorCode::kAlreadyInitialized);
    }
    KEYHOLD_TRY(txn.Put(Table::kMeta, MetaKey("format"), format));
    KEYHOLD_TRY(txn.Put(Table::kMeta, MetaKey("store_id"), store_id));
    KEYHOLD_TRY(txn.Put(Table::kMeta, MetaKey("seal"), config.Encode()));
    KEYHOLD_TRY(txn.Put(Table::kMeta, MetaKey(kCanaryKey), canary));
    if (hook) {
      KEYHOLD_TRY(hook(txn, *sealer, &result));
    }
    return txn.Commit();
  }();
  if (!committed.ok()) {
    if (request.method == SealMethod::kKeyFile) {
      ::unlink(request.key_file.c_str());  // it protects nothing
    }
    return committed.error();
  }
  config_ = std::move(config);
  store_id_ = store_id;
  result.store_id = std::move(store_id);
  if (request.method == SealMethod::kKeyFile) {
    init_key_file_ = request.key_file;
  }
  return result;
}

Status SealManager::UndoInit(std::span<const std::uint8_t> store_id) {
  std::lock_guard lock(mu_);
  if (!config_ ||
      !std::equal(store_id.begin(), store_id.end(), store_id_.begin(), store_id_.end())) {
    return MakeError(ErrorCode::kInternal, "this is not the store that init created");
  }
  Status undone = [&]() -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
    // Only what init wrote: no key, and the one token it minted.
    for (Table t : {Table::kKeys, Table::kVersions, Table::kCounters, Table::kTokens,
                    Table::kOfficers, Table::kRequests}) {
      KEYHOLD_ASSIGN_OR_RETURN(std::uint64_t n, txn.Count(t));
      if (n > (t == Table::kTokens ? 1u : 0u)) {
        return MakeError(ErrorCode::kInternal, "the store was used since init: it is not undone");
      }
    }
    for (Table t : {Table::kMeta, Table::kTokens}) {
      std::vector<std::vector<std::uint8_t>> keys;
      KEYHOLD_TRY(txn.ForEach(t, {}, {}, [&](Bytes key, Bytes) {
        keys.emplace_back(key.begin(), key.end());
        return true;
      }));
      for (const auto& key : keys) {
        KEYHOLD_TRY(txn.Delete(t, key));
      }
    }
    return txn.Commit();
  }();
  if (!undone.ok()) {
    return undone;
  }
  if (!init_key_file_.empty()) {
    ::unlink(init_key_file_.c_str());
    init_key_file_.clear();
  }
  config_.reset();
  store_id_.clear();
  pending_shares_.clear();
  root_key_ = SecretBytes();
  sealer_.reset();
  return Status::Ok();
}

Status SealManager::UnsealWithKek(const SecretBytes& kek) {
  KEYHOLD_ASSIGN_OR_RETURN(auto aead, crypto::Aes256Gcm::Create(kek));
  auto root = aead->Open(config_->wrapped_root, RootKeyAad(store_id_, *config_));
  if (!root.ok() || root->size() != 32) {
    return UnsealFailed();
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto sealer, RecordSealer::Create(*root));
  // The canary proves that the records in this store were written under this
  // root key, not only that the seal configuration opens.
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto canary, txn.Get(Table::kMeta, MetaKey(kCanaryKey)));
  if (!canary) {
    return MakeError(ErrorCode::kStoreCorrupt, "the store's canary record is missing");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes id,
                           sealer->Open(Table::kMeta, MetaKey(kCanaryKey), *canary));
  if (!crypto::ConstantTimeEquals(id.Reveal(SecretAccess::Get()), store_id_)) {
    return MakeError(ErrorCode::kStoreCorrupt,
                     "the store's canary record belongs to another store");
  }
  root_key_ = std::move(root).value();
  sealer_ = std::move(sealer);
  pending_shares_.clear();
  return Status::Ok();
}

Result<SealStatus> SealManager::SubmitShare(std::span<const std::uint8_t> share_text) {
  std::lock_guard lock(mu_);
  if (!config_) {
    return MakeError(ErrorCode::kNotInitialized);
  }
  if (config_->method != SealMethod::kShamir) {
    return MakeError(ErrorCode::kInvalidRequest, "this store is not sealed with shares");
  }
  // A malformed share is refused even when there is nothing to unseal.
  KEYHOLD_ASSIGN_OR_RETURN(crypto::ShamirShare share, crypto::DecodeShare(share_text));
  if (sealer_) {
    return StatusLocked();  // already unsealed: nothing to do
  }
  if (share.set_id != config_->set_id || share.threshold != config_->threshold) {
    return MakeError(ErrorCode::kInvalidShare, "unseal share: it belongs to another store");
  }
  const auto entry = std::find_if(config_->shares.begin(), config_->shares.end(),
                                  [&](const auto& e) { return e.index == share.index; });
  if (entry == config_->shares.end() ||
      !crypto::ConstantTimeEquals(crypto::ShareCommitment(share), entry->commitment)) {
    return MakeError(ErrorCode::kInvalidShare,
                     "unseal share: it does not match this store's record");
  }
  for (const auto& p : pending_shares_) {
    if (p.index == share.index) {
      return MakeError(ErrorCode::kInvalidShare, "unseal share: this share was already submitted");
    }
  }
  pending_shares_.push_back(std::move(share));
  if (pending_shares_.size() >= config_->threshold) {
    auto kek = crypto::CombineShares(pending_shares_);
    pending_shares_.clear();
    if (!kek.ok()) {
      return kek.error();
    }
    KEYHOLD_TRY(UnsealWithKek(*kek));
  }
  return StatusLocked();
}

void SealManager::ResetUnseal() {
  std::lock_guard lock(mu_);
  pending_shares_.clear();
}

Status SealManager::UnsealWithPassphrase(const SecretBytes& passphrase) {
  std::lock_guard lock(mu_);
  if (!config_) {
    return MakeError(ErrorCode::kNotInitialized);
  }
  if (config_->method != SealMethod::kPassphrase) {
    return MakeError(ErrorCode::kInvalidRequest, "this store is not sealed with a passphrase");
  }
  if (sealer_) {
    return Status::Ok();
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes kek,
                           crypto::Argon2idDeriveKey(passphrase, config_->argon2id));
  return UnsealWithKek(kek);
}

Status SealManager::UnsealWithKeyFile(const std::filesystem::path& key_file) {
  std::lock_guard lock(mu_);
  if (!config_) {
    return MakeError(ErrorCode::kNotInitialized);
  }
  if (!options_.dev_mode) {
    return MakeError(ErrorCode::kDevModeOnly,
                     "the key-file seal is for development only; this server is not in dev mode");
  }
  if (config_->method != SealMethod::kKeyFile) {
    return MakeError(ErrorCode::kInvalidRequest, "this store is not sealed with a key file");
  }
  if (sealer_) {
    return Status::Ok();
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes kek, ReadKeyFile(key_file));
  return UnsealWithKek(kek);
}

void SealManager::Seal() {
  std::lock_guard lock(mu_);
  sealer_.reset();
  root_key_ = SecretBytes();
  pending_shares_.clear();
}

Result<std::shared_ptr<const RecordSealer>> SealManager::record_sealer() const {
  std::lock_guard lock(mu_);
  if (!config_) {
    return MakeError(ErrorCode::kNotInitialized);
  }
  if (!sealer_) {
    return MakeError(ErrorCode::kSealed);
  }
  return sealer_;
}

Result<SecretBytes> SealManager::DeriveKey(std::string_view label) const {
  std::lock_guard lock(mu_);
  if (!sealer_) {
    return MakeError(config_ ? ErrorCode::kSealed : ErrorCode::kNotInitialized);
  }
  return crypto::HkdfSha256(root_key_.Reveal(SecretAccess::Get()), {}, crypto::AsBytes(label), 32);
}

}  // namespace keyhold::kms
