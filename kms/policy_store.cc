#include "kms/policy_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "policies/policy.h"

namespace keyhold::kms {
namespace {

Error Unavailable(const std::filesystem::path& path, int err) {
  return MakeError(ErrorCode::kStoreUnavailable,
                   "cannot write policy file " + path.string() + ": " + std::strerror(err));
}

// WriteDurably replaces `path` with `text`: a synced temporary file renamed
// over it, then the folder synced, so a crash leaves the old or the new
// document, never a torn one.
Status WriteDurably(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Unavailable(path, errno);
  }
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    ok = n > 0;
    done += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = ok ? errno : err;
    ::unlink(tmp.c_str());
    return Unavailable(path, err);
  }
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    err = errno;
    if (dfd >= 0) {
      ::close(dfd);
    }
    return Unavailable(path.parent_path(), err);
  }
  ::close(dfd);
  return Status::Ok();
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidPolicy, path.string() + ": cannot be read");
  }
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > policies::kMaxPolicyBytes) {
      return MakeError(
          ErrorCode::kInvalidPolicy,
          path.string() + ": larger than " + std::to_string(policies::kMaxPolicyBytes) + " bytes");
    }
  }
  if (in.bad()) {
    return MakeError(ErrorCode::kInvalidPolicy, path.string() + ": cannot be read");
  }
  return text;
}

// The default quorum on destructive administration (DESIGN.md): in force
// wherever a policy folder is configured, until the folder holds a document
// of the same name (an operator's own version, which may relax it).
constexpr std::string_view kDefaultName = "admin-quorum";
constexpr std::string_view kDefaultText = R"({
  "name": "admin-quorum",
  "version": 1,
  "description": "Built-in default: two officers approve destructive administration and key export. Replace it with admin-quorum.json in the policy folder, or apply version 2 or later.",
  "approvals": [
    {"id": "deletion-and-disable", "keys": ["*/*"],
     "operations": ["schedule-deletion", "disable"], "approvals": 2},
    {"id": "export", "keys": ["*/*"], "operations": ["export"], "approvals": 2},
    {"id": "policy-change", "operations": ["policy-change"], "approvals": 2},
    {"id": "admin-tokens", "operations": ["admin-token-create"], "approvals": 2}
  ]
}
)";

}  // namespace

Result<std::unique_ptr<PolicyStore>> PolicyStore::Open(const std::filesystem::path& dir) {
  std::unique_ptr<PolicyStore> store(new PolicyStore(dir));
  std::vector<policies::PolicyDocument> docs;
  if (!dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.starts_with(".") || it->path().extension() != ".json") {
        continue;
      }
      files.push_back(it->path());
    }
    if (ec) {
      return MakeError(ErrorCode::kInvalidPolicy,
                       dir.string() + ": cannot list the policy folder: " + ec.message());
    }
    for (const std::filesystem::path& file : files) {
      KEYHOLD_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
      KEYHOLD_ASSIGN_OR_RETURN(policies::PolicyDocument doc,
                               policies::ParsePolicy(text, file.string()));
      if (doc.name != file.stem().string()) {
        return MakeError(ErrorCode::kInvalidPolicy, file.string() + ": holds document '" +
                                                        doc.name + "'; the file must be named " +
                                                        doc.name + ".json");
      }
      store->texts_.emplace(doc.name, std::move(text));
      docs.push_back(std::move(doc));
    }
    if (!store->texts_.contains(kDefaultName)) {
      KEYHOLD_ASSIGN_OR_RETURN(policies::PolicyDocument doc,
                               policies::ParsePolicy(kDefaultText, "built-in admin-quorum"));
      store->texts_.emplace(std::string(kDefaultName), std::string(kDefaultText));
      docs.push_back(std::move(doc));
    }
  }
  KEYHOLD_ASSIGN_OR_RETURN(policies::PolicySet set, policies::PolicySet::Create(std::move(docs)));
  store->set_ = std::make_shared<const policies::PolicySet>(std::move(set));
  return store;
}

std::shared_ptr<const policies::PolicySet> PolicyStore::Snapshot() const {
  std::lock_guard lock(mu_);
  return set_;
}

Result<std::string> PolicyStore::Text(std::string_view name) const {
  std::lock_guard lock(mu_);
  const auto it = texts_.find(name);
  if (it == texts_.end()) {
    return MakeError(ErrorCode::kNotFound, "no policy document named '" + std::string(name) + "'");
  }
  return it->second;
}

Result<policies::PolicyDocument> PolicyStore::Apply(std::string_view name, std::string_view text) {
  if (dir_.empty()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "no policy folder is configured (policies.dir); policies cannot be applied");
  }
  if (!policies::IsValidPolicyName(name)) {
    return MakeError(ErrorCode::kInvalidPolicy, "a policy name is 1-64 of [a-z0-9_-]");
  }
  const std::string source = std::string(name) + ".json";
  KEYHOLD_ASSIGN_OR_RETURN(policies::PolicyDocument doc, policies::ParsePolicy(text, source));
  if (doc.name != name) {
    return MakeError(ErrorCode::kInvalidPolicy, source + ": /name: is '" + doc.name +
                                                    "', but the document is applied as '" +
                                                    std::string(name) + "'");
  }
  // One writer at a time, so the version check, the file and the swap
  // agree; readers are not held up by the sync.
  std::lock_guard apply(apply_mu_);
  const std::shared_ptr<const policies::PolicySet> current = Snapshot();
  if (const policies::PolicyDocument* old = current->Find(name);
      old != nullptr && doc.version <= old->version) {
    return MakeError(ErrorCode::kInvalidPolicy, source + ": /version: must be above " +
                                                    std::to_string(old->version) +
                                                    ", the version in force");
  }
  KEYHOLD_ASSIGN_OR_RETURN(policies::PolicySet next, current->With(doc));
  KEYHOLD_TRY(WriteDurably(dir_ / source, text));
  std::lock_guard lock(mu_);
  set_ = std::make_shared<const policies::PolicySet>(std::move(next));
  texts_[std::string(name)] = std::string(text);
  return doc;
}

}  // namespace keyhold::kms
