// Tests for crypto/xks_cipher.h: the AAD framing is the spec's, byte for
// byte; a ciphertext made by OpenSSL directly under that framing opens; a
// round trip works for empty and 4,300-byte plaintexts and 8,192-byte AAD;
// every tamper (IV, ciphertext, tag, AAD, metadata, AAD moved into the
// metadata) is the one kInvalidCiphertext; the integrity value matches the
// spec's Appendix C vector.
#include "crypto/xks_cipher.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string_view>
#include <vector>

#include "crypto/base64.h"
#include "crypto/random.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::vector<std::uint8_t> B64(std::string_view text) {
  auto bytes = Base64Decode(text, 1024);
  EXPECT_TRUE(bytes.ok()) << text;
  return bytes.ok() ? *bytes : std::vector<std::uint8_t>{};
}

std::unique_ptr<Aes256Gcm> KeyOf(const std::vector<std::uint8_t>& raw) {
  return Aes256Gcm::Create(SecretBytes::CopyFrom(raw).value()).value();
}

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

TEST(XksCipherTest, FramingIsTheSpecs) {
  const auto framed = XksFrameAad(Bytes("ab"), Bytes("xyz")).value();
  EXPECT_EQ(ToHex(framed), "0002" + ToHex(Bytes("ab")) + "03" + ToHex(Bytes("xyz")));
  EXPECT_EQ(ToHex(XksFrameAad({}, {}).value()), "000000");
  const std::vector<std::uint8_t> big(0x1234, 7);
  EXPECT_EQ(ToHex(XksFrameAad(big, {}).value()).substr(0, 4), "1234");
}

TEST(XksCipherTest, BoundsAreRefused) {
  const std::vector<std::uint8_t> meta21(21, 1);
  EXPECT_EQ(XksFrameAad({}, meta21).error().code, ErrorCode::kInvalidRequest);
  const std::vector<std::uint8_t> aad(kXksMaxAad + 1, 1);
  EXPECT_EQ(XksFrameAad(aad, {}).error().code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(
      XksFrameAad(std::vector<std::uint8_t>(kXksMaxAad, 1), std::span(meta21).first(20)).ok());
}

// A ciphertext sealed with OpenSSL's EVP interface directly, under the AAD
// framing written out from the spec, opens: XksOpen frames as the spec does.
TEST(XksCipherTest, OpensWhatOpensslSealsUnderTheSpecFraming) {
  const auto raw_key = FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const auto iv = FromHex("cafebabefacedbaddecaf888");
  const auto plaintext = Bytes("Hello World!");
  const auto aad = Bytes("project=nile,department=marketing");
  const auto meta = Bytes("key_version=1");
  std::vector<std::uint8_t> framed = {0x00, static_cast<std::uint8_t>(aad.size())};
  framed.insert(framed.end(), aad.begin(), aad.end());
  framed.push_back(static_cast<std::uint8_t>(meta.size()));
  framed.insert(framed.end(), meta.begin(), meta.end());

  std::vector<std::uint8_t> ciphertext(plaintext.size());
  std::vector<std::uint8_t> tag(16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  ASSERT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, raw_key.data(), iv.data()), 1);
  ASSERT_EQ(EVP_EncryptUpdate(ctx, nullptr, &len, framed.data(), static_cast<int>(framed.size())),
            1);
  ASSERT_EQ(EVP_EncryptUpdate(ctx, ciphertext.data(), &len, plaintext.data(),
                              static_cast<int>(plaintext.size())),
            1);
  ASSERT_EQ(EVP_EncryptFinal_ex(ctx, ciphertext.data() + len, &len), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data()), 1);
  EVP_CIPHER_CTX_free(ctx);

  const auto key = KeyOf(raw_key);
  auto opened = XksOpen(*key, iv, ciphertext, tag, aad, meta);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(Reveal(*opened), plaintext);
  // Unframed AAD (Cosmian's choice) is another message.
  EXPECT_FALSE(XksOpen(*key, iv, ciphertext, tag, framed, {}).ok());
}

