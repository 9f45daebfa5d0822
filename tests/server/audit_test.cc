// The audit log behind the real server: a table over every route, success
// and failure, each leaving exactly one record with the right operation,
// principal, key, version, decision and status (probes leave none), and
// each route that changes state an intent record before it; the
// context appears only as a keyed digest; the answer waits for the record
// and a record that cannot be made durable turns the answer into 503 with
// nothing released, the service recovering once the file may grow again;
// and a log cut at its end, or a store put back from an older copy, is
// found at the next unseal and written into the log itself.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/base64.h"
#include "kms/audit/audit_verifier.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class AuditTest : public ServerTest {
 protected:
  // Outcome records (not checkpoints, not intents) in the log, parsed,
  // oldest first; with `type`, the records of that type.
  std::vector<Json> Records(const std::string& type = "") {
    std::vector<Json> out;
    for (const auto& f : audit_->Files()) {
      std::ifstream in(f, std::ios::binary);
      std::string line;
      while (std::getline(in, line)) {
        Json j = Json::parse(line, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << line;
        const std::string t = j.value("type", "");
        if (type.empty() ? t != "checkpoint" && t != "intent" : t == type)
          out.push_back(j);
      }
    }
    return out;
  }
  AuditVerifyResult VerifyAll() { return VerifyAuditFiles(audit_->Files(), {}); }
};

