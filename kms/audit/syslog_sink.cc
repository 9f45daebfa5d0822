#include "kms/audit/syslog_sink.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "kms/audit/audit_export.h"

namespace keyhold::kms {

SyslogSink::SyslogSink(std::filesystem::path socket, std::string hostname)
    : socket_(std::move(socket)), hostname_(std::move(hostname)) {}

SyslogSink::~SyslogSink() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool SyslogSink::Connect() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_connect_) {
    return false;
  }
  next_connect_ = now + std::chrono::seconds(1);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_.string();
  if (path.size() >= sizeof(addr.sun_path)) {
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return false;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

bool SyslogSink::Send(std::string_view line) {
  auto entry = ParseAuditEntry(std::string(line));
  if (!entry.ok() || (fd_ < 0 && !Connect())) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const std::string message = FormatAuditSyslog(*entry, hostname_);
  if (::send(fd_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
      static_cast<ssize_t>(message.size())) {
    sent_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (errno != EAGAIN && errno != EWOULDBLOCK) {
    // The listener went away (ECONNREFUSED, ENOTCONN): connect afresh later.
    ::close(fd_);
    fd_ = -1;
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace keyhold::kms
