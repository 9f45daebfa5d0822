// Integration tests of the AWS KMS XKS proxy API (docs/xks.md) against a
// running server: calls signed by curl --aws-sigv4 (interoperability) and
// by Keyhold's own signer (every check of the spec notes' section 9), real
// TLS on loopback, a real store, the audit log read back.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "crypto/base64.h"
#include "crypto/sha256.h"
#include "kms/xks/sigv4.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

namespace fs = std::filesystem;

constexpr const char* kArn = "arn:aws:iam::111122223333:role/app-writer";
constexpr const char* kKeyArn =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

struct Credential {
  std::string id;
  std::string secret;
};

struct Signed {
  std::string region = "us-east-1";
  std::string service = "kms-xks-proxy";
  std::int64_t skew_s = 0;
  std::string method = "POST";
  bool tamper_body = false;
  bool client_cert = false;
};

std::string B64(std::string_view s) {
  return crypto::Base64Encode({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

Json Meta(const std::string& operation = "Encrypt") {
  return Json{{"awsPrincipalArn", kArn},
              {"kmsKeyArn", kKeyArn},
              {"kmsOperation", operation},
              {"kmsRequestId", "4112f4d6-db54-4af4-ae30-c55a22a8dfae"},
              {"kmsViaService", "ebs"}};
}

bool PrintableUnder512(const std::string& s) {
  return s.size() < 512 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

class XksTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    c.xks.regions = {"us-east-1", "ap-east-1"};
    c.xks.key_stores = {
        XksKeyStore{"payments",
                    "/payments",
                    "",
                    {XksKey{"kek-1", "payments/kek", true, true},
                     XksKey{"enc-only", "payments/enc", true, false},
                     XksKey{"dec-only", "payments/kek", false, true},
                     XksKey{"hr-key", "hr/kek", true, true}}},
        XksKeyStore{
            "pinned", "/pinned/xks", "app1.test", {XksKey{"kek", "payments/kek", true, true}}},
    };
    c.policy_dir = dir_.path() / "policies";
    WriteNoDefaultQuorum(c.policy_dir);
  }

  void SetUp() override {
    ServerTest::SetUp();
    clock_.Set(std::time(nullptr));  // SigV4 dates are the wall clock's
    InitAndUnseal();
    for (const char* key : {"payments/kek", "payments/enc", "hr/kek"}) {
      const std::string tenant(key, std::string_view(key).find('/'));
      const std::string name(std::string_view(key).substr(tenant.size() + 1));
      ASSERT_EQ(
          Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", tenant}, {"name", name}}).status,
          201);
    }
    payments_ = NewCredential("payments");
  }

  Credential NewCredential(const std::string& store) {
    Answer a = Call(admin_token_, "POST", "/v1/xks/credentials", Json{{"key_store", store}});
    EXPECT_EQ(a.status, 201) << a.raw;
    return {a.body.value("access_key_id", ""), a.body.value("secret_access_key", "")};
  }

  // Xks sends `body` to `path`, signed with `cred` as AWS KMS would.
  Answer Xks(const std::string& path, const Json& body, const Credential& cred,
             const Signed& how = {}) {
    const std::string text = body.dump();
    const std::string host = "127.0.0.1:" + std::to_string(server_->port());
    auto date = xks::FormatAmzDate(clock_.NowSeconds() + how.skew_s);
    EXPECT_TRUE(date.ok());
    const std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Host", host}, {"X-Amz-Date", *date}, {"Content-Type", "application/json"}};
    auto auth = xks::Sign(xks::SigV4Request{how.method, path, "", headers, text}, cred.id,
                          cred.secret, how.region, how.service, *date);
    EXPECT_TRUE(auth.ok()) << auth.error().message;
    auto client = Client("", how.client_cert);
    auto r = client->Request(how.method, path, how.tamper_body ? text + " " : text,
                             {{"Host", host}, {"X-Amz-Date", *date}, {"Authorization", *auth}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    Answer a;
    if (r.ok()) {
      a.status = r->status;
      a.raw.assign(r->body.begin(), r->body.end());
      a.body = Json::parse(a.raw, nullptr, false);
      if (a.status >= 400) {
        EXPECT_TRUE(a.body.is_object() && a.body.contains("errorName")) << a.raw;
        EXPECT_TRUE(PrintableUnder512(a.body.value("errorMessage", ""))) << a.raw;
      }
    }
    return a;
  }

  Json EncryptBody(const std::string& plaintext, const std::string& aad = "") {
    Json body = {{"requestMetadata", Meta()},
                 {"plaintext", B64(plaintext)},
                 {"encryptionAlgorithm", "AES_GCM"},
                 {"ciphertextDataIntegrityValueAlgorithm", "SHA_256"}};
    if (!aad.empty()) {
      body["additionalAuthenticatedData"] = B64(aad);
    }
    return body;
  }

  static Json DecryptBody(const Json& sealed, const std::string& aad = "") {
    Json body = {{"requestMetadata", Meta("Decrypt")},
                 {"ciphertext", sealed["ciphertext"]},
                 {"ciphertextMetadata", sealed["ciphertextMetadata"]},
                 {"encryptionAlgorithm", "AES_GCM"},
                 {"authenticationTag", sealed["authenticationTag"]},
                 {"initializationVector", sealed["initializationVector"]}};
    if (!aad.empty()) {
      body["additionalAuthenticatedData"] = B64(aad);
    }
    return body;
  }

  static std::string Plain(const Answer& a) {
    const auto bytes = crypto::Base64Decode(a.body.value("plaintext", ""), 1 << 16);
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "<bad base64>";
  }

  std::vector<Json> AuditRecords() {
    audit_->Flush();
    std::vector<Json> out;
    for (const auto& e : fs::directory_iterator(config_.audit_path)) {
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) {
        out.push_back(Json::parse(line, nullptr, false));
      }
    }
    return out;
  }

  void WritePolicy(const Json& doc) {
    std::ofstream(config_.policy_dir / (doc["name"].get<std::string>() + ".json")) << doc.dump();
    StopServer();
    StartServer();
    Unseal();
  }

  Credential payments_;
  const std::string kEncrypt = "/payments/kms/xks/v1/keys/kek-1/encrypt";
  const std::string kDecrypt = "/payments/kms/xks/v1/keys/kek-1/decrypt";
};

TEST_F(XksTest, EncryptThenDecryptAsTheSpecSays) {
  const std::string plaintext(4300, 'p');
  const std::string aad(8192, 'a');
  Answer sealed = Xks(kEncrypt, EncryptBody(plaintext, aad), payments_);
  ASSERT_EQ(sealed.status, 200) << sealed.raw;
  const auto bytes = [&](const char* field) {
    return crypto::Base64Decode(sealed.body.value(field, ""), 1 << 16).value();
  };
  EXPECT_EQ(bytes("ciphertext").size(), plaintext.size());
  EXPECT_EQ(bytes("initializationVector").size(), 12U);
  EXPECT_EQ(bytes("authenticationTag").size(), 16U);
  EXPECT_LE(bytes("ciphertextMetadata").size(), 20U);
  // The integrity value is the spec's: SHA-256 over the decoded fields.
  const auto aad_bytes = std::vector<std::uint8_t>(aad.begin(), aad.end());
  const crypto::Sha256Digest cdiv =
      crypto::Sha256({aad_bytes, bytes("ciphertextMetadata"), bytes("initializationVector"),
                      bytes("ciphertext"), bytes("authenticationTag")});
  EXPECT_EQ(sealed.body.value("ciphertextDataIntegrityValue", ""), crypto::Base64Encode(cdiv));

  Answer opened = Xks(kDecrypt, DecryptBody(sealed.body, aad), payments_);
  ASSERT_EQ(opened.status, 200) << opened.raw;
  EXPECT_EQ(Plain(opened), plaintext);
}

TEST_F(XksTest, TamperedFieldsAreInvalidCiphertext) {
  Answer sealed = Xks(kEncrypt, EncryptBody("Hello World!"), payments_);
  ASSERT_EQ(sealed.status, 200) << sealed.raw;
  const auto expect_invalid = [&](Json body, const char* what) {
    Answer a = Xks(kDecrypt, body, payments_);
    EXPECT_EQ(a.status, 400) << what << ": " << a.raw;
    EXPECT_EQ(a.body.value("errorName", ""), "InvalidCiphertextException") << what;
  };
  Json meta_flipped = DecryptBody(sealed.body);
  auto meta =
      crypto::Base64Decode(sealed.body["ciphertextMetadata"].get<std::string>(), 64).value();
  meta.back() ^= 1;
  meta_flipped["ciphertextMetadata"] = crypto::Base64Encode(meta);
  expect_invalid(meta_flipped, "metadata");
  Json no_meta = DecryptBody(sealed.body);
  no_meta.erase("ciphertextMetadata");
  expect_invalid(no_meta, "no metadata");
  // Encrypted without AAD; the metadata passed as AAD and no metadata.
  Json confused = DecryptBody(sealed.body);
  confused["additionalAuthenticatedData"] = sealed.body["ciphertextMetadata"];
  confused.erase("ciphertextMetadata");
  expect_invalid(confused, "aad/metadata confusion");
  Json tag = DecryptBody(sealed.body);
  tag["authenticationTag"] = B64(std::string(16, 'x'));
  expect_invalid(tag, "tag");
  Json iv16 = DecryptBody(sealed.body);
  iv16["initializationVector"] = B64(std::string(16, 'x'));
  expect_invalid(iv16, "16-byte iv");
  expect_invalid(DecryptBody(sealed.body, "aad that was not there"), "aad");
}

TEST_F(XksTest, RoutesMethodsAndTheSpecsToleranceRules) {
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.method = "GET"}).status, 405);
  Answer unknown = Xks("/other/kms/xks/v1/health", Json{{"requestMetadata", Meta()}}, payments_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body.value("errorName", ""), "InvalidUriPathException");
  EXPECT_EQ(Xks("/payments/kms/xks/v1/keys/kek-1/sign", EncryptBody("x"), payments_)
                .body.value("errorName", ""),
            "InvalidUriPathException");
  Answer no_key = Xks("/payments/kms/xks/v1/keys/nope/encrypt", EncryptBody("x"), payments_);
  EXPECT_EQ(no_key.status, 404);
  EXPECT_EQ(no_key.body.value("errorName", ""), "KeyNotFoundException");
  // Unknown kmsOperation, a non-UUID request id, unknown fields and a
  // 2,048-character ARN are all accepted.
  Json body = EncryptBody("x");
  body["requestMetadata"]["kmsOperation"] = "SomeFutureOperation";
  body["requestMetadata"]["kmsRequestId"] = "not-a-uuid";
  body["requestMetadata"]["SourceIdentity"] = "added-later";
  body["aNewTopLevelField"] = Json::array({1, 2});
  body["requestMetadata"]["awsPrincipalArn"] =
      "arn:aws:iam::111122223333:role/" + std::string(2048 - 31, 'r');
  EXPECT_EQ(Xks(kEncrypt, body, payments_).status, 200);
  body["requestMetadata"]["awsPrincipalArn"] =
      body["requestMetadata"]["awsPrincipalArn"].get<std::string>() + "r";
  Answer long_arn = Xks(kEncrypt, body, payments_);
  EXPECT_EQ(long_arn.status, 400);
  EXPECT_EQ(long_arn.body.value("errorName", ""), "ValidationException");
  Json bad_alg = EncryptBody("x");
  bad_alg["encryptionAlgorithm"] = "AES_CBC";
  EXPECT_EQ(Xks(kEncrypt, bad_alg, payments_).body.value("errorName", ""), "ValidationException");
  EXPECT_EQ(
      Xks(kEncrypt, EncryptBody(std::string(8193, 'x')), payments_).body.value("errorName", ""),
      "UnsupportedOperationException");
}

