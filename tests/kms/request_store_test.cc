// Tests for kms/approvals/request_store.h over a real store (the service
// fixture: LMDB in a temporary directory, unsealed, manual clock), with
// officers enrolled in the real OfficerRegistry and approvals signed with
// real Ed25519 keys over policies::ApprovalDigest:
//   - Create gives an id and times and clears any outcome the draft carried;
//     Get of unknown or malformed ids is kNotFound;
//   - Approve reaches quorum; every refusal of Approve and Deny has its code
//     (kNotFound, kRequestClosed, kApprovalRefused, kInvalidSignature) and
//     leaves the stored request as it was; an officer re-enrolled with
//     another key can no longer sign with the old one, and the approval it
//     gave under the old key, like one by an officer removed since, no
//     longer counts; a denial withdraws an unspent grant;
//   - UseGrant refuses each mismatch with kApprovalRequired without spending
//     a use;
//   - concurrency, bounded so it stays a real test under ThreadSanitizer:
//     8 threads racing for a 3-use grant win exactly 3 times, and two
//     officers approving at once both land;
//   - List's order (created_at, then id) and limit; durability across a
//     restart.
#include "kms/approvals/request_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "kms/approvals/officer_registry.h"
#include "policies/approval_digest.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

crypto::Ed25519Signer SignerFrom(std::uint8_t fill) {
  auto seed = crypto::SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill));
  EXPECT_TRUE(seed.ok());
  auto signer = crypto::Ed25519Signer::FromSeed(*seed);
  EXPECT_TRUE(signer.ok());
  return std::move(signer).value();
}

Principal Person(std::string name, RoleSet roles = RoleSet::Of({Role::kOfficer})) {
  return Principal{std::move(name), "*", roles, "token", ""};
}

std::vector<std::uint8_t> SignRequest(const crypto::Ed25519Signer& signer, const AccessRequest& r) {
  const crypto::Ed25519Signature sig = signer.Sign(policies::ApprovalDigest(r.Subject()));
  return {sig.begin(), sig.end()};
}

// The helpers are public: the table rows below are lambdas that take the
// fixture by reference.
class RequestStoreTest : public ServiceTest {
 public:
  void SetUp() override {
    InitAndUnseal();
    for (int i = 0; i < 3; ++i) {
      officers_.push_back({Person("officer-" + std::to_string(i)),
                           SignerFrom(static_cast<std::uint8_t>(0x10 + i))});
      Enrol(officers_.back());
    }
  }

  // Cred is an officer's token principal and private key.
  struct Cred {
    Principal who;
    crypto::Ed25519Signer signer;
  };

  testing::ManualClock& clock() { return clock_; }

  RequestStore& requests() { return *service_->requests().value(); }
  OfficerRegistry& registry() { return *service_->officers().value(); }

  void Enrol(const Cred& o) { Enrol(o.who.name, o.signer); }
  void Enrol(const std::string& name, const crypto::Ed25519Signer& signer) {
    auto e = registry().Enrol(name, signer.public_key(), "root");
    ASSERT_TRUE(e.ok()) << e.error().message;
  }

  // Draft is what a handler would store: the window opens now and lasts two
  // hours; two officers must approve; one use.
  AccessRequest Draft() {
    AccessRequest d;
    d.requester = "svc-app@acme";
    d.requester_tenant = "acme";
    d.operation = "unwrap";
    d.key = "acme/hr-records";
    d.context = Ctx({{"case", "INC-1"}});
    d.not_before = clock_.NowSeconds();
    d.not_after = clock_.NowSeconds() + 7200;
    d.justification_code = "incident_review";
    d.justification_text = "INC-1";
    d.rule = "hr/hr-unwrap";
    d.approvals_needed = 2;
    d.approver_role = "officer";
    d.grant_ttl_s = 3600;
    d.grant_uses = 1;
    return d;
  }
  AccessRequest MustCreate(AccessRequest draft, std::uint64_t ttl_s = 86400) {
    auto r = requests().Create(std::move(draft), ttl_s);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : AccessRequest{};
  }
  AccessRequest MustGet(const std::string& id) {
    auto r = requests().Get(id);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : AccessRequest{};
  }
  Result<AccessRequest> Approve(const Cred& o, const AccessRequest& r) {
    return requests().Approve(r.id, o.who, SignRequest(o.signer, r), "ok");
  }
  // Granted is a request both first officers approved.
  AccessRequest Granted(AccessRequest draft) {
    const AccessRequest r = MustCreate(std::move(draft));
    EXPECT_TRUE(Approve(officers_[0], r).ok());
    auto done = Approve(officers_[1], r);
    EXPECT_TRUE(done.ok()) << done.error().message;
    EXPECT_EQ(done.ok() ? done->Status(clock_.NowSeconds()) : "", "approved");
    return done.ok() ? std::move(done).value() : AccessRequest{};
  }
  GrantUse UseOf(const AccessRequest& r, const crypto::EncryptionContext* context) {
    return GrantUse{r.requester, r.operation, r.key, context};
  }

