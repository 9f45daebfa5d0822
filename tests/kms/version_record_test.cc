// Tests for kms/version_record.h: the version and usage record bodies
// spelled out in hex (docs/formats.md "Record bodies"), round trips with
// extreme versions, counts and times, material of the wrong size refused by
// EncodeVersionRecord, and strict parsing of both records: truncation at
// every length, trailing bytes, unknown format bytes and version 0, each
// refused with kStoreCorrupt.
#include "kms/version_record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::vector<std::uint8_t> Seq(std::size_t n, std::uint8_t start) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(start + i);
  }
  return v;
}

VersionRecord Record(std::uint32_t version, std::uint8_t commit_start = 0x20,
                     std::uint8_t material_start = 0x80) {
  VersionRecord r;
  r.version = version;
  const auto c = Seq(32, commit_start);
  std::copy(c.begin(), c.end(), r.commitment.begin());
  r.material = SecretBytes::CopyFrom(Seq(32, material_start)).value();
  return r;
}

std::vector<std::uint8_t> Encode(const VersionRecord& r) {
  auto body = EncodeVersionRecord(r);
  EXPECT_TRUE(body.ok()) << body.error().message;
  return Reveal(*body);
}

void ExpectVersionCorrupt(std::span<const std::uint8_t> body, const std::string& what) {
  auto parsed = ParseVersionRecord(body);
  ASSERT_FALSE(parsed.ok()) << what << ": parsed";
  EXPECT_EQ(parsed.error().code, ErrorCode::kStoreCorrupt) << what;
}

void ExpectUsageCorrupt(std::span<const std::uint8_t> body, const std::string& what) {
  auto parsed = ParseUsageRecord(body);
  ASSERT_FALSE(parsed.ok()) << what << ": parsed";
  EXPECT_EQ(parsed.error().code, ErrorCode::kStoreCorrupt) << what;
}

// --- Version record ---------------------------------------------------------

TEST(VersionRecordTest, Encoding) {
  const auto body = Encode(Record(0x01020304));
  EXPECT_EQ(ToHex(body),
            "01"
            "01020304" +
                ToHex(Seq(32, 0x20)) + ToHex(Seq(32, 0x80)));
  EXPECT_EQ(body.size(), 1u + 4 + 32 + 32);
}

TEST(VersionRecordTest, RoundTripExtremes) {
  for (std::uint32_t version : {1u, 2u, 0x80000000u, std::numeric_limits<std::uint32_t>::max()}) {
    for (std::uint8_t fill : {0x00, 0xff}) {
      VersionRecord r = Record(version);
      r.commitment.fill(fill);
      r.material = SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill)).value();
      const auto body = Encode(r);
      auto parsed = ParseVersionRecord(body);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      EXPECT_EQ(parsed->version, version);
      EXPECT_EQ(parsed->commitment, r.commitment);
      EXPECT_EQ(Reveal(parsed->material), std::vector<std::uint8_t>(32, fill));
      EXPECT_EQ(Encode(*parsed), body);
    }
  }
  const VersionRecord r = Record(7);
  auto parsed = ParseVersionRecord(Encode(r));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->commitment, r.commitment);
  EXPECT_EQ(Reveal(parsed->material), Seq(32, 0x80));
}

TEST(VersionRecordTest, EncodeRefusesMaterialOfOtherSizes) {
  for (std::size_t size : {0, 1, 16, 31, 33, 64}) {
    VersionRecord r = Record(1);
    r.material = SecretBytes::CopyFrom(std::vector<std::uint8_t>(size, 1)).value();
    auto body = EncodeVersionRecord(r);
    ASSERT_FALSE(body.ok()) << "size " << size;
    EXPECT_EQ(body.error().code, ErrorCode::kInternal) << "size " << size;
  }
}

TEST(VersionRecordTest, ParseRefusesTruncationAtEveryLength) {
  const auto body = Encode(Record(5));
  for (std::size_t len = 0; len < body.size(); ++len) {
    ExpectVersionCorrupt(std::span(body).first(len), "length " + std::to_string(len));
  }
}

TEST(VersionRecordTest, ParseRefusesTrailingBytes) {
  for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
    auto body = Encode(Record(5));
    body.push_back(extra);
    ExpectVersionCorrupt(body, "trailing " + std::to_string(extra));
  }
  // 33 bytes of material (the encoder would never write it).
  auto body = Encode(Record(5));
  body.push_back(body.back());
  ExpectVersionCorrupt(body, "33-byte material");
}

