// Tests for crypto/encryption_context.h: the canonical encoding spelled out
// in hex, order independence, uniqueness, every limit at and one past its
// maximum, a UTF-8 table, strict parsing (trailing bytes, truncation at every
// length, order, duplicates, counts) and a bit-flip sweep showing that any
// accepted encoding is the canonical one.
#include "crypto/encryption_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/byte_reader.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::FromHex;
using keyhold::testing::ToHex;
using namespace std::string_view_literals;
using Entry = EncryptionContext::Entry;
using Entries = std::vector<Entry>;

std::vector<std::uint8_t> Canonical(const EncryptionContext& context) {
  std::vector<std::uint8_t> out;
  context.AppendCanonical(&out);
  return out;
}

EncryptionContext MustCreate(Entries entries) {
  auto context = EncryptionContext::Create(std::move(entries));
  EXPECT_TRUE(context.ok()) << context.error().message;
  return std::move(context).value();
}

void ExpectInvalid(const Result<EncryptionContext>& r) {
  ASSERT_FALSE(r.ok()) << "accepted, canonical " << ToHex(Canonical(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidContext);
}

// Builds an encoding by hand, with whatever count, order and lengths a test
// wants (not necessarily valid).
std::vector<std::uint8_t> Encode(std::uint16_t count, const Entries& entries) {
  std::vector<std::uint8_t> out;
  ByteWriter w(&out);
  w.PutU16(count);
  for (const auto& [k, v] : entries) {
    w.PutU16(static_cast<std::uint16_t>(k.size()));
    w.PutString(k);
    w.PutU16(static_cast<std::uint16_t>(v.size()));
    w.PutString(v);
  }
  return out;
}

std::vector<std::uint8_t> Encode(const Entries& entries) {
  return Encode(static_cast<std::uint16_t>(entries.size()), entries);
}

// {"a": "1", "B": "xy"}: "B" (0x42) sorts before "a" (0x61).
constexpr std::string_view kKnownHex =
    "0002"  // count
    "0001"
    "42"  // key "B"
    "0002"
    "7879"  // value "xy"
    "0001"
    "61"  // key "a"
    "0001"
    "31";  // value "1"

TEST(EncryptionContextTest, EmptyContextCanonical) {
  EXPECT_EQ(ToHex(Canonical(EncryptionContext())), "0000");
  EXPECT_EQ(ToHex(Canonical(MustCreate({}))), "0000");
  EXPECT_TRUE(EncryptionContext().entries().empty());
}

TEST(EncryptionContextTest, KnownCanonicalBytes) {
  const auto context = MustCreate({{"a", "1"}, {"B", "xy"}});
  EXPECT_EQ(ToHex(Canonical(context)), kKnownHex);
  EXPECT_EQ(context.entries(), (Entries{{"B", "xy"}, {"a", "1"}}));
}

TEST(EncryptionContextTest, EmptyValueCanonical) {
  const auto context = MustCreate({{"k", ""}});
  EXPECT_EQ(ToHex(Canonical(context)),
            "0001"
            "0001"
            "6b"
            "0000");
}

TEST(EncryptionContextTest, NulInsideStringsIsKept) {
  const auto context = MustCreate({{std::string("k\0"sv), std::string("\0v"sv)}});
  EXPECT_EQ(ToHex(Canonical(context)),
            "0001"
            "0002"
            "6b00"
            "0002"
            "0076");
}

TEST(EncryptionContextTest, KeysSortBytewiseNotAsSignedChars) {
  // 0xc3 (start of "é") must sort after ASCII; a signed-char comparison would
  // put it first.
  const auto context = MustCreate({{"\xc3\xa9", "2"}, {"z", "1"}, {"Z", "0"}});
  EXPECT_EQ(context.entries(), (Entries{{"Z", "0"}, {"z", "1"}, {"\xc3\xa9", "2"}}));
  EXPECT_EQ(ToHex(Canonical(context)),
            "0003"
            "0001"
            "5a"
            "0001"
            "30"
            "0001"
            "7a"
            "0001"
            "31"
            "0002"
            "c3a9"
            "0001"
            "32");
}

TEST(EncryptionContextTest, PrefixKeySortsFirst) {
  const auto context = MustCreate({{"ab", "2"}, {"a", "1"}, {"abc", "3"}});
  EXPECT_EQ(context.entries(), (Entries{{"a", "1"}, {"ab", "2"}, {"abc", "3"}}));
}

TEST(EncryptionContextTest, AppendCanonicalAppends) {
  std::vector<std::uint8_t> out = {0xaa, 0xbb};
  MustCreate({{"a", "1"}, {"B", "xy"}}).AppendCanonical(&out);
  EXPECT_EQ(ToHex(out), "aabb" + std::string(kKnownHex));
}

TEST(EncryptionContextTest, CreateIsOrderIndependent) {
  Entries entries = {{"tenant", "acme"}, {"Purpose", "backup"}, {"a", ""}, {"record", "42"}};
  std::sort(entries.begin(), entries.end());
  const auto expected = Canonical(MustCreate(entries));
  int permutations = 0;
  do {
    const auto context = MustCreate(entries);
    EXPECT_EQ(Canonical(context), expected);
    EXPECT_TRUE(std::is_sorted(context.entries().begin(), context.entries().end(),
                               [](const Entry& a, const Entry& b) { return a.first < b.first; }));
    ++permutations;
  } while (std::next_permutation(entries.begin(), entries.end()));
  EXPECT_EQ(permutations, 24);
}

TEST(EncryptionContextTest, DuplicateKeysRefused) {
  const std::vector<Entries> cases = {
      {{"a", "1"}, {"a", "1"}},
      {{"a", "1"}, {"a", "2"}},
      {{"a", ""}, {"a", ""}},
      {{"a", "1"}, {"m", "x"}, {"a", "2"}},
      {{"z", "1"}, {"b", "x"}, {"c", "y"}, {"z", "1"}},
      {{std::string("k\0"sv), "1"}, {std::string("k\0"sv), "2"}},
  };
  for (const auto& entries : cases) {
    SCOPED_TRACE(entries.front().first);
    ExpectInvalid(EncryptionContext::Create(entries));
  }
  // Keys differing only in case or by a NUL are distinct.
  EXPECT_TRUE(EncryptionContext::Create({{"a", "1"}, {"A", "1"}}).ok());
  EXPECT_TRUE(EncryptionContext::Create({{"k", "1"}, {std::string("k\0"sv), "1"}}).ok());
}

TEST(EncryptionContextTest, EmptyKeyRefused) {
  ExpectInvalid(EncryptionContext::Create({{"", "v"}}));
  ExpectInvalid(EncryptionContext::Create({{"", ""}}));
  ExpectInvalid(EncryptionContext::Create({{"a", "1"}, {"", "v"}}));
}

TEST(EncryptionContextTest, EmptyValueAllowed) {
  const auto context = MustCreate({{"a", ""}, {"b", ""}});
  EXPECT_EQ(context.entries(), (Entries{{"a", ""}, {"b", ""}}));
}

Entries NumberedEntries(std::size_t n) {
  Entries entries;
  for (std::size_t i = 0; i < n; ++i) {
    entries.emplace_back("key" + std::to_string(i), "value" + std::to_string(i));
  }
  return entries;
}

TEST(EncryptionContextTest, EntryCountLimit) {
  const auto at = EncryptionContext::Create(NumberedEntries(kMaxContextEntries));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->entries().size(), 64u);
  ExpectInvalid(EncryptionContext::Create(NumberedEntries(kMaxContextEntries + 1)));
}

