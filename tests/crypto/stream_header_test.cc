// Tests for crypto/stream_header.h: the docs/formats.md layout spelled out
// byte by byte, round trips at the size limits, and a table of hostile
// headers (each refused with the one generic error), plus every truncation
// and every single-byte change that must not parse.
#include "crypto/stream_header.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "crypto/byte_reader.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;

EncryptionContext Ctx(std::vector<EncryptionContext::Entry> entries) {
  return EncryptionContext::Create(std::move(entries)).value();
}

StreamHeader Sample() {
  StreamHeader h{.chunk_size = 65536,
                 .key_id = KeyId::Parse("acme/files").value(),
                 .wrapped_key = Bytes("wrapped-data-key"),
                 .context = Ctx({{"file", "a.pdf"}})};
  for (std::size_t i = 0; i < h.salt.size(); ++i) {
    h.salt[i] = static_cast<std::uint8_t>(i);
  }
  for (std::size_t i = 0; i < h.nonce_prefix.size(); ++i) {
    h.nonce_prefix[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  h.commitment.fill(0xCC);
  return h;
}

std::vector<std::uint8_t> Serialize(const StreamHeader& h) {
  auto bytes = SerializeStreamHeader(h);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return std::move(bytes).value();
}

TEST(StreamHeaderTest, LayoutIsTheDocumentedOne) {
  const auto bytes = Serialize(Sample());
  std::vector<std::uint8_t> want = Bytes("KHSTREAM");
  ByteWriter w(&want);
  w.PutU8(0x01);
  w.PutU8(0x01);
  w.PutU32(65536);
  const std::size_t size = 16 + 1 + 10 + 2 + 16 + 2 + 15 + 32 + 7 + 32;
  w.PutU16(static_cast<std::uint16_t>(size));
  w.PutU8(10);
  w.PutString("acme/files");
  w.PutU16(16);
  w.PutString("wrapped-data-key");
  // Canonical context: count 1, then u16 key length, key, u16 value length, value.
  w.PutU16(15);
  w.PutU16(1);
  w.PutU16(4);
  w.PutString("file");
  w.PutU16(5);
  w.PutString("a.pdf");
  const StreamHeader h = Sample();
  w.PutBytes(h.salt);
  w.PutBytes(h.nonce_prefix);
  w.PutBytes(h.commitment);
  EXPECT_EQ(bytes, want);
  EXPECT_EQ(bytes.size(), size);
  // The commitment covers everything before it.
  EXPECT_EQ(StreamHeaderCommittedBytes(bytes).size(), size - 32);
}

TEST(StreamHeaderTest, RoundTripsAndReportsItsSizeFromThePrefix) {
  const StreamHeader h = Sample();
  const auto bytes = Serialize(h);
  auto size = StreamHeaderSize(std::span(bytes).first(kStreamPrefixSize));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, bytes.size());
  auto parsed = ParseStreamHeader(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->chunk_size, h.chunk_size);
  EXPECT_EQ(parsed->key_id, h.key_id);
  EXPECT_EQ(parsed->wrapped_key, h.wrapped_key);
  EXPECT_EQ(parsed->context, h.context);
  EXPECT_EQ(parsed->salt, h.salt);
  EXPECT_EQ(parsed->nonce_prefix, h.nonce_prefix);
  EXPECT_EQ(parsed->commitment, h.commitment);
}

TEST(StreamHeaderTest, RoundTripsAtTheLimits) {
  // The longest key id, the largest wrapped key and a context of 8 KiB.
  StreamHeader h = Sample();
  h.chunk_size = kMaxStreamChunkSize;
  h.key_id = KeyId::Create(std::string(64, 't'), std::string(128, 'n')).value();
  h.wrapped_key.assign(kMaxStreamWrappedKeySize, 0x5A);
  std::vector<EncryptionContext::Entry> entries;
  for (int i = 0; i < 3; ++i) {
    entries.emplace_back("k" + std::to_string(i), std::string(2048, 'v'));
  }
  entries.emplace_back("last", std::string(8192 - 2 - 3 * (2 + 2 + 2 + 2048) - 2 - 4 - 2, 'w'));
  h.context = Ctx(entries);
  const auto bytes = Serialize(h);
  EXPECT_LE(bytes.size(), kMaxStreamHeaderSize);
  auto parsed = ParseStreamHeader(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->context, h.context);
  EXPECT_EQ(parsed->chunk_size, kMaxStreamChunkSize);

  h.chunk_size = kMinStreamChunkSize;
  h.context = EncryptionContext();
  h.key_id = KeyId::Parse("a/b").value();
  h.wrapped_key = {1};
  ASSERT_TRUE(ParseStreamHeader(Serialize(h)).ok());
}

TEST(StreamHeaderTest, SerializeRefusesWhatParseWouldRefuse) {
  StreamHeader h = Sample();
  h.chunk_size = kMinStreamChunkSize - 1;
  EXPECT_FALSE(SerializeStreamHeader(h).ok());
  h.chunk_size = kMaxStreamChunkSize + 1;
  EXPECT_FALSE(SerializeStreamHeader(h).ok());
  h = Sample();
  h.wrapped_key.clear();
  EXPECT_FALSE(SerializeStreamHeader(h).ok());
  h.wrapped_key.assign(kMaxStreamWrappedKeySize + 1, 1);
  EXPECT_FALSE(SerializeStreamHeader(h).ok());
}

// Offsets in Sample()'s serialization.
constexpr std::size_t kChunkSizeAt = 10;
constexpr std::size_t kHeaderSizeAt = 14;
constexpr std::size_t kKeyIdLenAt = 16;
constexpr std::size_t kWrappedLenAt = 27;
constexpr std::size_t kContextLenAt = 45;

void PutU16At(std::vector<std::uint8_t>* b, std::size_t at, std::uint16_t v) {
  (*b)[at] = static_cast<std::uint8_t>(v >> 8);
  (*b)[at + 1] = static_cast<std::uint8_t>(v);
}

void PutU32At(std::vector<std::uint8_t>* b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    (*b)[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }
}

struct Hostile {
  std::string name;
  std::function<void(std::vector<std::uint8_t>*)> mutate;
};

TEST(StreamHeaderTest, HostileHeadersAreRefusedWithTheGenericError) {
  const std::vector<Hostile> table = {
      {"empty", [](auto* b) { b->clear(); }},
      {"magic lower case", [](auto* b) { (*b)[0] = 'k'; }},
      {"magic of another tool", [](auto* b) { std::copy_n("age-encr", 8, b->begin()); }},
      {"format 0", [](auto* b) { (*b)[8] = 0x00; }},
      {"format 2", [](auto* b) { (*b)[8] = 0x02; }},
      {"suite 0", [](auto* b) { (*b)[9] = 0x00; }},
      {"suite 2", [](auto* b) { (*b)[9] = 0x02; }},
      {"chunk size 0", [](auto* b) { PutU32At(b, kChunkSizeAt, 0); }},
      {"chunk size 4095", [](auto* b) { PutU32At(b, kChunkSizeAt, 4095); }},
      {"chunk size 16 MiB + 1", [](auto* b) { PutU32At(b, kChunkSizeAt, (16u << 20) + 1); }},
      {"chunk size 2^32 - 1", [](auto* b) { PutU32At(b, kChunkSizeAt, 0xFFFFFFFFu); }},
      {"header size 0", [](auto* b) { PutU16At(b, kHeaderSizeAt, 0); }},
      {"header size one short", [](auto* b) { PutU16At(b, kHeaderSizeAt, b->size() - 1); }},
      {"header size one long", [](auto* b) { PutU16At(b, kHeaderSizeAt, b->size() + 1); }},
      {"header size 65535", [](auto* b) { PutU16At(b, kHeaderSizeAt, 0xFFFF); }},
      {"trailing byte",
       [](auto* b) {
         b->push_back(0);
         PutU16At(b, kHeaderSizeAt, static_cast<std::uint16_t>(b->size()));
       }},
      {"key id length 0", [](auto* b) { (*b)[kKeyIdLenAt] = 0; }},
      {"key id length past the end", [](auto* b) { (*b)[kKeyIdLenAt] = 0xFF; }},
      {"key id without a slash", [](auto* b) { (*b)[kKeyIdLenAt + 5] = '_'; }},
      {"key id upper-case tenant", [](auto* b) { (*b)[kKeyIdLenAt + 1] = 'A'; }},
      {"key id with a NUL", [](auto* b) { (*b)[kKeyIdLenAt + 7] = 0; }},
      {"wrapped key length 0", [](auto* b) { PutU16At(b, kWrappedLenAt, 0); }},
      {"wrapped key length 1025", [](auto* b) { PutU16At(b, kWrappedLenAt, 1025); }},
      {"wrapped key length past the end", [](auto* b) { PutU16At(b, kWrappedLenAt, 0xFFFF); }},
      {"context length past the end", [](auto* b) { PutU16At(b, kContextLenAt, 0xFFFF); }},
      {"context length 0", [](auto* b) { PutU16At(b, kContextLenAt, 0); }},
      {"context count too high", [](auto* b) { PutU16At(b, kContextLenAt + 2, 2); }},
      {"context value not UTF-8", [](auto* b) { (*b)[kContextLenAt + 2 + 2 + 2 + 4 + 2] = 0xFF; }},
      {"truncated commitment",
       [](auto* b) {
         b->pop_back();
         PutU16At(b, kHeaderSizeAt, static_cast<std::uint16_t>(b->size()));
       }},
  };
  const auto good = Serialize(Sample());
  ASSERT_TRUE(ParseStreamHeader(good).ok());
  for (const auto& row : table) {
    auto bytes = good;
    row.mutate(&bytes);
    auto parsed = ParseStreamHeader(bytes);
    ASSERT_FALSE(parsed.ok()) << row.name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidCiphertext) << row.name;
  }
}

