// Tests for kms/api/render.h: RFC 3339 times (epoch, leap days, century
// rules, past 2038), and the exact JSON of a key (every field name, null
// versus string deletion_at, versions only when present), a token (never a
// "token" field), the seal status (shamir, passphrase, key file,
// uninitialised) and the error envelope (catalogue names, safe text for an
// empty message). Documents are compared as their Dump text, so a renamed,
// added or retyped field fails.
#include "kms/api/render.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keyhold::kms {
namespace {

std::string Text(const SecureJson& doc) {
  const crypto::SecureString s = Dump(doc);
  return std::string(s.begin(), s.end());
}

std::vector<std::string> Keys(const SecureJson& object) {
  std::vector<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) {
    out.emplace_back(it.key().begin(), it.key().end());
  }
  return out;
}

KeyInfo SampleKey() {
  KeyInfo key{crypto::KeyId::Create("acme", "app").value(), KeyRecord{}, {}};
  KeyRecord& r = key.record;
  r.state = KeyState::kEnabled;
  r.origin = KeyOrigin::kGenerated;
  r.primary_version = 3;
  r.min_decryption_version = 2;
  r.latest_version = 3;
  r.created_at = 1700000000;
  r.updated_at = 1800000000;
  r.last_rotated_at = 1709210096;
  r.rotation_period_s = 86400;
  r.deletion_at = 0;
  return key;
}

