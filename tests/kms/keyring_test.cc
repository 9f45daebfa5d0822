#include "kms/keyring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "crypto/secret_bytes.h"
#include "crypto/wrapped_blob.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using keyhold::testing::Bytes;

std::vector<std::uint8_t> Plain(const UnwrapResult& r) {
  const auto s = r.plaintext.Reveal(SecretAccess::Get());
  return {s.begin(), s.end()};
}

class KeyringTest : public ServiceTest {
 protected:
  void SetUp() override { InitAndUnseal(); }
  const crypto::KeyId app_ = Id("acme/app");
  const crypto::EncryptionContext ctx_ = Ctx({{"bucket", "invoices"}, {"tenant", "acme"}});
};

TEST_F(KeyringTest, CreateShowsVersionOneEnabled) {
  auto info = keyring().CreateKey(app_, {});
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto shown = keyring().GetKey(app_);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->record.state, KeyState::kEnabled);
  EXPECT_EQ(shown->record.primary_version, 1u);
  EXPECT_EQ(shown->record.latest_version, 1u);
  EXPECT_EQ(shown->record.created_at, clock_.NowSeconds());
  EXPECT_EQ(shown->record.rotation_period_s, 365u * 86400);
  ASSERT_EQ(shown->versions.size(), 1u);
  EXPECT_EQ(shown->versions[0].version, 1u);
  auto again = keyring().CreateKey(app_, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kKeyExists);
}

TEST_F(KeyringTest, UnknownKeyIsNotFound) {
  auto r = keyring().GetKey(Id("acme/nope"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kKeyNotFound);
  EXPECT_EQ(keyring().Wrap(Id("acme/nope"), Bytes("x"), {}).error().code, ErrorCode::kKeyNotFound);
}

TEST_F(KeyringTest, WrapUnwrapRoundTripBindsContextAndKey) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  ASSERT_TRUE(keyring().CreateKey(Id("acme/other"), {}).ok());
  const auto pt = Bytes("a 32-byte data key, more or less");
  auto w = keyring().Wrap(app_, pt, ctx_);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->key_version, 1u);
  auto u = keyring().Unwrap(app_, w->ciphertext, ctx_);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(Plain(*u), pt);
  EXPECT_EQ(u->key_version, 1u);

  const crypto::EncryptionContext other_contexts[] = {
      Ctx({}), Ctx({{"bucket", "invoices"}}), Ctx({{"bucket", "invoices"}, {"tenant", "acmf"}}),
      Ctx({{"bucket", "invoices"}, {"tenant", "acme"}, {"x", ""}})};
  for (const auto& c : other_contexts) {
    auto bad = keyring().Unwrap(app_, w->ciphertext, c);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidCiphertext);
  }
  // A blob names its key; presenting it to another key fails the same way.
  auto moved = keyring().Unwrap(Id("acme/other"), w->ciphertext, ctx_);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, ErrorCode::kInvalidCiphertext);
}

TEST_F(KeyringTest, PlaintextSizeLimits) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  EXPECT_EQ(keyring().Wrap(app_, {}, ctx_).error().code, ErrorCode::kInvalidRequest);
  std::vector<std::uint8_t> max(4096, 7);
  EXPECT_TRUE(keyring().Wrap(app_, max, ctx_).ok());
  max.push_back(7);
  EXPECT_EQ(keyring().Wrap(app_, max, ctx_).error().code, ErrorCode::kInvalidRequest);
  // Refused requests use no encryption budget.
  EXPECT_EQ(keyring().GetKey(app_)->versions[0].encryptions, 1u);
}

TEST_F(KeyringTest, EveryBitFlipAndTruncationIsRefusedGenerically) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w = keyring().Wrap(app_, Bytes("secret data key!"), ctx_);
  ASSERT_TRUE(w.ok());
  std::vector<std::uint8_t> blob = w->ciphertext;
  for (std::size_t i = 0; i < blob.size() * 8; ++i) {
    auto t = blob;
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto r = keyring().Unwrap(app_, t, ctx_);
    ASSERT_FALSE(r.ok()) << "bit " << i;
    // A flip in the key id may name a key that does not exist; every other
    // flip is the one generic error.
    EXPECT_TRUE(r.error().code == ErrorCode::kInvalidCiphertext ||
                r.error().code == ErrorCode::kKeyNotFound)
        << "bit " << i << " " << r.error().message;
  }
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto r = keyring().Unwrap(app_, std::span(blob).first(n), ctx_);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext);
  }
  auto longer = blob;
  longer.push_back(0);
  EXPECT_EQ(keyring().Unwrap(app_, longer, ctx_).error().code, ErrorCode::kInvalidCiphertext);
}

