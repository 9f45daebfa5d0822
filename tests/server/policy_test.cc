// Policies and residency over the real server: PUT/GET /v1/policies, the
// decision on every key route (source network, context bound to the
// caller's tenant, default deny, approval rules failing closed), residency
// refusals, and policies surviving a restart from their folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class PolicyServerTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    std::filesystem::create_directories(dir_.path() / "policies");
    c.policy_dir = dir_.path() / "policies";
    c.region = "hk";
    // These tests apply policies freely: the built-in quorum on policy
    // changes is replaced by an empty document (DefaultQuorumTest covers it).
    WriteNoDefaultQuorum(c.policy_dir);
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
  ASSERT_EQ(list.body["policies"].size(), 1u);  // the test's empty admin-quorum
  EXPECT_EQ(list.body["policies"][0]["approvals"], 0);
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
  EXPECT_EQ(Get(admin_token_, "/v1/policies").body["policies"].size(), 1u);
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
  ASSERT_EQ(after.body["policies"].size(), 2u);  // sorted by name: admin-quorum, baseline
  EXPECT_EQ(after.body["policies"][1]["version"], 3);
}

// The built-in default: where a policy folder is configured, two officers
// approve schedule-deletion, disable, policy changes and admin tokens, and
// a policy change's grant is for one exact document.
class DefaultQuorumTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    c.policy_dir = dir_.path() / "policies";
    std::filesystem::create_directories(c.policy_dir);
  }
};

TEST_F(DefaultQuorumTest, DestructiveAdministrationNeedsTwoOfficers) {
  InitAndUnseal();
  Answer list = Get(admin_token_, "/v1/policies/admin-quorum");
  ASSERT_EQ(list.status, 200) << list.raw;
  EXPECT_EQ(list.body["approvals"], 4);
  ASSERT_EQ(
      ServerTest::Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}})
          .status,
      201);
  for (const char* action : {"disable", "schedule-deletion"}) {
    Answer a = ServerTest::Call(admin_token_, "POST", std::string("/v1/keys/acme/k/") + action,
                                Json::object());
    EXPECT_EQ(a.status, 403) << action << a.raw;
    EXPECT_EQ(a.body["error"]["code"], "approval_required") << action;
  }
  // Rotation and enabling are not destructive.
  EXPECT_EQ(ServerTest::Call(admin_token_, "POST", "/v1/keys/acme/k/rotate", Json::object()).status,
            200);
  Answer token =
      ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                       Json{{"principal", "ops"}, {"tenant", "*"}, {"roles", {"admin"}}});
  EXPECT_EQ(token.body["error"]["code"], "approval_required") << token.raw;

  // A policy change goes through a request bound to the document's hash.
  const std::string doc = R"({"name": "admin-quorum", "version": 2})";
  auto client = Client(admin_token_);
  Answer put = ServerTest::Call(*client, "PUT", "/v1/policies/admin-quorum", doc);
  EXPECT_EQ(put.body["error"]["code"], "approval_required") << put.raw;
  const crypto::Sha256Digest digest =
      crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(doc.data()), doc.size()}});
  std::string hex;
  for (std::uint8_t b : digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  Answer asked = ServerTest::Call(
      admin_token_, "POST", "/v1/requests",
      Json{{"operation", "policy-change"},
           {"context", {{"policy", "admin-quorum"}, {"document_sha256", hex}}},
           {"justification", {{"reason_code", "change_ticket"}, {"text", "CHG-9"}}}});
  ASSERT_EQ(asked.status, 201) << asked.raw;
  const std::string id = asked.body["id"];
  for (int i = 0; i < 2; ++i) {
    const std::string name = "officer-" + std::to_string(i);
    Answer t = ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                                Json{{"principal", name}, {"tenant", "*"}, {"roles", {"officer"}}});
    ASSERT_EQ(t.status, 201) << t.raw;
    std::uint8_t seed[32];
    std::fill(std::begin(seed), std::end(seed), static_cast<std::uint8_t>(0x40 + i));
    auto signer = crypto::Ed25519Signer::FromSeed(*crypto::SecretBytes::CopyFrom(seed));
    ASSERT_EQ(
        ServerTest::Call(*client, "PUT", "/v1/officers/" + name,
                         Json{{"public_key", crypto::Base64Encode(signer->public_key())}}.dump())
            .status,
        200);
    const std::string text = Get(t.body["token"], "/v1/requests/" + id).body["approval_text"];
    const crypto::Sha256Digest d =
        crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
    Answer ok = ServerTest::Call(
        t.body["token"], "POST", "/v1/requests/" + id + "/approve",
        Json{{"signature", crypto::Base64Encode(signer->Sign(d))}, {"comment", "CHG-9 ok"}});
    ASSERT_EQ(ok.status, 200) << ok.raw;
  }
  client::ClientOptions o;
  o.address = Address();
  o.ca_file = pki_.ca_cert;
  o.token = admin_token_;
  o.grant = id;
  auto granted = client::HttpsClient::Create(o);
  // Another document with the grant: refused; the approved one: applied.
  Answer other = ServerTest::Call(**granted, "PUT", "/v1/policies/admin-quorum",
                                  R"({"name": "admin-quorum", "version": 3})");
  EXPECT_EQ(other.status, 403) << other.raw;
  Answer applied = ServerTest::Call(**granted, "PUT", "/v1/policies/admin-quorum", doc);
  EXPECT_EQ(applied.status, 200) << applied.raw;
  EXPECT_EQ(
      ServerTest::Call(admin_token_, "POST", "/v1/keys/acme/k/disable", Json::object()).status,
      200);
}

}  // namespace
}  // namespace keyhold::kms