TEST(RenderRfc3339, KnownInstants) {
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(1), "1970-01-01T00:00:01Z");
  EXPECT_EQ(Rfc3339(1'800'000'000), "2027-01-15T08:00:00Z");
  EXPECT_EQ(Rfc3339(1'700'000'000), "2023-11-14T22:13:20Z");
  // Leap days: 2024 (divisible by 4), 2000 (divisible by 400).
  EXPECT_EQ(Rfc3339(1709210096), "2024-02-29T12:34:56Z");
  EXPECT_EQ(Rfc3339(1709210096 - 86400), "2024-02-28T12:34:56Z");
  EXPECT_EQ(Rfc3339(1709210096 + 86400), "2024-03-01T12:34:56Z");
  EXPECT_EQ(Rfc3339(951868799), "2000-02-29T23:59:59Z");
  // 2100 is not a leap year.
  EXPECT_EQ(Rfc3339(4107542399), "2100-02-28T23:59:59Z");
  EXPECT_EQ(Rfc3339(4107542400), "2100-03-01T00:00:00Z");
  // Past the 32-bit rollover.
  EXPECT_EQ(Rfc3339(2147483648LL), "2038-01-19T03:14:08Z");
  EXPECT_EQ(Rfc3339(86399), "1970-01-01T23:59:59Z");
}

TEST(RenderKey, ExactFieldsWithoutVersions) {
  const KeyInfo key = SampleKey();
  const SecureJson doc = RenderKey(key);
  EXPECT_EQ(Keys(doc),
            (std::vector<std::string>{"created_at", "deletion_at", "exportable", "id",
                                      "last_rotated_at", "latest_version", "min_decryption_version",
                                      "name", "origin", "primary_version", "rotation_period_s",
                                      "state", "tenant", "updated_at"}));
  EXPECT_EQ(Text(doc),
            "{\"created_at\":\"2023-11-14T22:13:20Z\",\"deletion_at\":null,\"exportable\":false,"
            "\"id\":\"acme/app\","
            "\"last_rotated_at\":\"2024-02-29T12:34:56Z\",\"latest_version\":3,"
            "\"min_decryption_version\":2,\"name\":\"app\",\"origin\":\"generated\","
            "\"primary_version\":3,\"rotation_period_s\":86400,\"state\":\"enabled\","
            "\"tenant\":\"acme\",\"updated_at\":\"2027-01-15T08:00:00Z\"}");
  EXPECT_TRUE(doc["deletion_at"].is_null());
  EXPECT_TRUE(doc["latest_version"].is_number_unsigned());
}

TEST(RenderKey, DeletionAtAndStates) {
  KeyInfo key = SampleKey();
  key.record.state = KeyState::kPendingDeletion;
  key.record.deletion_at = 1'800'000'000;
  SecureJson doc = RenderKey(key);
  ASSERT_TRUE(doc["deletion_at"].is_string());
  EXPECT_EQ(Text(doc["deletion_at"]), "\"2027-01-15T08:00:00Z\"");
  EXPECT_EQ(Text(doc["state"]), "\"pending_deletion\"");

  const std::pair<KeyState, const char*> states[] = {
      {KeyState::kEnabled, "\"enabled\""},
      {KeyState::kDisabled, "\"disabled\""},
      {KeyState::kPendingDeletion, "\"pending_deletion\""},
      {KeyState::kDestroyed, "\"destroyed\""},
  };
  for (const auto& [state, name] : states) {
    key.record.state = state;
    EXPECT_EQ(Text(RenderKey(key)["state"]), name);
  }
}

TEST(RenderKey, VersionsOnlyWhenAskedFor) {
  KeyInfo key = SampleKey();
  EXPECT_FALSE(RenderKey(key).contains("versions"));
  // A destroyed key has none: still an array, so the shape never changes.
  EXPECT_EQ(Text(RenderKey(key, Versions::kInclude)["versions"]), "[]");
  key.versions = {VersionInfo{2, 1700000000, 0}, VersionInfo{3, 1709210096, 4294967296ULL}};
  EXPECT_FALSE(RenderKey(key).contains("versions"));
  const SecureJson doc = RenderKey(key, Versions::kInclude);
  ASSERT_TRUE(doc.contains("versions"));
  EXPECT_EQ(Text(doc["versions"]),
            "[{\"created_at\":\"2023-11-14T22:13:20Z\",\"encryptions\":0,"
            "\"material_expires_at\":null,\"version\":2},"
            "{\"created_at\":\"2024-02-29T12:34:56Z\",\"encryptions\":4294967296,"
            "\"material_expires_at\":null,\"version\":3}]");
  EXPECT_EQ(Keys(doc).size(), 15u);
}

TEST(RenderKey, NeverRotatedRecordShowsTheEpoch) {
  // Pinned: last_rotated_at has no "0 means never" rule (the keyring sets it
  // at creation), so a zero renders as the epoch rather than null.
  KeyInfo key = SampleKey();
  key.record.last_rotated_at = 0;
  EXPECT_EQ(Text(RenderKey(key)["last_rotated_at"]), "\"1970-01-01T00:00:00Z\"");
}

TokenInfo SampleToken() {
  TokenInfo t;
  t.accessor = "0123456789abcdef";
  t.principal = "ci@acme";
  t.tenant = "acme";
  t.roles = RoleSet::Of({Role::kAuditor, Role::kApp});
  t.created_at = 1700000000;
  t.expires_at = 1800000000;
  t.revoked_at = 0;
  return t;
}

TEST(RenderToken, ExactFieldsAndNoTokenField) {
  const SecureJson doc = RenderToken(SampleToken());
  EXPECT_EQ(Text(doc),
            "{\"accessor\":\"0123456789abcdef\",\"created_at\":\"2023-11-14T22:13:20Z\","
            "\"expires_at\":\"2027-01-15T08:00:00Z\",\"principal\":\"ci@acme\","
            "\"revoked_at\":null,\"roles\":[\"app\",\"auditor\"],\"tenant\":\"acme\"}");
  EXPECT_FALSE(doc.contains("token"));
}

TEST(RenderToken, NullTimesAndRoleOrder) {
  TokenInfo t = SampleToken();
  t.expires_at = 0;
  t.revoked_at = 1709210096;
  t.tenant = "*";
  t.roles = RoleSet::Of({Role::kAuditor, Role::kOfficer, Role::kApp, Role::kAdmin});
  const SecureJson doc = RenderToken(t);
  EXPECT_TRUE(doc["expires_at"].is_null());
  EXPECT_EQ(Text(doc["revoked_at"]), "\"2024-02-29T12:34:56Z\"");
  EXPECT_EQ(Text(doc["roles"]), "[\"admin\",\"app\",\"officer\",\"auditor\"]");
  EXPECT_EQ(Text(doc["tenant"]), "\"*\"");
  EXPECT_FALSE(doc.contains("token"));
  t.roles = RoleSet();
  EXPECT_EQ(Text(RenderToken(t)["roles"]), "[]");
}

TEST(RenderSealStatus, Uninitialised) {
  SealStatus s;
  s.initialized = false;
  s.sealed = true;
  s.threshold = 3;  // ignored when not initialised
  EXPECT_EQ(Text(RenderSealStatus(s)), "{\"initialized\":false,\"sealed\":true}");
}

TEST(RenderSealStatus, Shamir) {
  SealStatus s;
  s.initialized = true;
  s.sealed = true;
  s.method = SealMethod::kShamir;
  s.threshold = 3;
  s.share_count = 5;
  s.progress = 1;
  EXPECT_EQ(Text(RenderSealStatus(s)),
            "{\"initialized\":true,\"method\":\"shamir\",\"progress\":1,\"sealed\":true,"
            "\"shares\":5,\"threshold\":3}");
  s.sealed = false;
  s.progress = 0;
  EXPECT_EQ(Text(RenderSealStatus(s)),
            "{\"initialized\":true,\"method\":\"shamir\",\"progress\":0,\"sealed\":false,"
            "\"shares\":5,\"threshold\":3}");
}

TEST(RenderSealStatus, PassphraseAndKeyFileHaveNoShareFields) {
  SealStatus s;
  s.initialized = true;
  s.sealed = false;
  s.method = SealMethod::kPassphrase;
  s.threshold = 9;  // not shown for other methods
  s.share_count = 9;
  s.progress = 9;
  EXPECT_EQ(Text(RenderSealStatus(s)),
            "{\"initialized\":true,\"method\":\"passphrase\",\"sealed\":false}");
  s.method = SealMethod::kKeyFile;
  s.sealed = true;
  EXPECT_EQ(Text(RenderSealStatus(s)),
            "{\"initialized\":true,\"method\":\"key_file\",\"sealed\":true}");
}

TEST(RenderError, Envelope) {
  const SecureJson doc =
      RenderError(MakeError(ErrorCode::kKeyNotFound, "no key acme/app"), "req-123");
  EXPECT_EQ(Text(doc),
            "{\"error\":{\"code\":\"key_not_found\",\"message\":\"no key acme/app\","
            "\"request_id\":\"req-123\"}}");
  EXPECT_EQ(Keys(doc), std::vector<std::string>{"error"});
}

TEST(RenderError, EmptyMessageBecomesSafeText) {
  EXPECT_EQ(Text(RenderError(Error{ErrorCode::kForbidden, ""}, "r")),
            "{\"error\":{\"code\":\"forbidden\",\"message\":\"the credential does not allow this "
            "operation\",\"request_id\":\"r\"}}");
  for (const ErrorInfo& row : ErrorCatalogue()) {
    const SecureJson doc = RenderError(Error{row.code, ""}, "");
    const SecureJson& inner = doc["error"];
    EXPECT_EQ(Keys(inner), (std::vector<std::string>{"code", "message", "request_id"}));
    EXPECT_EQ(Text(inner["code"]), "\"" + std::string(row.name) + "\"");
    EXPECT_EQ(Text(inner["message"]), "\"" + std::string(row.safe_text) + "\"") << row.name;
    EXPECT_EQ(Text(inner["request_id"]), "\"\"");
  }
}

TEST(RenderError, CodeIsTheCatalogueNameForEveryRow) {
  for (const ErrorInfo& row : ErrorCatalogue()) {
    const SecureJson doc = RenderError(MakeError(row.code, "m"), "id");
    EXPECT_EQ(Text(doc["error"]["code"]), "\"" + std::string(Info(row.code).name) + "\"");
    EXPECT_EQ(Text(doc["error"]["message"]), "\"m\"");
    const std::string name(row.name);
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << name;
  }
  EXPECT_EQ(Text(RenderError(MakeError(ErrorCode::kInvalidRequest, "x"), "i")["error"]["code"]),
            "\"invalid_request\"");
  EXPECT_EQ(Text(RenderError(MakeError(ErrorCode::kSealed), "i")["error"]["code"]), "\"sealed\"");
}

}  // namespace
}  // namespace keyhold::kms
