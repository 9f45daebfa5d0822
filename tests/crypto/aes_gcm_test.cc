// Tests for crypto/aes_gcm.h: round trips over every plaintext size from 0 to
// 100 and 4096 with and without associated data, the exact output size, fresh
// nonces, Seal appending to what is already in `*out`, and the tamper sweep
// (every bit of the sealed output and of the AAD flipped, every truncation,
// an appended byte, the wrong key): each is kInvalidCiphertext. Keys of the
// wrong size are refused by Create. (Known answers are in wycheproof_test.cc.)
#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/secret_bytes.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto view = s.Reveal(SecretAccess::Get());
  return {view.begin(), view.end()};
}

SecretBytes Secret(const std::vector<std::uint8_t>& bytes) {
  return SecretBytes::CopyFrom(bytes).value();
}

// A fixed key: 00 01 02 ... 1f.
SecretBytes TestKey(std::uint8_t first = 0) {
  std::vector<std::uint8_t> k(32);
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<std::uint8_t>(first + i);
  }
  return Secret(k);
}

std::unique_ptr<Aes256Gcm> MustCreate(const SecretBytes& key) {
  auto aead = Aes256Gcm::Create(key);
  EXPECT_TRUE(aead.ok()) << aead.error().message;
  return std::move(aead).value();
}

std::vector<std::uint8_t> Pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + 7 * i);
  }
  return v;
}

std::vector<std::uint8_t> MustSeal(const Aes256Gcm& aead, const std::vector<std::uint8_t>& pt,
                                   const std::vector<std::uint8_t>& aad) {
  std::vector<std::uint8_t> out;
  const Status s = aead.Seal(pt, aad, &out);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return out;
}

void ExpectInvalid(const Result<SecretBytes>& r) {
  ASSERT_FALSE(r.ok()) << "opened: " << ToHex(Reveal(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext);
}

TEST(Aes256GcmTest, Constants) {
  EXPECT_EQ(Aes256Gcm::kKeySize, 32u);
  EXPECT_EQ(Aes256Gcm::kNonceSize, 12u);
  EXPECT_EQ(Aes256Gcm::kTagSize, 16u);
  EXPECT_EQ(Aes256Gcm::kOverhead, 28u);
}

TEST(Aes256GcmTest, CreateRefusesOtherKeySizes) {
  for (std::size_t size : {0, 1, 16, 24, 31, 33, 64}) {
    SecretBytes key = Secret(Pattern(size, 1));
    auto aead = Aes256Gcm::Create(key);
    ASSERT_FALSE(aead.ok()) << "size " << size;
    EXPECT_EQ(aead.error().code, ErrorCode::kCryptoFailure) << "size " << size;
  }
  EXPECT_TRUE(Aes256Gcm::Create(TestKey()).ok());
}

TEST(Aes256GcmTest, RoundTripEverySmallSizeWithAndWithoutAad) {
  auto aead = MustCreate(TestKey());
  const std::vector<std::uint8_t> aads[] = {{}, Bytes("associated data"), Pattern(1, 9)};
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 100; ++n) {
    sizes.push_back(n);
  }
  sizes.push_back(4096);
  for (const auto& aad : aads) {
    for (std::size_t n : sizes) {
      const auto pt = Pattern(n, static_cast<std::uint8_t>(n));
      const auto sealed = MustSeal(*aead, pt, aad);
      ASSERT_EQ(sealed.size(), n + 28) << "size " << n;
      auto opened = aead->Open(sealed, aad);
      ASSERT_TRUE(opened.ok()) << "size " << n << " aad " << aad.size();
      EXPECT_EQ(opened->size(), n);
      EXPECT_EQ(Reveal(*opened), pt) << "size " << n;
    }
  }
}

TEST(Aes256GcmTest, CiphertextIsNotPlaintext) {
  auto aead = MustCreate(TestKey());
  const auto pt = Pattern(64, 3);
  const auto sealed = MustSeal(*aead, pt, {});
  const std::vector<std::uint8_t> body(sealed.begin() + 12, sealed.end() - 16);
  EXPECT_NE(body, pt);
}

TEST(Aes256GcmTest, TwoSealsOfTheSameInputDiffer) {
  auto aead = MustCreate(TestKey());
  const auto pt = Bytes("same plaintext");
  const auto aad = Bytes("same aad");
  const auto a = MustSeal(*aead, pt, aad);
  const auto b = MustSeal(*aead, pt, aad);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(std::vector<std::uint8_t>(a.begin(), a.begin() + 12),
            std::vector<std::uint8_t>(b.begin(), b.begin() + 12))
      << "nonce repeated";
  EXPECT_NE(a, b);
  // Also for the empty plaintext, where the output is nonce || tag only.
  EXPECT_NE(MustSeal(*aead, {}, {}), MustSeal(*aead, {}, {}));
}

TEST(Aes256GcmTest, SealAppendsAndKeepsExistingBytes) {
  auto aead = MustCreate(TestKey());
  const std::vector<std::uint8_t> prefix = {0xde, 0xad, 0xbe, 0xef, 0x00};
  const auto pt = Bytes("appended");
  std::vector<std::uint8_t> out = prefix;
  ASSERT_TRUE(aead->Seal(pt, {}, &out).ok());
  ASSERT_EQ(out.size(), prefix.size() + pt.size() + 28);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 5), prefix);
  const std::vector<std::uint8_t> sealed(out.begin() + 5, out.end());
  auto opened = aead->Open(sealed, {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), pt);

  // A second Seal appends after the first.
  ASSERT_TRUE(aead->Seal(pt, {}, &out).ok());
  ASSERT_EQ(out.size(), prefix.size() + 2 * (pt.size() + 28));
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin() + 5, out.begin() + 5 + sealed.size()), sealed);
  auto second = aead->Open(std::span(out).subspan(5 + sealed.size()), {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Reveal(*second), pt);
}