TEST_F(XksTest, SigV4IsCheckedAndCredentialsRotateWithoutARestart) {
  Answer ok = Xks(kEncrypt, EncryptBody("x"), payments_);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  const auto refused = [&](const Answer& a) {
    return a.status == 401 && a.body.value("errorName", "") == "AuthenticationFailedException";
  };
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), {payments_.id, payments_.secret + "x"})));
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.tamper_body = true})));
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.region = "eu-west-1"})));
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.service = "kms"})));
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.skew_s = 301})));
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.skew_s = -301})));
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.skew_s = 290}).status, 200);
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_, Signed{.region = "ap-east-1"}).status, 200);
  // Another key store's credential does not open this one.
  const Credential pinned = NewCredential("pinned");
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), pinned)));
  // Rotation: two live credentials, then the old one revoked, at once.
  const Credential next = NewCredential("payments");
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), next).status, 200);
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_).status, 200);
  ASSERT_EQ(
      Call(admin_token_, "POST", "/v1/xks/credentials/" + payments_.id + "/revoke", Json::object())
          .status,
      200);
  EXPECT_TRUE(refused(Xks(kEncrypt, EncryptBody("x"), payments_)));
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), next).status, 200);
  // The list never shows a secret.
  Answer list = Get(admin_token_, "/v1/xks/credentials");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.raw.find(next.secret), std::string::npos);
  EXPECT_EQ(list.body["credentials"].size(), 3U);
  // Only global admins manage credentials.
  EXPECT_EQ(Call(Token("payments", {"admin"}), "POST", "/v1/xks/credentials",
                 Json{{"key_store", "payments"}})
                .status,
            403);
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/xks/credentials", Json{{"key_store", "nope"}}).status,
            400);
}

