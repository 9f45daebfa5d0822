// Tests for crypto/committed_key.h: material of the wrong size is refused;
// the commitment and the encryption key are the HKDF-SHA-256 values of
// docs/formats.md, checked against OpenSSL's HKDF called directly and against
// fixed literals; the commitment depends on every bit of the material;
// Matches is exact; and the AEAD key is neither the raw material nor the
// commitment.
#include "crypto/committed_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include "crypto/aes_gcm.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

constexpr std::string_view kCommitLabel = "keyhold/v1/key-version/commit";
constexpr std::string_view kEncryptLabel = "keyhold/v1/key-version/encrypt";

SecretBytes Secret(std::span<const std::uint8_t> bytes) {
  return SecretBytes::CopyFrom(bytes).value();
}

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::unique_ptr<CommittedKey> MustDerive(std::span<const std::uint8_t> material) {
  auto key = CommittedKey::Derive(Secret(material));
  EXPECT_TRUE(key.ok()) << key.error().message;
  return std::move(key).value();
}

// HKDF-SHA-256 through OpenSSL's EVP_PKEY interface, independent of
// crypto/hkdf.cc (which uses EVP_KDF). Empty salt.
std::vector<std::uint8_t> OpenSslHkdf(std::span<const std::uint8_t> ikm, std::string_view info,
                                      std::size_t size) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), EVP_PKEY_CTX_free);
  std::vector<std::uint8_t> out(size);
  std::size_t len = size;
  const bool ok =
      ctx && EVP_PKEY_derive_init(ctx.get()) == 1 &&
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) == 1 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())) == 1 &&
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) == 1 &&
      EVP_PKEY_derive(ctx.get(), out.data(), &len) == 1 && len == size;
  EXPECT_TRUE(ok) << "OpenSSL HKDF failed";
  return out;
}

std::vector<std::uint8_t> Material(std::uint8_t fill) {
  return std::vector<std::uint8_t>(kKeyMaterialSize, fill);
}

TEST(CommittedKeyTest, RefusesMaterialOfOtherSizes) {
  for (std::size_t size : {0, 1, 16, 31, 33, 64}) {
    auto key = CommittedKey::Derive(Secret(std::vector<std::uint8_t>(size, 7)));
    ASSERT_FALSE(key.ok()) << "size " << size;
    EXPECT_EQ(key.error().code, ErrorCode::kCryptoFailure) << "size " << size;
  }
  EXPECT_FALSE(CommittedKey::Derive(SecretBytes()).ok());
}

TEST(CommittedKeyTest, CommitmentOfZeroMaterialIsKnown) {
  const auto zeros = Material(0);
  const auto key = MustDerive(zeros);
  // HKDF-SHA-256(ikm = 32 zero bytes, salt = empty, info = commit label, 32).
  EXPECT_EQ(ToHex(key->commitment()), ToHex(OpenSslHkdf(zeros, kCommitLabel, 32)));
  EXPECT_EQ(ToHex(key->commitment()),
            "3b1b0275f8b04ea01289b977e72483654b84867fc906f7771370725528a5d4c5");
}

TEST(CommittedKeyTest, CommitmentMatchesHkdfForOtherMaterial) {
  std::vector<std::uint8_t> material(32);
  for (std::size_t i = 0; i < material.size(); ++i) {
    material[i] = static_cast<std::uint8_t>(0x80 + 3 * i);
  }
  EXPECT_EQ(ToHex(MustDerive(material)->commitment()),
            ToHex(OpenSslHkdf(material, kCommitLabel, 32)));
}

TEST(CommittedKeyTest, EncryptionKeyIsTheDocumentedHkdfOutput) {
  // The AEAD key is HKDF(K, "", encrypt label): a blob sealed by an
  // Aes256Gcm built on that value opens under the committed key, and back.
  const auto zeros = Material(0);
  const auto enc = OpenSslHkdf(zeros, kEncryptLabel, 32);
  EXPECT_EQ(ToHex(enc), "b2ff2510e1e4249fcf8b3af31815974636a5761d4aeb584d47590589d80fc210");
  auto direct = Aes256Gcm::Create(Secret(enc));
  ASSERT_TRUE(direct.ok());
  const auto key = MustDerive(zeros);

  std::vector<std::uint8_t> sealed;
  ASSERT_TRUE((*direct)->Seal(Bytes("hello"), Bytes("aad"), &sealed).ok());
  auto opened = key->aead().Open(sealed, Bytes("aad"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), Bytes("hello"));

  std::vector<std::uint8_t> back;
  ASSERT_TRUE(key->aead().Seal(Bytes("world"), {}, &back).ok());
  auto opened_back = (*direct)->Open(back, {});
  ASSERT_TRUE(opened_back.ok());
  EXPECT_EQ(Reveal(*opened_back), Bytes("world"));
}

