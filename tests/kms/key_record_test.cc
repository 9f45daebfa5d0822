// Tests for kms/key_record.h: the key record body spelled out in hex
// (docs/formats.md "Key record"), round trips of every state and of extreme
// versions and times, strict parsing (truncation at every length, trailing
// bytes, unknown format, state and origin bytes, and the cross-field rules on
// versions), and the exact bytes and sort order of the LMDB keys: one key's
// version keys sort together, in version order, and apart from every other
// key's ("acme/app" versus "acme/app2", "acme/ap", "acme/app.x", ...).
#include "kms/key_record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

constexpr std::size_t kBodySize = 1 + 1 + 1 + 4 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 1;

crypto::KeyId Id(std::string_view text) {
  return crypto::KeyId::Parse(text).value();
}

KeyRecord Valid() {
  KeyRecord r;
  r.state = KeyState::kEnabled;
  r.origin = KeyOrigin::kGenerated;
  r.primary_version = 2;
  r.min_decryption_version = 1;
  r.latest_version = 3;
  r.created_at = 1700000000;
  r.updated_at = 1700000100;
  r.last_rotated_at = 1700000050;
  r.rotation_period_s = 86400;
  r.deletion_at = 0;
  return r;
}

void ExpectRoundTrip(const KeyRecord& r) {
  const auto body = EncodeKeyRecord(r);
  ASSERT_EQ(body.size(), kBodySize);
  auto parsed = ParseKeyRecord(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << " for " << ToHex(body);
  EXPECT_EQ(*parsed, r);
  EXPECT_EQ(EncodeKeyRecord(*parsed), body);
}

void ExpectCorrupt(std::span<const std::uint8_t> body, const std::string& what) {
  auto parsed = ParseKeyRecord(body);
  ASSERT_FALSE(parsed.ok()) << what << ": parsed " << ToHex(body);
  EXPECT_EQ(parsed.error().code, ErrorCode::kStoreCorrupt) << what;
}

void ExpectCorrupt(const KeyRecord& r, const std::string& what) {
  ExpectCorrupt(EncodeKeyRecord(r), what);
}

TEST(KeyRecordTest, Encoding) {
  KeyRecord r;
  r.state = KeyState::kPendingDeletion;
  r.origin = KeyOrigin::kGenerated;
  r.primary_version = 0x01020304;
  r.min_decryption_version = 0x00000102;
  r.latest_version = 0x0a0b0c0d;
  r.created_at = 0x1122334455667788;
  r.updated_at = -1;
  r.last_rotated_at = 0;
  r.rotation_period_s = 0xfedcba9876543210;
  r.deletion_at = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(ToHex(EncodeKeyRecord(r)),
            "02"                // format
            "03"                // state: pending deletion
            "01"                // origin: generated
            "01020304"          // primary version
            "00000102"          // min decryption version
            "0a0b0c0d"          // latest version
            "1122334455667788"  // created
            "ffffffffffffffff"  // updated (-1)
            "0000000000000000"  // last rotated
            "fedcba9876543210"  // rotation period
            "8000000000000000"  // deletion at (INT64_MIN)
            "00");              // not exportable
  ExpectRoundTrip(r);
  r.origin = KeyOrigin::kExternal;
  r.exportable = true;
  const std::string hex = ToHex(EncodeKeyRecord(r));
  EXPECT_EQ(hex.substr(4, 2), "02");            // origin: external
  EXPECT_EQ(hex.substr(hex.size() - 2), "01");  // exportable
  ExpectRoundTrip(r);
}

TEST(KeyRecordTest, FormatOneRecordsReadAsGeneratedAndNotExportable) {
  // A record written before BYOK: format 1, no exportable byte.
  auto body = EncodeKeyRecord(Valid());
  body[0] = 1;
  body.pop_back();
  auto parsed = ParseKeyRecord(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->exportable);
  EXPECT_EQ(parsed->origin, KeyOrigin::kGenerated);
  // Format 1 never held an external key, nor the exportable byte.
  auto external = body;
  external[2] = static_cast<std::uint8_t>(KeyOrigin::kExternal);
  ExpectCorrupt(external, "format 1, external origin");
  auto with_flag = body;
  with_flag.push_back(0);
  ExpectCorrupt(with_flag, "format 1 with an exportable byte");
}

TEST(KeyRecordTest, ParseRefusesAnExportableByteOtherThanZeroOrOne) {
  for (std::uint8_t flag : {2, 0x80, 0xff}) {
    auto body = EncodeKeyRecord(Valid());
    body.back() = flag;
    ExpectCorrupt(body, "exportable " + std::to_string(flag));
  }
}

TEST(KeyRecordTest, DefaultsAreEnabledAndGenerated) {
  const KeyRecord r;
  EXPECT_EQ(r.state, KeyState::kEnabled);
  EXPECT_EQ(r.origin, KeyOrigin::kGenerated);
  EXPECT_EQ(r.min_decryption_version, 1u);
  // A default record (latest 0) is not a valid stored record.
  ExpectCorrupt(r, "default record");
}

TEST(KeyRecordTest, RoundTripEveryState) {
  for (KeyState s : {KeyState::kEnabled, KeyState::kDisabled, KeyState::kPendingDeletion,
                     KeyState::kDestroyed}) {
    KeyRecord r = Valid();
    r.state = s;
    ExpectRoundTrip(r);
    EXPECT_EQ(EncodeKeyRecord(r)[1], static_cast<std::uint8_t>(s));
  }
}

TEST(KeyRecordTest, RoundTripExtremes) {
  constexpr auto kMax32 = std::numeric_limits<std::uint32_t>::max();
  constexpr auto kMin64 = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax64 = std::numeric_limits<std::int64_t>::max();
  KeyRecord r = Valid();
  r.primary_version = kMax32;
  r.min_decryption_version = kMax32;
  r.latest_version = kMax32;
  r.created_at = kMin64;
  r.updated_at = kMax64;
  r.last_rotated_at = -1;
  r.rotation_period_s = std::numeric_limits<std::uint64_t>::max();
  r.deletion_at = kMax64;
  ExpectRoundTrip(r);

  KeyRecord one = Valid();
  one.primary_version = 1;
  one.min_decryption_version = 1;
  one.latest_version = 1;
  one.created_at = 0;
  one.updated_at = 0;
  one.last_rotated_at = 0;
  one.rotation_period_s = 0;
  one.deletion_at = 0;
  ExpectRoundTrip(one);

  // Version rules at their edges: primary and min decryption may each be
  // anywhere in 1..latest, independently.
  KeyRecord edges = Valid();
  edges.latest_version = 10;
  edges.primary_version = 1;
  edges.min_decryption_version = 10;
  ExpectRoundTrip(edges);
  edges.primary_version = 10;
  edges.min_decryption_version = 1;
  ExpectRoundTrip(edges);
}

TEST(KeyRecordTest, ParseRefusesTruncationAtEveryLength) {
  const auto body = EncodeKeyRecord(Valid());
  for (std::size_t len = 0; len < body.size(); ++len) {
    ExpectCorrupt(std::span(body).first(len), "length " + std::to_string(len));
  }
}

TEST(KeyRecordTest, ParseRefusesTrailingBytes) {
  for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
    auto body = EncodeKeyRecord(Valid());
    body.push_back(extra);
    ExpectCorrupt(body, "trailing " + std::to_string(extra));
  }
}