TEST_F(XksTest, KeyUsageAndStatusFollowTheKey) {
  Answer meta = Xks("/payments/kms/xks/v1/keys/kek-1/metadata",
                    Json{{"requestMetadata", Meta("CreateKey")}}, payments_);
  ASSERT_EQ(meta.status, 200) << meta.raw;
  EXPECT_EQ(meta.body["keySpec"], "AES_256");
  EXPECT_EQ(meta.body["keyUsage"], Json::array({"ENCRYPT", "DECRYPT"}));
  EXPECT_EQ(meta.body["keyStatus"], "ENABLED");
  EXPECT_EQ(Xks("/payments/kms/xks/v1/keys/enc-only/metadata",
                Json{{"requestMetadata", Meta("CreateKey")}}, payments_)
                .body["keyUsage"],
            Json::array({"ENCRYPT"}));

  Answer sealed = Xks("/payments/kms/xks/v1/keys/enc-only/encrypt", EncryptBody("x"), payments_);
  ASSERT_EQ(sealed.status, 200);
  EXPECT_EQ(Xks("/payments/kms/xks/v1/keys/enc-only/decrypt", DecryptBody(sealed.body), payments_)
                .body.value("errorName", ""),
            "InvalidKeyUsageException");
  EXPECT_EQ(Xks("/payments/kms/xks/v1/keys/dec-only/encrypt", EncryptBody("x"), payments_)
                .body.value("errorName", ""),
            "InvalidKeyUsageException");
  // dec-only names the same key as kek-1: it decrypts kek-1's ciphertext.
  Answer kek = Xks(kEncrypt, EncryptBody("shared"), payments_);
  EXPECT_EQ(
      Plain(Xks("/payments/kms/xks/v1/keys/dec-only/decrypt", DecryptBody(kek.body), payments_)),
      "shared");

  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys/payments/kek/disable", Json::object()).status,
            200);
  EXPECT_EQ(Xks("/payments/kms/xks/v1/keys/kek-1/metadata",
                Json{{"requestMetadata", Meta("DescribeKey")}}, payments_)
                .body["keyStatus"],
            "DISABLED");
  Answer disabled = Xks(kEncrypt, EncryptBody("x"), payments_);
  EXPECT_EQ(disabled.status, 400);
  EXPECT_EQ(disabled.body.value("errorName", ""), "InvalidStateException");
  // Rotation inside Keyhold: old ciphertexts still decrypt (the version
  // travels in ciphertextMetadata).
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys/payments/kek/enable", Json::object()).status, 200);
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys/payments/kek/rotate", Json::object()).status, 200);
  EXPECT_EQ(Plain(Xks(kDecrypt, DecryptBody(kek.body), payments_)), "shared");
}

