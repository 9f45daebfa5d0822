// policy_fuzzer: policies::ParsePolicy(text, "fuzz.json") on arbitrary bytes.
// Properties:
//   - it never throws; an error is kInvalidPolicy and its message starts
//     with "fuzz.json:" (file, then line);
//   - text larger than kMaxPolicyBytes or holding a NUL byte is refused (a
//     parser that stopped at a NUL would accept a file whose tail it never
//     read);
//   - a document it accepts obeys every rule of policies/policy.h: a valid
//     name, a version from 1 to 2^53, ids unique across the document, every
//     list non-empty and without repeats, every glob one '/' over key-id
//     characters, only known operations and roles (admin operations only in
//     approval rules, and approval keys exactly when a key operation is
//     listed), CIDRs that print and parse back to themselves, time windows
//     that are not empty, and every number within its documented bounds;
//   - a set of that one document is created, and Evaluate on fixed requests
//     (key and admin operations) returns a consistent decision whose
//     explanation never shows a context value.
// Test-only.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "policies/cidr.h"
#include "policies/evaluate.h"
#include "policies/policy.h"
#include "policies/policy_set.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace pol = keyhold::policies;

bool Charset(std::string_view s, std::string_view extra, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool Distinct(const std::vector<std::string>& list) {
  const std::set<std::string> unique(list.begin(), list.end());
  return unique.size() == list.size();
}

// List checks the shape every string list of a document has.
bool List(const std::vector<std::string>& list) {
  return !list.empty() && list.size() <= 256 && Distinct(list) &&
         std::all_of(list.begin(), list.end(),
                     [](const std::string& s) { return !s.empty() && s.size() <= 256; });
}

void CheckGlobs(const std::vector<std::string>& globs) {
  KEYHOLD_FUZZ_CHECK(List(globs));
  for (const std::string& g : globs) {
    const std::size_t slash = g.find('/');
    KEYHOLD_FUZZ_CHECK(slash != std::string::npos);
    KEYHOLD_FUZZ_CHECK(g.find('/', slash + 1) == std::string::npos);
    KEYHOLD_FUZZ_CHECK(Charset(g.substr(0, slash), "_-*?", keyhold::crypto::kMaxTenantSize));
    KEYHOLD_FUZZ_CHECK(Charset(g.substr(slash + 1), "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-*?",
                               keyhold::crypto::kMaxKeyNameSize));
  }
}

void CheckId(const std::string& id, std::set<std::string>* ids) {
  KEYHOLD_FUZZ_CHECK(Charset(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-", 64));
  KEYHOLD_FUZZ_CHECK(ids->insert(id).second);
}

void CheckConditions(const pol::Conditions& c) {
  KEYHOLD_FUZZ_CHECK(c.source_cidrs.size() <= 256);
  for (const pol::Cidr& cidr : c.source_cidrs) {
    KEYHOLD_FUZZ_CHECK(cidr.prefix <= (cidr.v6 ? 128 : 32));
    // The canonical text reads back as the same network: host bits are zero.
    auto again = pol::ParseCidr(cidr.ToString());
    KEYHOLD_FUZZ_CHECK(again.ok());
    KEYHOLD_FUZZ_CHECK(again->network == cidr.network);
    KEYHOLD_FUZZ_CHECK(again->prefix == cidr.prefix && again->v6 == cidr.v6);
  }
  if (c.context) {
    const pol::ContextCondition& cc = *c.context;
    KEYHOLD_FUZZ_CHECK(!cc.required.empty() || !cc.equals.empty() || !cc.equals_caller.empty());
    if (!cc.required.empty()) {
      KEYHOLD_FUZZ_CHECK(List(cc.required));
    }
    for (const auto& [k, v] : cc.equals) {
      KEYHOLD_FUZZ_CHECK(!k.empty() && k.size() <= 128 && !v.empty() && v.size() <= 256);
    }
    for (const auto& [k, attr] : cc.equals_caller) {
      KEYHOLD_FUZZ_CHECK(!k.empty() && k.size() <= 128);
      KEYHOLD_FUZZ_CHECK(attr == "tenant" || attr == "principal");
    }
  }
  if (!c.justification_codes.empty()) {
    KEYHOLD_FUZZ_CHECK(List(c.justification_codes));
    for (const std::string& code : c.justification_codes) {
      KEYHOLD_FUZZ_CHECK(Charset(code, "_", 64));
    }
  }
  if (c.time) {
    const pol::TimeWindow& w = *c.time;
    KEYHOLD_FUZZ_CHECK(w.days != 0 && w.days <= 0x7f);
    KEYHOLD_FUZZ_CHECK(w.from_minute <= 1440 && w.to_minute <= 1440);
    KEYHOLD_FUZZ_CHECK(w.from_minute != w.to_minute);
    KEYHOLD_FUZZ_CHECK(!w.not_before || *w.not_before >= 0);
    KEYHOLD_FUZZ_CHECK(!w.not_after || *w.not_after >= 0);
    KEYHOLD_FUZZ_CHECK(!w.not_before || !w.not_after || *w.not_before < *w.not_after);
  }
}

void CheckDocument(const pol::PolicyDocument& d) {
  KEYHOLD_FUZZ_CHECK(pol::IsValidPolicyName(d.name));
  KEYHOLD_FUZZ_CHECK(d.version >= 1 && d.version <= (std::uint64_t{1} << 53));
  KEYHOLD_FUZZ_CHECK(d.description.size() <= 1024);
  for (const auto& [tenant, region] : d.residency) {
    KEYHOLD_FUZZ_CHECK(keyhold::crypto::ValidTenant(tenant));
    KEYHOLD_FUZZ_CHECK(Charset(region, "-", 32));
  }
  KEYHOLD_FUZZ_CHECK(d.rules.size() <= 1000 && d.approvals.size() <= 1000 &&
                     d.rotation.size() <= 1000);

  std::set<std::string> ids;
  for (const pol::AccessRule& r : d.rules) {
    CheckId(r.id, &ids);
    KEYHOLD_FUZZ_CHECK(r.line >= 1);
    KEYHOLD_FUZZ_CHECK(!r.principals.empty() || !r.roles.empty());
    if (!r.principals.empty()) {
      KEYHOLD_FUZZ_CHECK(List(r.principals));
      for (const std::string& p : r.principals) {
        KEYHOLD_FUZZ_CHECK(
            std::all_of(p.begin(), p.end(), [](char c) { return c > 0x20 && c < 0x7f; }));
      }
    }
    if (!r.roles.empty()) {
      KEYHOLD_FUZZ_CHECK(List(r.roles));
      for (const std::string& role : r.roles) {
        KEYHOLD_FUZZ_CHECK(role == "*" || role == "admin" || role == "app" || role == "officer" ||
                           role == "auditor");
      }
    }
    CheckGlobs(r.keys);
    KEYHOLD_FUZZ_CHECK(List(r.operations));
    for (const std::string& op : r.operations) {
      // Access rules never name an admin operation.
      KEYHOLD_FUZZ_CHECK(op == "*" || pol::IsKeyOperation(op));
    }
    CheckConditions(r.conditions);
  }
  for (const pol::ApprovalRule& a : d.approvals) {
    CheckId(a.id, &ids);
    KEYHOLD_FUZZ_CHECK(a.line >= 1);
    KEYHOLD_FUZZ_CHECK(List(a.operations));
    bool key_ops = false;
    for (const std::string& op : a.operations) {
      KEYHOLD_FUZZ_CHECK(op == "*" || pol::IsKeyOperation(op) || pol::IsAdminOperation(op));
      key_ops = key_ops || !pol::IsAdminOperation(op);
    }
    // Keys exactly when some listed operation acts on a key.
    KEYHOLD_FUZZ_CHECK(key_ops == !a.keys.empty());
    if (key_ops) {
      CheckGlobs(a.keys);
    }
    KEYHOLD_FUZZ_CHECK(a.approvals >= 1 && a.approvals <= 16);
    KEYHOLD_FUZZ_CHECK(a.approver_role == "officer" || a.approver_role == "admin");
    KEYHOLD_FUZZ_CHECK(a.grant_ttl_s >= 60 && a.grant_ttl_s <= 30 * 86400);
    KEYHOLD_FUZZ_CHECK(a.grant_uses >= 1 && a.grant_uses <= 1'000'000);
    KEYHOLD_FUZZ_CHECK(a.request_ttl_s >= 60 && a.request_ttl_s <= 30 * 86400);
  }
  for (const pol::RotationRule& r : d.rotation) {
    CheckId(r.id, &ids);
    KEYHOLD_FUZZ_CHECK(r.line >= 1);
    CheckGlobs(r.keys);
    KEYHOLD_FUZZ_CHECK(r.period_s != 0 || r.max_encryptions != 0);
    KEYHOLD_FUZZ_CHECK(r.period_s % 86400 == 0 && r.period_s <= 36500ULL * 86400);
    KEYHOLD_FUZZ_CHECK(r.max_encryptions <= (std::uint64_t{1} << 32));
  }
}

constexpr char kCanary[] = "fuzz-canary-context-value";

void CheckDecision(const pol::PolicySet& set, const pol::Decision& d) {
  KEYHOLD_FUZZ_CHECK(d.verdict == pol::Verdict::kAllow || d.verdict == pol::Verdict::kDeny ||
                     d.verdict == pol::Verdict::kNeedsApproval);
  KEYHOLD_FUZZ_CHECK(!d.explanation.empty());
  KEYHOLD_FUZZ_CHECK((d.verdict == pol::Verdict::kNeedsApproval) == (d.approval != nullptr));
  if (!d.rule.empty()) {
    // "document/rule-id" of a loaded document.
    const std::size_t slash = d.rule.find('/');
    KEYHOLD_FUZZ_CHECK(slash != std::string::npos);
    KEYHOLD_FUZZ_CHECK(set.Find(d.rule.substr(0, slash)) != nullptr);
  }
  if (d.verdict == pol::Verdict::kNeedsApproval) {
    KEYHOLD_FUZZ_CHECK(d.rule.substr(d.rule.find('/') + 1) == d.approval->id);
  }
  for (const std::string& line : d.explanation) {
    KEYHOLD_FUZZ_CHECK(line.find(kCanary) == std::string::npos);
  }
}

void CheckEvaluate(const pol::PolicySet& set) {
  constexpr std::int64_t kNow = 1'795'478'400;  // 2026-11-24T00:00:00Z, a Tuesday
  pol::AccessRequest req;
  req.principal = "alice";
  req.tenant = "acme";
  req.roles = {"app", "officer"};
  req.key = "acme/app";
  req.source = "10.1.2.3";
  req.context = {{"purpose", kCanary}, {"tenant", kCanary}, {"owner", kCanary}};
  for (std::string_view op : pol::kKeyOperations) {
    req.operation = std::string(op);
    CheckDecision(set, pol::Evaluate(set, req, kNow));
  }
  // Another caller, from IPv6, with a reason code, at another time.
  req.principal = "bob";
  req.tenant = "*";
  req.roles = {"admin"};
  req.key = "beta/k-1";
  req.operation = "wrap";
  req.source = "fd00::1";
  req.justification_code = "inc";
  CheckDecision(set, pol::Evaluate(set, req, kNow + 13 * 3600 + 5 * 86400));
  CheckDecision(set, pol::Evaluate(set, req, -1));
  // Admin operations act on no key.
  req.key.clear();
  for (std::string_view op : pol::kAdminOperations) {
    req.operation = std::string(op);
    CheckDecision(set, pol::Evaluate(set, req, kNow));
    if (const pol::ApprovalRule* a = pol::ApprovalFor(set, "", op, nullptr)) {
      // "*" never covers an admin operation: only a rule that names it.
      KEYHOLD_FUZZ_CHECK(std::find(a->operations.begin(), a->operations.end(), op) !=
                         a->operations.end());
    }
  }
  const pol::PolicySet::RotationLimit limit = set.RotationFor("acme/app");
  KEYHOLD_FUZZ_CHECK(limit.max_encryptions <= (std::uint64_t{1} << 32));
  (void)set.ResidencyOf("acme");
}

void FuzzOne(std::string_view text) {
  auto doc = pol::ParsePolicy(text, "fuzz.json");
  if (!doc.ok()) {
    KEYHOLD_FUZZ_CHECK(doc.error().code == keyhold::ErrorCode::kInvalidPolicy);
    KEYHOLD_FUZZ_CHECK(doc.error().message.starts_with("fuzz.json:"));
    return;
  }
  KEYHOLD_FUZZ_CHECK(text.size() <= pol::kMaxPolicyBytes);
  KEYHOLD_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  CheckDocument(*doc);

  // Parsing is a function of the text alone.
  auto again = pol::ParsePolicy(text, "fuzz.json");
  KEYHOLD_FUZZ_CHECK(again.ok() && again->name == doc->name &&
                     again->rules.size() == doc->rules.size());

  auto set = pol::PolicySet::Create({*doc});
  KEYHOLD_FUZZ_CHECK(set.ok());
  KEYHOLD_FUZZ_CHECK(set->documents().size() == 1);
  KEYHOLD_FUZZ_CHECK(set->HasAccessRules() == !doc->rules.empty());
  CheckEvaluate(*set);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, FuzzOne);
}
