// Access requests, officers' signed approvals and grants over the real
// server (issue 6): every refusal the design names has its own test, each
// against a real TLS server, a real LMDB store and the manual clock:
// self-approval, one officer twice, an officer removed before quorum, a
// signature over another request, an approval replayed on another request,
// an expired request, M-1 approvals, and a single-use grant under
// concurrent calls. Also the happy path, the grant's bindings (context,
// key, operation, principal, expiry), durability across a restart, quorum
// on administration, and `audit verify` re-checking the signatures.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "kms/audit/audit_verifier.h"
#include "tests/server/officers.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class ApprovalTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    c.policy_dir = dir_.path() / "policies";
    std::filesystem::create_directories(c.policy_dir);
    // These tests apply policies freely: the built-in quorum on policy
    // changes is replaced by an empty document (DefaultQuorumTest covers it).
    WriteNoDefaultQuorum(c.policy_dir);
  }

  void SetUpPolicies(int grant_uses = 1) {
    InitAndUnseal();
    const Json doc = {{"name", "hr"},
                      {"version", 1},
                      {"approvals", Json::array({{{"id", "hr-unwrap"},
                                                  {"keys", {"acme/hr-*"}},
                                                  {"operations", {"unwrap"}},
                                                  {"approvals", 2},
                                                  {"grant_ttl_s", 3600},
                                                  {"grant_uses", grant_uses},
                                                  {"request_ttl_s", 86400}},
                                                 {{"id", "deletion"},
                                                  {"keys", {"*/*"}},
                                                  {"operations", {"schedule-deletion"}},
                                                  {"approvals", 2}}})}};
    auto client = Client(admin_token_);
    ASSERT_EQ(ServerTest::Call(*client, "PUT", "/v1/policies/hr", doc.dump()).status, 200);
    for (const char* name : {"hr-records", "hr-other"}) {
      ASSERT_EQ(ServerTest::Call(admin_token_, "POST", "/v1/keys",
                                 Json{{"tenant", "acme"}, {"name", name}})
                    .status,
                201);
    }
    app_ = Token("acme", {"app"});
    for (int i = 0; i < 3; ++i) {
      officers_.push_back(NewOfficer("officer-" + std::to_string(i), {"officer"},
                                     static_cast<std::uint8_t>(0x10 + i)));
    }
    blob_ = Wrap("acme/hr-records", ctx_);
  }

  struct OfficerCred {
    std::string name;
    std::string token;
    crypto::Ed25519Signer signer;
  };
  OfficerCred NewOfficer(const std::string& name, const std::vector<std::string>& roles,
                         std::uint8_t seed) {
    Answer t = ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                                Json{{"principal", name}, {"tenant", "*"}, {"roles", roles}});
    EXPECT_EQ(t.status, 201) << t.raw;
    OfficerCred o{name, t.body.value("token", ""), SignerFrom(seed)};
    Answer e = Put("/v1/officers/" + name,
                   Json{{"public_key", crypto::Base64Encode(o.signer.public_key())}});
    EXPECT_EQ(e.status, 200) << e.raw;
    return o;
  }

  Answer Put(const std::string& target, const Json& body) {
    auto client = Client(admin_token_);
    return ServerTest::Call(*client, "PUT", target, body.dump());
  }

  std::string Wrap(const std::string& key, const Json& context) {
    Answer a = ServerTest::Call(app_, "POST", "/v1/keys/" + key + "/wrap",
                                Json{{"plaintext", "aGVsbG8="}, {"context", context}});
    EXPECT_EQ(a.status, 200) << a.raw;
    return a.body.value("ciphertext", "");
  }

  Answer Ask(const std::string& token, const std::string& key, const Json& context,
             const std::string& operation = "unwrap") {
    return ServerTest::Call(
        token, "POST", "/v1/requests",
        Json{{"operation", operation},
             {"key", key},
             {"context", context},
             {"justification", {{"reason_code", "incident_review"}, {"text", "INC-1"}}}});
  }
  std::string AskId(const std::string& key = "acme/hr-records") {
    Answer a = Ask(app_, key, ctx_);
    EXPECT_EQ(a.status, 201) << a.raw;
    return a.body.value("id", "");
  }

  Answer Approve(const OfficerCred& o, const std::string& id, const std::string& signature) {
    return ServerTest::Call(o.token, "POST", "/v1/requests/" + id + "/approve",
                            Json{{"signature", signature}, {"comment", "ok"}});
  }
  // ApproveProperly signs the request's own approval text.
  Answer ApproveProperly(const OfficerCred& o, const std::string& id) {
    Answer shown = Get(o.token, "/v1/requests/" + id);
    EXPECT_EQ(shown.status, 200) << shown.raw;
    return Approve(o, id, Sign(o.signer, shown.body.value("approval_text", "")));
  }

  // Unwrap calls with a grant (an empty grant sends no header).
  Answer Unwrap(const std::string& grant, const std::string& key, const std::string& blob,
                const Json& context, const std::string& token = "") {
    client::ClientOptions o;
    o.address = Address();
    o.ca_file = pki_.ca_cert;
    o.token = token.empty() ? app_ : token;
    o.grant = grant;
    o.timeout_s = 10;
    auto client = client::HttpsClient::Create(o);
    EXPECT_TRUE(client.ok());
    return ServerTest::Call(**client, "POST", "/v1/keys/" + key + "/unwrap",
                            Json{{"ciphertext", blob}, {"context", context}}.dump());
  }

  std::string app_;
  std::vector<OfficerCred> officers_;
  const Json ctx_ = {{"case", "INC-1"}};
  std::string blob_;
};