  std::vector<Cred> officers_;
};

void ExpectCode(const Result<AccessRequest>& r, ErrorCode code, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": accepted";
  EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
}

// ------------------------------------------------------------ Create, Get

TEST_F(RequestStoreTest, CreateAssignsIdAndTimesAndClearsAnyOutcome) {
  AccessRequest draft = Draft();
  draft.id = "ffffffffffffffffffffffffffffffff";
  draft.approvals = {{"officer-0", "sig", "", 1}};
  draft.denial = Approval{"officer-1", "", "", 1};
  draft.approved_at = 5;
  draft.uses = 9;
  const AccessRequest r = MustCreate(draft, 600);
  EXPECT_TRUE(IsRequestId(r.id)) << r.id;
  EXPECT_NE(r.id, draft.id);
  EXPECT_EQ(r.created_at, clock_.NowSeconds());
  EXPECT_EQ(r.expires_at, clock_.NowSeconds() + 600);
  EXPECT_TRUE(r.approvals.empty());
  EXPECT_FALSE(r.denial.has_value());
  EXPECT_EQ(r.approved_at, 0);
  EXPECT_EQ(r.uses, 0u);
  EXPECT_EQ(r.Status(clock_.NowSeconds()), "pending");

  const AccessRequest stored = MustGet(r.id);
  EXPECT_EQ(stored.id, r.id);
  EXPECT_EQ(stored.requester, "svc-app@acme");
  EXPECT_EQ(stored.context, draft.context);
  EXPECT_EQ(stored.expires_at, r.expires_at);
  EXPECT_TRUE(stored.approvals.empty());

  EXPECT_NE(MustCreate(Draft()).id, r.id);
}

TEST_F(RequestStoreTest, AnEnormousTtlDoesNotOverflow) {
  const AccessRequest r = MustCreate(Draft(), ~std::uint64_t{0});
  EXPECT_GT(r.expires_at, r.created_at);
}

TEST_F(RequestStoreTest, UnknownAndMalformedIdsAreNotFound) {
  for (const std::string& id : {std::string(32, 'a'), std::string(""), std::string("xyz"),
                                std::string(32, 'A'), std::string("../") + std::string(29, 'a')}) {
    ExpectCode(requests().Get(id), ErrorCode::kNotFound, "Get '" + id + "'");
    ExpectCode(requests().Approve(id, officers_[0].who, std::vector<std::uint8_t>(64), ""),
               ErrorCode::kNotFound, "Approve '" + id + "'");
    ExpectCode(requests().Deny(id, officers_[0].who, ""), ErrorCode::kNotFound,
               "Deny '" + id + "'");
  }
}

// ------------------------------------------------------------ Approve, Deny

TEST_F(RequestStoreTest, QuorumGrantsTheRequest) {
  const AccessRequest r = MustCreate(Draft());
  auto first = Approve(officers_[0], r);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->Status(clock_.NowSeconds()), "pending");
  ASSERT_EQ(first->approvals.size(), 1u);
  EXPECT_EQ(first->approvals[0].officer, "officer-0");
  EXPECT_EQ(first->approvals[0].signature,
            crypto::Base64Encode(SignRequest(officers_[0].signer, r)));
  EXPECT_EQ(first->approvals[0].comment, "ok");
  EXPECT_EQ(first->approvals[0].at, clock_.NowSeconds());

  clock_.Advance(10);
  auto second = Approve(officers_[1], r);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->Status(clock_.NowSeconds()), "approved");
  EXPECT_EQ(second->approved_at, clock_.NowSeconds());
  EXPECT_EQ(second->approvals.size(), 2u);
  EXPECT_EQ(MustGet(r.id).approved_at, clock_.NowSeconds());
}

