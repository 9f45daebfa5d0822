// Tests for crypto/key_transport.h: the algorithm names both ways, round
// trips for both algorithms, the byte layout taken apart with the primitives
// underneath (and built up from them), what Wrap refuses, and the tamper
// sweep: every byte of a wrapped blob flipped, every truncation, a byte
// appended, a wrong ephemeral key size, material of the wrong size, each
// one kInvalidCiphertext with the catalogue's text. The RSA key is the
// shared 3072-bit test key (tests/crypto/rsa_test_keys.h).
#include "crypto/key_transport.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/aes_key_wrap.h"
#include "crypto/rsa_oaep.h"
#include "crypto/secret_bytes.h"
#include "tests/crypto/rsa_test_keys.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::crypto::testing::RsaKey3072;
using keyhold::testing::ToHex;

constexpr std::size_t kK = 384;  // the 3072-bit key's modulus size
constexpr WrappingAlgorithm kBoth[] = {WrappingAlgorithm::kRsaesOaepSha256,
                                       WrappingAlgorithm::kRsaAesKeyWrapSha256};

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
    v[i] = static_cast<std::uint8_t>(seed + 11 * i);
  }
  return v;
}

const RsaPublicKey& PublicKey() {
  static const RsaPublicKey* const key =
      RsaPublicKey::FromPem(RsaKey3072().PublicKeyPem().value()).value().release();
  return *key;
}

std::vector<std::uint8_t> MustWrap(WrappingAlgorithm algorithm,
                                   const std::vector<std::uint8_t>& material) {
  auto wrapped = WrapKeyMaterial(PublicKey(), algorithm, Secret(material));
  EXPECT_TRUE(wrapped.ok()) << wrapped.error().message;
  return wrapped.ok() ? *wrapped : std::vector<std::uint8_t>{};
}

void ExpectGenericFailure(const Result<SecretBytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": unwrapped " << ToHex(Reveal(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext) << what;
  EXPECT_EQ(r.error().message, Info(ErrorCode::kInvalidCiphertext).safe_text) << what;
}

std::string Name(WrappingAlgorithm algorithm) {
  return std::string(WrappingAlgorithmName(algorithm));
}

TEST(WrappingAlgorithmTest, NamesBothWays) {
  EXPECT_EQ(WrappingAlgorithmName(WrappingAlgorithm::kRsaesOaepSha256), "RSAES_OAEP_SHA_256");
  EXPECT_EQ(WrappingAlgorithmName(WrappingAlgorithm::kRsaAesKeyWrapSha256),
            "RSA_AES_KEY_WRAP_SHA_256");
  for (WrappingAlgorithm algorithm : kBoth) {
    auto parsed = ParseWrappingAlgorithm(WrappingAlgorithmName(algorithm));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, algorithm);
  }
}

TEST(WrappingAlgorithmTest, ParseRefusesOtherNames) {
  for (const char* name :
       {"", "rsaes_oaep_sha_256", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256 ", " RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256\n", "RSAES_PKCS1_V1_5",
        "SYMMETRIC_DEFAULT", "a-very-distinctive-unknown-name"}) {
    auto parsed = ParseWrappingAlgorithm(name);
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest) << name;
  }
  EXPECT_EQ(
      ParseWrappingAlgorithm("a-very-distinctive-unknown-name").error().message.find("distinctive"),
      std::string::npos);
}

TEST(KeyTransportTest, RoundTripsBothAlgorithms) {
  for (WrappingAlgorithm algorithm : kBoth) {
    for (std::size_t size :
         {std::size_t{1}, std::size_t{16}, std::size_t{32}, std::size_t{33}, std::size_t{64}}) {
      const auto material = Pattern(size, static_cast<std::uint8_t>(size));
      const auto wrapped = MustWrap(algorithm, material);
      const std::size_t expected_wrapped =
          algorithm == WrappingAlgorithm::kRsaesOaepSha256 ? kK : kK + (size + 7) / 8 * 8 + 8;
      EXPECT_EQ(wrapped.size(), expected_wrapped) << Name(algorithm) << " " << size;
      auto back = UnwrapKeyMaterial(RsaKey3072(), algorithm, wrapped, size);
      ASSERT_TRUE(back.ok()) << Name(algorithm) << " " << size;
      EXPECT_EQ(Reveal(*back), material);
    }
  }
}

