// The store fails closed: altered, swapped, foreign and unreadable data is
// reported, never used and never reinitialised over; a full map is a clear
// error that loses nothing.
#include "kms/store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "crypto/hkdf.h"
#include "kms/key_record.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class StoreTest : public ServiceTest {
 protected:
  // WithRawStore closes the service and hands the raw LMDB store to `fn`,
  // as an attacker with the disk would see it.
  void WithRawStore(const std::function<void(Store&)>& fn) {
    service_.reset();
    StoreOptions o;
    o.dir = dir_.path() / "store";
    auto store = Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.error().message;
    fn(**store);
  }
  std::vector<std::uint8_t> Get(Store& s, Table t, const std::vector<std::uint8_t>& key) {
    auto txn = s.BeginRead();
    auto v = txn->Get(t, key);
    EXPECT_TRUE(v.ok() && v->has_value());
    return {(*v)->begin(), (*v)->end()};
  }
  void Put(Store& s, Table t, const std::vector<std::uint8_t>& key,
           const std::vector<std::uint8_t>& value) {
    auto txn = s.BeginWrite();
    ASSERT_TRUE(txn->Put(t, key, value).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
};

TEST_F(StoreTest, SwappedKeyRecordsFailClosed) {
  InitAndUnseal();
  const auto a = Id("acme/a");
  const auto b = Id("acme/b");
  ASSERT_TRUE(keyring().CreateKey(a, {0}).ok());
  ASSERT_TRUE(keyring().CreateKey(b, {86400}).ok());
  WithRawStore([&](Store& s) {
    const auto ra = Get(s, Table::kKeys, KeyRecordKey(a));
    const auto rb = Get(s, Table::kKeys, KeyRecordKey(b));
    Put(s, Table::kKeys, KeyRecordKey(a), rb);
    Put(s, Table::kKeys, KeyRecordKey(b), ra);
  });
  Reopen();
  EXPECT_EQ(keyring().GetKey(a).error().code, ErrorCode::kStoreCorrupt);
  EXPECT_EQ(keyring().Wrap(b, Bytes("x"), {}).error().code, ErrorCode::kStoreCorrupt);
  EXPECT_EQ(keyring().DueForRotation(clock_.NowSeconds()).error().code, ErrorCode::kStoreCorrupt);
}

TEST_F(StoreTest, VersionMaterialMovedBetweenKeysFailsClosed) {
  InitAndUnseal();
  const auto a = Id("acme/a");
  const auto b = Id("acme/b");
  ASSERT_TRUE(keyring().CreateKey(a, {}).ok());
  ASSERT_TRUE(keyring().CreateKey(b, {}).ok());
  auto blob = keyring().Wrap(b, Bytes("data"), {});
  ASSERT_TRUE(blob.ok());
  WithRawStore([&](Store& s) {
    // Replace b's v1 with a's v1 (a valid record, in the wrong place).
    Put(s, Table::kVersions, VersionRecordKey(b, 1),
        Get(s, Table::kVersions, VersionRecordKey(a, 1)));
  });
  Reopen();
  EXPECT_EQ(keyring().Unwrap(b, blob->ciphertext, {}).error().code, ErrorCode::kStoreCorrupt);
}

TEST_F(StoreTest, EveryAlteredByteOfARecordFailsClosed) {
  InitAndUnseal();
  const auto a = Id("acme/a");
  ASSERT_TRUE(keyring().CreateKey(a, {}).ok());
  std::vector<std::uint8_t> original;
  WithRawStore([&](Store& s) { original = Get(s, Table::kKeys, KeyRecordKey(a)); });
  for (std::size_t i = 0; i < original.size(); i += 7) {
    WithRawStore([&](Store& s) {
      auto altered = original;
      altered[i] ^= 0x01;
      Put(s, Table::kKeys, KeyRecordKey(a), altered);
    });
    Reopen();
    EXPECT_EQ(keyring().GetKey(a).error().code, ErrorCode::kStoreCorrupt) << "byte " << i;
  }
  WithRawStore([&](Store& s) { Put(s, Table::kKeys, KeyRecordKey(a), original); });
  Reopen();
  EXPECT_TRUE(keyring().GetKey(a).ok());
}

TEST_F(StoreTest, RecordsOfAnotherRootKeyFailClosed) {
  InitAndUnseal();
  ASSERT_TRUE(keyring().CreateKey(Id("acme/a"), {}).ok());
  std::vector<std::uint8_t> foreign_seal;
  std::vector<std::uint8_t> foreign_canary;
  {
    // A second store with its own root key, its meta copied over ours: the
    // seal config then opens with the other key file, but our records don't.
    keyhold::testing::TempDir other_dir;
    KeyServiceOptions o = Options();
    o.store.dir = other_dir.path() / "store";
    auto other = KeyService::Open(o);
    InitRequest req;
    req.method = SealMethod::kKeyFile;
    req.key_file = dir_.path() / "other.key";
    ASSERT_TRUE((*other)->Init(std::move(req)).ok());
    other->reset();
    StoreOptions so;
    so.dir = o.store.dir;
    auto raw = Store::Open(so);
    auto txn = (*raw)->BeginRead();
    auto seal = txn->Get(Table::kMeta, crypto::AsBytes("seal"));
    foreign_seal.assign((*seal)->begin(), (*seal)->end());
    auto canary = txn->Get(Table::kMeta, crypto::AsBytes("canary"));
    foreign_canary.assign((*canary)->begin(), (*canary)->end());
  }
  WithRawStore([&](Store& s) { Put(s, Table::kMeta, Bytes("seal"), foreign_seal); });
  OpenService();
  // The wrapped root is bound to the store id: the foreign seal fails.
  EXPECT_EQ(service_->UnsealWithKeyFile(dir_.path() / "other.key").error().code,
            ErrorCode::kUnsealFailed);
  EXPECT_EQ(service_->UnsealWithKeyFile(KeyFile()).error().code, ErrorCode::kUnsealFailed);
}

TEST_F(StoreTest, UnreadableDataFileIsNeverReinitialised) {
  InitAndUnseal();
  ASSERT_TRUE(keyring().CreateKey(Id("acme/a"), {}).ok());
  service_.reset();
  const auto data = dir_.path() / "store" / "data.mdb";
  {
    std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string before = ReadFile(data);
  auto s = KeyService::Open(Options());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().code == ErrorCode::kStoreCorrupt ||
              s.error().code == ErrorCode::kStoreUnavailable)
      << s.error().message;
  EXPECT_EQ(ReadFile(data), before);
}

TEST_F(StoreTest, UnknownStoreFormatIsRefused) {
  InitAndUnseal();
  WithRawStore([&](Store& s) { Put(s, Table::kMeta, Bytes("format"), {0, 0, 0, 2}); });
  auto s = KeyService::Open(Options());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kStoreCorrupt);
}

