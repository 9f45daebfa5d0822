// Tests for policies/approval_digest.h: the canonical text of a known subject
// spelt out literally (the CLI rebuilds it byte for byte, so any change to it
// must be a visible, deliberate one), "any" for a subject without a version,
// the context digest of the empty and of a one-entry context against values
// computed independently with sha256sum over the documented canonical
// encoding, and a table showing that changing any single field of the subject
// (the reason code and the grant's size included) changes the digest an
// officer signs, so a signature cannot be moved.
#include "policies/approval_digest.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::policies {
namespace {

using keyhold::testing::ToHex;

crypto::EncryptionContext Ctx(std::vector<crypto::EncryptionContext::Entry> entries) {
  auto c = crypto::EncryptionContext::Create(std::move(entries));
  EXPECT_TRUE(c.ok());
  return c.ok() ? std::move(c).value() : crypto::EncryptionContext();
}

ApprovalSubject Known() {
  ApprovalSubject s;
  s.request_id = "0123456789abcdef0123456789abcdef";
  s.operation = "unwrap";
  s.key = "acme/hr-records";
  s.key_version = 7;
  s.context = Ctx({{"case", "INC-1"}});
  s.requester = "svc-app@acme";
  s.not_before = 1'800'000'000;
  s.not_after = 1'800'003'600;
  s.expires_at = 1'800'086'400;
  s.reason_code = "incident_review";
  s.grant_uses = 2;
  s.grant_ttl_s = 3600;
  return s;
}

// printf '\x00\x00' | sha256sum: the canonical empty context is a u16 count
// of zero (crypto/encryption_context.h).
constexpr char kEmptyContextDigest[] =
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
// printf '\x00\x01\x00\x04case\x00\x05INC-1' | sha256sum: one entry, u16
// big-endian lengths.
constexpr char kCaseContextDigest[] =
    "4092ad6cbb66682bb688732979d735e0089949ee0cf021535a3f34e8b9efb015";

TEST(ApprovalTextTest, KnownSubjectSpeltOut) {
  EXPECT_EQ(ApprovalText(Known()),
            "keyhold-approval-v1\n"
            "request:0123456789abcdef0123456789abcdef\n"
            "operation:unwrap\n"
            "key:acme/hr-records\n"
            "version:7\n"
            "context:4092ad6cbb66682bb688732979d735e0089949ee0cf021535a3f34e8b9efb015\n"
            "requester:svc-app@acme\n"
            "window:1800000000-1800003600\n"
            "expires:1800086400\n"
            "reason:incident_review\n"
            "uses:2\n"
            "grant_ttl:3600\n");
}

TEST(ApprovalTextTest, NoVersionIsAnyAndAdminOperationsHaveAnEmptyKey) {
  ApprovalSubject s = Known();
  s.key_version = std::nullopt;
  s.key.clear();
  s.operation = "policy-change";
  s.context = crypto::EncryptionContext();
  s.reason_code.clear();
  s.grant_uses = 0;
  s.grant_ttl_s = 0;
  EXPECT_EQ(ApprovalText(s),
            "keyhold-approval-v1\n"
            "request:0123456789abcdef0123456789abcdef\n"
            "operation:policy-change\n"
            "key:\n"
            "version:any\n"
            "context:96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\n"
            "requester:svc-app@acme\n"
            "window:1800000000-1800003600\n"
            "expires:1800086400\n"
            "reason:\n"
            "uses:0\n"
            "grant_ttl:0\n");
  // Version 0 is a version, not "any".
  s.key_version = 0;
  EXPECT_NE(ApprovalText(s).find("\nversion:0\n"), std::string::npos);
}

TEST(ApprovalTextTest, NegativeTimesAreWrittenWithTheirSign) {
  ApprovalSubject s = Known();
  s.not_before = -5;
  s.not_after = 0;
  s.expires_at = -1;
  const std::string text = ApprovalText(s);
  EXPECT_NE(text.find("\nwindow:-5-0\nexpires:-1\nreason:"), std::string::npos) << text;
}

TEST(ContextDigestHexTest, MatchesSha256OfTheCanonicalEncoding) {
  EXPECT_EQ(ContextDigestHex(crypto::EncryptionContext()), kEmptyContextDigest);
  EXPECT_EQ(ContextDigestHex(Ctx({{"case", "INC-1"}})), kCaseContextDigest);
  // Entries are sorted before encoding: the order they were given in does
  // not change the digest.
  EXPECT_EQ(ContextDigestHex(Ctx({{"b", "2"}, {"a", "1"}})),
            ContextDigestHex(Ctx({{"a", "1"}, {"b", "2"}})));
}

TEST(ApprovalDigestTest, IsSha256OfTheText) {
  // printf '<the text of KnownSubjectSpeltOut>' | sha256sum
  EXPECT_EQ(ToHex(ApprovalDigest(Known())),
            "c8dd2cbc499be6a3b9ba6bfa0d23fab65d2b45dba0dd6d9cef440212ec17cd1b");
  const std::string text = ApprovalText(Known());
  EXPECT_EQ(ApprovalDigest(Known()),
            crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}}));
  // Pure: the same subject gives the same digest.
  EXPECT_EQ(ApprovalDigest(Known()), ApprovalDigest(Known()));
}