TEST_F(RequestStoreTest, ApproveAndDenyRefusals) {
  // Everyone the rows need, enrolled: the requester as an officer too (so
  // that only self-approval is wrong), an app principal with a key, and an
  // officer enrolled and then removed.
  const Cred requester{Person("svc-app@acme"), SignerFrom(0x20)};
  Enrol(requester);
  const Cred app{Person("app-1", RoleSet::Of({Role::kApp, Role::kAuditor})), SignerFrom(0x21)};
  Enrol(app);
  const Cred removed{Person("officer-gone"), SignerFrom(0x22)};
  Enrol(removed);
  ASSERT_TRUE(registry().Remove("officer-gone").ok());
  const Cred unenrolled{Person("officer-new"), SignerFrom(0x23)};
  const Cred& o0 = officers_[0];
  const Cred& o1 = officers_[1];
  const Cred& o2 = officers_[2];

  struct Case {
    const char* what;
    // Set-up on the new request before the action (may be empty).
    std::function<void(RequestStoreTest&, const AccessRequest&)> before;
    std::function<void(AccessRequest&)> draft;
    // The action; `r` is the request as created.
    std::function<Result<AccessRequest>(RequestStoreTest&, const AccessRequest&)> act;
    ErrorCode code;
  };
  const auto none = [](RequestStoreTest&, const AccessRequest&) {};
  const auto plain = [](AccessRequest&) {};
  const auto approve_by = [](const Cred& o) {
    return [&o](RequestStoreTest& t, const AccessRequest& r) { return t.Approve(o, r); };
  };
  const auto deny_by = [](const Cred& o) {
    return [&o](RequestStoreTest& t, const AccessRequest& r) {
      return t.requests().Deny(r.id, o.who, "no");
    };
  };
  const auto approved_by = [](const Cred& o) {
    return [&o](RequestStoreTest& t, const AccessRequest& r) {
      auto a = t.Approve(o, r);
      EXPECT_TRUE(a.ok()) << a.error().message;
    };
  };
  const auto sign_with = [](const Cred& as, const Cred& key,
                            std::function<void(policies::ApprovalSubject&)> change) {
    return [&as, &key, change](RequestStoreTest& t, const AccessRequest& r) {
      policies::ApprovalSubject s = r.Subject();
      change(s);
      const auto sig = key.signer.Sign(policies::ApprovalDigest(s));
      return t.requests().Approve(r.id, as.who, std::vector<std::uint8_t>(sig.begin(), sig.end()),
                                  "");
    };
  };
  const auto same = [](policies::ApprovalSubject&) {};
  const std::vector<Case> cases = {
      {"self-approval", none, plain, approve_by(requester), ErrorCode::kApprovalRefused},
      {"self-denial", none, plain, deny_by(requester), ErrorCode::kApprovalRefused},
      {"approver lacks the officer role", none, plain, approve_by(app),
       ErrorCode::kApprovalRefused},
      {"denier lacks the officer role", none, plain, deny_by(app), ErrorCode::kApprovalRefused},
      {"the rule wants auditors", none, [](AccessRequest& d) { d.approver_role = "auditor"; },
       approve_by(o0), ErrorCode::kApprovalRefused},
      {"the rule names no role", none, [](AccessRequest& d) { d.approver_role = "wizard"; },
       approve_by(o0), ErrorCode::kApprovalRefused},
      {"the same officer twice", approved_by(o0), plain, approve_by(o0),
       ErrorCode::kApprovalRefused},
      {"not enrolled", none, plain, approve_by(unenrolled), ErrorCode::kApprovalRefused},
      {"not enrolled denies", none, plain, deny_by(unenrolled), ErrorCode::kApprovalRefused},
      {"removed", none, plain, approve_by(removed), ErrorCode::kApprovalRefused},
      {"signed with another officer's key", none, plain, sign_with(o0, o1, same),
       ErrorCode::kInvalidSignature},
      {"signed over another request id", none, plain,
       sign_with(o0, o0, [](policies::ApprovalSubject& s) { s.request_id = std::string(32, '0'); }),
       ErrorCode::kInvalidSignature},
      {"signed over another context", none, plain,
       sign_with(o0, o0,
                 [](policies::ApprovalSubject& s) {
                   s.context = Ctx({{"case", "INC-2"}});
                 }),
       ErrorCode::kInvalidSignature},
      {"signed over a pinned version", none, plain,
       sign_with(o0, o0, [](policies::ApprovalSubject& s) { s.key_version = 1; }),
       ErrorCode::kInvalidSignature},
      {"signed over a longer window", none, plain,
       sign_with(o0, o0, [](policies::ApprovalSubject& s) { s.not_after += 1; }),
       ErrorCode::kInvalidSignature},
      {"signed over more uses", none, plain,
       sign_with(o0, o0, [](policies::ApprovalSubject& s) { s.grant_uses = 5; }),
       ErrorCode::kInvalidSignature},
      {"signed over another reason", none, plain,
       sign_with(o0, o0, [](policies::ApprovalSubject& s) { s.reason_code = "routine"; }),
       ErrorCode::kInvalidSignature},
      {"no signature", none, plain,
       [&o0](RequestStoreTest& t, const AccessRequest& r) {
         return t.requests().Approve(r.id, o0.who, {}, "");
       },
       ErrorCode::kInvalidSignature},
      {"a 63-byte signature", none, plain,
       [&o0](RequestStoreTest& t, const AccessRequest& r) {
         auto sig = SignRequest(o0.signer, r);
         sig.pop_back();
         return t.requests().Approve(r.id, o0.who, sig, "");
       },
       ErrorCode::kInvalidSignature},
      {"one bit of the signature flipped", none, plain,
       [&o0](RequestStoreTest& t, const AccessRequest& r) {
         auto sig = SignRequest(o0.signer, r);
         sig[10] ^= 1;
         return t.requests().Approve(r.id, o0.who, sig, "");
       },
       ErrorCode::kInvalidSignature},
      {"expired", [](RequestStoreTest& t, const AccessRequest& r) { t.clock().Set(r.expires_at); },
       plain, approve_by(o0), ErrorCode::kRequestClosed},
      {"expired, denied",
       [](RequestStoreTest& t, const AccessRequest& r) { t.clock().Set(r.expires_at); }, plain,
       deny_by(o0), ErrorCode::kRequestClosed},
      {"already approved",
       [&](RequestStoreTest& t, const AccessRequest& r) {
         approved_by(o0)(t, r);
         approved_by(o1)(t, r);
       },
       plain, approve_by(o2), ErrorCode::kRequestClosed},
      {"the window is over",
       [](RequestStoreTest& t, const AccessRequest& r) { t.clock().Set(r.not_after); },
       [](AccessRequest& d) { d.not_after = d.not_before + 100; }, approve_by(o0),
       ErrorCode::kRequestClosed},
      {"spent, then denied",
       [&](RequestStoreTest& t, const AccessRequest& r) {
         approved_by(o0)(t, r);
         approved_by(o1)(t, r);
         const crypto::EncryptionContext context = r.context;
         EXPECT_TRUE(t.requests().UseGrant(r.id, t.UseOf(r, &context)).ok());
       },
       plain, deny_by(o2), ErrorCode::kRequestClosed},
      {"approval window passed, then denied",
       [&](RequestStoreTest& t, const AccessRequest& r) {
         approved_by(o0)(t, r);
         approved_by(o1)(t, r);
         t.clock().Set(r.not_after);
       },
       plain, deny_by(o2), ErrorCode::kRequestClosed},
      {"denied, then approved",
       [&o1](RequestStoreTest& t, const AccessRequest& r) {
         EXPECT_TRUE(t.requests().Deny(r.id, o1.who, "no").ok());
       },
       plain, approve_by(o0), ErrorCode::kRequestClosed},
      {"denied twice",
       [&o1](RequestStoreTest& t, const AccessRequest& r) {
         EXPECT_TRUE(t.requests().Deny(r.id, o1.who, "no").ok());
       },
       plain, deny_by(o0), ErrorCode::kRequestClosed},
  };
  const std::int64_t start = clock_.NowSeconds();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    clock_.Set(start);
    AccessRequest draft = Draft();
    c.draft(draft);
    const AccessRequest r = MustCreate(draft);
    c.before(*this, r);
    const AccessRequest before = MustGet(r.id);
    ExpectCode(c.act(*this, r), c.code, c.what);
    // A refusal changes nothing.
    const AccessRequest after = MustGet(r.id);
    EXPECT_EQ(EncodeAccessRequest(after), EncodeAccessRequest(before));
  }
}

