#include "kms/key_service.h"

#include <algorithm>

#include "kms/audit/audit_head.h"

namespace keyhold::kms {

Result<std::unique_ptr<KeyService>> KeyService::Open(const KeyServiceOptions& options) {
  KeyringOptions keyring_options = options.keyring;
  keyring_options.dev_mode = options.seal.dev_mode;
  KEYHOLD_TRY(ValidateKeyringOptions(keyring_options));
  std::unique_ptr<KeyService> service(new KeyService());
  service->options_ = options;
  service->options_.keyring = keyring_options;
  KEYHOLD_ASSIGN_OR_RETURN(service->store_, Store::Open(options.store));
  KEYHOLD_ASSIGN_OR_RETURN(service->seal_, SealManager::Open(service->store_.get(), options.seal));
  return service;
}

KeyService::~KeyService() {
  // The audit log's head callback refers to the store: close its chapter
  // (a last checkpoint) while the store is still here.
  if (audit_ != nullptr && keyring_) {
    audit_->ClearKeys();
  }
  // The keyring and token store refer to the store: they go first.
  std::lock_guard lock(mu_);
  keyring_.reset();
  tokens_.reset();
  requests_.reset();
  officers_.reset();
  importer_.reset();
  xks_credentials_.reset();
}

Status KeyService::AttachKeyring() {
  {
    std::lock_guard lock(mu_);
    if (keyring_) {
      return Status::Ok();  // already unsealed
    }
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto sealer, seal_->record_sealer());
  auto keyring = Keyring::Create(store_.get(), sealer, options_.keyring, options_.clock);
  auto tokens = TokenStore::Create(store_.get(), sealer, options_.clock);
  auto xks = XksCredentialStore::Create(store_.get(), sealer, options_.clock);
  if (!keyring.ok() || !tokens.ok() || !xks.ok()) {
    seal_->Seal();  // never unsealed without a keyring and a token store
    return !keyring.ok() ? keyring.error() : !tokens.ok() ? tokens.error() : xks.error();
  }
  if (Status s = ConnectAudit(sealer); !s.ok()) {
    seal_->Seal();  // an unseal the audit log cannot record does not happen
    return s;
  }
  std::lock_guard lock(mu_);
  keyring_ = std::move(keyring).value();
  tokens_ = std::move(tokens).value();
  requests_ = std::make_shared<RequestStore>(store_.get(), sealer, options_.clock);
  officers_ = std::make_shared<OfficerRegistry>(store_.get(), sealer, options_.clock);
  importer_ = std::make_shared<KeyImporter>(store_.get(), sealer, keyring_, options_.clock);
  xks_credentials_ = std::move(xks).value();
  return Status::Ok();
}

void KeyService::AttachAudit(AuditLog* log, std::function<void(const std::string&)> on_finding) {
  audit_ = log;
  on_audit_finding_ = std::move(on_finding);
}

Status KeyService::ConnectAudit(const std::shared_ptr<const RecordSealer>& sealer) {
  if (audit_ == nullptr) {
    return Status::Ok();
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes mac_key, seal_->DeriveKey("keyhold/v1/audit-mac"));
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes context_key,
                           seal_->DeriveKey("keyhold/v1/audit-context"));
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes seed, seal_->DeriveKey("keyhold/v1/audit-sign"));
  KEYHOLD_ASSIGN_OR_RETURN(crypto::Ed25519Signer signer, crypto::Ed25519Signer::FromSeed(seed));
  KEYHOLD_ASSIGN_OR_RETURN(ChainHead stored, LoadAuditHead(*store_, *sealer));
  // Check the log as it is, with the keys, before this unseal writes to it
  // (its checkpoint saves a new head): a finding must not become the next
  // baseline unnoticed.
  const crypto::Ed25519PublicKey public_key = signer.public_key();
  const ChainHead before = audit_->head();
  AuditVerifyResult check;
  if (stored.seq != 0) {
    check = audit_->CheckAgainstHead(stored, mac_key, public_key);
  }
  Store* store = store_.get();
  if (Status s = audit_->SetKeys(
          std::move(mac_key), std::move(context_key), std::move(signer),
          [store, sealer](const ChainHead& head) { return SaveAuditHead(*store, *sealer, head); });
      !s.ok()) {
    audit_->ClearKeys();  // the unseal fails: the log must not keep its keys
    return s;
  }
  if (stored.seq == 0) {
    return Status::Ok();  // a new store: nothing to compare yet
  }
  // Every checkpoint saves the head as soon as it is durable, so at most
  // one (interrupted by a crash between the two) may be missing from the
  // store. More means the store is older than the log.
  const auto unsaved =
      std::count_if(check.checkpoints_after_head.begin(), check.checkpoints_after_head.end(),
                    [&](std::uint64_t seq) { return seq <= before.seq; });
  std::string finding;
  if (!check.ok) {
    finding = check.file + ":" + std::to_string(check.line) + ": " + check.reason;
  } else if (unsaved > 1) {
    std::string seqs;
    for (std::uint64_t seq : check.checkpoints_after_head) {
      if (seq <= before.seq)
        seqs += (seqs.empty() ? "" : ", ") + std::to_string(seq);
    }
    finding = "the store's audit head (seq " + std::to_string(stored.seq) +
              ") is older than checkpoints " + seqs +
              " in the log: the store was put back from an older copy";
  }
  if (!finding.empty()) {
    AuditEvent e;
    e.time_us = options_.clock->NowMicros();
    e.type = "system";
    e.operation = "audit.integrity_check";
    e.decision = "error";
    e.reason = finding;
    e.status = 500;
    (void)audit_->Append(std::move(e));
    if (on_audit_finding_) {
      on_audit_finding_(finding);
    }
  }
  return Status::Ok();
}

