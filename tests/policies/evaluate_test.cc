// Tests for Evaluate and ApprovalFor (policies/evaluate.h) and PolicySet
// (policies/policy_set.h). The table walks the documented order of
// evaluation one rule at a time: deny wins (unless its conditions all
// hold), then an allow rule whose conditions hold, then the default deny
// (or, with no access rule loaded anywhere, the caller's roles); an allowed
// call that an approval rule covers needs a grant. Every condition kind is
// shown holding and failing. Policies are written as JSON and parsed, as an
// operator would write them, so the table reads like real policy files.
//
// Every explanation is also checked for a context value planted in every
// request: explanations reach logs and `keyhold policy test`, and an
// encryption context may hold data the caller considers private.
#include "policies/evaluate.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policies/policy.h"
#include "policies/policy_set.h"

namespace keyhold::policies {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kSunday = 1'795'305'600;              // 2026-11-22T00:00:00Z
constexpr std::int64_t kMon10 = kSunday + kDay + 10 * 3600;  // Monday 10:00
constexpr std::int64_t kMon17 = kSunday + kDay + 17 * 3600;  // Monday 17:00
constexpr std::int64_t kSat10 = kSunday + 6 * kDay + 10 * 3600;

// A value planted in every request's context; no explanation may show it.
constexpr char kCanary[] = "canary-5ecret-c0ntext-value";

// Rule is one access rule, written as the JSON an operator would write.
struct Rule {
  std::string id;
  std::string effect = "allow";
  std::string who = R"("roles": ["app"])";
  std::string keys = R"(["acme/*"])";
  std::string ops = R"(["wrap", "unwrap"])";
  std::string conditions = "";  // the `when` (allow) or `unless` (deny) object, if any

  std::string Json() const {
    std::string out = R"({"id": ")" + id + R"(", "effect": ")" + effect + R"(", )" + who +
                      R"(, "keys": )" + keys + R"(, "operations": )" + ops;
    if (!conditions.empty()) {
      out += std::string(", \"") + (effect == "allow" ? "when" : "unless") + "\": " + conditions;
    }
    return out + "}";
  }
};

// Doc is one policy document named `name`.
std::string Doc(std::string_view name, const std::vector<Rule>& rules,
                const std::vector<std::string>& approvals = {}, std::string_view extra = "") {
  std::string out = R"({"name": ")" + std::string(name) + R"(", "version": 1)";
  if (!rules.empty()) {
    out += R"(, "rules": [)";
    for (std::size_t i = 0; i < rules.size(); ++i) {
      out += (i == 0 ? "" : ", ") + rules[i].Json();
    }
    out += "]";
  }
  if (!approvals.empty()) {
    out += R"(, "approvals": [)";
    for (std::size_t i = 0; i < approvals.size(); ++i) {
      out += (i == 0 ? "" : ", ") + approvals[i];
    }
    out += "]";
  }
  if (!extra.empty()) {
    out += ", " + std::string(extra);
  }
  return out + "}";
}

PolicyDocument Parse(const std::string& json) {
  auto doc = ParsePolicy(json, "t.json");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message) << "\n" << json;
  return doc.ok() ? std::move(doc).value() : PolicyDocument{};
}

PolicySet Set(const std::vector<std::string>& docs) {
  std::vector<PolicyDocument> parsed;
  for (const std::string& d : docs) {
    parsed.push_back(Parse(d));
  }
  auto set = PolicySet::Create(std::move(parsed));
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
  return set.ok() ? std::move(set).value() : PolicySet{};
}

AccessRequest Base() {
  AccessRequest r;
  r.principal = "alice";
  r.tenant = "acme";
  r.roles = {"app"};
  r.key = "acme/app";
  r.operation = "wrap";
  r.source = "10.1.2.3";
  r.context = {{"purpose", "billing"}, {"tenant", "acme"}, {"owner", "alice"}};
  return r;
}

// Req is Base() changed by `change`.
template <typename F>
AccessRequest Req(F change) {
  AccessRequest r = Base();
  change(r);
  return r;
}

std::string Approval(std::string_view id, std::string_view keys, std::string_view ops) {
  std::string out = R"({"id": ")" + std::string(id) + R"(", "operations": )" + std::string(ops);
  if (!keys.empty()) {
    out += R"(, "keys": )" + std::string(keys);
  }
  return out + "}";
}

const Rule kAllowApp{.id = "allow-app"};
const Rule kAllowAll{
    .id = "allow-all", .who = R"("principals": ["*"])", .keys = R"(["*/*"])", .ops = R"(["*"])"};
const Rule kDenyAll{.id = "deny-all",
                    .effect = "deny",
                    .who = R"("principals": ["*"])",
                    .keys = R"(["*/*"])",
                    .ops = R"(["*"])"};

// AllowWhen is the app rule with `when` conditions.
Rule AllowWhen(std::string conditions) {
  return Rule{.id = "cond", .conditions = std::move(conditions)};
}

struct Row {
  std::string name;
  std::vector<std::string> docs;
  AccessRequest request;
  std::int64_t now;
  Verdict want;
  std::string rule;  // Decision.rule
};

std::vector<Row> Rows() {
  const std::string d_allow = Doc("d", {kAllowApp});
  const auto op = [](std::string o) { return [o](AccessRequest& r) { r.operation = o; }; };
  const auto key = [](std::string k) { return [k](AccessRequest& r) { r.key = k; }; };
  const auto roles = [](std::vector<std::string> v) {
    return [v](AccessRequest& r) { r.roles = v; };
  };
  const auto source = [](std::string s) { return [s](AccessRequest& r) { r.source = s; }; };
  const auto code = [](std::string c) {
    return [c](AccessRequest& r) { r.justification_code = c; };
  };
  const auto context = [](std::string k, std::string v) {
    return [k, v](AccessRequest& r) { r.context[k] = v; };
  };
  const auto no_context = [](std::string k) {
    return [k](AccessRequest& r) { r.context.erase(k); };
  };
  const auto who = [](std::string principal, std::vector<std::string> role_list) {
    return [principal, role_list](AccessRequest& r) {
      r.principal = principal;
      r.roles = role_list;
    };
  };
  const Rule deny_outside{.id = "deny-outside",
                          .effect = "deny",
                          .who = R"("roles": ["*"])",
                          .keys = R"(["*/*"])",
                          .ops = R"(["*"])",
                          .conditions = R"({"source_cidrs": ["10.0.0.0/8"]})"};
  const Rule deny_unwrap{
      .id = "deny-unwrap", .effect = "deny", .who = R"("roles": ["*"])", .ops = R"(["unwrap"])"};
  const std::string approve_rotate = Approval("approve-rotate", R"(["acme/*"])", R"(["rotate"])");
  const std::string approve_admin = Approval("policy-change", "", R"(["policy-change"])");
  const std::string approve_star = Approval("approve-star", R"(["*/*"])", R"(["*"])");
  const std::string office_hours =
      R"({"time": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00"}})";

  return {
      // Matching: who, which key, which operation.
      {"allow rule applies", {d_allow}, Base(), kMon10, Verdict::kAllow, "d/allow-app"},
      {"operation not listed: default deny",
       {d_allow},
       Req(op("rotate")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"key not matched: default deny",
       {d_allow},
       Req(key("beta/app")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"role not matched: default deny",
       {d_allow},
       Req(roles({"auditor"})),
       kMon10,
       Verdict::kDeny,
       ""},
      {"no roles: default deny", {d_allow}, Req(roles({})), kMon10, Verdict::kDeny, ""},
      {"any of the caller's roles",
       {d_allow},
       Req(roles({"auditor", "app"})),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"principal listed",
       {Doc("d", {Rule{.id = "p", .who = R"("principals": ["alice"])"}})},
       Req(roles({})),
       kMon10,
       Verdict::kAllow,
       "d/p"},
      {"principal not listed",
       {Doc("d", {Rule{.id = "p", .who = R"("principals": ["alice"])"}})},
       Req(who("bob", {"app"})),
       kMon10,
       Verdict::kDeny,
       ""},
      {"principal names are exact",
       {Doc("d", {Rule{.id = "p", .who = R"("principals": ["alice"])"}})},
       Req(who("Alice", {})),
       kMon10,
       Verdict::kDeny,
       ""},
      {"principals *",
       {Doc("d", {Rule{.id = "p", .who = R"("principals": ["*"])"}})},
       Req(who("anyone", {})),
       kMon10,
       Verdict::kAllow,
       "d/p"},
      {"roles *",
       {Doc("d", {Rule{.id = "r", .who = R"("roles": ["*"])"}})},
       Req(roles({"auditor"})),
       kMon10,
       Verdict::kAllow,
       "d/r"},
      {"principals or roles: by role",
       {Doc("d", {Rule{.id = "pr", .who = R"("principals": ["bob"], "roles": ["officer"])"}})},
       Req(roles({"officer"})),
       kMon10,
       Verdict::kAllow,
       "d/pr"},
      {"principals or roles: by principal",
       {Doc("d", {Rule{.id = "pr", .who = R"("principals": ["bob"], "roles": ["officer"])"}})},
       Req(who("bob", {})),
       kMon10,
       Verdict::kAllow,
       "d/pr"},
      {"principals or roles: neither",
       {Doc("d", {Rule{.id = "pr", .who = R"("principals": ["bob"], "roles": ["officer"])"}})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"operation *",
       {Doc("d", {Rule{.id = "o", .ops = R"(["*"])"}})},
       Req(op("schedule-deletion")),
       kMon10,
       Verdict::kAllow,
       "d/o"},
      {"key glob */*",
       {Doc("d", {Rule{.id = "k", .keys = R"(["*/*"])"}})},
       Req(key("beta/x")),
       kMon10,
       Verdict::kAllow,
       "d/k"},
      {"key glob ?: one character",
       {Doc("d", {Rule{.id = "k", .keys = R"(["acme/app-?"])"}})},
       Req(key("acme/app-1")),
       kMon10,
       Verdict::kAllow,
       "d/k"},
      {"key glob ?: not two",
       {Doc("d", {Rule{.id = "k", .keys = R"(["acme/app-?"])"}})},
       Req(key("acme/app-10")),
       kMon10,
       Verdict::kDeny,
       ""},

      // Deny wins.
      {"deny wins over allow",
       {Doc("d", {kAllowApp, deny_unwrap})},
       Req(op("unwrap")),
       kMon10,
       Verdict::kDeny,
       "d/deny-unwrap"},
      {"deny wins whatever the order",
       {Doc("d", {deny_unwrap, kAllowApp})},
       Req(op("unwrap")),
       kMon10,
       Verdict::kDeny,
       "d/deny-unwrap"},
      {"deny in a later document wins",
       {Doc("a", {kAllowApp}), Doc("z", {kDenyAll})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "z/deny-all"},
      {"deny in an earlier document wins",
       {Doc("a", {kDenyAll}), Doc("z", {kAllowApp})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "a/deny-all"},
      {"deny for another operation",
       {Doc("d", {kAllowApp, deny_unwrap})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"deny for other keys",
       {Doc("d", {kAllowApp, Rule{.id = "no-beta", .effect = "deny", .keys = R"(["beta/*"])"}})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"deny for another caller",
       {Doc("d",
            {kAllowApp,
             Rule{.id = "no-mallory", .effect = "deny", .who = R"("principals": ["mallory"])"}})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"deny without unless, alone",
       {Doc("d", {kDenyAll})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "d/deny-all"},
      {"deny unless: conditions hold, the deny does not apply",
       {Doc("d", {kAllowApp, deny_outside})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"deny unless: a condition fails, the deny applies",
       {Doc("d", {kAllowApp, deny_outside})},
       Req(source("192.168.1.1")),
       kMon10,
       Verdict::kDeny,
       "d/deny-outside"},
      {"deny unless holds, but no allow rule: default deny",
       {Doc("d", {deny_outside})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"deny unless: all conditions must hold, one fails",
       {Doc("d", {kAllowApp, Rule{.id = "two",
                                  .effect = "deny",
                                  .who = R"("roles": ["*"])",
                                  .conditions = R"({"source_cidrs": ["10.0.0.0/8"],)"
                                                R"( "justification_codes": ["inc"]})"}})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "d/two"},
      {"deny unless: all conditions hold",
       {Doc("d", {kAllowApp, Rule{.id = "two",
                                  .effect = "deny",
                                  .who = R"("roles": ["*"])",
                                  .conditions = R"({"source_cidrs": ["10.0.0.0/8"],)"
                                                R"( "justification_codes": ["inc"]})"}})},
       Req(code("inc")),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"the first deny that applies is named",
       {Doc("d", {kAllowApp, deny_outside,
                  Rule{.id = "deny-2", .effect = "deny", .who = R"("roles": ["*"])"}})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "d/deny-2"},

      // The default, and sets without access rules.
      {"no documents: the roles decide", {}, Base(), kMon10, Verdict::kAllow, ""},
      {"only residency: the roles decide",
       {Doc("d", {}, {}, R"("residency": {"acme": "eu"})")},
       Base(),
       kMon10,
       Verdict::kAllow,
       ""},
      {"only rotation rules: the roles decide",
       {Doc("d", {}, {}, R"("rotation": [{"id": "r", "keys": ["*/*"], "period_days": 9}])")},
       Base(),
       kMon10,
       Verdict::kAllow,
       ""},
      {"no access rules, an approval rule covers",
       {Doc("d", {}, {approve_rotate})},
       Req(op("rotate")),
       kMon10,
       Verdict::kNeedsApproval,
       "d/approve-rotate"},
      {"no access rules, the approval rule does not cover",
       {Doc("d", {}, {approve_rotate})},
       Base(),
       kMon10,
       Verdict::kAllow,
       ""},
      {"access rules in any document switch the default",
       {Doc("a", {kAllowApp}), Doc("b", {}, {}, R"("residency": {"beta": "us"})")},
       Req(key("beta/app")),
       kMon10,
       Verdict::kDeny,
       ""},

      // Each condition of an allow rule, holding and failing.
      {"source in the CIDR",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"]})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"source outside the CIDR",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"]})")})},
       Req(source("192.168.1.1")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"source IPv4-mapped",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"]})")})},
       Req(source("::ffff:10.1.2.3")),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"IPv4 source, IPv6 network",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["fd00::/8"]})")})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"IPv6 source in the network",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["fd00::/8"]})")})},
       Req(source("fd00::1")),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"source in the second CIDR",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["192.168.0.0/16", "10.1.2.3/32"]})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"no source",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["0.0.0.0/0"]})")})},
       Req(source("")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"source not an address",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["0.0.0.0/0"]})")})},
       Req(source("localhost")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context key required, present",
       {Doc("d", {AllowWhen(R"({"context": {"required": ["purpose"]}})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"context key required, absent",
       {Doc("d", {AllowWhen(R"({"context": {"required": ["request-id"]}})")})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context equals",
       {Doc("d", {AllowWhen(R"({"context": {"equals": {"purpose": "billing"}}})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"context equals, another value",
       {Doc("d", {AllowWhen(R"({"context": {"equals": {"purpose": "billing"}}})")})},
       Req(context("purpose", "billing2")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context equals, key absent",
       {Doc("d", {AllowWhen(R"({"context": {"equals": {"purpose": "billing"}}})")})},
       Req(no_context("purpose")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context equals the caller's tenant",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"tenant": "tenant"}}})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"context names another tenant",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"tenant": "tenant"}}})")})},
       Req(context("tenant", "beta")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context names no tenant",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"tenant": "tenant"}}})")})},
       Req(no_context("tenant")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"global caller, context names a tenant",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"tenant": "tenant"}}})")})},
       Req([](AccessRequest& r) { r.tenant = "*"; }),
       kMon10,
       Verdict::kDeny,
       ""},
      {"context equals the caller's principal",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"owner": "principal"}}})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"context names another principal",
       {Doc("d", {AllowWhen(R"({"context": {"equals_caller": {"owner": "principal"}}})")})},
       Req(context("owner", "bob")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"justification code listed",
       {Doc("d", {AllowWhen(R"({"justification_codes": ["inc", "chg"]})")})},
       Req(code("chg")),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"no justification code",
       {Doc("d", {AllowWhen(R"({"justification_codes": ["inc", "chg"]})")})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"justification code not listed",
       {Doc("d", {AllowWhen(R"({"justification_codes": ["inc", "chg"]})")})},
       Req(code("other")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"justification codes are exact",
       {Doc("d", {AllowWhen(R"({"justification_codes": ["inc", "chg"]})")})},
       Req(code("INC")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"inside the time window",
       {Doc("d", {AllowWhen(office_hours)})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"outside the days",
       {Doc("d", {AllowWhen(office_hours)})},
       Base(),
       kSat10,
       Verdict::kDeny,
       ""},
      {"at the end of the hours",
       {Doc("d", {AllowWhen(office_hours)})},
       Base(),
       kMon17,
       Verdict::kDeny,
       ""},
      {"before not_before",
       {Doc("d", {AllowWhen(R"({"time": {"not_before": "2026-11-24T00:00:00Z"}})")})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"after not_before",
       {Doc("d", {AllowWhen(R"({"time": {"not_before": "2026-11-23T10:00:00Z"}})")})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"at not_after",
       {Doc("d", {AllowWhen(R"({"time": {"not_after": "2026-11-23T10:00:00Z"}})")})},
       Base(),
       kMon10,
       Verdict::kDeny,
       ""},
      {"every condition holds",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"], "justification_codes": ["inc"],)"
                            R"( "context": {"required": ["purpose"], "equals": {"purpose":)"
                            R"( "billing"}, "equals_caller": {"tenant": "tenant"}},)"
                            R"( "time": {"days": ["mon"]}})")})},
       Req(code("inc")),
       kMon10,
       Verdict::kAllow,
       "d/cond"},
      {"an allow rule whose conditions fail gives way to the next",
       {Doc("d", {AllowWhen(R"({"source_cidrs": ["192.168.0.0/16"]})"), kAllowApp})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},
      {"the first allow rule that applies is named",
       {Doc("d", {kAllowApp, kAllowAll})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-app"},

      // Approval rules, for key operations.
      {"approval rule covers the call",
       {Doc("d", {kAllowAll}, {approve_rotate})},
       Req(op("rotate")),
       kMon10,
       Verdict::kNeedsApproval,
       "d/approve-rotate"},
      {"approval rule for another operation",
       {Doc("d", {kAllowAll}, {approve_rotate})},
       Base(),
       kMon10,
       Verdict::kAllow,
       "d/allow-all"},
      {"approval rule for other keys",
       {Doc("d", {kAllowAll}, {approve_rotate})},
       Req([](AccessRequest& r) {
         r.operation = "rotate";
         r.key = "beta/app";
       }),
       kMon10,
       Verdict::kAllow,
       "d/allow-all"},
      {"approval * covers every key operation",
       {Doc("d", {kAllowAll}, {approve_star})},
       Req(op("disable")),
       kMon10,
       Verdict::kNeedsApproval,
       "d/approve-star"},
      {"a denied call needs no approval",
       {Doc("d", {kDenyAll}, {approve_star})},
       Base(),
       kMon10,
       Verdict::kDeny,
       "d/deny-all"},
      {"the default deny needs no approval",
       {Doc("d", {kAllowApp}, {approve_star})},
       Req(op("rotate")),
       kMon10,
       Verdict::kDeny,
       ""},
      {"approval rule in another document",
       {Doc("a", {kAllowAll}), Doc("b", {}, {approve_star})},
       Base(),
       kMon10,
       Verdict::kNeedsApproval,
       "b/approve-star"},
      {"the first approval rule that covers is named",
       {Doc("d", {kAllowAll}, {approve_rotate, approve_star})},
       Req(op("rotate")),
       kMon10,
       Verdict::kNeedsApproval,
       "d/approve-rotate"},

      // Approval rules, for admin operations (no key).
      {"admin operation listed by an approval rule",
       {Doc("d", {}, {approve_admin})},
       Req([](AccessRequest& r) {
         r.operation = "policy-change";
         r.key = "";
       }),
       kMon10,
       Verdict::kNeedsApproval,
       "d/policy-change"},
      {"* never covers an admin operation",
       {Doc("d", {}, {approve_star})},
       Req([](AccessRequest& r) {
         r.operation = "policy-change";
         r.key = "";
       }),
       kMon10,
       Verdict::kAllow,
       ""},
      {"an approval rule for the other admin operation",
       {Doc("d", {}, {approve_admin})},
       Req([](AccessRequest& r) {
         r.operation = "admin-token-create";
         r.key = "";
       }),
       kMon10,
       Verdict::kAllow,
       ""},
      {"both admin operations listed",
       {Doc("d", {}, {Approval("admin", "", R"(["policy-change", "admin-token-create"])")})},
       Req([](AccessRequest& r) {
         r.operation = "admin-token-create";
         r.key = "";
       }),
       kMon10,
       Verdict::kNeedsApproval,
       "d/admin"},
  };
}

TEST(EvaluateTest, Table) {
  for (Row& row : Rows()) {
    row.request.context["secret"] = kCanary;
    const PolicySet set = Set(row.docs);
    const Decision d = Evaluate(set, row.request, row.now);
    EXPECT_EQ(VerdictName(d.verdict), VerdictName(row.want)) << row.name;
    EXPECT_EQ(d.rule, row.rule) << row.name;
    EXPECT_FALSE(d.explanation.empty()) << row.name;
    if (d.verdict == Verdict::kNeedsApproval) {
      ASSERT_NE(d.approval, nullptr) << row.name;
      EXPECT_EQ(d.rule.substr(d.rule.find('/') + 1), d.approval->id) << row.name;
    } else {
      EXPECT_EQ(d.approval, nullptr) << row.name;
    }
    for (const std::string& line : d.explanation) {
      EXPECT_EQ(line.find(kCanary), std::string::npos) << row.name << ": " << line;
    }
  }
}

// The same call decides the same way every time and for every copy of the
// set: Evaluate keeps no state.
TEST(EvaluateTest, Deterministic) {
  const PolicySet set = Set({Doc("a", {kAllowApp}), Doc("b", {kDenyAll}, {})});
  const PolicySet copy = set;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Evaluate(set, Base(), kMon10).rule, "b/deny-all");
    EXPECT_EQ(Evaluate(copy, Base(), kMon10).rule, "b/deny-all");
  }
}

// Context values are the caller's data: an explanation names the context
// key a rule tested, never the value the call sent (nor, for equals, the
// value the rule wanted), however the condition failed.
TEST(EvaluateTest, ExplanationsNeverShowContextValues) {
  constexpr char kSecret[] = "TOP-SECRET-patient-4711";
  struct Case {
    const char* name;
    std::string conditions;
    std::string context_key;
  };
  const std::vector<Case> cases = {
      {"equals fails", R"({"context": {"equals": {"purpose": "billing"}}})", "purpose"},
      {"equals_caller tenant fails", R"({"context": {"equals_caller": {"purpose": "tenant"}}})",
       "purpose"},
      {"equals_caller principal fails",
       R"({"context": {"equals_caller": {"purpose": "principal"}}})", "purpose"},
      {"required fails elsewhere", R"({"context": {"required": ["other"]}})", "purpose"},
      {"another condition fails", R"({"source_cidrs": ["192.168.0.0/16"]})", "purpose"},
      {"every condition holds", R"({"context": {"required": ["purpose"]}})", "purpose"},
  };
  for (const Case& c : cases) {
    for (const char* effect : {"allow", "deny"}) {
      const Rule rule{.id = "r", .effect = effect, .conditions = c.conditions};
      const PolicySet set = Set({Doc("d", {rule, kAllowAll})});
      AccessRequest req = Base();
      req.context[c.context_key] = kSecret;
      const Decision d = Evaluate(set, req, kMon10);
      ASSERT_FALSE(d.explanation.empty()) << c.name;
      for (const std::string& line : d.explanation) {
        EXPECT_EQ(line.find(kSecret), std::string::npos)
            << c.name << " (" << effect << "): " << line;
        EXPECT_EQ(line.find("billing"), std::string::npos)
            << c.name << " (" << effect << "): " << line;
      }
    }
  }
}

TEST(EvaluateTest, ExplanationsNameTheRulesThatDecided) {
  const Rule outside{.id = "vpn-only", .conditions = R"({"source_cidrs": ["10.0.0.0/8"]})"};
  const PolicySet set = Set({Doc("d", {outside})});
  const Decision d = Evaluate(set, Req([](AccessRequest& r) { r.source = "192.0.2.1"; }), kMon10);
  EXPECT_EQ(d.verdict, Verdict::kDeny);
  std::string all;
  for (const std::string& line : d.explanation) {
    all += line + "\n";
  }
  // The allow rule that matched but did not apply is explained, then the
  // default.
  EXPECT_NE(all.find("d/vpn-only"), std::string::npos) << all;
  EXPECT_NE(all.find("source_cidrs"), std::string::npos) << all;
  EXPECT_NE(all.find("default"), std::string::npos) << all;

  const Decision denied = Evaluate(Set({Doc("d", {kDenyAll})}), Base(), kMon10);
  ASSERT_EQ(denied.explanation.size(), 1u);
  EXPECT_NE(denied.explanation[0].find("d/deny-all"), std::string::npos);
}

TEST(ApprovalForTest, KeyAndAdminOperations) {
  const PolicySet set = Set({Doc("d", {},
                                 {Approval("rotate", R"(["acme/*"])", R"(["rotate"])"),
                                  Approval("star", R"(["beta/*"])", R"(["*"])"),
                                  Approval("admin", "", R"(["admin-token-create"])")})});
  struct Case {
    const char* key;
    const char* op;
    const char* want;  // rule name, or "" for none
  };
  const Case cases[] = {
      {"acme/app", "rotate", "d/rotate"},
      {"acme/app", "wrap", ""},
      {"beta/app", "wrap", "d/star"},
      {"beta/app", "rotate", "d/star"},
      {"gamma/app", "rotate", ""},
      {"", "admin-token-create", "d/admin"},
      {"", "policy-change", ""},          // "*" covers no admin operation
      {"beta/app", "policy-change", ""},  // not even with a key that matches
      {"acme/app", "admin-token-create", "d/admin"},
      {"", "rotate", ""},  // a key operation needs a key
  };
  for (const Case& c : cases) {
    std::string name = "unchanged";
    const ApprovalRule* a = ApprovalFor(set, c.key, c.op, &name);
    if (std::string_view(c.want).empty()) {
      EXPECT_EQ(a, nullptr) << c.key << " " << c.op;
      EXPECT_EQ(name, "unchanged") << c.key << " " << c.op;
    } else {
      ASSERT_NE(a, nullptr) << c.key << " " << c.op;
      EXPECT_EQ(name, c.want) << c.key << " " << c.op;
      EXPECT_EQ(ApprovalFor(set, c.key, c.op, nullptr), a);  // the name is optional
    }
  }
  EXPECT_EQ(ApprovalFor(PolicySet(), "acme/app", "rotate", nullptr), nullptr);
}

TEST(VerdictNameTest, AllNamed) {
  EXPECT_EQ(VerdictName(Verdict::kAllow), "allow");
  EXPECT_EQ(VerdictName(Verdict::kDeny), "deny");
  EXPECT_EQ(VerdictName(Verdict::kNeedsApproval), "needs_approval");
}

TEST(PolicySetTest, EmptySet) {
  const PolicySet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.HasAccessRules());
  EXPECT_EQ(set.Find("p"), nullptr);
  EXPECT_EQ(set.ResidencyOf("acme"), std::nullopt);
  EXPECT_EQ(set.RotationFor("acme/app").period_s, 0u);
  EXPECT_EQ(set.RotationFor("acme/app").max_encryptions, 0u);
  auto created = PolicySet::Create({});
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->empty());
}

TEST(PolicySetTest, CreateSortsByNameAndRefusesDuplicates) {
  const PolicySet set = Set({Doc("zeta", {}), Doc("alpha", {}), Doc("mid", {kAllowApp})});
  ASSERT_EQ(set.documents().size(), 3u);
  EXPECT_EQ(set.documents()[0].name, "alpha");
  EXPECT_EQ(set.documents()[1].name, "mid");
  EXPECT_EQ(set.documents()[2].name, "zeta");
  EXPECT_TRUE(set.HasAccessRules());
  ASSERT_NE(set.Find("mid"), nullptr);
  EXPECT_EQ(set.Find("mid")->rules.size(), 1u);
  EXPECT_EQ(set.Find("nope"), nullptr);

  auto dup = PolicySet::Create({Parse(Doc("p", {})), Parse(Doc("q", {})), Parse(Doc("p", {}))});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidPolicy);
  EXPECT_NE(dup.error().message.find("'p'"), std::string::npos) << dup.error().message;
}

TEST(PolicySetTest, ResidencyMustAgree) {
  const std::string eu = R"("residency": {"acme": "eu-west-1"})";
  const std::string us = R"("residency": {"acme": "us-east-1", "beta": "us-east-1"})";
  auto conflict = PolicySet::Create({Parse(Doc("a", {}, {}, eu)), Parse(Doc("b", {}, {}, us))});
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kInvalidPolicy);
  for (const char* part : {"'acme'", "'a'", "'b'", "'eu-west-1'", "'us-east-1'"}) {
    EXPECT_NE(conflict.error().message.find(part), std::string::npos)
        << part << " in " << conflict.error().message;
  }

  // The same region twice is no conflict.
  const PolicySet set = Set({Doc("a", {}, {}, eu), Doc("b", {}, {}, eu),
                             Doc("c", {}, {}, R"("residency": {"beta": "us-east-1"})")});
  EXPECT_EQ(set.ResidencyOf("acme"), "eu-west-1");
  EXPECT_EQ(set.ResidencyOf("beta"), "us-east-1");
  EXPECT_EQ(set.ResidencyOf("gamma"), std::nullopt);
  EXPECT_EQ(set.ResidencyOf(""), std::nullopt);
  EXPECT_EQ(set.ResidencyOf("*"), std::nullopt);
  EXPECT_FALSE(set.HasAccessRules());
}

TEST(PolicySetTest, WithReplacesByName) {
  const std::string eu = R"("residency": {"acme": "eu-west-1"})";
  const PolicySet set = Set({Doc("a", {kAllowApp}, {}, eu), Doc("b", {})});

  std::string v2 = Doc("a", {}, {}, R"("residency": {"acme": "us-east-1"})");
  v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 2");
  auto replaced = set.With(Parse(v2));
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  ASSERT_EQ(replaced->documents().size(), 2u);
  EXPECT_EQ(replaced->Find("a")->version, 2u);
  // The old document's region is gone with it, so the new one may differ.
  EXPECT_EQ(replaced->ResidencyOf("acme"), "us-east-1");
  EXPECT_FALSE(replaced->HasAccessRules());
  // The original is untouched.
  EXPECT_EQ(set.Find("a")->version, 1u);
  EXPECT_EQ(set.ResidencyOf("acme"), "eu-west-1");
  EXPECT_TRUE(set.HasAccessRules());

  auto added = set.With(Parse(Doc("0-first", {})));
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->documents().size(), 3u);
  EXPECT_EQ(added->documents()[0].name, "0-first");

  // A new document must agree with the others.
  auto conflict = set.With(Parse(Doc("c", {}, {}, R"("residency": {"acme": "us-east-1"})")));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kInvalidPolicy);

  auto into_empty = PolicySet().With(Parse(Doc("x", {kDenyAll})));
  ASSERT_TRUE(into_empty.ok());
  EXPECT_EQ(into_empty->documents().size(), 1u);
  EXPECT_TRUE(into_empty->HasAccessRules());
}

TEST(PolicySetTest, RotationForPicksTheStrictest) {
  const PolicySet set = Set({
      Doc("a", {}, {},
          R"("rotation": [{"id": "r1", "keys": ["acme/*"], "period_days": 90,)"
          R"( "max_encryptions": 1000000}])"),
      Doc("b", {}, {},
          R"("rotation": [{"id": "r2", "keys": ["acme/app"], "period_days": 30},)"
          R"( {"id": "r3", "keys": ["*/*"], "max_encryptions": 500000},)"
          R"( {"id": "r4", "keys": ["beta/*"], "period_days": 1, "max_encryptions": 4294967296}])"),
  });
  struct Case {
    const char* key;
    std::uint64_t period_days;
    std::uint64_t max_encryptions;
  };
  const Case cases[] = {
      {"acme/app", 30, 500'000},    // r2's period, r3's budget
      {"acme/other", 90, 500'000},  // r1's period, r3's budget
      {"beta/x", 1, 500'000},       // r4's period, r3's smaller budget
      {"gamma/x", 0, 500'000},      // only r3
  };
  for (const Case& c : cases) {
    const PolicySet::RotationLimit limit = set.RotationFor(c.key);
    EXPECT_EQ(limit.period_s, c.period_days * 86400) << c.key;
    EXPECT_EQ(limit.max_encryptions, c.max_encryptions) << c.key;
  }
  const PolicySet only_a = Set({Doc("a", {}, {},
                                    R"("rotation": [{"id": "r1", "keys": ["acme/*"],)"
                                    R"( "period_days": 90}])")});
  EXPECT_EQ(only_a.RotationFor("acme/app").period_s, 90u * 86400);
  EXPECT_EQ(only_a.RotationFor("acme/app").max_encryptions, 0u);  // no rule sets one
  EXPECT_EQ(only_a.RotationFor("beta/app").period_s, 0u);
}

}  // namespace
}  // namespace keyhold::policies

namespace keyhold::policies {
namespace {

// Two documents cover the same deletion: the stricter quorum applies,
// whichever document sorts first, so a lax document cannot weaken another.
TEST(ApprovalForStrictest, TheStrictestCoveringRuleWins) {
  auto lax = ParsePolicy(R"({"name": "a-lax", "version": 1, "approvals": [
      {"id": "two", "keys": ["*/*"], "operations": ["schedule-deletion"], "approvals": 2}]})",
                         "a.json");
  auto strict = ParsePolicy(R"({"name": "z-strict", "version": 1, "approvals": [
      {"id": "three", "keys": ["acme/*"], "operations": ["schedule-deletion"], "approvals": 3},
      {"id": "three-one-use", "keys": ["acme/k"], "operations": ["*"], "approvals": 3,
       "grant_uses": 1}]})",
                            "z.json");
  ASSERT_TRUE(lax.ok() && strict.ok());
  auto set = PolicySet::Create({*lax, *strict});
  ASSERT_TRUE(set.ok());
  std::string name;
  const ApprovalRule* rule = ApprovalFor(*set, "acme/other", "schedule-deletion", &name);
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->approvals, 3u);
  EXPECT_EQ(name, "z-strict/three");
  rule = ApprovalFor(*set, "beta/x", "schedule-deletion", &name);
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(name, "a-lax/two");
  EXPECT_EQ(ApprovalFor(*set, "beta/x", "rotate", &name), nullptr);
}

}  // namespace
}  // namespace keyhold::policies

namespace keyhold::policies {
namespace {

// Calls from AWS KMS through the XKS proxy API: principal patterns over
// awsPrincipalArn, the aws-kms role, and the `aws` condition over the
// request's requestMetadata.

constexpr char kRole[] = "arn:aws:iam::111122223333:role/";

AccessRequest AwsCall(std::string principal = std::string(kRole) + "app") {
  AccessRequest r = Base();
  r.principal = std::move(principal);
  r.tenant = "acme";
  r.roles = {"aws-kms"};
  r.context.clear();
  r.aws = AwsFacts{.kms_operation = "Encrypt",
                   .via_service = "ebs",
                   .source_vpc = "vpc-0123",
                   .source_vpce = "vpce-4567"};
  return r;
}

Verdict Decide(const std::vector<Rule>& rules, const AccessRequest& req,
               std::string* rule = nullptr, std::vector<std::string>* explanation = nullptr) {
  const Decision d = Evaluate(Set({Doc("d", rules)}), req, kMon10);
  if (rule != nullptr) {
    *rule = d.rule;
  }
  if (explanation != nullptr) {
    *explanation = d.explanation;
  }
  return d.verdict;
}

TEST(EvaluateXksTest, PrincipalPatterns) {
  const Rule pattern{.id = "acct", .who = R"("principals": ["arn:aws:iam::111122223333:role/*"])"};
  struct Case {
    std::string principal;
    Verdict want;
  };
  const std::vector<Case> cases = {
      {std::string(kRole) + "app", Verdict::kAllow},
      {std::string(kRole) + "a/b", Verdict::kAllow},
      {"arn:aws:iam::444455556666:role/app", Verdict::kDeny},
      {"arn:aws:iam::111122223333:user/app", Verdict::kDeny},
      {"alice", Verdict::kDeny},
  };
  for (const Case& c : cases) {
    std::string rule;
    EXPECT_EQ(VerdictName(Decide({pattern}, AwsCall(c.principal), &rule)), VerdictName(c.want))
        << c.principal;
    EXPECT_EQ(rule, c.want == Verdict::kAllow ? "d/acct" : "") << c.principal;
    // The pattern matches the same way for a call that is not from AWS.
    AccessRequest plain = Base();
    plain.principal = c.principal;
    plain.roles = {};
    EXPECT_EQ(VerdictName(Decide({pattern}, plain)), VerdictName(c.want)) << c.principal;
  }

  // '?' is one character.
  const Rule one{.id = "one", .who = R"("principals": ["arn:aws:iam::111122223333:role/app-?"])"};
  EXPECT_EQ(Decide({one}, AwsCall(std::string(kRole) + "app-1")), Verdict::kAllow);
  EXPECT_EQ(Decide({one}, AwsCall(std::string(kRole) + "app-12")), Verdict::kDeny);
  EXPECT_EQ(Decide({one}, AwsCall(std::string(kRole) + "app-")), Verdict::kDeny);

  // Exact names still work, next to patterns.
  const Rule exact{.id = "exact", .who = R"("principals": ["arn:aws:iam::*:role/ops", "alice"])"};
  AccessRequest alice = Base();
  alice.roles = {};
  EXPECT_EQ(Decide({exact}, alice), Verdict::kAllow);
  alice.principal = "alice2";
  EXPECT_EQ(Decide({exact}, alice), Verdict::kDeny);
  EXPECT_EQ(Decide({exact}, AwsCall("arn:aws:iam::444455556666:role/ops")), Verdict::kAllow);

  // A deny rule's pattern denies every principal it matches.
  const Rule deny_acct{.id = "deny-acct",
                       .effect = "deny",
                       .who = R"("principals": ["arn:aws:iam::444455556666:*"])",
                       .keys = R"(["*/*"])",
                       .ops = R"(["*"])"};
  std::string rule;
  EXPECT_EQ(Decide({deny_acct, kAllowAll}, AwsCall("arn:aws:iam::444455556666:role/x"), &rule),
            Verdict::kDeny);
  EXPECT_EQ(rule, "d/deny-acct");
  EXPECT_EQ(Decide({deny_acct, kAllowAll}, AwsCall(), &rule), Verdict::kAllow);
  EXPECT_EQ(rule, "d/allow-all");
}

TEST(EvaluateXksTest, RoleAwsKms) {
  const Rule aws_role{.id = "aws", .who = R"("roles": ["aws-kms"])"};
  EXPECT_EQ(Decide({aws_role}, AwsCall()), Verdict::kAllow);
  EXPECT_EQ(Decide({aws_role}, Base()), Verdict::kDeny);  // an app caller
  EXPECT_EQ(Decide({kAllowApp}, AwsCall()), Verdict::kDeny);
}

TEST(EvaluateXksTest, AwsConditionEachList) {
  struct Case {
    std::string name;
    std::string condition;
    std::string unmet_field;  // named when it fails
    std::function<void(AwsFacts&)> miss;
  };
  const std::vector<Case> cases = {
      {"kms_operations", R"({"aws": {"kms_operations": ["Decrypt", "Encrypt"]}})",
       "aws.kms_operations", [](AwsFacts& a) { a.kms_operation = "GenerateDataKey"; }},
      {"via_services", R"({"aws": {"via_services": ["ebs", "s3"]}})", "aws.via_services",
       [](AwsFacts& a) { a.via_service = "rds"; }},
      {"via_services, absent", R"({"aws": {"via_services": ["ebs"]}})", "aws.via_services",
       [](AwsFacts& a) { a.via_service = ""; }},
      {"source_vpcs", R"({"aws": {"source_vpcs": ["vpc-0123"]}})", "aws.source_vpcs",
       [](AwsFacts& a) { a.source_vpc = "vpc-9999"; }},
      {"source_vpcs, absent", R"({"aws": {"source_vpcs": ["vpc-0123"]}})", "aws.source_vpcs",
       [](AwsFacts& a) { a.source_vpc = ""; }},
      {"source_vpces", R"({"aws": {"source_vpces": ["vpce-4567"]}})", "aws.source_vpces",
       [](AwsFacts& a) { a.source_vpce = "vpce-0000"; }},
      {"source_vpces, case matters", R"({"aws": {"source_vpces": ["vpce-4567"]}})",
       "aws.source_vpces", [](AwsFacts& a) { a.source_vpce = "VPCE-4567"; }},
      {"every list, one misses",
       R"({"aws": {"kms_operations": ["Encrypt"], "via_services": ["ebs"],)"
       R"( "source_vpcs": ["vpc-0123"], "source_vpces": ["vpce-4567"]}})",
       "aws.source_vpces", [](AwsFacts& a) { a.source_vpce = "vpce-0000"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Rule when{.id = "when", .who = R"("roles": ["aws-kms"])", .conditions = c.condition};
    const Rule unless{.id = "unless",
                      .effect = "deny",
                      .who = R"("roles": ["aws-kms"])",
                      .conditions = c.condition};
    AccessRequest met = AwsCall();
    AccessRequest missed = AwsCall();
    c.miss(*missed.aws);
    missed.context["secret"] = kCanary;
    // Allow ... when: met allows, missed falls to the default deny.
    EXPECT_EQ(Decide({when}, met), Verdict::kAllow);
    std::vector<std::string> explanation;
    EXPECT_EQ(Decide({when}, missed, nullptr, &explanation), Verdict::kDeny);
    std::string all;
    for (const std::string& line : explanation) {
      all += line + "\n";
    }
    EXPECT_NE(all.find(c.unmet_field), std::string::npos) << all;
    // The call's values are not echoed (they may be anything AWS sent).
    for (const std::string& value : {missed.aws->kms_operation, missed.aws->via_service,
                                     missed.aws->source_vpc, missed.aws->source_vpce}) {
      if (value.size() >= 4) {
        EXPECT_EQ(all.find(value), std::string::npos) << all;
      }
    }
    EXPECT_EQ(all.find(kCanary), std::string::npos) << all;
    // Deny ... unless: met lets the allow rule decide, missed is denied.
    std::string rule;
    EXPECT_EQ(Decide({unless, kAllowAll}, met, &rule), Verdict::kAllow);
    EXPECT_EQ(rule, "d/allow-all");
    EXPECT_EQ(Decide({unless, kAllowAll}, missed, &rule), Verdict::kDeny);
    EXPECT_EQ(rule, "d/unless");
  }
}

TEST(EvaluateXksTest, ANonAwsCallNeverMeetsAnAwsCondition) {
  const std::string any_op = R"({"aws": {"kms_operations": ["Encrypt"]}})";
  const Rule when{.id = "when", .who = R"("principals": ["*"])", .conditions = any_op};
  const Rule unless{.id = "unless",
                    .effect = "deny",
                    .who = R"("principals": ["*"])",
                    .keys = R"(["*/*"])",
                    .ops = R"(["*"])",
                    .conditions = any_op};
  // Even with every other fact of the AWS call, and the aws-kms role.
  AccessRequest plain = AwsCall();
  plain.aws.reset();
  std::vector<std::string> explanation;
  EXPECT_EQ(Decide({when}, plain, nullptr, &explanation), Verdict::kDeny);
  std::string all;
  for (const std::string& line : explanation) {
    all += line + "\n";
  }
  EXPECT_NE(all.find("not a call from AWS KMS"), std::string::npos) << all;
  EXPECT_EQ(Decide({unless, kAllowAll}, plain), Verdict::kDeny);
  EXPECT_EQ(Decide({unless, kAllowAll}, Base()), Verdict::kDeny);
  EXPECT_EQ(Decide({when}, Base()), Verdict::kDeny);
  // With the facts, the same rules agree.
  EXPECT_EQ(Decide({when}, AwsCall()), Verdict::kAllow);
  EXPECT_EQ(Decide({unless, kAllowAll}, AwsCall()), Verdict::kAllow);
  // An empty AwsFacts is an AWS call whose fields are all absent.
  AccessRequest bare = AwsCall();
  bare.aws = AwsFacts{};
  EXPECT_EQ(Decide({when}, bare), Verdict::kDeny);
}

TEST(EvaluateXksTest, AwsConditionWithOtherConditions) {
  // All conditions hold, or the set does not.
  const Rule both{
      .id = "both",
      .who = R"("roles": ["aws-kms"])",
      .conditions = R"({"source_cidrs": ["10.0.0.0/8"], "aws": {"via_services": ["ebs"]}})"};
  EXPECT_EQ(Decide({both}, AwsCall()), Verdict::kAllow);
  AccessRequest outside = AwsCall();
  outside.source = "192.0.2.1";
  EXPECT_EQ(Decide({both}, outside), Verdict::kDeny);
  AccessRequest other_service = AwsCall();
  other_service.aws->via_service = "s3";
  EXPECT_EQ(Decide({both}, other_service), Verdict::kDeny);
}

TEST(EvaluateXksTest, ApprovalForXksCredentialCreate) {
  const PolicySet set = Set({Doc("d", {kAllowAll},
                                 {Approval("xks", "", R"(["xks-credential-create"])"),
                                  Approval("star", R"(["*/*"])", R"(["*"])")})});
  std::string name;
  const ApprovalRule* a = ApprovalFor(set, "", "xks-credential-create", &name);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(name, "d/xks");
  EXPECT_EQ(ApprovalFor(set, "", "admin-token-create", nullptr), nullptr);
  // "*" never covers it.
  const PolicySet star = Set({Doc("d", {}, {Approval("star", R"(["*/*"])", R"(["*"])")})});
  EXPECT_EQ(ApprovalFor(star, "", "xks-credential-create", nullptr), nullptr);
  // Evaluate asks for the grant.
  AccessRequest create = Base();
  create.operation = "xks-credential-create";
  create.key = "";
  const Decision d = Evaluate(
      Set({Doc("d", {}, {Approval("xks", "", R"(["xks-credential-create"])")})}), create, kMon10);
  EXPECT_EQ(d.verdict, Verdict::kNeedsApproval);
  EXPECT_EQ(d.rule, "d/xks");
}

}  // namespace
}  // namespace keyhold::policies
