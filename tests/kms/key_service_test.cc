#include "kms/key_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;

// "Sealed" and "a keyring is attached" must never disagree. Only the main
// thread seals, so if it sees a keyring and then a sealed status, a seal
// left a keyring behind. The race this guards against (an unseal attaching
// a keyring between a seal's two steps) is closed by construction
// (KeyService::transition_mu_); this stress loop only catches a regression
// with some probability, and is best run under ThreadSanitizer.
TEST_F(ServiceTest, SealNeverLeavesAKeyringBehind) {
  OpenService();
  InitRequest req;
  req.threshold = 1;
  req.share_count = 1;
  auto init = service_->Init(std::move(req));
  ASSERT_TRUE(init.ok());
  const auto share = init->shares[0].Reveal(SecretAccess::Get());
  std::atomic<bool> stop{false};
  std::thread unsealer([&] {
    while (!stop.load()) {
      (void)service_->SubmitShare(share);
    }
  });
  int disagreements = 0;
  for (int i = 0; i < 2000; ++i) {
    service_->Seal();
    auto ring = service_->keyring();
    const SealStatus status = service_->seal_status();
    if (ring.ok() && status.sealed) {
      ++disagreements;
    }
  }
  stop = true;
  unsealer.join();
  EXPECT_EQ(disagreements, 0);
}

TEST_F(ServiceTest, InvalidKeyringOptionsAreRefusedAtOpen) {
  keyring_options_.budget.max = (1ULL << 32) + 1;
  auto s = KeyService::Open(Options());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
}

TEST_F(ServiceTest, SealedServiceRefusesKeyOperationsWith503) {
  InitAndUnseal();
  ASSERT_TRUE(keyring().CreateKey(Id("acme/app"), {}).ok());
  service_->Seal();
  auto r = service_->keyring();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kSealed);
  EXPECT_EQ(Info(r.error().code).http_status, 503);
  ASSERT_TRUE(service_->UnsealWithKeyFile(KeyFile()).ok());
  EXPECT_TRUE(keyring().GetKey(Id("acme/app")).ok());
}

}  // namespace
}  // namespace keyhold::kms
