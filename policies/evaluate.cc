#include "policies/evaluate.h"

#include <algorithm>

namespace keyhold::policies {
namespace {

bool Listed(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& s) { return s == "*" || s == value; });
}

bool KeyMatches(const std::vector<std::string>& globs, std::string_view key) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return KeyGlobMatches(g, key); });
}

bool SubjectMatches(const AccessRule& rule, const AccessRequest& req) {
  if (std::any_of(rule.principals.begin(), rule.principals.end(),
                  [&](const std::string& p) { return PrincipalMatches(p, req.principal); })) {
    return true;
  }
  // "*" is every caller, with or without a role.
  if (std::find(rule.roles.begin(), rule.roles.end(), "*") != rule.roles.end()) {
    return true;
  }
  return std::any_of(req.roles.begin(), req.roles.end(),
                     [&](const std::string& role) { return Listed(rule.roles, role); });
}

bool RuleMatches(const AccessRule& rule, const AccessRequest& req) {
  return SubjectMatches(rule, req) && KeyMatches(rule.keys, req.key) &&
         Listed(rule.operations, req.operation);
}

// Unmet returns why `c` does not hold for `req` at `now`, or "" if it does.
// It names fields and the caller's own address, never context values.
std::string Unmet(const Conditions& c, const AccessRequest& req, std::int64_t now) {
  if (!c.source_cidrs.empty() &&
      std::none_of(c.source_cidrs.begin(), c.source_cidrs.end(),
                   [&](const Cidr& n) { return n.Contains(req.source); })) {
    return "source " + req.source + " is in none of source_cidrs";
  }
  if (c.context) {
    for (const std::string& k : c.context->required) {
      if (req.context.find(k) == req.context.end()) {
        return "context has no '" + k + "'";
      }
    }
    for (const auto& [k, v] : c.context->equals) {
      const auto it = req.context.find(k);
      if (it == req.context.end() || it->second != v) {
        return "context '" + k + "' is not the value the rule requires";
      }
    }
    for (const auto& [k, attr] : c.context->equals_caller) {
      const std::string& want = attr == "tenant" ? req.tenant : req.principal;
      const auto it = req.context.find(k);
      if (it == req.context.end() || it->second != want) {
        return "context '" + k + "' is not the caller's " + attr;
      }
    }
  }
  if (!c.justification_codes.empty() &&
      std::find(c.justification_codes.begin(), c.justification_codes.end(),
                req.justification_code) == c.justification_codes.end()) {
    return req.justification_code.empty() ? "no justification reason code was given"
                                          : "justification code '" + req.justification_code +
                                                "' is not one of justification_codes";
  }
  if (c.time && !c.time->Contains(now)) {
    return "outside the rule's time window";
  }
  if (c.aws) {
    if (!req.aws) {
      return "not a call from AWS KMS";
    }
    const auto unmet = [](const std::vector<std::string>& allowed, const std::string& value) {
      return !allowed.empty() && std::find(allowed.begin(), allowed.end(), value) == allowed.end();
    };
    if (unmet(c.aws->kms_operations, req.aws->kms_operation)) {
      return "kmsOperation is not one of aws.kms_operations";
    }
    if (unmet(c.aws->via_services, req.aws->via_service)) {
      return "kmsViaService is not one of aws.via_services";
    }
    if (unmet(c.aws->source_vpcs, req.aws->source_vpc)) {
      return "awsSourceVpc is not one of aws.source_vpcs";
    }
    if (unmet(c.aws->source_vpces, req.aws->source_vpce)) {
      return "awsSourceVpce is not one of aws.source_vpces";
    }
  }
  return "";
}

std::string Name(const PolicyDocument& d, std::string_view id) {
  return d.name + "/" + std::string(id);
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kDeny:
      return "deny";
    case Verdict::kNeedsApproval:
      return "needs_approval";
  }
  return "deny";
}

