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

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
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

  // Append writes `bytes` after what was written before. Every 8 MiB it
  // asks the kernel to start writing back what it has (sync_file_range), so
  // the disk works while the caller computes and Commit's sync waits for
  // the tail only.
  Status Append(std::span<const std::uint8_t> bytes);
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
  std::uint64_t written_ = 0;  // bytes appended
  std::uint64_t flushed_ = 0;  // bytes handed to writeback
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_OUTPUT_FILE_H_
