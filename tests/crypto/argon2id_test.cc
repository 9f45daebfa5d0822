// Tests for crypto/argon2id.h: known answers computed independently with the
// Argon2 reference library (libargon2, argon2id_hash_raw, v1.3, parallelism
// 1, 32-byte output), determinism, that passphrase, salt and cost each change
// the key, the libsodium bounds, and the documented MODERATE and INTERACTIVE
// costs with fresh salts. Tests use cheap parameters (1 pass, 8 MiB); one
// INTERACTIVE derivation runs, the MODERATE one (256 MiB) never does.
#include "crypto/argon2id.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::ToHex;

constexpr std::uint64_t kCheapOps = 1;
constexpr std::uint64_t kCheapMem = 8192 * 1024;  // 8 MiB

SecretBytes Passphrase(std::string_view text) {
  return SecretBytes::CopyFrom(Bytes(text)).value();
}

Argon2idParams Cheap(std::uint8_t salt_start = 0) {
  Argon2idParams p;
  p.ops_limit = kCheapOps;
  p.mem_limit = kCheapMem;
  for (std::size_t i = 0; i < p.salt.size(); ++i) {
    p.salt[i] = static_cast<std::uint8_t>(salt_start + i);
  }
  return p;
}

std::string Derive(std::string_view passphrase, const Argon2idParams& params) {
  auto key = Argon2idDeriveKey(Passphrase(passphrase), params);
  EXPECT_TRUE(key.ok()) << key.error().message;
  if (!key.ok()) {
    return "";
  }
  EXPECT_EQ(key->size(), 32u);
  return ToHex(key->Reveal(SecretAccess::Get()));
}

void ExpectRefused(const Argon2idParams& params) {
  auto key = Argon2idDeriveKey(Passphrase("pw"), params);
  ASSERT_FALSE(key.ok()) << "ops " << params.ops_limit << " mem " << params.mem_limit;
  EXPECT_EQ(key.error().code, ErrorCode::kCryptoFailure);
}

// Reference values: libargon2 argon2id_hash_raw(t_cost, m_cost = 8192 KiB,
// parallelism 1, pwd, salt, 32-byte hash).
TEST(Argon2idTest, KnownAnswerOnePass) {
  EXPECT_EQ(Derive("correct horse battery staple", Cheap(0)),
            "9aeef75313e585f492c33c5e12d82e9ad253b7dd78632d537e899cd4eddd789c");
}

TEST(Argon2idTest, KnownAnswerTwoPasses) {
  Argon2idParams p = Cheap(0);
  p.ops_limit = 2;
  EXPECT_EQ(Derive("correct horse battery staple", p),
            "a891dd91a3d123add6ea78ceedcc94a7f1dc1e4ca480e57e6f240a113662ea2f");
}

TEST(Argon2idTest, KnownAnswerEmptyPassphraseZeroSalt) {
  Argon2idParams p = Cheap(0);
  p.salt.fill(0);
  auto key = Argon2idDeriveKey(SecretBytes(), p);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(ToHex(key->Reveal(SecretAccess::Get())),
            "84eaad96ccdaa015b4bf9ac7bd48a571c32b63d721c2173a45148d9910e933c8");
}

TEST(Argon2idTest, Deterministic) {
  const Argon2idParams p = Cheap(9);
  EXPECT_EQ(Derive("passphrase", p), Derive("passphrase", p));
}

TEST(Argon2idTest, PassphraseChangesKey) {
  const Argon2idParams p = Cheap(9);
  const std::string base = Derive("passphrase", p);
  EXPECT_NE(base, Derive("passphrasf", p));
  EXPECT_NE(base, Derive("passphrase ", p));
  EXPECT_NE(base, Derive("", p));
}

TEST(Argon2idTest, SaltChangesKey) {
  Argon2idParams p = Cheap(9);
  const std::string base = Derive("passphrase", p);
  p.salt[15] ^= 1;
  EXPECT_NE(base, Derive("passphrase", p));
}

TEST(Argon2idTest, OpsAndMemoryChangeKey) {
  Argon2idParams p = Cheap(9);
  const std::string base = Derive("passphrase", p);
  p.ops_limit = 2;
  EXPECT_NE(base, Derive("passphrase", p));
  p = Cheap(9);
  p.mem_limit = kCheapMem + 1024 * 1024;
  EXPECT_NE(base, Derive("passphrase", p));
}

TEST(Argon2idTest, BoundsRefused) {
  Argon2idParams p = Cheap();
  p.ops_limit = 0;
  ExpectRefused(p);
  p = Cheap();
  p.ops_limit = std::uint64_t{crypto_pwhash_argon2id_OPSLIMIT_MAX} + 1;
  ExpectRefused(p);
  p = Cheap();
  p.mem_limit = crypto_pwhash_argon2id_MEMLIMIT_MIN - 1;
  ExpectRefused(p);
  p = Cheap();
  p.mem_limit = 0;
  ExpectRefused(p);
  p = Cheap();
  p.mem_limit = std::uint64_t{crypto_pwhash_argon2id_MEMLIMIT_MAX} + 1;
  ExpectRefused(p);
  p = Cheap();
  p.mem_limit = UINT64_MAX;
  ExpectRefused(p);
  // Default-constructed params are all zero, and refused.
  ExpectRefused(Argon2idParams{});
}

TEST(Argon2idTest, MinimumBoundsAccepted) {
  Argon2idParams p = Cheap();
  p.ops_limit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  p.mem_limit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  EXPECT_EQ(p.ops_limit, 1u);
  EXPECT_FALSE(Derive("pw", p).empty());
}

TEST(Argon2idTest, ModerateParamsAreDocumentedValues) {
  auto p = Argon2idModerateParams();
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->ops_limit, 3u);
  EXPECT_EQ(p->mem_limit, 256u * 1024 * 1024);
}

TEST(Argon2idTest, InteractiveParamsAreDocumentedValues) {
  auto p = Argon2idInteractiveParams();
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->ops_limit, 2u);
  EXPECT_EQ(p->mem_limit, 64u * 1024 * 1024);
}

TEST(Argon2idTest, ParamsHaveFreshRandomSalts) {
  std::set<std::array<std::uint8_t, 16>> salts;
  for (int i = 0; i < 8; ++i) {
    auto m = Argon2idModerateParams();
    auto n = Argon2idInteractiveParams();
    ASSERT_TRUE(m.ok() && n.ok());
    salts.insert(m->salt);
    salts.insert(n->salt);
  }
  EXPECT_EQ(salts.size(), 16u);
  EXPECT_EQ(salts.count(std::array<std::uint8_t, 16>{}), 0u);
}

TEST(Argon2idTest, OneInteractiveDerivation) {
  auto p = Argon2idInteractiveParams();
  ASSERT_TRUE(p.ok());
  const std::string interactive = Derive("passphrase", *p);
  ASSERT_EQ(interactive.size(), 64u);
  Argon2idParams cheap = Cheap();
  cheap.salt = p->salt;
  EXPECT_NE(interactive, Derive("passphrase", cheap));
}

}  // namespace
}  // namespace keyhold::crypto