TEST(VersionRecordTest, ParseRefusesUnknownFormat) {
  for (int format : {0, 2, 0xff}) {
    auto body = Encode(Record(5));
    body[0] = static_cast<std::uint8_t>(format);
    ExpectVersionCorrupt(body, "format " + std::to_string(format));
  }
}

TEST(VersionRecordTest, ParseRefusesVersionZero) {
  auto body = Encode(Record(5));
  body[4] = 0;
  ExpectVersionCorrupt(body, "version 0");
  ExpectVersionCorrupt(FromHex("0100000000" + ToHex(Seq(64, 0))), "version 0 by hand");
}

TEST(VersionRecordTest, ParseRefusesEmpty) {
  ExpectVersionCorrupt({}, "empty");
}

// --- Usage record -----------------------------------------------------------

TEST(UsageRecordTest, Encoding) {
  UsageRecord r;
  r.reserved_encryptions = 0x0102030405060708;
  r.created_at = -2;
  r.material_expires_at = 0x1020304050607080;
  EXPECT_EQ(ToHex(EncodeUsageRecord(r)),
            "02"
            "0102030405060708"
            "fffffffffffffffe"
            "1020304050607080");
  EXPECT_EQ(ToHex(EncodeUsageRecord(UsageRecord{})),
            "02"
            "0000000000000000"
            "0000000000000000"
            "0000000000000000");
}

TEST(UsageRecordTest, FormatOneRecordsHaveNoExpiry) {
  // Written before BYOK: format 1, no expiry field.
  auto body = EncodeUsageRecord(UsageRecord{7, 1700000000, 0});
  body[0] = 1;
  body.resize(17);
  auto parsed = ParseUsageRecord(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->reserved_encryptions, 7u);
  EXPECT_EQ(parsed->created_at, 1700000000);
  EXPECT_EQ(parsed->material_expires_at, 0);
}

TEST(UsageRecordTest, ParseRefusesANegativeExpiry) {
  auto body = EncodeUsageRecord(UsageRecord{1, 2, 3});
  body[17] = 0x80;
  ExpectUsageCorrupt(body, "expiry with the top bit set");
}

TEST(UsageRecordTest, RoundTripExtremes) {
  constexpr auto kMaxU64 = std::numeric_limits<std::uint64_t>::max();
  constexpr auto kMin64 = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax64 = std::numeric_limits<std::int64_t>::max();
  for (std::uint64_t reserved :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 32, kMaxU64}) {
    for (std::int64_t created : {kMin64, std::int64_t{-1}, std::int64_t{0}, kMax64}) {
      const UsageRecord r{reserved, created};
      const auto body = EncodeUsageRecord(r);
      ASSERT_EQ(body.size(), 25u);
      auto parsed = ParseUsageRecord(body);
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      EXPECT_EQ(parsed->reserved_encryptions, reserved);
      EXPECT_EQ(parsed->created_at, created);
      EXPECT_EQ(EncodeUsageRecord(*parsed), body);
    }
  }
}

TEST(UsageRecordTest, ParseRefusesTruncationAtEveryLength) {
  const auto body = EncodeUsageRecord(UsageRecord{12345, 1700000000});
  for (std::size_t len = 0; len < body.size(); ++len) {
    ExpectUsageCorrupt(std::span(body).first(len), "length " + std::to_string(len));
  }
}

TEST(UsageRecordTest, ParseRefusesTrailingBytes) {
  for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
    auto body = EncodeUsageRecord(UsageRecord{1, 2});
    body.push_back(extra);
    ExpectUsageCorrupt(body, "trailing " + std::to_string(extra));
  }
}

TEST(UsageRecordTest, ParseRefusesUnknownFormat) {
  for (int format : {0, 3, 0xff}) {
    auto body = EncodeUsageRecord(UsageRecord{1, 2});
    body[0] = static_cast<std::uint8_t>(format);
    ExpectUsageCorrupt(body, "format " + std::to_string(format));
  }
}

TEST(UsageRecordTest, AVersionRecordIsNotAUsageRecord) {
  // The two formats share their format byte; the length tells them apart.
  ExpectUsageCorrupt(Encode(Record(1)), "version body as usage");
  ExpectVersionCorrupt(EncodeUsageRecord(UsageRecord{1, 2}), "usage body as version");
}

}  // namespace
}  // namespace keyhold::kms
