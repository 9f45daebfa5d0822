// The HTTP API over real TLS: health codes, the key lifecycle and the four
// key operations round-tripping, tokens, and the request id on every answer.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.h"

namespace keyhold::kms {
namespace {

TEST_F(ServerTest, HealthFollowsVaultCodesAcrossStates) {
  EXPECT_EQ(Get("", "/v1/sys/health").status, 501);
  EXPECT_EQ(Get("", "/v1/health/live").status, 200);
  Answer ready = Get("", "/v1/health/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body["reason"], "not_initialized");

  Answer init = Call("", "POST", "/v1/sys/init",
                     Json{{"method", "shamir"}, {"share_count", 3}, {"threshold", 2}});
  ASSERT_EQ(init.status, 200) << init.raw;
  EXPECT_EQ(init.body["shares"].size(), 3u);
  EXPECT_EQ(init.body["admin_token"].get<std::string>().rfind("kh_", 0), 0u);
  EXPECT_EQ(Get("", "/v1/sys/health").status, 503);
  Answer status = Get("", "/v1/sys/seal-status");
  EXPECT_EQ(status.body["sealed"], true);
  EXPECT_EQ(status.body["threshold"], 2);

  Answer one = Call("", "POST", "/v1/sys/unseal", Json{{"share", init.body["shares"][0]}});
  EXPECT_EQ(one.body["progress"], 1);
  Answer two = Call("", "POST", "/v1/sys/unseal", Json{{"share", init.body["shares"][2]}});
  EXPECT_EQ(two.body["sealed"], false);
  EXPECT_EQ(Get("", "/v1/sys/health").status, 200);
  EXPECT_EQ(Get("", "/v1/health/ready").status, 200);
  // A second init is refused.
  EXPECT_EQ(Call("", "POST", "/v1/sys/init", Json{{"method", "shamir"}}).status, 409);
}

TEST_F(ServerTest, KeyLifecycleAndOperationsRoundTrip) {
  InitAndUnseal();
  const std::string app = Token("acme", {"app"});
  Answer created =
      Call(admin_token_, "POST", "/v1/keys",
           Json{{"tenant", "acme"}, {"name", "invoices"}, {"rotation_period_s", 7776000}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["id"], "acme/invoices");
  EXPECT_EQ(created.body["state"], "enabled");
  EXPECT_EQ(created.body["primary_version"], 1);

  const Json ctx = {{"bucket", "b1"}, {"object", "2026/a.pdf"}};
  Answer wrapped = Call(app, "POST", "/v1/keys/acme/invoices/wrap",
                        Json{{"plaintext", "aGVsbG8gd29ybGQ="}, {"context", ctx}});
  ASSERT_EQ(wrapped.status, 200) << wrapped.raw;
  EXPECT_EQ(wrapped.body["key_version"], 1);
  const std::string v1 = wrapped.body["ciphertext"];

  Answer unwrapped = Call(app, "POST", "/v1/keys/acme/invoices/unwrap",
                          Json{{"ciphertext", v1}, {"context", ctx}});
  ASSERT_EQ(unwrapped.status, 200) << unwrapped.raw;
  EXPECT_EQ(unwrapped.body["plaintext"], "aGVsbG8gd29ybGQ=");

  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys/acme/invoices/rotate", Json::object()).status,
            200);
  Answer shown = Get(admin_token_, "/v1/keys/acme/invoices");
  EXPECT_EQ(shown.body["primary_version"], 2);
  EXPECT_EQ(shown.body["versions"].size(), 2u);
  EXPECT_EQ(shown.body["versions"][0]["encryptions"], 1);

  // The old blob still unwraps; rewrap moves it to version 2.
  EXPECT_EQ(
      Call(app, "POST", "/v1/keys/acme/invoices/unwrap", Json{{"ciphertext", v1}, {"context", ctx}})
          .body["key_version"],
      1);
  Answer rewrapped = Call(app, "POST", "/v1/keys/acme/invoices/rewrap",
                          Json{{"ciphertext", v1}, {"context", ctx}});
  ASSERT_EQ(rewrapped.status, 200);
  EXPECT_EQ(rewrapped.body["key_version"], 2);

  Answer dk = Call(app, "POST", "/v1/keys/acme/invoices/generate-data-key", Json{{"context", ctx}});
  ASSERT_EQ(dk.status, 200);
  EXPECT_EQ(dk.body["plaintext"].get<std::string>().size(), 44u);  // base64 of 32 bytes
  Answer dk_back = Call(app, "POST", "/v1/keys/acme/invoices/unwrap",
                        Json{{"ciphertext", dk.body["ciphertext"]}, {"context", ctx}});
  EXPECT_EQ(dk_back.body["plaintext"], dk.body["plaintext"]);
  Answer dk_only = Call(app, "POST", "/v1/keys/acme/invoices/generate-data-key",
                        Json{{"context", ctx}, {"include_plaintext", false}});
  EXPECT_FALSE(dk_only.body.contains("plaintext"));
  EXPECT_TRUE(dk_only.body.contains("ciphertext"));

  // Config, disable, enable, deletion.
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/keys/acme/invoices/config",
                 Json{{"min_decryption_version", 2}})
                .body["min_decryption_version"],
            2);
  EXPECT_EQ(
      Call(app, "POST", "/v1/keys/acme/invoices/unwrap", Json{{"ciphertext", v1}, {"context", ctx}})
          .status,
      409);
  EXPECT_EQ(
      Call(admin_token_, "POST", "/v1/keys/acme/invoices/disable", Json::object()).body["state"],
      "disabled");
  EXPECT_EQ(Call(app, "POST", "/v1/keys/acme/invoices/wrap", Json{{"plaintext", "AA=="}}).status,
            409);
  EXPECT_EQ(
      Call(admin_token_, "POST", "/v1/keys/acme/invoices/enable", Json::object()).body["state"],
      "enabled");
  Answer pending =
      Call(admin_token_, "POST", "/v1/keys/acme/invoices/schedule-deletion", Json{{"days", 7}});
  EXPECT_EQ(pending.body["state"], "pending_deletion");
  EXPECT_FALSE(pending.body["deletion_at"].is_null());
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/keys/acme/invoices/cancel-deletion", Json::object())
                .body["state"],
            "disabled");

