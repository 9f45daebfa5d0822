#include "kms/seal_manager.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "crypto/argon2id.h"
#include "crypto/random.h"
#include "crypto/shamir.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;

std::span<const std::uint8_t> Text(const SecretBytes& s) {
  return s.Reveal(SecretAccess::Get());
}

SecretBytes Secret(std::string_view s) {
  return SecretBytes::CopyFrom(keyhold::testing::Bytes(s)).value();
}

crypto::Argon2idParams FastArgon() {
  return crypto::Argon2idInteractiveParams().value();
}

class SealTest : public ServiceTest {
 protected:
  InitResult InitShares(std::uint8_t threshold, std::uint8_t count) {
    InitRequest req;
    req.method = SealMethod::kShamir;
    req.threshold = threshold;
    req.share_count = count;
    auto r = service_->Init(std::move(req));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(r).value();
  }
};

TEST_F(SealTest, UninitialisedStoreRefusesKeyOperations) {
  OpenService();
  const SealStatus s = service_->seal_status();
  EXPECT_FALSE(s.initialized);
  EXPECT_TRUE(s.sealed);
  EXPECT_EQ(service_->keyring().error().code, ErrorCode::kNotInitialized);
  EXPECT_EQ(service_->UnsealWithKeyFile(KeyFile()).error().code, ErrorCode::kNotInitialized);
}

TEST_F(SealTest, ShamirThreeOfFive) {
  OpenService();
  InitResult init = InitShares(3, 5);
  ASSERT_EQ(init.shares.size(), 5u);
  SealStatus s = service_->seal_status();
  EXPECT_TRUE(s.initialized);
  EXPECT_TRUE(s.sealed);
  EXPECT_EQ(s.method, SealMethod::kShamir);
  EXPECT_EQ(s.threshold, 3);
  EXPECT_EQ(s.share_count, 5);
  EXPECT_EQ(service_->keyring().error().code, ErrorCode::kSealed);

  auto p1 = service_->SubmitShare(Text(init.shares[4]));
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->progress, 1);
  EXPECT_TRUE(p1->sealed);
  // The same share again is refused and does not count.
  auto dup = service_->SubmitShare(Text(init.shares[4]));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidShare);
  EXPECT_EQ(service_->seal_status().progress, 1);
  ASSERT_TRUE(service_->SubmitShare(Text(init.shares[0])).ok());
  auto done = service_->SubmitShare(Text(init.shares[2]));
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->sealed);
  EXPECT_EQ(done->progress, 0);
  ASSERT_TRUE(service_->keyring().ok());
  ASSERT_TRUE(keyring().CreateKey(Id("acme/app"), {}).ok());

  // Seal, then any other three shares open it again.
  service_->Seal();
  EXPECT_TRUE(service_->seal_status().sealed);
  EXPECT_EQ(service_->keyring().error().code, ErrorCode::kSealed);
  for (int i : {1, 3, 0}) {
    ASSERT_TRUE(service_->SubmitShare(Text(init.shares[i])).ok());
  }
  ASSERT_TRUE(keyring().GetKey(Id("acme/app")).ok());
}

TEST_F(SealTest, BadSharesAreRefusedBeforeRecovery) {
  OpenService();
  InitResult init = InitShares(2, 3);
  // Mistyped: one character changed.
  std::string typo(reinterpret_cast<const char*>(Text(init.shares[0]).data()),
                   init.shares[0].size());
  typo[10] = typo[10] == 'A' ? 'B' : 'A';
  auto r = service_->SubmitShare(keyhold::testing::Bytes(typo));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidShare);
  // Garbage and empty input.
  EXPECT_EQ(service_->SubmitShare(keyhold::testing::Bytes("hello")).error().code,
            ErrorCode::kInvalidShare);
  EXPECT_EQ(service_->SubmitShare({}).error().code, ErrorCode::kInvalidShare);
  // Forged: right set id, threshold and index, a valid check value, wrong
  // value. Only the stored commitment can tell.
  auto genuine = crypto::DecodeShare(Text(init.shares[1]));
  ASSERT_TRUE(genuine.ok());
  crypto::ShamirShare forged;
  forged.set_id = genuine->set_id;
  forged.threshold = genuine->threshold;
  forged.index = genuine->index;
  forged.value = crypto::RandomSecret(32).value();
  auto forged_text = crypto::EncodeShare(forged);
  auto f = service_->SubmitShare(Text(*forged_text));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kInvalidShare);
  EXPECT_NE(f.error().message.find("does not match"), std::string::npos);
  EXPECT_EQ(service_->seal_status().progress, 0);
  // Genuine shares still work after all the refusals.
  ASSERT_TRUE(service_->SubmitShare(Text(init.shares[0])).ok());
  ASSERT_FALSE(service_->SubmitShare(Text(init.shares[2]))->sealed);
}