TEST(Aes256GcmTest, FlipEveryBitOfSealedOutput) {
  auto aead = MustCreate(TestKey());
  const auto aad = Bytes("aad");
  for (std::size_t n : {0, 1, 17}) {
    const auto sealed = MustSeal(*aead, Pattern(n, 5), aad);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        auto bad = sealed;
        bad[i] ^= static_cast<std::uint8_t>(1u << bit);
        SCOPED_TRACE(::testing::Message() << "size " << n << " byte " << i << " bit " << bit);
        ExpectInvalid(aead->Open(bad, aad));
      }
    }
    EXPECT_TRUE(aead->Open(sealed, aad).ok());
  }
}

TEST(Aes256GcmTest, FlipEveryBitOfAad) {
  auto aead = MustCreate(TestKey());
  const auto aad = Bytes("tenant=acme;purpose=test");
  const auto sealed = MustSeal(*aead, Bytes("secret"), aad);
  for (std::size_t i = 0; i < aad.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = aad;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      SCOPED_TRACE(::testing::Message() << "byte " << i << " bit " << bit);
      ExpectInvalid(aead->Open(sealed, bad));
    }
  }
}

TEST(Aes256GcmTest, AadChangesInLength) {
  auto aead = MustCreate(TestKey());
  const auto aad = Bytes("abc");
  const auto sealed = MustSeal(*aead, Bytes("secret"), aad);
  ExpectInvalid(aead->Open(sealed, {}));
  ExpectInvalid(aead->Open(sealed, Bytes("ab")));
  ExpectInvalid(aead->Open(sealed, Bytes("abcd")));
  ExpectInvalid(aead->Open(sealed, Bytes(std::string_view("abc\0", 4))));
  // Sealed with empty AAD: any AAD, even a single zero byte, fails.
  const auto no_aad = MustSeal(*aead, Bytes("secret"), {});
  ExpectInvalid(aead->Open(no_aad, std::vector<std::uint8_t>{0}));
  EXPECT_TRUE(aead->Open(no_aad, {}).ok());
}

TEST(Aes256GcmTest, TruncateAtEveryLength) {
  auto aead = MustCreate(TestKey());
  const auto sealed = MustSeal(*aead, Pattern(40, 1), Bytes("x"));
  for (std::size_t len = 0; len < sealed.size(); ++len) {
    SCOPED_TRACE(::testing::Message() << "length " << len);
    ExpectInvalid(aead->Open(std::span(sealed).first(len), Bytes("x")));
  }
  // Dropping bytes from the front is also a truncation.
  for (std::size_t skip = 1; skip <= sealed.size(); ++skip) {
    SCOPED_TRACE(::testing::Message() << "skip " << skip);
    ExpectInvalid(aead->Open(std::span(sealed).subspan(skip), Bytes("x")));
  }
}

TEST(Aes256GcmTest, AppendedByteFails) {
  auto aead = MustCreate(TestKey());
  for (std::size_t n : {0, 1, 16}) {
    const auto sealed = MustSeal(*aead, Pattern(n, 2), {});
    for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
      auto longer = sealed;
      longer.push_back(extra);
      ExpectInvalid(aead->Open(longer, {}));
    }
  }
}

TEST(Aes256GcmTest, EmptyAndShortInputsFail) {
  auto aead = MustCreate(TestKey());
  ExpectInvalid(aead->Open({}, {}));
  ExpectInvalid(aead->Open(std::vector<std::uint8_t>(27, 0), {}));
  // 28 zero bytes have the right shape (empty plaintext) but a wrong tag.
  ExpectInvalid(aead->Open(std::vector<std::uint8_t>(28, 0), {}));
}

TEST(Aes256GcmTest, WrongKeyFails) {
  auto aead = MustCreate(TestKey(0));
  auto other = MustCreate(TestKey(1));
  for (std::size_t n : {0, 1, 100}) {
    const auto sealed = MustSeal(*aead, Pattern(n, 4), Bytes("aad"));
    ExpectInvalid(other->Open(sealed, Bytes("aad")));
  }
  // A key differing in one bit of its last byte.
  auto k = Pattern(32, 0);
  const auto sealed = MustSeal(*MustCreate(Secret(k)), Bytes("pt"), {});
  k[31] ^= 0x80;
  ExpectInvalid(MustCreate(Secret(k))->Open(sealed, {}));
}

TEST(Aes256GcmTest, CreateCopiesTheKey) {
  // Destroying or changing the caller's key after Create changes nothing.
  std::vector<std::uint8_t> sealed;
  std::unique_ptr<Aes256Gcm> aead;
  {
    SecretBytes key = TestKey(7);
    aead = MustCreate(key);
    key.RevealMutable(SecretAccess::Get())[0] ^= 1;
  }
  ASSERT_TRUE(aead->Seal(Bytes("pt"), {}, &sealed).ok());
  auto same = MustCreate(TestKey(7));
  auto opened = same->Open(sealed, {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), Bytes("pt"));
}

TEST(Aes256GcmTest, OpenAcceptsOutputOfAnotherInstanceWithTheSameKey) {
  auto a = MustCreate(TestKey(3));
  auto b = MustCreate(TestKey(3));
  const auto pt = FromHex("00ff00ff");
  auto opened = b->Open(MustSeal(*a, pt, Bytes("ctx")), Bytes("ctx"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), pt);
}

}  // namespace
}  // namespace keyhold::crypto
