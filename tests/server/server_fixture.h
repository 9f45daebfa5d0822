// A real Keyhold server for integration tests: TLS on 127.0.0.1 with a port
// of its own (port 0), a real LMDB store in a temporary directory, logs
// captured in memory, and the same HTTPS client the CLI uses. Test-only.
#ifndef KEYHOLD_TESTS_SERVER_SERVER_FIXTURE_H_
#define KEYHOLD_TESTS_SERVER_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/https_client.h"
#include "kms/api/api.h"
#include "kms/config.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/server/server.h"
#include "tests/testlib/manual_clock.h"
#include "tests/testlib/temp_dir.h"
#include "tests/testlib/test_pki.h"

namespace keyhold::kms {

using Json = nlohmann::json;

// WriteNoDefaultQuorum puts an admin-quorum.json without rules in `dir`,
// which replaces the built-in quorum on destructive administration.
inline void WriteNoDefaultQuorum(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "admin-quorum.json")
      << R"({"name": "admin-quorum", "version": 1, "description": "no default quorum"})";
}

struct Answer {
  int status = 0;
  Json body;
  std::string raw;
  std::string request_id;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::MakeTestPki(dir_.path() / "pki");
    config_.listen_host = "127.0.0.1";
    config_.listen_port = 0;
    config_.workers = 2;
    config_.cert_file = pki_.server_cert;
    config_.key_file = pki_.server_key;
    config_.client_ca_file = pki_.ca_cert;
    config_.client_certs = {ClientCertBinding{"app1.test", "acme", RoleSet::Of({Role::kApp})}};
    config_.store_path = dir_.path() / "store";
    config_.audit_path = dir_.path() / "audit";
    config_.shutdown_grace_ms = 2000;
    Configure(config_);
    StartServer();
  }
  void TearDown() override { StopServer(); }

  // Configure lets a test change the configuration (and audit_options_)
  // before StartServer.
  virtual void Configure(Config&) {}

  void StartServer() {
    AuditLogOptions ao = audit_options_;
    ao.dir = config_.audit_path;
    auto audit = AuditLog::Open(ao, [] { return SystemClock::Instance().NowMicros(); });
    ASSERT_TRUE(audit.ok()) << audit.error().message;
    audit_ = std::move(audit).value();
    KeyServiceOptions o = config_.ServiceOptions();
    o.clock = &clock_;
    auto service = KeyService::Open(o);
    ASSERT_TRUE(service.ok()) << service.error().message;
    service_ = std::move(service).value();
    service_->AttachAudit(audit_.get(), [this](const std::string& finding) {
      std::lock_guard lock(log_mu_);
      audit_findings_.push_back(finding);
    });
    logger_ = std::make_unique<Logger>(LogLevel::kDebug, [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_lines_.emplace_back(line);
    });
    metrics_ = std::make_unique<Metrics>();
    auto policies = PolicyStore::Open(config_.policy_dir);
    ASSERT_TRUE(policies.ok()) << policies.error().message;
    policies_ = std::move(policies).value();
    api_ = std::make_unique<Api>(service_.get(), &config_, logger_.get(), metrics_.get(), &clock_,
                                 audit_.get(), policies_.get());
    auto server = Server::Create(config_, api_.get(), logger_.get(), audit_.get());
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
    ASSERT_TRUE(server_->Start().ok());
  }

  void StopServer() {
    if (server_) {
      server_->Shutdown();
      server_->Wait();
      audit_->Flush();  // as keyhold server does: no callback outlives the server
      server_.reset();
    }
    api_.reset();
    policies_.reset();
    if (service_) {
      service_->Seal();  // as keyhold server does at exit: the closing checkpoint
    }
    service_.reset();
    audit_.reset();
  }

  std::string Address() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  std::unique_ptr<client::HttpsClient> Client(const std::string& token = "",
                                              bool client_cert = false) {
    client::ClientOptions o;
    o.address = Address();
    o.ca_file = pki_.ca_cert;
    o.token = token;
    if (client_cert) {
      o.client_cert = pki_.client_cert;
      o.client_key = pki_.client_key;
    }
    o.timeout_s = 10;
    auto c = client::HttpsClient::Create(o);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return std::move(c).value();
  }

  Answer Call(client::HttpsClient& client, const std::string& method, const std::string& target,
              const std::string& body = "") {
    auto r = client.Request(method, target, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    Answer a;
    if (!r.ok()) {
      return a;
    }
    a.status = r->status;
    a.raw.assign(r->body.begin(), r->body.end());
    a.request_id = r->request_id;
    a.body = Json::parse(a.raw, nullptr, false);
    return a;
  }
  Answer Call(const std::string& token, const std::string& method, const std::string& target,
              const Json& body) {
    auto client = Client(token);
    return Call(*client, method, target, body.dump());
  }
  Answer Get(const std::string& token, const std::string& target) {
    auto client = Client(token);
    return Call(*client, "GET", target);
  }

  // InitAndUnseal initialises with 2-of-3 shares through the API and
  // unseals; it keeps the shares and the admin token.
  void InitAndUnseal() {
    Answer init = Call("", "POST", "/v1/sys/init",
                       Json{{"method", "shamir"}, {"share_count", 3}, {"threshold", 2}});
    ASSERT_EQ(init.status, 200) << init.raw;
    for (const auto& s : init.body["shares"]) {
      shares_.push_back(s.get<std::string>());
    }
    admin_token_ = init.body["admin_token"].get<std::string>();
    Unseal();
  }
  void Unseal() {
    for (int i = 0; i < 2; ++i) {
      Answer a =
          Call("", "POST", "/v1/sys/unseal", Json{{"share", shares_[static_cast<std::size_t>(i)]}});
      ASSERT_EQ(a.status, 200) << a.raw;
    }
  }
  // AppToken creates a token with the app role on `tenant`.
  std::string Token(const std::string& tenant, const std::vector<std::string>& roles) {
    Answer a = Call(admin_token_, "POST", "/v1/tokens",
                    Json{{"principal", "test-" + tenant}, {"tenant", tenant}, {"roles", roles}});
    EXPECT_EQ(a.status, 201) << a.raw;
    return a.body.value("token", "");
  }

  std::vector<std::string> Logs() {
    std::lock_guard lock(log_mu_);
    return log_lines_;
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  testing::ManualClock clock_;
  Config config_;
  std::mutex log_mu_;
  std::vector<std::string> log_lines_;
  std::vector<std::string> audit_findings_;
  std::unique_ptr<AuditLog> audit_;  // outlives the service, as in keyhold server
  AuditLogOptions audit_options_;    // the dir comes from config_.audit_path
  std::unique_ptr<KeyService> service_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<PolicyStore> policies_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::vector<std::string> shares_;
  std::string admin_token_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_TESTS_SERVER_SERVER_FIXTURE_H_
