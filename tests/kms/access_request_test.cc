// Tests for kms/approvals/access_request.h: EncodeAccessRequest /
// DecodeAccessRequest round-trip every field (approvals and a denial
// included); a hostile table for DecodeAccessRequest (empty, format byte,
// every truncation, trailing bytes, each field missing, wrong types, a bad
// id, an invalid context) where every row is kStoreCorrupt and nothing
// throws, because a record that does not decode must stop the caller rather
// than be half read; Status(now) and GrantUntil at and around every boundary
// (the request's expiry, the window's end, the grant's lifetime, its uses);
// and IsRequestId.
#include "kms/approvals/access_request.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace keyhold::kms {
namespace {

using Json = nlohmann::json;

constexpr char kId[] = "0123456789abcdef0123456789abcdef";

crypto::EncryptionContext Ctx(std::vector<crypto::EncryptionContext::Entry> entries) {
  auto c = crypto::EncryptionContext::Create(std::move(entries));
  EXPECT_TRUE(c.ok());
  return c.ok() ? std::move(c).value() : crypto::EncryptionContext();
}

// Full sets every field to something other than its default, so that a
// field the codec dropped or swapped shows.
AccessRequest Full() {
  AccessRequest r;
  r.id = kId;
  r.requester = "svc-app@acme";
  r.requester_tenant = "acme";
  r.operation = "unwrap";
  r.key = "acme/hr-records";
  r.context = Ctx({{"case", "INC-1"}, {"purpose", "caf\xc3\xa9 \"x\"\n"}});
  r.not_before = 1'800'000'100;
  r.not_after = 1'800'007'200;
  r.created_at = 1'800'000'000;
  r.expires_at = 1'800'086'400;
  r.justification_code = "incident_review";
  r.justification_text = "INC-1 \xe2\x82\xac / \\";
  r.rule = "hr/hr-unwrap";
  r.approvals_needed = 3;
  r.approver_role = "auditor";
  r.grant_ttl_s = 600;
  r.grant_uses = 4;
  r.approvals = {{"officer-0", std::string(86, 'A') + "==", "looks fine", 1'800'000'010},
                 {"officer-1", std::string(86, 'B') + "==", "", 1'800'000'020}};
  r.denial = Approval{"officer-2", "", "no ticket", 1'800'000'030};
  r.approved_at = 1'800'000'040;
  r.uses = 2;
  return r;
}

void ExpectSameApproval(const Approval& a, const Approval& b, const std::string& what) {
  EXPECT_EQ(a.officer, b.officer) << what;
  EXPECT_EQ(a.signature, b.signature) << what;
  EXPECT_EQ(a.comment, b.comment) << what;
  EXPECT_EQ(a.at, b.at) << what;
}

void ExpectSame(const AccessRequest& a, const AccessRequest& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.requester, b.requester);
  EXPECT_EQ(a.requester_tenant, b.requester_tenant);
  EXPECT_EQ(a.operation, b.operation);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.not_before, b.not_before);
  EXPECT_EQ(a.not_after, b.not_after);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.justification_code, b.justification_code);
  EXPECT_EQ(a.justification_text, b.justification_text);
  EXPECT_EQ(a.rule, b.rule);
  EXPECT_EQ(a.approvals_needed, b.approvals_needed);
  EXPECT_EQ(a.approver_role, b.approver_role);
  EXPECT_EQ(a.grant_ttl_s, b.grant_ttl_s);
  EXPECT_EQ(a.grant_uses, b.grant_uses);
  ASSERT_EQ(a.approvals.size(), b.approvals.size());
  for (std::size_t i = 0; i < a.approvals.size(); ++i) {
    ExpectSameApproval(a.approvals[i], b.approvals[i], "approval " + std::to_string(i));
  }
  ASSERT_EQ(a.denial.has_value(), b.denial.has_value());
  if (a.denial) {
    ExpectSameApproval(*a.denial, *b.denial, "denial");
  }
  EXPECT_EQ(a.approved_at, b.approved_at);
  EXPECT_EQ(a.uses, b.uses);
}

std::vector<std::uint8_t> Body(const std::string& json, std::uint8_t format = 1) {
  // Sized first, then filled: GCC 12 warns falsely (-Warray-bounds) on
  // inserting into a one-element vector.
  std::vector<std::uint8_t> out(json.size() + 1);
  out[0] = format;
  std::copy(json.begin(), json.end(), out.begin() + 1);
  return out;
}

// FullJson is the JSON part of Full()'s encoding, for the rows to edit.
Json FullJson() {
  const std::vector<std::uint8_t> encoded = EncodeAccessRequest(Full());
  return Json::parse(encoded.begin() + 1, encoded.end());
}

// ExpectCorrupt: kStoreCorrupt, and no exception gets out.
void ExpectCorrupt(const std::vector<std::uint8_t>& body, const std::string& what) {
  std::optional<Result<AccessRequest>> r;
  EXPECT_NO_THROW(r.emplace(DecodeAccessRequest(body))) << what;
  ASSERT_TRUE(r.has_value()) << what;
  ASSERT_FALSE(r->ok()) << what << " was accepted";
  EXPECT_EQ(r->error().code, ErrorCode::kStoreCorrupt) << what << ": " << r->error().message;
}

TEST(AccessRequestCodec, RoundTripsEveryField) {
  const AccessRequest original = Full();
  const std::vector<std::uint8_t> encoded = EncodeAccessRequest(original);
  ASSERT_FALSE(encoded.empty());
  EXPECT_EQ(encoded[0], 1);  // the format byte
  auto decoded = DecodeAccessRequest(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectSame(*decoded, original);
  // Encoding is deterministic: the decoded record encodes to the same bytes.
  EXPECT_EQ(EncodeAccessRequest(*decoded), encoded);
}

TEST(AccessRequestCodec, RoundTripsAFreshRequest) {
  AccessRequest fresh;
  fresh.id = kId;
  fresh.requester = "p";
  fresh.operation = "policy-change";
  fresh.expires_at = 100;
  auto decoded = DecodeAccessRequest(EncodeAccessRequest(fresh));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectSame(*decoded, fresh);
  EXPECT_FALSE(decoded->denial.has_value());
  EXPECT_TRUE(decoded->approvals.empty());
  EXPECT_TRUE(decoded->context.entries().empty());
  EXPECT_EQ(decoded->Status(99), "pending");
}

// The decoder bounds every number to what the service can write (times
// within +-2^40 s, quorum 1-16, uses 1-1e6, lifetimes within 2^40 s): the
// bounds round-trip, anything beyond is a corrupt record, not a wrapped
// value.
TEST(AccessRequestCodec, RoundTripsTheBoundsAndRefusesBeyondThem) {
  AccessRequest r = Full();
  r.not_before = -(std::int64_t{1} << 40);
  r.not_after = std::int64_t{1} << 40;
  r.grant_ttl_s = std::uint64_t{1} << 40;
  r.approvals_needed = 16;
  r.grant_uses = 1'000'000;
  r.uses = 0;
  auto decoded = DecodeAccessRequest(EncodeAccessRequest(r));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectSame(*decoded, r);

  const auto refused = [](AccessRequest beyond) {
    return DecodeAccessRequest(EncodeAccessRequest(beyond)).error().code;
  };
  AccessRequest t = r;
  t.not_after = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(refused(t), ErrorCode::kStoreCorrupt);
  t = r;
  t.approvals_needed = 17;
  EXPECT_EQ(refused(t), ErrorCode::kStoreCorrupt);
  t = r;
  t.approvals_needed = 0;
  EXPECT_EQ(refused(t), ErrorCode::kStoreCorrupt);
  t = r;
  t.grant_uses = std::numeric_limits<std::uint32_t>::max();
  EXPECT_EQ(refused(t), ErrorCode::kStoreCorrupt);
  t = r;
  t.grant_ttl_s = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(refused(t), ErrorCode::kStoreCorrupt);
}

TEST(AccessRequestCodec, HostileBodiesAreStoreCorrupt) {
  const Json full = FullJson();
  const std::string text = full.dump();
  ASSERT_TRUE(DecodeAccessRequest(Body(text)).ok());

  struct Case {
    std::string what;
    std::vector<std::uint8_t> body;
  };
  std::vector<Case> cases = {
      {"empty", {}},
      {"format byte only", {1}},
      {"format 0", Body(full.dump(), 0)},
      {"format 2", Body(full.dump(), 2)},
      {"no format byte", std::vector<std::uint8_t>(text.begin(), text.end())},
      {"trailing bytes", Body(full.dump() + "x")},
      {"two documents", Body(full.dump() + full.dump())},
      {"not JSON", Body("hello")},
      {"an array", Body("[]")},
      {"a string", Body("\"id\"")},
      {"null", Body("null")},
      {"empty object", Body("{}")},
      {"invalid UTF-8", Body(R"({"id":")" + std::string("\xff") + "\"}")},
  };
  // Every truncation of a good record.
  for (std::size_t n = 0; n < text.size(); ++n) {
    cases.push_back({"truncated to " + std::to_string(n), Body(text.substr(0, n))});
  }
  const auto edited = [&](const std::string& what, const std::function<void(Json&)>& edit) {
    Json j = full;
    edit(j);
    cases.push_back({what, Body(j.dump())});
  };
  // Each field missing, and each field null or of another type.
  for (const auto& [field, value] : full.items()) {
    const std::string name = field;
    edited("missing " + name, [&](Json& j) { j.erase(name); });
    // Null is a denial's "none"; a null context or approvals list is in the
    // test below.
    if (name != "denial" && name != "context" && name != "approvals") {
      edited(name + " null", [&](Json& j) { j[name] = nullptr; });
    }
    if (value.is_string()) {
      edited(name + " a number", [&](Json& j) { j[name] = 7; });
      edited(name + " an object", [&](Json& j) { j[name] = Json::object({{"a", "b"}}); });
    } else if (value.is_number()) {
      edited(name + " a string", [&](Json& j) { j[name] = "7"; });
      edited(name + " an array", [&](Json& j) { j[name] = Json::array({7}); });
    } else {
      edited(name + " a number", [&](Json& j) { j[name] = 7; });
      edited(name + " a string", [&](Json& j) { j[name] = "x"; });
    }
  }
  // The id.
  for (const char* id : {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
                         "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdeg",
                         "0123456789abcdef 123456789abcdef", "../../../../etc/passwd"}) {
    edited(std::string("id '") + id + "'", [&](Json& j) { j["id"] = id; });
  }
  // The context: what EncryptionContext::Create refuses.
  edited("context empty key", [](Json& j) { j["context"] = {{"", "v"}}; });
  edited("context number value", [](Json& j) { j["context"] = {{"k", 1}}; });
  edited("context null value", [](Json& j) { j["context"] = {{"k", nullptr}}; });
  edited("context object value", [](Json& j) { j["context"] = {{"k", {{"a", "b"}}}}; });
  edited("context value too long", [](Json& j) {
    j["context"] = {{"k", std::string(crypto::kMaxContextValueSize + 1, 'v')}};
  });
  edited("context key too long", [](Json& j) {
    j["context"] = {{std::string(crypto::kMaxContextKeySize + 1, 'k'), "v"}};
  });
  edited("context too many entries", [](Json& j) {
    Json c = Json::object();
    for (std::size_t i = 0; i <= crypto::kMaxContextEntries; ++i) {
      c["k" + std::to_string(i)] = "v";
    }
    j["context"] = c;
  });
  // Approvals and the denial: each of their fields missing or mistyped.
  for (const char* field : {"officer", "signature", "comment", "at"}) {
    const std::string f = field;
    edited("approval without " + f, [&](Json& j) { j["approvals"][0].erase(f); });
    edited("denial without " + f, [&](Json& j) { j["denial"].erase(f); });
    edited("approval " + f + " mistyped",
           [&](Json& j) { j["approvals"][1][f] = f == "at" ? Json("1") : Json(1); });
  }
  edited("approval a string", [](Json& j) { j["approvals"][0] = "officer-0"; });
  edited("approval an array", [](Json& j) { j["approvals"][0] = Json::array(); });
  edited("denial an array", [](Json& j) { j["denial"] = Json::array(); });
  edited("denial a string", [](Json& j) { j["denial"] = "officer-2"; });

  for (const Case& c : cases) {
    ExpectCorrupt(c.body, c.what);
  }
}

// Numbers and containers of a kind EncodeAccessRequest never writes. The
// record is sealed, so only the server writes it; still, a decoder that
// reads -1 as 4294967295 approvals or a list as a context does not do
// what "fails with kStoreCorrupt" says, and a quorum of 0 (2^32 read into a
// uint32) would grant a request on its first approval.
TEST(AccessRequestCodec, NumbersAndContainersOfTheWrongKindAreStoreCorrupt) {
  const Json full = FullJson();
  struct Case {
    const char* what;
    const char* field;
    Json value;
  };
  const std::vector<Case> cases = {
      {"approvals_needed 2^32 (would read as 0)", "approvals_needed", Json(4294967296ULL)},
      {"approvals_needed -1", "approvals_needed", Json(-1)},
      {"approvals_needed true", "approvals_needed", Json(true)},
      {"approvals_needed 1.5", "approvals_needed", Json(1.5)},
      {"grant_uses -1", "grant_uses", Json(-1)},
      {"uses 2^32", "uses", Json(4294967296ULL)},
      {"grant_ttl_s -1", "grant_ttl_s", Json(-1)},
      {"not_before 1.5", "not_before", Json(1.5)},
      {"expires_at 2^63", "expires_at", Json(9223372036854775808ULL)},
      {"context a list", "context", Json::array({"a", "b"})},
      {"context an empty list", "context", Json::array()},
      {"context null", "context", Json(nullptr)},
      {"approvals an object", "approvals", Json::object()},
      {"approvals null", "approvals", Json(nullptr)},
  };
  for (const Case& c : cases) {
    Json j = full;
    j[c.field] = c.value;
    ExpectCorrupt(Body(j.dump()), c.what);
  }
}

// ------------------------------------------------------------ Status

TEST(AccessRequestStatus, AtEveryBoundary) {
  // The window is [1000, 5000); a pending request expires at 2000.
  const auto base = [] {
    AccessRequest r;
    r.id = kId;
    r.not_before = 1000;
    r.not_after = 5000;
    r.created_at = 900;
    r.expires_at = 2000;
    r.grant_ttl_s = 3600;
    r.grant_uses = 2;
    return r;
  };
  struct Case {
    const char* what;
    std::function<void(AccessRequest&)> set;
    std::int64_t now;
    const char* status;
    std::int64_t grant_until;  // checked where approved_at is set
  };
  const std::vector<Case> cases = {
      {"pending when made", [](AccessRequest&) {}, 900, "pending", 0},
      {"pending a second before expiry", [](AccessRequest&) {}, 1999, "pending", 0},
      {"expired at exactly expires_at", [](AccessRequest&) {}, 2000, "expired", 0},
      {"expired later", [](AccessRequest&) {}, 1'000'000, "expired", 0},
      {"pending with approvals short of quorum",
       [](AccessRequest& r) {
         r.approvals.push_back({"o1", "sig", "", 950});
       },
       1500, "pending", 0},
      // Approved: GrantUntil = min(not_after 5000, 1500 + 3600).
      {"approved", [](AccessRequest& r) { r.approved_at = 1500; }, 1500, "approved", 5000},
      {"approved outlives the request's expiry", [](AccessRequest& r) { r.approved_at = 1500; },
       3000, "approved", 5000},
      {"approved before its window starts (usable later)",
       [](AccessRequest& r) { r.approved_at = 950; }, 960, "approved", 4550},
      {"approved one use left",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.uses = 1;
       },
       1500, "approved", 5000},
      {"spent by uses",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.uses = 2;
       },
       1500, "spent", 5000},
      {"spent beyond its uses",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.uses = 3;
       },
       1500, "spent", 5000},
      {"approved a second before GrantUntil", [](AccessRequest& r) { r.approved_at = 1500; }, 4999,
       "approved", 5000},
      {"spent at exactly GrantUntil (window end)", [](AccessRequest& r) { r.approved_at = 1500; },
       5000, "spent", 5000},
      // A grant_ttl shorter than the window ends the grant first.
      {"short ttl: approved a second before",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_ttl_s = 60;
       },
       1559, "approved", 1560},
      {"short ttl: spent at exactly approved_at + ttl",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_ttl_s = 60;
       },
       1560, "spent", 1560},
      // A longer one is cut at the window's end.
      {"long ttl: cut at not_after",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_ttl_s = 1'000'000;
       },
       4999, "approved", 5000},
      {"huge ttl does not overflow",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_ttl_s = std::numeric_limits<std::uint64_t>::max();
       },
       4999, "approved", 5000},
      {"zero ttl: spent at once",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_ttl_s = 0;
       },
       1500, "spent", 1500},
      {"zero uses: spent at once",
       [](AccessRequest& r) {
         r.approved_at = 1500;
         r.grant_uses = 0;
       },
       1500, "spent", 5000},
      {"denied",
       [](AccessRequest& r) {
         r.denial = Approval{"o1", "", "no", 950};
       },
       950, "denied", 0},
      {"denied stays denied after expires_at",
       [](AccessRequest& r) {
         r.denial = Approval{"o1", "", "no", 950};
       },
       2000, "denied", 0},
      {"a denial wins over approved_at",
       [](AccessRequest& r) {
         r.denial = Approval{"o1", "", "no", 950};
         r.approved_at = 1500;
       },
       1500, "denied", 5000},
  };
  for (const Case& c : cases) {
    AccessRequest r = base();
    c.set(r);
    EXPECT_EQ(r.Status(c.now), c.status) << c.what;
    if (r.approved_at != 0) {
      EXPECT_EQ(r.GrantUntil(), c.grant_until) << c.what;
    }
  }
}

