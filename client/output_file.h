// OutputFile: where `keyhold encrypt` and `keyhold decrypt` write, so that a
// failure never leaves a half-written file under the name asked for.
//
// Bytes go to a new temporary file in the destination's directory (mode
// 0600, name ".NAME.keyhold-XXXXXX"). Commit makes it durable and visible:
// fsync the file, rename it over the destination, fsync the directory. If
// Commit is never reached, the destructor removes the temporary file. The
// path "-" is standard output: there is nothing to rename, so a reader of
// stdout must check the exit status (docs/library.md). Not thread-safe.
#ifndef KEYHOLD_CLIENT_OUTPUT_FILE_H_
#define KEYHOLD_CLIENT_OUTPUT_FILE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/error.h"

namespace keyhold::client {

class OutputFile {
 public:
  // Create opens the temporary file beside `path` (or takes stdout for
  // "-"). kIoError names the directory when it cannot.
  static Result<std::unique_ptr<OutputFile>> Create(const std::filesystem::path& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  int fd() const { return fd_; }
  // name is the destination as given, for messages.
  const std::string& name() const { return name_; }

  // Commit makes the output durable under its final name. After a failed
  // Commit the temporary file is still removed by the destructor.
  Status Commit();

 private:
  OutputFile(int fd, std::filesystem::path path, std::filesystem::path temp)
      : fd_(fd), path_(std::move(path)), temp_(std::move(temp)), name_(path_.string()) {}
  int fd_;
  std::filesystem::path path_;
  std::filesystem::path temp_;  // empty for stdout
  std::string name_;
  bool committed_ = false;
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_OUTPUT_FILE_H_
