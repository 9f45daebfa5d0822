// PolicySet: every loaded policy document, checked to agree with each other
// (unique names, one region per tenant), and the lookups the service needs
// besides access decisions: a tenant's residency and the rotation limits of
// a key. Pure, thread-safe (immutable after Create).
// May include: std, crypto/, policies/.
#ifndef KEYHOLD_POLICIES_POLICY_SET_H_
#define KEYHOLD_POLICIES_POLICY_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "policies/policy.h"

namespace keyhold::policies {

class PolicySet {
 public:
  // An empty set: no document loaded. The service then decides by roles
  // alone (docs/policies.md, "with no policies").
  PolicySet() = default;

  // Create checks that `documents` agree: names are unique and no tenant is
  // given two regions. kInvalidPolicy naming both documents otherwise.
  static Result<PolicySet> Create(std::vector<PolicyDocument> documents);

  // With returns a copy in which `document` replaces the one of the same
  // name (or is added), after the same checks.
  Result<PolicySet> With(PolicyDocument document) const;

  bool empty() const { return documents_.empty(); }
  const std::vector<PolicyDocument>& documents() const { return documents_; }
  const PolicyDocument* Find(std::string_view name) const;
  // HasAccessRules is true when any document has an access rule (and so
  // access is denied unless a rule allows it).
  bool HasAccessRules() const;

  // ResidencyOf returns the region of `tenant`, if a document sets one.
  std::optional<std::string> ResidencyOf(std::string_view tenant) const;

  // RotationFor returns the strictest limits the rotation rules set for
  // `key` ("tenant/name"): the shortest period and the smallest budget; 0
  // where no rule sets one.
  struct RotationLimit {
    std::uint64_t period_s = 0;
    std::uint64_t max_encryptions = 0;
  };
  RotationLimit RotationFor(std::string_view key) const;

 private:
  explicit PolicySet(std::vector<PolicyDocument> documents) : documents_(std::move(documents)) {}
  std::vector<PolicyDocument> documents_;  // sorted by name
};

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_POLICY_SET_H_
