// Tests for crypto/wrapped_blob.h at the crypto level. The core is a property
// test with a fixed seed: random contexts (0-8 entries, multi-byte UTF-8,
// empty values), plaintexts of 1-4096 bytes, key ids and versions. Each blob
// must parse to what was sealed with the exact docs/formats.md layout, open
// under its context and under no mutated one, and fail to parse or open
// after any single byte is changed or at any truncation. Fixed cases cover
// the associated data spelled out, a swapped commitment, SealBlob's and
// ParseBlob's refusals, and the size limits.
#include "crypto/wrapped_blob.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/byte_reader.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::ToHex;
using Entry = EncryptionContext::Entry;
using Entries = std::vector<Entry>;

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::unique_ptr<CommittedKey> KeyFrom(std::span<const std::uint8_t> material) {
  auto key = CommittedKey::Derive(SecretBytes::CopyFrom(material).value());
  EXPECT_TRUE(key.ok()) << key.error().message;
  return std::move(key).value();
}

std::unique_ptr<CommittedKey> KeyFill(std::uint8_t fill) {
  return KeyFrom(std::vector<std::uint8_t>(32, fill));
}

KeyId Id(std::string_view text) {
  return KeyId::Parse(text).value();
}

EncryptionContext Ctx(Entries entries) {
  auto c = EncryptionContext::Create(std::move(entries));
  EXPECT_TRUE(c.ok()) << c.error().message;
  return std::move(c).value();
}

std::vector<std::uint8_t> MustSeal(const CommittedKey& key, const KeyId& id, std::uint32_t version,
                                   std::span<const std::uint8_t> pt, const EncryptionContext& ctx) {
  auto blob = SealBlob(key, id, version, pt, ctx);
  EXPECT_TRUE(blob.ok()) << blob.error().message;
  return std::move(blob).value();
}

// Parse then open; any failure must be kInvalidCiphertext. Returns whether it
// opened (and the plaintext in *out).
bool ParseAndOpen(const CommittedKey& key, std::span<const std::uint8_t> blob,
                  const EncryptionContext& ctx, std::vector<std::uint8_t>* out = nullptr) {
  auto parsed = ParseBlob(blob);
  if (!parsed.ok()) {
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidCiphertext);
    return false;
  }
  auto opened = OpenBlob(key, *parsed, ctx);
  if (!opened.ok()) {
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidCiphertext);
    return false;
  }
  if (out != nullptr) {
    *out = Reveal(*opened);
  }
  return true;
}

void ExpectParseRefused(std::span<const std::uint8_t> blob, const std::string& what) {
  auto parsed = ParseBlob(blob);
  ASSERT_FALSE(parsed.ok()) << what << ": parsed";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidCiphertext) << what;
}