TEST(ApprovalDigestTest, AnySingleFieldChangeChangesTheDigest) {
  struct Case {
    const char* what;
    std::function<void(ApprovalSubject&)> change;
  };
  const std::vector<Case> cases = {
      {"id", [](ApprovalSubject& s) { s.request_id = "0123456789abcdef0123456789abcdee"; }},
      {"operation", [](ApprovalSubject& s) { s.operation = "decrypt"; }},
      {"key name", [](ApprovalSubject& s) { s.key = "acme/hr-record"; }},
      {"key tenant", [](ApprovalSubject& s) { s.key = "acmf/hr-records"; }},
      {"no key", [](ApprovalSubject& s) { s.key.clear(); }},
      {"version", [](ApprovalSubject& s) { s.key_version = 8; }},
      {"version any", [](ApprovalSubject& s) { s.key_version = std::nullopt; }},
      {"context value",
       [](ApprovalSubject& s) {
         s.context = Ctx({{"case", "INC-2"}});
       }},
      {"context key",
       [](ApprovalSubject& s) {
         s.context = Ctx({{"Case", "INC-1"}});
       }},
      {"context entry added",
       [](ApprovalSubject& s) {
         s.context = Ctx({{"case", "INC-1"}, {"env", "prod"}});
       }},
      {"context empty", [](ApprovalSubject& s) { s.context = crypto::EncryptionContext(); }},
      {"context value empty",
       [](ApprovalSubject& s) {
         s.context = Ctx({{"case", ""}});
       }},
      {"requester", [](ApprovalSubject& s) { s.requester = "svc-app@acmf"; }},
      {"not_before", [](ApprovalSubject& s) { s.not_before += 1; }},
      {"not_after", [](ApprovalSubject& s) { s.not_after -= 1; }},
      {"expires_at", [](ApprovalSubject& s) { s.expires_at += 1; }},
      {"reason_code", [](ApprovalSubject& s) { s.reason_code = "incident_reviews"; }},
      {"no reason_code", [](ApprovalSubject& s) { s.reason_code.clear(); }},
      {"grant_uses", [](ApprovalSubject& s) { s.grant_uses = 3; }},
      {"grant_ttl_s", [](ApprovalSubject& s) { s.grant_ttl_s = 3601; }},
      // The same digits moved from one grant line to the other.
      {"uses and ttl swapped",
       [](ApprovalSubject& s) {
         s.grant_uses = 3600;
         s.grant_ttl_s = 2;
       }},
      // The window's digits moved across the dash: the same digits, another
      // window.
      {"window split",
       [](ApprovalSubject& s) {
         s.not_before = 18'000'000'001;
         s.not_after = 800'003'600;
       }},
  };
  const crypto::Sha256Digest original = ApprovalDigest(Known());
  std::set<std::string> seen = {ToHex(original)};
  for (const Case& c : cases) {
    ApprovalSubject changed = Known();
    c.change(changed);
    const crypto::Sha256Digest digest = ApprovalDigest(changed);
    EXPECT_NE(digest, original) << c.what;
    EXPECT_NE(ApprovalText(changed), ApprovalText(Known())) << c.what;
    // Every change gives a digest of its own, not only one unlike the
    // original.
    EXPECT_TRUE(seen.insert(ToHex(digest)).second) << c.what;
  }
}

}  // namespace
}  // namespace keyhold::policies