TEST_F(XksTest, PoliciesDecideOverRequestMetadataButNotHealth) {
  WritePolicy(Json{
      {"name", "aws"},
      {"version", 1},
      {"rules",
       Json::array({Json{{"id", "ebs-writers"},
                         {"effect", "allow"},
                         {"principals", Json::array({"arn:aws:iam::111122223333:role/app-*"})},
                         {"keys", Json::array({"payments/*"})},
                         {"operations", Json::array({"wrap", "unwrap", "read"})},
                         {"when", Json{{"aws", Json{{"via_services", Json::array({"ebs"})}}}}}},
                    Json{{"id", "admins"},
                         {"effect", "allow"},
                         {"roles", Json::array({"admin"})},
                         {"keys", Json::array({"*/*"})},
                         {"operations", Json::array({"*"})}}})}});
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_).status, 200);
  Json other_service = EncryptBody("x");
  other_service["requestMetadata"]["kmsViaService"] = "s3";
  Answer denied = Xks(kEncrypt, other_service, payments_);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body.value("errorName", ""), "AccessDeniedException");
  Json other_principal = EncryptBody("x");
  other_principal["requestMetadata"]["awsPrincipalArn"] = "arn:aws:iam::999999999999:role/app-x";
  EXPECT_EQ(Xks(kEncrypt, other_principal, payments_).status, 403);
  // Health is exempt from secondary authorisation.
  Answer health = Xks(
      "/payments/kms/xks/v1/health",
      Json{{"requestMetadata", Json{{"kmsRequestId", "r-1"}, {"kmsOperation", "KmsHealthCheck"}}}},
      payments_);
  ASSERT_EQ(health.status, 200) << health.raw;
  EXPECT_EQ(health.body["ekmFleetDetails"][0]["healthStatus"], "ACTIVE");
  EXPECT_GE(health.body["xksProxyFleetSize"].get<int>(), 1);
}

