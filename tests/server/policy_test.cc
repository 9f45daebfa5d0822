// Policies and residency over the real server: PUT/GET /v1/policies, the
// decision on every key route (source network, context bound to the
// caller's tenant, default deny, approval rules failing closed), residency
// refusals, and policies surviving a restart from their folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class PolicyServerTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    std::filesystem::create_directories(dir_.path() / "policies");
    c.policy_dir = dir_.path() / "policies";
    c.region = "hk";
  }

  Answer Put(const std::string& name, const Json& doc) {
    auto client = Client(admin_token_);
    return ServerTest::Call(*client, "PUT", "/v1/policies/" + name, doc.dump(2));
  }

  // Baseline lets admins administer every key and apps use acme's keys, so
  // that the other documents only have to say what they narrow.
  static Json Baseline(int version = 1) {
    return Json{{"name", "baseline"},
                {"version", version},
                {"residency", {{"acme", "hk"}, {"globex", "sg"}}},
                {"rules", Json::array({{{"id", "admins"},
                                        {"effect", "allow"},
                                        {"roles", {"admin"}},
                                        {"keys", {"*/*"}},
                                        {"operations",
                                         {"create", "read", "rotate", "enable", "disable", "config",
                                          "schedule-deletion", "cancel-deletion"}}},
                                       {{"id", "apps"},
                                        {"effect", "allow"},
                                        {"roles", {"app"}},
                                        {"keys", {"acme/*"}},
                                        {"operations", {"*"}}}})}};
  }

  std::string Wrap(const std::string& token, const std::string& key, const Json& context,
                   int want) {
    Answer a = ServerTest::Call(token, "POST", "/v1/keys/" + key + "/wrap",
                                Json{{"plaintext", "aGVsbG8="}, {"context", context}});
    EXPECT_EQ(a.status, want) << a.raw;
    return a.body.value("ciphertext", "");
  }
};

TEST_F(PolicyServerTest, NoPoliciesMeansRolesDecideAsBefore) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  ASSERT_EQ(
      ServerTest::Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}})
          .status,
      201);
  Wrap(app, "acme/k", Json::object(), 200);
  Answer list = Get(admin_token_, "/v1/policies");
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_TRUE(list.body["policies"].empty());
  EXPECT_EQ(list.body["region"], "hk");
}

TEST_F(PolicyServerTest, PaymentsUnwrapOnlyFromTheAllowedNetworkWithTheCallersTenant) {
  InitAndUnseal();
  ASSERT_EQ(Put("baseline", Baseline()).status, 200);
  Json payments = {
      {"name", "payments"},
      {"version", 1},
      {"rules", Json::array({{{"id", "unwrap-from-dc"},
                              {"effect", "deny"},
                              {"roles", {"*"}},
                              {"keys", {"*/payments-*"}},
                              {"operations", {"unwrap"}},
                              {"unless",
                               {{"source_cidrs", {"10.0.0.0/8"}},
                                {"context", {{"equals_caller", {{"tenant", "tenant"}}}}}}}}})}};
  Answer put = Put("payments", payments);
  ASSERT_EQ(put.status, 200) << put.raw;
  const std::string app = Token("acme", {"app"});
  ASSERT_EQ(ServerTest::Call(admin_token_, "POST", "/v1/keys",
                             Json{{"tenant", "acme"}, {"name", "payments-eu"}})
                .status,
            201);
  const Json ctx = {{"tenant", "acme"}};
  const std::string blob = Wrap(app, "acme/payments-eu", ctx, 200);

  // The test client is 127.0.0.1: outside the allowed network.
  Answer refused = ServerTest::Call(app, "POST", "/v1/keys/acme/payments-eu/unwrap",
                                    Json{{"ciphertext", blob}, {"context", ctx}});
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "policy_denied");
  EXPECT_NE(refused.raw.find("payments/unwrap-from-dc"), std::string::npos) << refused.raw;
  EXPECT_NE(refused.raw.find("source_cidrs"), std::string::npos) << refused.raw;

  // Widen the network to loopback: now the context must name the caller's
  // own tenant.
  payments["version"] = 2;
  payments["rules"][0]["unless"]["source_cidrs"] = {"10.0.0.0/8", "127.0.0.0/8"};
  ASSERT_EQ(Put("payments", payments).status, 200);
  Answer allowed = ServerTest::Call(app, "POST", "/v1/keys/acme/payments-eu/unwrap",
                                    Json{{"ciphertext", blob}, {"context", ctx}});
  EXPECT_EQ(allowed.status, 200) << allowed.raw;
  const std::string other = Wrap(app, "acme/payments-eu", Json{{"tenant", "globex"}}, 200);
  Answer wrong_tenant =
      ServerTest::Call(app, "POST", "/v1/keys/acme/payments-eu/unwrap",
                       Json{{"ciphertext", other}, {"context", {{"tenant", "globex"}}}});
  EXPECT_EQ(wrong_tenant.status, 403) << wrong_tenant.raw;
  EXPECT_EQ(wrong_tenant.body["error"]["code"], "policy_denied");
  // The message names the context key, never its value.
  EXPECT_EQ(wrong_tenant.raw.find("globex"), std::string::npos) << wrong_tenant.raw;

  // The refusals are audited with the rule that decided.
  audit_->Flush();
  std::string log;
  for (const auto& f : std::filesystem::directory_iterator(config_.audit_path)) {
    std::ifstream in(f.path());
    log.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(log.find("\"policy\":\"payments/unwrap-from-dc\""), std::string::npos);
  EXPECT_NE(log.find("\"reason\":\"policy_denied\""), std::string::npos);
}

