// BYOK against a real server: docs/byok.md's plain-openssl steps import a
// key (both wrapping algorithms) whose blobs open under the material we
// hold; `keyhold key import` does the same; expired tokens, tokens for
// another key, unknown algorithms, other material into an existing version,
// generated keys and another region are refused; and export works only for
// an exportable key, only with two officers' approval of exactly that
// public key, and what it returns unwraps, with openssl, to the material.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/base64.h"
#include "crypto/committed_key.h"
#include "crypto/wrapped_blob.h"
#include "tests/server/officers.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ByokTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    // A policy folder: the built-in admin-quorum (two officers for export)
    // is in force, and tenant "eu" lives in another region.
    c.policy_dir = dir_.path() / "policies";
    fs::create_directories(c.policy_dir);
    std::ofstream(c.policy_dir / "residency.json")
        << R"({"name": "residency", "version": 1, "residency": {"eu": "eu"}})";
    c.region = "hk";
  }
  void SetUp() override {
    ServerTest::SetUp();
    InitAndUnseal();
    work_ = dir_.path() / "customer";
    fs::create_directories(work_);
  }

  // Sh runs a shell command in the customer's directory; true if it exits 0.
  bool Sh(const std::string& command) {
    const std::string full = "cd '" + work_.string() + "' && ( " + command + " ) >/dev/null 2>&1";
    return std::system(full.c_str()) == 0;
  }

  // Params asks for import parameters for `key` and writes wrapping.pem.
  std::string Params(const std::string& key) {
    Answer a = Call(admin_token_, "POST", "/v1/keys/" + key + "/import-params",
                    Json{{"wrapping_key_spec", "RSA_3072"}});
    EXPECT_EQ(a.status, 200) << a.raw;
    std::ofstream(work_ / "wrapping.pem") << a.body.value("public_key", "");
    return a.body.value("import_token", "");
  }

  // WrapLikeTheDocs wraps material.bin into wrapped.bin with openssl, as
  // docs/byok.md shows.
  void WrapLikeTheDocs(const std::string& algorithm) {
    const std::string oaep =
        " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256";
    if (algorithm == "RSAES_OAEP_SHA_256") {
      ASSERT_TRUE(
          Sh("openssl pkeyutl -encrypt -pubin -inkey wrapping.pem -in material.bin -out "
             "wrapped.bin" +
             oaep));
      return;
    }
    ASSERT_TRUE(Sh("openssl rand 32 > aes.key"));
    ASSERT_TRUE(
        Sh("openssl enc -id-aes256-wrap-pad -iv A65959A6 -K \"$(od -An -tx1 -v aes.key | "
           "tr -d ' \\n')\" -in material.bin -out material.kwp"));
    ASSERT_TRUE(
        Sh("openssl pkeyutl -encrypt -pubin -inkey wrapping.pem -in aes.key -out aes.oaep" + oaep));
    ASSERT_TRUE(Sh("cat aes.oaep material.kwp > wrapped.bin && rm aes.key"));
  }

  Answer Import(const std::string& key, const std::string& token, const std::string& algorithm,
                Json extra = Json::object()) {
    extra["import_token"] = token;
    extra["wrapping_algorithm"] = algorithm;
    extra["wrapped_material"] = crypto::Base64Encode(ReadBytes(work_ / "wrapped.bin"));
    return Call(admin_token_, "POST", "/v1/keys/" + key + "/import", extra);
  }

  // ImportLikeTheDocs makes material.bin (32 bytes of `fill`) and imports it.
  Answer ImportLikeTheDocs(const std::string& key, std::uint8_t fill,
                           const std::string& algorithm = "RSA_AES_KEY_WRAP_SHA_256",
                           Json extra = Json::object()) {
    std::ofstream(work_ / "material.bin", std::ios::binary)
        << std::string(32, static_cast<char>(fill));
    const std::string token = Params(key);
    WrapLikeTheDocs(algorithm);
    return Import(key, token, algorithm, std::move(extra));
  }

  // WrapsUnder checks that a blob the server wraps with `key` opens under
  // 32 bytes of `fill`, with the primitives alone.
  void ExpectWrapsUnder(const std::string& key, std::uint8_t fill) {
    const std::string app = Token(key.substr(0, key.find('/')), {"app"});
    Answer w = Call(app, "POST", "/v1/keys/" + key + "/wrap",
                    Json{{"plaintext", "a25vd24gYW5zd2Vy"}, {"context", {{"k", "v"}}}});
    ASSERT_EQ(w.status, 200) << w.raw;
    auto blob = crypto::Base64Decode(w.body.value("ciphertext", ""), 4096).value();
    auto material = crypto::SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill)).value();
    auto ours = crypto::CommittedKey::Derive(material).value();
    auto opened = crypto::OpenBlob(*ours, crypto::ParseBlob(blob).value(),
                                   crypto::EncryptionContext::Create({{"k", "v"}}).value());
    ASSERT_TRUE(opened.ok()) << key;
  }

  // Cli runs the keyhold command with the admin token; returns its exit code.
  int Cli(const std::string& args, const std::string& grant = "") {
    const std::string cmd = "KEYHOLD_ADDR=" + Address() +
                            " KEYHOLD_CACERT=" + pki_.ca_cert.string() + " KEYHOLD_TOKEN='" +
                            admin_token_ + "' " + KEYHOLD_CLI_BINARY +
                            (grant.empty() ? "" : " --grant " + grant) + " " + args + " > '" +
                            (work_ / "cli.out").string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string CliOutput() {
    std::ifstream in(work_ / "cli.out");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  fs::path work_;
};

TEST_F(ByokTest, TheDocumentedOpensslStepsImportAKeyWithBothAlgorithms) {
  Answer first = ImportLikeTheDocs("acme/byok", 0x11);
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.body.value("origin", ""), "external");
  EXPECT_EQ(first.body.value("imported_version", 0), 1);
  ExpectWrapsUnder("acme/byok", 0x11);
  // RSAES_OAEP_SHA_256 into the same key: version 2, the new primary.
  Answer second = ImportLikeTheDocs("acme/byok", 0x12, "RSAES_OAEP_SHA_256");
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.body.value("imported_version", 0), 2);
  EXPECT_EQ(second.body.value("primary_version", 0), 2);
  ExpectWrapsUnder("acme/byok", 0x12);
  // Rotation inside Keyhold is refused for an imported key.
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/keys/acme/byok/rotate", Json::object()).status, 409);
}

