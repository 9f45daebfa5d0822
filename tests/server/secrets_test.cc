// DESIGN.md invariant 1 across the running service: a scenario produces
// every kind of secret the API hands out or takes in (unseal shares, a key
// file's unseal key, a passphrase, tokens, data keys, plaintext sent to
// wrap, imported BYOK key material, XKS credential secrets); then its logs,
// its metrics page and every file of its store and audit log are searched
// for each of them, raw and in base64 and hex. Zero hits is the only pass.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

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

std::string AsString(const std::vector<std::uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

// AddForms adds a secret's bytes in the three forms a leak would take:
// raw, base64 and hex.
void AddForms(const std::vector<std::uint8_t>& raw, std::vector<std::string>* secrets) {
  secrets->push_back(AsString(raw));
  secrets->push_back(crypto::Base64Encode(raw));
  secrets->push_back(testing::ToHex(raw));
}

// AddToken adds a token ("kh_" + 64 hex) whole, its hex part alone and the
// 32 bytes that part encodes.
void AddToken(const std::string& token, std::vector<std::string>* secrets) {
  ASSERT_EQ(token.size(), 67u);
  secrets->push_back(token);
  secrets->push_back(token.substr(3));
  secrets->push_back(AsString(testing::FromHex(token.substr(3))));
}

// WrapForImport wraps `material` under a PEM RSA public key with RSA-OAEP
// and SHA-256 (RSAES_OAEP_SHA_256), as the customer's side of a BYOK
// import does; empty on failure.
std::vector<std::uint8_t> WrapForImport(const std::string& pem,
                                        const std::vector<std::uint8_t>& material) {
  std::vector<std::uint8_t> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = bio != nullptr ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  EVP_PKEY_CTX* ctx = key != nullptr ? EVP_PKEY_CTX_new(key, nullptr) : nullptr;
  std::size_t len = 0;
  if (ctx != nullptr && EVP_PKEY_encrypt_init(ctx) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
      EVP_PKEY_encrypt(ctx, nullptr, &len, material.data(), material.size()) == 1) {
    out.resize(len);
    if (EVP_PKEY_encrypt(ctx, out.data(), &len, material.data(), material.size()) == 1) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
  BIO_free(bio);
  return out;
}

class SecretsTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    // One XKS key store, so that XKS credentials can be made.
    XksKeyStore store;
    store.name = "payments";
    c.xks.key_stores = {store};
  }

  // Haystack stops the server and returns everything a secret could leak
  // into: its log lines (debug level), its metrics page, and every file of
  // its store and audit log (at least 5000 bytes of audit records).
  std::string Haystack() {
    std::string haystack;
    for (const auto& line : Logs()) {
      haystack += line + "\n";
    }
    Answer metrics = Get("", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.raw.find("keyhold_http_requests_total"), std::string::npos);
    haystack += metrics.raw;
    StopServer();  // everything on disk now
    std::size_t audit_bytes = 0;
    for (const auto& dir : {config_.store_path, config_.audit_path}) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
          const std::string content = Slurp(entry.path());
          if (dir == config_.audit_path) {
            audit_bytes += content.size();
          }
          haystack += content;
        }
      }
    }
    EXPECT_GT(audit_bytes, 5000u) << "the audit log was searched too";
    EXPECT_GT(haystack.size(), 10000u);
    return haystack;
  }

  // ExpectNoneFound fails once for each secret found in `haystack`.
  static void ExpectNoneFound(const std::string& haystack,
                              const std::vector<std::string>& secrets) {
    int hits = 0;
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      ASSERT_GE(secrets[i].size(), 16u) << "secret " << i;
      if (haystack.find(secrets[i]) != std::string::npos) {
        ADD_FAILURE() << "found secret " << i << " (" << secrets[i].size() << " bytes)";
        ++hits;
      }
    }
    EXPECT_EQ(hits, 0);
  }
};

