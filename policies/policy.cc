#include "policies/policy.h"

#include <fnmatch.h>  // pattern matching only, no I/O

#include <algorithm>
#include <set>
#include <utility>

#include "crypto/key_id.h"
#include "policies/located_json.h"

namespace keyhold::policies {
namespace {

using Json = nlohmann::json;

bool Charset(std::string_view s, std::string_view extra, std::size_t max) {
  if (s.empty() || s.size() > max) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

// Reader walks one document, checking each field against the schema and
// naming the first problem with its line and JSON pointer.
class Reader {
 public:
  Reader(const LocatedJson& doc, std::string_view source) : doc_(doc), source_(source) {}

  Error Fail(const std::string& pointer, std::string_view problem) const {
    return Error{ErrorCode::kInvalidPolicy,
                 std::string(source_) + ":" + std::to_string(doc_.LineOf(pointer)) + ": " +
                     Printable(pointer.empty() ? "/" : pointer) + ": " + std::string(problem)};
  }

  // Printable bounds a pointer and replaces what a terminal or log could
  // misread: field names are the file's text, and the message is printed.
  static std::string Printable(std::string_view pointer) {
    std::string out;
    for (char c : pointer.substr(0, 256)) {
      out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (pointer.size() > 256) {
      out += "...";
    }
    return out;
  }

  // Object checks that `v` is an object with only `allowed` fields.
  Status Object(const Json& v, const std::string& at,
                std::initializer_list<std::string_view> allowed) const {
    if (!v.is_object()) {
      return Fail(at, "must be an object");
    }
    for (const auto& [k, unused] : v.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return Fail(at + "/" + EscapePointerToken(k), "unknown field");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const Json& v, const std::string& at, std::size_t max) const {
    if (!v.is_string()) {
      return Fail(at, "must be a string");
    }
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > max) {
      return Fail(at, "must be 1 to " + std::to_string(max) + " characters");
    }
    return s;
  }

  Result<std::uint64_t> Uint(const Json& v, const std::string& at, std::uint64_t min,
                             std::uint64_t max) const {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
      return Fail(
          at, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    const auto n = v.get<std::uint64_t>();
    if (n < min || n > max) {
      return Fail(at, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return n;
  }

  // Strings reads a non-empty array of distinct strings, each checked by
  // `check` (which returns a problem, or "" when the value is fine).
  template <typename Check>
  Result<std::vector<std::string>> Strings(const Json& v, const std::string& at, Check check,
                                           std::size_t max_items = 256) const {
    if (!v.is_array() || v.empty()) {
      return Fail(at, "must be a non-empty array of strings");
    }
    if (v.size() > max_items) {
      return Fail(at, "has more than " + std::to_string(max_items) + " entries");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string item_at = at + "/" + std::to_string(i);
      KEYHOLD_ASSIGN_OR_RETURN(std::string s, String(v[i], item_at, 256));
      if (std::string problem = check(s); !problem.empty()) {
        return Fail(item_at, problem);
      }
      if (std::find(out.begin(), out.end(), s) != out.end()) {
        return Fail(item_at, "is listed twice");
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::map<std::string, std::string>> StringMap(const Json& v, const std::string& at,
                                                       std::string_view what_keys) const {
    if (!v.is_object() || v.empty()) {
      return Fail(at, "must be a non-empty object of strings");
    }
    std::map<std::string, std::string> out;
    for (const auto& [k, value] : v.items()) {
      const std::string item_at = at + "/" + EscapePointerToken(k);
      if (k.empty() || k.size() > 128) {
        return Fail(item_at, std::string(what_keys) + " must be 1 to 128 characters");
      }
      KEYHOLD_ASSIGN_OR_RETURN(std::string s, String(value, item_at, 256));
      out.emplace(k, std::move(s));
    }
    return out;
  }

  const LocatedJson& doc() const { return doc_; }

 private:
  const LocatedJson& doc_;
  std::string_view source_;
};

std::string CheckGlob(std::string_view g) {
  const std::size_t slash = g.find('/');
  if (slash == std::string_view::npos || g.find('/', slash + 1) != std::string_view::npos) {
    return "must be a TENANT/NAME pattern (one '/'; '*' and '?' as wildcards)";
  }
  const std::string_view tenant = g.substr(0, slash);
  const std::string_view name = g.substr(slash + 1);
  if (!Charset(tenant, "_-*?", crypto::kMaxTenantSize) ||
      !Charset(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-*?", crypto::kMaxKeyNameSize)) {
    return "uses characters that no key id has";
  }
  return "";
}

std::string CheckOperation(std::string_view op, bool admin_allowed) {
  if (op == "*" || IsKeyOperation(op) || (admin_allowed && IsAdminOperation(op))) {
    return "";
  }
  return admin_allowed ? "not an operation (see docs/policies.md, operations)"
                       : "not a key operation (see docs/policies.md, operations)";
}

std::string CheckRole(std::string_view r) {
  return r == "*" || r == "admin" || r == "app" || r == "officer" || r == "auditor" ||
                 r == "aws-kms"
             ? ""
             : "not a role (admin, app, officer, auditor, aws-kms or *)";
}

std::string CheckPrincipal(std::string_view p) {
  return std::all_of(p.begin(), p.end(), [](char c) { return c > 0x20 && c < 0x7f; })
             ? ""
             : "must be printable ASCII without spaces";
}

std::string CheckId(std::string_view id) {
  return Charset(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-", 64) ? "" : "must be 1-64 of [A-Za-z0-9._-]";
}

Status ReadConditions(const Reader& r, const Json& v, const std::string& at, Conditions* out) {
  KEYHOLD_TRY(r.Object(v, at, {"source_cidrs", "context", "justification_codes", "time", "aws"}));
  if (v.empty()) {
    return r.Fail(at, "must set at least one condition");
  }
  if (v.contains("source_cidrs")) {
    const std::string cat = at + "/source_cidrs";
    KEYHOLD_ASSIGN_OR_RETURN(auto cidrs,
                             r.Strings(v["source_cidrs"], cat, [](const std::string& s) {
                               auto c = ParseCidr(s);
                               return c.ok() ? std::string() : c.error().message;
                             }));
    for (const std::string& c : cidrs) {
      out->source_cidrs.push_back(*ParseCidr(c));
    }
  }
  if (v.contains("context")) {
    const std::string cat = at + "/context";
    const Json& c = v["context"];
    KEYHOLD_TRY(r.Object(c, cat, {"required", "equals", "equals_caller"}));
    if (c.empty()) {
      return r.Fail(cat, "must set required, equals or equals_caller");
    }
    ContextCondition cc;
    const auto any = [](const std::string& s) {
      return s.size() <= 128 ? std::string() : "must be at most 128 characters";
    };
    if (c.contains("required")) {
      KEYHOLD_ASSIGN_OR_RETURN(cc.required, r.Strings(c["required"], cat + "/required", any));
    }
    if (c.contains("equals")) {
      KEYHOLD_ASSIGN_OR_RETURN(cc.equals, r.StringMap(c["equals"], cat + "/equals", "keys"));
    }
    if (c.contains("equals_caller")) {
      KEYHOLD_ASSIGN_OR_RETURN(cc.equals_caller,
                               r.StringMap(c["equals_caller"], cat + "/equals_caller", "keys"));
      for (const auto& [k, attr] : cc.equals_caller) {
        if (attr != "tenant" && attr != "principal") {
          return r.Fail(cat + "/equals_caller/" + EscapePointerToken(k),
                        "must name a caller attribute: tenant or principal");
        }
      }
    }
    out->context = std::move(cc);
  }
  if (v.contains("aws")) {
    const std::string aat = at + "/aws";
    const Json& a = v["aws"];
    KEYHOLD_TRY(
        r.Object(a, aat, {"kms_operations", "via_services", "source_vpcs", "source_vpces"}));
    if (a.empty()) {
      return r.Fail(aat, "must set kms_operations, via_services, source_vpcs or source_vpces");
    }
    const auto token = [](const std::string& s) {
      return s.size() <= 128 && CheckPrincipal(s).empty()
                 ? std::string()
                 : "must be 1-128 printable ASCII characters without spaces";
    };
    AwsCondition ac;
    const std::pair<const char*, std::vector<std::string>*> lists[] = {
        {"kms_operations", &ac.kms_operations},
        {"via_services", &ac.via_services},
        {"source_vpcs", &ac.source_vpcs},
        {"source_vpces", &ac.source_vpces}};
    for (const auto& [name, list] : lists) {
      if (a.contains(name)) {
        KEYHOLD_ASSIGN_OR_RETURN(*list, r.Strings(a[name], aat + "/" + name, token));
      }
    }
    out->aws = std::move(ac);
  }
  if (v.contains("justification_codes")) {
    KEYHOLD_ASSIGN_OR_RETURN(
        out->justification_codes,
        r.Strings(v["justification_codes"], at + "/justification_codes", [](const std::string& s) {
          // As a call's justification.reason_code.
          return Charset(s, "_", 64) ? std::string() : "must be 1-64 of [a-z0-9_]";
        }));
  }
  if (v.contains("time")) {
    const std::string tat = at + "/time";
    const Json& t = v["time"];
    KEYHOLD_TRY(r.Object(t, tat, {"days", "from", "to", "not_before", "not_after"}));
    if (t.empty()) {
      return r.Fail(tat, "must set days, from/to, not_before or not_after");
    }
    TimeWindow w;
    if (t.contains("days")) {
      KEYHOLD_ASSIGN_OR_RETURN(auto days,
                               r.Strings(t["days"], tat + "/days", [](const std::string& s) {
                                 auto d = ParseDayName(s);
                                 return d.ok() ? std::string() : d.error().message;
                               }));
      w.days = 0;
      for (const std::string& d : days) {
        w.days = static_cast<std::uint8_t>(w.days | (1U << *ParseDayName(d)));
      }
    }
    if (t.contains("from") != t.contains("to")) {
      return r.Fail(tat, "from and to go together");
    }
    if (t.contains("from")) {
      KEYHOLD_ASSIGN_OR_RETURN(std::string from, r.String(t["from"], tat + "/from", 5));
      KEYHOLD_ASSIGN_OR_RETURN(std::string to, r.String(t["to"], tat + "/to", 5));
      auto f = ParseMinuteOfDay(from);
      if (!f.ok()) {
        return r.Fail(tat + "/from", f.error().message);
      }
      auto e = ParseMinuteOfDay(to);
      if (!e.ok()) {
        return r.Fail(tat + "/to", e.error().message);
      }
      if (*f == *e) {
        return r.Fail(tat + "/to", "must differ from from (an empty window allows nothing)");
      }
      w.from_minute = *f;
      w.to_minute = *e;
    }
    for (const char* field : {"not_before", "not_after"}) {
      if (!t.contains(field)) {
        continue;
      }
      const std::string fat = tat + "/" + field;
      KEYHOLD_ASSIGN_OR_RETURN(std::string text, r.String(t[field], fat, 20));
      auto when = ParseUtcTime(text);
      if (!when.ok()) {
        return r.Fail(fat, when.error().message);
      }
      (std::string_view(field) == "not_before" ? w.not_before : w.not_after) = *when;
    }
    if (w.not_before && w.not_after && *w.not_before >= *w.not_after) {
      return r.Fail(tat + "/not_after", "must be after not_before");
    }
    out->time = w;
  }
  return Status::Ok();
}

Status ReadId(const Reader& r, const Json& v, const std::string& at, std::set<std::string>* ids,
              std::string* out) {
  if (!v.contains("id")) {
    return r.Fail(at, "missing field id");
  }
  KEYHOLD_ASSIGN_OR_RETURN(*out, r.String(v["id"], at + "/id", 64));
  if (std::string problem = CheckId(*out); !problem.empty()) {
    return r.Fail(at + "/id", problem);
  }
  if (!ids->insert(*out).second) {
    return r.Fail(at + "/id", "another rule of this document has this id");
  }
  return Status::Ok();
}

Result<AccessRule> ReadRule(const Reader& r, const Json& v, const std::string& at,
                            std::set<std::string>* ids) {
  KEYHOLD_TRY(r.Object(v, at,
                       {"id", "description", "effect", "principals", "roles", "keys", "operations",
                        "when", "unless"}));
  AccessRule rule;
  rule.line = r.doc().LineOf(at);
  KEYHOLD_TRY(ReadId(r, v, at, ids, &rule.id));
  if (v.contains("description")) {
    KEYHOLD_TRY(r.String(v["description"], at + "/description", 1024));
  }
  if (!v.contains("effect")) {
    return r.Fail(at, "missing field effect");
  }
  KEYHOLD_ASSIGN_OR_RETURN(std::string effect, r.String(v["effect"], at + "/effect", 5));
  if (effect != "allow" && effect != "deny") {
    return r.Fail(at + "/effect", "must be allow or deny");
  }
  rule.effect = effect == "allow" ? Effect::kAllow : Effect::kDeny;
  if (!v.contains("principals") && !v.contains("roles")) {
    return r.Fail(at, "must name principals, roles or both (\"*\" for anyone)");
  }
  if (v.contains("principals")) {
    KEYHOLD_ASSIGN_OR_RETURN(rule.principals,
                             r.Strings(v["principals"], at + "/principals", CheckPrincipal));
  }
  if (v.contains("roles")) {
    KEYHOLD_ASSIGN_OR_RETURN(rule.roles, r.Strings(v["roles"], at + "/roles", CheckRole));
  }
  if (!v.contains("keys")) {
    return r.Fail(at, "missing field keys (\"*/*\" for every key)");
  }
  KEYHOLD_ASSIGN_OR_RETURN(rule.keys, r.Strings(v["keys"], at + "/keys", CheckGlob));
  if (!v.contains("operations")) {
    return r.Fail(at, "missing field operations (\"*\" for every one)");
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      rule.operations, r.Strings(v["operations"], at + "/operations",
                                 [](const std::string& s) { return CheckOperation(s, false); }));
  const char* conditions = rule.effect == Effect::kAllow ? "when" : "unless";
  const char* other = rule.effect == Effect::kAllow ? "unless" : "when";
  if (v.contains(other)) {
    return r.Fail(at + "/" + other, rule.effect == Effect::kAllow
                                        ? "an allow rule takes conditions in when"
                                        : "a deny rule takes conditions in unless");
  }
  if (v.contains(conditions)) {
    KEYHOLD_TRY(ReadConditions(r, v[conditions], at + "/" + conditions, &rule.conditions));
  }
  return rule;
}

Result<ApprovalRule> ReadApproval(const Reader& r, const Json& v, const std::string& at,
                                  std::set<std::string>* ids) {
  KEYHOLD_TRY(r.Object(v, at,
                       {"id", "description", "keys", "operations", "approvals", "approver_role",
                        "grant_ttl_s", "grant_uses", "request_ttl_s"}));
  ApprovalRule rule;
  rule.line = r.doc().LineOf(at);
  KEYHOLD_TRY(ReadId(r, v, at, ids, &rule.id));
  if (v.contains("description")) {
    KEYHOLD_TRY(r.String(v["description"], at + "/description", 1024));
  }
  if (!v.contains("operations")) {
    return r.Fail(at, "missing field operations");
  }
  KEYHOLD_ASSIGN_OR_RETURN(rule.operations,
                           r.Strings(v["operations"], at + "/operations",
                                     [](const std::string& s) { return CheckOperation(s, true); }));
  const bool key_ops = std::any_of(rule.operations.begin(), rule.operations.end(),
                                   [](const std::string& op) { return !IsAdminOperation(op); });
  if (v.contains("keys")) {
    if (!key_ops) {
      return r.Fail(at + "/keys", "the operations listed act on no key");
    }
    KEYHOLD_ASSIGN_OR_RETURN(rule.keys, r.Strings(v["keys"], at + "/keys", CheckGlob));
  } else if (key_ops) {
    return r.Fail(at, "missing field keys (\"*/*\" for every key)");
  }
  if (v.contains("approvals")) {
    KEYHOLD_ASSIGN_OR_RETURN(auto n, r.Uint(v["approvals"], at + "/approvals", 1, 16));
    rule.approvals = static_cast<std::uint32_t>(n);
  }
  if (v.contains("approver_role")) {
    KEYHOLD_ASSIGN_OR_RETURN(rule.approver_role,
                             r.String(v["approver_role"], at + "/approver_role", 16));
    if (rule.approver_role != "officer" && rule.approver_role != "admin") {
      return r.Fail(at + "/approver_role", "must be officer or admin");
    }
  }
  if (v.contains("grant_ttl_s")) {
    KEYHOLD_ASSIGN_OR_RETURN(rule.grant_ttl_s,
                             r.Uint(v["grant_ttl_s"], at + "/grant_ttl_s", 60, 30 * 86400));
  }
  if (v.contains("grant_uses")) {
    KEYHOLD_ASSIGN_OR_RETURN(auto n, r.Uint(v["grant_uses"], at + "/grant_uses", 1, 1'000'000));
    rule.grant_uses = static_cast<std::uint32_t>(n);
  }
  if (v.contains("request_ttl_s")) {
    KEYHOLD_ASSIGN_OR_RETURN(rule.request_ttl_s,
                             r.Uint(v["request_ttl_s"], at + "/request_ttl_s", 60, 30 * 86400));
  }
  return rule;
}

Result<RotationRule> ReadRotation(const Reader& r, const Json& v, const std::string& at,
                                  std::set<std::string>* ids) {
  KEYHOLD_TRY(r.Object(v, at, {"id", "description", "keys", "period_days", "max_encryptions"}));
  RotationRule rule;
  rule.line = r.doc().LineOf(at);
  KEYHOLD_TRY(ReadId(r, v, at, ids, &rule.id));
  if (v.contains("description")) {
    KEYHOLD_TRY(r.String(v["description"], at + "/description", 1024));
  }
  if (!v.contains("keys")) {
    return r.Fail(at, "missing field keys");
  }
  KEYHOLD_ASSIGN_OR_RETURN(rule.keys, r.Strings(v["keys"], at + "/keys", CheckGlob));
  if (!v.contains("period_days") && !v.contains("max_encryptions")) {
    return r.Fail(at, "must set period_days, max_encryptions or both");
  }
  if (v.contains("period_days")) {
    KEYHOLD_ASSIGN_OR_RETURN(auto days, r.Uint(v["period_days"], at + "/period_days", 1, 36500));
    rule.period_s = days * 86400;
  }
  if (v.contains("max_encryptions")) {
    // 2^32 is the most any version may ever do with random nonces.
    KEYHOLD_ASSIGN_OR_RETURN(rule.max_encryptions,
                             r.Uint(v["max_encryptions"], at + "/max_encryptions", 1, 1ULL << 32));
  }
  return rule;
}

template <typename T, typename ReadOne>
Status ReadList(const Reader& r, const Json& doc, const char* field, std::size_t max,
                std::vector<T>* out, ReadOne read_one) {
  if (!doc.contains(field)) {
    return Status::Ok();
  }
  const std::string at = std::string("/") + field;
  const Json& list = doc[field];
  if (!list.is_array()) {
    return r.Fail(at, "must be an array");
  }
  if (list.size() > max) {
    return r.Fail(at, "has more than " + std::to_string(max) + " entries");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    KEYHOLD_ASSIGN_OR_RETURN(T item, read_one(list[i], at + "/" + std::to_string(i)));
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

}  // namespace

bool IsKeyOperation(std::string_view op) {
  return std::find(std::begin(kKeyOperations), std::end(kKeyOperations), op) !=
         std::end(kKeyOperations);
}

bool IsAdminOperation(std::string_view op) {
  return std::find(std::begin(kAdminOperations), std::end(kAdminOperations), op) !=
         std::end(kAdminOperations);
}

bool IsValidPolicyName(std::string_view name) {
  return Charset(name, "_-", 64);
}

bool KeyGlobMatches(std::string_view glob, std::string_view key) {
  // Both are bounded and NUL-free (validated globs, key ids).
  const std::string g(glob);
  const std::string k(key);
  return fnmatch(g.c_str(), k.c_str(), FNM_PATHNAME) == 0;
}

bool PrincipalMatches(std::string_view pattern, std::string_view principal) {
  if (pattern == "*" || pattern == principal) {
    return true;
  }
  if (pattern.find_first_of("*?") == std::string_view::npos ||
      principal.find('\0') != std::string_view::npos) {
    return false;
  }
  // Only * and ? are wildcards: fnmatch's brackets and backslash are
  // escaped, so "[14]" in an ARN is those four characters, not a set.
  std::string p;  // validated: printable, NUL-free
  for (char c : pattern) {
    if (c == '[' || c == ']' || c == '\\') {
      p.push_back('\\');
    }
    p.push_back(c);
  }
  const std::string n(principal);
  return fnmatch(p.c_str(), n.c_str(), 0) == 0;
}

Result<PolicyDocument> ParsePolicy(std::string_view text, std::string_view source) {
  if (text.size() > kMaxPolicyBytes) {
    return Error{ErrorCode::kInvalidPolicy, std::string(source) + ":1: /: larger than " +
                                                std::to_string(kMaxPolicyBytes) + " bytes"};
  }
  KEYHOLD_ASSIGN_OR_RETURN(LocatedJson doc, ParseLocatedJson(text, source));
  const Reader r(doc, source);
  const Json& v = doc.value;
  KEYHOLD_TRY(r.Object(
      v, "", {"name", "version", "description", "residency", "rules", "approvals", "rotation"}));
  PolicyDocument out;
  if (!v.contains("name")) {
    return r.Fail("", "missing field name");
  }
  KEYHOLD_ASSIGN_OR_RETURN(out.name, r.String(v["name"], "/name", 64));
  if (!IsValidPolicyName(out.name)) {
    return r.Fail("/name", "must be 1-64 of [a-z0-9_-]");
  }
  if (!v.contains("version")) {
    return r.Fail("", "missing field version");
  }
  // 2^53: exact in every JSON reader.
  KEYHOLD_ASSIGN_OR_RETURN(out.version, r.Uint(v["version"], "/version", 1, 1ULL << 53));
  if (v.contains("description")) {
    KEYHOLD_ASSIGN_OR_RETURN(out.description, r.String(v["description"], "/description", 1024));
  }
  if (v.contains("residency")) {
    KEYHOLD_ASSIGN_OR_RETURN(out.residency, r.StringMap(v["residency"], "/residency", "tenants"));
    for (const auto& [tenant, region] : out.residency) {
      const std::string at = "/residency/" + EscapePointerToken(tenant);
      if (!crypto::KeyId::Create(tenant, "x").ok()) {
        return r.Fail(at, "the key is not a valid tenant name");
      }
      if (!Charset(region, "-", 32)) {
        return r.Fail(at, "a region must be 1-32 of [a-z0-9-]");
      }
    }
  }
  std::set<std::string> ids;
  KEYHOLD_TRY(ReadList(
      r, v, "rules", 1000, &out.rules,
      [&](const Json& item, const std::string& at) { return ReadRule(r, item, at, &ids); }));
  KEYHOLD_TRY(ReadList(
      r, v, "approvals", 1000, &out.approvals,
      [&](const Json& item, const std::string& at) { return ReadApproval(r, item, at, &ids); }));
  KEYHOLD_TRY(ReadList(
      r, v, "rotation", 1000, &out.rotation,
      [&](const Json& item, const std::string& at) { return ReadRotation(r, item, at, &ids); }));
  return out;
}

}  // namespace keyhold::policies
