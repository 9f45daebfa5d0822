// The keyhold command against a real server: exit codes (0 ok, 1 local or
// usage error, 2 refused by the server), environment variables, text and
// JSON output, and --help with an example on every command.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

class CliTest : public ServerTest {
 protected:
  // Runs the keyhold binary with KEYHOLD_ADDR/CACERT set and `token`.
  CliRun Keyhold(const std::string& args, const std::string& token = "",
                 const std::string& stdin_text = "") {
    const auto input = dir_.path() / "stdin";
    {
      std::FILE* f = std::fopen(input.c_str(), "wb");
      std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
      std::fclose(f);
    }
    const std::string cmd = "KEYHOLD_ADDR=" + Address() +
                            " KEYHOLD_CACERT=" + pki_.ca_cert.string() + " KEYHOLD_TOKEN='" +
                            token + "' " + KEYHOLD_CLI_BINARY + " " + args + " < " +
                            input.string() + " 2>&1";
    CliRun r;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
      r.out.append(buf.data(), n);
    }
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }
};

class PolicyCliTest : public CliTest {
 protected:
  void Configure(Config& c) override {
    c.policy_dir = dir_.path() / "policies";
    std::filesystem::create_directories(c.policy_dir);
    // These tests apply policies freely: the built-in quorum on policy
    // changes is replaced by an empty document (DefaultQuorumTest covers it).
    WriteNoDefaultQuorum(c.policy_dir);
    c.region = "hk";
  }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return path.string();
  }
};

TEST_F(PolicyCliTest, ApplyValidatesFirstThenListsAndTests) {
  InitAndUnseal();
  const std::string bad = Write("payments.json",
                                "{\n  \"name\": \"payments\",\n  \"version\": 1,\n"
                                "  \"rules\": [{\"id\": \"a\",\n    \"effect\": \"allow\",\n"
                                "    \"roles\": [\"app\"], \"keys\": [\"acme\"], "
                                "\"operations\": [\"*\"]}]\n}\n");
  CliRun refused = Keyhold("policy apply " + bad, admin_token_);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("payments.json:6: /rules/0/keys/0: must be a TENANT/NAME pattern"),
            std::string::npos)
      << refused.out;
  EXPECT_FALSE(std::filesystem::exists(config_.policy_dir / "payments.json"));

  const std::string good = Write("payments.json",
                                 R"({"name": "payments", "version": 1, "residency": {"acme": "hk"},
  "rules": [
    {"id": "apps", "effect": "allow", "roles": ["app"], "keys": ["acme/*"], "operations": ["*"]},
    {"id": "dc-only", "effect": "deny", "roles": ["*"], "keys": ["*/payments-*"],
     "operations": ["unwrap"], "unless": {"source_cidrs": ["10.0.0.0/8"]}}]}
)");
  CliRun applied = Keyhold("policy apply " + good, admin_token_);
  EXPECT_EQ(applied.exit_code, 0) << applied.out;
  EXPECT_NE(applied.out.find("policy payments version 1 is in force"), std::string::npos);
  CliRun again = Keyhold("policy apply " + good, admin_token_);
  EXPECT_EQ(again.exit_code, 2) << again.out;  // same version: the server refuses
  CliRun listed = Keyhold("policy list", admin_token_);
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("payments"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("region: hk"), std::string::npos) << listed.out;

  const std::string request =
      R"('{"principal": "pay", "tenant": "acme", "roles": ["app"], "key": "acme/payments-eu",
           "operation": "unwrap", "source": "192.168.1.9"}')";
  CliRun tested = Keyhold("policy test " + good + " --request " + request);
  EXPECT_EQ(tested.exit_code, 0) << tested.out;
  EXPECT_NE(tested.out.find("verdict: deny"), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("payments/dc-only"), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("source 192.168.1.9 is in none of source_cidrs"), std::string::npos);
  CliRun from_dc = Keyhold("--output json policy test " + good + " --request " +
                           R"('{"principal": "pay", "roles": ["app"], "key": "acme/payments-eu",
                                "operation": "unwrap", "source": "10.9.9.9"}')");
  EXPECT_EQ(from_dc.exit_code, 0) << from_dc.out;
  const Json verdict = Json::parse(from_dc.out, nullptr, false);
  EXPECT_EQ(verdict.value("verdict", ""), "allow") << from_dc.out;
  EXPECT_EQ(verdict.value("rule", ""), "payments/apps") << from_dc.out;
  EXPECT_EQ(Keyhold("policy test " + good + " --request '{\"operation\": \"fly\"}'").exit_code, 1);

  // No rule lets admins create keys: refused by the server.
  EXPECT_EQ(Keyhold("key create acme/payments-eu", admin_token_).exit_code, 2);
  CliRun keys = Keyhold("key list acme", admin_token_);
  EXPECT_EQ(keys.exit_code, 0) << keys.out;
  EXPECT_NE(keys.out.find("RESIDENCY"), std::string::npos) << keys.out;
}