TEST_F(PolicyServerTest, DefaultDenyOnceAccessRulesExist) {
  InitAndUnseal();
  ASSERT_EQ(Put("baseline", Baseline()).status, 200);
  ASSERT_EQ(
      ServerTest::Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}})
          .status,
      201);
  // No rule lets apps of another tenant, or auditors, do anything; roles
  // still come first (an app token of acme is not an admin).
  const std::string auditor = Token("acme", {"auditor"});
  Answer show = Get(auditor, "/v1/keys/acme/k");
  EXPECT_EQ(show.status, 403) << show.raw;
  EXPECT_EQ(show.body["error"]["code"], "policy_denied");
  const std::string app = Token("acme", {"app"});
  EXPECT_EQ(ServerTest::Call(app, "POST", "/v1/keys/acme/k/rotate", Json::object()).status, 403);
}

TEST_F(PolicyServerTest, ApprovalRulesFailClosedUntilAGrantExists) {
  InitAndUnseal();
  ASSERT_EQ(Put("baseline", Baseline()).status, 200);
  const Json hr = {
      {"name", "hr"},
      {"version", 1},
      {"approvals",
       Json::array(
           {{{"id", "hr-unwrap"},
             {"keys", {"acme/hr-*"}},
             {"operations", {"unwrap"}},
             {"approvals", 2}},
            {{"id", "admin-tokens"}, {"operations", {"admin-token-create"}}, {"approvals", 2}}})}};
  ASSERT_EQ(Put("hr", hr).status, 200);
  ASSERT_EQ(ServerTest::Call(admin_token_, "POST", "/v1/keys",
                             Json{{"tenant", "acme"}, {"name", "hr-records"}})
                .status,
            201);
  const std::string app = Token("acme", {"app"});
  const std::string blob = Wrap(app, "acme/hr-records", Json::object(), 200);
  Answer unwrap = ServerTest::Call(app, "POST", "/v1/keys/acme/hr-records/unwrap",
                                   Json{{"ciphertext", blob}, {"context", Json::object()}});
  EXPECT_EQ(unwrap.status, 403) << unwrap.raw;
  EXPECT_EQ(unwrap.body["error"]["code"], "approval_required");
  EXPECT_EQ(unwrap.body.dump().find("plaintext"), std::string::npos);
  EXPECT_NE(unwrap.raw.find("hr/hr-unwrap"), std::string::npos) << unwrap.raw;

  Answer token =
      ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                       Json{{"principal", "ops"}, {"tenant", "*"}, {"roles", {"admin"}}});
  EXPECT_EQ(token.status, 403) << token.raw;
  EXPECT_EQ(token.body["error"]["code"], "approval_required");
  // Tokens without the admin role are not covered.
  EXPECT_EQ(ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                             Json{{"principal", "svc"}, {"tenant", "acme"}, {"roles", {"app"}}})
                .status,
            201);
}

