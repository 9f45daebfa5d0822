// Tests for kms/byok/import_token.h: the record round-trips at its limits,
// and every truncation, trailing byte and broken field is refused as
// kStoreCorrupt (the store seals these records, so a bad one was not
// written by Keyhold).
#include "kms/byok/import_token.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace keyhold::kms {
namespace {

ImportToken Sample(std::size_t der_size = 1200) {
  return ImportToken{
      .key = crypto::KeyId::Parse("acme/byok").value(),
      .created_at = 1700000000,
      .expires_at = 1700086400,
      .key_bits = 3072,
      .private_key_der =
          crypto::SecretBytes::CopyFrom(std::vector<std::uint8_t>(der_size, 0x30)).value()};
}

std::vector<std::uint8_t> Body(const ImportToken& t) {
  auto body = EncodeImportToken(t);
  EXPECT_TRUE(body.ok()) << body.error().message;
  const auto v = body->Reveal(crypto::SecretAccess::Get());
  return {v.begin(), v.end()};
}

void ExpectCorrupt(const std::vector<std::uint8_t>& body, const std::string& what) {
  auto parsed = ParseImportToken(body);
  ASSERT_FALSE(parsed.ok()) << what;
  EXPECT_EQ(parsed.error().code, ErrorCode::kStoreCorrupt) << what;
}

TEST(ImportTokenTest, RoundTrips) {
  for (std::size_t der : {std::size_t{1}, std::size_t{2400}, std::size_t{8192}}) {
    const auto body = Body(Sample(der));
    auto parsed = ParseImportToken(body);
    ASSERT_TRUE(parsed.ok()) << der;
    EXPECT_EQ(parsed->key.ToString(), "acme/byok");
    EXPECT_EQ(parsed->created_at, 1700000000);
    EXPECT_EQ(parsed->expires_at, 1700086400);
    EXPECT_EQ(parsed->key_bits, 3072u);
    EXPECT_EQ(parsed->private_key_der.size(), der);
    EXPECT_EQ(Body(*parsed), body);
  }
  EXPECT_FALSE(EncodeImportToken(Sample(8193)).ok());
}

TEST(ImportTokenTest, EveryTruncationAndTrailingByteIsRefused) {
  const auto body = Body(Sample(40));
  for (std::size_t n = 0; n < body.size(); ++n) {
    ExpectCorrupt({body.begin(), body.begin() + static_cast<long>(n)},
                  "length " + std::to_string(n));
  }
  auto longer = body;
  longer.push_back(0);
  ExpectCorrupt(longer, "trailing byte");
}

TEST(ImportTokenTest, BrokenFieldsAreRefused) {
  // Offsets: format 0, id length 1, "acme/byok" 2..10, created 11..18,
  // expires 19..26, bits 27..30, DER length 31..32, DER 33...
  const std::vector<std::pair<std::string, std::function<void(std::vector<std::uint8_t>*)>>> table =
      {
          {"format 0", [](auto* b) { (*b)[0] = 0; }},
          {"format 2", [](auto* b) { (*b)[0] = 2; }},
          {"key id without a slash", [](auto* b) { (*b)[6] = '_'; }},
          {"key id length past the end", [](auto* b) { (*b)[1] = 0xff; }},
          {"expires before created",
           [](auto* b) { std::fill(b->begin() + 19, b->begin() + 27, std::uint8_t{0}); }},
          {"expires negative", [](auto* b) { (*b)[19] = 0x80; }},
          {"bits 2048", [](auto* b) { (*b)[29] = 0x08, (*b)[30] = 0x00; }},
          {"DER length 0", [](auto* b) { (*b)[31] = 0, (*b)[32] = 0; }},
          {"DER length past the end", [](auto* b) { (*b)[31] = 0x7f; }},
      };
  const auto good = Body(Sample(40));
  ASSERT_TRUE(ParseImportToken(good).ok());
  for (const auto& [name, mutate] : table) {
    auto body = good;
    mutate(&body);
    ExpectCorrupt(body, name);
  }
}

}  // namespace
}  // namespace keyhold::kms
