#include "kms/key_service.h"

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
  // The keyring and token store refer to the store: they go first.
  std::lock_guard lock(mu_);
  keyring_.reset();
  tokens_.reset();
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
  if (!keyring.ok() || !tokens.ok()) {
    seal_->Seal();  // never unsealed without a keyring and a token store
    return keyring.ok() ? tokens.error() : keyring.error();
  }
  std::lock_guard lock(mu_);
  keyring_ = std::move(keyring).value();
  tokens_ = std::move(tokens).value();
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
  {
    std::lock_guard lock(mu_);
    keyring_.reset();
    tokens_.reset();
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

Result<std::shared_ptr<Keyring>> KeyService::keyring() const {
  std::lock_guard lock(mu_);
  if (keyring_) {
    return keyring_;
  }
  return MakeError(seal_->seal_status().initialized ? ErrorCode::kSealed
                                                    : ErrorCode::kNotInitialized);
}

}  // namespace keyhold::kms