// --- Random generators for the property test -------------------------------

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}

  std::uint64_t Uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(1, 100) <= static_cast<std::uint64_t>(percent); }
  std::uint8_t Byte() { return static_cast<std::uint8_t>(Uniform(0, 255)); }
  std::uint8_t NonZeroByte() { return static_cast<std::uint8_t>(Uniform(1, 255)); }

  std::vector<std::uint8_t> BytesOf(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) {
      b = Byte();
    }
    return v;
  }

  // 1-4096, mostly small, with the edges now and then.
  std::size_t PlaintextSize() {
    const auto r = Uniform(0, 99);
    if (r < 5) {
      return 1;
    }
    if (r < 8) {
      return kMaxWrapPlaintext;
    }
    if (r < 80) {
      return Uniform(1, 64);
    }
    return Uniform(1, kMaxWrapPlaintext);
  }

  // A string of `cps` code points drawn from 1-, 2-, 3- and 4-byte forms.
  std::string Utf8(std::size_t cps) {
    static constexpr std::string_view kPalette[] = {
        "a",
        "Z",
        "0",
        "-",
        " ",
        "/",
        "=",
        "\x7f",  // ASCII
        "\xc3\xa9",
        "\xc3\x9f",
        "\xd0\x96",
        "\xdf\xbf",  // é ß Ж U+07FF
        "\xe2\x82\xac",
        "\xe4\xb8\xad",
        "\xef\xbf\xbd",  // € 中 U+FFFD
        "\xed\x9f\xbf",
        "\xee\x80\x80",  // U+D7FF U+E000
        "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf",  // 😀 U+10FFFF
    };
    std::string s;
    for (std::size_t i = 0; i < cps; ++i) {
      s += kPalette[Uniform(0, std::size(kPalette) - 1)];
    }
    return s;
  }

  Entries ContextEntries() {
    Entries entries;
    const auto n = Uniform(0, 8);
    while (entries.size() < n) {
      std::string key = Utf8(Uniform(1, 12));
      if (std::ranges::any_of(entries, [&](const Entry& e) { return e.first == key; })) {
        continue;
      }
      std::string value = Chance(20) ? "" : Utf8(Uniform(1, 24));
      entries.emplace_back(std::move(key), std::move(value));
    }
    return entries;
  }

  KeyId RandomKeyId() {
    static constexpr std::string_view kTenantFirst = "abcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr std::string_view kTenantRest = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    static constexpr std::string_view kNameFirst =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr std::string_view kNameRest =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    const std::size_t tenant_len = Chance(5) ? kMaxTenantSize : Uniform(1, 12);
    const std::size_t name_len = Chance(5) ? kMaxKeyNameSize : Uniform(1, 20);
    std::string tenant(1, Pick(kTenantFirst));
    while (tenant.size() < tenant_len) {
      tenant += Pick(kTenantRest);
    }
    std::string name(1, Pick(kNameFirst));
    while (name.size() < name_len) {
      name += Pick(kNameRest);
    }
    auto id = KeyId::Create(tenant, name);
    EXPECT_TRUE(id.ok()) << tenant << "/" << name;
    return std::move(id).value();
  }

  std::uint32_t Version() {
    const auto r = Uniform(0, 9);
    if (r == 0) {
      return 1;
    }
    if (r == 1) {
      return UINT32_MAX;
    }
    return static_cast<std::uint32_t>(Uniform(1, UINT32_MAX));
  }

 private:
  char Pick(std::string_view chars) { return chars[Uniform(0, chars.size() - 1)]; }
  std::mt19937 rng_;
};

// Every context mutation that applies to `entries`, each a valid context
// different from the original.
std::vector<std::pair<std::string, Entries>> Mutations(const Entries& entries, Gen& gen) {
  std::vector<std::pair<std::string, Entries>> out;
  auto fresh_key = [&] {
    for (;;) {
      std::string k = gen.Utf8(gen.Uniform(1, 12));
      if (std::ranges::none_of(entries, [&](const Entry& e) { return e.first == k; })) {
        return k;
      }
    }
  };
  {
    Entries m = entries;
    m.emplace_back(fresh_key(), gen.Chance(50) ? "" : gen.Utf8(3));
    out.emplace_back("add an entry", std::move(m));
  }
  if (!entries.empty()) {
    const std::size_t i = gen.Uniform(0, entries.size() - 1);
    {
      Entries m = entries;
      m.erase(m.begin() + static_cast<std::ptrdiff_t>(i));
      out.emplace_back("drop entry " + std::to_string(i), std::move(m));
    }
    {
      Entries m = entries;
      m[i].second = m[i].second.empty() ? gen.Utf8(1) : m[i].second + "x";
      out.emplace_back("change value " + std::to_string(i), std::move(m));
    }
    {
      Entries m = entries;
      if (!m[i].second.empty()) {
        m[i].second.pop_back();  // may split a code point: then drop the rest
        if (!ValidUtf8(m[i].second)) {
          m[i].second.clear();
        }
        out.emplace_back("shorten value " + std::to_string(i), std::move(m));
      }
    }
    {
      Entries m = entries;
      m[i].first = fresh_key();
      out.emplace_back("change key " + std::to_string(i), std::move(m));
    }
    {
      // Move a value from one key to another.
      if (entries.size() >= 2 && entries[0].second != entries[1].second) {
        Entries m = entries;
        std::swap(m[0].second, m[1].second);
        out.emplace_back("swap values", std::move(m));
      }
    }
  }
  return out;
}