TEST(KeyRecordTest, ParseRefusesUnknownFormat) {
  for (int format : {0, 3, 0xff}) {
    auto body = EncodeKeyRecord(Valid());
    body[0] = static_cast<std::uint8_t>(format);
    ExpectCorrupt(body, "format " + std::to_string(format));
  }
}

TEST(KeyRecordTest, ParseRefusesUnknownState) {
  for (int state : {0, 5, 6, 0x7f, 0xff}) {
    auto body = EncodeKeyRecord(Valid());
    body[1] = static_cast<std::uint8_t>(state);
    ExpectCorrupt(body, "state " + std::to_string(state));
  }
}

TEST(KeyRecordTest, ParseRefusesUnknownOrigin) {
  for (int origin : {0, 3, 0xff}) {
    auto body = EncodeKeyRecord(Valid());
    body[2] = static_cast<std::uint8_t>(origin);
    ExpectCorrupt(body, "origin " + std::to_string(origin));
  }
}

TEST(KeyRecordTest, ParseRefusesBrokenVersionRules) {
  KeyRecord r = Valid();
  r.latest_version = 0;
  r.primary_version = 0;
  r.min_decryption_version = 0;
  ExpectCorrupt(r, "all versions 0");

  r = Valid();
  r.latest_version = 0;
  ExpectCorrupt(r, "latest 0");

  r = Valid();
  r.primary_version = 0;
  ExpectCorrupt(r, "primary 0");

  r = Valid();
  r.primary_version = r.latest_version + 1;
  ExpectCorrupt(r, "primary > latest");

  r = Valid();
  r.primary_version = std::numeric_limits<std::uint32_t>::max();
  ExpectCorrupt(r, "primary max > latest");

  r = Valid();
  r.min_decryption_version = 0;
  ExpectCorrupt(r, "min decryption 0");

  r = Valid();
  r.min_decryption_version = r.latest_version + 1;
  ExpectCorrupt(r, "min decryption > latest");
}

TEST(KeyRecordTest, ParseRefusesEveryBodyMadeOfOneByte) {
  // At the format 1 length, all 0x01 is the one valid body of this kind:
  // format 1, enabled, generated, versions 0x01010101 (equal, so
  // consistent). At the format 2 length none is: all 0x02 would say
  // exportable 2.
  EXPECT_TRUE(ParseKeyRecord(std::vector<std::uint8_t>(kBodySize - 1, 1)).ok());
  for (int b = 0; b < 256; ++b) {
    ExpectCorrupt(std::vector<std::uint8_t>(kBodySize, static_cast<std::uint8_t>(b)),
                  "all bytes " + std::to_string(b));
    if (b != 1) {
      ExpectCorrupt(std::vector<std::uint8_t>(kBodySize - 1, static_cast<std::uint8_t>(b)),
                    "format 1 length, all bytes " + std::to_string(b));
    }
  }
}

