// Tests for kms/seal_config.h: the encoding of each method spelled out in
// hex (docs/formats.md "Seal configuration"), round trips with extreme
// values, EncodeBound as the record minus the wrapped root, RootKeyAad's
// exact bytes and that it covers every bound field, and strict parsing:
// truncation at every length, trailing bytes, unknown format and method
// bytes, threshold 0, fewer shares than the threshold, and a wrapped-root
// length that overruns the record. Every refusal is kStoreCorrupt.
#include "kms/seal_config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

crypto::Sha256Digest Digest(std::uint8_t fill) {
  crypto::Sha256Digest d;
  d.fill(fill);
  return d;
}

std::vector<std::uint8_t> Wrapped(std::size_t n, std::uint8_t seed = 0x30) {
  std::vector<std::uint8_t> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = static_cast<std::uint8_t>(seed + i);
  }
  return w;
}

SealConfig ShamirConfig(std::uint8_t m, std::uint8_t n, std::size_t wrapped = 60) {
  SealConfig c;
  c.method = SealMethod::kShamir;
  c.threshold = m;
  c.set_id = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
  for (unsigned i = 1; i <= n; ++i) {
    c.shares.push_back({static_cast<std::uint8_t>(i), Digest(static_cast<std::uint8_t>(i))});
  }
  c.wrapped_root = Wrapped(wrapped);
  return c;
}

SealConfig PassphraseConfig(std::uint64_t ops, std::uint64_t mem, std::size_t wrapped = 60) {
  SealConfig c;
  c.method = SealMethod::kPassphrase;
  c.argon2id.ops_limit = ops;
  c.argon2id.mem_limit = mem;
  for (std::size_t i = 0; i < c.argon2id.salt.size(); ++i) {
    c.argon2id.salt[i] = static_cast<std::uint8_t>(0xf0 + i);
  }
  c.wrapped_root = Wrapped(wrapped);
  return c;
}

SealConfig KeyFileConfig(std::size_t wrapped = 60) {
  SealConfig c;
  c.method = SealMethod::kKeyFile;
  c.wrapped_root = Wrapped(wrapped);
  return c;
}

void ExpectSame(const SealConfig& a, const SealConfig& b) {
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.set_id, b.set_id);
  ASSERT_EQ(a.shares.size(), b.shares.size());
  for (std::size_t i = 0; i < a.shares.size(); ++i) {
    EXPECT_EQ(a.shares[i].index, b.shares[i].index) << i;
    EXPECT_EQ(a.shares[i].commitment, b.shares[i].commitment) << i;
  }
  EXPECT_EQ(a.argon2id.ops_limit, b.argon2id.ops_limit);
  EXPECT_EQ(a.argon2id.mem_limit, b.argon2id.mem_limit);
  EXPECT_EQ(a.argon2id.salt, b.argon2id.salt);
  EXPECT_EQ(a.wrapped_root, b.wrapped_root);
}

void ExpectRoundTrip(const SealConfig& c) {
  const auto bytes = c.Encode();
  auto parsed = SealConfig::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << " for " << ToHex(bytes);
  ExpectSame(*parsed, c);
  EXPECT_EQ(parsed->Encode(), bytes);
}

void ExpectMalformed(std::span<const std::uint8_t> bytes, const std::string& what) {
  auto parsed = SealConfig::Parse(bytes);
  ASSERT_FALSE(parsed.ok()) << what << ": parsed " << ToHex(bytes);
  EXPECT_EQ(parsed.error().code, ErrorCode::kStoreCorrupt) << what;
}

TEST(SealConfigTest, MethodNames) {
  EXPECT_EQ(SealMethodName(SealMethod::kShamir), "shamir");
  EXPECT_EQ(SealMethodName(SealMethod::kPassphrase), "passphrase");
  EXPECT_EQ(SealMethodName(SealMethod::kKeyFile), "key_file");
  EXPECT_EQ(static_cast<int>(SealMethod::kShamir), 1);
  EXPECT_EQ(static_cast<int>(SealMethod::kPassphrase), 2);
  EXPECT_EQ(static_cast<int>(SealMethod::kKeyFile), 3);
}

TEST(SealConfigTest, ShamirEncoding) {
  const SealConfig c = ShamirConfig(2, 3, 4);
  const std::string commitments =
      "01" + ToHex(Digest(1)) + "02" + ToHex(Digest(2)) + "03" + ToHex(Digest(3));
  const std::string bound =
      "0101"
      "02"
      "a1a2a3a4a5a6a7a8"
      "03" +
      commitments;
  EXPECT_EQ(ToHex(c.EncodeBound()), bound);
  EXPECT_EQ(ToHex(c.Encode()), bound +
                                   "0004"
                                   "30313233");
}

TEST(SealConfigTest, PassphraseEncoding) {
  const SealConfig c = PassphraseConfig(3, 268435456, 2);
  const std::string bound =
      "0102"
      "0000000000000003"
      "0000000010000000"
      "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
  EXPECT_EQ(ToHex(c.EncodeBound()), bound);
  EXPECT_EQ(ToHex(c.Encode()), bound +
                                   "0002"
                                   "3031");
}

