// Tests for kms/xks/credential_store.h over a real LMDB store in a
// temporary directory and a RecordSealer: the credential's shape (an access
// key id of 24 characters of A-Z and 2-7, a secret of 44 characters of
// base64 that decodes to 32 bytes, fresh each time); Lookup returns it;
// Revoke takes effect at once, even over a cached credential, and keeps the
// first time; unknown and malformed ids are one kUnauthenticated; at most
// four live credentials per key store; List shows every credential and no
// secret, and survives reopening the store; the store file holds no secret;
// and a record copied under another id, altered, or opened under another
// root key fails with kStoreCorrupt.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base64.h"
#include "crypto/hkdf.h"
#include "kms/xks/credential_store.h"
#include "tests/testlib/manual_clock.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;

constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Text(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// CodeOf is the error code of `r`, or nullopt when it succeeded.
template <class T>
std::optional<ErrorCode> CodeOf(const Result<T>& r) {
  return r.ok() ? std::nullopt : std::optional<ErrorCode>(r.error().code);
}

std::shared_ptr<const RecordSealer> Sealer(std::uint8_t fill) {
  auto root = SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill));
  EXPECT_TRUE(root.ok());
  auto sealer = RecordSealer::Create(*root);
  EXPECT_TRUE(sealer.ok()) << sealer.error().message;
  return std::shared_ptr<const RecordSealer>(std::move(sealer).value());
}

class XksCredentialStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(Sealer(0x42)); }

  // Open (re)opens the LMDB store and a credential store over it, as after
  // a restart.
  void Open(std::shared_ptr<const RecordSealer> sealer) {
    credentials_.reset();
    store_.reset();
    StoreOptions o;
    o.dir = dir_.path() / "store";
    auto store = Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    auto c = XksCredentialStore::Create(store_.get(), std::move(sealer), &clock_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    credentials_ = std::move(c).value();
  }

  NewXksCredential MustCreate(std::string_view key_store) {
    auto c = credentials_->CreateCredential(key_store);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return std::move(c).value();
  }

  void ExpectUnauthenticated(std::string_view id) {
    auto r = credentials_->Lookup(id);
    ASSERT_FALSE(r.ok()) << "looked up: " << id;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << id;
    // One message for every reason: it tells the caller nothing.
    EXPECT_EQ(r.error().message, "unknown or revoked access key id") << id;
  }

  // Raw reads and writes to the credentials table, as someone with the
  // disk would make them.
  std::vector<std::uint8_t> RawGet(std::string_view id) {
    auto txn = store_->BeginRead();
    EXPECT_TRUE(txn.ok());
    auto v = txn->Get(Table::kXksCredentials, crypto::AsBytes(id));
    EXPECT_TRUE(v.ok() && v->has_value()) << id;
    if (!v.ok() || !v->has_value()) {
      return {};
    }
    return {(*v)->begin(), (*v)->end()};
  }
  void RawPut(std::string_view id, const std::vector<std::uint8_t>& value) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Put(Table::kXksCredentials, crypto::AsBytes(id), value).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<XksCredentialStore> credentials_;
};

TEST_F(XksCredentialStoreTest, CreateCredentialShape) {
  const std::int64_t now = clock_.NowSeconds();
  const NewXksCredential c = MustCreate("store-a");
  const std::string& id = c.info.access_key_id;
  ASSERT_EQ(id.size(), 24u);
  EXPECT_EQ(id.find_first_not_of(kIdAlphabet), std::string::npos) << id;
  EXPECT_TRUE(ValidXksAccessKeyId(id));
  EXPECT_EQ(c.info.key_store, "store-a");
  EXPECT_EQ(c.info.created_at, now);
  EXPECT_EQ(c.info.revoked_at, 0);

  // 32 random bytes, base64 with one '=' of padding: 44 characters.
  const std::string secret = Text(c.secret);
  ASSERT_EQ(secret.size(), 44u);
  EXPECT_EQ(secret.substr(0, 43).find_first_not_of(kBase64Alphabet), std::string::npos) << secret;
  EXPECT_EQ(secret.back(), '=');
  auto raw = crypto::Base64Decode(secret, 32);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_EQ(crypto::Base64Encode(*raw), secret);  // canonical

  // Fresh randomness each time.
  const NewXksCredential d = MustCreate("store-a");
  EXPECT_NE(d.info.access_key_id, id);
  EXPECT_NE(Text(d.secret), secret);
}

