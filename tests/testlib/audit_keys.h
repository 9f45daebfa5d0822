// Fixed audit keys for tests: a 32-byte key of one repeated byte (mac or
// context key), and the Ed25519 signer whose seed is FixedKey(9). Fixed so
// that lines written by one test read back the same in another. Test-only.
#ifndef KEYHOLD_TESTS_TESTLIB_AUDIT_KEYS_H_
#define KEYHOLD_TESTS_TESTLIB_AUDIT_KEYS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/secret_bytes.h"

namespace keyhold::testing {

inline crypto::SecretBytes FixedKey(std::uint8_t fill) {
  auto k = crypto::SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill));
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

inline crypto::Ed25519Signer FixedSigner() {
  auto s = crypto::Ed25519Signer::FromSeed(FixedKey(9));
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_AUDIT_KEYS_H_
