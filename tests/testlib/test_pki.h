// TestPki: certificates for integration tests, made once per build with the
// openssl command (testlib/make_test_pki.sh, as scripts/dev-server does): a
// CA, a server certificate for localhost and 127.0.0.1, a client
// certificate with SAN DNS:app1.test, and a second, foreign CA with a client
// certificate of its own. Test-only.
#ifndef KEYHOLD_TESTS_TESTLIB_TEST_PKI_H_
#define KEYHOLD_TESTS_TESTLIB_TEST_PKI_H_

#include <filesystem>

namespace keyhold::testing {

struct TestPki {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path client_cert;  // SAN DNS:app1.test, CN=app1-cn
  std::filesystem::path client_key;
  std::filesystem::path foreign_client_cert;  // signed by another CA
  std::filesystem::path foreign_client_key;
};

// MakeTestPki copies the build's PKI into `dir` and names its files there.
TestPki MakeTestPki(const std::filesystem::path& dir);

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_TEST_PKI_H_
