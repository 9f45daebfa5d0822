#include "kms/audit/audit_verifier.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/hmac.h"
#include "crypto/sha256.h"
#include "kms/audit/audit_record.h"

namespace keyhold::kms {
namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

class Run {
 public:
  explicit Run(const AuditVerifyOptions& options) : options_(options) {
    if (options.public_key) {
      result_.public_key = options.public_key;
      result_.public_key_pinned = true;
    }
  }

  bool File(const std::filesystem::path& path, std::uint64_t limit) {
    file_ = path.string();
    line_no_ = 0;
    result_.files++;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return Fail("the file cannot be read");
    }
    std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (limit != 0 && content.size() > limit) {
      content.resize(limit);
    }
    std::istringstream in(std::move(content));
    const auto named_seq = FirstSeqOfFileName(path.filename().string());
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      line_no_++;
      if (in.eof()) {
        return Fail("the record is cut short (no newline: the file was truncated)");
      }
      if (first && named_seq && !line.empty()) {
        auto parsed = ParseLine(line);
        if (parsed.ok() && parsed->seq != *named_seq) {
          return Fail("the file's name says it starts at seq " + std::to_string(*named_seq) +
                      " but it starts at seq " + std::to_string(parsed->seq) +
                      " (a file was swapped or renamed)");
        }
      }
      first = false;
      if (!Record(line)) {
        return false;
      }
    }
    if (line_no_ == 0) {
      result_.warnings.push_back(file_ + ": empty file");
    }
    return true;
  }

  AuditVerifyResult Finish() {
    if (!result_.ok) {
      return std::move(result_);
    }
    // Signatures seen before the key was learnt are checked now.
    if (!pending_.empty()) {
      if (!result_.public_key) {
        result_.warnings.push_back(std::to_string(pending_.size()) +
                                   " signatures could not be checked: no public key was given "
                                   "and the files hold no checkpoint");
      } else {
        for (const auto& p : pending_) {
          if (!crypto::VerifyEd25519(*result_.public_key, Bytes(p.body), p.sig)) {
            result_.ok = false;
            result_.file = p.file;
            result_.line = p.line;
            result_.reason = "the signature does not match: the record was changed";
            return std::move(result_);
          }
          result_.signatures++;
        }
      }
    }
    if (options_.expected_head && options_.expected_head->seq > 0) {
      const ChainHead& head = *options_.expected_head;
      if (result_.records == 0 || result_.last_seq < head.seq) {
        result_.ok = false;
        result_.file = file_;
        result_.line = line_no_;
        result_.reason = "the log ends at seq " + std::to_string(result_.last_seq) +
                         " but the store recorded seq " + std::to_string(head.seq) +
                         ": records were cut from the end";
        return std::move(result_);
      }
      if (!head_seen_) {
        result_.ok = false;
        result_.file = file_;
        result_.line = 1;
        result_.reason = "the log starts at seq " + std::to_string(result_.first_seq) +
                         ", after the store's recorded seq " + std::to_string(head.seq) +
                         ": the records up to it are missing";
        return std::move(result_);
      }
      if (head_hash_ != head.hash) {
        result_.ok = false;
        result_.file = head_file_;
        result_.line = head_line_;
        result_.reason = "record " + std::to_string(head.seq) +
                         " is not the one the store recorded: the log was replaced";
        return std::move(result_);
      }
    }
    if (result_.after_last_signature > 0) {
      result_.warnings.push_back(std::to_string(result_.after_last_signature) +
                                 " records after the last signature are covered by the hash "
                                 "chain only");
    }
    if (result_.public_key && !result_.public_key_pinned) {
      result_.warnings.push_back(
          "the public key was taken from the log itself: pin it with --public-key");
    }
    return std::move(result_);
  }

 private:
  struct Pending {
    std::string body;
    crypto::Ed25519Signature sig;
    std::string file;
    std::uint64_t line;
  };

  bool Fail(std::string reason) {
    result_.ok = false;
    result_.file = file_;
    result_.line = line_no_;
    result_.reason = std::move(reason);
    return false;
  }

  // CheckApproval re-verifies an officer's approval signature from the
  // evidence in the record, and ties the key to the officer's enrolment
  // when the log holds it: a record with forged evidence fails even where
  // its mac cannot be checked.
  bool CheckApproval(const std::string& body) {
    if (body.find("\"approval\"") == std::string::npos &&
        body.find("\"officer_key\"") == std::string::npos) {
      return true;
    }
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) {
      return true;  // ParseLine already accepted it; nothing here to check
    }
    const auto text_of = [](const nlohmann::json& o, const char* k) {
      return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
    };
    if (j.contains("officer_key") && j["officer_key"].is_object() &&
        text_of(j, "decision") == "allow") {
      officer_keys_[text_of(j["officer_key"], "officer")] = text_of(j["officer_key"], "public_key");
    }
    if (!j.contains("approval") || !j["approval"].is_object()) {
      return true;
    }
    const nlohmann::json& a = j["approval"];
    const std::string officer = text_of(a, "officer");
    if (officer != text_of(j, "principal")) {
      return Fail("an approval's officer is not the principal of its record");
    }
    const std::string key_text = text_of(a, "public_key");
    const std::string text = text_of(a, "text");
    const auto key = crypto::Base64Decode(key_text, 32);
    const auto sig = crypto::Base64Decode(text_of(a, "signature"), 64);
    if (!key.ok() || !sig.ok()) {
      return Fail("an approval's key or signature is not base64");
    }
    const crypto::Sha256Digest digest =
        crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
    if (!crypto::VerifyEd25519(*key, digest, *sig)) {
      return Fail("an officer's approval signature does not verify");
    }
    if (!text.starts_with("keyhold-approval-v1\nrequest:" + text_of(j, "access_request") + "\n")) {
      return Fail("an approval's signed text is for another access request");
    }
    if (const auto it = officer_keys_.find(officer); it != officer_keys_.end()) {
      if (it->second.empty()) {
        return Fail("an approval by an officer removed before it");
      }
      if (it->second != key_text) {
        return Fail("an approval signed with another key than the officer enrolled");
      }
    }
    result_.approvals++;
    return true;
  }

  bool Record(const std::string& line) {
    auto parsed = ParseLine(line);
    if (!parsed.ok()) {
      return Fail("malformed record: " + parsed.error().message);
    }
    const ParsedLine& r = *parsed;
    if (result_.records == 0) {
      result_.first_seq = r.seq;
      if (r.seq == 1) {
        if (r.prev != crypto::Sha256Digest{}) {
          return Fail("the first record of the log must have an all-zero prev");
        }
      } else {
        // Earlier files are absent: allowed once they are past retention.
        const std::int64_t age = options_.now_us - r.time_us;
        if (options_.retention_us > 0 && options_.now_us > 0 && age < options_.retention_us) {
          return Fail("records before seq " + std::to_string(r.seq) +
                      " are missing, and they are younger than the retention floor");
        }
        result_.warnings.push_back("the log starts at seq " + std::to_string(r.seq) +
                                   ": earlier files are not among those given");
      }
    } else {
      if (r.seq != result_.last_seq + 1) {
        return Fail("expected seq " + std::to_string(result_.last_seq + 1) + ", found seq " +
                    std::to_string(r.seq) + " (a record was removed, added or moved)");
      }
      if (r.prev != result_.last_hash) {
        return Fail(
            "prev does not match the record before it (that record was changed, or "
            "this one was moved)");
      }
    }
    if (options_.mac_key != nullptr) {
      if (r.mac) {
        if (!crypto::VerifyHmacSha256(*options_.mac_key, Bytes(r.body), *r.mac)) {
          return Fail("the mac does not match: the record was changed");
        }
        result_.macs++;
      }
    }
    if (!r.mac) {
      result_.unkeyed++;
      if (keyed_ == Keyed::kYes) {
        // Between an unseal and the next seal every record has a mac. A gap
        // without a closing checkpoint is what a killed process leaves, and
        // also what rewriting the records since the last signature would.
        result_.warnings.push_back(
            "seq " + std::to_string(r.seq) + " has no mac although the log was unsealed and " +
            "not sealed since: the service stopped without closing the log (killed?), its " +
            "seal checkpoint could not be written, or the records from here on were rewritten");
        keyed_ = Keyed::kNo;
      }
    }
    if (!CheckApproval(r.body)) {
      return false;
    }
    if (r.type == "checkpoint") {
      keyed_ = r.checkpoint_reason == "seal" || r.checkpoint_reason == "shutdown" ? Keyed::kNo
                                                                                  : Keyed::kYes;
    }
    if (r.type == "checkpoint" && options_.expected_head && r.seq > options_.expected_head->seq) {
      result_.checkpoints_after_head.push_back(r.seq);
    }
    if (r.public_key) {
      if (!result_.public_key) {
        result_.public_key = r.public_key;
      } else if (*result_.public_key != *r.public_key) {
        return Fail(result_.public_key_pinned
                        ? "the checkpoint names another public key than the one pinned"
                        : "the checkpoint names another public key than earlier checkpoints");
      }
    }
    if (r.sig) {
      if (result_.public_key) {
        if (!crypto::VerifyEd25519(*result_.public_key, Bytes(r.body), *r.sig)) {
          return Fail("the signature does not match: the record was changed");
        }
        result_.signatures++;
      } else {
        pending_.push_back({r.body, *r.sig, file_, line_no_});
      }
      result_.after_last_signature = 0;
    } else {
      result_.after_last_signature++;
    }
    result_.records++;
    result_.last_seq = r.seq;
    result_.last_hash = LineHash(line);
    if (options_.expected_head && r.seq == options_.expected_head->seq) {
      head_seen_ = true;
      head_hash_ = result_.last_hash;
      head_file_ = file_;
      head_line_ = line_no_;
    }
    return true;
  }

  const AuditVerifyOptions& options_;
  AuditVerifyResult result_;
  std::vector<Pending> pending_;
  std::string file_;
  std::uint64_t line_no_ = 0;
  // Whether the service held its keys here, as the checkpoints tell.
  enum class Keyed { kUnknown, kYes, kNo };
  Keyed keyed_ = Keyed::kUnknown;
  // Officers' keys as enrolled in the log so far ("" once removed).
  std::map<std::string, std::string> officer_keys_;
  bool head_seen_ = false;
  crypto::Sha256Digest head_hash_{};
  std::string head_file_;
  std::uint64_t head_line_ = 0;
};

}  // namespace

std::string AuditFileName(std::uint64_t first_seq) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "audit-%020llu.jsonl",
                static_cast<unsigned long long>(first_seq));
  return buf;
}

std::optional<std::uint64_t> FirstSeqOfFileName(const std::string& name) {
  constexpr std::string_view kPrefix = "audit-";
  constexpr std::string_view kSuffix = ".jsonl";
  if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (std::size_t i = kPrefix.size(); i < kPrefix.size() + 20; ++i) {
    if (name[i] < '0' || name[i] > '9') {
      return std::nullopt;
    }
    const std::uint64_t digit = static_cast<std::uint64_t>(name[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) {
      return std::nullopt;
    }
    v = v * 10 + digit;
  }
  return v;
}

AuditVerifyResult VerifyAuditFiles(const std::vector<std::filesystem::path>& files,
                                   const AuditVerifyOptions& options) {
  Run run(options);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!run.File(files[i], i + 1 == files.size() ? options.last_file_limit : 0)) {
      break;
    }
  }
  return run.Finish();
}

}  // namespace keyhold::kms
