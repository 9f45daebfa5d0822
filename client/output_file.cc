#include "client/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "client/fd_io.h"
#include "crypto/hex.h"
#include "crypto/random.h"

namespace keyhold::client {
namespace {

// IoError reads errno before anything else can change it.
Error IoError(const std::string& what, const std::filesystem::path& path) {
  const int err = errno;
  return MakeError(ErrorCode::kIoError,
                   "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

std::filesystem::path TempName(const std::filesystem::path& dir, const std::filesystem::path& path,
                               const std::string& suffix) {
  return dir / ("." + path.filename().string() + ".keyhold-" + suffix);
}

// Fd closes a descriptor when it goes out of scope.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

}  // namespace

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::filesystem::path& path) {
  if (path == "-") {
    return std::unique_ptr<OutputFile>(new OutputFile(STDOUT_FILENO, path, {}, {}, true));
  }
  if (!path.has_filename()) {
    return MakeError(ErrorCode::kIoError, "the output " + path.string() + " is not a file name");
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    return std::unique_ptr<OutputFile>(new OutputFile(fd, path, dir, {}, false));
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return IoError("create a file in", dir);
  }
  // No O_TMPFILE here: a named temporary file, created exclusively, 0600.
  const std::string pattern = TempName(dir, path, "XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int named = ::mkostemp(name.data(), O_CLOEXEC);
  if (named < 0) {
    return IoError("create a file in", dir);
  }
  return std::unique_ptr<OutputFile>(
      new OutputFile(named, path, dir, std::filesystem::path(name.data()), false));
}

OutputFile::~OutputFile() {
  if (is_stdout_) {
    return;  // not ours to close
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!committed_ && !temp_.empty()) {
    ::unlink(temp_.c_str());
  }
}

Status OutputFile::Append(std::span<const std::uint8_t> bytes) {
  KEYHOLD_TRY(WriteAll(fd_, bytes, name_));
  written_ += bytes.size();
  constexpr std::uint64_t kWritebackEvery = 8 * 1024 * 1024;
  if (!is_stdout_ && written_ - flushed_ >= kWritebackEvery) {
    // A hint: errors, if any, surface at Commit's fsync.
    (void)::sync_file_range(fd_, static_cast<off_t>(flushed_),
                            static_cast<off_t>(written_ - flushed_), SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (is_stdout_) {
    struct stat st {};
    // stdout redirected to a file is made durable too; a pipe or terminal
    // has nothing to sync.
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_) != 0) {
      return IoError("sync", path_);
    }
    committed_ = true;
    return Status::Ok();
  }
  if (::fsync(fd_) != 0) {
    return IoError("sync the output for", path_);
  }
  if (temp_.empty()) {
    // Give the unnamed file a name beside the destination. linkat cannot
    // replace a file, so it gets a fresh name and the rename replaces.
    KEYHOLD_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> random, crypto::RandomBytes(6));
    const std::filesystem::path temp = TempName(dir_, path_, crypto::HexEncode(random));
    const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    // Through /proc, or (no /proc mounted) AT_EMPTY_PATH, which needs
    // CAP_DAC_READ_SEARCH.
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) != 0 &&
        ::linkat(fd_, "", AT_FDCWD, temp.c_str(), AT_EMPTY_PATH) != 0) {
      return IoError("link the output in", dir_);
    }
    temp_ = temp;
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    return IoError("close the output for", path_);
  }
  // Open the directory first, so that nothing but its sync can fail after
  // the rename.
  const Fd dir{::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.fd < 0) {
    return IoError("open the directory", dir_);
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return IoError("rename the output to", path_);
  }
  committed_ = true;
  if (::fsync(dir.fd) != 0) {
    return IoError("sync the directory (the output is complete, but may not be durable)", dir_);
  }
  return Status::Ok();
}

}  // namespace keyhold::client