const ApprovalRule* ApprovalFor(const PolicySet& policies, std::string_view key,
                                std::string_view operation, std::string* rule_name) {
  // Every rule that covers the call is considered and the strictest wins
  // (most approvals, then fewest uses, then shortest grant): a document
  // cannot weaken another's quorum by sorting first.
  const ApprovalRule* best = nullptr;
  for (const PolicyDocument& d : policies.documents()) {
    for (const ApprovalRule& a : d.approvals) {
      if (!Listed(a.operations, operation)) {
        continue;
      }
      // An admin operation acts on no key; a key operation needs a key match.
      if (!IsAdminOperation(operation) && !KeyMatches(a.keys, key)) {
        continue;
      }
      if (IsAdminOperation(operation) &&
          std::find(a.operations.begin(), a.operations.end(), operation) == a.operations.end()) {
        continue;  // "*" means every key operation, never an admin one
      }
      const bool stricter =
          best == nullptr || a.approvals > best->approvals ||
          (a.approvals == best->approvals &&
           (a.grant_uses < best->grant_uses ||
            (a.grant_uses == best->grant_uses && a.grant_ttl_s < best->grant_ttl_s)));
      if (stricter) {
        best = &a;
        if (rule_name != nullptr) {
          *rule_name = Name(d, a.id);
        }
      }
    }
  }
  return best;
}

Decision Evaluate(const PolicySet& policies, const AccessRequest& req, std::int64_t now) {
  Decision out;
  const std::string call = req.operation + " on " + req.key + " by " + req.principal;
  // 1. Deny wins.
  for (const PolicyDocument& d : policies.documents()) {
    for (const AccessRule& r : d.rules) {
      if (r.effect != Effect::kDeny || !RuleMatches(r, req)) {
        continue;
      }
      const std::string unmet =
          r.conditions.empty() ? "it has no unless conditions" : Unmet(r.conditions, req, now);
      if (unmet.empty()) {
        out.explanation.push_back("deny rule " + Name(d, r.id) +
                                  " matches but its unless conditions all hold");
        continue;
      }
      out.verdict = Verdict::kDeny;
      out.rule = Name(d, r.id);
      out.explanation.push_back("deny rule " + out.rule + " applies: " + unmet);
      return out;
    }
  }
  // 2. Then an allow rule whose conditions hold; otherwise the default deny.
  const AccessRule* allowed = nullptr;
  const PolicyDocument* allowed_doc = nullptr;
  for (const PolicyDocument& d : policies.documents()) {
    for (const AccessRule& r : d.rules) {
      if (r.effect != Effect::kAllow || !RuleMatches(r, req)) {
        continue;
      }
      if (const std::string unmet = Unmet(r.conditions, req, now); !unmet.empty()) {
        out.explanation.push_back("allow rule " + Name(d, r.id) + " matches but not now: " + unmet);
        continue;
      }
      allowed = &r;
      allowed_doc = &d;
      break;
    }
    if (allowed != nullptr) {
      break;
    }
  }
  if (allowed == nullptr && !policies.HasAccessRules()) {
    out.explanation.push_back("no access rules are loaded: the caller's roles decide");
  } else if (allowed == nullptr) {
    out.verdict = Verdict::kDeny;
    out.explanation.push_back("no allow rule applies to " + call + ": denied by default");
    return out;
  }
  if (allowed != nullptr) {
    out.rule = Name(*allowed_doc, allowed->id);
    out.explanation.push_back("allow rule " + out.rule + " applies");
  }
  // 3. An allowed call may still need officers' approval.
  std::string approval_name;
  if (const ApprovalRule* a = ApprovalFor(policies, req.key, req.operation, &approval_name)) {
    out.verdict = Verdict::kNeedsApproval;
    out.rule = approval_name;
    out.approval = a;
    out.explanation.push_back("approval rule " + approval_name + " requires " +
                              std::to_string(a->approvals) + " " + a->approver_role +
                              " approval(s): a grant is needed");
    return out;
  }
  out.verdict = Verdict::kAllow;
  return out;
}

}  // namespace keyhold::policies