TEST(SealConfigTest, KeyFileEncoding) {
  EXPECT_EQ(ToHex(KeyFileConfig(0).EncodeBound()), "0103");
  EXPECT_EQ(ToHex(KeyFileConfig(0).Encode()),
            "0103"
            "0000");
  EXPECT_EQ(ToHex(KeyFileConfig(3).Encode()),
            "0103"
            "0003"
            "303132");
}

TEST(SealConfigTest, FieldsOfOtherMethodsAreNotEncoded) {
  SealConfig c = KeyFileConfig();
  c.threshold = 5;
  c.set_id.fill(9);
  c.shares.push_back({1, Digest(1)});
  c.argon2id.ops_limit = 77;
  EXPECT_EQ(ToHex(c.EncodeBound()), "0103");
  SealConfig p = PassphraseConfig(1, 2);
  p.threshold = 5;
  p.shares.push_back({1, Digest(1)});
  EXPECT_EQ(p.EncodeBound(), PassphraseConfig(1, 2).EncodeBound());
  SealConfig s = ShamirConfig(1, 1);
  s.argon2id.ops_limit = 3;
  EXPECT_EQ(s.EncodeBound(), ShamirConfig(1, 1).EncodeBound());
}

TEST(SealConfigTest, RoundTripShamirExtremes) {
  ExpectRoundTrip(ShamirConfig(1, 1));
  ExpectRoundTrip(ShamirConfig(1, 255));
  ExpectRoundTrip(ShamirConfig(255, 255));
  SealConfig c = ShamirConfig(3, 5);
  c.set_id.fill(0xff);
  c.shares[0].index = 255;
  c.shares[1].commitment = Digest(0);
  c.shares[2].commitment = Digest(0xff);
  ExpectRoundTrip(c);
  c.set_id.fill(0);
  ExpectRoundTrip(c);
}

TEST(SealConfigTest, RoundTripPassphraseExtremes) {
  ExpectRoundTrip(PassphraseConfig(0, 0));
  ExpectRoundTrip(PassphraseConfig(UINT64_MAX, UINT64_MAX));
  ExpectRoundTrip(PassphraseConfig(0x0102030405060708, 0x8000000000000000));
  SealConfig c = PassphraseConfig(3, 1);
  c.argon2id.salt.fill(0);
  ExpectRoundTrip(c);
}

TEST(SealConfigTest, RoundTripKeyFile) {
  ExpectRoundTrip(KeyFileConfig(60));
}

// The wrapped root is always nonce (12) + root key (32) + tag (16).
TEST(SealConfigTest, ParseRefusesAWrappedRootOfAnyOtherSize) {
  for (std::size_t size : {0, 1, 59, 61, 128}) {
    ExpectMalformed(KeyFileConfig(size).Encode(), "wrapped root of " + std::to_string(size));
    ExpectMalformed(ShamirConfig(2, 3, size).Encode(),
                    "shamir, wrapped root " + std::to_string(size));
  }
}

// Share indices are x-coordinates: zero would be the secret itself, and a
// repeated index could not have come from one split.
TEST(SealConfigTest, ParseRefusesZeroOrRepeatedShareIndices) {
  SealConfig zero = ShamirConfig(2, 3);
  zero.shares[1].index = 0;
  ExpectMalformed(zero.Encode(), "index 0");
  SealConfig repeated = ShamirConfig(2, 3);
  repeated.shares[2].index = repeated.shares[0].index;
  ExpectMalformed(repeated.Encode(), "repeated index");
}

TEST(SealConfigTest, EncodeBoundIsTheRecordWithoutTheWrappedRoot) {
  for (const SealConfig& c : {ShamirConfig(2, 3), PassphraseConfig(3, 4), KeyFileConfig()}) {
    const auto bound = c.EncodeBound();
    const auto all = c.Encode();
    ASSERT_EQ(all.size(), bound.size() + 2 + c.wrapped_root.size());
    EXPECT_EQ(std::vector<std::uint8_t>(all.begin(), all.begin() + static_cast<long>(bound.size())),
              bound);
    SealConfig other = c;
    other.wrapped_root = Wrapped(60, 0x99);
    EXPECT_EQ(other.EncodeBound(), bound);
    EXPECT_NE(other.Encode(), all);
  }
}

TEST(SealConfigTest, RootKeyAadLayout) {
  const auto store_id = FromHex("00112233445566778899aabbccddeeff");
  const SealConfig c = KeyFileConfig(60);
  EXPECT_EQ(ToHex(RootKeyAad(store_id, c)),
            ToHex(Bytes("keyhold-root-v1")) + ToHex(store_id) + "0103");
  const SealConfig p = PassphraseConfig(3, 268435456);
  std::vector<std::uint8_t> want = Bytes("keyhold-root-v1");
  want.insert(want.end(), store_id.begin(), store_id.end());
  const auto bound = p.EncodeBound();
  want.insert(want.end(), bound.begin(), bound.end());
  EXPECT_EQ(RootKeyAad(store_id, p), want);
  // The wrapped root itself is not part of its own associated data.
  SealConfig q = p;
  q.wrapped_root.clear();
  EXPECT_EQ(RootKeyAad(store_id, q), want);
}