std::vector<std::uint8_t> U32Be(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

TEST(WrappedBlobPropertyTest, RandomBlobs) {
  Gen gen(20240611);
  constexpr int kIterations = 300;
  for (int iter = 0; iter < kIterations; ++iter) {
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    const auto material = gen.BytesOf(32);
    const auto key = KeyFrom(material);
    const KeyId id = gen.RandomKeyId();
    const std::uint32_t version = gen.Version();
    const Entries entries = gen.ContextEntries();
    const EncryptionContext ctx = Ctx(entries);
    const auto plaintext = gen.BytesOf(gen.PlaintextSize());

    const auto blob = MustSeal(*key, id, version, plaintext, ctx);
    const std::string id_text = id.ToString();
    const std::size_t l = id_text.size();
    ASSERT_EQ(blob.size(), 50 + l + plaintext.size() + 16);

    // Layout, byte for byte (docs/formats.md "Wrapped blob, format v1").
    ASSERT_EQ(blob[0], 0x01);
    ASSERT_EQ(blob[1], static_cast<std::uint8_t>(l));
    ASSERT_EQ(std::string(blob.begin() + 2, blob.begin() + 2 + static_cast<long>(l)), id_text);
    ASSERT_EQ(std::vector<std::uint8_t>(blob.begin() + 2 + static_cast<long>(l),
                                        blob.begin() + 6 + static_cast<long>(l)),
              U32Be(version));
    ASSERT_EQ(ToHex(std::span(blob).subspan(6 + l, 32)), ToHex(key->commitment()));

    // Parse.
    auto parsed = ParseBlob(blob);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->header.key_id, id);
    EXPECT_EQ(parsed->header.key_version, version);
    EXPECT_EQ(parsed->header.commitment, key->commitment());
    EXPECT_EQ(parsed->header_bytes.data(), blob.data());
    EXPECT_EQ(parsed->header_bytes.size(), 38 + l);
    EXPECT_EQ(parsed->sealed.data(), blob.data() + 38 + l);
    EXPECT_EQ(parsed->sealed.size(), 12 + plaintext.size() + 16);

    // Open with the same context.
    auto opened = OpenBlob(*key, *parsed, ctx);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(Reveal(*opened), plaintext);

    // The associated data is exactly header || canonical context.
    std::vector<std::uint8_t> aad(blob.begin(), blob.begin() + 38 + static_cast<long>(l));
    ctx.AppendCanonical(&aad);
    EXPECT_TRUE(key->aead().Open(parsed->sealed, aad).ok());

    // A mutated context never opens.
    for (const auto& [what, mutated] : Mutations(entries, gen)) {
      auto other = EncryptionContext::Create(mutated);
      ASSERT_TRUE(other.ok()) << what << ": " << other.error().message;
      ASSERT_FALSE(*other == ctx) << what;
      auto r = OpenBlob(*key, *parsed, *other);
      ASSERT_FALSE(r.ok()) << what << " opened";
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext) << what;
    }

    // Every byte position, xored with a random non-zero value.
    for (std::size_t i = 0; i < blob.size(); ++i) {
      auto bad = blob;
      const std::uint8_t x = gen.NonZeroByte();
      bad[i] ^= x;
      ASSERT_FALSE(ParseAndOpen(*key, bad, ctx))
          << "byte " << i << " ^ " << int{x} << " of " << blob.size();
    }

    // Every truncation.
    for (std::size_t len = 0; len < blob.size(); ++len) {
      ASSERT_FALSE(ParseAndOpen(*key, std::span(blob).first(len), ctx)) << "length " << len;
    }

    // Sanity: the unmodified blob still opens through the same path.
    std::vector<std::uint8_t> again;
    ASSERT_TRUE(ParseAndOpen(*key, blob, ctx, &again));
    EXPECT_EQ(again, plaintext);
  }
}

// --- Fixed cases ------------------------------------------------------------

