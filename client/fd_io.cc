#include "client/fd_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keyhold::client {
namespace {

// IoError reads errno before anything else can change it.
Error IoError(const char* verb, const std::string& what) {
  const int err = errno;
  return MakeError(ErrorCode::kIoError,
                   std::string("cannot ") + verb + " " + what + ": " + std::strerror(err));
}

}  // namespace

Result<std::size_t> ReadFull(int fd, std::span<std::uint8_t> out, const std::string& what) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError("read", what);
    }
    if (n == 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status WriteAll(int fd, std::span<const std::uint8_t> bytes, const std::string& what) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError("write", what);
    }
    if (n == 0) {
      errno = EIO;  // a write that makes no progress would loop for ever
      return IoError("write", what);
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

}  // namespace keyhold::client