TEST_F(RequestStoreTest, DenyClosesTheRequest) {
  const AccessRequest r = MustCreate(Draft());
  ASSERT_TRUE(Approve(officers_[0], r).ok());
  clock_.Advance(5);
  auto denied = requests().Deny(r.id, officers_[1].who, std::string(2000, 'c'));
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->Status(clock_.NowSeconds()), "denied");
  ASSERT_TRUE(denied->denial.has_value());
  EXPECT_EQ(denied->denial->officer, "officer-1");
  EXPECT_EQ(denied->denial->signature, "");
  EXPECT_EQ(denied->denial->at, clock_.NowSeconds());
  EXPECT_EQ(denied->denial->comment.size(), 1024u);  // comments are capped
  EXPECT_EQ(MustGet(r.id).Status(clock_.NowSeconds()), "denied");
  const crypto::EncryptionContext context = r.context;
  ExpectCode(requests().UseGrant(r.id, UseOf(r, &context)), ErrorCode::kApprovalRequired,
             "a denied request grants nothing");
}

// A denial after quorum withdraws the grant while uses remain; the officer
// denying may be one who approved (an officer may change its mind).
TEST_F(RequestStoreTest, DenyWithdrawsAnUnspentGrant) {
  AccessRequest draft = Draft();
  draft.grant_uses = 2;
  const AccessRequest r = Granted(draft);
  const crypto::EncryptionContext context = r.context;
  ASSERT_TRUE(requests().UseGrant(r.id, UseOf(r, &context)).ok());
  auto denied = requests().Deny(r.id, officers_[0].who, "withdrawn");
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->Status(clock_.NowSeconds()), "denied");
  EXPECT_EQ(denied->approvals.size(), 2u);
  ExpectCode(requests().UseGrant(r.id, UseOf(r, &context)), ErrorCode::kApprovalRequired,
             "a withdrawn grant");
  EXPECT_EQ(MustGet(r.id).uses, 1u);
}