TEST(KeyRecordKeysTest, ExactBytes) {
  const crypto::KeyId id = Id("acme/app");
  EXPECT_EQ(KeyRecordKey(id), Bytes("acme/app"));
  EXPECT_EQ(ToHex(VersionPrefix(id)), ToHex(Bytes("acme/app")) + "00");
  EXPECT_EQ(ToHex(VersionRecordKey(id, 1)), ToHex(Bytes("acme/app")) +
                                                "00"
                                                "00000001");
  EXPECT_EQ(ToHex(VersionRecordKey(id, 0x01020304)), ToHex(Bytes("acme/app")) +
                                                         "00"
                                                         "01020304");
  EXPECT_EQ(ToHex(VersionRecordKey(id, 0xffffffff)), ToHex(Bytes("acme/app")) +
                                                         "00"
                                                         "ffffffff");
  EXPECT_EQ(ToHex(VersionRecordKey(id, 0)), ToHex(Bytes("acme/app")) +
                                                "00"
                                                "00000000");
}

TEST(KeyRecordKeysTest, LongestKeyId) {
  const auto id = crypto::KeyId::Create(std::string(64, 'a'), std::string(128, 'Z')).value();
  const auto key = VersionRecordKey(id, 7);
  ASSERT_EQ(key.size(), 193u + 1 + 4);
  EXPECT_EQ(ToHex(std::span(key).last(5)), "0000000007");
}

TEST(KeyRecordKeysTest, VersionKeysStartWithThePrefix) {
  const crypto::KeyId id = Id("acme/app");
  const auto prefix = VersionPrefix(id);
  for (std::uint32_t v : {1u, 2u, 255u, 256u, 65536u, 0xffffffffu}) {
    const auto key = VersionRecordKey(id, v);
    ASSERT_EQ(key.size(), prefix.size() + 4);
    EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), key.begin())) << v;
  }
  // No key of another id starts with this prefix.
  for (std::string_view other :
       {"acme/app2", "acme/app.x", "acme/app-x", "acme/app_", "acme/ap", "acme/App", "acme2/app"}) {
    const auto key = VersionRecordKey(Id(other), 1);
    const bool starts =
        key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
    EXPECT_FALSE(starts) << other;
    EXPECT_NE(VersionPrefix(Id(other)), prefix) << other;
  }
}

TEST(KeyRecordKeysTest, OneKeysVersionsSortTogetherAndInOrder) {
  const std::vector<std::string_view> ids = {"acme/app",   "acme/app2",  "acme/ap",
                                             "acme/app.x", "acme/app-x", "acme/app_",
                                             "acme/App",   "acme2/app",  "acm/app"};
  const std::vector<std::uint32_t> versions = {1, 2, 9, 10, 255, 256, 65535, 65536, 0xffffffffu};
  struct Entry {
    std::vector<std::uint8_t> key;
    std::string id;
    std::uint32_t version;
  };
  std::vector<Entry> all;
  for (std::string_view id : ids) {
    for (std::uint32_t v : versions) {
      all.push_back({VersionRecordKey(Id(id), v), std::string(id), v});
    }
  }
  // LMDB's default order: bytewise, shorter first on a common prefix.
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return std::lexicographical_compare(a.key.begin(), a.key.end(), b.key.begin(), b.key.end());
  });
  for (std::string_view id : ids) {
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].id == id) {
        positions.push_back(i);
      }
    }
    ASSERT_EQ(positions.size(), versions.size());
    // Contiguous...
    EXPECT_EQ(positions.back() - positions.front() + 1, versions.size()) << id;
    // ...and in numeric version order.
    for (std::size_t j = 0; j < positions.size(); ++j) {
      EXPECT_EQ(all[positions[j]].version, versions[j]) << id << " #" << j;
    }
  }
  // "acme/app" versions sort before every "acme/app2" version, and after
  // every "acme/ap" version.
  auto first_of = [&](std::string_view id) {
    return std::find_if(all.begin(), all.end(), [&](const Entry& e) { return e.id == id; }) -
           all.begin();
  };
  EXPECT_LT(first_of("acme/app"), first_of("acme/app2"));
  EXPECT_LT(first_of("acme/ap"), first_of("acme/app"));
  EXPECT_LT(first_of("acme/app"), first_of("acme/app-x"));
}

TEST(KeyRecordKeysTest, KeyRecordKeyIsNotAVersionKey) {
  const crypto::KeyId id = Id("acme/app");
  const auto record_key = KeyRecordKey(id);
  const auto prefix = VersionPrefix(id);
  EXPECT_EQ(record_key.size() + 1, prefix.size());
  EXPECT_TRUE(std::equal(record_key.begin(), record_key.end(), prefix.begin()));
  EXPECT_EQ(prefix.back(), 0);
}

}  // namespace
}  // namespace keyhold::kms
