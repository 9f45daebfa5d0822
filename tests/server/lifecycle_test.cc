// The server's own limits: connection cap, header and idle deadlines, and a
// graceful drain on shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "tests/server/raw_tls.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class DeadlinesTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    c.header_timeout_ms = 300;
    c.idle_timeout_ms = 500;
    c.body_timeout_ms = 300;
    c.max_connections = 4;
  }
};

TEST_F(DeadlinesTest, SlowHeaderIsCutOffAtTheHeaderDeadline) {
  RawTls slow(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(slow.Send("GET /v1/health/live HTTP/1.1\r\nHost: x\r\n"));  // never finished
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  const std::string answer = slow.Read(5000, &closed);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(answer.empty());  // nothing to answer to an unfinished request
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_EQ(Get("", "/v1/health/live").status, 200);
}

TEST_F(DeadlinesTest, SlowBodyIsCutOffAtTheBodyDeadline) {
  RawTls slow(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(
      slow.Send("POST /v1/sys/unseal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\n\r\n{"));
  bool closed = false;
  slow.Read(5000, &closed);
  EXPECT_TRUE(closed);
}

TEST_F(DeadlinesTest, IdleKeepAliveConnectionIsClosed) {
  RawTls conn(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(conn.Send(RawRequest("GET", "/v1/health/live", "")));
  EXPECT_EQ(RawTls::Status(conn.Read(2000)), 200);
  bool closed = false;
  conn.Read(5000, &closed);  // nothing more to say: the idle deadline ends it
  EXPECT_TRUE(closed);
}

TEST_F(DeadlinesTest, ConnectionsBeyondTheCapAreRefusedAndServedAgainLater) {
  std::vector<std::unique_ptr<RawTls>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawTls>(server_->port(), pki_.ca_cert));
    ASSERT_TRUE(held.back()->handshake_ok()) << i;
  }
  RawTls over(server_->port(), pki_.ca_cert);
  EXPECT_FALSE(over.handshake_ok());
  held.clear();  // the client side closes; the server notices at once
  for (int attempt = 0; attempt < 50; ++attempt) {
    RawTls again(server_->port(), pki_.ca_cert);
    if (again.handshake_ok()) {
      ASSERT_TRUE(again.Send(RawRequest("GET", "/v1/health/live", "")));
      EXPECT_EQ(RawTls::Status(again.Read(2000)), 200);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "connections were not served again after the others closed";
}

// The grace period is long here: the request in progress waits for its
// audit record's fdatasync, which a disk busy with other tests can stretch
// well past the fixture's 2 s.
class ShutdownTest : public ServerTest {
  void Configure(Config& c) override { c.shutdown_grace_ms = 20'000; }
};

TEST_F(ShutdownTest, ShutdownLetsARequestInProgressFinishAndClosesIdleOnes) {
  InitAndUnseal();
  RawTls idle(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(idle.handshake_ok());
  auto busy = std::make_unique<RawTls>(server_->port(), pki_.ca_cert);
  const std::string body = R"({"reset":true})";
  // The header is in, the body is not: the request is in progress.
  ASSERT_TRUE(
      busy->Send("POST /v1/sys/unseal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n"));
  // The server must have read the header before the shutdown, or the
  // connection is still idle and rightly closed. 100 ms was not always
  // enough on a CI machine busy compiling; there is no hook to wait on.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::thread stopper([this] { server_->Shutdown(); });
  bool idle_closed = false;
  idle.Read(3000, &idle_closed);
  EXPECT_TRUE(idle_closed);
  ASSERT_TRUE(busy->Send(body));
  const std::string answer = busy->Read(15'000);
  EXPECT_EQ(RawTls::Status(answer), 200) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos);
  busy.reset();  // the client goes: its session ends without waiting for the grace period
  stopper.join();
  server_->Wait();
  // New connections are refused once draining.
  RawTls late(server_->port(), pki_.ca_cert);
  EXPECT_FALSE(late.handshake_ok());
}

}  // namespace
}  // namespace keyhold::kms