TEST_F(XksCredentialStoreTest, IdsUseTheWholeAlphabet) {
  // 8 credentials over 2 key stores: 192 characters, each of the 32
  // expected about 6 times; a missing one is (31/32)^192 ~ 0.2% per
  // character, so this checks the mapping, not the generator.
  std::set<char> seen;
  for (int i = 0; i < 8; ++i) {
    const NewXksCredential c = MustCreate(i % 2 == 0 ? "even" : "odd");
    seen.insert(c.info.access_key_id.begin(), c.info.access_key_id.end());
  }
  for (char ch : seen) {
    EXPECT_NE(kIdAlphabet.find(ch), std::string_view::npos) << ch;
  }
  EXPECT_GE(seen.size(), 26u);
}

TEST_F(XksCredentialStoreTest, LookupReturnsTheSecret) {
  const NewXksCredential a = MustCreate("store-a");
  const NewXksCredential b = MustCreate("store-b");
  for (const NewXksCredential* c : {&a, &b}) {
    for (int twice = 0; twice < 2; ++twice) {  // the second from the cache
      auto s = credentials_->Lookup(c->info.access_key_id);
      ASSERT_TRUE(s.ok()) << s.error().message;
      EXPECT_EQ(s->key_store, c->info.key_store);
      EXPECT_EQ(Text(s->secret), Text(c->secret));
    }
  }
}

TEST_F(XksCredentialStoreTest, RevokeTakesEffectAtOnceAndKeepsTheFirstTime) {
  const NewXksCredential a = MustCreate("store-a");
  const NewXksCredential b = MustCreate("store-a");
  ASSERT_TRUE(credentials_->Lookup(a.info.access_key_id).ok());  // now cached
  clock_.Advance(100);
  const std::int64_t revoked_at = clock_.NowSeconds();
  auto r = credentials_->Revoke(a.info.access_key_id);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->access_key_id, a.info.access_key_id);
  EXPECT_EQ(r->key_store, "store-a");
  EXPECT_EQ(r->created_at, a.info.created_at);
  EXPECT_EQ(r->revoked_at, revoked_at);
  ExpectUnauthenticated(a.info.access_key_id);
  // The other credential of the key store is untouched.
  EXPECT_TRUE(credentials_->Lookup(b.info.access_key_id).ok());

  // Revoking again keeps the first time.
  clock_.Advance(500);
  auto again = credentials_->Revoke(a.info.access_key_id);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->revoked_at, revoked_at);
  ExpectUnauthenticated(a.info.access_key_id);
  auto list = credentials_->List();
  ASSERT_TRUE(list.ok());
  for (const XksCredentialInfo& i : *list) {
    EXPECT_EQ(i.revoked_at, i.access_key_id == a.info.access_key_id ? revoked_at : 0);
  }

  // And after a restart.
  Open(Sealer(0x42));
  ExpectUnauthenticated(a.info.access_key_id);
  EXPECT_TRUE(credentials_->Lookup(b.info.access_key_id).ok());
  auto third = credentials_->Revoke(a.info.access_key_id);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->revoked_at, revoked_at);
}

TEST_F(XksCredentialStoreTest, UnknownAndMalformedIdsAreUnauthenticated) {
  const NewXksCredential c = MustCreate("store-a");
  const std::string id = c.info.access_key_id;
  std::string lower = id;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch; });
  std::string other = id;
  other[0] = other[0] == 'A' ? 'B' : 'A';  // well-formed, unknown
  const std::vector<std::string> bad = {
      other,
      "",
      id.substr(0, 23),
      id + "A",
      id.substr(0, 20),  // the spec's shortest id: not Keyhold's shape
      lower,
      id.substr(0, 23) + "1",  // '0', '1', '8', '9' are not in base32
      id.substr(0, 23) + "8",
      id.substr(0, 23) + "=",
      id.substr(0, 23) + " ",
      id.substr(0, 23) + std::string(1, '\0'),
      " " + id.substr(1),
      id.substr(0, 12) + "\xc3\x89" + id.substr(14),
      std::string(24, 'A'),
      "AKIAIOSFODNN7EXAMPLE",
  };
  for (const std::string& b : bad) {
    SCOPED_TRACE(b);
    ExpectUnauthenticated(b);
    auto r = credentials_->Revoke(b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  }
  EXPECT_TRUE(credentials_->Lookup(id).ok());
}