TEST_F(SealTest, ShareOfAnotherStoreIsRefused) {
  OpenService();
  InitShares(2, 3);
  // A second store, its own shares.
  keyhold::testing::TempDir other_dir;
  KeyServiceOptions o = Options();
  o.store.dir = other_dir.path() / "store";
  auto other = KeyService::Open(o);
  ASSERT_TRUE(other.ok());
  InitRequest req;
  req.threshold = 2;
  req.share_count = 3;
  auto other_init = (*other)->Init(std::move(req));
  ASSERT_TRUE(other_init.ok());
  auto r = service_->SubmitShare(Text(other_init->shares[0]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidShare);
  EXPECT_NE(r.error().message.find("another store"), std::string::npos);
}

TEST_F(SealTest, InitTwiceIsRefusedAndSurvivesReopen) {
  OpenService();
  InitResult init = InitShares(2, 2);
  InitRequest again;
  EXPECT_EQ(service_->Init(std::move(again)).error().code, ErrorCode::kAlreadyInitialized);
  service_.reset();
  OpenService();
  EXPECT_TRUE(service_->seal_status().initialized);
  EXPECT_TRUE(service_->seal_status().sealed);
  InitRequest third;
  EXPECT_EQ(service_->Init(std::move(third)).error().code, ErrorCode::kAlreadyInitialized);
  ASSERT_TRUE(service_->SubmitShare(Text(init.shares[0])).ok());
  ASSERT_FALSE(service_->SubmitShare(Text(init.shares[1]))->sealed);
}

TEST_F(SealTest, ShareCountRules) {
  OpenService();
  for (auto [m, n] :
       std::initializer_list<std::pair<int, int>>{{0, 3}, {4, 3}, {1, 3}, {2, 17}, {0, 0}}) {
    InitRequest req;
    req.threshold = static_cast<std::uint8_t>(m);
    req.share_count = static_cast<std::uint8_t>(n);
    auto r = service_->Init(std::move(req));
    ASSERT_FALSE(r.ok()) << m << " of " << n;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
  EXPECT_FALSE(service_->seal_status().initialized);
  InitResult one = InitShares(1, 1);
  ASSERT_EQ(one.shares.size(), 1u);
  EXPECT_FALSE(service_->SubmitShare(Text(one.shares[0]))->sealed);
}

class ProductionSealTest : public SealTest {
 protected:
  KeyServiceOptions Options() {
    KeyServiceOptions o = SealTest::Options();
    o.seal.dev_mode = false;
    return o;
  }
  void OpenProduction() {
    auto s = KeyService::Open(Options());
    ASSERT_TRUE(s.ok()) << s.error().message;
    service_ = std::move(s).value();
  }
};

TEST_F(ProductionSealTest, PassphraseSeal) {
  OpenProduction();
  InitRequest weak;
  weak.method = SealMethod::kPassphrase;
  weak.passphrase = Secret("too short");
  EXPECT_EQ(service_->Init(std::move(weak)).error().code, ErrorCode::kInvalidRequest);
  InitRequest cheap;
  cheap.method = SealMethod::kPassphrase;
  cheap.passphrase = Secret("correct horse battery staple");
  cheap.argon2id = crypto::Argon2idParams{1, 8 << 20, {}};
  EXPECT_EQ(service_->Init(std::move(cheap)).error().code, ErrorCode::kInvalidRequest);

  InitRequest req;
  req.method = SealMethod::kPassphrase;
  req.passphrase = Secret("correct horse battery staple");
  req.argon2id = FastArgon();
  ASSERT_TRUE(service_->Init(std::move(req)).ok());
  EXPECT_EQ(service_->seal_status().method, SealMethod::kPassphrase);
  auto wrong = service_->UnsealWithPassphrase(Secret("correct horse battery stapler"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnsealFailed);
  EXPECT_TRUE(service_->seal_status().sealed);
  EXPECT_EQ(service_->SubmitShare(keyhold::testing::Bytes("x")).error().code,
            ErrorCode::kInvalidRequest);
  ASSERT_TRUE(service_->UnsealWithPassphrase(Secret("correct horse battery staple")).ok());
  EXPECT_FALSE(service_->seal_status().sealed);
  // Outside development mode a rotation period under an hour is refused.
  ASSERT_TRUE(keyring().CreateKey(Id("acme/app"), {}).ok());
  EXPECT_EQ(keyring().SetConfig(Id("acme/app"), {std::nullopt, 600}).error().code,
            ErrorCode::kInvalidRequest);
  EXPECT_TRUE(keyring().SetConfig(Id("acme/app"), {std::nullopt, 3600}).ok());
  EXPECT_EQ(keyring().ScheduleDeletion(Id("acme/app"), 6).error().code, ErrorCode::kInvalidRequest);
}

TEST_F(ProductionSealTest, KeyFileIsDevModeOnly) {
  OpenProduction();
  InitRequest req;
  req.method = SealMethod::kKeyFile;
  req.key_file = KeyFile();
  auto r = service_->Init(std::move(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDevModeOnly);
  EXPECT_FALSE(std::filesystem::exists(KeyFile()));
  EXPECT_FALSE(service_->seal_status().initialized);
}

TEST_F(ProductionSealTest, DevStoreCannotBeUnsealedInProduction) {
  InitAndUnseal();  // dev mode, key file
  service_.reset();
  OpenProduction();
  EXPECT_EQ(service_->UnsealWithKeyFile(KeyFile()).error().code, ErrorCode::kDevModeOnly);
}

TEST_F(SealTest, KeyFileIsPrivateAndNeverOverwritten) {
  InitAndUnseal();
  struct stat st {};
  ASSERT_EQ(::stat(KeyFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // A second store must not reuse (overwrite) the key file.
  keyhold::testing::TempDir other_dir;
  KeyServiceOptions o = Options();
  o.store.dir = other_dir.path() / "store";
  auto other = KeyService::Open(o);
  InitRequest req;
  req.method = SealMethod::kKeyFile;
  req.key_file = KeyFile();
  std::ifstream in(KeyFile());
  const std::string before((std::istreambuf_iterator<char>(in)), {});
  auto r = (*other)->Init(std::move(req));
  ASSERT_FALSE(r.ok());
  std::ifstream in2(KeyFile());
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in2)), {}), before);
  EXPECT_FALSE((*other)->seal_status().initialized);
}

TEST_F(SealTest, KeyFileOfAnotherStoreFails) {
  InitAndUnseal();
  keyhold::testing::TempDir other_dir;
  KeyServiceOptions o = Options();
  o.store.dir = other_dir.path() / "store";
  auto other = KeyService::Open(o);
  InitRequest req;
  req.method = SealMethod::kKeyFile;
  req.key_file = other_dir.path() / "other.key";
  ASSERT_TRUE((*other)->Init(std::move(req)).ok());
  auto r = (*other)->UnsealWithKeyFile(KeyFile());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsealFailed);
  // A file that is not a key at all.
  std::ofstream(other_dir.path() / "junk.key") << "not a key\n";
  EXPECT_EQ((*other)->UnsealWithKeyFile(other_dir.path() / "junk.key").error().code,
            ErrorCode::kUnsealFailed);
  EXPECT_EQ((*other)->UnsealWithKeyFile(other_dir.path() / "missing.key").error().code,
            ErrorCode::kUnsealFailed);
}

TEST_F(SealTest, StoreFilesArePrivate) {
  InitAndUnseal();
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() / "store").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  for (const char* f : {"data.mdb", "lock.mdb", "keyhold.lock"}) {
    ASSERT_EQ(::stat((dir_.path() / "store" / f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0077, 0) << f;
  }
}

TEST_F(SealTest, SecondProcessIsLockedOut) {
  InitAndUnseal();
  auto second = KeyService::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kStoreLocked);
}

TEST_F(SealTest, SealDuringUseLetsInFlightCallsFinish) {
  InitAndUnseal();
  auto held = service_->keyring();
  ASSERT_TRUE(held.ok());
  service_->Seal();
  EXPECT_EQ(service_->keyring().error().code, ErrorCode::kSealed);
  EXPECT_TRUE((*held)->CreateKey(Id("acme/late"), {}).ok());
}

TEST_F(SealTest, DeriveKeyNeedsUnsealAndSeparatesLabels) {
  InitAndUnseal();
  auto a = service_->seal_manager().DeriveKey("keyhold/v1/audit");
  auto b = service_->seal_manager().DeriveKey("keyhold/v1/other");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(crypto::ConstantTimeEquals(*a, *b));
  service_->Seal();
  EXPECT_EQ(service_->seal_manager().DeriveKey("keyhold/v1/audit").error().code,
            ErrorCode::kSealed);
}

}  // namespace
}  // namespace keyhold::kms
