// Tests for crypto/hkdf.h: RFC 5869 appendix A test cases 1-3 (SHA-256) as
// literals, the output-size bounds (0 and 255*32+1 refused, 1 and 255*32
// accepted), the empty-salt rule, and that info, salt and ikm each change the
// output. (The Wycheproof HKDF vectors run in wycheproof_test.cc.)
#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::string Derive(const std::vector<std::uint8_t>& ikm, const std::vector<std::uint8_t>& salt,
                   const std::vector<std::uint8_t>& info, std::size_t size) {
  auto out = HkdfSha256(ikm, salt, info, size);
  EXPECT_TRUE(out.ok()) << out.error().message;
  if (!out.ok()) {
    return "";
  }
  EXPECT_EQ(out->size(), size);
  return ToHex(out->Reveal(SecretAccess::Get()));
}

std::vector<std::uint8_t> Range(int from, int to) {
  std::vector<std::uint8_t> v;
  for (int i = from; i < to; ++i) {
    v.push_back(static_cast<std::uint8_t>(i));
  }
  return v;
}

// RFC 5869 A.1: basic test case with SHA-256.
TEST(HkdfSha256Test, Rfc5869Case1) {
  const auto ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto salt = FromHex("000102030405060708090a0b0c");
  const auto info = FromHex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(Derive(ikm, salt, info, 42),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 A.2: longer inputs and outputs.
TEST(HkdfSha256Test, Rfc5869Case2) {
  const auto ikm = FromHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
      "404142434445464748494a4b4c4d4e4f");
  const auto salt = FromHex(
      "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
      "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  const auto info = FromHex(
      "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
      "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
      "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  ASSERT_EQ(ikm, Range(0x00, 0x50));
  ASSERT_EQ(salt, Range(0x60, 0xb0));
  ASSERT_EQ(info, Range(0xb0, 0x100));
  EXPECT_EQ(Derive(ikm, salt, info, 82),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

// RFC 5869 A.3: zero-length salt and info.
TEST(HkdfSha256Test, Rfc5869Case3) {
  const auto ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  EXPECT_EQ(Derive(ikm, {}, {}, 42),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

// RFC 5869 2.2: an absent salt is HashLen zero bytes.
TEST(HkdfSha256Test, EmptySaltEqualsThirtyTwoZeroBytes) {
  const auto ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  EXPECT_EQ(Derive(ikm, std::vector<std::uint8_t>(32, 0), {}, 42), Derive(ikm, {}, {}, 42));
  // A non-zero salt of the same length is a different salt.
  std::vector<std::uint8_t> one(32, 0);
  one[31] = 1;
  EXPECT_NE(Derive(ikm, one, {}, 42), Derive(ikm, {}, {}, 42));
}

TEST(HkdfSha256Test, SizeZeroRefused) {
  const auto ikm = FromHex("0b0b0b0b");
  auto out = HkdfSha256(ikm, {}, {}, 0);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kCryptoFailure);
}

TEST(HkdfSha256Test, SizeAboveLimitRefused) {
  const auto ikm = FromHex("0b0b0b0b");
  EXPECT_EQ(kHkdfMaxOutput, 8160u);
  for (std::size_t size : {kHkdfMaxOutput + 1, kHkdfMaxOutput + 32, std::size_t{1} << 20}) {
    auto out = HkdfSha256(ikm, {}, {}, size);
    ASSERT_FALSE(out.ok()) << size;
    EXPECT_EQ(out.error().code, ErrorCode::kCryptoFailure) << size;
  }
}

TEST(HkdfSha256Test, SizeAtLimitAndOneAccepted) {
  const auto ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto salt = FromHex("000102030405060708090a0b0c");
  const auto info = FromHex("f0f1f2f3f4f5f6f7f8f9");
  const std::string full = Derive(ikm, salt, info, kHkdfMaxOutput);
  ASSERT_EQ(full.size(), 2 * kHkdfMaxOutput);
  // HKDF output is a prefix-stable stream: the first 42 bytes are case 1.
  EXPECT_EQ(full.substr(0, 84),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  EXPECT_EQ(Derive(ikm, salt, info, 1), "3c");
  // The last block T(255) is not all zeros (the counter did not wrap).
  EXPECT_NE(full.substr(full.size() - 64), std::string(64, '0'));
}

TEST(HkdfSha256Test, DifferentInfoGivesDifferentOutput) {
  const auto ikm = std::vector<std::uint8_t>(32, 0x42);
  const std::string a = Derive(ikm, {}, Bytes("keyhold/v1/key-version/encrypt"), 32);
  const std::string b = Derive(ikm, {}, Bytes("keyhold/v1/key-version/commit"), 32);
  const std::string c = Derive(ikm, {}, {}, 32);
  const std::string d = Derive(ikm, {}, std::vector<std::uint8_t>{0}, 32);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(b, c);
  // Empty info and one zero byte of info are different inputs.
  EXPECT_NE(c, d);
}

TEST(HkdfSha256Test, DifferentSaltOrIkmGivesDifferentOutput) {
  const auto ikm = std::vector<std::uint8_t>(32, 0x42);
  auto ikm2 = ikm;
  ikm2[31] ^= 1;
  const auto info = Bytes("info");
  const std::string base = Derive(ikm, Bytes("salt"), info, 32);
  EXPECT_NE(base, Derive(ikm, Bytes("salu"), info, 32));
  EXPECT_NE(base, Derive(ikm2, Bytes("salt"), info, 32));
  EXPECT_EQ(base, Derive(ikm, Bytes("salt"), info, 32));
}

TEST(HkdfSha256Test, AsBytesViewsTheString) {
  const auto view = AsBytes("ab\x01");
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[0], 'a');
  EXPECT_EQ(view[1], 'b');
  EXPECT_EQ(view[2], 1);
  EXPECT_TRUE(AsBytes("").empty());
}

}  // namespace
}  // namespace keyhold::crypto
