#include "tests/testlib/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace keyhold::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/keyhold-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::cerr << "mkdtemp failed\n";
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace keyhold::testing
