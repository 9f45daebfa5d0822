// OutputFile: where `keyhold encrypt` and `keyhold decrypt` write, so that a
// failure never leaves a half-written file under the name asked for.
//
// Bytes go to an unnamed file in the destination's directory (O_TMPFILE,
// mode 0600): if the process dies, even by SIGKILL, the kernel frees it and
// nothing is left. Commit makes it durable and visible: fsync the file, link
// it as ".NAME.keyhold-XXXXXXXXXXXX", rename that over the destination,
// fsync the directory. On a file system without O_TMPFILE the file is a
// named temporary file from the start (mkostemp), removed by the destructor
// on every failure, but left behind if the process is killed. The path "-"
// is standard output: there is nothing to rename, so a reader of stdout must
// check the exit status (docs/library.md). Not thread-safe. May include:
// std, POSIX, crypto/.
#ifndef KEYHOLD_CLIENT_OUTPUT_FILE_H_
#define KEYHOLD_CLIENT_OUTPUT_FILE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/error.h"

namespace keyhold::client {

class OutputFile {
 public:
  // Create opens the unnamed file beside `path` (or takes stdout for "-").
  // kIoError names the directory when it cannot.
  static Result<std::unique_ptr<OutputFile>> Create(const std::filesystem::path& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // fd is where to write; it stays open until Commit or destruction.
  int fd() const { return fd_; }
  // name is the destination as given, for messages.
  const std::string& name() const { return name_; }

  // Commit makes the output durable under its final name. A failure before
  // the rename leaves nothing; a failure to sync the directory after it
  // leaves the complete file under its name, possibly not yet durable, and
  // says so.
  Status Commit();

 private:
  OutputFile(int fd, std::filesystem::path path, std::filesystem::path dir,
             std::filesystem::path temp, bool is_stdout)
      : fd_(fd),
        path_(std::move(path)),
        dir_(std::move(dir)),
        temp_(std::move(temp)),
        name_(path_.string()),
        is_stdout_(is_stdout) {}
  int fd_;
  std::filesystem::path path_;
  std::filesystem::path dir_;
  std::filesystem::path temp_;  // the named temporary file, once there is one
  std::string name_;
  bool is_stdout_;
  bool committed_ = false;
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_OUTPUT_FILE_H_