TEST(StreamHeaderTest, EveryTruncationIsRefused) {
  const auto good = Serialize(Sample());
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseStreamHeader(std::span(good).first(n)).ok()) << n;
  }
  for (std::size_t n = 0; n < kStreamPrefixSize; ++n) {
    EXPECT_FALSE(StreamHeaderSize(std::span(good).first(n)).ok()) << n;
  }
}

TEST(StreamHeaderTest, EveryByteOfTheFixedFieldsMatters) {
  // A change in the magic, format, suite, header length or key id length
  // must not parse. (A chunk size that stays in range parses; a change in
  // the salt, prefix or commitment parses too: the commitment check catches
  // those, stream_cipher_test.)
  const auto good = Serialize(Sample());
  for (std::size_t i = 0; i < 10; ++i) {
    auto bytes = good;
    bytes[i] ^= 0x01;
    EXPECT_FALSE(ParseStreamHeader(bytes).ok()) << "byte " << i;
  }
  for (std::size_t i = kHeaderSizeAt; i < kKeyIdLenAt + 1; ++i) {
    auto bytes = good;
    bytes[i] ^= 0x01;
    EXPECT_FALSE(ParseStreamHeader(bytes).ok()) << "byte " << i;
  }
}

TEST(StreamHeaderTest, CommittedBytesOfAShortInputAreEmpty) {
  const std::vector<std::uint8_t> tiny(31, 0);
  EXPECT_TRUE(StreamHeaderCommittedBytes(tiny).empty());
}

}  // namespace
}  // namespace keyhold::crypto