TEST(CommittedKeyTest, DeterministicForTheSameMaterial) {
  const auto material = FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const auto a = MustDerive(material);
  const auto b = MustDerive(material);
  EXPECT_EQ(a->commitment(), b->commitment());
  // The two instances share a key: one opens what the other sealed.
  std::vector<std::uint8_t> sealed;
  ASSERT_TRUE(a->aead().Seal(Bytes("x"), {}, &sealed).ok());
  EXPECT_TRUE(b->aead().Open(sealed, {}).ok());
}

TEST(CommittedKeyTest, EveryMaterialBitChangesTheCommitment) {
  const auto material = Material(0x33);
  const KeyCommitment base = MustDerive(material)->commitment();
  std::set<KeyCommitment> seen = {base};
  for (std::size_t i = 0; i < material.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto m = material;
      m[i] ^= static_cast<std::uint8_t>(1u << bit);
      seen.insert(MustDerive(m)->commitment());
    }
  }
  EXPECT_EQ(seen.size(), 1u + 256u);
}

TEST(CommittedKeyTest, Matches) {
  const auto key = MustDerive(Material(1));
  const KeyCommitment own = key->commitment();
  EXPECT_TRUE(key->Matches(own));
  const std::vector<std::uint8_t> copy(own.begin(), own.end());
  EXPECT_TRUE(key->Matches(copy));

  EXPECT_FALSE(key->Matches(MustDerive(Material(2))->commitment()));
  for (std::size_t i = 0; i < own.size(); ++i) {
    auto bad = own;
    bad[i] ^= 0x01;
    EXPECT_FALSE(key->Matches(bad)) << "byte " << i;
  }
  // Wrong lengths, including a prefix and an extension of the right value.
  EXPECT_FALSE(key->Matches({}));
  EXPECT_FALSE(key->Matches(std::span(own).first(31)));
  auto longer = copy;
  longer.push_back(0);
  EXPECT_FALSE(key->Matches(longer));
  EXPECT_FALSE(key->Matches(std::array<std::uint8_t, 32>{}));
}

TEST(CommittedKeyTest, EncryptionKeyIsNotTheRawMaterial) {
  const auto material = Material(0x42);
  const auto key = MustDerive(material);
  auto raw = Aes256Gcm::Create(Secret(material));
  ASSERT_TRUE(raw.ok());

  std::vector<std::uint8_t> sealed;
  ASSERT_TRUE(key->aead().Seal(Bytes("payload"), Bytes("aad"), &sealed).ok());
  EXPECT_TRUE(key->aead().Open(sealed, Bytes("aad")).ok());
  auto wrong = (*raw)->Open(sealed, Bytes("aad"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidCiphertext);

  // Nor the other way round.
  std::vector<std::uint8_t> by_raw;
  ASSERT_TRUE((*raw)->Seal(Bytes("payload"), Bytes("aad"), &by_raw).ok());
  EXPECT_FALSE(key->aead().Open(by_raw, Bytes("aad")).ok());
}

TEST(CommittedKeyTest, EncryptionKeyIsNotTheCommitment) {
  const auto key = MustDerive(Material(0x42));
  auto from_commitment = Aes256Gcm::Create(Secret(key->commitment()));
  ASSERT_TRUE(from_commitment.ok());
  std::vector<std::uint8_t> sealed;
  ASSERT_TRUE(key->aead().Seal(Bytes("payload"), {}, &sealed).ok());
  EXPECT_FALSE((*from_commitment)->Open(sealed, {}).ok());
}

TEST(CommittedKeyTest, DeriveDoesNotKeepTheCallersBuffer) {
  std::unique_ptr<CommittedKey> key;
  std::vector<std::uint8_t> sealed;
  {
    SecretBytes material = Secret(Material(9));
    key = std::move(CommittedKey::Derive(material)).value();
    material.RevealMutable(SecretAccess::Get())[0] ^= 1;
  }
  ASSERT_TRUE(key->aead().Seal(Bytes("x"), {}, &sealed).ok());
  EXPECT_TRUE(MustDerive(Material(9))->aead().Open(sealed, {}).ok());
  EXPECT_EQ(key->commitment(), MustDerive(Material(9))->commitment());
}

}  // namespace
}  // namespace keyhold::crypto