TEST_F(AuditTest, EveryRouteLeavesExactlyOneRecord) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  const std::string auditor = Token("acme", {"auditor"});
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  const Json ctx = {{"file", "a.pdf"}};
  Answer wrapped = Call(app, "POST", "/v1/keys/acme/k/wrap",
                        Json{{"plaintext", "AAECAwQFBgcICQoLDA0ODw=="},
                             {"context", ctx},
                             {"justification", {{"reason_code", "backup"}, {"text", "nightly"}}}});
  ASSERT_EQ(wrapped.status, 200);
  const std::string blob = wrapped.body["ciphertext"];

  struct Case {
    std::string token;
    std::string method;
    std::string target;
    Json body;
    int status;
    std::string operation;
    std::string decision;
    std::string key;
  };
  const Json none = Json::object();
  const std::vector<Case> cases = {
      {app, "POST", "/v1/keys/acme/k/unwrap", Json{{"ciphertext", blob}, {"context", ctx}}, 200,
       "POST /v1/keys/{tenant}/{name}/unwrap", "allow", "acme/k"},
      {app, "POST", "/v1/keys/acme/k/unwrap", Json{{"ciphertext", blob}}, 400,
       "POST /v1/keys/{tenant}/{name}/unwrap", "error", "acme/k"},
      {app, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AAAA"}}, 200,
       "POST /v1/keys/{tenant}/{name}/wrap", "allow", "acme/k"},
      {app, "POST", "/v1/keys/acme/k/rewrap", Json{{"ciphertext", blob}, {"context", ctx}}, 200,
       "POST /v1/keys/{tenant}/{name}/rewrap", "allow", "acme/k"},
      {app, "POST", "/v1/keys/acme/k/generate-data-key", none, 200,
       "POST /v1/keys/{tenant}/{name}/generate-data-key", "allow", "acme/k"},
      {auditor, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AAAA"}}, 403,
       "POST /v1/keys/{tenant}/{name}/wrap", "deny", "acme/k"},
      {"kh_" + std::string(64, 'a'), "GET", "/v1/keys/acme/k", none, 401,
       "GET /v1/keys/{tenant}/{name}", "deny", "acme/k"},
      {admin_token_, "GET", "/v1/keys/acme/k", none, 200, "GET /v1/keys/{tenant}/{name}", "allow",
       "acme/k"},
      {admin_token_, "GET", "/v1/keys?tenant=acme", none, 200, "GET /v1/keys", "allow", ""},
      {admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k2"}}, 201,
       "POST /v1/keys", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k2"}}, 409,
       "POST /v1/keys", "error", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/rotate", none, 200,
       "POST /v1/keys/{tenant}/{name}/rotate", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/config", Json{{"rotation_period_s", 86400}}, 200,
       "POST /v1/keys/{tenant}/{name}/config", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/disable", none, 200,
       "POST /v1/keys/{tenant}/{name}/disable", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/enable", none, 200,
       "POST /v1/keys/{tenant}/{name}/enable", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/schedule-deletion", Json{{"days", 30}}, 200,
       "POST /v1/keys/{tenant}/{name}/schedule-deletion", "allow", "acme/k2"},
      {admin_token_, "POST", "/v1/keys/acme/k2/cancel-deletion", none, 200,
       "POST /v1/keys/{tenant}/{name}/cancel-deletion", "allow", "acme/k2"},
      {admin_token_, "GET", "/v1/keys/acme/missing", none, 404, "GET /v1/keys/{tenant}/{name}",
       "error", "acme/missing"},
      {admin_token_, "GET", "/v1/tokens", none, 200, "GET /v1/tokens", "allow", ""},
      {admin_token_, "POST", "/v1/tokens",
       Json{{"principal", "x"}, {"tenant", "acme"}, {"roles", {"app"}}}, 201, "POST /v1/tokens",
       "allow", ""},
      {"", "GET", "/v1/nowhere", none, 404, "GET unmatched", "error", ""},
      {"", "DELETE", "/v1/keys", none, 405, "DELETE unmatched", "error", ""},
      {"", "POST", "/v1/sys/unseal", Json{{"share", "bad"}}, 400, "POST /v1/sys/unseal", "error",
       ""},
      {"", "POST", "/v1/sys/init", Json{{"method", "shamir"}}, 409, "POST /v1/sys/init", "error",
       ""},
  };
  // Authenticated (or public) calls of these routes write an intent first.
  const std::set<std::string> kChangesState = {
      "POST /v1/sys/init",
      "POST /v1/keys",
      "POST /v1/keys/{tenant}/{name}/rotate",
      "POST /v1/keys/{tenant}/{name}/config",
      "POST /v1/keys/{tenant}/{name}/disable",
      "POST /v1/keys/{tenant}/{name}/enable",
      "POST /v1/keys/{tenant}/{name}/schedule-deletion",
      "POST /v1/keys/{tenant}/{name}/cancel-deletion",
      "POST /v1/tokens",
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target + " -> " + std::to_string(c.status));
    const std::size_t before = Records().size();
    const std::size_t intents_before = Records("intent").size();
    Answer a =
        c.method == "GET" ? Get(c.token, c.target) : Call(c.token, c.method, c.target, c.body);
    ASSERT_EQ(a.status, c.status) << a.raw;
    const std::vector<Json> after = Records();
    ASSERT_EQ(after.size(), before + 1);
    const Json& r = after.back();
    // A change is recorded before it is made: an intent, then the outcome.
    const std::vector<Json> intents = Records("intent");
    // An init of an initialised store cannot change anything: no intent.
    const bool mutates = kChangesState.contains(c.operation) &&
                         !(c.operation == "POST /v1/sys/init" && c.status == 409);
    ASSERT_EQ(intents.size(), intents_before + (mutates ? 1 : 0));
    if (mutates) {
      const Json& i = intents.back();
      EXPECT_EQ(i["request_id"], a.request_id);
      EXPECT_EQ(i["operation"], c.operation);
      EXPECT_EQ(i["decision"], "pending");
      EXPECT_LT(i["seq"].get<std::uint64_t>(), r["seq"].get<std::uint64_t>());
    }
    EXPECT_EQ(r["request_id"], a.request_id);
    EXPECT_EQ(r["operation"], c.operation);
    EXPECT_EQ(r["status"], c.status);
    EXPECT_EQ(r["decision"], c.decision);
    EXPECT_EQ(r["source"], "127.0.0.1");
    if (c.key.empty()) {
      EXPECT_TRUE(r["key"].is_null()) << r.dump();
    } else {
      EXPECT_EQ(r["key"], c.key);
    }
    EXPECT_TRUE(r["mac"].is_string()) << "unsealed records carry a mac";
  }
  // The probes leave nothing.
  const std::size_t before = Records().size();
  for (const char* probe : {"/v1/sys/health", "/v1/health/live", "/v1/health/ready",
                            "/v1/sys/seal-status", "/metrics"}) {
    EXPECT_LT(Get("", probe).status, 500) << probe;
  }
  EXPECT_EQ(Records().size(), before);

  // The wrap with a justification: version, digest, justification; no
  // context in clear for a tenant not configured so.
  const std::vector<Json> all = Records();
  const auto wrap = std::find_if(
      all.begin(), all.end(), [&](const Json& r) { return r["request_id"] == wrapped.request_id; });
  ASSERT_NE(wrap, all.end());
  EXPECT_EQ((*wrap)["key_version"], 1);
  EXPECT_EQ((*wrap)["context_digest"].get<std::string>().size(), 64u);
  EXPECT_FALSE(wrap->contains("context"));
  EXPECT_EQ((*wrap)["justification"]["reason_code"], "backup");
  EXPECT_EQ((*wrap)["principal"], "test-acme");
  EXPECT_EQ((*wrap)["auth"].get<std::string>().rfind("token:", 0), 0u);
  EXPECT_EQ(wrap->dump().find("a.pdf"), std::string::npos);
  const AuditVerifyResult v = VerifyAll();
  EXPECT_TRUE(v.ok) << v.file << ":" << v.line << ": " << v.reason;
}