TEST(EncryptionContextTest, KeySizeLimit) {
  EXPECT_TRUE(EncryptionContext::Create({{std::string(256, 'k'), "v"}}).ok());
  ExpectInvalid(EncryptionContext::Create({{std::string(257, 'k'), "v"}}));
  // The limit counts bytes, not characters: 128 x "é" is 256 bytes, 129 is 258.
  std::string two_byte;
  for (int i = 0; i < 128; ++i) {
    two_byte += "\xc3\xa9";
  }
  EXPECT_TRUE(EncryptionContext::Create({{two_byte, "v"}}).ok());
  ExpectInvalid(EncryptionContext::Create({{two_byte + "\xc3\xa9", "v"}}));
}

TEST(EncryptionContextTest, ValueSizeLimit) {
  EXPECT_TRUE(EncryptionContext::Create({{"k", std::string(2048, 'v')}}).ok());
  ExpectInvalid(EncryptionContext::Create({{"k", std::string(2049, 'v')}}));
  EXPECT_TRUE(EncryptionContext::Create({{std::string(256, 'k'), std::string(2048, 'v')}}).ok());
}

// Five entries with 10-byte keys and 1624-byte values encode to exactly
// 2 + 5 * (2 + 10 + 2 + 1624) = 8192 bytes.
Entries EntriesOfEncodedSize8192() {
  Entries entries;
  for (char c = 'a'; c < 'f'; ++c) {
    entries.emplace_back(std::string(10, c), std::string(1624, 'v'));
  }
  return entries;
}