TEST_F(KeyringTest, RotationKeepsOldBlobsReadable) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w1 = keyring().Wrap(app_, Bytes("one"), ctx_);
  clock_.Advance(100);
  auto rotated = keyring().Rotate(app_);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->record.primary_version, 2u);
  EXPECT_EQ(rotated->record.last_rotated_at, clock_.NowSeconds());
  auto w2 = keyring().Wrap(app_, Bytes("two"), ctx_);
  ASSERT_TRUE(w2.ok());
  EXPECT_EQ(w2->key_version, 2u);
  EXPECT_EQ(Plain(*keyring().Unwrap(app_, w1->ciphertext, ctx_)), Bytes("one"));
  EXPECT_EQ(Plain(*keyring().Unwrap(app_, w2->ciphertext, ctx_)), Bytes("two"));
  auto shown = keyring().GetKey(app_);
  ASSERT_EQ(shown->versions.size(), 2u);
  EXPECT_EQ(shown->versions[0].encryptions, 1u);
  EXPECT_EQ(shown->versions[1].encryptions, 1u);
}

TEST_F(KeyringTest, MinDecryptionVersion) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w1 = keyring().Wrap(app_, Bytes("one"), ctx_);
  ASSERT_TRUE(keyring().Rotate(app_).ok());
  ASSERT_TRUE(keyring().SetConfig(app_, {2, std::nullopt}).ok());
  auto r = keyring().Unwrap(app_, w1->ciphertext, ctx_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().SetConfig(app_, {3, std::nullopt}).error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(keyring().SetConfig(app_, {0, std::nullopt}).error().code, ErrorCode::kInvalidRequest);
  ASSERT_TRUE(keyring().SetConfig(app_, {1, std::nullopt}).ok());
  EXPECT_TRUE(keyring().Unwrap(app_, w1->ciphertext, ctx_).ok());
}

TEST_F(KeyringTest, DisabledKeyRefusesCryptoUntilEnabled) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w = keyring().Wrap(app_, Bytes("x"), ctx_);
  ASSERT_TRUE(keyring().Disable(app_).ok());
  EXPECT_EQ(keyring().Wrap(app_, Bytes("x"), ctx_).error().code, ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().Unwrap(app_, w->ciphertext, ctx_).error().code, ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().Rotate(app_).error().code, ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().GenerateDataKey(app_, ctx_).error().code, ErrorCode::kInvalidKeyState);
  ASSERT_TRUE(keyring().Enable(app_).ok());
  EXPECT_TRUE(keyring().Unwrap(app_, w->ciphertext, ctx_).ok());
}

TEST_F(KeyringTest, DeletionWindowThenDestroy) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w = keyring().Wrap(app_, Bytes("x"), ctx_);
  EXPECT_EQ(keyring().ScheduleDeletion(app_, 6).error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(keyring().ScheduleDeletion(app_, 366).error().code, ErrorCode::kInvalidRequest);
  auto pending = keyring().ScheduleDeletion(app_, std::nullopt);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->record.state, KeyState::kPendingDeletion);
  EXPECT_EQ(pending->record.deletion_at, clock_.NowSeconds() + 30 * 86400);
  for (auto op : {0, 1, 2, 3, 4}) {
    Result<KeyInfo> r = MakeError(ErrorCode::kInternal);
    switch (op) {
      case 0:
        r = keyring().Rotate(app_);
        break;
      case 1:
        r = keyring().Enable(app_);
        break;
      case 2:
        r = keyring().Disable(app_);
        break;
      case 3:
        r = keyring().ScheduleDeletion(app_, 10);
        break;
      case 4:
        r = keyring().SetConfig(app_, {1, std::nullopt});
        break;
    }
    ASSERT_FALSE(r.ok()) << op;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidKeyState) << op;
  }
  EXPECT_EQ(keyring().Unwrap(app_, w->ciphertext, ctx_).error().code, ErrorCode::kInvalidKeyState);
  // Too early to destroy.
  EXPECT_EQ(keyring().Destroy(app_).error().code, ErrorCode::kInvalidKeyState);
  EXPECT_TRUE(keyring().DueForDestruction(clock_.NowSeconds())->empty());
  // Cancel brings it back disabled.
  auto cancelled = keyring().CancelDeletion(app_);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->record.state, KeyState::kDisabled);
  EXPECT_EQ(cancelled->record.deletion_at, 0);
  ASSERT_TRUE(keyring().ScheduleDeletion(app_, 7).ok());
  clock_.Advance(7 * 86400 - 1);
  EXPECT_TRUE(keyring().DueForDestruction(clock_.NowSeconds())->empty());
  clock_.Advance(1);
  auto due = keyring().DueForDestruction(clock_.NowSeconds());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0], app_);
  auto destroyed = keyring().Destroy(app_);
  ASSERT_TRUE(destroyed.ok());
  EXPECT_EQ(destroyed->record.state, KeyState::kDestroyed);
  EXPECT_TRUE(keyring().GetKey(app_)->versions.empty());
  EXPECT_EQ(keyring().Unwrap(app_, w->ciphertext, ctx_).error().code, ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().CreateKey(app_, {}).error().code, ErrorCode::kKeyExists);
  EXPECT_EQ(keyring().CancelDeletion(app_).error().code, ErrorCode::kInvalidKeyState);
  // After a restart the material is gone from the store, not only from memory.
  Reopen();
  EXPECT_EQ(keyring().GetKey(app_)->record.state, KeyState::kDestroyed);
  EXPECT_TRUE(keyring().GetKey(app_)->versions.empty());
}