TEST_F(ApprovalTest, QuorumGrantsOneUnwrapWithExactlyTheApprovedContext) {
  SetUpPolicies();
  Answer refused = Unwrap("", "acme/hr-records", blob_, ctx_);
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "approval_required");

  const std::string id = AskId();
  Answer first = ApproveProperly(officers_[0], id);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["status"], "pending");
  Answer second = ApproveProperly(officers_[1], id);
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.body["status"], "approved");

  Answer ok = Unwrap(id, "acme/hr-records", blob_, ctx_);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body["plaintext"], "aGVsbG8=");
  // Single use: the grant is spent.
  Answer again = Unwrap(id, "acme/hr-records", blob_, ctx_);
  EXPECT_EQ(again.status, 403) << again.raw;
  EXPECT_NE(again.raw.find("used 1 of 1"), std::string::npos) << again.raw;
  EXPECT_EQ(Get(app_, "/v1/requests/" + id).body["status"], "spent");
}

TEST_F(ApprovalTest, AGrantFitsOnlyItsContextKeyOperationPrincipalAndWindow) {
  SetUpPolicies(/*grant_uses=*/5);
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  ASSERT_EQ(ApproveProperly(officers_[1], id).status, 200);

  const Json other_ctx = {{"case", "INC-2"}};
  const std::string other_blob = Wrap("acme/hr-records", other_ctx);
  Answer context = Unwrap(id, "acme/hr-records", other_blob, other_ctx);
  EXPECT_EQ(context.status, 403);
  EXPECT_NE(context.raw.find("another encryption context"), std::string::npos) << context.raw;
  EXPECT_EQ(context.raw.find("INC-2"), std::string::npos) << context.raw;

  Answer key = Unwrap(id, "acme/hr-other", Wrap("acme/hr-other", ctx_), ctx_);
  EXPECT_EQ(key.status, 403);
  EXPECT_NE(key.raw.find("another key"), std::string::npos) << key.raw;

  Answer made =
      ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                       Json{{"principal", "other-app"}, {"tenant", "acme"}, {"roles", {"app"}}});
  ASSERT_EQ(made.status, 201) << made.raw;
  const std::string stranger = made.body["token"];
  Answer principal = Unwrap(id, "acme/hr-records", blob_, ctx_, stranger);
  EXPECT_EQ(principal.status, 403);
  EXPECT_NE(principal.raw.find("another principal"), std::string::npos) << principal.raw;

  // Refused calls spent nothing: the right one still works.
  EXPECT_EQ(Unwrap(id, "acme/hr-records", blob_, ctx_).status, 200);
  EXPECT_EQ(Get(app_, "/v1/requests/" + id).body["uses"], 1);

  // Another operation covered by a rule: schedule-deletion with this grant.
  auto client = Client(admin_token_);
  client::ClientOptions o;
  o.address = Address();
  o.ca_file = pki_.ca_cert;
  o.token = admin_token_;
  o.grant = id;
  auto admin = client::HttpsClient::Create(o);
  Answer op = ServerTest::Call(**admin, "POST", "/v1/keys/acme/hr-records/schedule-deletion", "{}");
  EXPECT_EQ(op.status, 403) << op.raw;
  EXPECT_EQ(op.body["error"]["code"], "approval_required");

  // After the grant's hour: refused.
  clock_.Advance(3600);
  Answer late = Unwrap(id, "acme/hr-records", blob_, ctx_);
  EXPECT_EQ(late.status, 403);
  EXPECT_NE(late.raw.find("expired"), std::string::npos) << late.raw;
}

