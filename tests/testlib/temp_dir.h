// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the object goes away. Test-only.
#ifndef KEYHOLD_TESTS_TESTLIB_TEMP_DIR_H_
#define KEYHOLD_TESTS_TESTLIB_TEMP_DIR_H_

#include <filesystem>

namespace keyhold::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_TEMP_DIR_H_
