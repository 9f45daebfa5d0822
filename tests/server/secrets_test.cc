// DESIGN.md invariant 1 across the running service: a scenario produces
// data keys, tokens and unseal shares; then its logs, its metrics page and
// every file of its store and audit log are searched for each of them, raw and in base64
// and hex. Zero hits is the only pass.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "crypto/base64.h"
#include "tests/server/server_fixture.h"
#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST_F(ServerTest, NoSecretInLogsMetricsOrStoreFiles) {
  InitAndUnseal();
  std::vector<std::string> secrets = shares_;
  secrets.push_back(admin_token_);
  const std::string app = Token("acme", {"app"});
  secrets.push_back(app);
  ASSERT_EQ(
      Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "files"}}).status,
      201);
  const Json ctx = {{"object", "report.pdf"}};
  for (int i = 0; i < 5; ++i) {
    Answer dk = Call(app, "POST", "/v1/keys/acme/files/generate-data-key", Json{{"context", ctx}});
    ASSERT_EQ(dk.status, 200);
    secrets.push_back(dk.body["plaintext"]);  // base64 form as sent
    const auto raw = crypto::Base64Decode(dk.body["plaintext"].get<std::string>(), 64).value();
    secrets.emplace_back(raw.begin(), raw.end());
    secrets.push_back(testing::ToHex(raw));
    Answer back = Call(app, "POST", "/v1/keys/acme/files/unwrap",
                       Json{{"ciphertext", dk.body["ciphertext"]}, {"context", ctx}});
    ASSERT_EQ(back.status, 200);
  }
  const std::string marker = "wrapped-plaintext-marker-0123456789";
  const std::string marker_b64 =
      crypto::Base64Encode({reinterpret_cast<const std::uint8_t*>(marker.data()), marker.size()});
  ASSERT_EQ(Call(app, "POST", "/v1/keys/acme/files/wrap", Json{{"plaintext", marker_b64}}).status,
            200);
  secrets.push_back(marker);
  secrets.push_back(marker_b64);
  // Failures must not echo secrets either.
  EXPECT_EQ(Call("", "POST", "/v1/sys/unseal", Json{{"share", shares_[0] + "x"}}).status, 400);
  EXPECT_EQ(Get(app + "0", "/v1/keys/acme/files").status, 401);
  Answer tampered = Call(app, "POST", "/v1/keys/acme/files/wrap",
                         Json{{"plaintext", marker_b64}, {"bogus_field_" + marker, 1}});
  EXPECT_EQ(tampered.status, 400);
  // The unknown field name is quoted back (truncated): a field name is not a
  // secret, but the marker must not reach logs or disk through it.

  std::string haystack;
  for (const auto& line : Logs()) {
    haystack += line + "\n";
  }
  Answer metrics = Get("", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.raw.find("keyhold_http_requests_total"), std::string::npos);
  EXPECT_NE(metrics.raw.find("keyhold_key_version_encryptions{key=\"acme/files\",version=\"1\"} 6"),
            std::string::npos)
      << metrics.raw;
  haystack += metrics.raw;
  StopServer();  // everything on disk now
  std::size_t audit_bytes = 0;
  for (const auto& dir : {config_.store_path, config_.audit_path}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) {
        const std::string content = Slurp(entry.path());
        if (dir == config_.audit_path)
          audit_bytes += content.size();
        haystack += content;
      }
    }
  }
  EXPECT_GT(audit_bytes, 5000u) << "the audit log was searched too";
  ASSERT_GT(haystack.size(), 10000u);
  int hits = 0;
  for (const auto& s : secrets) {
    ASSERT_GE(s.size(), 16u);
    if (haystack.find(s) != std::string::npos) {
      ADD_FAILURE() << "found a secret of " << s.size() << " bytes";
      ++hits;
    }
  }
  EXPECT_EQ(hits, 0);
  EXPECT_GE(secrets.size(), 20u);
}

TEST_F(ServerTest, MetricsExposeRequestsSealStateAndKeyCount) {
  Answer before = Get("", "/metrics");
  ASSERT_EQ(before.status, 200);
  EXPECT_NE(before.raw.find("keyhold_sealed 1"), std::string::npos);
  EXPECT_NE(before.raw.find("keyhold_initialized 0"), std::string::npos);
  InitAndUnseal();
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", name}}).status,
        201);
  }
  Answer after = Get("", "/metrics");
  EXPECT_NE(after.raw.find("keyhold_sealed 0"), std::string::npos);
  EXPECT_NE(after.raw.find("keyhold_keys 3"), std::string::npos);
  EXPECT_NE(after.raw.find("keyhold_http_requests_total{route=\"/v1/keys\",status=\"201\"} 3"),
            std::string::npos)
      << after.raw;
  EXPECT_NE(after.raw.find("keyhold_http_request_duration_seconds_bucket"), std::string::npos);
}

}  // namespace
}  // namespace keyhold::kms
