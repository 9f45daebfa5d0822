#include "tests/testlib/paths.h"

#include <cstdlib>
#include <iostream>

namespace keyhold::testing {

std::filesystem::path SourceDir() {
  return std::filesystem::path(KEYHOLD_SOURCE_DIR);
}

std::filesystem::path WycheproofDir() {
  const auto dir = (SourceDir() / ".." / "shared" / "vectors" / "wycheproof").lexically_normal();
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << "FATAL: Wycheproof vectors not found at " << dir
              << " (expected ../shared/vectors/wycheproof beside the repository)\n";
    std::abort();
  }
  return dir;
}

}  // namespace keyhold::testing
