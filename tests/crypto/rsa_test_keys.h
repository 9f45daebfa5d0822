// RSA key pairs shared by the tests of crypto/rsa_oaep.h and
// crypto/key_transport.h. Key generation is slow (a 3072-bit key takes
// hundreds of milliseconds, more under ASan), so each size is generated once
// per test binary, on first use, and never freed. Test-only.
#ifndef KEYHOLD_TESTS_CRYPTO_RSA_TEST_KEYS_H_
#define KEYHOLD_TESTS_CRYPTO_RSA_TEST_KEYS_H_

#include <cstdlib>
#include <iostream>

#include "crypto/rsa_oaep.h"

namespace keyhold::crypto::testing {

// GeneratedRsaKey returns a new key of `bits`, or aborts the test program.
inline RsaPrivateKey* GeneratedRsaKey(int bits) {
  auto key = RsaPrivateKey::Generate(bits);
  if (!key.ok()) {
    std::cerr << "FATAL: cannot generate an RSA-" << bits << " test key: " << key.error().message
              << "\n";
    std::abort();
  }
  return std::move(key).value().release();
}

// RsaKey3072 is the 3072-bit key most tests use.
inline const RsaPrivateKey& RsaKey3072() {
  static const RsaPrivateKey* const key = GeneratedRsaKey(3072);
  return *key;
}

// RsaKey4096 is generated for one test only (rsa_oaep_test.cc): it takes
// seconds.
inline const RsaPrivateKey& RsaKey4096() {
  static const RsaPrivateKey* const key = GeneratedRsaKey(4096);
  return *key;
}

}  // namespace keyhold::crypto::testing

#endif  // KEYHOLD_TESTS_CRYPTO_RSA_TEST_KEYS_H_
