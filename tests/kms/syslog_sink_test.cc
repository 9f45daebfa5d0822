// Tests for kms/audit/syslog_sink.h as AuditLog's mirror, against a real
// AF_UNIX datagram socket bound in a temporary directory (what rsyslog's
// imuxsock or /dev/log is).
//
// The sink is best effort and the audit file the source of truth, so the
// tests check both sides: with a listener, each durable record arrives once,
// in file order, as the RFC 5424 form of the stored line; without one,
// records still become durable, drops are counted, the operator is warned
// once per streak rather than once per record, and once a listener appears
// (the sink retries at most once a second) messages flow again and the
// recovery is reported.
#include "kms/audit/syslog_sink.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kms/audit/audit_export.h"
#include "kms/audit/audit_log.h"
#include "kms/audit/audit_record.h"
#include "tests/testlib/audit_keys.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

using testing::FixedKey;
using testing::FixedSigner;

using namespace std::chrono_literals;

constexpr char kHost[] = "kms-1.example.com";

AuditEvent Event(int i, const char* decision = "allow") {
  AuditEvent e;
  e.time_us = 1'795'478'400'000'000 + i;
  e.request_id = "req-" + std::to_string(i);
  e.principal = "app";
  e.source = "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = "acme/app";
  e.decision = decision;
  e.reason = std::string(decision) == "allow" ? "ok" : "forbidden";
  e.status = std::string(decision) == "allow" ? 200 : 403;
  return e;
}

// A bound datagram socket: the syslog daemon.
class Listener {
 public:
  explicit Listener(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0) << std::strerror(errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    EXPECT_LT(p.size(), sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0)
        << std::strerror(errno);
  }
  ~Listener() { Close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void Close() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());
      fd_ = -1;
    }
  }

  // The next datagram, waiting at most `wait`; nullopt if none came.
  std::optional<std::string> Receive(std::chrono::milliseconds wait = 2'000ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(wait.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((wait.count() % 1000) * 1000);
    EXPECT_EQ(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    std::string buf(65'536, '\0');
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      return std::nullopt;
    }
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

std::vector<std::string> AllLines(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> lines;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      lines.push_back(line);
    }
  }
  return lines;
}

// WaitFor polls `done` for up to 2 s (the mirror runs on the writer thread,
// after the request is answered).
template <typename F>
bool WaitFor(F done) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The message the sink must send for a stored line.
std::string Rfc5424(const std::string& line) {
  auto entry = ParseAuditEntry(line);
  EXPECT_TRUE(entry.ok()) << line;
  return FormatAuditSyslog(*entry, kHost);
}

class SyslogSinkTest : public ::testing::Test {
 protected:
  AuditLogOptions Options(SyslogSink* sink) {
    AuditLogOptions o;
    o.dir = dir_.path() / "audit";
    o.mirror = [sink](std::string_view line) { return sink->Send(line); };
    o.on_warning = [this](const std::string& what) {
      std::lock_guard lock(mu_);
      warnings_.push_back(what);
    };
    return o;
  }
  std::unique_ptr<AuditLog> Open(SyslogSink* sink) {
    auto log = AuditLog::Open(Options(sink), [this] { return now_us_ += 10; });
    EXPECT_TRUE(log.ok()) << log.error().message;
    return std::move(log).value();
  }
  std::vector<std::string> Warnings() {
    std::lock_guard lock(mu_);
    return warnings_;
  }
  std::vector<std::filesystem::path> Files() const {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "audit")) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  keyhold::testing::TempDir dir_;
  std::filesystem::path socket_ = dir_.path() / "log.sock";
  std::int64_t now_us_ = 1'795'478'400'000'000;
  std::mutex mu_;
  std::vector<std::string> warnings_;
};

TEST_F(SyslogSinkTest, EachDurableRecordArrivesInFileOrder) {
  Listener listener(socket_);
  SyslogSink sink(socket_, kHost);  // outlives the log, which mirrors into it
  std::vector<std::string> received;
  {
    auto log = Open(&sink);
    ASSERT_TRUE(log->SetKeys(FixedKey(1), FixedKey(2), FixedSigner(),
                             [](const ChainHead&) { return Status::Ok(); })
                    .ok());  // an "unseal" checkpoint
    auto got = listener.Receive();
    ASSERT_TRUE(got.has_value());
    received.push_back(*got);
    const char* decisions[] = {"allow", "deny", "error", "allow", "deny"};
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(log->Append(Event(i, decisions[i])).ok());
      // Receive as we go: a datagram socket queues only a few messages.
      got = listener.Receive();
      ASSERT_TRUE(got.has_value()) << "record " << i;
      received.push_back(*got);
    }
  }  // the "shutdown" checkpoint
  auto got = listener.Receive();
  ASSERT_TRUE(got.has_value());
  received.push_back(*got);
  EXPECT_EQ(listener.Receive(100ms), std::nullopt) << "one message per record";

  const std::vector<std::string> lines = AllLines(Files());
  ASSERT_EQ(lines.size(), 7u);
  ASSERT_EQ(received.size(), lines.size());
  const int pri[] = {109, 110, 108, 107, 110, 108, 109};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(received[i], Rfc5424(lines[i]));
    // The same, spelled out: header, then the stored line as MSG.
    const std::string head = "<" + std::to_string(pri[i]) + ">1 ";
    EXPECT_EQ(received[i].substr(0, head.size()), head);
    EXPECT_NE(received[i].find(std::string(" ") + kHost + " keyhold - "), std::string::npos);
    ASSERT_GE(received[i].size(), lines[i].size() + 3);
    EXPECT_EQ(received[i].substr(received[i].size() - lines[i].size() - 3), " - " + lines[i]);
  }
  EXPECT_EQ(sink.sent(), 7u);
  EXPECT_EQ(sink.dropped(), 0u);
  EXPECT_EQ(Warnings(), std::vector<std::string>{});
}

