// ReadFull and WriteAll: whole-buffer reads and writes on a file descriptor
// (a file, a pipe, a terminal), retrying short transfers and EINTR, so that
// stream code sees only "this many bytes" or an error. Errors name the
// `what` they were given (a path, "stdin") and the system's reason, never
// data. Thread-safe (functions only). May include: std, POSIX, crypto/.
#ifndef KEYHOLD_CLIENT_FD_IO_H_
#define KEYHOLD_CLIENT_FD_IO_H_

#include <cstdint>
#include <span>
#include <string>

#include "crypto/error.h"

namespace keyhold::client {

// ReadFull reads until `out` is full or the input ends, and returns how many
// bytes it read: fewer than out.size() only at end of input.
Result<std::size_t> ReadFull(int fd, std::span<std::uint8_t> out, const std::string& what);

// WriteAll writes every byte of `bytes`.
Status WriteAll(int fd, std::span<const std::uint8_t> bytes, const std::string& what);

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_FD_IO_H_