TEST_F(SecretsTest, NoSecretInLogsMetricsOrStoreFiles) {
  InitAndUnseal();
  std::vector<std::string> secrets = shares_;
  for (const auto& share : shares_) {
    const auto raw = crypto::Base64Decode(share, 256).value();
    secrets.push_back(AsString(raw));
    secrets.push_back(testing::ToHex(raw));
  }
  AddToken(admin_token_, &secrets);
  const std::string app = Token("acme", {"app"});
  AddToken(app, &secrets);
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
  AddForms(testing::Bytes(marker), &secrets);
  // BYOK: key material imported wrapped, which the server unwraps.
  std::vector<std::uint8_t> material(32);
  ASSERT_EQ(RAND_bytes(material.data(), static_cast<int>(material.size())), 1);
  Answer params = Call(admin_token_, "POST", "/v1/keys/acme/byok/import-params",
                       Json{{"wrapping_key_spec", "RSA_3072"}});
  ASSERT_EQ(params.status, 200) << params.raw;
  const auto wrapped = WrapForImport(params.body.value("public_key", ""), material);
  ASSERT_FALSE(wrapped.empty());
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys/acme/byok/import",
                 Json{{"import_token", params.body.value("import_token", "")},
                      {"wrapping_algorithm", "RSAES_OAEP_SHA_256"},
                      {"wrapped_material", crypto::Base64Encode(wrapped)}})
                .status,
            201);
  ASSERT_EQ(Call(app, "POST", "/v1/keys/acme/byok/wrap", Json{{"plaintext", marker_b64}}).status,
            200);
  AddForms(material, &secrets);
  // An XKS credential's secret access key (base64 of 32 bytes).
  Answer credential =
      Call(admin_token_, "POST", "/v1/xks/credentials", Json{{"key_store", "payments"}});
  ASSERT_EQ(credential.status, 201) << credential.raw;
  const std::string xks_secret = credential.body.value("secret_access_key", "");
  AddForms(crypto::Base64Decode(xks_secret, 64).value(), &secrets);
  // Failures must not echo secrets either.
  EXPECT_EQ(Call("", "POST", "/v1/sys/unseal", Json{{"share", shares_[0] + "x"}}).status, 400);
  EXPECT_EQ(Get(app + "0", "/v1/keys/acme/files").status, 401);
  Answer tampered = Call(app, "POST", "/v1/keys/acme/files/wrap",
                         Json{{"plaintext", marker_b64}, {"bogus_field_" + marker, 1}});
  EXPECT_EQ(tampered.status, 400);
  // The unknown field name is quoted back (truncated): a field name is not a
  // secret, but the marker must not reach logs or disk through it.
  Answer metrics = Get("", "/metrics");
  EXPECT_NE(metrics.raw.find("keyhold_key_version_encryptions{key=\"acme/files\",version=\"1\"} 6"),
            std::string::npos)
      << metrics.raw;
  ExpectNoneFound(Haystack(), secrets);
  EXPECT_GE(secrets.size(), 35u);
}

// The unseal secrets of the other two methods: a key file's unseal key
// (development mode) and a passphrase, the wrong one included.
class UnsealSecretsTest : public SecretsTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void Configure(Config& c) override {
    c.dev_mode = true;
    c.dev_key_file = dir_.path() / "dev-unseal.key";  // outside the store and audit folders
  }
};

TEST_P(UnsealSecretsTest, NoUnsealSecretInLogsMetricsOrStoreFiles) {
  std::vector<std::string> secrets;
  const std::string passphrase = "correct horse battery staple 0123456789";
  if (GetParam() == "key_file") {
    Answer init = Call("", "POST", "/v1/sys/init", Json{{"method", "key_file"}});
    ASSERT_EQ(init.status, 200) << init.raw;
    admin_token_ = init.body.value("admin_token", "");
    std::string text = Slurp(config_.dev_key_file);
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    AddForms(crypto::Base64Decode(text, 64).value(), &secrets);
  } else {
    Answer init = Call("", "POST", "/v1/sys/init",
                       Json{{"method", "passphrase"}, {"passphrase", passphrase}});
    ASSERT_EQ(init.status, 200) << init.raw;
    admin_token_ = init.body.value("admin_token", "");
    EXPECT_EQ(
        Call("", "POST", "/v1/sys/unseal", Json{{"passphrase", passphrase + " wrong"}}).status,
        400);
    ASSERT_EQ(Call("", "POST", "/v1/sys/unseal", Json{{"passphrase", passphrase}}).status, 200);
    AddForms(testing::Bytes(passphrase), &secrets);
  }
  AddToken(admin_token_, &secrets);
  // Records sealed under the root key, and one data key, on disk.
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  const std::string app = Token("acme", {"app"});
  AddToken(app, &secrets);
  Answer dk = Call(app, "POST", "/v1/keys/acme/k/generate-data-key", Json::object());
  ASSERT_EQ(dk.status, 200) << dk.raw;
  AddForms(crypto::Base64Decode(dk.body["plaintext"].get<std::string>(), 64).value(), &secrets);
  ExpectNoneFound(Haystack(), secrets);
}

INSTANTIATE_TEST_SUITE_P(Methods, UnsealSecretsTest,
                         ::testing::Values(std::string("key_file"), std::string("passphrase")),
                         // Not "info": gtest's macro names its own parameter so
                         // (g++ -Wshadow).
                         [](const ::testing::TestParamInfo<std::string>& method) {
                           return method.param;
                         });

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
