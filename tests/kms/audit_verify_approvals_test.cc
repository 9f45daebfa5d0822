// Tests for the approval evidence checks of kms/audit/audit_verifier.h: a
// log of real lines (FormatEventLine with the fixed test keys, so mac and
// signature are good and only the evidence is at fault) holding officers'
// enrolment records (officer_key) and approvals (the signed text, the
// officer's key and signature). Good evidence is counted in
// result.approvals, also for an officer whose enrolment is older than the
// log; a forged signature, a text for another access request, a key other
// than the one the log shows the officer enrolled, and an approval by an
// officer removed before it each fail, naming the bad record, because
// `keyhold audit verify` is how an auditor learns that an approval in the
// log was not the officer's.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"
#include "policies/approval_digest.h"
#include "tests/testlib/audit_keys.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::FixedKey;
using keyhold::testing::FixedSigner;

constexpr char kRequestA[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kRequestB[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

crypto::Ed25519Signer SignerFrom(std::uint8_t fill) {
  auto signer = crypto::Ed25519Signer::FromSeed(FixedKey(fill));
  EXPECT_TRUE(signer.ok());
  return std::move(signer).value();
}

std::string KeyOf(const crypto::Ed25519Signer& s) {
  return crypto::Base64Encode(s.public_key());
}

// Text is what an officer signs for request `id`.
std::string Text(const std::string& id, const std::string& requester = "svc-app@acme") {
  policies::ApprovalSubject s;
  s.request_id = id;
  s.operation = "unwrap";
  s.key = "acme/hr-records";
  s.requester = requester;
  s.not_before = 1'800'000'000;
  s.not_after = 1'800'007'200;
  s.expires_at = 1'800'086'400;
  return policies::ApprovalText(s);
}

std::string Sign(const crypto::Ed25519Signer& s, const std::string& text) {
  const crypto::Sha256Digest digest =
      crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
  return crypto::Base64Encode(s.Sign(digest));
}

// Log builds a chain of events and verifies it as the server would (mac key
// and pinned public key), so that only the evidence can fail.
class Log {
 public:
  // OfficerKey records an enrolment (or, with an empty key, a removal).
  Log& OfficerKey(const std::string& officer, const std::string& key,
                  const std::string& decision = "allow") {
    AuditEvent e =
        Base(key.empty() ? "DELETE /v1/officers/{officer}" : "PUT /v1/officers/{officer}");
    e.officer_key = std::make_pair(officer, key);
    e.decision = decision;
    if (decision != "allow") {
      e.reason = "forbidden";
      e.status = 403;
    }
    events_.push_back(e);
    return *this;
  }
  Log& Approval(const std::string& access_request, const std::string& officer,
                const std::string& key, const std::string& text, const std::string& signature) {
    AuditEvent e = Base("POST /v1/requests/{id}/approve");
    e.principal = officer;
    e.access_request = access_request;
    e.approval = ApprovalEvidence{officer, key, text, signature};
    events_.push_back(e);
    return *this;
  }
  // Approve is a good approval of `id` by `officer` with `signer`.
  Log& Approve(const std::string& id, const std::string& officer,
               const crypto::Ed25519Signer& signer) {
    return Approval(id, officer, KeyOf(signer), Text(id), Sign(signer, Text(id)));
  }
  Log& Plain() {
    events_.push_back(Base("POST /v1/keys/{tenant}/{name}/unwrap"));
    return *this;
  }
  std::size_t size() const { return events_.size(); }

  AuditVerifyResult Verify(const std::filesystem::path& dir) {
    ChainState chain;
    const std::filesystem::path path = dir / AuditFileName(1);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const AuditEvent& e : events_) {
      auto line = FormatEventLine(e, keys_, /*sign=*/true, &chain);
      EXPECT_TRUE(line.ok()) << line.error().message;
      out << (line.ok() ? *line : std::string()) << "\n";
    }
    out.close();
    path_ = path.string();
    AuditVerifyOptions o;
    o.mac_key = &mac_key_;
    o.public_key = signer_.public_key();
    return VerifyAuditFiles({path}, o);
  }
  const std::string& path() const { return path_; }

 private:
  AuditEvent Base(const std::string& operation) {
    AuditEvent e;
    e.time_us = 1'800'000'000'000'000 + static_cast<std::int64_t>(events_.size());
    e.request_id = "req-" + std::to_string(events_.size());
    e.principal = "root";
    e.auth = "token:0123456789abcdef";
    e.source = "127.0.0.1";
    e.operation = operation;
    e.decision = "allow";
    e.reason = "ok";
    e.status = 200;
    return e;
  }

  std::vector<AuditEvent> events_;
  crypto::SecretBytes mac_key_ = FixedKey(1);
  crypto::Ed25519Signer signer_ = FixedSigner();
  AuditKeys keys_{&mac_key_, &signer_};
  std::string path_;
};

class AuditVerifyApprovalsTest : public ::testing::Test {
 protected:
  keyhold::testing::TempDir dir_;
  const crypto::Ed25519Signer o0_ = SignerFrom(0x10);
  const crypto::Ed25519Signer o1_ = SignerFrom(0x11);
  const crypto::Ed25519Signer other_ = SignerFrom(0x12);
};

TEST_F(AuditVerifyApprovalsTest, GoodEvidenceIsCounted) {
  Log log;
  log.Plain()
      .OfficerKey("officer-0", KeyOf(o0_))
      .OfficerKey("officer-1", KeyOf(o1_))
      .Approve(kRequestA, "officer-0", o0_)
      .Plain()
      .Approve(kRequestA, "officer-1", o1_)
      .Approve(kRequestB, "officer-0", o0_);
  const AuditVerifyResult r = log.Verify(dir_.path());
  EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
  EXPECT_EQ(r.approvals, 3u);
  EXPECT_EQ(r.records, log.size());
  EXPECT_EQ(r.signatures, log.size());
  EXPECT_EQ(r.macs, log.size());
}

TEST_F(AuditVerifyApprovalsTest, ALogWithoutApprovalsCountsNone) {
  Log log;
  log.Plain().OfficerKey("officer-0", KeyOf(o0_)).OfficerKey("officer-0", "").Plain();
  const AuditVerifyResult r = log.Verify(dir_.path());
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.approvals, 0u);
}