TEST(AccessRequestSubject, CarriesTheRequestAndAnyVersion) {
  const AccessRequest r = Full();
  const policies::ApprovalSubject s = r.Subject();
  EXPECT_EQ(s.request_id, r.id);
  EXPECT_EQ(s.operation, r.operation);
  EXPECT_EQ(s.key, r.key);
  EXPECT_FALSE(s.key_version.has_value());
  EXPECT_EQ(s.context, r.context);
  EXPECT_EQ(s.requester, r.requester);
  EXPECT_EQ(s.not_before, r.not_before);
  EXPECT_EQ(s.not_after, r.not_after);
  EXPECT_EQ(s.expires_at, r.expires_at);
  EXPECT_EQ(s.reason_code, r.justification_code);
  EXPECT_EQ(s.grant_uses, r.grant_uses);
  EXPECT_EQ(s.grant_ttl_s, r.grant_ttl_s);
  // What happens to the request later is not part of what was signed.
  AccessRequest later = r;
  later.approvals.clear();
  later.denial.reset();
  later.uses = 0;
  later.approved_at = 0;
  EXPECT_EQ(policies::ApprovalDigest(later.Subject()), policies::ApprovalDigest(s));
}

// ------------------------------------------------------------ IsRequestId

TEST(IsRequestIdTest, Table) {
  struct Case {
    std::string id;
    bool ok;
  };
  const std::vector<Case> cases = {
      {kId, true},
      {std::string(32, '0'), true},
      {std::string(32, 'f'), true},
      {"", false},
      {std::string(31, 'a'), false},
      {std::string(33, 'a'), false},
      {std::string(64, 'a'), false},
      {"0123456789ABCDEF0123456789abcdef", false},
      {"0123456789abcdef0123456789abcdeg", false},
      {"0123456789abcdef0123456789abcde ", false},
      {"0123456789abcdef0123456789abcde/", false},
      {std::string("0123456789abcdef0123456789abcde") + '\0', false},
      {"0x23456789abcdef0123456789abcdef", false},
      {"-123456789abcdef0123456789abcdef", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsRequestId(c.id), c.ok) << "'" << c.id << "'";
  }
}

}  // namespace
}  // namespace keyhold::kms
