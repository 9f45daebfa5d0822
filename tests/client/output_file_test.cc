// Tests for client/output_file.h: bytes stay in an unnamed file until Commit
// names it and renames it over the destination; without Commit nothing is
// left, not even after a SIGKILL; the destination appears with mode 0600;
// "-" is stdout and is never closed.
#include "client/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iterator>

#include "client/fd_io.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::client {
namespace {

namespace fs = std::filesystem;

std::size_t FilesIn(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

TEST(OutputFileTest, CommitMovesTheBytesUnderTheFinalName) {
  keyhold::testing::TempDir dir;
  const fs::path dest = dir.path() / "out.bin";
  {
    auto out = OutputFile::Create(dest);
    ASSERT_TRUE(out.ok()) << out.error().message;
    const std::vector<std::uint8_t> bytes = {'h', 'i'};
    ASSERT_TRUE(WriteAll((*out)->fd(), bytes, "out").ok());
    EXPECT_FALSE(fs::exists(dest));      // not before Commit
    EXPECT_EQ(FilesIn(dir.path()), 0u);  // nor under any other name
    ASSERT_TRUE((*out)->Commit().ok());
  }
  std::ifstream in(dest);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "hi");
  struct stat st {};
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

TEST(OutputFileTest, WithoutCommitNothingIsLeft) {
  keyhold::testing::TempDir dir;
  std::ofstream(dir.path() / "old") << "old";
  {
    auto out = OutputFile::Create(dir.path() / "old");
    ASSERT_TRUE(out.ok());
    const std::vector<std::uint8_t> bytes = {'n', 'e', 'w'};
    ASSERT_TRUE(WriteAll((*out)->fd(), bytes, "out").ok());
  }
  EXPECT_EQ(FilesIn(dir.path()), 1u);
  std::ifstream in(dir.path() / "old");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
}

TEST(OutputFileTest, AKilledWriterLeavesNothing) {
  keyhold::testing::TempDir dir;
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto out = OutputFile::Create(dir.path() / "out.bin");
    const std::vector<std::uint8_t> bytes(4096, 'x');
    if (!out.ok() || !WriteAll((*out)->fd(), bytes, "out").ok()) {
      ::_exit(1);
    }
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(FilesIn(dir.path()), 0u);
}

TEST(OutputFileTest, ARelativeNameIsWrittenInTheWorkingDirectory) {
  keyhold::testing::TempDir dir;
  // Restores the working directory however the test ends.
  struct Cwd {
    fs::path saved = fs::current_path();
    ~Cwd() { fs::current_path(saved); }
  } cwd;
  fs::current_path(dir.path());
  {
    auto out = OutputFile::Create("plain-name");
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE((*out)->Commit().ok());
  }
  EXPECT_TRUE(fs::exists(dir.path() / "plain-name"));
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

TEST(OutputFileTest, BadDestinationsAreRefused) {
  keyhold::testing::TempDir dir;
  EXPECT_FALSE(OutputFile::Create(dir.path() / "missing" / "x").ok());
  EXPECT_FALSE(OutputFile::Create(dir.path() / "").ok());
  auto out = OutputFile::Create(dir.path() / "sub");
  ASSERT_TRUE(out.ok());
  fs::create_directory(dir.path() / "sub2");
  {
    auto onto_dir = OutputFile::Create(dir.path() / "sub2");
    ASSERT_TRUE(onto_dir.ok());
    EXPECT_FALSE((*onto_dir)->Commit().ok());  // rename over a directory fails
  }
  // The failed Commit left no temporary file: only sub2 is there.
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

TEST(OutputFileTest, DashIsStdoutAndStaysOpen) {
  {
    auto out = OutputFile::Create("-");
    ASSERT_TRUE(out.ok());
    EXPECT_EQ((*out)->fd(), STDOUT_FILENO);
    EXPECT_TRUE((*out)->Commit().ok());
  }
  EXPECT_NE(::fcntl(STDOUT_FILENO, F_GETFD), -1);
}

}  // namespace
}  // namespace keyhold::client
