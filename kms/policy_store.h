// PolicyStore: the policy documents in force (docs/policies.md). They are
// read from the configured folder (NAME.json each) at start, and replaced one
// document at a time by PUT /v1/policies/{name}. A replacement is validated
// in full, must carry a higher version than the document it replaces, and is
// durable (synced temporary file, rename, synced folder) before it takes
// effect or is acknowledged. Readers take an immutable snapshot, so one
// request is decided by one consistent set. Thread-safe.
#ifndef KEYHOLD_KMS_POLICY_STORE_H_
#define KEYHOLD_KMS_POLICY_STORE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "crypto/error.h"
#include "policies/policy_set.h"

namespace keyhold::kms {

class PolicyStore {
 public:
  // Open reads every NAME.json in `dir` (files starting with '.' and other
  // names are ignored); an empty `dir` means no policies. Where a folder is
  // configured and holds no admin-quorum.json, the built-in admin-quorum
  // document (version 1: two officers approve schedule-deletion, disable,
  // policy-change and admin-token-create) is in force. Any unreadable or
  // invalid document, or a file whose name differs from its document's
  // name, fails the whole load (kInvalidPolicy naming FILE:LINE): the
  // service does not start on policies it cannot read.
  static Result<std::unique_ptr<PolicyStore>> Open(const std::filesystem::path& dir);

  // Snapshot returns the set in force; never null.
  std::shared_ptr<const policies::PolicySet> Snapshot() const;

  // Text returns the stored text of document `name`; kNotFound if none.
  Result<std::string> Text(std::string_view name) const;

  // Apply validates `text` as document `name` and puts it in force. Errors:
  // kInvalidPolicy (invalid, name differs, version not above the one in
  // force, or residency in conflict with another document), kInvalidRequest
  // (no policy folder configured), kStoreUnavailable (not durable; nothing
  // changed).
  Result<policies::PolicyDocument> Apply(std::string_view name, std::string_view text);

 private:
  explicit PolicyStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path dir_;
  std::mutex apply_mu_;    // held by Apply from its check to its swap
  mutable std::mutex mu_;  // guards set_ and texts_
  std::shared_ptr<const policies::PolicySet> set_;
  std::map<std::string, std::string, std::less<>> texts_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_POLICY_STORE_H_