TEST_F(RequestStoreTest, AnOfficerWhoApprovedMayStillDeny) {
  const AccessRequest r = MustCreate(Draft());
  ASSERT_TRUE(Approve(officers_[0], r).ok());
  auto denied = requests().Deny(r.id, officers_[0].who, "changed my mind");
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->Status(clock_.NowSeconds()), "denied");
  ExpectCode(Approve(officers_[1], r), ErrorCode::kRequestClosed, "approve after the denial");
}

TEST_F(RequestStoreTest, AReEnrolledOfficersOldKeyNoLongerSigns) {
  const AccessRequest r = MustCreate(Draft());
  const crypto::Ed25519Signer old_key = SignerFrom(0x10);  // officer-0's first key
  const crypto::Ed25519Signer new_key = SignerFrom(0x30);
  Enrol("officer-0", new_key);
  ExpectCode(requests().Approve(r.id, officers_[0].who, SignRequest(old_key, r), ""),
             ErrorCode::kInvalidSignature, "the old key");
  EXPECT_TRUE(MustGet(r.id).approvals.empty());
  auto ok = requests().Approve(r.id, officers_[0].who, SignRequest(new_key, r), "");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->approvals.size(), 1u);
}

// Quorum counts approvals that verify under their officer's key as enrolled
// now: re-enrolled with another key, the earlier approval stops counting.
TEST_F(RequestStoreTest, AnApprovalUnderAKeyReplacedSinceDoesNotCount) {
  const AccessRequest r = MustCreate(Draft());
  ASSERT_TRUE(Approve(officers_[0], r).ok());
  Enrol("officer-0", SignerFrom(0x30));
  auto second = Approve(officers_[1], r);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->Status(clock_.NowSeconds()), "pending");
  auto third = Approve(officers_[2], r);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->Status(clock_.NowSeconds()), "approved");
}

TEST_F(RequestStoreTest, RemovedAndEnrolledAgainWithTheSameKeyCountsAgain) {
  const AccessRequest r = MustCreate(Draft());
  ASSERT_TRUE(Approve(officers_[0], r).ok());
  ASSERT_TRUE(registry().Remove("officer-0").ok());
  Enrol(officers_[0]);
  auto second = Approve(officers_[1], r);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->Status(clock_.NowSeconds()), "approved");
}