TEST(WrappedBlobTest, KnownHeaderBytes) {
  const auto key = KeyFill(0);
  const auto blob = MustSeal(*key, Id("acme/app"), 0x01020304, Bytes("x"), EncryptionContext());
  ASSERT_EQ(blob.size(), 2u + 8 + 4 + 32 + 12 + 1 + 16);
  EXPECT_EQ(ToHex(std::span(blob).first(14)),
            "0108"
            "61636d652f617070"
            "01020304");
  // The commitment of all-zero material (see committed_key_test.cc).
  EXPECT_EQ(ToHex(std::span(blob).subspan(14, 32)),
            "3b1b0275f8b04ea01289b977e72483654b84867fc906f7771370725528a5d4c5");
  // Empty context: the AAD is the header followed by 00 00.
  std::vector<std::uint8_t> aad(blob.begin(), blob.begin() + 46);
  aad.push_back(0);
  aad.push_back(0);
  EXPECT_TRUE(key->aead().Open(std::span(blob).subspan(46), aad).ok());
  aad.pop_back();
  EXPECT_FALSE(key->aead().Open(std::span(blob).subspan(46), aad).ok());
}

TEST(WrappedBlobTest, EmptyContextIsNotAnyOtherContext) {
  const auto key = KeyFill(1);
  const auto blob = MustSeal(*key, Id("acme/app"), 1, Bytes("pt"), EncryptionContext());
  EXPECT_TRUE(ParseAndOpen(*key, blob, EncryptionContext()));
  EXPECT_FALSE(ParseAndOpen(*key, blob, Ctx({{"a", ""}})));
  const auto with = MustSeal(*key, Id("acme/app"), 1, Bytes("pt"), Ctx({{"a", ""}}));
  EXPECT_FALSE(ParseAndOpen(*key, with, EncryptionContext()));
  EXPECT_TRUE(ParseAndOpen(*key, with, Ctx({{"a", ""}})));
}

TEST(WrappedBlobTest, FlipEveryBitOfBlobAndContext) {
  const auto key = KeyFill(2);
  const EncryptionContext ctx = Ctx({{"tenant", "acme"}, {"purpose", "db"}});
  const auto blob = MustSeal(*key, Id("acme/db-key"), 7, Bytes("data key bytes"), ctx);
  for (std::size_t i = 0; i < blob.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = blob;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      EXPECT_FALSE(ParseAndOpen(*key, bad, ctx)) << "byte " << i << " bit " << bit;
    }
  }
  // Every bit of every context string (where the result is still valid
  // UTF-8 and still a valid context).
  const Entries entries = ctx.entries();
  int tried = 0;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    for (int field = 0; field < 2; ++field) {
      const std::string& s = field == 0 ? entries[e].first : entries[e].second;
      for (std::size_t i = 0; i < s.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
          Entries m = entries;
          std::string& t = field == 0 ? m[e].first : m[e].second;
          t[i] = static_cast<char>(t[i] ^ (1 << bit));
          auto other = EncryptionContext::Create(m);
          if (!other.ok()) {
            continue;
          }
          ++tried;
          EXPECT_FALSE(ParseAndOpen(*key, blob, *other)) << "entry " << e << " byte " << i;
        }
      }
    }
  }
  EXPECT_GT(tried, 100);
}

TEST(WrappedBlobTest, SwappedCommitmentFails) {
  const auto a = KeyFill(0xa);
  const auto b = KeyFill(0xb);
  const EncryptionContext ctx = Ctx({{"k", "v"}});
  auto blob = MustSeal(*a, Id("acme/app"), 3, Bytes("secret"), ctx);
  const std::size_t at = 2 + 8 + 4;
  std::copy(b->commitment().begin(), b->commitment().end(), blob.begin() + at);
  auto parsed = ParseBlob(blob);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.commitment, b->commitment());
  auto under_b = OpenBlob(*b, *parsed, ctx);
  ASSERT_FALSE(under_b.ok());
  EXPECT_EQ(under_b.error().code, ErrorCode::kInvalidCiphertext);
  auto under_a = OpenBlob(*a, *parsed, ctx);
  ASSERT_FALSE(under_a.ok());
  EXPECT_EQ(under_a.error().code, ErrorCode::kInvalidCiphertext);
}

