#include "tests/testlib/test_pki.h"

namespace keyhold::testing {

TestPki MakeTestPki(const std::filesystem::path& dir) {
  // The build makes the PKI once (make_test_pki.sh); each test gets its own
  // copy. Eight openssl runs per test were most of a server test's time.
  std::filesystem::create_directories(dir);
  std::filesystem::copy(
      KEYHOLD_TEST_PKI_DIR, dir,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  return TestPki{
      dir / "ca.crt",     dir / "server.crt",         dir / "server.key",        dir / "client.crt",
      dir / "client.key", dir / "foreign-client.crt", dir / "foreign-client.key"};
}

}  // namespace keyhold::testing
