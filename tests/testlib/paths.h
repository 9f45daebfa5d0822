// Where test data lives. Test-only.
#ifndef KEYHOLD_TESTS_TESTLIB_PATHS_H_
#define KEYHOLD_TESTS_TESTLIB_PATHS_H_

#include <filesystem>

namespace keyhold::testing {

// SourceDir is the repository root this test binary was built from.
std::filesystem::path SourceDir();

// WycheproofDir is ../shared/vectors/wycheproof relative to the repository
// root. It aborts the test program with a clear message if the folder is
// missing: a silently skipped vector suite would be a test that cannot fail.
std::filesystem::path WycheproofDir();

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_PATHS_H_
