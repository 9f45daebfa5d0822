// Tests for ParsePolicy, KeyGlobMatches and IsValidPolicyName
// (policies/policy.h). A policy file decides who may use which keys, so
// the parser must load nothing half-valid: every hostile document below is
// refused with kInvalidPolicy, and the message names the exact line and JSON
// pointer to fix ("p.json:LINE: /pointer: problem"), because an operator who
// is sent to the wrong place fixes the wrong thing. Each case changes one
// field of an otherwise valid document, so that the case fails for the
// reason it names and no other.
#include "policies/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhold::policies {
namespace {

std::string Join(const std::vector<std::string>& fields, std::string_view separator) {
  std::string out;
  for (const std::string& f : fields) {
    out += (out.empty() ? "" : std::string(separator)) + f;
  }
  return out;
}

// Top is a document with `fields` one per line, the first on line 2.
std::string Top(const std::vector<std::string>& fields) {
  return "{\n  " + Join(fields, ",\n  ") + "\n}\n";
}

// Item is a document with name (line 2), version (line 3) and `list`
// (line 4) holding one object (line 5) with `fields` one per line from
// line 6.
std::string Item(std::string_view list, const std::vector<std::string>& fields) {
  return "{\n  \"name\": \"p\",\n  \"version\": 1,\n  \"" + std::string(list) +
         "\": [\n    {\n      " + Join(fields, ",\n      ") + "\n    }\n  ]\n}\n";
}
std::string Rule(const std::vector<std::string>& fields) {
  return Item("rules", fields);
}
std::string Approval(const std::vector<std::string>& fields) {
  return Item("approvals", fields);
}
std::string Rotation(const std::vector<std::string>& fields) {
  return Item("rotation", fields);
}

const std::string kName = R"("name": "p")";
const std::string kVersion = R"("version": 1)";
const std::string kId = R"("id": "r1")";
const std::string kAllow = R"("effect": "allow")";
const std::string kDeny = R"("effect": "deny")";
const std::string kRoles = R"("roles": ["app"])";
const std::string kKeys = R"("keys": ["acme/*"])";
const std::string kOps = R"("operations": ["wrap"])";
const std::string kRotate = R"("operations": ["rotate"])";

// AllowWhen is an allow rule whose `when` (line 11) is `conditions`.
std::string AllowWhen(std::string_view conditions) {
  return Rule({kId, kAllow, kRoles, kKeys, kOps, "\"when\": " + std::string(conditions)});
}
std::string DenyUnless(std::string_view conditions) {
  return Rule({kId, kDeny, kRoles, kKeys, kOps, "\"unless\": " + std::string(conditions)});
}
std::string Field(std::string_view name, std::string_view json) {
  return "\"" + std::string(name) + "\": " + std::string(json);
}
std::string Quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

PolicyDocument MustParse(std::string_view text) {
  auto doc = ParsePolicy(text, "p.json");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message) << "\n" << text.substr(0, 2000);
  return doc.ok() ? std::move(doc).value() : PolicyDocument{};
}

TEST(ParsePolicyTest, FullDocumentReadsBackFieldByField) {
  const std::string text = R"({
  "name": "prod-eu",
  "version": 42,
  "description": "Production keys, EU tenants",
  "residency": {"acme": "eu-west-1", "globex": "eu-central-1"},
  "rules": [
    {
      "id": "deny-outside-vpn",
      "description": "Nothing from outside the VPN",
      "effect": "deny",
      "principals": ["*"],
      "keys": ["acme/*", "globex/*"],
      "operations": ["*"],
      "unless": {"source_cidrs": ["10.0.0.0/8", "fd00::/8"]}
    },
    {
      "id": "app-wrap",
      "effect": "allow",
      "principals": ["svc-billing"],
      "roles": ["app"],
      "keys": ["acme/billing-?", "acme/*.v2"],
      "operations": ["wrap", "unwrap", "generate-data-key"],
      "when": {
        "source_cidrs": ["10.1.0.0/16"],
        "context": {
          "required": ["request-id"],
          "equals": {"purpose": "billing"},
          "equals_caller": {"tenant": "tenant", "owner": "principal"}
        },
        "justification_codes": ["inc", "chg_1"],
        "time": {
          "days": ["mon", "tue", "wed", "thu", "fri"],
          "from": "22:00",
          "to": "06:00",
          "not_before": "2026-11-24T00:00:00Z",
          "not_after": "2027-01-01T00:00:00Z"
        }
      }
    }
  ],
  "approvals": [
    {
      "id": "rotate-needs-three",
      "keys": ["acme/*"],
      "operations": ["rotate", "schedule-deletion"],
      "approvals": 3,
      "approver_role": "admin",
      "grant_ttl_s": 600,
      "grant_uses": 5,
      "request_ttl_s": 7200
    },
    {"id": "policy-change", "operations": ["policy-change"]}
  ],
  "rotation": [
    {"id": "rot-90", "keys": ["acme/*"], "period_days": 90, "max_encryptions": 1000000},
    {"id": "rot-budget", "keys": ["globex/*"], "max_encryptions": 4294967296}
  ]
}
)";
  const PolicyDocument d = MustParse(text);
  EXPECT_EQ(d.name, "prod-eu");
  EXPECT_EQ(d.version, 42u);
  EXPECT_EQ(d.description, "Production keys, EU tenants");
  EXPECT_EQ(d.residency, (std::map<std::string, std::string>{{"acme", "eu-west-1"},
                                                             {"globex", "eu-central-1"}}));

  ASSERT_EQ(d.rules.size(), 2u);
  const AccessRule& deny = d.rules[0];
  EXPECT_EQ(deny.id, "deny-outside-vpn");
  EXPECT_EQ(deny.effect, Effect::kDeny);
  EXPECT_EQ(deny.principals, std::vector<std::string>{"*"});
  EXPECT_TRUE(deny.roles.empty());
  EXPECT_EQ(deny.keys, (std::vector<std::string>{"acme/*", "globex/*"}));
  EXPECT_EQ(deny.operations, std::vector<std::string>{"*"});
  EXPECT_EQ(deny.line, 7u);
  ASSERT_EQ(deny.conditions.source_cidrs.size(), 2u);
  EXPECT_EQ(deny.conditions.source_cidrs[0].ToString(), "10.0.0.0/8");
  EXPECT_EQ(deny.conditions.source_cidrs[1].ToString(), "fd00::/8");
  EXPECT_FALSE(deny.conditions.context);
  EXPECT_TRUE(deny.conditions.justification_codes.empty());
  EXPECT_FALSE(deny.conditions.time);
  EXPECT_FALSE(deny.conditions.empty());

  const AccessRule& allow = d.rules[1];
  EXPECT_EQ(allow.id, "app-wrap");
  EXPECT_EQ(allow.effect, Effect::kAllow);
  EXPECT_EQ(allow.principals, std::vector<std::string>{"svc-billing"});
  EXPECT_EQ(allow.roles, std::vector<std::string>{"app"});
  EXPECT_EQ(allow.keys, (std::vector<std::string>{"acme/billing-?", "acme/*.v2"}));
  EXPECT_EQ(allow.operations, (std::vector<std::string>{"wrap", "unwrap", "generate-data-key"}));
  EXPECT_EQ(allow.line, 16u);
  const Conditions& c = allow.conditions;
  ASSERT_EQ(c.source_cidrs.size(), 1u);
  EXPECT_EQ(c.source_cidrs[0].ToString(), "10.1.0.0/16");
  ASSERT_TRUE(c.context);
  EXPECT_EQ(c.context->required, std::vector<std::string>{"request-id"});
  EXPECT_EQ(c.context->equals, (std::map<std::string, std::string>{{"purpose", "billing"}}));
  EXPECT_EQ(c.context->equals_caller,
            (std::map<std::string, std::string>{{"owner", "principal"}, {"tenant", "tenant"}}));
  EXPECT_EQ(c.justification_codes, (std::vector<std::string>{"inc", "chg_1"}));
  ASSERT_TRUE(c.time);
  EXPECT_EQ(c.time->days, 0x3e);  // Monday to Friday
  EXPECT_EQ(c.time->from_minute, 22 * 60);
  EXPECT_EQ(c.time->to_minute, 6 * 60);
  EXPECT_EQ(c.time->not_before, 1'795'478'400);
  EXPECT_EQ(c.time->not_after, 1'798'761'600);

  ASSERT_EQ(d.approvals.size(), 2u);
  const ApprovalRule& rotate = d.approvals[0];
  EXPECT_EQ(rotate.id, "rotate-needs-three");
  EXPECT_EQ(rotate.keys, std::vector<std::string>{"acme/*"});
  EXPECT_EQ(rotate.operations, (std::vector<std::string>{"rotate", "schedule-deletion"}));
  EXPECT_EQ(rotate.approvals, 3u);
  EXPECT_EQ(rotate.approver_role, "admin");
  EXPECT_EQ(rotate.grant_ttl_s, 600u);
  EXPECT_EQ(rotate.grant_uses, 5u);
  EXPECT_EQ(rotate.request_ttl_s, 7200u);
  EXPECT_EQ(rotate.line, 42u);
  // The second takes every default, and as an admin approval has no keys.
  const ApprovalRule& admin = d.approvals[1];
  EXPECT_EQ(admin.id, "policy-change");
  EXPECT_TRUE(admin.keys.empty());
  EXPECT_EQ(admin.operations, std::vector<std::string>{"policy-change"});
  EXPECT_EQ(admin.approvals, 2u);
  EXPECT_EQ(admin.approver_role, "officer");
  EXPECT_EQ(admin.grant_ttl_s, 3600u);
  EXPECT_EQ(admin.grant_uses, 1u);
  EXPECT_EQ(admin.request_ttl_s, 86400u);
  EXPECT_EQ(admin.line, 52u);

  ASSERT_EQ(d.rotation.size(), 2u);
  EXPECT_EQ(d.rotation[0].id, "rot-90");
  EXPECT_EQ(d.rotation[0].keys, std::vector<std::string>{"acme/*"});
  EXPECT_EQ(d.rotation[0].period_s, 90u * 86400);
  EXPECT_EQ(d.rotation[0].max_encryptions, 1'000'000u);
  EXPECT_EQ(d.rotation[0].line, 55u);
  EXPECT_EQ(d.rotation[1].period_s, 0u);
  EXPECT_EQ(d.rotation[1].max_encryptions, 1ULL << 32);
  EXPECT_EQ(d.rotation[1].line, 56u);
}

TEST(ParsePolicyTest, SmallestDocuments) {
  const PolicyDocument d = MustParse(R"({"name": "p", "version": 1})");
  EXPECT_EQ(d.name, "p");
  EXPECT_EQ(d.version, 1u);
  EXPECT_TRUE(d.description.empty());
  EXPECT_TRUE(d.residency.empty());
  EXPECT_TRUE(d.rules.empty());
  EXPECT_TRUE(d.approvals.empty());
  EXPECT_TRUE(d.rotation.empty());

  // A deny rule without `unless` applies to every call it matches.
  const PolicyDocument deny = MustParse(Rule({kId, kDeny, kRoles, kKeys, kOps}));
  ASSERT_EQ(deny.rules.size(), 1u);
  EXPECT_TRUE(deny.rules[0].conditions.empty());
  EXPECT_EQ(deny.rules[0].line, 5u);
}

TEST(ParsePolicyTest, BoundsThatAreAccepted) {
  EXPECT_EQ(MustParse(Top({kName, R"("version": 9007199254740992)"})).version, 1ULL << 53);
  EXPECT_EQ(MustParse(Top({Field("name", Quoted(std::string(64, 'a'))), kVersion})).name,
            std::string(64, 'a'));
  EXPECT_EQ(MustParse(Top({Field("name", Quoted("a-b_c9")), kVersion})).name, "a-b_c9");
  MustParse(Top({kName, kVersion, Field("description", Quoted(std::string(1024, 'd')))}));
  MustParse(Top({kName, kVersion, R"("residency": {"a": "b"})"}));
  MustParse(Top({kName, kVersion,
                 Field("residency",
                       "{\"" + std::string(64, 't') + "\": \"" + std::string(32, 'r') + "\"}")}));
  MustParse(Approval({kId, kKeys, kRotate, R"("approvals": 1)", R"("grant_ttl_s": 60)",
                      R"("grant_uses": 1)", R"("request_ttl_s": 60)"}));
  MustParse(Approval({kId, kKeys, kRotate, R"("approvals": 16)", R"("grant_ttl_s": 2592000)",
                      R"("grant_uses": 1000000)", R"("request_ttl_s": 2592000)"}));
  MustParse(Rotation({kId, kKeys, R"("period_days": 1)", R"("max_encryptions": 1)"}));
  MustParse(Rotation({kId, kKeys, R"("period_days": 36500)"}));
  MustParse(AllowWhen(R"({"time": {"from": "00:00", "to": "24:00"}})"));
  MustParse(AllowWhen(R"({"time": {"not_before": "2026-01-01T00:00:00Z",)"
                      R"( "not_after": "2026-01-01T00:00:01Z"}})"));
  MustParse(AllowWhen(R"({"source_cidrs": ["0.0.0.0/0", "::/0"]})"));
  MustParse(Rule({kId, kAllow, R"("keys": ["*/*"])", R"("principals": ["*"])", R"("roles": ["*"])",
                  R"("operations": ["*"])"}));

  // Exactly kMaxPolicyBytes is still accepted.
  std::string big = Top({kName, kVersion});
  big.resize(kMaxPolicyBytes, ' ');
  MustParse(big);
}

