#include "client/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace keyhold::client {
namespace {

Error IoError(const std::string& what, const std::filesystem::path& path) {
  return MakeError(ErrorCode::kIoError,
                   "cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

bool IsStdout(const std::filesystem::path& path) {
  return path == "-";
}

}  // namespace

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::filesystem::path& path) {
  if (IsStdout(path)) {
    return std::unique_ptr<OutputFile>(new OutputFile(STDOUT_FILENO, path, {}));
  }
  if (!path.has_filename()) {
    return MakeError(ErrorCode::kIoError, "the output " + path.string() + " is not a file name");
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string pattern = (dir / ("." + path.filename().string() + ".keyhold-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  // mkostemp creates the file with mode 0600, exclusively.
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return IoError("create a file in", dir);
  }
  return std::unique_ptr<OutputFile>(new OutputFile(fd, path, std::filesystem::path(name.data())));
}

OutputFile::~OutputFile() {
  if (temp_.empty()) {
    return;  // stdout: not ours to close
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!committed_) {
    ::unlink(temp_.c_str());
  }
}

Status OutputFile::Commit() {
  if (temp_.empty()) {
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
    return IoError("sync", temp_);
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    return IoError("close", temp_);
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return IoError("rename the output to", path_);
  }
  committed_ = true;
  // The rename is durable once the directory is.
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    return IoError("open the directory", dir);
  }
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) {
    return IoError("sync the directory", dir);
  }
  return Status::Ok();
}

}  // namespace keyhold::client