// The whole approval flow through the command line: an officer makes a key
// locally, an admin enrols it, an app asks, two officers approve by signing
// what they were shown, and the app's call runs once with --grant.
TEST_F(PolicyCliTest, RequestApproveAndUseAGrantFromTheCommandLine) {
  InitAndUnseal();
  const std::string doc =
      Write("hr.json", R"({"name": "hr", "version": 1, "approvals": [{"id": "hr-unwrap",
      "keys": ["acme/hr-*"], "operations": ["unwrap"], "approvals": 2}]})");
  ASSERT_EQ(Keyhold("policy apply " + doc, admin_token_).exit_code, 0);
  ASSERT_EQ(Keyhold("key create acme/hr-records", admin_token_).exit_code, 0);
  const std::string app = Token("acme", {"app"});
  CliRun wrapped = Keyhold("wrap acme/hr-records --context case=INC-7", app, "0123456789abcdef");
  ASSERT_EQ(wrapped.exit_code, 0) << wrapped.out;
  const std::string blob = wrapped.out.substr(0, wrapped.out.find('\n'));

  std::vector<std::string> officer_tokens;
  for (const std::string name : {"alice", "bob"}) {
    const std::string key_file = (dir_.path() / (name + ".key")).string();
    CliRun made = Keyhold("officer keygen --out " + key_file);
    ASSERT_EQ(made.exit_code, 0) << made.out;
    EXPECT_EQ(std::filesystem::status(key_file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(Keyhold("officer keygen --out " + key_file).exit_code, 1);  // never overwritten
    const std::size_t at = made.out.find("public key: ") + 12;
    const std::string public_key = made.out.substr(at, made.out.find('\n', at) - at);
    CliRun enrolled =
        Keyhold("officer enrol " + name + " --public-key " + public_key, admin_token_);
    ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out;
    Answer t = ServerTest::Call(admin_token_, "POST", "/v1/tokens",
                                Json{{"principal", name}, {"tenant", "*"}, {"roles", {"officer"}}});
    officer_tokens.push_back(t.body.value("token", ""));
  }
  EXPECT_NE(Keyhold("officer list", admin_token_).out.find("alice"), std::string::npos);

  CliRun asked = Keyhold(
      "--output json request create --operation unwrap --key acme/hr-records --context case=INC-7 "
      "--reason incident_review --text 'payroll dispute'",
      app);
  ASSERT_EQ(asked.exit_code, 0) << asked.out;
  const std::string id = Json::parse(asked.out).value("id", "");
  ASSERT_EQ(id.size(), 32u) << asked.out;
  EXPECT_NE(Keyhold("request list", officer_tokens[0]).out.find(id), std::string::npos);

  // Without the grant: refused by the server.
  EXPECT_EQ(Keyhold("unwrap acme/hr-records " + blob + " --context case=INC-7", app).exit_code, 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string name = i == 0 ? "alice" : "bob";
    CliRun approved = Keyhold("request approve " + id + " --signing-key " +
                                  (dir_.path() / (name + ".key")).string() + " --comment ok",
                              officer_tokens[i]);
    ASSERT_EQ(approved.exit_code, 0) << approved.out;
  }
  EXPECT_NE(Keyhold("request show " + id, app).out.find("(approved)"), std::string::npos);
  CliRun used =
      Keyhold("--grant " + id + " unwrap acme/hr-records " + blob + " --context case=INC-7", app);
  EXPECT_EQ(used.exit_code, 0) << used.out;
  EXPECT_NE(used.out.find("MDEyMzQ1Njc4OWFiY2RlZg=="), std::string::npos) << used.out;
  EXPECT_EQ(
      Keyhold("--grant " + id + " unwrap acme/hr-records " + blob + " --context case=INC-7", app)
          .exit_code,
      2);

  // audit verify re-checks both approval signatures.
  audit_->Flush();
  std::vector<std::string> logs;
  for (const auto& e : std::filesystem::directory_iterator(config_.audit_path)) {
    logs.push_back(e.path().string());
  }
  std::sort(logs.begin(), logs.end());
  std::string files;
  for (const std::string& f : logs) {
    files += " " + f;
  }
  CliRun verified = Keyhold("audit verify" + files);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("2 approvals re-verified"), std::string::npos) << verified.out;
}