TEST_F(XksTest, ResidencyIsEnforcedForAwsCallersToo) {
  WritePolicy(Json{{"name", "residency"}, {"version", 1}, {"residency", Json{{"hr", "hk"}}}});
  Answer a = Xks("/payments/kms/xks/v1/keys/hr-key/encrypt", EncryptBody("x"), payments_);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body.value("errorName", ""), "AccessDeniedException");
  EXPECT_EQ(Xks(kEncrypt, EncryptBody("x"), payments_).status, 200);
}

TEST_F(XksTest, AClientCertificateStoreWantsItsIdentity) {
  const Credential pinned = NewCredential("pinned");
  const std::string path = "/pinned/xks/kms/xks/v1/keys/kek/encrypt";
  Answer without = Xks(path, EncryptBody("x"), pinned);
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(Xks(path, EncryptBody("x"), pinned, Signed{.client_cert = true}).status, 200);
}

TEST_F(XksTest, SealedIsInvalidStateAndEveryCallIsAuditedWithItsRequestId) {
  const std::string secret_text = "plaintext-that-must-not-leak";
  Json body = EncryptBody(secret_text, "aad-that-must-not-leak");
  body["requestMetadata"]["kmsRequestId"] = "trace-me-7";
  ASSERT_EQ(Xks(kEncrypt, body, payments_).status, 200);
  Xks(kEncrypt, EncryptBody("x"), {payments_.id, payments_.secret + "x"});
  bool found = false;
  for (const Json& r : AuditRecords()) {
    if (r.contains("xks") && r["xks"]["kms_request_id"] == "trace-me-7") {
      found = true;
      EXPECT_EQ(r["principal"], kArn);
      EXPECT_EQ(r["key"], "payments/kek");
      EXPECT_EQ(r["xks"]["key_store"], "payments");
      EXPECT_EQ(r["xks"]["kms_operation"], "Encrypt");
      EXPECT_EQ(r["decision"], "allow");
      EXPECT_EQ(r["auth"], "sigv4:" + payments_.id);
    }
    EXPECT_EQ(r.dump().find(B64(secret_text)), std::string::npos);
    EXPECT_EQ(r.dump().find(payments_.secret), std::string::npos);
  }
  EXPECT_TRUE(found);
  for (const std::string& line : Logs()) {
    EXPECT_EQ(line.find(B64(secret_text)), std::string::npos);
    EXPECT_EQ(line.find("aad-that-must-not-leak"), std::string::npos);
  }
  bool logged = false;
  for (const std::string& line : Logs()) {
    logged = logged || line.find("trace-me-7") != std::string::npos;
  }
  EXPECT_TRUE(logged);

  ASSERT_EQ(Call(admin_token_, "POST", "/v1/sys/seal", Json::object()).status, 200);
  Answer sealed = Xks(kEncrypt, EncryptBody("x"), payments_);
  EXPECT_EQ(sealed.status, 400);
  EXPECT_EQ(sealed.body.value("errorName", ""), "InvalidStateException");
}

