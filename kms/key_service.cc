#include "kms/key_service.h"

namespace keyhold::kms {

Result<std::unique_ptr<KeyService>> KeyService::Open(const KeyServiceOptions& options) {
  std::unique_ptr<KeyService> service(new KeyService());
  service->options_ = options;
  KEYHOLD_ASSIGN_OR_RETURN(service->store_, Store::Open(options.store));
  KEYHOLD_ASSIGN_OR_RETURN(service->seal_, SealManager::Open(service->store_.get(), options.seal));
  return service;
}

KeyService::~KeyService() {
  // The keyring refers to the store: it goes first.
  std::lock_guard lock(mu_);
  keyring_.reset();
}

Status KeyService::AttachKeyring() {
  KEYHOLD_ASSIGN_OR_RETURN(auto sealer, seal_->record_sealer());
  KeyringOptions keyring_options = options_.keyring;
  keyring_options.dev_mode = options_.seal.dev_mode;
  KEYHOLD_ASSIGN_OR_RETURN(auto keyring, Keyring::Create(store_.get(), std::move(sealer),
                                                         keyring_options, options_.clock));
  std::lock_guard lock(mu_);
  keyring_ = std::move(keyring);
  return Status::Ok();
}

Result<SealStatus> KeyService::SubmitShare(std::span<const std::uint8_t> share_text) {
  KEYHOLD_ASSIGN_OR_RETURN(SealStatus status, seal_->SubmitShare(share_text));
  if (!status.sealed) {
    KEYHOLD_TRY(AttachKeyring());
  }
  return status;
}

Status KeyService::UnsealWithPassphrase(const crypto::SecretBytes& passphrase) {
  KEYHOLD_TRY(seal_->UnsealWithPassphrase(passphrase));
  return AttachKeyring();
}

Status KeyService::UnsealWithKeyFile(const std::filesystem::path& key_file) {
  KEYHOLD_TRY(seal_->UnsealWithKeyFile(key_file));
  return AttachKeyring();
}

void KeyService::Seal() {
  {
    std::lock_guard lock(mu_);
    keyring_.reset();
  }
  seal_->Seal();
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