TEST_F(ApprovalTest, ARequesterCannotApproveItsOwnRequest) {
  SetUpPolicies();
  OfficerCred dual = NewOfficer("dual", {"app", "officer"}, 0x33);
  Answer asked = Ask(dual.token, "acme/hr-records", ctx_);
  ASSERT_EQ(asked.status, 201) << asked.raw;
  Answer self = ApproveProperly(dual, asked.body["id"]);
  EXPECT_EQ(self.status, 403) << self.raw;
  EXPECT_EQ(self.body["error"]["code"], "approval_refused");
  EXPECT_EQ(Get(dual.token, "/v1/requests/" + asked.body["id"].get<std::string>())
                .body["approvals"]
                .size(),
            0u);
}

TEST_F(ApprovalTest, OneOfficerCountsOnce) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  Answer twice = ApproveProperly(officers_[0], id);
  EXPECT_EQ(twice.status, 403) << twice.raw;
  EXPECT_EQ(twice.body["error"]["code"], "approval_refused");
  EXPECT_EQ(Get(app_, "/v1/requests/" + id).body["status"], "pending");
}

TEST_F(ApprovalTest, AnOfficerRemovedBeforeQuorumNoLongerCounts) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  auto client = Client(admin_token_);
  ASSERT_EQ(ServerTest::Call(*client, "POST", "/v1/officers/officer-0/remove", "{}").status, 200);
  Answer second = ApproveProperly(officers_[1], id);
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.body["status"], "pending");  // officer-0's approval does not count now
  EXPECT_EQ(Unwrap(id, "acme/hr-records", blob_, ctx_).status, 403);
  // And the removed officer cannot approve any more.
  EXPECT_EQ(ApproveProperly(officers_[0], AskId()).body["error"]["code"], "approval_refused");
  Answer third = ApproveProperly(officers_[2], id);
  EXPECT_EQ(third.body["status"], "approved") << third.raw;
}

TEST_F(ApprovalTest, ASignatureOverAnotherRequestIsRefused) {
  SetUpPolicies();
  const std::string a = AskId();
  const std::string b = AskId();
  const std::string text_b = Get(officers_[0].token, "/v1/requests/" + b).body["approval_text"];
  Answer wrong = Approve(officers_[0], a, Sign(officers_[0].signer, text_b));
  EXPECT_EQ(wrong.status, 400) << wrong.raw;
  EXPECT_EQ(wrong.body["error"]["code"], "invalid_signature");
  // Signed by a key that is not the officer's own: refused too.
  const std::string text_a = Get(officers_[0].token, "/v1/requests/" + a).body["approval_text"];
  Answer foreign = Approve(officers_[0], a, Sign(officers_[1].signer, text_a));
  EXPECT_EQ(foreign.body["error"]["code"], "invalid_signature");
  EXPECT_TRUE(Get(app_, "/v1/requests/" + a).body["approvals"].empty());
}