TEST_F(CliTest, ExitCodesAndRoundTrip) {
  InitAndUnseal();
  CliRun created = Keyhold("key create acme/app", admin_token_);
  EXPECT_EQ(created.exit_code, 0) << created.out;
  EXPECT_NE(created.out.find("state:                  enabled"), std::string::npos);
  const std::string app = Token("acme", {"app"});
  CliRun wrapped =
      Keyhold("wrap acme/app --context file=a.pdf", app, "0123456789abcdef0123456789abcdef");
  ASSERT_EQ(wrapped.exit_code, 0) << wrapped.out;
  const std::string blob = wrapped.out.substr(0, wrapped.out.find('\n'));
  CliRun unwrapped = Keyhold("unwrap acme/app " + blob + " --context file=a.pdf --raw", app);
  EXPECT_EQ(unwrapped.exit_code, 0);
  EXPECT_EQ(unwrapped.out, "0123456789abcdef0123456789abcdef");
  // Refused by the server: 2.
  CliRun refused = Keyhold("unwrap acme/app " + blob + " --context file=b.pdf", app);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.out.find("invalid_ciphertext"), std::string::npos);
  EXPECT_EQ(Keyhold("key rotate acme/app", app).exit_code, 2);  // forbidden
  // Local or usage errors: 1.
  EXPECT_EQ(Keyhold("key create no-slash", admin_token_).exit_code, 1);
  EXPECT_EQ(Keyhold("key frobnicate", admin_token_).exit_code, 1);
  EXPECT_EQ(Keyhold("wrap acme/app --context nokeyvalue", app, "x").exit_code, 1);
  EXPECT_EQ(Keyhold("--addr http://127.0.0.1:1 operator status").exit_code, 1);
  EXPECT_EQ(Keyhold("--addr https://127.0.0.1:1 operator status").exit_code, 1);  // no server
  // JSON output is the server's answer.
  CliRun json = Keyhold("--output json key show acme/app", app);
  EXPECT_EQ(json.exit_code, 0);
  Json parsed = Json::parse(json.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.out;
  EXPECT_EQ(parsed["id"], "acme/app");
  // Tokens created by the CLI work.
  CliRun token =
      Keyhold("token create --principal cli --tenant acme --role app --ttl 1d", admin_token_);
  ASSERT_EQ(token.exit_code, 0) << token.out;
  const auto at = token.out.find("kh_");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(Keyhold("key show acme/app", token.out.substr(at, 67)).exit_code, 0);
}

TEST_F(CliTest, OperatorCommands) {
  CliRun status = Keyhold("operator status");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("initialized: no"), std::string::npos);
  CliRun init = Keyhold("operator init --shares 3 --threshold 2");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  std::vector<std::string> shares;
  std::size_t pos = 0;
  while ((pos = init.out.find("Unseal share ", pos)) != std::string::npos) {
    const auto colon = init.out.find(": ", pos);
    const auto end = init.out.find('\n', colon);
    shares.push_back(init.out.substr(colon + 2, end - colon - 2));
    pos = end;
  }
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(Keyhold("operator unseal", "", "not-a-share\n").exit_code, 2);
  EXPECT_EQ(Keyhold("operator unseal", "", shares[0] + "\n").exit_code, 0);  // from stdin
  CliRun done = Keyhold("operator unseal " + shares[1]);
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_NE(done.out.find("sealed:      no"), std::string::npos);
}

