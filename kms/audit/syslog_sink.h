// SyslogSink: a copy of each durable audit record, as an RFC 5424 message
// (kms/audit/audit_export.h), to a local syslog socket for a SIEM: a Unix
// datagram socket such as /dev/log or rsyslog's imuxsock.
//
// Best effort by design: the audit file is the source of truth. A message
// the socket does not take at once (no listener, buffer full) is dropped
// and counted, never waited for and never a reason to refuse a request;
// the sink reconnects at most once a second. Thread-compatible: the audit
// writer thread is its only caller.
#ifndef KEYHOLD_KMS_AUDIT_SYSLOG_SINK_H_
#define KEYHOLD_KMS_AUDIT_SYSLOG_SINK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace keyhold::kms {

class SyslogSink {
 public:
  // `socket` is the path of the listening datagram socket; `hostname` goes
  // into each message's header. Connecting is tried at the first Send.
  SyslogSink(std::filesystem::path socket, std::string hostname);
  ~SyslogSink();
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;

  // Send formats one stored audit line and hands it to the socket without
  // blocking; false if it was dropped.
  bool Send(std::string_view line);

  std::uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  bool Connect();

  const std::filesystem::path socket_;
  const std::string hostname_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point next_connect_{};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_SYSLOG_SINK_H_