TEST_F(AuditTest, RequestsWhileSealedAreRecordedToo) {
  EXPECT_EQ(Get("", "/v1/keys/acme/k").status, 503);  // not initialised
  InitAndUnseal();
  const std::vector<Json> records = Records();
  ASSERT_GE(records.size(), 4u);  // the 503, init, two unseal shares
  EXPECT_EQ(records[0]["reason"], "not_initialized");
  EXPECT_TRUE(records[0]["mac"].is_null()) << "no key exists before init";
  EXPECT_EQ(records[1]["operation"], "POST /v1/sys/init");
  const AuditVerifyResult v = VerifyAll();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_GE(v.unkeyed, 3u);
  EXPECT_EQ(v.after_last_signature, 0u) << "the unseal checkpoint signs them";
}

class ClearContextTest : public AuditTest {
  void Configure(Config& c) override { c.audit_clear_context_tenants = {"acme"}; }
};

TEST_F(ClearContextTest, AConfiguredTenantsContextIsInClear) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  Answer a = Call(app, "POST", "/v1/keys/acme/k/wrap",
                  Json{{"plaintext", "AAAA"}, {"context", {{"file", "a.pdf"}}}});
  ASSERT_EQ(a.status, 200);
  const Json r = Records().back();
  EXPECT_EQ(r["context"]["file"], "a.pdf");
  EXPECT_EQ(r["context_digest"].get<std::string>().size(), 64u);
}

TEST_F(AuditTest, ARecordThatCannotBeMadeDurableFailsTheRequest) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  Answer wrapped = Call(app, "POST", "/v1/keys/acme/k/generate-data-key", Json::object());
  ASSERT_EQ(wrapped.status, 200);
  const Json unwrap = {{"ciphertext", wrapped.body["ciphertext"]}};
  const std::string plaintext = wrapped.body["plaintext"];

  // The audit file may not grow (EFBIG), as on a full disk (ENOSPC): the
  // write fails in the kernel and the record is not durable.
  std::signal(SIGXFSZ, SIG_IGN);
  const auto file = audit_->Files().back();
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit tight = old;
  tight.rlim_cur = std::filesystem::file_size(file) + 16;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  auto client = Client(app);
  Answer refused = Call(*client, "POST", "/v1/keys/acme/k/unwrap", unwrap.dump());
  Answer again = Call(*client, "POST", "/v1/keys/acme/k/unwrap", unwrap.dump());
  // A load balancer sees the outage: not ready, and why.
  Answer ready = Get("", "/v1/health/ready");
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  EXPECT_EQ(ready.status, 503) << ready.raw;
  EXPECT_EQ(ready.body["reason"], "audit_unavailable") << ready.raw;
  for (const Answer& a : {refused, again}) {
    EXPECT_EQ(a.status, 503) << a.raw;
    EXPECT_EQ(a.body["error"]["code"], "audit_unavailable");
    EXPECT_EQ(a.raw.find(plaintext), std::string::npos) << "nothing released";
  }
  // The space is back: the log recovers by itself (within a second or so),
  // then the next request is served and recorded.
  for (int i = 0; i < 100 && !audit_->healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(audit_->healthy());
  EXPECT_EQ(Records().back()["operation"], "audit.recovery");
  EXPECT_EQ(Get("", "/v1/health/ready").status, 200);
  Answer served = Call(*client, "POST", "/v1/keys/acme/k/unwrap", unwrap.dump());
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body["plaintext"], plaintext);
  EXPECT_EQ(Records().back()["request_id"], served.request_id);
  const AuditVerifyResult v = VerifyAll();
  EXPECT_TRUE(v.ok) << v.reason;

  // During an outage an operator can still seal: the keys leave memory
  // even though the seal's own record cannot be written.
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  tight.rlim_cur = std::filesystem::file_size(audit_->Files().back()) + 16;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  (void)Call(*client, "POST", "/v1/keys/acme/k/unwrap", unwrap.dump());  // the outage begins
  Answer sealed = Call(admin_token_, "POST", "/v1/sys/seal", Json::object());
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  EXPECT_EQ(sealed.status, 503) << "its record was not durable: " << sealed.raw;
  EXPECT_EQ(Get("", "/v1/sys/seal-status").body["sealed"], true);
}

