// DESIGN.md invariant 6: bad input of any kind gets a clear 4xx JSON error
// and the server keeps serving. Every case below is followed by a good
// request on a fresh connection, which must still succeed.
#include <gtest/gtest.h>

#include "tests/server/raw_tls.h"
#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

class ErrorsTest : public ServerTest {
 protected:
  // Large enough that a 100,000-deep body reaches the JSON parser, whose
  // depth limit (not the size limit) must refuse it.
  void Configure(Config& c) override { c.max_body_bytes = 512 * 1024; }
  void SetUp() override {
    ServerTest::SetUp();
    InitAndUnseal();
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
        201);
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "beta"}, {"name", "k"}}).status,
        201);
    app_ = Token("acme", {"app"});
  }
  // StillServing checks that an ordinary request works afterwards.
  void ExpectStillServing(const std::string& after) {
    Answer ok = Call(app_, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "aGk="}});
    EXPECT_EQ(ok.status, 200) << "after " << after << ": " << ok.raw;
  }
  // ExpectJsonError checks the error envelope of a raw response.
  static void ExpectJsonError(const std::string& response, int status, const std::string& code,
                              const std::string& name) {
    EXPECT_EQ(RawTls::Status(response), status) << name << ": " << response.substr(0, 200);
    const auto body = response.find("\r\n\r\n");
    ASSERT_NE(body, std::string::npos) << name;
    Json j = Json::parse(response.substr(body + 4), nullptr, false);
    ASSERT_TRUE(j.is_object()) << name;
    EXPECT_EQ(j["error"]["code"], code) << name;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << name;
    EXPECT_EQ(j["error"]["request_id"].get<std::string>().size(), 32u) << name;
    EXPECT_NE(response.find("Content-Type: application/json"), std::string::npos) << name;
  }
  std::string app_;
};

struct BadRequest {
  const char* name;
  std::string method;
  std::string target;
  std::string body;
  std::string token;  // "" none, "app", "admin", "other", "bad"
  std::string content_type = "application/json";
  int status;
  const char* code;
};

TEST_F(ErrorsTest, EveryBadRequestGetsAJsonErrorAndTheServerKeepsServing) {
  const std::string deep(100000, '[');
  std::string deep_object;
  for (int i = 0; i < 100000; ++i)
    deep_object += "{\"a\":";
  const std::string blob =
      Call(app_, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "aGk="}}).body["ciphertext"];
  const std::vector<BadRequest> cases = {
      {"malformed JSON", "POST", "/v1/keys/acme/k/wrap", "{\"plaintext\": ", "app",
       "application/json", 400, "invalid_request"},
      {"not an object", "POST", "/v1/keys/acme/k/wrap", "[1,2]", "app", "application/json", 400,
       "invalid_request"},
      {"100,000-deep arrays", "POST", "/v1/keys/acme/k/wrap", deep, "app", "application/json", 400,
       "invalid_request"},
      {"100,000-deep objects", "POST", "/v1/keys/acme/k/wrap", deep_object, "app",
       "application/json", 400, "invalid_request"},
      {"duplicate key", "POST", "/v1/keys/acme/k/wrap",
       R"({"plaintext":"aGk=","plaintext":"aGk="})", "app", "application/json", 400,
       "invalid_request"},
      {"unknown field", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aGk=","nonce":"AAAA"})",
       "app", "application/json", 400, "invalid_request"},
      {"wrong type", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":42})", "app",
       "application/json", 400, "invalid_request"},
      {"bad base64", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aGk"})", "app",
       "application/json", 400, "invalid_request"},
      {"base64 with whitespace", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aG k="})", "app",
       "application/json", 400, "invalid_request"},
      {"url-safe base64", "POST", "/v1/keys/acme/k/unwrap", R"({"ciphertext":"-_-_"})", "app",
       "application/json", 400, "invalid_request"},
      {"context not strings", "POST", "/v1/keys/acme/k/wrap",
       R"({"plaintext":"aGk=","context":{"a":1}})", "app", "application/json", 400,
       "invalid_context"},
      {"invalid UTF-8 in JSON", "POST", "/v1/keys/acme/k/wrap",
       "{\"plaintext\":\"aGk=\",\"context\":{\"a\":\"\xff\"}}", "app", "application/json", 400,
       "invalid_request"},
      {"tampered ciphertext", "POST", "/v1/keys/acme/k/unwrap",
       Json{{"ciphertext", blob.substr(0, blob.size() - 4) + "AAAA"}}.dump(), "app",
       "application/json", 400, "invalid_ciphertext"},
      {"empty plaintext", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":""})", "app",
       "application/json", 400, "invalid_request"},
      {"wrong content type", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aGk="})", "app",
       "text/plain", 415, "unsupported_media_type"},
      {"form content type", "POST", "/v1/keys/acme/k/wrap", "plaintext=aGk%3D", "app",
       "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
      {"unknown route", "GET", "/v1/nothing", "", "app", "application/json", 404, "not_found"},
      {"path traversal", "GET", "/v1/keys/../sys/seal", "", "app", "application/json", 404,
       "not_found"},
      {"wrong method", "GET", "/v1/keys/acme/k/wrap", "", "app", "application/json", 405,
       "method_not_allowed"},
      {"bad key id in path", "GET", "/v1/keys/ACME/k", "", "app", "application/json", 400,
       "invalid_key_id"},
      {"unknown key", "GET", "/v1/keys/acme/nope", "", "app", "application/json", 404,
       "key_not_found"},
      {"no credential", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aGk="})", "",
       "application/json", 401, "unauthenticated"},
      {"bad token", "POST", "/v1/keys/acme/k/wrap", R"({"plaintext":"aGk="})", "bad",
       "application/json", 401, "unauthenticated"},
      {"wrong role", "POST", "/v1/keys/acme/k/rotate", "", "app", "application/json", 403,
       "forbidden"},
      {"other tenant", "POST", "/v1/keys/beta/k/wrap", R"({"plaintext":"aGk="})", "app",
       "application/json", 403, "forbidden"},
      {"admin cannot unwrap", "POST", "/v1/keys/acme/k/unwrap", Json{{"ciphertext", blob}}.dump(),
       "admin", "application/json", 403, "forbidden"},
      {"bad query", "GET", "/v1/keys?tenant=acme&tenant=beta", "", "app", "application/json", 400,
       "invalid_request"},
      {"missing tenant query", "GET", "/v1/keys", "", "app", "application/json", 400,
       "invalid_request"},
      {"bad limit", "GET", "/v1/keys?tenant=acme&limit=0", "", "app", "application/json", 400,
       "invalid_request"},
      {"key exists", "POST", "/v1/keys", R"({"tenant":"acme","name":"k"})", "admin",
       "application/json", 409, "key_exists"},
  };
  for (const BadRequest& c : cases) {
    std::string headers;
    const std::string token = c.token == "app"     ? app_
                              : c.token == "admin" ? admin_token_
                              : c.token == "bad"   ? "kh_" + std::string(64, '0')
                                                   : "";
    if (!token.empty()) {
      headers = "Authorization: Bearer " + token + "\r\n";
    }
    RawTls conn(server_->port(), pki_.ca_cert);
    ASSERT_TRUE(conn.handshake_ok()) << c.name;
    ASSERT_TRUE(conn.Send(RawRequest(c.method, c.target, c.body, headers, c.content_type)))
        << c.name;
    const std::string response = conn.Read(5000);
    ExpectJsonError(response, c.status, c.code, c.name);
    if (c.status == 405) {
      EXPECT_NE(response.find("Allow: POST"), std::string::npos) << c.name;
    }
    ExpectStillServing(c.name);
  }
}