TEST(WrappedBlobTest, CommitmentIsCheckedBeforeDecrypting) {
  // A blob authenticated under A's encryption key but naming B's commitment:
  // GCM alone would accept it under A, so only the commitment check can
  // refuse it. (This is the shape of a key-commitment attack: the tag is
  // valid, the commitment is not A's.)
  const auto a = KeyFill(0xa);
  const auto b = KeyFill(0xb);
  std::vector<std::uint8_t> blob;
  ByteWriter w(&blob);
  w.PutU8(1);
  w.PutU8(8);
  w.PutString("acme/app");
  w.PutU32(1);
  w.PutBytes(b->commitment());
  std::vector<std::uint8_t> aad = blob;
  EncryptionContext().AppendCanonical(&aad);
  ASSERT_TRUE(a->aead().Seal(Bytes("secret"), aad, &blob).ok());
  auto parsed = ParseBlob(blob);
  ASSERT_TRUE(parsed.ok());
  // The AEAD layer alone opens it...
  EXPECT_TRUE(a->aead().Open(parsed->sealed, aad).ok());
  // ...OpenBlob does not, under either key.
  auto under_a = OpenBlob(*a, *parsed, EncryptionContext());
  ASSERT_FALSE(under_a.ok());
  EXPECT_EQ(under_a.error().code, ErrorCode::kInvalidCiphertext);
  auto under_b = OpenBlob(*b, *parsed, EncryptionContext());
  ASSERT_FALSE(under_b.ok());
  EXPECT_EQ(under_b.error().code, ErrorCode::kInvalidCiphertext);
}

TEST(WrappedBlobTest, WrongKeyFails) {
  const auto a = KeyFill(0xa);
  const auto b = KeyFill(0xb);
  const auto blob = MustSeal(*a, Id("acme/app"), 3, Bytes("secret"), EncryptionContext());
  EXPECT_FALSE(ParseAndOpen(*b, blob, EncryptionContext()));
  EXPECT_TRUE(ParseAndOpen(*a, blob, EncryptionContext()));
}

TEST(WrappedBlobTest, ParsedHeaderFromAnotherBlobFails) {
  // The same key and context, but the header names another key id or
  // version: the header is authenticated, so the blob does not open.
  const auto key = KeyFill(3);
  const auto blob = MustSeal(*key, Id("acme/app"), 5, Bytes("secret"), EncryptionContext());
  auto other_id = blob;
  other_id[2] = 'b';  // "bcme/app"
  EXPECT_TRUE(ParseBlob(other_id).ok());
  EXPECT_FALSE(ParseAndOpen(*key, other_id, EncryptionContext()));
  auto other_version = blob;
  other_version[2 + 8 + 3] = 6;
  EXPECT_TRUE(ParseBlob(other_version).ok());
  EXPECT_FALSE(ParseAndOpen(*key, other_version, EncryptionContext()));
}

TEST(WrappedBlobTest, SealRefusesPlaintextSizes) {
  const auto key = KeyFill(4);
  auto empty = SealBlob(*key, Id("acme/app"), 1, {}, EncryptionContext());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidRequest);
  const std::vector<std::uint8_t> big(kMaxWrapPlaintext + 1, 1);
  auto too_big = SealBlob(*key, Id("acme/app"), 1, big, EncryptionContext());
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidRequest);
  // The limits themselves are fine.
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(ParseAndOpen(
      *key, MustSeal(*key, Id("acme/app"), 1, std::vector<std::uint8_t>(1, 9), EncryptionContext()),
      EncryptionContext(), &out));
  EXPECT_EQ(out, std::vector<std::uint8_t>(1, 9));
  const std::vector<std::uint8_t> max(kMaxWrapPlaintext, 7);
  EXPECT_TRUE(ParseAndOpen(*key, MustSeal(*key, Id("acme/app"), 1, max, EncryptionContext()),
                           EncryptionContext(), &out));
  EXPECT_EQ(out, max);
}

TEST(WrappedBlobTest, SealRefusesVersionZero) {
  const auto key = KeyFill(4);
  auto r = SealBlob(*key, Id("acme/app"), 0, Bytes("x"), EncryptionContext());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST(WrappedBlobTest, LongestKeyId) {
  const auto key = KeyFill(5);
  const KeyId id = KeyId::Create(std::string(64, 't'), std::string(128, 'N')).value();
  const auto blob = MustSeal(*key, id, UINT32_MAX, Bytes("x"), EncryptionContext());
  EXPECT_EQ(blob[1], 193);
  auto parsed = ParseBlob(blob);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.key_id, id);
  EXPECT_EQ(parsed->header.key_version, UINT32_MAX);
  EXPECT_TRUE(OpenBlob(*key, *parsed, EncryptionContext()).ok());
}

