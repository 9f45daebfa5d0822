// DESIGN.md invariant 5: TLS below 1.3 is refused, and no setting lowers
// it. Client certificates: verified against the configured CA, mapped to a
// tenant and roles by the configuration.
#include <gtest/gtest.h>

#include "tests/server/raw_tls.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

TEST_F(ServerTest, OnlyTls13IsAccepted) {
  for (int version : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION}) {
    RawTls old(server_->port(), pki_.ca_cert, version, version);
    EXPECT_FALSE(old.handshake_ok()) << "version " << std::hex << version;
    EXPECT_EQ(Get("", "/v1/health/live").status, 200) << "the server keeps serving";
  }
  RawTls any(server_->port(), pki_.ca_cert, TLS1_VERSION, TLS1_3_VERSION);
  ASSERT_TRUE(any.handshake_ok());
  EXPECT_STREQ(any.version(), "TLSv1.3");
}

TEST_F(ServerTest, OpensslClientAt12IsRefused) {
  // The same check with the openssl command a reviewer would run.
  const std::string cmd =
      "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) +
      " -tls1_2 >/dev/null 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  const std::string ok =
      "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) +
      " -tls1_3 -CAfile " + pki_.ca_cert.string() + " -verify_return_error >/dev/null 2>&1";
  EXPECT_EQ(std::system(ok.c_str()), 0);
}

TEST_F(ServerTest, ClientCertificateBoundInConfigIsAPrincipal) {
  InitAndUnseal();
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "beta"}, {"name", "k"}}).status,
            201);
  auto mtls = Client("", /*client_cert=*/true);
  Answer wrapped = Call(*mtls, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "aGk="}}.dump());
  EXPECT_EQ(wrapped.status, 200) << wrapped.raw;
  // Bound to acme with the app role only.
  EXPECT_EQ(Call(*mtls, "POST", "/v1/keys/beta/k/wrap", Json{{"plaintext", "aGk="}}.dump()).status,
            403);
  EXPECT_EQ(Call(*mtls, "POST", "/v1/keys/acme/k/rotate", "").status, 403);
  // The log names the certificate's identity as the principal.
  bool logged = false;
  for (const auto& line : Logs()) {
    logged |= line.find("\"principal\":\"app1.test\"") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(ServerTest, CertificateFromAnotherCaIsRefusedAtTheHandshake) {
  client::ClientOptions o;
  o.address = Address();
  o.ca_file = pki_.ca_cert;
  o.client_cert = pki_.foreign_client_cert;
  o.client_key = pki_.foreign_client_key;
  auto client = client::HttpsClient::Create(o);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Request("GET", "/v1/health/live");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Get("", "/v1/health/live").status, 200);
}

class SubjectCnTest : public ServerTest {
 protected:
  void Configure(Config& c) override {
    c.client_identity = "subject_cn";
    c.client_certs = {ClientCertBinding{"app1-cn", "acme", RoleSet::Of({Role::kAuditor})}};
  }
};

TEST_F(SubjectCnTest, IdentityFromTheSubjectCommonName) {
  InitAndUnseal();
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  auto mtls = Client("", true);
  EXPECT_EQ(Call(*mtls, "GET", "/v1/keys/acme/k").status, 200);  // auditor reads
  EXPECT_EQ(Call(*mtls, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "aGk="}}.dump()).status,
            403);
}

class UnboundCertTest : public ServerTest {
 protected:
  void Configure(Config& c) override { c.client_certs.clear(); }
};

TEST_F(UnboundCertTest, AValidButUnboundCertificateIsForbidden) {
  InitAndUnseal();
  auto mtls = Client("", true);
  Answer a = Call(*mtls, "GET", "/v1/keys/acme/k");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body["error"]["code"], "forbidden");
}

}  // namespace
}  // namespace keyhold::kms