TEST_F(ByokTest, TheCliImportsWithoutSendingTheMaterial) {
  std::ofstream(work_ / "material.bin", std::ios::binary) << std::string(32, '\x21');
  ASSERT_EQ(Cli("key import acme/cli --material " + (work_ / "material.bin").string() +
                " --expires 2099-01-01T00:00:00Z"),
            0)
      << CliOutput();
  EXPECT_NE(CliOutput().find("imported as version 1"), std::string::npos) << CliOutput();
  ExpectWrapsUnder("acme/cli", 0x21);
  Answer shown = Get(admin_token_, "/v1/keys/acme/cli");
  EXPECT_EQ(shown.body["versions"][0].value("material_expires_at", ""), "2099-01-01T00:00:00Z");
  // Material that is not 32 bytes never leaves the machine.
  std::ofstream(work_ / "short.bin", std::ios::binary) << std::string(31, 'x');
  EXPECT_EQ(Cli("key import acme/cli --material " + (work_ / "short.bin").string()), 1);
}

TEST_F(ByokTest, RefusalsEachWithTheirReason) {
  ASSERT_EQ(ImportLikeTheDocs("acme/byok", 0x31).status, 201);
  // Unknown algorithm: refused before the token is spent.
  std::ofstream(work_ / "material.bin", std::ios::binary) << std::string(32, '\x31');
  std::string token = Params("acme/byok");
  WrapLikeTheDocs("RSA_AES_KEY_WRAP_SHA_256");
  Answer unknown = Import("acme/byok", token, "RSA_AES_KEY_WRAP_SHA_1");
  EXPECT_EQ(unknown.status, 400) << unknown.raw;
  EXPECT_NE(unknown.raw.find("wrapping_algorithm"), std::string::npos);
  // A token for another key.
  Answer other = Import("acme/other", token, "RSA_AES_KEY_WRAP_SHA_256");
  EXPECT_EQ(other.status, 400) << other.raw;
  EXPECT_NE(other.raw.find("another key"), std::string::npos);
  // Other material into version 1: the commitment does not match.
  std::ofstream(work_ / "material.bin", std::ios::binary) << std::string(32, '\x32');
  WrapLikeTheDocs("RSA_AES_KEY_WRAP_SHA_256");
  Answer mismatch = Import("acme/byok", token, "RSA_AES_KEY_WRAP_SHA_256", Json{{"version", 1}});
  EXPECT_EQ(mismatch.status, 400) << mismatch.raw;
  EXPECT_NE(mismatch.raw.find("commitment mismatch"), std::string::npos);
  // The token was spent by that attempt.
  Answer spent = Import("acme/byok", token, "RSA_AES_KEY_WRAP_SHA_256");
  EXPECT_EQ(spent.status, 400) << spent.raw;
  EXPECT_NE(spent.raw.find("no such import token"), std::string::npos);
  // An expired token.
  token = Params("acme/byok");
  WrapLikeTheDocs("RSA_AES_KEY_WRAP_SHA_256");
  clock_.Advance(86400);
  Answer expired = Import("acme/byok", token, "RSA_AES_KEY_WRAP_SHA_256");
  EXPECT_EQ(expired.status, 400) << expired.raw;
  EXPECT_NE(expired.raw.find("expired"), std::string::npos);
  // Damaged wrapped bytes: the one generic error.
  token = Params("acme/byok");
  WrapLikeTheDocs("RSA_AES_KEY_WRAP_SHA_256");
  auto bytes = ReadBytes(work_ / "wrapped.bin");
  bytes[5] ^= 1;
  std::ofstream(work_ / "wrapped.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  Answer damaged = Import("acme/byok", token, "RSA_AES_KEY_WRAP_SHA_256");
  EXPECT_EQ(damaged.status, 400) << damaged.raw;
  EXPECT_EQ(damaged.body["error"].value("code", ""), "invalid_ciphertext");
  // A key generated inside Keyhold takes no imported material.
  ASSERT_EQ(
      Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "made"}}).status,
      201);
  Answer generated = ImportLikeTheDocs("acme/made", 0x33);
  EXPECT_EQ(generated.status, 409) << generated.raw;
  // Another region's tenant: refused before anything is made.
  Answer region = Call(admin_token_, "POST", "/v1/keys/eu/byok/import-params", Json::object());
  EXPECT_EQ(region.status, 403) << region.raw;
  EXPECT_EQ(region.body["error"].value("code", ""), "residency_violation");
}

