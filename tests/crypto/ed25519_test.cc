// Tests for crypto/ed25519.h: RFC 8032 section 7.1 tests 1 and 2 (public key
// from seed, exact signature, verification); any flipped bit of message,
// signature or public key fails; wrong sizes are false; a wrong seed size is
// refused.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

Ed25519Signer Signer(const char* seed_hex) {
  auto seed = SecretBytes::CopyFrom(FromHex(seed_hex));
  EXPECT_TRUE(seed.ok());
  auto signer = Ed25519Signer::FromSeed(*seed);
  EXPECT_TRUE(signer.ok());
  return std::move(signer).value();
}

TEST(Ed25519Test, Rfc8032Vectors) {
  struct Case {
    const char* seed;
    const char* public_key;
    const char* message;
    const char* signature;
  };
  const Case cases[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
       "9"
       "b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f"
       "1"
       "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const Case& c : cases) {
    const Ed25519Signer signer = Signer(c.seed);
    EXPECT_EQ(ToHex(signer.public_key()), c.public_key);
    const auto message = FromHex(c.message);
    EXPECT_EQ(ToHex(signer.Sign(message)), c.signature);
    EXPECT_TRUE(VerifyEd25519(FromHex(c.public_key), message, FromHex(c.signature)));
  }
}

TEST(Ed25519Test, AnyFlippedBitFails) {
  const Ed25519Signer signer =
      Signer("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  std::vector<std::uint8_t> message = {'c', 'h', 'e', 'c', 'k'};
  const Ed25519Signature sig = signer.Sign(message);
  std::vector<std::uint8_t> s(sig.begin(), sig.end());
  std::vector<std::uint8_t> pk(signer.public_key().begin(), signer.public_key().end());
  ASSERT_TRUE(VerifyEd25519(pk, message, s));
  const auto flip = [](std::vector<std::uint8_t>& v, std::size_t bit) {
    v[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  };
  for (std::size_t i = 0; i < s.size() * 8; ++i) {
    flip(s, i);
    EXPECT_FALSE(VerifyEd25519(pk, message, s)) << "signature bit " << i;
    flip(s, i);
  }
  for (std::size_t i = 0; i < message.size() * 8; ++i) {
    flip(message, i);
    EXPECT_FALSE(VerifyEd25519(pk, message, s)) << "message bit " << i;
    flip(message, i);
  }
  for (std::size_t i = 0; i < pk.size() * 8; ++i) {
    flip(pk, i);
    EXPECT_FALSE(VerifyEd25519(pk, message, s)) << "public key bit " << i;
    flip(pk, i);
  }
}

TEST(Ed25519Test, WrongSizesAreRefused) {
  const Ed25519Signer signer =
      Signer("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const std::vector<std::uint8_t> message = {1, 2, 3};
  const Ed25519Signature sig = signer.Sign(message);
  EXPECT_FALSE(VerifyEd25519(std::span(signer.public_key().data(), 31), message, sig));
  EXPECT_FALSE(VerifyEd25519(signer.public_key(), message, std::span(sig.data(), 63)));
  auto short_seed = SecretBytes::Allocate(31);
  ASSERT_TRUE(short_seed.ok());
  EXPECT_EQ(Ed25519Signer::FromSeed(*short_seed).error().code, ErrorCode::kCryptoFailure);
}

}  // namespace
}  // namespace keyhold::crypto