// Builds a blob by hand with a correct GCM seal over whatever header bytes
// are given, so that only the field under test is wrong.
std::vector<std::uint8_t> HandBlob(const CommittedKey& key, std::uint8_t format,
                                   std::string_view id, std::uint32_t version,
                                   std::size_t plaintext_size) {
  std::vector<std::uint8_t> blob;
  ByteWriter w(&blob);
  w.PutU8(format);
  w.PutU8(static_cast<std::uint8_t>(id.size()));
  w.PutString(id);
  w.PutU32(version);
  w.PutBytes(key.commitment());
  std::vector<std::uint8_t> aad = blob;
  EncryptionContext().AppendCanonical(&aad);
  EXPECT_TRUE(key.aead().Seal(std::vector<std::uint8_t>(plaintext_size, 1), aad, &blob).ok());
  return blob;
}

TEST(WrappedBlobTest, HandBuiltBlobMatchesSealBlob) {
  const auto key = KeyFill(6);
  const auto blob = HandBlob(*key, 1, "acme/app", 9, 10);
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(ParseAndOpen(*key, blob, EncryptionContext(), &out));
  EXPECT_EQ(out, std::vector<std::uint8_t>(10, 1));
}

TEST(WrappedBlobTest, ParseRefusesOtherFormats) {
  const auto key = KeyFill(6);
  for (int format : {0, 2, 0x7f, 0x80, 0xff}) {
    ExpectParseRefused(HandBlob(*key, static_cast<std::uint8_t>(format), "acme/app", 9, 10),
                       "format " + std::to_string(format));
  }
}

TEST(WrappedBlobTest, ParseRefusesInvalidKeyIds) {
  const auto key = KeyFill(6);
  const std::vector<std::string_view> ids = {"",           "acme",
                                             "acme/",      "/app",
                                             "Acme/app",   "acme/app/x",
                                             "acme/.",     "acme/..",
                                             "-acme/app",  "acme/-app",
                                             "acme/a b",   "acme/\xc3\xa9",
                                             "acme/app\n", std::string_view("acme\0/app", 9)};
  for (std::string_view id : ids) {
    ExpectParseRefused(HandBlob(*key, 1, id, 9, 10), "key id \"" + std::string(id) + "\"");
  }
  const std::string long_tenant = std::string(65, 't') + "/n";
  ExpectParseRefused(HandBlob(*key, 1, long_tenant, 9, 10), "65-byte tenant");
  const std::string long_name = "t/" + std::string(129, 'n');
  ExpectParseRefused(HandBlob(*key, 1, long_name, 9, 10), "129-byte name");
}

TEST(WrappedBlobTest, ParseRefusesVersionZero) {
  const auto key = KeyFill(6);
  ExpectParseRefused(HandBlob(*key, 1, "acme/app", 0, 10), "version 0");
  EXPECT_TRUE(ParseBlob(HandBlob(*key, 1, "acme/app", 1, 10)).ok());
}

TEST(WrappedBlobTest, ParseRefusesCiphertextSizes) {
  const auto key = KeyFill(6);
  ExpectParseRefused(HandBlob(*key, 1, "acme/app", 1, 0), "empty ciphertext");
  ExpectParseRefused(HandBlob(*key, 1, "acme/app", 1, kMaxWrapPlaintext + 1), "4097 bytes");
  EXPECT_TRUE(ParseBlob(HandBlob(*key, 1, "acme/app", 1, 1)).ok());
  EXPECT_TRUE(ParseBlob(HandBlob(*key, 1, "acme/app", 1, kMaxWrapPlaintext)).ok());
}

TEST(WrappedBlobTest, ParseRefusesEmptyAndHeaderOnly) {
  ExpectParseRefused({}, "empty");
  const auto key = KeyFill(6);
  const auto blob = HandBlob(*key, 1, "acme/app", 1, 5);
  ExpectParseRefused(std::span(blob).first(46), "header only");
  ExpectParseRefused(std::span(blob).first(46 + 28), "header, nonce and tag only");
}

}  // namespace
}  // namespace keyhold::crypto