Result<InitResult> KeyService::Init(InitRequest request) {
  std::lock_guard transition(transition_mu_);
  const std::int64_t now = options_.clock->NowSeconds();
  return seal_->Init(
      std::move(request),
      [now](WriteTxn& txn, const RecordSealer& sealer, InitResult* result) -> Status {
        const TokenSpec root{"root", std::string(kAllTenants), RoleSet::Of({Role::kAdmin}), 0};
        KEYHOLD_ASSIGN_OR_RETURN(NewToken token, TokenStore::MintInTxn(txn, sealer, root, now));
        result->admin_token = std::move(token.token);
        return Status::Ok();
      });
}

Status KeyService::UndoInit(std::span<const std::uint8_t> store_id) {
  std::lock_guard transition(transition_mu_);
  if (audit_ != nullptr && !seal_->seal_status().sealed) {
    audit_->ClearKeys();
    audit_->Flush();  // no head save with the old keys after the wipe
  }
  {
    std::lock_guard lock(mu_);
    keyring_.reset();
    tokens_.reset();
    requests_.reset();
    officers_.reset();
    importer_.reset();
    xks_credentials_.reset();
  }
  seal_->Seal();
  return seal_->UndoInit(store_id);
}

Result<SealStatus> KeyService::SubmitShare(std::span<const std::uint8_t> share_text) {
  std::lock_guard transition(transition_mu_);
  KEYHOLD_ASSIGN_OR_RETURN(SealStatus status, seal_->SubmitShare(share_text));
  if (!status.sealed) {
    KEYHOLD_TRY(AttachKeyring());
  }
  return status;
}

Status KeyService::UnsealWithPassphrase(const crypto::SecretBytes& passphrase) {
  std::lock_guard transition(transition_mu_);
  KEYHOLD_TRY(seal_->UnsealWithPassphrase(passphrase));
  return AttachKeyring();
}

Status KeyService::UnsealWithKeyFile(const std::filesystem::path& key_file) {
  std::lock_guard transition(transition_mu_);
  KEYHOLD_TRY(seal_->UnsealWithKeyFile(key_file));
  return AttachKeyring();
}

void KeyService::Seal() {
  std::lock_guard transition(transition_mu_);
  if (audit_ != nullptr && seal_->seal_status().initialized && !seal_->seal_status().sealed) {
    audit_->ClearKeys();
  }
  {
    std::lock_guard lock(mu_);
    keyring_.reset();
    tokens_.reset();
    requests_.reset();
    officers_.reset();
    importer_.reset();
    xks_credentials_.reset();
  }
  seal_->Seal();
}

Result<std::shared_ptr<TokenStore>> KeyService::tokens() const {
  std::lock_guard lock(mu_);
  if (tokens_) {
    return tokens_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

Result<std::shared_ptr<RequestStore>> KeyService::requests() const {
  std::lock_guard lock(mu_);
  if (requests_) {
    return requests_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

Result<std::shared_ptr<KeyImporter>> KeyService::importer() const {
  std::lock_guard lock(mu_);
  if (importer_) {
    return importer_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

Result<std::shared_ptr<XksCredentialStore>> KeyService::xks_credentials() const {
  std::lock_guard lock(mu_);
  if (xks_credentials_) {
    return xks_credentials_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

Result<std::shared_ptr<OfficerRegistry>> KeyService::officers() const {
  std::lock_guard lock(mu_);
  if (officers_) {
    return officers_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

Result<std::shared_ptr<Keyring>> KeyService::keyring() const {
  std::lock_guard lock(mu_);
  if (keyring_) {
    return keyring_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

}  // namespace keyhold::kms