TEST(EncryptionContextTest, EncodedSizeLimit) {
  const auto at = EncryptionContext::Create(EntriesOfEncodedSize8192());
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(Canonical(*at).size(), kMaxContextEncodedSize);

  auto over = EntriesOfEncodedSize8192();
  over.back().second.push_back('v');
  ExpectInvalid(EncryptionContext::Create(over));

  // Four maximal entries: each one within its own limit, 9234 bytes in all.
  Entries big;
  for (char c = 'a'; c < 'e'; ++c) {
    big.emplace_back(std::string(256, c), std::string(2048, 'v'));
  }
  ExpectInvalid(EncryptionContext::Create(big));
}

struct Utf8Case {
  const char* why;
  std::string_view text;
  bool valid;
};

constexpr Utf8Case kUtf8[] = {
    {"empty", ""sv, true},
    {"ascii", "hello"sv, true},
    {"NUL", "\0"sv, true},
    {"NUL inside", "a\0b"sv, true},
    {"U+007F", "\x7f"sv, true},
    {"U+0080 (smallest 2-byte)", "\xc2\x80"sv, true},
    {"e-acute (2-byte)", "\xc3\xa9"sv, true},
    {"U+07FF (largest 2-byte)", "\xdf\xbf"sv, true},
    {"U+0800 (smallest 3-byte)", "\xe0\xa0\x80"sv, true},
    {"euro sign (3-byte)", "\xe2\x82\xac"sv, true},
    {"U+D7FF (below surrogates)", "\xed\x9f\xbf"sv, true},
    {"U+E000 (above surrogates)", "\xee\x80\x80"sv, true},
    {"BOM", "\xef\xbb\xbf"sv, true},
    {"U+FFFF", "\xef\xbf\xbf"sv, true},
    {"U+10000 (smallest 4-byte)", "\xf0\x90\x80\x80"sv, true},
    {"emoji (4-byte)", "\xf0\x9f\x98\x80"sv, true},
    {"U+10FFFF (largest)", "\xf4\x8f\xbf\xbf"sv, true},
    {"mixed", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"sv, true},
    // Overlong forms.
    {"overlong slash 2-byte", "\xc0\xaf"sv, false},
    {"overlong NUL 2-byte", "\xc0\x80"sv, false},
    {"overlong U+007F", "\xc1\xbf"sv, false},
    {"overlong slash 3-byte", "\xe0\x80\xaf"sv, false},
    {"overlong U+07FF 3-byte", "\xe0\x9f\xbf"sv, false},
    {"overlong slash 4-byte", "\xf0\x80\x80\xaf"sv, false},
    {"overlong U+FFFF 4-byte", "\xf0\x8f\xbf\xbf"sv, false},
    // Surrogates.
    {"U+D800", "\xed\xa0\x80"sv, false},
    {"U+DBFF", "\xed\xaf\xbf"sv, false},
    {"U+DC00", "\xed\xb0\x80"sv, false},
    {"U+DFFF", "\xed\xbf\xbf"sv, false},
    {"CESU-8 surrogate pair", "\xed\xa0\xbd\xed\xb8\x80"sv, false},
    // Above U+10FFFF, and bytes that never appear.
    {"U+110000", "\xf4\x90\x80\x80"sv, false},
    {"lead F5", "\xf5\x80\x80\x80"sv, false},
    {"lead F7 max", "\xf7\xbf\xbf\xbf"sv, false},
    {"5-byte form", "\xf8\x88\x80\x80\x80"sv, false},
    {"6-byte form", "\xfc\x84\x80\x80\x80\x80"sv, false},
    {"byte FE", "\xfe"sv, false},
    {"byte FF", "\xff"sv, false},
    // Truncated sequences.
    {"truncated 2-byte", "\xc3"sv, false},
    {"truncated 3-byte after 1", "\xe2"sv, false},
    {"truncated 3-byte after 2", "\xe2\x82"sv, false},
    {"truncated 4-byte after 1", "\xf0"sv, false},
    {"truncated 4-byte after 2", "\xf0\x9f"sv, false},
    {"truncated 4-byte after 3", "\xf0\x9f\x98"sv, false},
    {"truncated at end of text", "abc\xc3"sv, false},
    {"continuation replaced by ascii", "\xe2\x82zz"sv, false},
    {"continuation replaced by NUL", "\xc3\0"sv, false},
    {"continuation replaced by lead", "\xc3\xc3\xa9"sv, false},
    {"lead byte as continuation", "\xc3\xc3"sv, false},
    {"0xff as continuation", "\xc2\xff"sv, false},
    {"lead bytes as 3-byte continuations", "\xe2\xc2\xc2"sv, false},
    // Lone continuation bytes.
    {"lone 80", "\x80"sv, false},
    {"lone BF", "\xbf"sv, false},
    {"continuation inside ascii", "a\x80z"sv, false},
    {"extra continuation", "\xc3\xa9\xa9"sv, false},
    {"latin-1 e-acute", "caf\xe9"sv, false},
};

TEST(EncryptionContextTest, ValidUtf8Table) {
  for (const auto& c : kUtf8) {
    EXPECT_EQ(ValidUtf8(c.text), c.valid) << c.why;
  }
}

// A view that ends inside a sequence is invalid even when the bytes just past
// its end would complete the sequence: ValidUtf8 must not read beyond it.
TEST(EncryptionContextTest, ValidUtf8StopsAtTheEndOfTheView) {
  struct Case {
    std::string_view full;
    std::size_t sequence_start;
  };
  const Case cases[] = {{"\xc3\xa9"sv, 0},
                        {"\xe2\x82\xac"sv, 0},
                        {"\xf0\x9f\x98\x80"sv, 0},
                        {"ab\xf4\x8f\xbf\xbf"sv, 2}};
  for (const auto& c : cases) {
    ASSERT_TRUE(ValidUtf8(c.full));
    ASSERT_TRUE(ValidUtf8(c.full.substr(0, c.sequence_start)));
    for (std::size_t n = c.sequence_start + 1; n < c.full.size(); ++n) {
      EXPECT_FALSE(ValidUtf8(c.full.substr(0, n))) << "prefix " << n << " of " << c.full.size();
    }
  }
}

TEST(EncryptionContextTest, CreateChecksUtf8OfKeysAndValues) {
  for (const auto& c : kUtf8) {
    SCOPED_TRACE(c.why);
    const std::string text(c.text);
    auto as_value = EncryptionContext::Create({{"k", text}});
    EXPECT_EQ(as_value.ok(), c.valid);
    if (!c.valid) {
      ExpectInvalid(as_value);
    }
    if (text.empty()) {
      continue;  // an empty key is refused for another reason
    }
    auto as_key = EncryptionContext::Create({{text, "v"}});
    EXPECT_EQ(as_key.ok(), c.valid);
    if (!c.valid) {
      ExpectInvalid(as_key);
    }
  }
}

TEST(EncryptionContextTest, ParseKnownBytes) {
  auto context = EncryptionContext::Parse(FromHex(kKnownHex));
  ASSERT_TRUE(context.ok()) << context.error().message;
  EXPECT_EQ(context->entries(), (Entries{{"B", "xy"}, {"a", "1"}}));
  EXPECT_EQ(*context, MustCreate({{"a", "1"}, {"B", "xy"}}));
}

TEST(EncryptionContextTest, ParseEmptyContext) {
  auto context = EncryptionContext::Parse(FromHex("0000"));
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(*context, EncryptionContext());
}

TEST(EncryptionContextTest, ParseRefusesEmptyInput) {
  ExpectInvalid(EncryptionContext::Parse({}));
}

TEST(EncryptionContextTest, ParseRefusesTrailingBytes) {
  for (std::string_view tail : {"00", "ff", "0000", "0001"}) {
    SCOPED_TRACE(tail);
    ExpectInvalid(EncryptionContext::Parse(FromHex(std::string(kKnownHex) + std::string(tail))));
  }
  ExpectInvalid(EncryptionContext::Parse(FromHex("000000")));
}

TEST(EncryptionContextTest, ParseRefusesEveryTruncation) {
  const std::vector<std::vector<std::uint8_t>> encodings = {
      FromHex(kKnownHex),
      Canonical(MustCreate({{"k", ""}})),
      Canonical(MustCreate(NumberedEntries(5))),
      Canonical(MustCreate(EntriesOfEncodedSize8192())),
  };
  for (const auto& full : encodings) {
    ASSERT_TRUE(EncryptionContext::Parse(full).ok());
    for (std::size_t n = 0; n < full.size(); ++n) {
      SCOPED_TRACE(n);
      ExpectInvalid(EncryptionContext::Parse(std::span(full).first(n)));
    }
  }
}

TEST(EncryptionContextTest, ParseRefusesUnsortedEntries) {
  ExpectInvalid(EncryptionContext::Parse(Encode({{"a", "1"}, {"B", "xy"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"ab", "1"}, {"a", "2"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"a", "1"}, {"c", "3"}, {"b", "2"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"\xc3\xa9", "1"}, {"z", "2"}})));
}

TEST(EncryptionContextTest, ParseRefusesDuplicateEntries) {
  ExpectInvalid(EncryptionContext::Parse(Encode({{"a", "1"}, {"a", "1"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"a", "1"}, {"a", "2"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"a", "1"}, {"b", "2"}, {"b", "2"}})));
}

TEST(EncryptionContextTest, ParseRefusesWrongCount) {
  const Entries two = {{"B", "xy"}, {"a", "1"}};
  ASSERT_EQ(ToHex(Encode(two)), kKnownHex);
  ExpectInvalid(EncryptionContext::Parse(Encode(3, two)));
  ExpectInvalid(EncryptionContext::Parse(Encode(0xffff, two)));
  ExpectInvalid(EncryptionContext::Parse(Encode(1, two)));
  ExpectInvalid(EncryptionContext::Parse(Encode(0, two)));
}

TEST(EncryptionContextTest, ParseRefusesLengthsPastTheEnd) {
  ExpectInvalid(
      EncryptionContext::Parse(FromHex("0001"
                                       "ffff"
                                       "61")));
  ExpectInvalid(
      EncryptionContext::Parse(FromHex("0001"
                                       "0001"
                                       "61"
                                       "ffff"
                                       "31")));
  ExpectInvalid(
      EncryptionContext::Parse(FromHex("0001"
                                       "0002"
                                       "61")));
}

TEST(EncryptionContextTest, ParseAppliesCreateRules) {
  ExpectInvalid(EncryptionContext::Parse(Encode({{"", "v"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"\xc0\xaf", "v"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"k", "\xed\xa0\x80"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{std::string(257, 'k'), "v"}})));
  ExpectInvalid(EncryptionContext::Parse(Encode({{"k", std::string(2049, 'v')}})));
}

TEST(EncryptionContextTest, ParseEntryCountLimit) {
  auto at = NumberedEntries(kMaxContextEntries);
  std::sort(at.begin(), at.end());
  auto parsed = EncryptionContext::Parse(Encode(at));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries(), at);

  auto over = NumberedEntries(kMaxContextEntries + 1);
  std::sort(over.begin(), over.end());
  ExpectInvalid(EncryptionContext::Parse(Encode(over)));
}

TEST(EncryptionContextTest, ParseEncodedSizeLimit) {
  auto at = EntriesOfEncodedSize8192();
  ASSERT_EQ(Encode(at).size(), kMaxContextEncodedSize);
  EXPECT_TRUE(EncryptionContext::Parse(Encode(at)).ok());
  auto over = at;
  over.back().second.push_back('v');
  ExpectInvalid(EncryptionContext::Parse(Encode(over)));
  // A valid encoding followed by padding up to 64 KiB is refused too.
  auto padded = Encode(at);
  padded.resize(65536);
  ExpectInvalid(EncryptionContext::Parse(padded));
}

TEST(EncryptionContextTest, ParseOfAppendCanonicalRoundTrips) {
  const std::vector<Entries> cases = {
      {},
      {{"a", "1"}, {"B", "xy"}},
      {{"k", ""}},
      {{std::string("k\0"sv), std::string("\0"sv)}},
      {{"\xf0\x9f\x98\x80", "\xe2\x82\xac"}, {"tenant", "acme"}},
      NumberedEntries(kMaxContextEntries),
      EntriesOfEncodedSize8192(),
      {{std::string(256, 'k'), std::string(2048, 'v')}},
  };
  for (const auto& entries : cases) {
    const auto context = MustCreate(entries);
    const auto bytes = Canonical(context);
    auto parsed = EncryptionContext::Parse(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(*parsed, context);
    EXPECT_EQ(Canonical(*parsed), bytes);
  }
}

// Flipping any bit of a canonical encoding either is refused or yields a
// context whose canonical encoding is exactly the flipped bytes: the parser
// never accepts a second spelling of any context.
TEST(EncryptionContextTest, BitFlipSweepAcceptsOnlyCanonicalEncodings) {
  const auto context = MustCreate({{"a", "1"}, {"B", "xy"}, {"tenant", "acme"}});
  const auto original = Canonical(context);
  // Offsets of the count and of every length field.
  std::vector<std::size_t> header_bytes = {0, 1};
  std::size_t offset = 2;
  for (const auto& [k, v] : context.entries()) {
    header_bytes.insert(header_bytes.end(), {offset, offset + 1});
    offset += 2 + k.size();
    header_bytes.insert(header_bytes.end(), {offset, offset + 1});
    offset += 2 + v.size();
  }
  ASSERT_EQ(offset, original.size());

  int accepted = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const bool header =
        std::find(header_bytes.begin(), header_bytes.end(), i) != header_bytes.end();
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE("byte " + std::to_string(i) + " bit " + std::to_string(bit));
      auto flipped = original;
      flipped[i] ^= static_cast<std::uint8_t>(1 << bit);
      auto parsed = EncryptionContext::Parse(flipped);
      if (parsed.ok()) {
        ++accepted;
        EXPECT_FALSE(header) << "a count or length flip was accepted";
        EXPECT_EQ(Canonical(*parsed), flipped);
        EXPECT_NE(*parsed, context);
      } else {
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidContext);
      }
    }
  }
  // Flips inside strings that keep them sorted, unique and UTF-8 are valid
  // (different) contexts.
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace keyhold::crypto
