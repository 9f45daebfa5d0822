#include "policies/policy_set.h"

#include <algorithm>
#include <map>
#include <utility>

namespace keyhold::policies {

Result<PolicySet> PolicySet::Create(std::vector<PolicyDocument> documents) {
  std::sort(documents.begin(), documents.end(),
            [](const PolicyDocument& a, const PolicyDocument& b) { return a.name < b.name; });
  std::map<std::string, std::pair<std::string, std::string>> regions;  // tenant -> region, doc
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const PolicyDocument& d = documents[i];
    if (i > 0 && documents[i - 1].name == d.name) {
      return Error{ErrorCode::kInvalidPolicy, "two documents are named '" + d.name + "'"};
    }
    for (const auto& [tenant, region] : d.residency) {
      auto [it, fresh] = regions.emplace(tenant, std::make_pair(region, d.name));
      if (!fresh && it->second.first != region) {
        return Error{ErrorCode::kInvalidPolicy,
                     "tenant '" + tenant + "' has region '" + it->second.first + "' in '" +
                         it->second.second + "' and '" + region + "' in '" + d.name + "'"};
      }
    }
  }
  return PolicySet(std::move(documents));
}

Result<PolicySet> PolicySet::With(PolicyDocument document) const {
  std::vector<PolicyDocument> docs;
  for (const PolicyDocument& d : documents_) {
    if (d.name != document.name) {
      docs.push_back(d);
    }
  }
  docs.push_back(std::move(document));
  return Create(std::move(docs));
}

const PolicyDocument* PolicySet::Find(std::string_view name) const {
  for (const PolicyDocument& d : documents_) {
    if (d.name == name) {
      return &d;
    }
  }
  return nullptr;
}

bool PolicySet::HasAccessRules() const {
  return std::any_of(documents_.begin(), documents_.end(),
                     [](const PolicyDocument& d) { return !d.rules.empty(); });
}

std::optional<std::string> PolicySet::ResidencyOf(std::string_view tenant) const {
  for (const PolicyDocument& d : documents_) {
    if (auto it = d.residency.find(std::string(tenant)); it != d.residency.end()) {
      return it->second;
    }
  }
  return std::nullopt;
}

PolicySet::RotationLimit PolicySet::RotationFor(std::string_view key) const {
  RotationLimit out;
  const auto tighten = [](std::uint64_t* have, std::uint64_t rule) {
    if (rule != 0 && (*have == 0 || rule < *have)) {
      *have = rule;
    }
  };
  for (const PolicyDocument& d : documents_) {
    for (const RotationRule& r : d.rotation) {
      if (std::any_of(r.keys.begin(), r.keys.end(),
                      [&](const std::string& g) { return KeyGlobMatches(g, key); })) {
        tighten(&out.period_s, r.period_s);
        tighten(&out.max_encryptions, r.max_encryptions);
      }
    }
  }
  return out;
}

}  // namespace keyhold::policies