TEST_F(KeyringTest, DeletionFloorOutsideDevModeIsSevenDays) {
  KeyringOptions o;
  o.min_deletion_days = 6;
  auto sealer = service_->seal_manager().record_sealer();
  ASSERT_TRUE(sealer.ok());
  auto r = Keyring::Create(nullptr, *sealer, o, &clock_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  o.min_deletion_days = 7;
  o.default_rotation_period_s = 600;  // below an hour: refused outside dev mode
  EXPECT_FALSE(Keyring::Create(nullptr, *sealer, o, &clock_).ok());
}

TEST_F(KeyringTest, GenerateDataKeyAndRewrap) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto dk = keyring().GenerateDataKey(app_, ctx_);
  ASSERT_TRUE(dk.ok());
  EXPECT_EQ(dk->plaintext.size(), 32u);
  auto opened = keyring().Unwrap(app_, dk->ciphertext, ctx_);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(crypto::ConstantTimeEquals(opened->plaintext, dk->plaintext));
  ASSERT_TRUE(keyring().Rotate(app_).ok());
  auto rewrapped = keyring().Rewrap(app_, dk->ciphertext, ctx_);
  ASSERT_TRUE(rewrapped.ok());
  EXPECT_EQ(rewrapped->key_version, 2u);
  auto again = keyring().Unwrap(app_, rewrapped->ciphertext, ctx_);
  EXPECT_TRUE(crypto::ConstantTimeEquals(again->plaintext, dk->plaintext));
  EXPECT_EQ(keyring().Rewrap(app_, dk->ciphertext, Ctx({})).error().code,
            ErrorCode::kInvalidCiphertext);
}

TEST_F(KeyringTest, EverythingSurvivesRestart) {
  ASSERT_TRUE(keyring().CreateKey(app_, {}).ok());
  auto w1 = keyring().Wrap(app_, Bytes("one"), ctx_);
  ASSERT_TRUE(keyring().Rotate(app_).ok());
  auto w2 = keyring().Wrap(app_, Bytes("two"), ctx_);
  ASSERT_TRUE(keyring().SetConfig(app_, {std::nullopt, 7200}).ok());
  const KeyRecord before = keyring().GetKey(app_)->record;
  Reopen();
  auto after = keyring().GetKey(app_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->record, before);
  EXPECT_EQ(Plain(*keyring().Unwrap(app_, w1->ciphertext, ctx_)), Bytes("one"));
  EXPECT_EQ(Plain(*keyring().Unwrap(app_, w2->ciphertext, ctx_)), Bytes("two"));
}

TEST_F(KeyringTest, ListKeysPagesByTenant) {
  for (const char* id : {"acme/k3", "acme/k1", "acme/k2", "acme/k4", "acme-x/k1", "beta/k1"}) {
    ASSERT_TRUE(keyring().CreateKey(Id(id), {}).ok()) << id;
  }
  auto page = keyring().ListKeys("acme", 2, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id.name(), "k1");
  EXPECT_EQ((*page)[1].id.name(), "k2");
  page = keyring().ListKeys("acme", 2, "k2");
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id.name(), "k3");
  EXPECT_EQ((*page)[1].id.name(), "k4");
  EXPECT_TRUE(keyring().ListKeys("acme", 2, "k4")->empty());
  EXPECT_EQ(keyring().ListKeys("beta", 100, "")->size(), 1u);
  EXPECT_TRUE(keyring().ListKeys("gamma", 100, "")->empty());
  EXPECT_EQ(keyring().ListKeys("Bad/", 10, "").error().code, ErrorCode::kInvalidKeyId);
}