TEST_F(ByokTest, ExportNeedsAnExportableKeyAndTwoOfficersForThatPublicKey) {
  ASSERT_EQ(ImportLikeTheDocs("acme/kept", 0x41).status, 201);
  ASSERT_EQ(
      ImportLikeTheDocs("acme/mobile", 0x42, "RSA_AES_KEY_WRAP_SHA_256", Json{{"exportable", true}})
          .status,
      201);
  ASSERT_TRUE(
      Sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out backup.key "
         "&& openssl pkey -in backup.key -pubout -out backup.pem"));
  ASSERT_TRUE(
      Sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out thief.key "
         "&& openssl pkey -in thief.key -pubout -out thief.pem"));
  const std::string backup = (work_ / "backup.pem").string();
  // Not exportable: refused, whatever the approvals.
  EXPECT_EQ(Cli("key export acme/kept --public-key " + backup + " --out " + (work_ / "x").string()),
            2);
  // Exportable, but no approval yet.
  EXPECT_EQ(
      Cli("key export acme/mobile --public-key " + backup + " --out " + (work_ / "x").string()), 2);
  EXPECT_NE(CliOutput().find("approval_required"), std::string::npos) << CliOutput();
  // Ask, with the key's fingerprint bound, and have two officers approve.
  ASSERT_EQ(Cli("key export acme/mobile --public-key " + backup +
                " --request --reason migration --text 'to the DR site'"),
            0)
      << CliOutput();
  const std::string out = CliOutput();
  const std::string id = out.substr(out.find("request ") + 8, 32);
  for (int i = 0; i < 2; ++i) {
    const std::string name = "officer-" + std::to_string(i);
    Answer t = Call(admin_token_, "POST", "/v1/tokens",
                    Json{{"principal", name}, {"tenant", "*"}, {"roles", {"officer"}}});
    ASSERT_EQ(t.status, 201) << t.raw;
    const auto signer = SignerFrom(static_cast<std::uint8_t>(0x50 + i));
    auto admin = Client(admin_token_);
    ASSERT_EQ(
        ServerTest::Call(*admin, "PUT", "/v1/officers/" + name,
                         Json{{"public_key", crypto::Base64Encode(signer.public_key())}}.dump())
            .status,
        200);
    const std::string officer = t.body.value("token", "");
    Answer shown = Get(officer, "/v1/requests/" + id);
    ASSERT_EQ(shown.status, 200) << shown.raw;
    EXPECT_EQ(shown.body["context"].value("key_version", ""), "1");
    Answer ok = Call(officer, "POST", "/v1/requests/" + id + "/approve",
                     Json{{"signature", Sign(signer, shown.body.value("approval_text", ""))},
                          {"comment", "ok"}});
    ASSERT_EQ(ok.status, 200) << ok.raw;
  }
  // The grant is for backup.pem: another public key does not fit it.
  EXPECT_EQ(Cli("key export acme/mobile --public-key " + (work_ / "thief.pem").string() +
                    " --out " + (work_ / "stolen").string(),
                id),
            2);
  EXPECT_FALSE(fs::exists(work_ / "stolen"));
  ASSERT_EQ(Cli("key export acme/mobile --public-key " + backup + " --out " +
                    (work_ / "mobile.wrapped").string(),
                id),
            0)
      << CliOutput();
  // Unwrap it where it arrives, as docs/byok.md shows (RSA-3072: 384 + 40).
  ASSERT_TRUE(Sh("head -c 384 mobile.wrapped > aes.oaep && tail -c 40 mobile.wrapped > m.kwp"));
  ASSERT_TRUE(
      Sh("openssl pkeyutl -decrypt -inkey backup.key -in aes.oaep -out aes.key -pkeyopt "
         "rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256"));
  ASSERT_TRUE(
      Sh("openssl enc -d -id-aes256-wrap-pad -iv A65959A6 -K \"$(od -An -tx1 -v aes.key "
         "| tr -d ' \\n')\" -in m.kwp -out exported.bin"));
  EXPECT_EQ(ReadBytes(work_ / "exported.bin"), std::vector<std::uint8_t>(32, 0x42));
  // A single-use grant: the same export again is refused.
  EXPECT_EQ(
      Cli("key export acme/mobile --public-key " + backup + " --out " + (work_ / "again").string(),
          id),
      2);
}

// Without a policy folder there is no approval rule for export: every
// export is refused, rather than allowed by roles alone.
class ByokWithoutPoliciesTest : public ByokTest {
 protected:
  void Configure(Config&) override {}
};

TEST_F(ByokWithoutPoliciesTest, NoApprovalRuleMeansNoExport) {
  ASSERT_EQ(
      ImportLikeTheDocs("acme/mobile", 0x61, "RSA_AES_KEY_WRAP_SHA_256", Json{{"exportable", true}})
          .status,
      201);
  ASSERT_TRUE(
      Sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out b.key "
         "&& openssl pkey -in b.key -pubout -out b.pem"));
  EXPECT_EQ(Cli("key export acme/mobile --public-key " + (work_ / "b.pem").string() + " --out " +
                (work_ / "x").string()),
            2);
  EXPECT_NE(CliOutput().find("this instance has none"), std::string::npos) << CliOutput();
  EXPECT_FALSE(fs::exists(work_ / "x"));
}

}  // namespace
}  // namespace keyhold::kms