TEST_F(CliTest, ABadConfigStopsStartUpNamingFileLineAndField) {
  const auto bad = dir_.path() / "bad.toml";
  {
    std::FILE* f = std::fopen(bad.c_str(), "wb");
    const std::string text = "[server]\nlisten = \"127.0.0.1:1\"\nworkerz = 3\n";
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  CliRun run = Keyhold("server --config " + bad.string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find(bad.string() + ":3: server.workerz: unknown field"), std::string::npos)
      << run.out;
  run = Keyhold("server --config " + (dir_.path() / "missing.toml").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("missing.toml: cannot be read"), std::string::npos) << run.out;
}

TEST_F(CliTest, AuditVerifyPassesARealLogAndNamesTheFirstBadRecord) {
  InitAndUnseal();
  for (int i = 0; i < 3; ++i)
    Get(admin_token_, "/v1/keys?tenant=acme");
  // Nothing is in flight now: every batch ended with a signed record.
  std::string files;
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(config_.audit_path)) {
    paths.push_back(e.path());
    files += " " + e.path().string();
  }
  CliRun ok = Keyhold("audit verify" + files);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("ok: "), std::string::npos) << ok.out;
  // Pin the key the log named, as an auditor would.
  const std::size_t at = ok.out.find("public key: ");
  ASSERT_NE(at, std::string::npos) << ok.out;
  const std::string key = ok.out.substr(at + 12, 64);
  CliRun pinned = Keyhold("audit verify --public-key " + key + files);
  EXPECT_EQ(pinned.exit_code, 0) << pinned.out;
  EXPECT_NE(pinned.out.find("(pinned)"), std::string::npos) << pinned.out;
  CliRun wrong = Keyhold("audit verify --public-key " + std::string(64, 'a') + files);
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;

  // Change the status of one signed record: that line is named. (Offline,
  // with no mac key, an unsigned record's change shows at the next one.)
  std::vector<std::string> lines;
  {
    std::ifstream in(paths[0], std::ios::binary);
    std::string l;
    while (std::getline(in, l))
      lines.push_back(l);
  }
  std::size_t target = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("\"status\":200") != std::string::npos &&
        lines[i].find("\"sig\":") != std::string::npos) {
      target = i;
    }
  }
  ASSERT_LT(target, lines.size());
  const std::size_t status = lines[target].find("\"status\":200");
  lines[target][status + 9] = '5';
  {
    std::ofstream out(paths[0], std::ios::binary | std::ios::trunc);
    for (const auto& l : lines)
      out << l << '\n';
  }
  CliRun bad = Keyhold("--output json audit verify" + files);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  const Json report = Json::parse(bad.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << bad.out;
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["first_bad_record"]["line"], target + 1) << bad.out;
  EXPECT_EQ(report["first_bad_record"]["file"], paths[0].string());
}

TEST_F(CliTest, AuditExportAndTailPrintTheRecordsAsStoredOrForASiem) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call(app, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AAAA"}}).status, 200);
  }
  Get(admin_token_, "/v1/keys?tenant=beta");
  audit_->Flush();
  std::vector<std::string> stored;
  for (const auto& f : audit_->Files()) {
    std::ifstream in(f, std::ios::binary);
    for (std::string l; std::getline(in, l);)
      stored.push_back(l);
  }
  const auto lines = [](const std::string& out) {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
      v.push_back(l);
    return v;
  };
  const std::string dir = " --dir " + config_.audit_path.string();

  // jsonl: every record, byte for byte, so the export still verifies.
  CliRun all = Keyhold("audit export" + dir);
  ASSERT_EQ(all.exit_code, 0) << all.out;
  const std::vector<std::string> exported = lines(all.out);
  ASSERT_EQ(exported, stored);

  // Filters: the key's records are the create (intent and outcome) and
  // the three wraps; the app's are the three wraps.
  CliRun by_key = Keyhold("audit export --key acme/k" + dir);
  EXPECT_EQ(lines(by_key.out).size(), 5u) << by_key.out;
  CliRun cef = Keyhold("audit export --format cef --principal test-acme" + dir);
  ASSERT_EQ(cef.exit_code, 0) << cef.out;
  ASSERT_EQ(lines(cef.out).size(), 3u) << cef.out;
  for (const auto& l : lines(cef.out)) {
    EXPECT_EQ(l.rfind("CEF:0|Keyhold|Keyhold|1|request:POST /v1/keys/{tenant}/{name}/wrap|", 0), 0u)
        << l;
    EXPECT_NE(l.find(" suser=test-acme "), std::string::npos) << l;
    EXPECT_NE(l.find(" cs1=acme/k "), std::string::npos) << l;
  }
  CliRun sys = Keyhold("audit export --format syslog --key acme/k" + dir);
  for (const auto& l : lines(sys.out)) {
    EXPECT_EQ(l.rfind("<", 0), 0u) << l;
    EXPECT_NE(l.find(">1 "), std::string::npos) << l;
    EXPECT_NE(l.find(" keyhold - "), std::string::npos) << l;
    EXPECT_EQ(l.back(), '}') << "the stored line is the message: " << l;
  }
  CliRun future = Keyhold("audit export --since 2999-01-01" + dir);
  EXPECT_EQ(future.exit_code, 0);
  EXPECT_EQ(future.out, "");
  CliRun past = Keyhold("audit export --until 2001-01-01" + dir);
  EXPECT_EQ(past.out, "");
  EXPECT_EQ(Keyhold("audit export --since yesterday" + dir).exit_code, 1);
  EXPECT_EQ(Keyhold("audit export --format xml" + dir).exit_code, 1);
  EXPECT_EQ(Keyhold("audit export --dir " + (dir_.path() / "absent").string()).exit_code, 1);

  // tail: the last two records, as stored.
  CliRun tail = Keyhold("audit tail -n 2" + dir);
  ASSERT_EQ(tail.exit_code, 0) << tail.out;
  const std::vector<std::string> last = lines(tail.out);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[1], exported.back());
  EXPECT_EQ(last[0], exported[exported.size() - 2]);

  // A changed record: export stops there and says so, instead of passing
  // it on.
  const auto file = audit_->Files().front();
  std::string content;
  {
    std::ifstream in(file, std::ios::binary);
    content.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::size_t second = content.find('\n') + 1;
  content[content.find("\"seq\":", second) + 6] = '9';
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
  }
  CliRun broken = Keyhold("audit export" + dir);
  EXPECT_EQ(broken.exit_code, 1) << broken.out;
  EXPECT_NE(broken.out.find(file.string() + ":2:"), std::string::npos) << broken.out;
}

