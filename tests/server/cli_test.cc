// The keyhold command against a real server: exit codes (0 ok, 1 local or
// usage error, 2 refused by the server), environment variables, text and
// JSON output, and --help with an example on every command.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

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
                          "wrap",
                          "unwrap",
                          "rewrap",
                          "datakey",
                          "token",
                          "token create",
                          "token revoke",
                          "token list",
                          "audit",
                          "audit verify"}) {
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