TEST_F(XksCredentialStoreTest, AtMostFourLiveCredentialsPerKeyStore) {
  static_assert(kMaxXksCredentialsPerStore == 4);
  std::vector<NewXksCredential> made;
  for (int i = 0; i < 4; ++i) {
    made.push_back(MustCreate("store-a"));
  }
  auto fifth = credentials_->CreateCredential("store-a");
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(fifth.error().message.find("store-a"), std::string::npos) << fifth.error().message;
  // Refused, nothing was written.
  ASSERT_EQ(credentials_->List()->size(), 4u);
  // Another key store counts on its own.
  MustCreate("store-b");
  // A revoked credential no longer counts.
  ASSERT_TRUE(credentials_->Revoke(made[2].info.access_key_id).ok());
  MustCreate("store-a");
  auto sixth = credentials_->CreateCredential("store-a");
  ASSERT_FALSE(sixth.ok());
  EXPECT_EQ(sixth.error().code, ErrorCode::kInvalidRequest);
  // Nor after a restart.
  Open(Sealer(0x42));
  EXPECT_EQ(CodeOf(credentials_->CreateCredential("store-a")), ErrorCode::kInvalidRequest);
  ASSERT_TRUE(credentials_->Revoke(made[0].info.access_key_id).ok());
  MustCreate("store-a");
  EXPECT_EQ(credentials_->List()->size(), 7u);
}

TEST_F(XksCredentialStoreTest, KeyStoreNameBounds) {
  MustCreate(std::string(32, 'k'));
  for (const std::string& bad : {std::string(), std::string(33, 'k')}) {
    auto c = credentials_->CreateCredential(bad);
    ASSERT_FALSE(c.ok()) << bad.size();
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST_F(XksCredentialStoreTest, ListShowsNoSecretAndSurvivesReopening) {
  std::vector<NewXksCredential> made;
  made.push_back(MustCreate("store-a"));
  clock_.Advance(10);
  made.push_back(MustCreate("store-b"));
  clock_.Advance(10);
  made.push_back(MustCreate("store-a"));
  clock_.Advance(10);
  ASSERT_TRUE(credentials_->Revoke(made[1].info.access_key_id).ok());
  const std::int64_t revoked_at = clock_.NowSeconds();

  const auto check = [&](const std::vector<XksCredentialInfo>& list) {
    ASSERT_EQ(list.size(), 3u);
    // In id order.
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end(),
                               [](const XksCredentialInfo& x, const XksCredentialInfo& y) {
                                 return x.access_key_id < y.access_key_id;
                               }));
    for (const NewXksCredential& m : made) {
      const auto it = std::find_if(list.begin(), list.end(), [&](const XksCredentialInfo& i) {
        return i.access_key_id == m.info.access_key_id;
      });
      ASSERT_NE(it, list.end());
      EXPECT_EQ(it->key_store, m.info.key_store);
      EXPECT_EQ(it->created_at, m.info.created_at);
      EXPECT_EQ(it->revoked_at,
                m.info.access_key_id == made[1].info.access_key_id ? revoked_at : 0);
      // XksCredentialInfo has no secret field; nor does any field hold one.
      for (const NewXksCredential& n : made) {
        const std::string secret = Text(n.secret);
        EXPECT_EQ(it->access_key_id.find(secret), std::string::npos);
        EXPECT_EQ(it->key_store.find(secret), std::string::npos);
      }
    }
  };
  auto before = credentials_->List();
  ASSERT_TRUE(before.ok()) << before.error().message;
  check(*before);

  Open(Sealer(0x42));
  auto after = credentials_->List();
  ASSERT_TRUE(after.ok()) << after.error().message;
  check(*after);
  // And the live ones still authenticate with the same secret.
  for (const NewXksCredential* m : {&made[0], &made[2]}) {
    auto s = credentials_->Lookup(m->info.access_key_id);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(Text(s->secret), Text(m->secret));
  }
  ExpectUnauthenticated(made[1].info.access_key_id);
}

TEST_F(XksCredentialStoreTest, EmptyStoreListsNothing) {
  auto list = credentials_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(XksCredentialStoreTest, NoSecretInTheStoreFile) {
  std::vector<NewXksCredential> made;
  for (int i = 0; i < 4; ++i) {
    made.push_back(MustCreate(i < 2 ? "store-a" : "store-b"));
  }
  ASSERT_TRUE(credentials_->Revoke(made[3].info.access_key_id).ok());  // rewritten
  credentials_.reset();
  store_.reset();  // every commit is durable; closed, to read the file alone
  const std::filesystem::path dir = dir_.path() / "store";
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    all += Slurp(entry.path());
  }
  const std::string data = Slurp(dir / "data.mdb");
  ASSERT_FALSE(data.empty());
  for (const NewXksCredential& m : made) {
    const std::string secret = Text(m.secret);
    auto raw = crypto::Base64Decode(secret, 32);
    ASSERT_TRUE(raw.ok());
    const std::string raw_text(raw->begin(), raw->end());
    EXPECT_EQ(all.find(secret), std::string::npos);
    EXPECT_EQ(all.find(secret.substr(0, 16)), std::string::npos);
    EXPECT_EQ(all.find(raw_text), std::string::npos);
    EXPECT_EQ(all.find(raw_text.substr(0, 12)), std::string::npos);
    // The scan reads the right file: the ids (LMDB keys) are in clear.
    EXPECT_NE(data.find(m.info.access_key_id), std::string::npos);
  }
}