TEST_F(SyslogSinkTest, WithoutAListenerRecordsStayDurableAndOneWarningIsGiven) {
  SyslogSink sink(socket_, kHost);
  auto log = Open(&sink);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(log->Append(Event(i)).ok()) << "the mirror never refuses a request";
  }
  // The copy is made after the answer: wait for it.
  ASSERT_TRUE(WaitFor([&] { return sink.dropped() == 5; })) << sink.dropped();
  EXPECT_EQ(sink.sent(), 0u);
  std::uint64_t durable = 0;
  ASSERT_TRUE(log->Read(AuditFilter{},
                        [&](const AuditEntry&) {
                          ++durable;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(durable, 5u);

  // The listener appears; the sink retries at most once a second, and its
  // last try came before the last drop was counted.
  Listener listener(socket_);
  std::this_thread::sleep_for(1'100ms);
  std::vector<std::string> warnings = Warnings();
  ASSERT_EQ(warnings.size(), 1u) << "one warning for the streak, not one per record";
  EXPECT_NE(warnings[0].find("dropped"), std::string::npos) << warnings[0];

  ASSERT_TRUE(log->Append(Event(5)).ok());
  auto got = listener.Receive();
  ASSERT_TRUE(got.has_value()) << "no message after the listener appeared";
  std::vector<std::string> lines = AllLines(Files());
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(*got, Rfc5424(lines[5]));
  ASSERT_TRUE(WaitFor([&] { return Warnings().size() == 2; }));
  warnings = Warnings();
  EXPECT_NE(warnings[1].find("again"), std::string::npos) << warnings[1];

  // And it keeps flowing, without further warnings.
  ASSERT_TRUE(log->Append(Event(6)).ok());
  got = listener.Receive();
  ASSERT_TRUE(got.has_value());
  lines = AllLines(Files());
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(*got, Rfc5424(lines[6]));
  log.reset();  // the writer is done
  EXPECT_EQ(sink.sent(), 2u);
  EXPECT_EQ(sink.dropped(), 5u);
  EXPECT_EQ(Warnings().size(), 2u);
}

TEST_F(SyslogSinkTest, AListenerThatGoesAwayAndComesBack) {
  SyslogSink sink(socket_, kHost);
  auto log = Open(&sink);
  auto listener = std::make_unique<Listener>(socket_);
  ASSERT_TRUE(log->Append(Event(0)).ok());
  ASSERT_TRUE(listener->Receive().has_value());
  ASSERT_TRUE(WaitFor([&] { return sink.sent() == 1; }));

  listener.reset();  // the daemon stops
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(log->Append(Event(i)).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return sink.dropped() == 3; })) << sink.dropped();

  listener = std::make_unique<Listener>(socket_);  // and restarts
  std::this_thread::sleep_for(1'100ms);
  EXPECT_EQ(Warnings().size(), 1u);
  ASSERT_TRUE(log->Append(Event(4)).ok());
  auto got = listener->Receive();
  ASSERT_TRUE(got.has_value());
  const std::vector<std::string> lines = AllLines(Files());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(*got, Rfc5424(lines[4]));
  log.reset();
  EXPECT_EQ(sink.sent(), 2u);
  EXPECT_EQ(sink.dropped(), 3u);
  EXPECT_EQ(Warnings().size(), 2u);
}

// Nothing was copied in a batch that wrote no record (a Flush barrier), so
// it is no sign that the mirror recovered: the streak goes on unreported.
TEST_F(SyslogSinkTest, AnEmptyBatchDuringAStreakIsNoRecovery) {
  SyslogSink sink(socket_, kHost);
  auto log = Open(&sink);
  ASSERT_TRUE(log->Append(Event(0)).ok());
  ASSERT_TRUE(WaitFor([&] { return sink.dropped() == 1; }));
  log->Flush();
  ASSERT_TRUE(log->Append(Event(1)).ok());
  ASSERT_TRUE(WaitFor([&] { return sink.dropped() == 2; }));
  log.reset();
  EXPECT_EQ(sink.sent(), 0u);
  const std::vector<std::string> warnings = Warnings();
  EXPECT_EQ(warnings.size(), 1u) << ::testing::PrintToString(warnings);
}

TEST_F(SyslogSinkTest, SendFormatsTheLineAndRefusesWhatIsNotARecord) {
  Listener listener(socket_);
  SyslogSink sink(socket_, "bad host name");  // not a valid HOSTNAME: "-"
  ChainState chain;
  auto line = FormatEventLine(Event(0, "deny"), AuditKeys{}, false, &chain);
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE(sink.Send(*line));
  auto got = listener.Receive();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "<108>1 2026-11-24T00:00:00.000000Z - keyhold - request - " + *line);

  EXPECT_FALSE(sink.Send("not a record"));
  EXPECT_FALSE(sink.Send(""));
  EXPECT_EQ(sink.sent(), 1u);
  EXPECT_EQ(sink.dropped(), 2u);
  EXPECT_EQ(listener.Receive(100ms), std::nullopt);
}

TEST_F(SyslogSinkTest, ASocketPathTooLongIsDroppedNotFatal) {
  SyslogSink sink(dir_.path() / std::string(200, 's'), kHost);
  ChainState chain;
  auto line = FormatEventLine(Event(0), AuditKeys{}, false, &chain);
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(sink.Send(*line));
  EXPECT_FALSE(sink.Send(*line));
  EXPECT_EQ(sink.dropped(), 2u);
  EXPECT_EQ(sink.sent(), 0u);
}

}  // namespace
}  // namespace keyhold::kms