struct BadCase {
  std::string name;
  std::string text;
  std::size_t line;
  std::string pointer;  // as printed: "/" for the root
};

std::string Repeat(std::string_view item, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += (i == 0 ? "" : ",") + std::string(item);
  }
  return out;
}

std::vector<BadCase> HostileDocuments() {
  const std::string r = "/rules/0";
  const std::string w = "/rules/0/when";
  const std::string a = "/approvals/0";
  const std::string o = "/rotation/0";
  std::vector<BadCase> cases = {
      // The root.
      {"root is an array", "[]", 1, "/"},
      {"root is a string", R"("p")", 1, "/"},
      {"root is null", "null", 1, "/"},
      {"root is true", "true", 1, "/"},
      {"root is a number on line 3", "\n\n42\n", 3, "/"},
      {"missing name", Top({kVersion}), 1, "/"},
      {"missing version", Top({kName}), 1, "/"},
      {"unknown top-level field", Top({kName, kVersion, R"("rule": [])"}), 4, "/rule"},
      {"unknown field escaped in the pointer", Top({kName, kVersion, R"("a/b~c": 1)"}), 4,
       "/a~1b~0c"},
      {"unknown field that differs in case", Top({kName, kVersion, R"("Rules": [])"}), 4, "/Rules"},

      // name
      {"name with uppercase", Top({R"("name": "Prod")", kVersion}), 2, "/name"},
      {"name empty", Top({R"("name": "")", kVersion}), 2, "/name"},
      {"name of 65 characters", Top({Field("name", Quoted(std::string(65, 'a'))), kVersion}), 2,
       "/name"},
      {"name with a dot", Top({R"("name": "a.b")", kVersion}), 2, "/name"},
      {"name with a slash", Top({R"("name": "../p")", kVersion}), 2, "/name"},
      {"name with a space", Top({R"("name": "a b")", kVersion}), 2, "/name"},
      {"name with an escaped NUL", Top({R"("name": "p\u0000")", kVersion}), 2, "/name"},
      {"name not ASCII", Top({R"("name": "pé")", kVersion}), 2, "/name"},
      {"name a number", Top({R"("name": 1)", kVersion}), 2, "/name"},
      {"name null", Top({R"("name": null)", kVersion}), 2, "/name"},

      // version
      {"version 0", Top({kName, R"("version": 0)"}), 3, "/version"},
      {"version negative", Top({kName, R"("version": -1)"}), 3, "/version"},
      {"version most negative", Top({kName, R"("version": -9223372036854775808)"}), 3, "/version"},
      {"version a float", Top({kName, R"("version": 1.5)"}), 3, "/version"},
      {"version a whole float", Top({kName, R"("version": 1.0)"}), 3, "/version"},
      {"version with an exponent", Top({kName, R"("version": 1e3)"}), 3, "/version"},
      {"version 2^53+1", Top({kName, R"("version": 9007199254740993)"}), 3, "/version"},
      {"version 2^64-1", Top({kName, R"("version": 18446744073709551615)"}), 3, "/version"},
      {"version 2^64", Top({kName, R"("version": 18446744073709551616)"}), 3, "/version"},
      {"version a string", Top({kName, R"("version": "1")"}), 3, "/version"},
      {"version true", Top({kName, R"("version": true)"}), 3, "/version"},
      {"version an array", Top({kName, R"("version": [1])"}), 3, "/version"},

      // description
      {"description empty", Top({kName, kVersion, R"("description": "")"}), 4, "/description"},
      {"description too long",
       Top({kName, kVersion, Field("description", Quoted(std::string(1025, 'd')))}), 4,
       "/description"},
      {"description a number", Top({kName, kVersion, R"("description": 5)"}), 4, "/description"},

      // residency
      {"residency an array", Top({kName, kVersion, R"("residency": ["eu"])"}), 4, "/residency"},
      {"residency empty", Top({kName, kVersion, R"("residency": {})"}), 4, "/residency"},
      {"residency a string", Top({kName, kVersion, R"("residency": "eu")"}), 4, "/residency"},
      {"residency tenant with uppercase", Top({kName, kVersion, R"("residency": {"Acme": "eu"})"}),
       4, "/residency/Acme"},
      {"residency tenant starting with -",
       Top({kName, kVersion, R"("residency": {"-acme": "eu"})"}), 4, "/residency/-acme"},
      {"residency tenant with a slash", Top({kName, kVersion, R"("residency": {"a/b": "eu"})"}), 4,
       "/residency/a~1b"},
      {"residency tenant *", Top({kName, kVersion, R"("residency": {"*": "eu"})"}), 4,
       "/residency/*"},
      {"residency tenant of 65 characters",
       Top({kName, kVersion, Field("residency", "{" + Quoted(std::string(65, 't')) + ": \"eu\"}")}),
       4, "/residency/" + std::string(65, 't')},
      {"residency tenant of 129 characters",
       Top({kName, kVersion,
            Field("residency", "{" + Quoted(std::string(129, 't')) + ": \"eu\"}")}),
       4, "/residency/" + std::string(129, 't')},
      {"residency tenant empty", Top({kName, kVersion, R"("residency": {"": "eu"})"}), 4,
       "/residency/"},
      {"residency region uppercase", Top({kName, kVersion, R"("residency": {"acme": "EU"})"}), 4,
       "/residency/acme"},
      {"residency region with _", Top({kName, kVersion, R"("residency": {"acme": "eu_west"})"}), 4,
       "/residency/acme"},
      {"residency region empty", Top({kName, kVersion, R"("residency": {"acme": ""})"}), 4,
       "/residency/acme"},
      {"residency region a number", Top({kName, kVersion, R"("residency": {"acme": 1})"}), 4,
       "/residency/acme"},
      {"residency region of 33 characters",
       Top({kName, kVersion,
            Field("residency", "{\"acme\": " + Quoted(std::string(33, 'r')) + "}")}),
       4, "/residency/acme"},

      // The lists.
      {"rules an object", Top({kName, kVersion, R"("rules": {})"}), 4, "/rules"},
      {"rules a string", Top({kName, kVersion, R"("rules": "all")"}), 4, "/rules"},
      {"rules holding a number", Top({kName, kVersion, R"("rules": [1])"}), 4, "/rules/0"},
      {"rules holding an array", Top({kName, kVersion, R"("rules": [[]])"}), 4, "/rules/0"},
      {"rules with 1001 entries", Top({kName, kVersion, "\"rules\": [" + Repeat("1", 1001) + "]"}),
       4, "/rules"},
      {"approvals an object", Top({kName, kVersion, R"("approvals": {})"}), 4, "/approvals"},
      {"rotation a number", Top({kName, kVersion, R"("rotation": 5)"}), 4, "/rotation"},

      // An access rule: the object on line 5, its fields from line 6.
      {"rule: unknown field", Rule({kId, kAllow, kRoles, kKeys, kOps, R"("priority": 1)"}), 11,
       r + "/priority"},
      {"rule: conditions misspelt", Rule({kId, kAllow, kRoles, kKeys, kOps, R"("if": {})"}), 11,
       r + "/if"},
      {"rule: missing id", Rule({kAllow, kRoles, kKeys, kOps}), 5, r},
      {"rule: id a number", Rule({R"("id": 7)", kAllow, kRoles, kKeys, kOps}), 6, r + "/id"},
      {"rule: id empty", Rule({R"("id": "")", kAllow, kRoles, kKeys, kOps}), 6, r + "/id"},
      {"rule: id with a space", Rule({R"("id": "r 1")", kAllow, kRoles, kKeys, kOps}), 6,
       r + "/id"},
      {"rule: id with a slash", Rule({R"("id": "r/1")", kAllow, kRoles, kKeys, kOps}), 6,
       r + "/id"},
      {"rule: id of 65 characters",
       Rule({Field("id", Quoted(std::string(65, 'i'))), kAllow, kRoles, kKeys, kOps}), 6,
       r + "/id"},
      {"rule: description empty", Rule({kId, R"("description": "")", kAllow, kRoles, kKeys, kOps}),
       7, r + "/description"},
      {"rule: missing effect", Rule({kId, kRoles, kKeys, kOps}), 5, r},
      {"rule: effect maybe", Rule({kId, R"("effect": "maybe")", kRoles, kKeys, kOps}), 7,
       r + "/effect"},
      {"rule: effect Allow", Rule({kId, R"("effect": "Allow")", kRoles, kKeys, kOps}), 7,
       r + "/effect"},
      {"rule: effect with a space", Rule({kId, R"("effect": "allow ")", kRoles, kKeys, kOps}), 7,
       r + "/effect"},
      {"rule: effect true", Rule({kId, R"("effect": true)", kRoles, kKeys, kOps}), 7,
       r + "/effect"},
      {"rule: effect a list", Rule({kId, R"("effect": ["allow"])", kRoles, kKeys, kOps}), 7,
       r + "/effect"},
      {"rule: neither principals nor roles", Rule({kId, kAllow, kKeys, kOps}), 5, r},
      {"rule: principals empty", Rule({kId, kAllow, R"("principals": [])", kKeys, kOps}), 8,
       r + "/principals"},
      {"rule: principals a string", Rule({kId, kAllow, R"("principals": "alice")", kKeys, kOps}), 8,
       r + "/principals"},
      {"rule: principal with a space",
       Rule({kId, kAllow, R"("principals": ["al ice"])", kKeys, kOps}), 8, r + "/principals/0"},
      {"rule: principal with a control character",
       Rule({kId, kAllow, R"("principals": ["alice\u0007"])", kKeys, kOps}), 8,
       r + "/principals/0"},
      {"rule: principal not ASCII", Rule({kId, kAllow, R"("principals": ["bé"])", kKeys, kOps}), 8,
       r + "/principals/0"},
      {"rule: principal empty", Rule({kId, kAllow, R"("principals": ["alice", ""])", kKeys, kOps}),
       8, r + "/principals/1"},
      {"rule: principal null", Rule({kId, kAllow, R"("principals": [null])", kKeys, kOps}), 8,
       r + "/principals/0"},
      {"rule: principal listed twice",
       Rule({kId, kAllow, R"("principals": ["alice", "alice"])", kKeys, kOps}), 8,
       r + "/principals/1"},
      {"rule: principal of 257 characters",
       Rule({kId, kAllow, Field("principals", "[" + Quoted(std::string(257, 'p')) + "]"), kKeys,
             kOps}),
       8, r + "/principals/0"},
      {"rule: 257 principals",
       Rule({kId, kAllow, Field("principals", "[" + Repeat("\"p\"", 257) + "]"), kKeys, kOps}), 8,
       r + "/principals"},
      {"rule: role root", Rule({kId, kAllow, R"("roles": ["root"])", kKeys, kOps}), 8,
       r + "/roles/0"},
      {"rule: role Admin", Rule({kId, kAllow, R"("roles": ["Admin"])", kKeys, kOps}), 8,
       r + "/roles/0"},
      {"rule: roles empty", Rule({kId, kAllow, R"("roles": [])", kKeys, kOps}), 8, r + "/roles"},
      {"rule: role listed twice", Rule({kId, kAllow, R"("roles": ["app", "app"])", kKeys, kOps}), 8,
       r + "/roles/1"},
      {"rule: bad role after good principals",
       Rule({kId, kAllow, R"("principals": ["alice"])", R"("roles": ["boss"])", kKeys, kOps}), 9,
       r + "/roles/0"},
      {"rule: missing keys", Rule({kId, kAllow, kRoles, kOps}), 5, r},
      {"rule: keys empty", Rule({kId, kAllow, kRoles, R"("keys": [])", kOps}), 9, r + "/keys"},
      {"rule: keys a string", Rule({kId, kAllow, kRoles, R"("keys": "acme/*")", kOps}), 9,
       r + "/keys"},
      {"rule: glob without a slash", Rule({kId, kAllow, kRoles, R"("keys": ["acme"])", kOps}), 9,
       r + "/keys/0"},
      {"rule: glob *", Rule({kId, kAllow, kRoles, R"("keys": ["*"])", kOps}), 9, r + "/keys/0"},
      {"rule: glob with two slashes", Rule({kId, kAllow, kRoles, R"("keys": ["a/b/c"])", kOps}), 9,
       r + "/keys/0"},
      {"rule: glob with brackets", Rule({kId, kAllow, kRoles, R"("keys": ["acme/[ab]"])", kOps}), 9,
       r + "/keys/0"},
      {"rule: glob with a backslash", Rule({kId, kAllow, kRoles, R"("keys": ["acme/\\*"])", kOps}),
       9, r + "/keys/0"},
      {"rule: glob with an uppercase tenant",
       Rule({kId, kAllow, kRoles, R"("keys": ["ACME/x"])", kOps}), 9, r + "/keys/0"},
      {"rule: glob with a space", Rule({kId, kAllow, kRoles, R"("keys": ["acme/x y"])", kOps}), 9,
       r + "/keys/0"},
      {"rule: glob with an empty tenant", Rule({kId, kAllow, kRoles, R"("keys": ["/x"])", kOps}), 9,
       r + "/keys/0"},
      {"rule: glob with an empty name", Rule({kId, kAllow, kRoles, R"("keys": ["acme/"])", kOps}),
       9, r + "/keys/0"},
      {"rule: glob tenant of 65 characters",
       Rule({kId, kAllow, kRoles, Field("keys", "[" + Quoted(std::string(65, 't') + "/x") + "]"),
             kOps}),
       9, r + "/keys/0"},
      {"rule: glob name of 129 characters",
       Rule({kId, kAllow, kRoles, Field("keys", "[" + Quoted("t/" + std::string(129, 'n')) + "]"),
             kOps}),
       9, r + "/keys/0"},
      {"rule: glob listed twice",
       Rule({kId, kAllow, kRoles, R"("keys": ["acme/*", "acme/*"])", kOps}), 9, r + "/keys/1"},
      {"rule: missing operations", Rule({kId, kAllow, kRoles, kKeys}), 5, r},
      {"rule: operations empty", Rule({kId, kAllow, kRoles, kKeys, R"("operations": [])"}), 10,
       r + "/operations"},
      {"rule: operation encrypt",
       Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["encrypt"])"}), 10, r + "/operations/0"},
      {"rule: operation Wrap", Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["Wrap"])"}), 10,
       r + "/operations/0"},
      {"rule: admin operation policy-change",
       Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["policy-change"])"}), 10,
       r + "/operations/0"},
      {"rule: admin operation admin-token-create",
       Rule({kId, kDeny, kRoles, kKeys, R"("operations": ["wrap", "admin-token-create"])"}), 10,
       r + "/operations/1"},
      {"rule: operation listed twice",
       Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["wrap", "wrap"])"}), 10,
       r + "/operations/1"},
      {"rule: operation after *",
       Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["*", "nope"])"}), 10,
       r + "/operations/1"},
      {"rule: allow with unless",
       Rule({kId, kAllow, kRoles, kKeys, kOps, R"("unless": {"source_cidrs": ["10.0.0.0/8"]})"}),
       11, r + "/unless"},
      {"rule: deny with when",
       Rule({kId, kDeny, kRoles, kKeys, kOps, R"("when": {"source_cidrs": ["10.0.0.0/8"]})"}), 11,
       r + "/when"},
      {"rule: allow with when and unless",
       Rule({kId, kAllow, kRoles, kKeys, kOps, R"("when": {"justification_codes": ["a"]})",
             R"("unless": {"justification_codes": ["a"]})"}),
       12, r + "/unless"},

      // Conditions: `when` on line 11.
      {"when empty", AllowWhen("{}"), 11, w},
      {"when an array", AllowWhen("[]"), 11, w},
      {"when a string", AllowWhen(R"("always")"), 11, w},
      {"when: unknown condition", AllowWhen(R"({"ip": ["10.0.0.0/8"]})"), 11, w + "/ip"},
      {"unless empty", DenyUnless("{}"), 11, "/rules/0/unless"},
      {"unless: bad CIDR", DenyUnless(R"({"source_cidrs": ["bad"]})"), 11,
       "/rules/0/unless/source_cidrs/0"},
      {"source_cidrs empty", AllowWhen(R"({"source_cidrs": []})"), 11, w + "/source_cidrs"},
      {"source_cidrs a string", AllowWhen(R"({"source_cidrs": "10.0.0.0/8"})"), 11,
       w + "/source_cidrs"},
      {"CIDR with host bits", AllowWhen(R"({"source_cidrs": ["10.0.0.1/8"]})"), 11,
       w + "/source_cidrs/0"},
      {"CIDR prefix 33", AllowWhen(R"({"source_cidrs": ["10.0.0.0/33"]})"), 11,
       w + "/source_cidrs/0"},
      {"CIDR prefix 129", AllowWhen(R"({"source_cidrs": ["fd00::/129"]})"), 11,
       w + "/source_cidrs/0"},
      {"CIDR without prefix", AllowWhen(R"({"source_cidrs": ["10.0.0.0/8", "10.0.0.0"]})"), 11,
       w + "/source_cidrs/1"},
      {"CIDR IPv4-mapped", AllowWhen(R"({"source_cidrs": ["::ffff:10.0.0.0/104"]})"), 11,
       w + "/source_cidrs/0"},
      {"CIDR prefix 08", AllowWhen(R"({"source_cidrs": ["10.0.0.0/08"]})"), 11,
       w + "/source_cidrs/0"},
      {"CIDR listed twice", AllowWhen(R"({"source_cidrs": ["10.0.0.0/8", "10.0.0.0/8"]})"), 11,
       w + "/source_cidrs/1"},
      {"context empty", AllowWhen(R"({"context": {}})"), 11, w + "/context"},
      {"context an array", AllowWhen(R"({"context": ["a"]})"), 11, w + "/context"},
      {"context: unknown field", AllowWhen(R"({"context": {"require": ["a"]}})"), 11,
       w + "/context/require"},
      {"context: required empty", AllowWhen(R"({"context": {"required": []}})"), 11,
       w + "/context/required"},
      {"context: required twice", AllowWhen(R"({"context": {"required": ["a", "a"]}})"), 11,
       w + "/context/required/1"},
      {"context: required key of 129 characters",
       AllowWhen("{\"context\": {\"required\": [" + Quoted(std::string(129, 'k')) + "]}}"), 11,
       w + "/context/required/0"},
      {"context: equals empty", AllowWhen(R"({"context": {"equals": {}}})"), 11,
       w + "/context/equals"},
      {"context: equals a list", AllowWhen(R"({"context": {"equals": ["a"]}})"), 11,
       w + "/context/equals"},
      {"context: equals a number", AllowWhen(R"({"context": {"equals": {"a": 1}}})"), 11,
       w + "/context/equals/a"},
      {"context: equals empty value", AllowWhen(R"({"context": {"equals": {"a": ""}}})"), 11,
       w + "/context/equals/a"},
      {"context: equals empty key", AllowWhen(R"({"context": {"equals": {"": "x"}}})"), 11,
       w + "/context/equals/"},
      {"context: equals_caller role", AllowWhen(R"({"context": {"equals_caller": {"t": "role"}}})"),
       11, w + "/context/equals_caller/t"},
      {"context: equals_caller escaped key",
       AllowWhen(R"({"context": {"equals_caller": {"a/b": "name"}}})"), 11,
       w + "/context/equals_caller/a~1b"},
      {"justification_codes empty", AllowWhen(R"({"justification_codes": []})"), 11,
       w + "/justification_codes"},
      {"justification code with a space", AllowWhen(R"({"justification_codes": ["has space"]})"),
       11, w + "/justification_codes/0"},
      {"justification code with a dot", AllowWhen(R"({"justification_codes": ["ok", "a.b"]})"), 11,
       w + "/justification_codes/1"},
      {"justification code uppercase", AllowWhen(R"({"justification_codes": ["INC"]})"), 11,
       w + "/justification_codes/0"},
      {"justification code with a hyphen", AllowWhen(R"({"justification_codes": ["chg-1"]})"), 11,
       w + "/justification_codes/0"},
      {"justification code of 65 characters",
       AllowWhen("{\"justification_codes\": [" + Quoted(std::string(65, 'j')) + "]}"), 11,
       w + "/justification_codes/0"},
      {"time empty", AllowWhen(R"({"time": {}})"), 11, w + "/time"},
      {"time: unknown field", AllowWhen(R"({"time": {"tz": "UTC"}})"), 11, w + "/time/tz"},
      {"time: days empty", AllowWhen(R"({"time": {"days": []}})"), 11, w + "/time/days"},
      {"time: days a string", AllowWhen(R"({"time": {"days": "mon"}})"), 11, w + "/time/days"},
      {"time: day monday", AllowWhen(R"({"time": {"days": ["monday"]}})"), 11, w + "/time/days/0"},
      {"time: day Mon", AllowWhen(R"({"time": {"days": ["sun", "Mon"]}})"), 11, w + "/time/days/1"},
      {"time: day listed twice", AllowWhen(R"({"time": {"days": ["mon", "mon"]}})"), 11,
       w + "/time/days/1"},
      {"time: from without to", AllowWhen(R"({"time": {"from": "09:00"}})"), 11, w + "/time"},
      {"time: to without from", AllowWhen(R"({"time": {"to": "17:00"}})"), 11, w + "/time"},
      {"time: from == to", AllowWhen(R"({"time": {"from": "09:00", "to": "09:00"}})"), 11,
       w + "/time/to"},
      {"time: 00:00 to 24:00 is fine but 24:00 to 24:00 is not",
       AllowWhen(R"({"time": {"from": "24:00", "to": "24:00"}})"), 11, w + "/time/to"},
      {"time: from 9:00", AllowWhen(R"({"time": {"from": "9:00", "to": "17:00"}})"), 11,
       w + "/time/from"},
      {"time: from 25:00", AllowWhen(R"({"time": {"from": "25:00", "to": "17:00"}})"), 11,
       w + "/time/from"},
      {"time: to 24:01", AllowWhen(R"({"time": {"from": "09:00", "to": "24:01"}})"), 11,
       w + "/time/to"},
      {"time: from a number", AllowWhen(R"({"time": {"from": 900, "to": 1700}})"), 11,
       w + "/time/from"},
      {"time: from with seconds", AllowWhen(R"({"time": {"from": "09:00:00", "to": "17:00"}})"), 11,
       w + "/time/from"},
      {"time: to null", AllowWhen(R"({"time": {"from": "09:00", "to": null}})"), 11,
       w + "/time/to"},
      {"time: not_before a date", AllowWhen(R"({"time": {"not_before": "2026-11-24"}})"), 11,
       w + "/time/not_before"},
      {"time: not_before unix seconds", AllowWhen(R"({"time": {"not_before": 1795478400}})"), 11,
       w + "/time/not_before"},
      {"time: not_after February 30th",
       AllowWhen(R"({"time": {"not_after": "2026-02-30T00:00:00Z"}})"), 11, w + "/time/not_after"},
      {"time: not_after with milliseconds",
       AllowWhen(R"({"time": {"not_after": "2026-11-24T00:00:00.000Z"}})"), 11,
       w + "/time/not_after"},
      {"time: not_after with an offset",
       AllowWhen(R"({"time": {"not_after": "2026-11-24T00:00:00+01"}})"), 11,
       w + "/time/not_after"},
      {"time: not_before == not_after",
       AllowWhen(R"({"time": {"not_before": "2026-11-24T00:00:00Z",)"
                 R"( "not_after": "2026-11-24T00:00:00Z"}})"),
       11, w + "/time/not_after"},
      {"time: not_before > not_after",
       AllowWhen(R"({"time": {"not_before": "2026-11-25T00:00:00Z",)"
                 R"( "not_after": "2026-11-24T00:00:00Z"}})"),
       11, w + "/time/not_after"},

      // Approval rules: the object on line 5, its fields from line 6.
      {"approval: unknown field", Approval({kId, kKeys, kRotate, R"("quorum": 2)"}), 9,
       a + "/quorum"},
      {"approval: missing id", Approval({kKeys, kRotate}), 5, a},
      {"approval: bad id", Approval({R"("id": "a b")", kKeys, kRotate}), 6, a + "/id"},
      {"approval: missing operations", Approval({kId, kKeys}), 5, a},
      {"approval: operations empty", Approval({kId, kKeys, R"("operations": [])"}), 8,
       a + "/operations"},
      {"approval: operation explode", Approval({kId, kKeys, R"("operations": ["explode"])"}), 8,
       a + "/operations/0"},
      {"approval: operation listed twice",
       Approval({kId, kKeys, R"("operations": ["rotate", "rotate"])"}), 8, a + "/operations/1"},
      {"approval: keys with only admin operations",
       Approval({kId, R"("keys": ["*/*"])", R"("operations": ["policy-change"])"}), 7, a + "/keys"},
      {"approval: keys with both admin operations",
       Approval(
           {kId, R"("operations": ["policy-change", "admin-token-create"])", R"("keys": ["*/*"])"}),
       8, a + "/keys"},
      {"approval: key operations without keys", Approval({kId, kRotate}), 5, a},
      {"approval: * without keys", Approval({kId, R"("operations": ["*"])"}), 5, a},
      {"approval: mixed operations without keys",
       Approval({kId, R"("operations": ["policy-change", "wrap"])"}), 5, a},
      {"approval: keys empty", Approval({kId, R"("keys": [])", kRotate}), 7, a + "/keys"},
      {"approval: bad glob", Approval({kId, R"("keys": ["acme"])", kRotate}), 7, a + "/keys/0"},
      {"approval: approvals 0", Approval({kId, kKeys, kRotate, R"("approvals": 0)"}), 9,
       a + "/approvals"},
      {"approval: approvals 17", Approval({kId, kKeys, kRotate, R"("approvals": 17)"}), 9,
       a + "/approvals"},
      {"approval: approvals -1", Approval({kId, kKeys, kRotate, R"("approvals": -1)"}), 9,
       a + "/approvals"},
      {"approval: approvals 2.0", Approval({kId, kKeys, kRotate, R"("approvals": 2.0)"}), 9,
       a + "/approvals"},
      {"approval: approvals a string", Approval({kId, kKeys, kRotate, R"("approvals": "2")"}), 9,
       a + "/approvals"},
      {"approval: approvals 2^32+2", Approval({kId, kKeys, kRotate, R"("approvals": 4294967298)"}),
       9, a + "/approvals"},
      {"approval: approver_role app", Approval({kId, kKeys, kRotate, R"("approver_role": "app")"}),
       9, a + "/approver_role"},
      {"approval: approver_role auditor",
       Approval({kId, kKeys, kRotate, R"("approver_role": "auditor")"}), 9, a + "/approver_role"},
      {"approval: approver_role empty", Approval({kId, kKeys, kRotate, R"("approver_role": "")"}),
       9, a + "/approver_role"},
      {"approval: approver_role Officer",
       Approval({kId, kKeys, kRotate, R"("approver_role": "Officer")"}), 9, a + "/approver_role"},
      {"approval: grant_ttl_s 59", Approval({kId, kKeys, kRotate, R"("grant_ttl_s": 59)"}), 9,
       a + "/grant_ttl_s"},
      {"approval: grant_ttl_s 30 days + 1",
       Approval({kId, kKeys, kRotate, R"("grant_ttl_s": 2592001)"}), 9, a + "/grant_ttl_s"},
      {"approval: grant_ttl_s negative", Approval({kId, kKeys, kRotate, R"("grant_ttl_s": -60)"}),
       9, a + "/grant_ttl_s"},
      {"approval: grant_uses 0", Approval({kId, kKeys, kRotate, R"("grant_uses": 0)"}), 9,
       a + "/grant_uses"},
      {"approval: grant_uses 1000001", Approval({kId, kKeys, kRotate, R"("grant_uses": 1000001)"}),
       9, a + "/grant_uses"},
      {"approval: request_ttl_s 59", Approval({kId, kKeys, kRotate, R"("request_ttl_s": 59)"}), 9,
       a + "/request_ttl_s"},
      {"approval: request_ttl_s 30 days + 1",
       Approval({kId, kKeys, kRotate, R"("request_ttl_s": 2592001)"}), 9, a + "/request_ttl_s"},

      // Rotation rules: the object on line 5, its fields from line 6.
      {"rotation: unknown field", Rotation({kId, kKeys, R"("period_s": 86400)"}), 8,
       o + "/period_s"},
      {"rotation: missing keys", Rotation({kId, R"("period_days": 90)"}), 5, o},
      {"rotation: keys empty", Rotation({kId, R"("keys": [])", R"("period_days": 90)"}), 7,
       o + "/keys"},
      {"rotation: neither period nor budget", Rotation({kId, kKeys}), 5, o},
      {"rotation: period_days 0", Rotation({kId, kKeys, R"("period_days": 0)"}), 8,
       o + "/period_days"},
      {"rotation: period_days 36501", Rotation({kId, kKeys, R"("period_days": 36501)"}), 8,
       o + "/period_days"},
      {"rotation: period_days 1.5", Rotation({kId, kKeys, R"("period_days": 1.5)"}), 8,
       o + "/period_days"},
      {"rotation: max_encryptions 0", Rotation({kId, kKeys, R"("max_encryptions": 0)"}), 8,
       o + "/max_encryptions"},
      {"rotation: max_encryptions 2^32+1",
       Rotation({kId, kKeys, R"("max_encryptions": 4294967297)"}), 8, o + "/max_encryptions"},
      {"rotation: max_encryptions -1", Rotation({kId, kKeys, R"("max_encryptions": -1)"}), 8,
       o + "/max_encryptions"},

      // Ids are unique across rules, approvals and rotation.
      {"duplicate rule ids",
       "{\n"
       "  \"name\": \"p\",\n"
       "  \"version\": 1,\n"
       "  \"rules\": [\n"
       "    {\"id\": \"r1\", \"effect\": \"deny\", \"roles\": [\"*\"], \"keys\": [\"*/*\"],"
       " \"operations\": [\"*\"]},\n"
       "    {\"id\": \"r1\", \"effect\": \"deny\", \"roles\": [\"*\"], \"keys\": [\"*/*\"],"
       " \"operations\": [\"*\"]}\n"
       "  ]\n"
       "}\n",
       6, "/rules/1/id"},
      {"approval id taken by a rule",
       "{\n"
       "  \"name\": \"p\",\n"
       "  \"version\": 1,\n"
       "  \"rules\": [\n"
       "    {\"id\": \"x\", \"effect\": \"deny\", \"roles\": [\"*\"], \"keys\": [\"*/*\"],"
       " \"operations\": [\"*\"]}\n"
       "  ],\n"
       "  \"approvals\": [\n"
       "    {\"id\": \"x\", \"keys\": [\"*/*\"], \"operations\": [\"rotate\"]}\n"
       "  ]\n"
       "}\n",
       8, "/approvals/0/id"},
      {"rotation id taken by an approval",
       "{\n"
       "  \"name\": \"p\",\n"
       "  \"version\": 1,\n"
       "  \"approvals\": [\n"
       "    {\"id\": \"x\", \"operations\": [\"policy-change\"]}\n"
       "  ],\n"
       "  \"rotation\": [\n"
       "    {\"id\": \"y\", \"keys\": [\"*/*\"], \"period_days\": 9},\n"
       "    {\"id\": \"x\", \"keys\": [\"*/*\"], \"period_days\": 9}\n"
       "  ]\n"
       "}\n",
       9, "/rotation/1/id"},
      // A problem in a later rule names that rule's own line.
      {"second rule, multi-line",
       "{\n"
       "  \"name\": \"p\",\n"
       "  \"version\": 1,\n"
       "  \"rules\": [\n"
       "    {\"id\": \"a\", \"effect\": \"deny\", \"roles\": [\"*\"], \"keys\": [\"*/*\"],"
       " \"operations\": [\"*\"]},\n"
       "    {\n"
       "      \"id\": \"b\",\n"
       "      \"effect\": \"allow\",\n"
       "      \"roles\": [\"app\"],\n"
       "      \"keys\": [\n"
       "        \"acme/*\",\n"
       "        \"acme\"\n"
       "      ],\n"
       "      \"operations\": [\"wrap\"]\n"
       "    }\n"
       "  ]\n"
       "}\n",
       12, "/rules/1/keys/1"},
  };

  // Larger than kMaxPolicyBytes, however valid.
  std::string big = Top({kName, kVersion});
  big.resize(kMaxPolicyBytes + 1, ' ');
  cases.push_back({"larger than 1 MiB", big, 1, "/"});
  return cases;
}

TEST(ParsePolicyTest, HostileDocumentsNameTheLineAndPointer) {
  const std::vector<BadCase> cases = HostileDocuments();
  EXPECT_GE(cases.size(), 60u);
  for (const BadCase& c : cases) {
    auto doc = ParsePolicy(c.text, "p.json");
    EXPECT_FALSE(doc.ok()) << c.name << " was accepted:\n" << c.text.substr(0, 2000);
    if (doc.ok()) {
      continue;
    }
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidPolicy) << c.name;
    const std::string want = "p.json:" + std::to_string(c.line) + ": " + c.pointer + ": ";
    EXPECT_EQ(doc.error().message.substr(0, want.size()), want)
        << c.name << "\nmessage: " << doc.error().message.substr(0, 300);
    // Something follows the pointer: the problem.
    EXPECT_GT(doc.error().message.size(), want.size()) << c.name;
  }
}

// Problems that the JSON reader finds before any field is looked at name a
// line but no pointer ("p.json:LINE: problem").
TEST(ParsePolicyTest, MalformedJsonNamesTheLine) {
  struct Case {
    std::string name;
    std::string text;
    std::size_t line;
  };
  std::string depth_bomb = Top({kName, kVersion, R"("description": )" + std::string(20, '[')});
  const std::vector<Case> cases = {
      {"empty", "", 1},
      {"duplicate effect", Rule({kId, kAllow, kRoles, kKeys, kOps, kDeny}), 11},
      {"duplicate name", Top({kName, kVersion, R"("name": "q")"}), 4},
      {"trailing comma", "{\n  \"name\": \"p\",\n  \"version\": 1,\n}\n", 4},
      {"NUL in place of a field",
       std::string("{\n  \"name\": \"p\",\n") + '\0' + " \"version\": 1\n}", 3},
      {"NUL inside a string", std::string("{\n  \"name\": \"p") + '\0' + "\",\n  \"version\": 1\n}",
       2},
      {"invalid UTF-8", Top({kName, kVersion, "\"description\": \"\xc3\x28\""}), 4},
      {"depth bomb in a field", depth_bomb, 4},
      {"depth bomb at the root", std::string(100'000, '['), 1},
      {"single quotes", Top({kName, "'version': 1"}), 3},
  };
  for (const Case& c : cases) {
    auto doc = ParsePolicy(c.text, "p.json");
    EXPECT_FALSE(doc.ok()) << c.name;
    if (doc.ok()) {
      continue;
    }
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidPolicy) << c.name;
    const std::string want = "p.json:" + std::to_string(c.line) + ": ";
    EXPECT_EQ(doc.error().message.substr(0, want.size()), want)
        << c.name << "\nmessage: " << doc.error().message;
  }
}

// A NUL byte ends a C string but not a policy file: a document followed by
// a NUL and more text must be refused, not read up to the NUL (the tail,
// which some tools show and this parser would not read, could hold rules).
TEST(ParsePolicyTest, TextAfterANulIsNotIgnored) {
  const std::string valid = Top({kName, kVersion});  // four lines
  for (const std::string& tail :
       {std::string(), std::string("garbage"), std::string(",\"rules\": []}"),
        std::string("\n{\"name\": \"q\", \"version\": 2}")}) {
    const std::string text = valid + std::string(1, '\0') + tail;
    auto doc = ParsePolicy(text, "p.json");
    EXPECT_FALSE(doc.ok()) << "accepted with tail '" << tail << "'";
    if (!doc.ok()) {
      EXPECT_EQ(doc.error().message.rfind("p.json:5: ", 0), 0u) << doc.error().message;
    }
  }
}

// JSON lets a string carry an escaped NUL; a CIDR must not be read only up
// to it.
TEST(ParsePolicyTest, CidrWithAnEscapedNulIsRefused) {
  auto doc = ParsePolicy(AllowWhen(R"({"source_cidrs": ["10.0.0.0\u0000junk/8"]})"), "p.json");
  EXPECT_FALSE(doc.ok()) << "accepted as "
                         << (doc.ok() ? doc->rules[0].conditions.source_cidrs[0].ToString() : "");
  if (!doc.ok()) {
    EXPECT_EQ(doc.error().message.rfind("p.json:11: /rules/0/when/source_cidrs/0: ", 0), 0u)
        << doc.error().message;
  }
}

// An error message goes back to whoever applied the document and into
// logs: a field name it echoes must not carry control characters (a
// newline could forge another "FILE:LINE:" message, an escape sequence
// could rewrite a terminal) nor make the message as large as the document.
// The duplicate-key error already prints keys this way.
TEST(ParsePolicyTest, ErrorMessagesArePrintableAndBounded) {
  const std::string evil = R"(\u001b[31m\nfake.json:1: /name: ok\r\u0007)";
  const std::string huge(100'000, 'k');
  const std::vector<std::string> cases = {
      Top({kName, kVersion, Field(evil, "1")}),
      Top({kName, kVersion, Field(huge, "1")}),
      Rule({kId, kAllow, kRoles, kKeys, kOps, Field(evil, "1")}),
      AllowWhen("{\"context\": {\"equals\": {\"" + evil + "\": 1}}}"),
      AllowWhen("{\"context\": {\"equals_caller\": {\"" + huge + "\": \"tenant\"}}}"),
      Top({kName, kVersion, "\"residency\": {\"" + evil + "\": \"eu\"}"}),
  };
  // `visible` shows a message in the test's own output without its control
  // characters.
  const auto visible = [](const std::string& m) {
    std::string out;
    for (char c : m.substr(0, 200)) {
      out += c >= 0x20 && c < 0x7f ? std::string(1, c) : "<" + std::to_string(c & 0xff) + ">";
    }
    return out;
  };
  for (const std::string& text : cases) {
    auto doc = ParsePolicy(text, "p.json");
    ASSERT_FALSE(doc.ok());
    const std::string& m = doc.error().message;
    EXPECT_LE(m.size(), 512u) << visible(m);
    EXPECT_TRUE(std::all_of(m.begin(), m.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        << visible(m);
  }
}

TEST(ParsePolicyTest, ErrorsNameTheSourceAsGiven) {
  auto doc = ParsePolicy(Top({kName, R"("version": 0)"}), "/etc/keyhold/policies/prod.json");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message.rfind("/etc/keyhold/policies/prod.json:3: /version: ", 0), 0u)
      << doc.error().message;
}

TEST(KeyGlobMatchesTest, Table) {
  struct Case {
    const char* glob;
    const char* key;
    bool want;
  };
  const Case cases[] = {
      {"acme/app", "acme/app", true},
      {"acme/app", "acme/App", false},  // key names are case-sensitive
      {"acme/app", "acme/app2", false},
      {"acme/app", "acme/ap", false},
      {"acme/app", "acme2/app", false},
      {"acme/*", "acme/app", true},
      {"acme/*", "acme/app.v2", true},
      {"acme/*", "other/app", false},
      {"acme/*", "acmex/app", false},
      {"*/*", "acme/app", true},
      {"*/*", "a/b", true},
      {"*/*", "", false},
      {"*/*", "noslash", false},
      {"*/app", "acme/app", true},
      {"*/app", "acme/app2", false},
      // '*' never crosses '/'.
      {"*", "acme/app", false},
      {"acme*", "acme/app", false},
      {"*app", "acme/app", false},
      {"acme/*", "acme/a/b", false},
      {"a*/*", "acme/app", true},
      {"*e/*", "acme/app", true},
      {"*x/*", "acme/app", false},
      {"ac*me/*", "acme/app", true},  // '*' matches nothing too
      {"acme/*.v2", "acme/app.v2", true},
      {"acme/*.v2", "acme/app.v3", false},
      {"acme/app-*-eu", "acme/app-billing-eu", true},
      {"acme/app-*-eu", "acme/app-billing-us", false},
      {"acme/**", "acme/app", true},
      // '?' is exactly one character, never '/'.
      {"acme/app-?", "acme/app-1", true},
      {"acme/app-?", "acme/app-12", false},
      {"acme/app-?", "acme/app-", false},
      {"acme/???", "acme/abc", true},
      {"acme/???", "acme/ab", false},
      {"t?/*", "t1/k", true},
      {"t?/*", "t/k", false},
      {"acme?app", "acme/app", false},
      {"a?b/*", "a/b/x", false},
      {"?/*", "a/b", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(KeyGlobMatches(c.glob, c.key), c.want) << c.glob << " vs " << c.key;
  }
}

TEST(IsValidPolicyNameTest, Table) {
  const std::pair<std::string, bool> cases[] = {
      {"p", true},
      {"prod", true},
      {"prod-eu_2", true},
      {"0", true},
      {"-", true},
      {"_", true},
      {std::string(64, 'a'), true},
      {"", false},
      {std::string(65, 'a'), false},
      {"Prod", false},
      {"PROD", false},
      {"a.b", false},
      {"a.json", false},
      {"..", false},
      {"a/b", false},
      {"a\\b", false},
      {"a b", false},
      {" a", false},
      {"a\n", false},
      {"pé", false},
      {std::string("a\0b", 3), false},
      {"a*", false},
  };
  for (const auto& [name, want] : cases) {
    EXPECT_EQ(IsValidPolicyName(name), want) << "'" << name << "'";
  }
}

TEST(OperationsTest, KeyAndAdminOperationsAreDisjoint) {
  for (std::string_view op : kKeyOperations) {
    EXPECT_TRUE(IsKeyOperation(op)) << op;
    EXPECT_FALSE(IsAdminOperation(op)) << op;
  }
  for (std::string_view op : kAdminOperations) {
    EXPECT_TRUE(IsAdminOperation(op)) << op;
    EXPECT_FALSE(IsKeyOperation(op)) << op;
  }
  for (std::string_view op : {"*", "", "Wrap", "encrypt", "policy_change"}) {
    EXPECT_FALSE(IsKeyOperation(op)) << op;
    EXPECT_FALSE(IsAdminOperation(op)) << op;
  }
}

}  // namespace
}  // namespace keyhold::policies

namespace keyhold::policies {
namespace {

// The XKS additions: the `aws` condition, principal patterns, the aws-kms
// role and the xks-credential-create admin operation.

TEST(ParsePolicyXksTest, AwsConditionReadsBack) {
  const PolicyDocument all = MustParse(AllowWhen(
      R"({"aws": {"kms_operations": ["Encrypt", "GenerateDataKey"], "via_services": ["ebs"],)"
      R"( "source_vpcs": ["vpc-0123"], "source_vpces": ["vpce-4567", "vpce-89ab"]}})"));
  ASSERT_EQ(all.rules.size(), 1u);
  const Conditions& c = all.rules[0].conditions;
  ASSERT_TRUE(c.aws.has_value());
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.aws->kms_operations, (std::vector<std::string>{"Encrypt", "GenerateDataKey"}));
  EXPECT_EQ(c.aws->via_services, (std::vector<std::string>{"ebs"}));
  EXPECT_EQ(c.aws->source_vpcs, (std::vector<std::string>{"vpc-0123"}));
  EXPECT_EQ(c.aws->source_vpces, (std::vector<std::string>{"vpce-4567", "vpce-89ab"}));

  // One list is enough; the others stay empty (any value). Under unless
  // too, and next to other conditions.
  const PolicyDocument one = MustParse(DenyUnless(R"({"aws": {"source_vpces": ["vpce-1"]}})"));
  ASSERT_TRUE(one.rules[0].conditions.aws.has_value());
  EXPECT_TRUE(one.rules[0].conditions.aws->kms_operations.empty());
  EXPECT_TRUE(one.rules[0].conditions.aws->via_services.empty());
  EXPECT_TRUE(one.rules[0].conditions.aws->source_vpcs.empty());
  EXPECT_EQ(one.rules[0].conditions.aws->source_vpces, (std::vector<std::string>{"vpce-1"}));
  const PolicyDocument mixed = MustParse(
      AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"], "aws": {"kms_operations": ["Decrypt"]}})"));
  EXPECT_EQ(mixed.rules[0].conditions.source_cidrs.size(), 1u);
  EXPECT_TRUE(mixed.rules[0].conditions.aws.has_value());
  // Values: any printable ASCII without spaces, up to 128 characters.
  MustParse(AllowWhen("{\"aws\": {\"kms_operations\": [" + Quoted(std::string(128, 'o')) +
                      ", \"a:b/c*?\"]}}"));
  // Without aws, none.
  EXPECT_FALSE(MustParse(AllowWhen(R"({"source_cidrs": ["10.0.0.0/8"]})"))
                   .rules[0]
                   .conditions.aws.has_value());
}

TEST(ParsePolicyXksTest, AwsConditionRefusals) {
  const std::string w = "/rules/0/when/aws";
  const std::vector<BadCase> cases = {
      {"aws empty", AllowWhen(R"({"aws": {}})"), 11, w},
      {"aws under unless empty", DenyUnless(R"({"aws": {}})"), 11, "/rules/0/unless/aws"},
      {"aws an array", AllowWhen(R"({"aws": ["Encrypt"]})"), 11, w},
      {"aws a string", AllowWhen(R"({"aws": "Encrypt"})"), 11, w},
      {"aws null", AllowWhen(R"({"aws": null})"), 11, w},
      {"aws true", AllowWhen(R"({"aws": true})"), 11, w},
      {"aws: unknown field", AllowWhen(R"({"aws": {"kms_operation": ["Encrypt"]}})"), 11,
       w + "/kms_operation"},
      {"aws: field in another case", AllowWhen(R"({"aws": {"KmsOperations": ["Encrypt"]}})"), 11,
       w + "/KmsOperations"},
      {"aws: unknown field next to a known one",
       AllowWhen(R"({"aws": {"via_services": ["ebs"], "principal_arns": ["x"]}})"), 11,
       w + "/principal_arns"},
      {"kms_operations a string", AllowWhen(R"({"aws": {"kms_operations": "Encrypt"}})"), 11,
       w + "/kms_operations"},
      {"via_services an object", AllowWhen(R"({"aws": {"via_services": {"a": "b"}}})"), 11,
       w + "/via_services"},
      {"source_vpcs null", AllowWhen(R"({"aws": {"source_vpcs": null}})"), 11, w + "/source_vpcs"},
      {"source_vpces a number", AllowWhen(R"({"aws": {"source_vpces": 1}})"), 11,
       w + "/source_vpces"},
      {"kms_operations empty", AllowWhen(R"({"aws": {"kms_operations": []}})"), 11,
       w + "/kms_operations"},
      {"kms_operations: a number", AllowWhen(R"({"aws": {"kms_operations": [1]}})"), 11,
       w + "/kms_operations/0"},
      {"kms_operations: empty string", AllowWhen(R"({"aws": {"kms_operations": [""]}})"), 11,
       w + "/kms_operations/0"},
      {"kms_operations: a space", AllowWhen(R"({"aws": {"kms_operations": ["Encrypt", "A B"]}})"),
       11, w + "/kms_operations/1"},
      {"via_services: a control character", AllowWhen(R"({"aws": {"via_services": ["e\u0007"]}})"),
       11, w + "/via_services/0"},
      {"source_vpcs: not ASCII", AllowWhen(R"({"aws": {"source_vpcs": ["vpcé"]}})"), 11,
       w + "/source_vpcs/0"},
      {"source_vpces: listed twice", AllowWhen(R"({"aws": {"source_vpces": ["v", "v"]}})"), 11,
       w + "/source_vpces/1"},
      {"kms_operations: 129 characters",
       AllowWhen("{\"aws\": {\"kms_operations\": [" + Quoted(std::string(129, 'o')) + "]}}"), 11,
       w + "/kms_operations/0"},
      {"kms_operations: 257 entries",
       AllowWhen("{\"aws\": {\"kms_operations\": [" + Repeat("\"o\"", 257) + "]}}"), 11,
       w + "/kms_operations"},
  };
  for (const BadCase& c : cases) {
    auto doc = ParsePolicy(c.text, "p.json");
    EXPECT_FALSE(doc.ok()) << c.name << " was accepted";
    if (doc.ok()) {
      continue;
    }
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidPolicy) << c.name;
    const std::string want = "p.json:" + std::to_string(c.line) + ": " + c.pointer + ": ";
    EXPECT_EQ(doc.error().message.substr(0, want.size()), want)
        << c.name << "\nmessage: " << doc.error().message.substr(0, 300);
    EXPECT_GT(doc.error().message.size(), want.size()) << c.name;
  }
}

TEST(ParsePolicyXksTest, RoleAwsKms) {
  const PolicyDocument d =
      MustParse(Rule({kId, kAllow, R"("roles": ["aws-kms", "app"])", kKeys, kOps}));
  EXPECT_EQ(d.rules[0].roles, (std::vector<std::string>{"aws-kms", "app"}));
  // Spelt exactly.
  for (std::string_view role : {"aws_kms", "AWS-KMS", "aws", "kms", "aws-kms "}) {
    auto doc = ParsePolicy(
        Rule({kId, kAllow, Field("roles", "[" + Quoted(role) + "]"), kKeys, kOps}), "p.json");
    ASSERT_FALSE(doc.ok()) << role;
    EXPECT_TRUE(doc.error().message.starts_with("p.json:8: /rules/0/roles/0"))
        << doc.error().message << role;
  }
}

TEST(ParsePolicyXksTest, PrincipalPatternsParse) {
  const PolicyDocument d = MustParse(Rule(
      {kId, kAllow,
       R"("principals": ["arn:aws:iam::111122223333:role/*", "arn:aws:iam::*:role/app-?", "alice"])",
       kKeys, kOps}));
  EXPECT_EQ(d.rules[0].principals,
            (std::vector<std::string>{"arn:aws:iam::111122223333:role/*",
                                      "arn:aws:iam::*:role/app-?", "alice"}));
  // A pattern is still one token of printable ASCII.
  auto spaced = ParsePolicy(
      Rule({kId, kAllow, R"("principals": ["arn:aws:iam::1:role/* x"])", kKeys, kOps}), "p.json");
  ASSERT_FALSE(spaced.ok());
  EXPECT_TRUE(spaced.error().message.starts_with("p.json:8: /rules/0/principals/0: "))
      << spaced.error().message;
}

TEST(ParsePolicyXksTest, XksCredentialCreateIsAnAdminOperation) {
  EXPECT_TRUE(IsAdminOperation("xks-credential-create"));
  EXPECT_FALSE(IsKeyOperation("xks-credential-create"));
  const PolicyDocument d =
      MustParse(Approval({kId, R"("operations": ["xks-credential-create"])", R"("approvals": 2)"}));
  ASSERT_EQ(d.approvals.size(), 1u);
  EXPECT_EQ(d.approvals[0].operations, (std::vector<std::string>{"xks-credential-create"}));
  EXPECT_TRUE(d.approvals[0].keys.empty());
  MustParse(Approval(
      {kId, R"("operations": ["policy-change", "admin-token-create", "xks-credential-create"])"}));
  // It acts on no key, so it takes no keys; and access rules name key
  // operations only.
  auto keyed = ParsePolicy(
      Approval({kId, R"("operations": ["xks-credential-create"])", R"("keys": ["acme/*"])"}),
      "p.json");
  ASSERT_FALSE(keyed.ok());
  EXPECT_TRUE(keyed.error().message.starts_with("p.json:8: /approvals/0/keys: "))
      << keyed.error().message;
  auto in_rule = ParsePolicy(
      Rule({kId, kAllow, kRoles, kKeys, R"("operations": ["xks-credential-create"])"}), "p.json");
  ASSERT_FALSE(in_rule.ok());
  EXPECT_TRUE(in_rule.error().message.starts_with("p.json:10: /rules/0/operations/0:"))
      << in_rule.error().message;
  // Spelt exactly.
  EXPECT_FALSE(
      ParsePolicy(Approval({kId, R"("operations": ["xks-credentials-create"])"}), "p.json").ok());
}

TEST(PrincipalMatchesTest, Table) {
  const std::string role = "arn:aws:iam::111122223333:role/";
  struct Case {
    std::string pattern;
    std::string principal;
    bool want;
  };
  const std::vector<Case> cases = {
      // '*' is any run of characters, '/' and ':' included.
      {role + "*", role + "app", true},
      {role + "*", role + "a/b", true},
      {role + "*", role + "a/b/c:d", true},
      {role + "*", role, true},  // the empty run too
      {role + "*", "arn:aws:iam::444455556666:role/app", false},
      {role + "*", "arn:aws:iam::111122223333:user/app", false},
      {role + "*", "arn:aws:sts::111122223333:assumed-role/app/s", false},
      {role + "*", "arn:aws:iam::111122223333:role", false},
      {role + "*", "xarn:aws:iam::111122223333:role/app", false},
      {"arn:aws:iam::*:role/app", "arn:aws:iam::444455556666:role/app", true},
      {"arn:aws:iam::*:role/app", "arn:aws:iam::444455556666:role/app2", false},
      {"arn:aws:iam::*:role/app", "arn:aws:iam::1:2:role/app", true},
      {"*:role/app", "arn:aws:iam::111122223333:role/app", true},
      // '?' is exactly one character, any one.
      {role + "app-?", role + "app-1", true},
      {role + "app-?", role + "app-12", false},
      {role + "app-?", role + "app-", false},
      {role + "a?b", role + "a/b", true},
      {"arn:aws:iam::11112222333?:role/app", role + "app", true},
      {"arn:aws:iam::11112222333?:role/app", "arn:aws:iam::1111222233334:role/app", false},
      // Exact names still work, and only exactly.
      {"alice", "alice", true},
      {"alice", "alice2", false},
      {"alice", "alic", false},
      {"alice", "Alice", false},
      {role + "app", role + "app", true},
      {role + "app", role + "App", false},
      {role + "app", role + "app/x", false},
      // "*" alone is anyone.
      {"*", "alice", true},
      {"*", role + "app", true},
      {"*", "", true},
      // Backslash is an ordinary character.
      {"a\\*", "a\\b", true},
      {"a\\*", "a*", false},
      // A principal with a NUL never matches a pattern.
      {"a*", std::string("ab\0c", 4), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PrincipalMatches(c.pattern, c.principal), c.want)
        << c.pattern << " vs " << c.principal;
  }
}

// Only `*` and `?` are wildcards of a principal pattern: `[` is an
// ordinary character (fnmatch would read it as a bracket expression).
TEST(PrincipalMatchesTest, BracketIsAnOrdinaryCharacter) {
  EXPECT_TRUE(PrincipalMatches("svc[1]", "svc[1]"));
  EXPECT_FALSE(PrincipalMatches("svc[1]", "svc1"));
  EXPECT_FALSE(PrincipalMatches("arn:aws:iam::[14]11122223333:role/*",
                                "arn:aws:iam::411122223333:role/app"));
  EXPECT_FALSE(PrincipalMatches("svc-[!a]", "svc-b"));
}

}  // namespace
}  // namespace keyhold::policies