TEST_F(XksCredentialStoreTest, RecordCopiedUnderAnotherIdIsCorrupt) {
  const NewXksCredential a = MustCreate("store-a");
  const std::string copy_id(24, 'Q');  // well-formed, never issued
  ASSERT_TRUE(ValidXksAccessKeyId(copy_id));
  RawPut(copy_id, RawGet(a.info.access_key_id));
  auto r = credentials_->Lookup(copy_id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt) << r.error().message;
  EXPECT_EQ(CodeOf(credentials_->List()), ErrorCode::kStoreCorrupt);
  EXPECT_EQ(CodeOf(credentials_->Revoke(copy_id)), ErrorCode::kStoreCorrupt);
  EXPECT_EQ(CodeOf(credentials_->CreateCredential("store-b")), ErrorCode::kStoreCorrupt);
  // The original still opens.
  EXPECT_TRUE(credentials_->Lookup(a.info.access_key_id).ok());
}

TEST_F(XksCredentialStoreTest, RevokedRecordRestoredFromAnOldCopyIsStillUsable) {
  // What sealing does not cover, pinned so that a change shows: a record
  // replaced by an older copy of itself (same id) still opens, so whoever
  // can write the store file can undo a revocation.
  const NewXksCredential a = MustCreate("store-a");
  const std::vector<std::uint8_t> live = RawGet(a.info.access_key_id);
  ASSERT_TRUE(credentials_->Revoke(a.info.access_key_id).ok());
  RawPut(a.info.access_key_id, live);
  Open(Sealer(0x42));  // a fresh cache
  EXPECT_TRUE(credentials_->Lookup(a.info.access_key_id).ok());
}

TEST_F(XksCredentialStoreTest, AlteredRecordIsCorrupt) {
  const NewXksCredential a = MustCreate("store-a");
  const std::vector<std::uint8_t> record = RawGet(a.info.access_key_id);
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, record.size() / 2, record.size() - 1}) {
    std::vector<std::uint8_t> flipped = record;
    flipped[i] ^= 0x01;
    RawPut(a.info.access_key_id, flipped);
    Open(Sealer(0x42));  // a fresh cache
    auto r = credentials_->Lookup(a.info.access_key_id);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt) << "byte " << i;
  }
  std::vector<std::uint8_t> truncated = record;
  truncated.pop_back();
  RawPut(a.info.access_key_id, truncated);
  Open(Sealer(0x42));
  EXPECT_EQ(CodeOf(credentials_->Lookup(a.info.access_key_id)), ErrorCode::kStoreCorrupt);
}

TEST_F(XksCredentialStoreTest, AnotherRootKeyOpensNothing) {
  const NewXksCredential a = MustCreate("store-a");
  Open(Sealer(0x43));
  EXPECT_EQ(CodeOf(credentials_->Lookup(a.info.access_key_id)), ErrorCode::kStoreCorrupt);
  EXPECT_EQ(CodeOf(credentials_->List()), ErrorCode::kStoreCorrupt);
}

TEST_F(XksCredentialStoreTest, CreateNeedsStoreSealerAndClock) {
  EXPECT_EQ(CodeOf(XksCredentialStore::Create(nullptr, Sealer(1), &clock_)), ErrorCode::kInternal);
  EXPECT_EQ(CodeOf(XksCredentialStore::Create(store_.get(), nullptr, &clock_)),
            ErrorCode::kInternal);
  EXPECT_EQ(CodeOf(XksCredentialStore::Create(store_.get(), Sealer(1), nullptr)),
            ErrorCode::kInternal);
}

TEST(ValidXksAccessKeyIdTest, Table) {
  EXPECT_TRUE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVWX"));
  EXPECT_TRUE(ValidXksAccessKeyId("234567234567234567234567"));
  EXPECT_FALSE(ValidXksAccessKeyId(""));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVW"));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVWXY"));
  EXPECT_FALSE(ValidXksAccessKeyId("abcdefghijklmnopqrstuvwx"));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVW0"));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVW1"));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVW8"));
  EXPECT_FALSE(ValidXksAccessKeyId("ABCDEFGHIJKLMNOPQRSTUVW9"));
  EXPECT_FALSE(ValidXksAccessKeyId(std::string_view("ABCDEFGHIJKLMNOPQRSTUVW\0", 24)));
}

}  // namespace
}  // namespace keyhold::kms