TEST_F(ErrorsTest, MalformedHttpGets400AndTheConnectionCloses) {
  for (const std::string& garbage :
       {std::string("HELLO\r\n\r\n"), std::string("GET /v1/health/live HTTP/9.9\r\n\r\n"),
        std::string("POST /v1/keys HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nBad Header Line\r\n\r\n")}) {
    RawTls conn(server_->port(), pki_.ca_cert);
    ASSERT_TRUE(conn.Send(garbage));
    bool closed = false;
    const std::string response = conn.Read(5000, &closed);
    ExpectJsonError(response, 400, "invalid_request", garbage);
    ExpectStillServing(garbage);
  }
}

class LimitsTest : public ErrorsTest {
 protected:
  void Configure(Config& c) override {
    ErrorsTest::Configure(c);
    c.max_body_bytes = 2048;
    c.max_header_bytes = 1024;
    c.auth_failures_per_minute = 3;
  }
};

TEST_F(LimitsTest, OversizeBodyIs413AndTheServerKeepsServing) {
  const std::string big = Json{{"plaintext", std::string(4000, 'A')}}.dump();
  RawTls conn(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(conn.Send(
      RawRequest("POST", "/v1/keys/acme/k/wrap", big, "Authorization: Bearer " + app_ + "\r\n")));
  ExpectJsonError(conn.Read(5000), 413, "payload_too_large", "oversize body");
  ExpectStillServing("oversize body");
  // Without Content-Length (chunked), the limit holds as the body streams.
  RawTls chunked(server_->port(), pki_.ca_cert);
  std::string req =
      "POST /v1/keys/acme/k/wrap HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nAuthorization: Bearer " +
      app_ + "\r\n\r\n";
  for (int i = 0; i < 4; ++i) {
    req += "400\r\n" + std::string(1024, 'A') + "\r\n";
  }
  ASSERT_TRUE(chunked.Send(req));
  ExpectJsonError(chunked.Read(5000), 413, "payload_too_large", "chunked body");
  ExpectStillServing("chunked body");
}

TEST_F(LimitsTest, OversizeHeadersAre413) {
  RawTls conn(server_->port(), pki_.ca_cert);
  ASSERT_TRUE(conn.Send(
      RawRequest("GET", "/v1/health/live", "", "X-Padding: " + std::string(2000, 'p') + "\r\n")));
  ExpectJsonError(conn.Read(5000), 413, "payload_too_large", "oversize headers");
  ExpectStillServing("oversize headers");
}

TEST_F(LimitsTest, RepeatedAuthFailuresAreRateLimited) {
  const std::string bad = "kh_" + std::string(64, '1');
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Get(bad, "/v1/keys/acme/k").status, 401) << i;
  }
  Answer limited = Get(bad, "/v1/keys/acme/k");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["code"], "rate_limited");
  // No credential or a public route waits too; health probes don't.
  EXPECT_EQ(Get("", "/v1/keys/acme/k").status, 429);
  EXPECT_EQ(Call("", "POST", "/v1/sys/unseal", Json{{"share", "x"}}).status, 429);
  EXPECT_EQ(Get("", "/v1/health/live").status, 200);
  // A good credential from the same address (other apps on a sidecar's host)
  // is still served.
  EXPECT_EQ(Get(app_, "/v1/keys/acme/k").status, 200);
  EXPECT_EQ(Get(bad, "/v1/keys/acme/k").status, 429);
  clock_.Advance(61);
  EXPECT_EQ(Get(bad, "/v1/keys/acme/k").status, 401);
}

}  // namespace
}  // namespace keyhold::kms