// Interoperability: curl's own SigV4 (what the spec's test client uses)
// against the running server, and the CLI's proxy configuration file.
TEST_F(XksTest, CurlSignedCallsWork) {
  const fs::path work = dir_.path() / "curl";
  fs::create_directories(work);
  const std::string cli = "KEYHOLD_ADDR=" + Address() + " KEYHOLD_CACERT=" + pki_.ca_cert.string() +
                          " KEYHOLD_TOKEN='" + admin_token_ + "' " + KEYHOLD_CLI_BINARY;
  const fs::path config_file = work / "xks-proxy.json";
  ASSERT_EQ(std::system((cli + " xks credential create --key-store payments --config-file " +
                         config_file.string() + " > /dev/null")
                            .c_str()),
            0);
  EXPECT_EQ(fs::status(config_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(config_file);
  const Json proxy = Json::parse(in);
  EXPECT_EQ(proxy["XksProxyUriPath"], "/payments/kms/xks/v1");
  const std::string id = proxy["XksProxyAuthenticationCredential"]["AccessKeyId"];
  std::string secret = proxy["XksProxyAuthenticationCredential"]["RawSecretAccessKey"];

  const auto curl = [&](const std::string& path, const Json& body) {
    std::ofstream(work / "body.json") << body.dump();
    const std::string cmd = "curl -sS --cacert " + pki_.ca_cert.string() +
                            " --aws-sigv4 aws:amz:us-east-1:kms-xks-proxy --user '" + id + ":" +
                            secret + "' -H 'Content-Type: application/json' --data-binary @" +
                            (work / "body.json").string() + " -o " + (work / "out.json").string() +
                            " -w '%{http_code}' " + Address() + path + " > " +
                            (work / "code").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream out(work / "out.json");
    std::ifstream code(work / "code");
    Answer a;
    code >> a.status;
    a.raw.assign(std::istreambuf_iterator<char>(out), std::istreambuf_iterator<char>());
    a.body = Json::parse(a.raw, nullptr, false);
    return a;
  };
  Answer health = curl("/payments/kms/xks/v1/health",
                       Json{{"requestMetadata", Json{{"kmsRequestId", "c-1"},
                                                     {"kmsOperation", "CreateCustomKeyStore"}}}});
  ASSERT_EQ(health.status, 200) << health.raw;
  Answer sealed = curl(kEncrypt, EncryptBody("from curl", "ctx"));
  ASSERT_EQ(sealed.status, 200) << sealed.raw;
  Answer opened = curl(kDecrypt, DecryptBody(sealed.body, "ctx"));
  ASSERT_EQ(opened.status, 200) << opened.raw;
  EXPECT_EQ(Plain(opened), "from curl");
  // A wrong secret, through curl: 401.
  secret += "x";
  EXPECT_EQ(curl(kEncrypt, EncryptBody("x")).status, 401);
}

}  // namespace
}  // namespace keyhold::kms

namespace keyhold::kms {
namespace {

// With an approval rule over xks-credential-create, a credential needs a
// grant, and the access request names the key store it is for.
TEST_F(XksTest, CredentialCreationCanNeedOfficersApproval) {
  WritePolicy(Json{{"name", "xks-quorum"},
                   {"version", 1},
                   {"approvals", Json::array({Json{{"id", "xks-credentials"},
                                                   {"operations", {"xks-credential-create"}},
                                                   {"approvals", 2}}})}});
  Answer refused =
      Call(admin_token_, "POST", "/v1/xks/credentials", Json{{"key_store", "payments"}});
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "approval_required");
  const auto ask = [&](const Json& context) {
    return Call(admin_token_, "POST", "/v1/requests",
                Json{{"operation", "xks-credential-create"},
                     {"context", context},
                     {"justification", {{"reason_code", "change_ticket"}, {"text", "CHG-1"}}}});
  };
  EXPECT_EQ(ask(Json{{"key_store", "payments"}}).status, 201);
  EXPECT_EQ(ask(Json{{"principal", "x"}, {"tenant", "y"}, {"roles", "admin"}}).status, 400);
}

}  // namespace
}  // namespace keyhold::kms
