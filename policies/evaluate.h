// Evaluate: the access decision for one call, from the policy set, the
// call's facts and the time (passed in). Deny wins, then allow, then the
// default: deny. An allowed call that an approval rule covers needs a grant
// (needs_approval); the service checks for one.
//
// The order of evaluation, for a call (who, key, operation, facts):
//   1. a deny rule that matches who/key/operation and whose `unless`
//      conditions do not all hold -> deny(rule)
//   2. no allow rule that matches and whose `when` conditions all hold ->
//      deny (default), explaining the allow rules that did not apply. A set
//      with no access rule at all (only residency, approval or rotation
//      rules) leaves access to the caller's roles and goes on to 3.
//   3. an approval rule that matches key/operation -> needs_approval(the
//      strictest such rule)
//   4. allow(the first allow rule that applied)
// Pure (no I/O, no clock), thread-safe. May include: std, policies/.
#ifndef KEYHOLD_POLICIES_EVALUATE_H_
#define KEYHOLD_POLICIES_EVALUATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policies/policy_set.h"

namespace keyhold::policies {

// AwsFacts: the requestMetadata of a call from AWS KMS (XKS proxy API).
struct AwsFacts {
  std::string kms_operation;
  std::string via_service;  // empty when absent
  std::string source_vpc;   // ditto
  std::string source_vpce;  // ditto
};

// AccessRequest: the facts of one call that rules can test.
struct AccessRequest {
  std::string principal;
  std::string tenant;  // the caller's tenant, or "*"
  std::vector<std::string> roles;
  std::string key;        // "tenant/name"; empty for admin operations
  std::string operation;  // kKeyOperations or kAdminOperations
  std::string source;     // the caller's IP address
  std::map<std::string, std::string> context;
  std::string justification_code;  // empty when the call gave none
  std::optional<AwsFacts> aws;     // set for calls from AWS KMS only
};

enum class Verdict : std::uint8_t { kAllow, kDeny, kNeedsApproval };

struct Decision {
  Verdict verdict = Verdict::kDeny;
  std::string rule;  // "document/rule-id", empty for the default deny
  // Why, one step per line, for `keyhold policy test` and error messages.
  // Names rules, fields and the caller's own facts; never key material.
  std::vector<std::string> explanation;
  const ApprovalRule* approval = nullptr;  // set for kNeedsApproval
};

Decision Evaluate(const PolicySet& policies, const AccessRequest& request, std::int64_t now);

// ApprovalFor returns the strictest approval rule that covers `key` and
// `operation` (most approvals, then fewest grant uses, then shortest grant),
// or nullptr.
const ApprovalRule* ApprovalFor(const PolicySet& policies, std::string_view key,
                                std::string_view operation, std::string* rule_name);

// VerdictName: "allow", "deny" or "needs_approval".
std::string_view VerdictName(Verdict verdict);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_EVALUATE_H_