TEST_F(ApprovalTest, AnApprovalReplayedOnAnotherRequestIsRefused) {
  SetUpPolicies();
  const std::string a = AskId();
  const std::string b = AskId();
  Answer approved = ApproveProperly(officers_[0], a);
  ASSERT_EQ(approved.status, 200);
  const std::string captured = approved.body["approvals"][0]["signature"];
  Answer replay = Approve(officers_[0], b, captured);
  EXPECT_EQ(replay.status, 400) << replay.raw;
  EXPECT_EQ(replay.body["error"]["code"], "invalid_signature");
  // Nor can another officer submit it as its own on the same request.
  Answer borrowed = Approve(officers_[1], a, captured);
  EXPECT_EQ(borrowed.body["error"]["code"], "invalid_signature");
}

TEST_F(ApprovalTest, AnExpiredRequestCannotBeApproved) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  clock_.Advance(86400);
  Answer late = ApproveProperly(officers_[1], id);
  EXPECT_EQ(late.status, 409) << late.raw;
  EXPECT_EQ(late.body["error"]["code"], "request_closed");
  EXPECT_EQ(Get(app_, "/v1/requests/" + id).body["status"], "expired");
  EXPECT_EQ(Unwrap(id, "acme/hr-records", blob_, ctx_).status, 403);
}

TEST_F(ApprovalTest, OneApprovalShortOfQuorumGrantsNothing) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  Answer early = Unwrap(id, "acme/hr-records", blob_, ctx_);
  EXPECT_EQ(early.status, 403) << early.raw;
  EXPECT_NE(early.raw.find("pending"), std::string::npos) << early.raw;
  // A denial closes it for good.
  Answer denied = ServerTest::Call(officers_[1].token, "POST", "/v1/requests/" + id + "/deny",
                                   Json{{"comment", "no ticket"}});
  ASSERT_EQ(denied.status, 200) << denied.raw;
  EXPECT_EQ(denied.body["status"], "denied");
  EXPECT_EQ(ApproveProperly(officers_[2], id).body["error"]["code"], "request_closed");
}

TEST_F(ApprovalTest, ASingleUseGrantRunsOnceUnderConcurrentCalls) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  ASSERT_EQ(ApproveProperly(officers_[1], id).status, 200);
  constexpr int kCalls = 8;
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&] {
      const int status = Unwrap(id, "acme/hr-records", blob_, ctx_).status;
      (status == 200 ? ok : refused)++;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), kCalls - 1);
}

TEST_F(ApprovalTest, ApprovalsSurviveARestartAndAuditVerifyRechecksThem) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  StopServer();
  StartServer();
  Unseal();
  Answer after = Get(app_, "/v1/requests/" + id);
  ASSERT_EQ(after.status, 200) << after.raw;
  EXPECT_EQ(after.body["approvals"].size(), 1u);
  ASSERT_EQ(ApproveProperly(officers_[1], id).body["status"], "approved");
  ASSERT_EQ(Unwrap(id, "acme/hr-records", blob_, ctx_).status, 200);

  audit_->Flush();
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(config_.audit_path)) {
    if (f.path().extension() == ".jsonl") {
      files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  const AuditVerifyResult r = VerifyAuditFiles(files, {});
  EXPECT_TRUE(r.ok) << r.file << ":" << r.line << " " << r.reason;
  EXPECT_EQ(r.approvals, 2u);
}

TEST_F(ApprovalTest, RequestsAreOnlyForWhatARuleCoversAndPolicyAllows) {
  SetUpPolicies();
  // wrap needs no approval: no request.
  Answer needless = Ask(app_, "acme/hr-records", ctx_, "wrap");
  EXPECT_EQ(needless.status, 400) << needless.raw;
  // The floor still applies: an auditor cannot ask to unwrap.
  const std::string auditor = Token("acme", {"auditor"});
  EXPECT_EQ(Ask(auditor, "acme/hr-records", ctx_).status, 403);
  // Another tenant's app cannot ask for acme's key.
  EXPECT_EQ(Ask(Token("beta", {"app"}), "acme/hr-records", ctx_).status, 403);
  // Strangers neither see nor approve a request: it does not exist for them.
  const std::string id = AskId();
  EXPECT_EQ(Get(Token("beta", {"officer"}), "/v1/requests/" + id).status, 404);
  EXPECT_EQ(Get(auditor, "/v1/requests?status=all").body["requests"].size(), 1u);
}

TEST_F(ApprovalTest, DeletionNeedsTwoOfficersAndTheGrantIsForThatKey) {
  SetUpPolicies();
  const std::string admin_tenant = Token("acme", {"admin"});
  Answer refused = ServerTest::Call(admin_tenant, "POST",
                                    "/v1/keys/acme/hr-other/schedule-deletion", Json::object());
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "approval_required");
  Answer asked = Ask(admin_tenant, "acme/hr-other", Json::object(), "schedule-deletion");
  ASSERT_EQ(asked.status, 201) << asked.raw;
  const std::string id = asked.body["id"];
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  ASSERT_EQ(ApproveProperly(officers_[2], id).status, 200);
  client::ClientOptions o;
  o.address = Address();
  o.ca_file = pki_.ca_cert;
  o.token = admin_tenant;
  o.grant = id;
  auto admin = client::HttpsClient::Create(o);
  Answer other =
      ServerTest::Call(**admin, "POST", "/v1/keys/acme/hr-records/schedule-deletion", "{}");
  EXPECT_EQ(other.status, 403) << other.raw;
  Answer done = ServerTest::Call(**admin, "POST", "/v1/keys/acme/hr-other/schedule-deletion", "{}");
  EXPECT_EQ(done.status, 200) << done.raw;
  EXPECT_EQ(done.body["state"], "pending_deletion");
}