TEST_F(RequestStoreTest, AnApprovalByAnOfficerRemovedSinceDoesNotCount) {
  const AccessRequest r = MustCreate(Draft());
  ASSERT_TRUE(Approve(officers_[0], r).ok());
  ASSERT_TRUE(registry().Remove("officer-0").ok());
  auto second = Approve(officers_[1], r);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->approvals.size(), 2u);
  EXPECT_EQ(second->Status(clock_.NowSeconds()), "pending");
  auto third = Approve(officers_[2], r);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->Status(clock_.NowSeconds()), "approved");
}

// ------------------------------------------------------------ UseGrant

TEST_F(RequestStoreTest, UseGrantSpendsOneUse) {
  AccessRequest draft = Draft();
  draft.grant_uses = 2;
  const AccessRequest r = Granted(draft);
  const crypto::EncryptionContext context = r.context;
  auto first = requests().UseGrant(r.id, UseOf(r, &context));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->uses, 1u);
  EXPECT_EQ(first->Status(clock_.NowSeconds()), "approved");
  auto second = requests().UseGrant(r.id, UseOf(r, &context));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->uses, 2u);
  EXPECT_EQ(second->Status(clock_.NowSeconds()), "spent");
  auto third = requests().UseGrant(r.id, UseOf(r, &context));
  ExpectCode(third, ErrorCode::kApprovalRequired, "a third use");
  EXPECT_NE(third.error().message.find("used 2 of 2"), std::string::npos) << third.error().message;
  EXPECT_EQ(MustGet(r.id).uses, 2u);
}

TEST_F(RequestStoreTest, TheEmptyContextMayBePassedAsNull) {
  AccessRequest draft = Draft();
  draft.context = crypto::EncryptionContext();
  const AccessRequest r = Granted(draft);
  auto used = requests().UseGrant(r.id, UseOf(r, nullptr));
  ASSERT_TRUE(used.ok()) << used.error().message;
}