TEST_F(CliTest, AuditTailFollowsNewRecords) {
  InitAndUnseal();
  audit_->Flush();
  // `timeout` bounds the follower if the record never came; it prints its
  // pid first so that the test can stop it as soon as it did.
  const std::string cmd = "sh -c 'echo $$; exec timeout 20 " + std::string(KEYHOLD_CLI_BINARY) +
                          " audit tail -n 1 -f --format cef --dir " + config_.audit_path.string() +
                          "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[8192];
  ASSERT_NE(std::fgets(buf, sizeof(buf), p), nullptr);
  const pid_t follower = static_cast<pid_t>(std::atoi(buf));
  ASSERT_GT(follower, 0);
  ASSERT_NE(std::fgets(buf, sizeof(buf), p), nullptr);  // the last record so far
  EXPECT_EQ(std::string(buf).rfind("CEF:0|", 0), 0u) << buf;
  Answer a = Get(admin_token_, "/v1/keys?tenant=followed");
  ASSERT_EQ(a.status, 200);
  // The new record shows up within a poll or two.
  std::string seen;
  while (seen.find(a.request_id) == std::string::npos && std::fgets(buf, sizeof(buf), p)) {
    seen = buf;
  }
  EXPECT_NE(seen.find("externalId=" + a.request_id), std::string::npos) << seen;
  ::kill(follower, SIGTERM);  // timeout passes it on to the follower
  ::pclose(p);
}

TEST_F(CliTest, EveryCommandHasHelpWithAnExample) {
  for (const char* cmd : {"",
                          "server",
                          "operator",
                          "operator init",
                          "operator unseal",
                          "operator seal",
                          "operator status",
                          "key",
                          "key create",
                          "key list",
                          "key show",
                          "key rotate",
                          "key set",
                          "key enable",
                          "key disable",
                          "key schedule-deletion",
                          "key cancel-deletion",
                          "key import",
                          "key export",
                          "wrap",
                          "unwrap",
                          "rewrap",
                          "datakey",
                          "token",
                          "token create",
                          "token revoke",
                          "token list",
                          "audit",
                          "audit verify",
                          "audit export",
                          "audit tail",
                          "encrypt",
                          "decrypt",
                          "request",
                          "request create",
                          "request list",
                          "request show",
                          "request approve",
                          "request deny",
                          "officer",
                          "officer keygen",
                          "officer enrol",
                          "officer list",
                          "officer remove",
                          "policy",
                          "policy apply",
                          "policy list",
                          "policy show",
                          "policy test"}) {
    CliRun help = Keyhold(std::string(cmd) + " --help");
    EXPECT_EQ(help.exit_code, 0) << cmd;
    // An example is a line that starts "Example:" and runs keyhold itself.
    const std::size_t example = help.out.find("Example: ");
    ASSERT_NE(example, std::string::npos) << "'" << cmd << "'";
    const std::string line = help.out.substr(example, help.out.find('\n', example) - example);
    EXPECT_NE(line.find(std::string("keyhold ") + cmd), std::string::npos)
        << "'" << cmd << "': " << line;
  }
}

}  // namespace
}  // namespace keyhold::kms
