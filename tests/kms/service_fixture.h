// Shared set-up for kms/ tests: a real KeyService over a real LMDB store in
// a temporary directory, initialised with a dev key file and unsealed, with
// a manual clock. Test-only, header-only.
#ifndef KEYHOLD_TESTS_KMS_SERVICE_FIXTURE_H_
#define KEYHOLD_TESTS_KMS_SERVICE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "crypto/encryption_context.h"
#include "crypto/key_id.h"
#include "kms/key_service.h"
#include "tests/testlib/hex.h"
#include "tests/testlib/manual_clock.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {

inline crypto::KeyId Id(std::string_view text) {
  return crypto::KeyId::Parse(text).value();
}

inline crypto::EncryptionContext Ctx(std::vector<crypto::EncryptionContext::Entry> entries) {
  return crypto::EncryptionContext::Create(std::move(entries)).value();
}

class ServiceTest : public ::testing::Test {
 protected:
  KeyServiceOptions Options() {
    KeyServiceOptions o;
    o.store.dir = dir_.path() / "store";
    o.seal.dev_mode = true;
    o.keyring = keyring_options_;
    o.clock = &clock_;
    return o;
  }
  std::filesystem::path KeyFile() const { return dir_.path() / "unseal.key"; }

  // OpenService opens the store; Init() and Unseal() are separate so tests
  // can observe every state.
  void OpenService() {
    auto s = KeyService::Open(Options());
    ASSERT_TRUE(s.ok()) << s.error().message;
    service_ = std::move(s).value();
  }
  void InitAndUnseal() {
    OpenService();
    InitRequest req;
    req.method = SealMethod::kKeyFile;
    req.key_file = KeyFile();
    auto r = service_->Init(std::move(req));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(service_->UnsealWithKeyFile(KeyFile()).ok());
  }
  // Reopen closes the service and opens and unseals it again, as after a
  // restart.
  void Reopen() {
    service_.reset();
    OpenService();
    auto s = service_->UnsealWithKeyFile(KeyFile());
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  Keyring& keyring() { return *service_->keyring().value(); }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  KeyringOptions keyring_options_;
  std::unique_ptr<KeyService> service_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_TESTS_KMS_SERVICE_FIXTURE_H_
