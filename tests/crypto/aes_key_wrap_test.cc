// Tests for crypto/aes_key_wrap.h: the RFC 3394 section 4 answers for a
// 256-bit KEK, KWP answers from an independent implementation, round trips
// over every size each mode takes up to 264 bytes and at its limits, sizes
// each mode refuses, the tamper sweep (every bit of a wrapped key flipped,
// every truncation, an appended block, the wrong KEK, the other mode): each
// unwrap failure is the one kInvalidCiphertext with the catalogue's text.
// KEKs other than 256 bits are refused by Create. (Wycheproof's KW and KWP
// files run in wycheproof_test.cc.)
#include "crypto/aes_key_wrap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/secret_bytes.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto view = s.Reveal(SecretAccess::Get());
  return {view.begin(), view.end()};
}

SecretBytes Secret(const std::vector<std::uint8_t>& bytes) {
  return SecretBytes::CopyFrom(bytes).value();
}

std::vector<std::uint8_t> Pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + 7 * i);
  }
  return v;
}

// The RFC 3394 KEK: 00 01 02 ... 1f.
SecretBytes RfcKek() {
  return Secret(FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
}

std::unique_ptr<Aes256KeyWrap> MustCreate(const SecretBytes& kek, KeyWrapMode mode) {
  auto wrap = Aes256KeyWrap::Create(kek, mode);
  EXPECT_TRUE(wrap.ok()) << wrap.error().message;
  return std::move(wrap).value();
}

std::vector<std::uint8_t> MustWrap(const Aes256KeyWrap& wrap,
                                   const std::vector<std::uint8_t>& key) {
  auto wrapped = wrap.Wrap(Secret(key));
  EXPECT_TRUE(wrapped.ok()) << wrapped.error().message;
  return wrapped.ok() ? *wrapped : std::vector<std::uint8_t>{};
}

void ExpectGenericFailure(const Result<SecretBytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": unwrapped " << ToHex(Reveal(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext) << what;
  EXPECT_EQ(r.error().message, Info(ErrorCode::kInvalidCiphertext).safe_text) << what;
}

TEST(Aes256KeyWrapTest, CreateRefusesOtherKekSizes) {
  for (std::size_t size : {0, 1, 16, 24, 31, 33, 64}) {
    for (KeyWrapMode mode : {KeyWrapMode::kKw, KeyWrapMode::kKwp}) {
      auto wrap = Aes256KeyWrap::Create(Secret(Pattern(size, 1)), mode);
      ASSERT_FALSE(wrap.ok()) << size;
      EXPECT_EQ(wrap.error().code, ErrorCode::kCryptoFailure);
    }
  }
}

TEST(Aes256KeyWrapTest, CreateRefusesAnUnknownMode) {
  auto wrap = Aes256KeyWrap::Create(RfcKek(), static_cast<KeyWrapMode>(7));
  ASSERT_FALSE(wrap.ok());
  EXPECT_EQ(wrap.error().code, ErrorCode::kCryptoFailure);
}

// RFC 3394 sections 4.5, 4.3 and 4.6: 128, 192 and 256 bits of key data
// under a 256-bit KEK.
TEST(Aes256KeyWrapTest, Rfc3394KnownAnswers) {
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  const struct {
    const char* key;
    const char* wrapped;
  } cases[] = {
      {"00112233445566778899aabbccddeeff", "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7"},
      {"00112233445566778899aabbccddeeff0001020304050607",
       "a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1"},
      {"00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
       "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ToHex(MustWrap(*kw, FromHex(c.key))), c.wrapped);
    auto key = kw->Unwrap(FromHex(c.wrapped));
    ASSERT_TRUE(key.ok()) << c.wrapped;
    EXPECT_EQ(ToHex(Reveal(*key)), c.key);
  }
}

// RFC 5649's own examples use a 192-bit KEK; these answers for the RFC 3394
// KEK come from pyca/cryptography 48 (aes_key_wrap_with_padding).
TEST(Aes256KeyWrapTest, KwpKnownAnswers) {
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  const struct {
    const char* key;
    const char* wrapped;
  } cases[] = {
      {"466f7250617369", "443b17837bb39348610d19202df8a1f9"},
      {"00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
       "4a8029243027353b0694cf1bd8fc745bb0ce8a739b19b1960b12426d4c39cfeda926d103ab34e9f6"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ToHex(MustWrap(*kwp, FromHex(c.key))), c.wrapped);
    auto key = kwp->Unwrap(FromHex(c.wrapped));
    ASSERT_TRUE(key.ok()) << c.wrapped;
    EXPECT_EQ(ToHex(Reveal(*key)), c.key);
  }
}

TEST(Aes256KeyWrapTest, WrappedSizes) {
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  EXPECT_EQ(kw->mode(), KeyWrapMode::kKw);
  EXPECT_EQ(kwp->mode(), KeyWrapMode::kKwp);
  EXPECT_EQ(kw->WrappedSize(0), 0u);
  EXPECT_EQ(kw->WrappedSize(8), 0u);
  EXPECT_EQ(kw->WrappedSize(15), 0u);
  EXPECT_EQ(kw->WrappedSize(16), 24u);
  EXPECT_EQ(kw->WrappedSize(17), 0u);
  EXPECT_EQ(kw->WrappedSize(32), 40u);
  EXPECT_EQ(kw->WrappedSize(Aes256KeyWrap::kMaxKeyWrapInput), 65544u);
  EXPECT_EQ(kw->WrappedSize(Aes256KeyWrap::kMaxKeyWrapInput + 8), 0u);
  EXPECT_EQ(kwp->WrappedSize(0), 0u);
  EXPECT_EQ(kwp->WrappedSize(1), 16u);
  EXPECT_EQ(kwp->WrappedSize(8), 16u);
  EXPECT_EQ(kwp->WrappedSize(9), 24u);
  EXPECT_EQ(kwp->WrappedSize(32), 40u);
  EXPECT_EQ(kwp->WrappedSize(33), 48u);
  EXPECT_EQ(kwp->WrappedSize(Aes256KeyWrap::kMaxKeyWrapInput), 65544u);
  EXPECT_EQ(kwp->WrappedSize(Aes256KeyWrap::kMaxKeyWrapInput + 1), 0u);
}

TEST(Aes256KeyWrapTest, KwRoundTripsEverySizeItTakes) {
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  std::vector<std::size_t> sizes;
  for (std::size_t size = 16; size <= 264; size += 8) {
    sizes.push_back(size);
  }
  sizes.push_back(Aes256KeyWrap::kMaxKeyWrapInput);
  for (std::size_t size : sizes) {
    const auto key = Pattern(size, static_cast<std::uint8_t>(size));
    const auto wrapped = MustWrap(*kw, key);
    ASSERT_EQ(wrapped.size(), size + 8) << size;
    EXPECT_EQ(wrapped, MustWrap(*kw, key)) << "KW is deterministic";
    auto back = kw->Unwrap(wrapped);
    ASSERT_TRUE(back.ok()) << size;
    EXPECT_EQ(Reveal(*back), key) << size;
  }
}

TEST(Aes256KeyWrapTest, KwpRoundTripsEverySizeUpTo264AndTheLimit) {
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  std::vector<std::size_t> sizes;
  for (std::size_t size = 1; size <= 264; ++size) {
    sizes.push_back(size);
  }
  sizes.push_back(Aes256KeyWrap::kMaxKeyWrapInput - 1);
  sizes.push_back(Aes256KeyWrap::kMaxKeyWrapInput);
  for (std::size_t size : sizes) {
    const auto key = Pattern(size, static_cast<std::uint8_t>(size));
    const auto wrapped = MustWrap(*kwp, key);
    ASSERT_EQ(wrapped.size(), kwp->WrappedSize(size)) << size;
    auto back = kwp->Unwrap(wrapped);
    ASSERT_TRUE(back.ok()) << size;
    EXPECT_EQ(Reveal(*back), key) << size;
  }
}

TEST(Aes256KeyWrapTest, WrapRefusesSizesTheModeDoesNotTake) {
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{15}, std::size_t{17},
        std::size_t{20}, std::size_t{31}, Aes256KeyWrap::kMaxKeyWrapInput + 8}) {
    auto wrapped = kw->Wrap(Secret(Pattern(size, 3)));
    ASSERT_FALSE(wrapped.ok()) << size;
    EXPECT_EQ(wrapped.error().code, ErrorCode::kInvalidRequest) << size;
  }
  for (std::size_t size : {std::size_t{0}, Aes256KeyWrap::kMaxKeyWrapInput + 1}) {
    auto wrapped = kwp->Wrap(Secret(Pattern(size, 3)));
    ASSERT_FALSE(wrapped.ok()) << size;
    EXPECT_EQ(wrapped.error().code, ErrorCode::kInvalidRequest) << size;
  }
}

TEST(Aes256KeyWrapTest, UnwrapRefusesSizesNoWrapProduces) {
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  for (std::size_t size : {0, 1, 7, 8, 15, 16, 23, 25, 33}) {
    ExpectGenericFailure(kw->Unwrap(Pattern(size, 5)), "KW size " + std::to_string(size));
  }
  for (std::size_t size : {0, 1, 7, 8, 15, 17, 23, 25}) {
    ExpectGenericFailure(kwp->Unwrap(Pattern(size, 5)), "KWP size " + std::to_string(size));
  }
  const std::size_t too_big = Aes256KeyWrap::kMaxKeyWrapInput + 16;
  ExpectGenericFailure(kw->Unwrap(std::vector<std::uint8_t>(too_big)), "KW too big");
  ExpectGenericFailure(kwp->Unwrap(std::vector<std::uint8_t>(too_big)), "KWP too big");
}

// Every bit of a wrapped key flipped, every truncation, an extra block, for
// keys of 32 bytes (both modes), 5 and 8 bytes (KWP's one-block case) and 9.
TEST(Aes256KeyWrapTest, TamperSweep) {
  struct Case {
    KeyWrapMode mode;
    std::size_t size;
  };
  for (const Case c :
       {Case{KeyWrapMode::kKw, 32}, Case{KeyWrapMode::kKw, 16}, Case{KeyWrapMode::kKwp, 32},
        Case{KeyWrapMode::kKwp, 5}, Case{KeyWrapMode::kKwp, 8}, Case{KeyWrapMode::kKwp, 9}}) {
    const auto wrap = MustCreate(RfcKek(), c.mode);
    const auto wrapped = MustWrap(*wrap, Pattern(c.size, 9));
    const std::string name = std::string(c.mode == KeyWrapMode::kKw ? "KW" : "KWP") + " of " +
                             std::to_string(c.size) + " bytes";
    for (std::size_t bit = 0; bit < wrapped.size() * 8; ++bit) {
      auto bad = wrapped;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      ExpectGenericFailure(wrap->Unwrap(bad), name + ", bit " + std::to_string(bit));
    }
    for (std::size_t len = 0; len < wrapped.size(); ++len) {
      ExpectGenericFailure(wrap->Unwrap(std::span(wrapped).first(len)),
                           name + ", truncated to " + std::to_string(len));
    }
    auto longer = wrapped;
    longer.insert(longer.end(), 8, 0);
    ExpectGenericFailure(wrap->Unwrap(longer), name + ", a block appended");
  }
}

TEST(Aes256KeyWrapTest, WrongKekOrModeFails) {
  const auto key = Pattern(32, 11);
  for (KeyWrapMode mode : {KeyWrapMode::kKw, KeyWrapMode::kKwp}) {
    const auto wrapped = MustWrap(*MustCreate(RfcKek(), mode), key);
    auto other_kek = Pattern(32, 0);
    other_kek[31] ^= 1;
    ExpectGenericFailure(MustCreate(Secret(other_kek), mode)->Unwrap(wrapped), "wrong KEK");
  }
  // KW's initial value is A6A6A6A6A6A6A6A6 and KWP's A65959A6 || length, so
  // neither mode accepts the other's output.
  const auto kw = MustCreate(RfcKek(), KeyWrapMode::kKw);
  const auto kwp = MustCreate(RfcKek(), KeyWrapMode::kKwp);
  const auto by_kw = MustWrap(*kw, key);
  const auto by_kwp = MustWrap(*kwp, key);
  EXPECT_NE(by_kw, by_kwp);
  ExpectGenericFailure(kwp->Unwrap(by_kw), "KW output under KWP");
  ExpectGenericFailure(kw->Unwrap(by_kwp), "KWP output under KW");
}

}  // namespace
}  // namespace keyhold::crypto