  // List, with paging.
  for (const char* name : {"a1", "a2", "a3"}) {
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", name}}).status,
        201);
  }
  Answer page = Get(app, "/v1/keys?tenant=acme&limit=2");
  ASSERT_EQ(page.status, 200) << page.raw;
  EXPECT_EQ(page.body["keys"].size(), 2u);
  EXPECT_EQ(page.body["next_after"], "a2");
  Answer rest = Get(app, "/v1/keys?tenant=acme&limit=2&after=a2");
  EXPECT_EQ(rest.body["keys"].size(), 2u);
  EXPECT_EQ(rest.body["keys"][0]["name"], "a3");
}

TEST_F(ServerTest, TokensAreShownOnceAndCanBeRevoked) {
  InitAndUnseal();
  Answer created =
      Call(admin_token_, "POST", "/v1/tokens",
           Json{{"principal", "billing"}, {"tenant", "acme"}, {"roles", {"app"}}, {"ttl_s", 3600}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string token = created.body["token"];
  const std::string accessor = created.body["accessor"];
  EXPECT_EQ(accessor.size(), 16u);
  Answer list = Get(admin_token_, "/v1/tokens");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.raw.find(token), std::string::npos);  // never the token itself
  EXPECT_NE(list.raw.find(accessor), std::string::npos);
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  EXPECT_EQ(Get(token, "/v1/keys/acme/k").status, 200);
  // Expiry follows the server's clock.
  clock_.Advance(3600);
  EXPECT_EQ(Get(token, "/v1/keys/acme/k").status, 401);
  clock_.Advance(-3600);
  EXPECT_EQ(Get(token, "/v1/keys/acme/k").status, 200);
  Answer revoked = Call(admin_token_, "POST", "/v1/tokens/" + accessor + "/revoke", Json::object());
  EXPECT_EQ(revoked.status, 200);
  EXPECT_FALSE(revoked.body["revoked_at"].is_null());
  EXPECT_EQ(Get(token, "/v1/keys/acme/k").status, 401);
  EXPECT_EQ(Call(admin_token_, "POST", "/v1/tokens/0123456789abcdef/revoke", Json::object()).status,
            404);
  // Only an admin of every tenant manages tokens.
  const std::string acme_admin = Token("acme", {"admin"});
  EXPECT_EQ(Get(acme_admin, "/v1/tokens").status, 403);
}

TEST_F(ServerTest, EveryAnswerCarriesARequestIdAndErrorsRepeatIt) {
  auto client = Client();
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/v1/health/live"},
                                                        {"GET", "/nope"},
                                                        {"POST", "/v1/sys/health"},
                                                        {"GET", "/v1/keys"}}) {
    Answer a = Call(*client, method, target);
    EXPECT_EQ(a.request_id.size(), 32u) << target;
    if (a.status >= 400) {
      EXPECT_EQ(a.body["error"]["request_id"], a.request_id) << target;
    }
  }
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  InitAndUnseal();
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  auto client = Client(Token("acme", {"app"}));
  for (int i = 0; i < 50; ++i) {
    Answer a =
        Call(*client, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AAECAw=="}}.dump());
    ASSERT_EQ(a.status, 200) << i << " " << a.raw;
  }
}

TEST_F(ServerTest, SealedServiceAnswers503AndSealNeedsAGlobalAdmin) {
  InitAndUnseal();
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "k"}}).status,
            201);
  const std::string app = Token("acme", {"app"});
  EXPECT_EQ(Call(app, "POST", "/v1/sys/seal", Json::object()).status, 403);
  ASSERT_EQ(Call(admin_token_, "POST", "/v1/sys/seal", Json::object()).status, 200);
  Answer sealed = Call(app, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AA=="}});
  EXPECT_EQ(sealed.status, 503);
  EXPECT_EQ(sealed.body["error"]["code"], "sealed");
  Unseal();
  EXPECT_EQ(Call(app, "POST", "/v1/keys/acme/k/wrap", Json{{"plaintext", "AA=="}}).status, 200);
}

}  // namespace
}  // namespace keyhold::kms