TEST_F(ApprovalTest, ADenialAfterQuorumWithdrawsTheGrant) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  ASSERT_EQ(ApproveProperly(officers_[1], id).body["status"], "approved");
  Answer withdrawn = ServerTest::Call(officers_[0].token, "POST", "/v1/requests/" + id + "/deny",
                                      Json{{"comment", "approved by mistake"}});
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.raw;
  EXPECT_EQ(withdrawn.body["status"], "denied");
  EXPECT_EQ(Unwrap(id, "acme/hr-records", blob_, ctx_).status, 403);
}

TEST_F(ApprovalTest, AnOfficerEnrolledAgainWithANewKeyDoesNotReviveOldApprovals) {
  SetUpPolicies();
  const std::string id = AskId();
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  // officer-0's key leaked: it is removed, then enrolled again with a new key.
  auto client = Client(admin_token_);
  ASSERT_EQ(ServerTest::Call(*client, "POST", "/v1/officers/officer-0/remove", "{}").status, 200);
  officers_[0].signer = SignerFrom(0x77);
  ASSERT_EQ(Put("/v1/officers/officer-0",
                Json{{"public_key", crypto::Base64Encode(officers_[0].signer.public_key())}})
                .status,
            200);
  Answer second = ApproveProperly(officers_[1], id);
  EXPECT_EQ(second.body["status"], "pending") << second.raw;
}

TEST_F(ApprovalTest, NoApprovalAfterTheWindowEnds) {
  SetUpPolicies();
  // Two hours after the manual clock's start (1800000000).
  const std::string window_end = "2027-01-15T10:00:00Z";
  Answer asked = ServerTest::Call(
      app_, "POST", "/v1/requests",
      Json{{"operation", "unwrap"},
           {"key", "acme/hr-records"},
           {"context", ctx_},
           {"not_after", window_end},
           {"justification", {{"reason_code", "incident_review"}, {"text", "INC-1"}}}});
  ASSERT_EQ(asked.status, 201) << asked.raw;
  const std::string id = asked.body["id"];
  ASSERT_EQ(ApproveProperly(officers_[0], id).status, 200);
  clock_.Advance(7200);
  Answer late = ApproveProperly(officers_[1], id);
  EXPECT_EQ(late.status, 409) << late.raw;
  EXPECT_EQ(late.body["error"]["code"], "request_closed");
}

}  // namespace
}  // namespace keyhold::kms