TEST_F(AuditTest, AChangeWhoseIntentCannotBeWrittenIsNotMade) {
  InitAndUnseal();
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit tight = old;
  tight.rlim_cur = std::filesystem::file_size(audit_->Files().back()) + 16;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  Answer rotate = Call(admin_token_, "POST", "/v1/keys/acme/k/rotate", Json::object());
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  EXPECT_EQ(rotate.status, 503) << rotate.raw;
  EXPECT_EQ(rotate.body["error"]["code"], "audit_unavailable");
  for (int i = 0; i < 100 && !audit_->healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Answer key = Get(admin_token_, "/v1/keys/acme/k");
  ASSERT_EQ(key.status, 200);
  EXPECT_EQ(key.body["latest_version"], 1) << "the rotation was refused before it acted";
}

// max_file_bytes of 1: each batch starts a new file, named after its first
// seq, so a test can make exactly one future batch fail by putting a
// directory where its file must go.
class OneBatchPerFileTest : public AuditTest {
  void Configure(Config&) override { audit_options_.max_file_bytes = 1; }
};

TEST_F(OneBatchPerFileTest, AnInitWhoseRecordFailsIsUndone) {
  // The init's intent goes to seq H+1, its outcome would go to H+2.
  const std::uint64_t h = audit_->head().seq;
  const auto blocker = config_.audit_path / AuditFileName(h + 2);
  std::filesystem::create_directory(blocker);
  Answer init = Call("", "POST", "/v1/sys/init",
                     Json{{"method", "shamir"}, {"share_count", 3}, {"threshold", 2}});
  EXPECT_EQ(init.status, 503) << init.raw;
  EXPECT_EQ(init.body["error"]["code"], "audit_unavailable");
  EXPECT_EQ(init.raw.find("shares"), std::string::npos) << "nothing released";
  EXPECT_EQ(init.raw.find("kh_"), std::string::npos) << "nothing released";
  // Nobody holds shares for that store, so it was taken back.
  EXPECT_EQ(Get("", "/v1/sys/seal-status").body["initialized"], false);
  std::filesystem::remove(blocker);
  for (int i = 0; i < 100 && !audit_->healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(audit_->healthy());
  const std::vector<Json> intents = Records("intent");
  ASSERT_FALSE(intents.empty());
  EXPECT_EQ(intents.front()["operation"], "POST /v1/sys/init");
  EXPECT_EQ(intents.front()["request_id"], init.request_id);
  // A second init works and the store is usable.
  InitAndUnseal();
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  const AuditVerifyResult v = VerifyAll();
  EXPECT_TRUE(v.ok) << v.file << ":" << v.line << ": " << v.reason;
}

TEST_F(AuditTest, AuditorsReadTheLogOverTheApi) {
  InitAndUnseal();
  Answer minted = Call(admin_token_, "POST", "/v1/tokens",
                       Json{{"principal", "auditor-all"}, {"tenant", "*"}, {"roles", {"auditor"}}});
  ASSERT_EQ(minted.status, 201) << minted.raw;
  const std::string all = minted.body["token"];
  const std::string acme = Token("acme", {"auditor"});
  const std::string app = Token("acme", {"app"});
  for (const char* tenant : {"acme", "beta"}) {
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", tenant}, {"name", "k"}}).status,
        201);
  }
  ASSERT_EQ(Call(app, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AAAA"}}).status, 200);

  Answer everything = Get(all, "/v1/audit?limit=1000");
  ASSERT_EQ(everything.status, 200) << everything.raw;
  const Json& records = everything.body["records"];
  // What the files hold, up to the records of this very call.
  std::size_t stored = 0;
  for (const auto& f : audit_->Files()) {
    std::ifstream in(f, std::ios::binary);
    for (std::string l; std::getline(in, l);)
      ++stored;
  }
  EXPECT_GE(records.size(), 10u);
  EXPECT_LE(records.size(), stored);
  EXPECT_TRUE(everything.body["next_after"].is_null());
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["seq"], records[i - 1]["seq"].get<std::uint64_t>() + 1);
  }

  // A tenant's auditor sees its tenant's keys only.
  Answer mine = Get(acme, "/v1/audit?limit=1000");
  ASSERT_EQ(mine.status, 200) << mine.raw;
  ASSERT_FALSE(mine.body["records"].empty());
  for (const auto& r : mine.body["records"]) {
    EXPECT_EQ(r["key"].get<std::string>().rfind("acme/", 0), 0u) << r.dump();
  }
  EXPECT_EQ(Get(acme, "/v1/audit?key=beta/k").status, 403);
  EXPECT_EQ(Get(app, "/v1/audit").status, 403);
  EXPECT_EQ(Get(admin_token_, "/v1/audit").status, 403) << "admins are not auditors";
  EXPECT_EQ(Get("", "/v1/audit").status, 401);

  // Filters and paging.
  Answer wraps = Get(all, "/v1/audit?key=acme/k&principal=test-acme");
  ASSERT_EQ(wraps.status, 200);
  ASSERT_EQ(wraps.body["records"].size(), 1u) << wraps.raw;
  EXPECT_EQ(wraps.body["records"][0]["operation"], "POST /v1/keys/{tenant}/{name}/wrap");
  EXPECT_EQ(Get(all, "/v1/audit?since=2999-01-01").body["records"].size(), 0u);
  Answer page = Get(all, "/v1/audit?limit=2");
  ASSERT_EQ(page.body["records"].size(), 2u);
  const std::uint64_t next = page.body["next_after"];
  EXPECT_EQ(next, page.body["records"][1]["seq"]);
  Answer page2 = Get(all, "/v1/audit?limit=2&after=" + std::to_string(next));
  ASSERT_EQ(page2.body["records"].size(), 2u);
  EXPECT_EQ(page2.body["records"][0]["seq"], next + 1);
  for (const char* bad : {"/v1/audit?limit=0", "/v1/audit?limit=1001", "/v1/audit?since=today",
                          "/v1/audit?key=nokey", "/v1/audit?colour=red", "/v1/audit?after=-1"}) {
    Answer a = Get(all, bad);
    EXPECT_EQ(a.status, 400) << bad << " " << a.raw;
    EXPECT_TRUE(a.body["error"].is_object()) << bad;
  }
  // Reading the log is itself recorded.
  const Json last = Records().back();
  EXPECT_EQ(last["operation"], "GET /v1/audit");
  EXPECT_EQ(last["status"], 400);
}

TEST_F(AuditTest, ALogCutAtItsEndIsFoundAtUnseal) {
  InitAndUnseal();
  for (int i = 0; i < 5; ++i)
    Get(admin_token_, "/v1/keys?tenant=acme");
  StopServer();  // seals: the store keeps the head (the seal checkpoint)
  const auto files = [&] {
    std::vector<std::filesystem::path> v;
    for (const auto& e : std::filesystem::directory_iterator(config_.audit_path))
      v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
  }();
  std::vector<std::string> lines;
  {
    std::ifstream in(files.back(), std::ios::binary);
    std::string l;
    while (std::getline(in, l))
      lines.push_back(l);
  }
  lines.resize(lines.size() - 3);
  {
    std::ofstream out(files.back(), std::ios::binary | std::ios::trunc);
    for (const auto& l : lines)
      out << l << '\n';
  }
  StartServer();
  Unseal();
  ASSERT_EQ(audit_findings_.size(), 1u);
  EXPECT_NE(audit_findings_[0].find("cut from the end"), std::string::npos) << audit_findings_[0];
  // The finding is in the log itself, before the unseal request's record.
  const std::vector<Json> records = Records();
  ASSERT_GE(records.size(), 2u);
  const Json& finding = records[records.size() - 2];
  EXPECT_EQ(finding["operation"], "audit.integrity_check");
  EXPECT_EQ(finding["decision"], "error");
  EXPECT_EQ(records.back()["operation"], "POST /v1/sys/unseal");
}

TEST_F(AuditTest, AStorePutBackFromAnOlderCopyIsFoundAtUnseal) {
  InitAndUnseal();
  StopServer();
  const auto copy = dir_.path() / "store-copy";
  std::filesystem::copy(config_.store_path, copy, std::filesystem::copy_options::recursive);
  for (int round = 0; round < 2; ++round) {  // more checkpoints the old store never saw
    StartServer();
    Unseal();
    Get(admin_token_, "/v1/keys?tenant=acme");
    StopServer();
  }
  std::filesystem::remove_all(config_.store_path);
  std::filesystem::copy(copy, config_.store_path, std::filesystem::copy_options::recursive);
  StartServer();
  Unseal();
  ASSERT_EQ(audit_findings_.size(), 1u);
  EXPECT_NE(audit_findings_[0].find("older copy"), std::string::npos) << audit_findings_[0];
}

}  // namespace
}  // namespace keyhold::kms