TEST_F(StoreTest, TamperedSealConfigMakesUnsealFail) {
  OpenService();
  InitRequest req;
  req.method = SealMethod::kPassphrase;
  req.passphrase = crypto::SecretBytes::CopyFrom(Bytes("correct horse battery staple")).value();
  req.argon2id = crypto::Argon2idInteractiveParams().value();
  ASSERT_TRUE(service_->Init(std::move(req)).ok());
  // Lower the Argon2id cost recorded in the store: the attacker's cheaper
  // guessing must not produce a usable key.
  WithRawStore([&](Store& s) {
    auto seal = Get(s, Table::kMeta, Bytes("seal"));
    auto config = SealConfig::Parse(seal);
    ASSERT_TRUE(config.ok());
    config->argon2id.ops_limit = 1;
    Put(s, Table::kMeta, Bytes("seal"), config->Encode());
  });
  OpenService();
  auto r = service_->UnsealWithPassphrase(
      crypto::SecretBytes::CopyFrom(Bytes("correct horse battery staple")).value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsealFailed);
}

TEST_F(StoreTest, MapFullIsAClearErrorAndLosesNothing) {
  InitAndUnseal();
  service_.reset();
  KeyServiceOptions small = Options();
  small.store.map_size_bytes = 256 * 1024;
  auto s = KeyService::Open(small);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->UnsealWithKeyFile(KeyFile()).ok());
  auto ring = (*s)->keyring().value();
  int created = 0;
  Error last{ErrorCode::kInternal, ""};
  for (int i = 0; i < 5000; ++i) {
    auto r = ring->CreateKey(Id("acme/k" + std::to_string(i)), {});
    if (!r.ok()) {
      last = r.error();
      break;
    }
    ++created;
  }
  ASSERT_GT(created, 0);
  ASSERT_LT(created, 5000);
  EXPECT_EQ(last.code, ErrorCode::kStoreFull);
  EXPECT_NE(last.message.find("map_size"), std::string::npos);
  // The service is still up: reads work, and so does everything after the
  // map grows.
  EXPECT_TRUE(ring->GetKey(Id("acme/k0")).ok());
  ring.reset();
  s->reset();
  Reopen();
  for (int i = 0; i < created; ++i) {
    ASSERT_TRUE(keyring().GetKey(Id("acme/k" + std::to_string(i))).ok()) << i;
  }
  EXPECT_TRUE(keyring().CreateKey(Id("acme/after"), {}).ok());
}

}  // namespace
}  // namespace keyhold::kms
