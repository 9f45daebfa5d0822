// Tests for kms/record_sealer.h: round trips (empty to large bodies), the
// record layout and its derivation rebuilt independently from
// docs/formats.md (store key, per-record key, associated data), fresh salt
// and nonce per seal, and every way a record must fail with kStoreCorrupt:
// another table, another LMDB key, another root key, any bit flipped, any
// truncation, an appended byte. Create refuses root keys that are not 32
// bytes.
#include "kms/record_sealer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/byte_reader.h"
#include "crypto/hkdf.h"
#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;
using keyhold::testing::Bytes;
using keyhold::testing::ToHex;

SecretBytes Root(std::uint8_t fill) {
  return SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill)).value();
}

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::unique_ptr<RecordSealer> MustCreate(const SecretBytes& root) {
  auto sealer = RecordSealer::Create(root);
  EXPECT_TRUE(sealer.ok()) << sealer.error().message;
  return std::move(sealer).value();
}

std::vector<std::uint8_t> MustSeal(const RecordSealer& sealer, Table table,
                                   const std::vector<std::uint8_t>& key,
                                   const std::vector<std::uint8_t>& body) {
  auto record = sealer.Seal(table, key, body);
  EXPECT_TRUE(record.ok()) << record.error().message;
  return std::move(record).value();
}

void ExpectCorrupt(const Result<SecretBytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": opened";
  EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt) << what;
}

class RecordSealerTest : public ::testing::Test {
 protected:
  void SetUp() override { sealer_ = MustCreate(Root(0x11)); }
  std::unique_ptr<RecordSealer> sealer_;
  const std::vector<std::uint8_t> key_ = Bytes("acme/app");
  const std::vector<std::uint8_t> body_ = Bytes("a key record body");
};

TEST_F(RecordSealerTest, RoundTrip) {
  for (std::size_t size : {0, 1, 15, 16, 17, 69, 1000, 65536}) {
    std::vector<std::uint8_t> body(size);
    for (std::size_t i = 0; i < size; ++i) {
      body[i] = static_cast<std::uint8_t>(i * 31 + 7);
    }
    for (Table table : {Table::kMeta, Table::kKeys, Table::kVersions, Table::kCounters}) {
      const auto record = MustSeal(*sealer_, table, key_, body);
      auto opened = sealer_->Open(table, key_, record);
      ASSERT_TRUE(opened.ok()) << "size " << size;
      EXPECT_EQ(Reveal(*opened), body);
    }
  }
}

TEST_F(RecordSealerTest, Layout) {
  for (std::size_t size : {0, 1, 69}) {
    const auto record = MustSeal(*sealer_, Table::kKeys, key_, std::vector<std::uint8_t>(size, 3));
    ASSERT_EQ(record.size(), 1 + 32 + 12 + size + 16) << "size " << size;
    EXPECT_EQ(record[0], 1);
  }
}

TEST_F(RecordSealerTest, TwoSealsDiffer) {
  const auto a = MustSeal(*sealer_, Table::kKeys, key_, body_);
  const auto b = MustSeal(*sealer_, Table::kKeys, key_, body_);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a, b);
  // Fresh salt and fresh nonce.
  EXPECT_NE(ToHex(std::span(a).subspan(1, 32)), ToHex(std::span(b).subspan(1, 32)));
  EXPECT_NE(ToHex(std::span(a).subspan(33, 12)), ToHex(std::span(b).subspan(33, 12)));
  EXPECT_TRUE(sealer_->Open(Table::kKeys, key_, a).ok());
  EXPECT_TRUE(sealer_->Open(Table::kKeys, key_, b).ok());
}

// Rebuilds the record key and associated data from docs/formats.md and opens
// a sealed record with a plain Aes256Gcm; then seals one by hand and lets
// RecordSealer open it.
TEST_F(RecordSealerTest, DerivationMatchesDocumentation) {
  const SecretBytes root = Root(0x11);
  auto store_key = crypto::HkdfSha256(root.Reveal(SecretAccess::Get()), {},
                                      crypto::AsBytes("keyhold/v1/store-records"), 32);
  ASSERT_TRUE(store_key.ok());
  const auto record = MustSeal(*sealer_, Table::kVersions, key_, body_);
  const std::span<const std::uint8_t> salt = std::span(record).subspan(1, 32);
  auto record_key = crypto::HkdfSha256(store_key->Reveal(SecretAccess::Get()), salt,
                                       crypto::AsBytes("keyhold/v1/record"), 32);
  ASSERT_TRUE(record_key.ok());
  auto aead = crypto::Aes256Gcm::Create(*record_key);
  ASSERT_TRUE(aead.ok());

  std::vector<std::uint8_t> aad = Bytes("keyhold-record-v1");
  aad.push_back(1);                     // format
  aad.push_back(3);                     // Table::kVersions
  aad.insert(aad.end(), {0, 0, 0, 8});  // key length, big-endian
  aad.insert(aad.end(), key_.begin(), key_.end());
  auto opened = (*aead)->Open(std::span(record).subspan(33), aad);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), body_);

  // By hand: format | salt | Aes256Gcm output.
  std::vector<std::uint8_t> hand(1 + salt.size());
  hand[0] = 1;
  std::copy(salt.begin(), salt.end(), hand.begin() + 1);
  ASSERT_TRUE((*aead)->Seal(Bytes("hand-made"), aad, &hand).ok());
  auto by_sealer = sealer_->Open(Table::kVersions, key_, hand);
  ASSERT_TRUE(by_sealer.ok()) << by_sealer.error().message;
  EXPECT_EQ(Reveal(*by_sealer), Bytes("hand-made"));
}