TEST_F(KeyringTest, PeriodicRotationIsDueOnce) {
  ASSERT_TRUE(keyring().CreateKey(app_, {86400}).ok());
  ASSERT_TRUE(keyring().CreateKey(Id("acme/never"), {0}).ok());
  EXPECT_TRUE(keyring().DueForRotation(clock_.NowSeconds())->empty());
  clock_.Advance(86400);
  auto due = keyring().DueForRotation(clock_.NowSeconds());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, app_);
  EXPECT_EQ((*due)[0].reason, policies::RotationReason::kPeriod);
  ASSERT_TRUE(keyring().Rotate(app_).ok());
  EXPECT_TRUE(keyring().DueForRotation(clock_.NowSeconds())->empty());
  // A disabled key is never rotated automatically.
  clock_.Advance(2 * 86400);
  ASSERT_TRUE(keyring().Disable(app_).ok());
  EXPECT_TRUE(keyring().DueForRotation(clock_.NowSeconds())->empty());
}

class BudgetTest : public KeyringTest {
 protected:
  void SetUp() override {
    keyring_options_.budget = BudgetLimits{5, 8, 3};
    KeyringTest::SetUp();
  }
};

TEST_F(BudgetTest, ThresholdTriggersRotationAndLimitRefuses) {
  ASSERT_TRUE(keyring().CreateKey(app_, {0}).ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(keyring().Wrap(app_, Bytes("x"), ctx_).ok());
  }
  EXPECT_TRUE(keyring().DueForRotation(clock_.NowSeconds())->empty());
  ASSERT_TRUE(keyring().Wrap(app_, Bytes("x"), ctx_).ok());
  auto due = keyring().DueForRotation(clock_.NowSeconds());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].reason, policies::RotationReason::kEncryptionBudget);
  for (int i = 5; i < 8; ++i) {
    ASSERT_TRUE(keyring().Wrap(app_, Bytes("x"), ctx_).ok()) << i;
  }
  auto refused = keyring().Wrap(app_, Bytes("x"), ctx_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kEncryptionLimitReached);
  EXPECT_EQ(keyring().GenerateDataKey(app_, ctx_).error().code, ErrorCode::kEncryptionLimitReached);
  // Unwrap is not an encryption: still fine. Rotation restores wrapping.
  ASSERT_TRUE(keyring().Rotate(app_).ok());
  auto w = keyring().Wrap(app_, Bytes("x"), ctx_);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->key_version, 2u);
  EXPECT_TRUE(keyring().DueForRotation(clock_.NowSeconds())->empty());
}

TEST_F(BudgetTest, LimitHoldsAcrossRestarts) {
  ASSERT_TRUE(keyring().CreateKey(app_, {0}).ok());
  // Each restart skips the rest of the reserved block (3): counts are never
  // reused, so the limit (8) arrives sooner, never later.
  int wraps = 0;
  for (int round = 0; round < 5; ++round) {
    if (keyring().Wrap(app_, Bytes("x"), ctx_).ok()) {
      ++wraps;
    }
    const auto used = keyring().GetKey(app_)->versions[0].encryptions;
    Reopen();
    EXPECT_GE(keyring().GetKey(app_)->versions[0].encryptions, used);
  }
  EXPECT_LE(wraps, 8);
  EXPECT_EQ(keyring().GetKey(app_)->versions[0].encryptions, 8u);
  EXPECT_EQ(keyring().Wrap(app_, Bytes("x"), ctx_).error().code,
            ErrorCode::kEncryptionLimitReached);
}

TEST_F(KeyringTest, ReadersNeverSeeHalfARotation) {
  ASSERT_TRUE(keyring().CreateKey(app_, {0}).ok());
  auto first = keyring().Wrap(app_, Bytes("v1 data key"), ctx_);
  ASSERT_TRUE(first.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> operations{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      std::uint32_t last_version = 0;
      while (!stop.load()) {
        auto w = keyring().Wrap(app_, Bytes("payload"), ctx_);
        if (!w.ok() || w->key_version < last_version) {
          ++failures;
          continue;
        }
        last_version = w->key_version;  // versions only go up
        auto parsed = crypto::ParseBlob(w->ciphertext);
        if (!parsed.ok() || parsed->header.key_version != w->key_version) {
          ++failures;
        }
        auto u = keyring().Unwrap(app_, w->ciphertext, ctx_);
        auto old = keyring().Unwrap(app_, first->ciphertext, ctx_);
        if (!u.ok() || !old.ok() || Plain(*u) != Bytes("payload") ||
            Plain(*old) != Bytes("v1 data key")) {
          ++failures;
        }
        (void)t;
        ++operations;
      }
    });
  }
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(keyring().Rotate(app_).ok());
  }
  while (operations.load() < 200) {
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(keyring().GetKey(app_)->record.primary_version, 31u);
}

}  // namespace
}  // namespace keyhold::kms