TEST_F(RequestStoreTest, UseGrantRefusals) {
  const crypto::EncryptionContext right = Ctx({{"case", "INC-1"}});
  const crypto::EncryptionContext wrong = Ctx({{"case", "INC-2"}});
  const crypto::EncryptionContext more = Ctx({{"case", "INC-1"}, {"x", "y"}});
  struct Case {
    const char* what;
    // Makes the request (granted unless the row says otherwise).
    std::function<AccessRequest(RequestStoreTest&)> make;
    std::function<GrantUse(const AccessRequest&)> use;
    std::function<std::string(const AccessRequest&)> id;
    const char* says;  // part of the message
  };
  const auto granted = [](RequestStoreTest& t) { return t.Granted(t.Draft()); };
  const auto exact = [&right](const AccessRequest& r) {
    return GrantUse{r.requester, r.operation, r.key, &right};
  };
  const auto own_id = [](const AccessRequest& r) { return r.id; };
  const std::vector<Case> cases = {
      {"unknown id", granted, exact, [](const AccessRequest&) { return std::string(32, 'a'); },
       "no such access request"},
      {"malformed id", granted, exact, [](const AccessRequest&) { return std::string("nope"); },
       "no such access request"},
      {"pending", [](RequestStoreTest& t) { return t.MustCreate(t.Draft()); }, exact, own_id,
       "pending"},
      {"one approval short",
       [](RequestStoreTest& t) {
         const AccessRequest r = t.MustCreate(t.Draft());
         EXPECT_TRUE(t.Approve(t.officers_[0], r).ok());
         return r;
       },
       exact, own_id, "pending"},
      {"denied",
       [](RequestStoreTest& t) {
         const AccessRequest r = t.MustCreate(t.Draft());
         EXPECT_TRUE(t.requests().Deny(r.id, t.officers_[0].who, "").ok());
         return r;
       },
       exact, own_id, "denied"},
      {"expired unapproved",
       [](RequestStoreTest& t) {
         const AccessRequest r = t.MustCreate(t.Draft(), 60);
         t.clock().Advance(60);
         return r;
       },
       exact, own_id, "expired"},
      {"another principal", granted,
       [&right](const AccessRequest& r) {
         return GrantUse{"svc-other@acme", r.operation, r.key, &right};
       },
       own_id, "another principal"},
      {"another operation", granted,
       [&right](const AccessRequest& r) {
         return GrantUse{r.requester, "decrypt", r.key, &right};
       },
       own_id, "another operation"},
      {"another key", granted,
       [&right](const AccessRequest& r) {
         return GrantUse{r.requester, r.operation, "acme/hr-other", &right};
       },
       own_id, "another key"},
      {"no key", granted,
       [&right](const AccessRequest& r) {
         return GrantUse{r.requester, r.operation, "", &right};
       },
       own_id, "another key"},
      {"another context value", granted,
       [&wrong](const AccessRequest& r) {
         return GrantUse{r.requester, r.operation, r.key, &wrong};
       },
       own_id, "another encryption context"},
      {"a context with more entries", granted,
       [&more](const AccessRequest& r) {
         return GrantUse{r.requester, r.operation, r.key, &more};
       },
       own_id, "another encryption context"},
      {"no context", granted,
       [](const AccessRequest& r) {
         return GrantUse{r.requester, r.operation, r.key, nullptr};
       },
       own_id, "another encryption context"},
      {"before the window",
       [](RequestStoreTest& t) {
         AccessRequest d = t.Draft();
         d.not_before = t.clock().NowSeconds() + 100;
         return t.Granted(d);
       },
       exact, own_id, "window has not started"},
      {"at exactly the window's end",
       [](RequestStoreTest& t) {
         AccessRequest d = t.Draft();
         d.not_after = t.clock().NowSeconds() + 100;
         const AccessRequest r = t.Granted(d);
         t.clock().Advance(100);
         return r;
       },
       exact, own_id, "expired"},
      {"at exactly approved_at + grant_ttl_s",
       [](RequestStoreTest& t) {
         AccessRequest d = t.Draft();
         d.grant_ttl_s = 30;
         const AccessRequest r = t.Granted(d);
         t.clock().Advance(30);
         return r;
       },
       exact, own_id, "expired"},
      {"used up",
       [&right](RequestStoreTest& t) {
         const AccessRequest r = t.Granted(t.Draft());
         EXPECT_TRUE(
             t.requests().UseGrant(r.id, GrantUse{r.requester, r.operation, r.key, &right}).ok());
         return r;
       },
       exact, own_id, "used 1 of 1"},
  };
  const std::int64_t start = clock_.NowSeconds();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    clock_.Set(start);
    const AccessRequest r = c.make(*this);
    const std::uint32_t uses_before = MustGet(r.id).uses;
    auto used = requests().UseGrant(c.id(r), c.use(r));
    ExpectCode(used, ErrorCode::kApprovalRequired, c.what);
    if (!used.ok()) {
      EXPECT_NE(used.error().message.find(c.says), std::string::npos) << used.error().message;
      // The refusal names no value of the call (the context is data).
      EXPECT_EQ(used.error().message.find("INC-"), std::string::npos) << used.error().message;
    }
    EXPECT_EQ(MustGet(r.id).uses, uses_before);
  }
  // The window's last second still works.
  clock_.Set(start);
  AccessRequest d = Draft();
  d.not_after = start + 100;
  const AccessRequest r = Granted(d);
  clock_.Advance(99);
  EXPECT_TRUE(requests().UseGrant(r.id, exact(r)).ok());
}

// ------------------------------------------------------------ Concurrency

TEST_F(RequestStoreTest, EightThreadsRacingForAThreeUseGrantWinExactlyThreeTimes) {
  constexpr int kThreads = 8;
  constexpr std::uint32_t kUses = 3;
  AccessRequest draft = Draft();
  draft.grant_uses = kUses;
  const AccessRequest r = Granted(draft);
  const crypto::EncryptionContext context = r.context;
  RequestStore& store = requests();

  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (!go.load()) {
        std::this_thread::yield();
      }
      auto used = store.UseGrant(r.id, GrantUse{r.requester, r.operation, r.key, &context});
      if (used.ok()) {
        won.fetch_add(1);
      } else if (used.error().code == ErrorCode::kApprovalRequired) {
        refused.fetch_add(1);
      } else {
        other.fetch_add(1);
      }
    });
  }
  while (ready.load() < kThreads) {
    std::this_thread::yield();
  }
  go.store(true);
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(won.load(), static_cast<int>(kUses));
  EXPECT_EQ(refused.load(), kThreads - static_cast<int>(kUses));
  EXPECT_EQ(other.load(), 0);
  const AccessRequest after = MustGet(r.id);
  EXPECT_EQ(after.uses, kUses);
  EXPECT_EQ(after.Status(clock_.NowSeconds()), "spent");
}

