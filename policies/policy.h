// Policy: one versioned policy document (docs/policies.md), parsed and
// validated. A document holds access rules (who may do which operations on
// which keys, under which conditions), approval rules (which operations need
// how many officers' approvals), rotation rules, and tenants' residency.
//
// Parsing is strict: unknown fields, wrong types, empty lists, bad globs,
// CIDRs or times are errors naming "SOURCE:LINE: /json/pointer: problem"
// (or "SOURCE:LINE: problem" when the JSON itself is malformed),
// so that `keyhold policy apply` can say exactly what to fix and nothing
// half-valid is ever loaded. Pure (no I/O, no clock), thread-safe (value
// types). May include: std, nlohmann/json, crypto/, policies/.
#ifndef KEYHOLD_POLICIES_POLICY_H_
#define KEYHOLD_POLICIES_POLICY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "policies/cidr.h"
#include "policies/time_window.h"

namespace keyhold::policies {

// kKeyOperations are the operations on one key that rules name.
inline constexpr std::string_view kKeyOperations[] = {
    "wrap",   "unwrap",  "rewrap", "generate-data-key", "create",          "read",   "rotate",
    "enable", "disable", "config", "schedule-deletion", "cancel-deletion", "import", "export",
};
// kAdminOperations are operations on no key, which only approval rules name.
inline constexpr std::string_view kAdminOperations[] = {"policy-change", "admin-token-create",
                                                        "xks-credential-create"};

bool IsKeyOperation(std::string_view op);
bool IsAdminOperation(std::string_view op);

enum class Effect : std::uint8_t { kAllow, kDeny };

// ContextCondition constrains the request's encryption context.
struct ContextCondition {
  std::vector<std::string> required;                 // these keys must be present
  std::map<std::string, std::string> equals;         // context[k] == v
  std::map<std::string, std::string> equals_caller;  // context[k] == caller's attribute v
};

// AwsCondition constrains a call that AWS KMS made through the XKS proxy
// API, over its requestMetadata; each list not empty must contain the
// call's value. A call from anyone else never meets it.
struct AwsCondition {
  std::vector<std::string> kms_operations;  // kmsOperation, e.g. "Decrypt"
  std::vector<std::string> via_services;    // kmsViaService, e.g. "ebs"
  std::vector<std::string> source_vpcs;     // awsSourceVpc
  std::vector<std::string> source_vpces;    // awsSourceVpce
};

// Conditions all hold, or the condition set does not.
struct Conditions {
  std::vector<Cidr> source_cidrs;  // the caller's address is in one of them
  std::optional<ContextCondition> context;
  std::vector<std::string> justification_codes;  // the call's reason code is one of them
  std::optional<TimeWindow> time;
  std::optional<AwsCondition> aws;
  bool empty() const {
    return source_cidrs.empty() && !context && justification_codes.empty() && !time && !aws;
  }
};

// AccessRule: an allow rule applies when its `when` conditions all hold; a
// deny rule applies unless its `unless` conditions all hold.
struct AccessRule {
  std::string id;  // unique in the document
  Effect effect = Effect::kDeny;
  // Names, or patterns where `*` stands for any run of characters and `?`
  // for one (AWS principal ARNs: "arn:aws:iam::111122223333:role/*");
  // "*" alone is anyone.
  std::vector<std::string> principals;
  std::vector<std::string> roles;       // admin, app, officer, auditor, aws-kms, or "*"
  std::vector<std::string> keys;        // globs over TENANT/NAME
  std::vector<std::string> operations;  // kKeyOperations, or "*"
  Conditions conditions;                // `when` (allow) or `unless` (deny)
  std::size_t line = 0;
};

// ApprovalRule: matching operations need `approvals` distinct approvers of
// `approver_role`, none of them the requester.
struct ApprovalRule {
  std::string id;
  std::vector<std::string> keys;        // globs; empty for admin operations
  std::vector<std::string> operations;  // key or admin operations, or "*"
  std::uint32_t approvals = 2;
  std::string approver_role = "officer";
  std::uint64_t grant_ttl_s = 3600;
  std::uint32_t grant_uses = 1;
  std::uint64_t request_ttl_s = 86400;
  std::size_t line = 0;
};

// RotationRule tightens automatic rotation of matching keys.
struct RotationRule {
  std::string id;
  std::vector<std::string> keys;
  std::uint64_t period_s = 0;         // 0: no period from this rule
  std::uint64_t max_encryptions = 0;  // 0: no budget from this rule
  std::size_t line = 0;
};

struct PolicyDocument {
  std::string name;  // [a-z0-9_-]{1,64}; the file is NAME.json
  std::uint64_t version = 0;
  std::string description;
  std::map<std::string, std::string> residency;  // tenant -> region
  std::vector<AccessRule> rules;
  std::vector<ApprovalRule> approvals;
  std::vector<RotationRule> rotation;
};

// kMaxPolicyBytes bounds one document.
inline constexpr std::size_t kMaxPolicyBytes = 1 << 20;

// ParsePolicy parses and validates one document. `source` names it in
// errors (a file name). kInvalidPolicy with "SOURCE:LINE: POINTER: problem"
// on the first problem ("SOURCE:LINE: problem" for malformed JSON). The
// pointer is bounded and printable (a hostile field name cannot forge a
// second message).
Result<PolicyDocument> ParsePolicy(std::string_view text, std::string_view source);

// IsValidPolicyName is true for [a-z0-9_-]{1,64}.
bool IsValidPolicyName(std::string_view name);

// KeyGlobMatches is true when `key` ("tenant/name") matches `glob`, where
// `*` stands for any run of characters other than '/' and `?` for one.
bool KeyGlobMatches(std::string_view glob, std::string_view key);

// PrincipalMatches is true when `principal` matches `pattern`, where `*`
// stands for any run of characters, '/' and ':' included, and `?` for one.
bool PrincipalMatches(std::string_view pattern, std::string_view principal);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_POLICY_H_