TEST_F(RecordSealerTest, AnotherTableFails) {
  const Table tables[] = {Table::kMeta, Table::kKeys, Table::kVersions, Table::kCounters};
  for (Table from : tables) {
    const auto record = MustSeal(*sealer_, from, key_, body_);
    for (Table to : tables) {
      auto r = sealer_->Open(to, key_, record);
      if (to == from) {
        EXPECT_TRUE(r.ok());
      } else {
        ExpectCorrupt(r, "table " + std::to_string(static_cast<int>(from)) + " -> " +
                             std::to_string(static_cast<int>(to)));
      }
    }
  }
}

TEST_F(RecordSealerTest, AnotherKeyFails) {
  const auto record = MustSeal(*sealer_, Table::kKeys, key_, body_);
  for (std::string other : {"", "acme/ap", "acme/app2", "acme/App", "acme/app "}) {
    ExpectCorrupt(sealer_->Open(Table::kKeys, Bytes(other), record), "key " + other);
  }
  ExpectCorrupt(sealer_->Open(Table::kKeys, Bytes(std::string("acme/app\0", 9)), record),
                "key with NUL");
  // Version keys of one key id differ only in the version bytes.
  const std::vector<std::uint8_t> v1 = {'a', '/', 'b', 0, 0, 0, 0, 1};
  const std::vector<std::uint8_t> v2 = {'a', '/', 'b', 0, 0, 0, 0, 2};
  const auto version_record = MustSeal(*sealer_, Table::kVersions, v1, body_);
  ExpectCorrupt(sealer_->Open(Table::kVersions, v2, version_record), "version 1 -> 2");
  EXPECT_TRUE(sealer_->Open(Table::kVersions, v1, version_record).ok());
}

TEST_F(RecordSealerTest, EmptyKeyAndEmptyBodyAreDistinct) {
  const auto record = MustSeal(*sealer_, Table::kMeta, {}, {});
  auto opened = sealer_->Open(Table::kMeta, {}, record);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
  ExpectCorrupt(sealer_->Open(Table::kMeta, std::vector<std::uint8_t>{0}, record), "key 00");
}

TEST_F(RecordSealerTest, AnotherRootKeyFails) {
  const auto record = MustSeal(*sealer_, Table::kKeys, key_, body_);
  for (std::uint8_t fill : {0x00, 0x10, 0x12, 0xff}) {
    auto other = MustCreate(Root(fill));
    ExpectCorrupt(other->Open(Table::kKeys, key_, record), "root fill " + std::to_string(fill));
  }
  // The same root key in another instance opens it.
  EXPECT_TRUE(MustCreate(Root(0x11))->Open(Table::kKeys, key_, record).ok());
}

TEST_F(RecordSealerTest, EveryBitFlipFails) {
  const auto record = MustSeal(*sealer_, Table::kCounters, key_, body_);
  for (std::size_t i = 0; i < record.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = record;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      ExpectCorrupt(sealer_->Open(Table::kCounters, key_, bad),
                    "byte " + std::to_string(i) + " bit " + std::to_string(bit));
    }
  }
}

TEST_F(RecordSealerTest, EveryTruncationFails) {
  for (const auto& body : {body_, std::vector<std::uint8_t>()}) {
    const auto record = MustSeal(*sealer_, Table::kKeys, key_, body);
    for (std::size_t len = 0; len < record.size(); ++len) {
      ExpectCorrupt(sealer_->Open(Table::kKeys, key_, std::span(record).first(len)),
                    "length " + std::to_string(len));
    }
    for (std::size_t skip = 1; skip <= record.size(); ++skip) {
      ExpectCorrupt(sealer_->Open(Table::kKeys, key_, std::span(record).subspan(skip)),
                    "skip " + std::to_string(skip));
    }
  }
}

TEST_F(RecordSealerTest, AppendedByteFails) {
  auto record = MustSeal(*sealer_, Table::kKeys, key_, body_);
  record.push_back(0);
  ExpectCorrupt(sealer_->Open(Table::kKeys, key_, record), "appended byte");
}

TEST_F(RecordSealerTest, OtherFormatBytesFail) {
  const auto record = MustSeal(*sealer_, Table::kKeys, key_, body_);
  for (int format : {0, 2, 0x81, 0xff}) {
    auto bad = record;
    bad[0] = static_cast<std::uint8_t>(format);
    ExpectCorrupt(sealer_->Open(Table::kKeys, key_, bad), "format " + std::to_string(format));
  }
  ExpectCorrupt(sealer_->Open(Table::kKeys, key_, {}), "empty record");
}

TEST(RecordSealerCreateTest, RefusesRootKeysThatAreNot32Bytes) {
  for (std::size_t size : {0, 1, 16, 31, 33, 64}) {
    auto root = SecretBytes::CopyFrom(std::vector<std::uint8_t>(size, 1)).value();
    auto sealer = RecordSealer::Create(root);
    ASSERT_FALSE(sealer.ok()) << "size " << size;
    EXPECT_EQ(sealer.error().code, ErrorCode::kInternal) << "size " << size;
  }
}

}  // namespace
}  // namespace keyhold::kms