TEST(KeyTransportTest, EachWrapIsFresh) {
  const auto material = Pattern(32, 1);
  for (WrappingAlgorithm algorithm : kBoth) {
    const auto a = MustWrap(algorithm, material);
    const auto b = MustWrap(algorithm, material);
    EXPECT_NE(a, b) << Name(algorithm);
    if (algorithm == WrappingAlgorithm::kRsaAesKeyWrapSha256) {
      // A fresh ephemeral key each time, so the KWP parts differ too.
      EXPECT_NE(std::vector(a.begin() + kK, a.end()), std::vector(b.begin() + kK, b.end()));
    }
  }
}

// The layout of key_transport.h, taken apart with the primitives.
TEST(KeyTransportTest, LayoutTakenApart) {
  const auto material = Pattern(32, 40);
  const auto oaep = MustWrap(WrappingAlgorithm::kRsaesOaepSha256, material);
  ASSERT_EQ(oaep.size(), kK);
  EXPECT_EQ(Reveal(RsaKey3072().Decrypt(oaep).value()), material);

  const auto rsa_aes = MustWrap(WrappingAlgorithm::kRsaAesKeyWrapSha256, material);
  ASSERT_EQ(rsa_aes.size(), kK + 40);
  const SecretBytes ephemeral = RsaKey3072().Decrypt(std::span(rsa_aes).first(kK)).value();
  ASSERT_EQ(ephemeral.size(), kEphemeralKeySize);
  const auto kwp = Aes256KeyWrap::Create(ephemeral, KeyWrapMode::kKwp).value();
  EXPECT_EQ(Reveal(kwp->Unwrap(std::span(rsa_aes).subspan(kK)).value()), material);
}

// And built up from them, as another implementation would.
TEST(KeyTransportTest, LayoutBuiltUp) {
  const auto material = Pattern(32, 80);
  const auto ephemeral = Pattern(32, 9);
  std::vector<std::uint8_t> blob = PublicKey().Encrypt(ephemeral).value();
  const auto kwp = Aes256KeyWrap::Create(Secret(ephemeral), KeyWrapMode::kKwp).value();
  const auto wrapped_material = kwp->Wrap(Secret(material)).value();
  blob.insert(blob.end(), wrapped_material.begin(), wrapped_material.end());
  auto back = UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaAesKeyWrapSha256, blob, 32);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Reveal(*back), material);
  // The two layouts do not open as each other.
  ExpectGenericFailure(
      UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaesOaepSha256, blob, 32),
      "RSA_AES blob as OAEP");
  const auto oaep = MustWrap(WrappingAlgorithm::kRsaesOaepSha256, material);
  ExpectGenericFailure(
      UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaAesKeyWrapSha256, oaep, 32),
      "OAEP blob as RSA_AES");
}

TEST(KeyTransportTest, EphemeralKeyOfAnotherSizeFails) {
  const auto material = Pattern(32, 3);
  const auto kwp = Aes256KeyWrap::Create(Secret(Pattern(32, 5)), KeyWrapMode::kKwp).value();
  const auto wrapped_material = kwp->Wrap(Secret(material)).value();
  for (std::size_t size : {0, 1, 16, 24, 31, 33, 64}) {
    // The KWP part is made under Pattern(32, 5); the RSA part carries that
    // key cut or grown to `size`, so only its size is wrong.
    auto ephemeral = Pattern(size, 5);
    if (size > 32) {
      ephemeral = Pattern(32, 5);
      ephemeral.resize(size, 0);
    }
    std::vector<std::uint8_t> blob = PublicKey().Encrypt(ephemeral).value();
    blob.insert(blob.end(), wrapped_material.begin(), wrapped_material.end());
    ExpectGenericFailure(
        UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaAesKeyWrapSha256, blob, 32),
        "ephemeral key of " + std::to_string(size) + " bytes");
  }
}