TEST_F(PolicyServerTest, ResidencyMismatchIsRefusedAndAudited) {
  InitAndUnseal();
  ASSERT_EQ(Put("baseline", Baseline()).status, 200);
  // globex is resident in sg; this instance is in hk.
  Answer create =
      ServerTest::Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "globex"}, {"name", "k"}});
  EXPECT_EQ(create.status, 403) << create.raw;
  EXPECT_EQ(create.body["error"]["code"], "residency_violation");
  EXPECT_NE(create.raw.find("'sg'"), std::string::npos) << create.raw;
  Answer list = Get(admin_token_, "/v1/keys?tenant=globex");
  EXPECT_EQ(list.status, 403) << list.raw;
  EXPECT_EQ(list.body["error"]["code"], "residency_violation");

  // acme is resident here: served, and its metadata says so.
  Answer ok =
      ServerTest::Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}});
  ASSERT_EQ(ok.status, 201) << ok.raw;
  EXPECT_EQ(ok.body["residency"], "hk");
  Answer keys = Get(admin_token_, "/v1/keys?tenant=acme");
  ASSERT_EQ(keys.status, 200) << keys.raw;
  EXPECT_EQ(keys.body["keys"][0]["residency"], "hk");

  // Moving acme to another region stops this instance serving its keys,
  // including ones it already holds.
  Json moved = Baseline(2);
  moved["residency"]["acme"] = "sg";
  ASSERT_EQ(Put("baseline", moved).status, 200);
  const std::string app = Token("acme", {"app"});
  Answer wrap = ServerTest::Call(app, "POST", "/v1/keys/acme/k/wrap",
                                 Json{{"plaintext", "aGVsbG8="}, {"context", Json::object()}});
  EXPECT_EQ(wrap.status, 403) << wrap.raw;
  EXPECT_EQ(wrap.body["error"]["code"], "residency_violation");
  audit_->Flush();
  std::string log;
  for (const auto& f : std::filesystem::directory_iterator(config_.audit_path)) {
    std::ifstream in(f.path());
    log.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(log.find("\"reason\":\"residency_violation\""), std::string::npos);
}

TEST_F(PolicyServerTest, ApplyValidatesVersionsAndSurvivesRestart) {
  InitAndUnseal();
  // An invalid document names its line and field, and changes nothing.
  auto client = Client(admin_token_);
  Answer bad =
      ServerTest::Call(*client, "PUT", "/v1/policies/baseline",
                       "{\n  \"name\": \"baseline\",\n  \"version\": 1,\n"
                       "  \"rules\": [\n    {\"id\": \"x\", \"effect\": \"maybe\"}\n  ]\n}");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["error"]["code"], "invalid_policy");
  EXPECT_NE(bad.raw.find("baseline.json:5: /rules/0/effect"), std::string::npos) << bad.raw;
  EXPECT_TRUE(Get(admin_token_, "/v1/policies").body["policies"].empty());
  EXPECT_FALSE(std::filesystem::exists(config_.policy_dir / "baseline.json"));

  ASSERT_EQ(Put("baseline", Baseline(3)).status, 200);
  // Same or lower version: refused. Name differing from the path: refused.
  EXPECT_EQ(Put("baseline", Baseline(3)).status, 400);
  EXPECT_EQ(Put("other", Baseline(4)).status, 400);
  // Only global admins change policies; officers and auditors read them.
  Answer made =
      ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                       Json{{"principal", "officer-1"}, {"tenant", "*"}, {"roles", {"officer"}}});
  ASSERT_EQ(made.status, 201) << made.raw;
  const std::string officer = made.body["token"];
  EXPECT_EQ(ServerTest::Call(officer, "PUT", "/v1/policies/baseline", Baseline(9)).status, 403);
  Answer shown = Get(officer, "/v1/policies/baseline");
  ASSERT_EQ(shown.status, 200) << shown.raw;
  EXPECT_EQ(shown.body["version"], 3);
  EXPECT_EQ(shown.body["document"]["rules"][0]["id"], "admins");
  EXPECT_EQ(Get(Token("acme", {"admin"}), "/v1/policies").status, 403);
  EXPECT_EQ(Get(officer, "/v1/policies/nothing").status, 404);

  StopServer();
  StartServer();
  Unseal();
  Answer after = Get(admin_token_, "/v1/policies");
  ASSERT_EQ(after.status, 200) << after.raw;
  ASSERT_EQ(after.body["policies"].size(), 1u);
  EXPECT_EQ(after.body["policies"][0]["version"], 3);
}

}  // namespace
}  // namespace keyhold::kms