TEST_F(AuditVerifyApprovalsTest, EnrolmentHistoryThatStillAllowsTheApproval) {
  struct Case {
    const char* what;
    std::function<void(Log&)> build;
    std::uint64_t approvals;
  };
  const std::vector<Case> cases = {
      // The enrolment is older than the log (retention): the signature is
      // still checked, the key cannot be tied to an enrolment.
      {"no enrolment in the log", [&](Log& l) { l.Approve(kRequestA, "officer-0", o0_); }, 1},
      {"re-enrolled, signed with the new key",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(other_))
             .OfficerKey("officer-0", KeyOf(o0_))
             .Approve(kRequestA, "officer-0", o0_);
       },
       1},
      {"removed, then enrolled again",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-0", "")
             .OfficerKey("officer-0", KeyOf(o0_))
             .Approve(kRequestA, "officer-0", o0_);
       },
       1},
      // A refused enrolment (decision deny) changed nothing.
      {"a refused re-enrolment",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-0", KeyOf(other_), "deny")
             .Approve(kRequestA, "officer-0", o0_);
       },
       1},
      {"a refused removal",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-0", "", "deny")
             .Approve(kRequestA, "officer-0", o0_);
       },
       1},
      {"another officer removed",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-1", KeyOf(o1_))
             .OfficerKey("officer-1", "")
             .Approve(kRequestA, "officer-0", o0_);
       },
       1},
      // Removal stops later approvals, not the ones before it.
      {"removed after approving",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .Approve(kRequestA, "officer-0", o0_)
             .OfficerKey("officer-0", "");
       },
       1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Log log;
    log.Plain();
    c.build(log);
    log.Plain();
    const AuditVerifyResult r = log.Verify(dir_.path());
    EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
    EXPECT_EQ(r.approvals, c.approvals);
  }
}