TEST(KeyTransportTest, MaterialOfTheWrongSizeFails) {
  for (WrappingAlgorithm algorithm : kBoth) {
    for (std::size_t size : {1, 16, 31, 33, 64}) {
      const auto wrapped = MustWrap(algorithm, Pattern(size, 2));
      ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, wrapped, 32),
                           Name(algorithm) + ", material of " + std::to_string(size));
    }
    const auto wrapped = MustWrap(algorithm, Pattern(32, 2));
    ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, wrapped, 0),
                         Name(algorithm) + ", expected size 0");
    ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, wrapped, 31),
                         Name(algorithm) + ", expected size 31");
  }
}

TEST(KeyTransportTest, UnknownAlgorithmValue) {
  const auto bogus = static_cast<WrappingAlgorithm>(9);
  const auto wrapped = MustWrap(WrappingAlgorithm::kRsaesOaepSha256, Pattern(32, 2));
  ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), bogus, wrapped, 32), "unknown algorithm");
  auto refused = WrapKeyMaterial(PublicKey(), bogus, Secret(Pattern(32, 2)));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidRequest);
}

TEST(KeyTransportTest, WrapRefusesMaterialOutsideTheLayout) {
  struct Case {
    WrappingAlgorithm algorithm;
    std::size_t size;
  };
  for (const Case c :
       {Case{WrappingAlgorithm::kRsaesOaepSha256, 0},
        Case{WrappingAlgorithm::kRsaesOaepSha256, kK - kRsaOaepOverhead + 1},
        Case{WrappingAlgorithm::kRsaAesKeyWrapSha256, 0},
        Case{WrappingAlgorithm::kRsaAesKeyWrapSha256, Aes256KeyWrap::kMaxKeyWrapInput + 1}}) {
    auto wrapped = WrapKeyMaterial(PublicKey(), c.algorithm, Secret(Pattern(c.size, 1)));
    ASSERT_FALSE(wrapped.ok()) << Name(c.algorithm) << " " << c.size;
    EXPECT_EQ(wrapped.error().code, ErrorCode::kInvalidRequest);
  }
  // The largest each layout takes.
  const auto oaep_max = Pattern(kK - kRsaOaepOverhead, 1);
  EXPECT_EQ(Reveal(UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaesOaepSha256,
                                     MustWrap(WrappingAlgorithm::kRsaesOaepSha256, oaep_max),
                                     oaep_max.size())
                       .value()),
            oaep_max);
  const auto kwp_max = Pattern(Aes256KeyWrap::kMaxKeyWrapInput, 1);
  EXPECT_EQ(Reveal(UnwrapKeyMaterial(RsaKey3072(), WrappingAlgorithm::kRsaAesKeyWrapSha256,
                                     MustWrap(WrappingAlgorithm::kRsaAesKeyWrapSha256, kwp_max),
                                     kwp_max.size())
                       .value()),
            kwp_max);
}

// Every byte of a wrapped 32-byte key flipped (all bits of it), every
// truncation, a byte appended: each is the one generic error.
TEST(KeyTransportTest, TamperSweep) {
  const auto material = Pattern(32, 77);
  for (WrappingAlgorithm algorithm : kBoth) {
    const auto wrapped = MustWrap(algorithm, material);
    const std::string name = Name(algorithm);
    ASSERT_TRUE(UnwrapKeyMaterial(RsaKey3072(), algorithm, wrapped, 32).ok());
    for (std::size_t i = 0; i < wrapped.size(); ++i) {
      auto bad = wrapped;
      bad[i] ^= 0xff;
      ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, bad, 32),
                           name + ", byte " + std::to_string(i) + " flipped");
    }
    for (std::size_t len = 0; len < wrapped.size(); ++len) {
      ExpectGenericFailure(
          UnwrapKeyMaterial(RsaKey3072(), algorithm, std::span(wrapped).first(len), 32),
          name + ", truncated to " + std::to_string(len));
    }
    auto longer = wrapped;
    longer.push_back(0);
    ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, longer, 32),
                         name + ", a byte appended");
    auto block_longer = wrapped;
    block_longer.insert(block_longer.end(), 8, 0);
    ExpectGenericFailure(UnwrapKeyMaterial(RsaKey3072(), algorithm, block_longer, 32),
                         name + ", a block appended");
  }
}

}  // namespace
}  // namespace keyhold::crypto