TEST(SealConfigTest, RootKeyAadCoversEveryBoundField) {
  const auto store_id = FromHex("00112233445566778899aabbccddeeff");
  {
    const SealConfig base = ShamirConfig(2, 3);
    const auto aad = RootKeyAad(store_id, base);
    auto other_store = store_id;
    other_store[15] ^= 1;
    EXPECT_NE(RootKeyAad(other_store, base), aad);
    SealConfig c = base;
    c.threshold = 3;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.set_id[7] ^= 1;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.shares.pop_back();
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.shares[1].index = 9;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.shares[2].commitment[31] ^= 1;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.method = SealMethod::kKeyFile;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
  }
  {
    const SealConfig base = PassphraseConfig(3, 268435456);
    const auto aad = RootKeyAad(store_id, base);
    SealConfig c = base;
    c.argon2id.ops_limit = 2;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.argon2id.mem_limit = 67108864;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
    c = base;
    c.argon2id.salt[0] ^= 1;
    EXPECT_NE(RootKeyAad(store_id, c), aad);
  }
}

TEST(SealConfigTest, ParseRefusesTruncationAtEveryLength) {
  for (const SealConfig& c : {ShamirConfig(2, 3), ShamirConfig(1, 1), PassphraseConfig(3, 4),
                              PassphraseConfig(1, 1), KeyFileConfig()}) {
    const auto bytes = c.Encode();
    ASSERT_TRUE(SealConfig::Parse(bytes).ok());
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      ExpectMalformed(std::span(bytes).first(len),
                      std::string(SealMethodName(c.method)) + " length " + std::to_string(len));
    }
  }
}

TEST(SealConfigTest, ParseRefusesTrailingBytes) {
  for (const SealConfig& c : {ShamirConfig(2, 3), PassphraseConfig(3, 4), KeyFileConfig()}) {
    for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
      auto bytes = c.Encode();
      bytes.push_back(extra);
      ExpectMalformed(bytes, std::string(SealMethodName(c.method)) + " trailing byte");
    }
  }
}

TEST(SealConfigTest, ParseRefusesUnknownFormat) {
  for (int format : {0, 2, 0xff}) {
    auto bytes = KeyFileConfig().Encode();
    bytes[0] = static_cast<std::uint8_t>(format);
    ExpectMalformed(bytes, "format " + std::to_string(format));
  }
}

TEST(SealConfigTest, ParseRefusesUnknownMethod) {
  for (int method : {0, 4, 0x80, 0xff}) {
    // With nothing after the method but the wrapped root, as for a key file.
    auto bytes = KeyFileConfig().Encode();
    bytes[1] = static_cast<std::uint8_t>(method);
    ExpectMalformed(bytes, "method " + std::to_string(method));
  }
}

TEST(SealConfigTest, ParseRefusesThresholdZero) {
  auto bytes = ShamirConfig(1, 1).Encode();
  ASSERT_EQ(bytes[2], 1);
  bytes[2] = 0;
  ExpectMalformed(bytes, "threshold 0");
  // Also with no shares at all.
  ExpectMalformed(FromHex("0101"
                          "00"
                          "a1a2a3a4a5a6a7a8"
                          "00"
                          "0000"),
                  "0 of 0");
}

TEST(SealConfigTest, ParseRefusesFewerSharesThanThreshold) {
  // Threshold 3 with only two share entries (otherwise well-formed).
  SealConfig c = ShamirConfig(2, 2);
  c.threshold = 3;
  ExpectMalformed(c.Encode(), "3 of 2");
  c.threshold = 255;
  ExpectMalformed(c.Encode(), "255 of 2");
  c.threshold = 2;
  ExpectRoundTrip(c);
}

TEST(SealConfigTest, ParseRefusesShareCountMismatch) {
  // The count byte says 3 but only 2 entries follow.
  auto bytes = ShamirConfig(2, 2).EncodeBound();
  bytes[11] = 3;
  bytes.push_back(0);
  bytes.push_back(0);
  ExpectMalformed(bytes, "count 3, 2 entries");
}

TEST(SealConfigTest, ParseRefusesWrappedLengthOverrun) {
  for (std::uint16_t claimed : {61, 0x100, 0xffff}) {
    auto bytes = KeyFileConfig(60).Encode();
    bytes[2] = static_cast<std::uint8_t>(claimed >> 8);
    bytes[3] = static_cast<std::uint8_t>(claimed);
    ExpectMalformed(bytes, "claimed " + std::to_string(claimed));
  }
  // A length shorter than the bytes present leaves trailing bytes.
  auto bytes = KeyFileConfig(60).Encode();
  bytes[3] = 59;
  ExpectMalformed(bytes, "claimed 59");
}

TEST(SealConfigTest, ParseRefusesEmpty) {
  ExpectMalformed({}, "empty");
  ExpectMalformed(FromHex("01"), "format only");
  ExpectMalformed(FromHex("0103"), "no wrapped length");
}

}  // namespace
}  // namespace keyhold::kms