TEST_F(AuditVerifyApprovalsTest, BadEvidenceFailsAtItsRecord) {
  const std::string text_a = Text(kRequestA);
  const std::string good_sig = Sign(o0_, text_a);
  // The same signature with its first byte changed.
  const std::string forged = [&] {
    auto raw = crypto::Base64Decode(good_sig, 64).value();
    raw[0] ^= 0x01;
    return crypto::Base64Encode(raw);
  }();
  const std::string does_not_verify = "an officer's approval signature does not verify";
  const std::string another_request = "an approval's signed text is for another access request";
  const std::string another_key = "an approval signed with another key than the officer enrolled";
  const std::string removed = "an approval by an officer removed before it";
  const std::string not_base64 = "an approval's key or signature is not base64";
  struct Case {
    const char* what;
    // Appends records; the last one appended is the bad one.
    std::function<void(Log&)> build;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"a forged signature",
       [&](Log& l) { l.Approval(kRequestA, "officer-0", KeyOf(o0_), text_a, forged); },
       does_not_verify},
      {"a signature by another key than the evidence names",
       [&](Log& l) {
         l.Approval(kRequestA, "officer-0", KeyOf(o0_), text_a, Sign(other_, text_a));
       },
       does_not_verify},
      {"the text changed after signing",
       [&](Log& l) {
         l.Approval(kRequestA, "officer-0", KeyOf(o0_), Text(kRequestA, "svc-other@acme"),
                    good_sig);
       },
       does_not_verify},
      {"an empty signature",
       [&](Log& l) { l.Approval(kRequestA, "officer-0", KeyOf(o0_), text_a, ""); },
       does_not_verify},
      {"a 31-byte key",
       [&](Log& l) {
         l.Approval(kRequestA, "officer-0", crypto::Base64Encode(std::vector<std::uint8_t>(31, 1)),
                    text_a, good_sig);
       },
       does_not_verify},
      {"a text for another access request",
       [&](Log& l) { l.Approval(kRequestB, "officer-0", KeyOf(o0_), text_a, good_sig); },
       another_request},
      {"a record naming no access request",
       [&](Log& l) { l.Approval("", "officer-0", KeyOf(o0_), text_a, good_sig); }, another_request},
      {"a key other than the one enrolled",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_)).Approve(kRequestA, "officer-0", other_);
       },
       another_key},
      {"the key enrolled before a re-enrolment",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-0", KeyOf(other_))
             .Approve(kRequestA, "officer-0", o0_);
       },
       another_key},
      {"another officer's enrolled key",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-1", KeyOf(o1_))
             .Approve(kRequestA, "officer-0", o1_);
       },
       another_key},
      {"an officer removed earlier",
       [&](Log& l) {
         l.OfficerKey("officer-0", KeyOf(o0_))
             .OfficerKey("officer-0", "")
             .Approve(kRequestA, "officer-0", o0_);
       },
       removed},
      {"an officer removed earlier, never enrolled in the log",
       [&](Log& l) { l.OfficerKey("officer-0", "").Approve(kRequestA, "officer-0", o0_); },
       removed},
      {"a key that is not base64",
       [&](Log& l) { l.Approval(kRequestA, "officer-0", "not base64!", text_a, good_sig); },
       not_base64},
      {"a signature that is not base64",
       [&](Log& l) { l.Approval(kRequestA, "officer-0", KeyOf(o0_), text_a, "zz"); }, not_base64},
      {"a signature too long",
       [&](Log& l) {
         l.Approval(kRequestA, "officer-0", KeyOf(o0_), text_a,
                    crypto::Base64Encode(std::vector<std::uint8_t>(65, 1)));
       },
       not_base64},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Log log;
    // Good records before the bad one, so that the line number tells.
    log.Plain().OfficerKey("officer-1", KeyOf(o1_)).Approve(kRequestA, "officer-1", o1_);
    c.build(log);
    const std::uint64_t bad_line = log.size();
    // And a good one after it.
    log.Approve(kRequestA, "officer-1", o1_).Plain();
    const AuditVerifyResult r = log.Verify(dir_.path());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.file, log.path());
    EXPECT_EQ(r.line, bad_line);
    EXPECT_EQ(r.reason, c.reason);
    // The good approval before it was counted, nothing after.
    EXPECT_EQ(r.approvals, 1u);
  }
}

// The access request's id must be the one the text's request line names,
// not a substring found elsewhere in the text. Principal names may hold '.'
// and ':', so a requester named "x.request:<id B>" puts "request:<id B>\n"
// in the text of an approval of request A; moved into a record for request
// B, that approval must still fail.
TEST_F(AuditVerifyApprovalsTest, TheRequestIdIsMatchedOnTheRequestLineOnly) {
  const std::string text = Text(kRequestA, std::string("x.request:") + kRequestB);
  Log log;
  log.Plain().Approval(kRequestB, "officer-0", KeyOf(o0_), text, Sign(o0_, text)).Plain();
  const AuditVerifyResult r = log.Verify(dir_.path());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.reason, "an approval's signed text is for another access request");
  EXPECT_EQ(r.approvals, 0u);
}

TEST_F(AuditVerifyApprovalsTest, TheFirstBadRecordIsNamedAcrossFiles) {
  // Two files: the bad approval is the second line of the second one.
  ChainState chain;
  crypto::SecretBytes mac_key = FixedKey(1);
  crypto::Ed25519Signer signer = FixedSigner();
  const AuditKeys keys{&mac_key, &signer};
  const auto event = [&](bool bad) {
    AuditEvent e;
    e.time_us = 1'800'000'000'000'000;
    e.operation = "POST /v1/requests/{id}/approve";
    e.principal = "officer-0";
    e.access_request = kRequestA;
    e.approval = ApprovalEvidence{"officer-0", KeyOf(o0_), Text(kRequestA),
                                  Sign(bad ? other_ : o0_, Text(kRequestA))};
    e.decision = "allow";
    e.reason = "ok";
    e.status = 200;
    return e;
  };
  std::vector<std::filesystem::path> files;
  for (const std::vector<bool>& bad : {std::vector<bool>{false, false}, {false, true, false}}) {
    files.push_back(dir_.path() / AuditFileName(chain.next_seq));
    std::ofstream out(files.back(), std::ios::binary);
    for (const bool b : bad) {
      auto line = FormatEventLine(event(b), keys, /*sign=*/true, &chain);
      ASSERT_TRUE(line.ok()) << line.error().message;
      out << *line << "\n";
    }
  }
  AuditVerifyOptions o;
  o.mac_key = &mac_key;
  o.public_key = signer.public_key();
  const AuditVerifyResult r = VerifyAuditFiles(files, o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.file, files[1].string());
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.reason, "an officer's approval signature does not verify");
  EXPECT_EQ(r.approvals, 3u);
}

}  // namespace
}  // namespace keyhold::kms