TEST(XksCipherTest, RoundTripsAtTheSpecsSizes) {
  const auto key = KeyOf(RandomBytes(32).value());
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4300}}) {
    const auto plaintext = RandomBytes(size).value();
    const std::vector<std::uint8_t> aad(8192, 0x5a);
    const auto meta = FromHex("0100000007");
    auto sealed = XksSeal(*key, plaintext, aad, meta);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->ciphertext.size(), size);
    auto opened = XksOpen(*key, sealed->iv, sealed->ciphertext, sealed->tag, aad, meta);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(Reveal(*opened), plaintext);
  }
}

TEST(XksCipherTest, FreshIvEachTime) {
  const auto key = KeyOf(RandomBytes(32).value());
  const auto a = XksSeal(*key, Bytes("same"), {}, {}).value();
  const auto b = XksSeal(*key, Bytes("same"), {}, {}).value();
  EXPECT_NE(ToHex(a.iv), ToHex(b.iv));
  EXPECT_NE(ToHex(a.ciphertext), ToHex(b.ciphertext));
}

TEST(XksCipherTest, EveryTamperIsTheSameError) {
  const auto key = KeyOf(RandomBytes(32).value());
  const auto other = KeyOf(RandomBytes(32).value());
  const auto aad = Bytes("aad");
  const auto meta = Bytes("m1");
  const auto s = XksSeal(*key, Bytes("attack at dawn"), aad, meta).value();
  const auto flip = [](std::vector<std::uint8_t> v, std::size_t i) {
    v[i] ^= 1;
    return v;
  };
  const std::vector<std::uint8_t> iv(s.iv.begin(), s.iv.end());
  const std::vector<std::uint8_t> tag(s.tag.begin(), s.tag.end());
  std::vector<std::uint8_t> iv16 = iv;
  iv16.resize(16);
  struct Case {
    const char* name;
    Result<SecretBytes> result;
  };
  Case cases[] = {
      {"iv", XksOpen(*key, flip(iv, 0), s.ciphertext, tag, aad, meta)},
      {"16-byte iv", XksOpen(*key, iv16, s.ciphertext, tag, aad, meta)},
      {"ciphertext", XksOpen(*key, iv, flip(s.ciphertext, 3), tag, aad, meta)},
      {"tag", XksOpen(*key, iv, s.ciphertext, flip(tag, 15), aad, meta)},
      {"short tag", XksOpen(*key, iv, s.ciphertext, std::span(tag).first(12), aad, meta)},
      {"aad", XksOpen(*key, iv, s.ciphertext, tag, Bytes("aae"), meta)},
      {"no aad", XksOpen(*key, iv, s.ciphertext, tag, {}, meta)},
      {"metadata", XksOpen(*key, iv, s.ciphertext, tag, aad, Bytes("m2"))},
      {"no metadata", XksOpen(*key, iv, s.ciphertext, tag, aad, {})},
      {"metadata too long",
       XksOpen(*key, iv, s.ciphertext, tag, aad, std::vector<std::uint8_t>(21))},
      {"other key", XksOpen(*other, iv, s.ciphertext, tag, aad, meta)},
  };
  for (const Case& c : cases) {
    ASSERT_FALSE(c.result.ok()) << c.name;
    EXPECT_EQ(c.result.error().code, ErrorCode::kInvalidCiphertext) << c.name;
  }
}

// Sealed without AAD but with metadata, opened with that metadata passed as
// the AAD and no metadata: the framing tells the two apart.
TEST(XksCipherTest, MetadataPassedAsAadDoesNotOpen) {
  const auto key = KeyOf(RandomBytes(32).value());
  const auto meta = Bytes("key_version=1");
  const auto s = XksSeal(*key, Bytes("secret"), {}, meta).value();
  EXPECT_FALSE(XksOpen(*key, s.iv, s.ciphertext, s.tag, meta, {}).ok());
}

// The spec's Appendix C golden vector.
TEST(XksCipherTest, IntegrityValueMatchesAppendixC) {
  const auto digest = XksIntegrityValue(B64("cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n"),
                                        B64("a2V5X3ZlcnNpb249MQ=="), B64("HMrlRw85cAJUd5Ax"),
                                        B64("ghxkK1txeDNn3q8Y"), B64("vBxN2ncH1oEkR8WVXpmyYQ=="));
  EXPECT_EQ(ToHex(digest), "a8703f2260bd8791ec2d15ea0b23e65a0631eedcf2a13a65cc82db3f47cf5ec7");
  EXPECT_EQ(Base64Encode(digest), "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=");
}

}  // namespace
}  // namespace keyhold::crypto