TEST_F(RequestStoreTest, TwoOfficersApprovingAtOnceBothLand) {
  RequestStore& store = requests();
  // A few rounds, so that more than one interleaving is tried; bounded so
  // that a ThreadSanitizer build stays quick.
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    const AccessRequest r = MustCreate(Draft());
    std::vector<std::vector<std::uint8_t>> sigs;
    for (int i = 0; i < 2; ++i) {
      sigs.push_back(SignRequest(officers_[i].signer, r));
    }
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<Result<AccessRequest>> results(2, MakeError(ErrorCode::kInternal, "not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (!go.load()) {
          std::this_thread::yield();
        }
        results[i] = store.Approve(r.id, officers_[i].who, sigs[i], "ok");
      });
    }
    while (ready.load() < 2) {
      std::this_thread::yield();
    }
    go.store(true);
    for (std::thread& t : threads) {
      t.join();
    }
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
    }
    const AccessRequest after = MustGet(r.id);
    ASSERT_EQ(after.approvals.size(), 2u);
    std::vector<std::string> who = {after.approvals[0].officer, after.approvals[1].officer};
    std::sort(who.begin(), who.end());
    EXPECT_EQ(who, (std::vector<std::string>{"officer-0", "officer-1"}));
    EXPECT_EQ(after.Status(clock_.NowSeconds()), "approved");
    // Exactly one of the two saw quorum.
    const int approved = (results[0].ok() && results[0]->approved_at != 0 ? 1 : 0) +
                         (results[1].ok() && results[1]->approved_at != 0 ? 1 : 0);
    EXPECT_EQ(approved, 1);
  }
}

// ------------------------------------------------------------ List

TEST_F(RequestStoreTest, ListIsOldestFirstThenByIdAndHonoursTheLimit) {
  std::vector<AccessRequest> made;
  // Made out of time order: 300, 100, 200, then two in the same second.
  for (const std::int64_t t :
       {1'800'000'300, 1'800'000'100, 1'800'000'200, 1'800'000'400, 1'800'000'400}) {
    clock_.Set(t);
    AccessRequest d = Draft();
    d.requester = t == 1'800'000'200 ? "svc-other@acme" : "svc-app@acme";
    made.push_back(MustCreate(d));
  }
  std::vector<AccessRequest> expected = made;
  std::sort(expected.begin(), expected.end(), [](const AccessRequest& a, const AccessRequest& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  const auto ids = [](const std::vector<AccessRequest>& v) {
    std::vector<std::string> out;
    for (const AccessRequest& r : v) {
      out.push_back(r.id);
    }
    return out;
  };
  const auto all = [](const AccessRequest&) { return true; };

  auto listed = requests().List(all, 100);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(ids(*listed), ids(expected));
  EXPECT_EQ(listed->front().created_at, 1'800'000'100);
  EXPECT_EQ(listed->back().created_at, 1'800'000'400);

  auto two = requests().List(all, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(ids(*two), (std::vector<std::string>{expected[0].id, expected[1].id}));
  auto exact = requests().List(all, expected.size());
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), expected.size());
  auto none = requests().List(all, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // The filter runs before the limit: the oldest two that it keeps.
  auto mine =
      requests().List([](const AccessRequest& r) { return r.requester == "svc-app@acme"; }, 2);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].created_at, 1'800'000'100);
  EXPECT_EQ((*mine)[1].created_at, 1'800'000'300);
  auto nobody = requests().List([](const AccessRequest&) { return false; }, 100);
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->empty());
}

TEST_F(RequestStoreTest, ApprovalsAndUsesSurviveARestart) {
  AccessRequest draft = Draft();
  draft.grant_uses = 2;
  const AccessRequest r = Granted(draft);
  const crypto::EncryptionContext context = r.context;
  ASSERT_TRUE(requests().UseGrant(r.id, UseOf(r, &context)).ok());
  Reopen();
  const AccessRequest after = MustGet(r.id);
  EXPECT_EQ(after.approvals.size(), 2u);
  EXPECT_EQ(after.approved_at, r.approved_at);
  EXPECT_EQ(after.uses, 1u);
  ASSERT_TRUE(requests().UseGrant(r.id, UseOf(r, &context)).ok());
  ExpectCode(requests().UseGrant(r.id, UseOf(r, &context)), ErrorCode::kApprovalRequired,
             "spent after the restart");
}

}  // namespace
}  // namespace keyhold::kms
