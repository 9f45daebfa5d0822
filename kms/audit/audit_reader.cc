#include "kms/audit/audit_reader.h"

#include <fstream>

#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"

namespace keyhold::kms {
namespace {

std::string Field(const nlohmann::json& record, const char* name) {
  auto it = record.find(name);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// EntryOf completes a line ParseLine has already taken apart.
Result<AuditEntry> EntryOf(const ParsedLine& parsed, std::string line) {
  AuditEntry entry;
  entry.seq = parsed.seq;
  entry.time_us = parsed.time_us;
  try {
    entry.record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kInvalidRequest, "the record is not valid JSON");
  }
  entry.line = std::move(line);
  return entry;
}

}  // namespace

Result<AuditEntry> ParseAuditEntry(std::string line) {
  KEYHOLD_ASSIGN_OR_RETURN(ParsedLine parsed, ParseLine(line));
  return EntryOf(parsed, std::move(line));
}

bool AuditFilter::Matches(const AuditEntry& e) const {
  if (e.seq <= after_seq || e.time_us < since_us || e.time_us >= until_us) {
    return false;
  }
  if (!key.empty() && Field(e.record, "key") != key) {
    return false;
  }
  if (!tenant.empty() && !Field(e.record, "key").starts_with(tenant + "/")) {
    return false;
  }
  return principal.empty() || Field(e.record, "principal") == principal;
}

Status ReadAuditFiles(const std::vector<std::filesystem::path>& files, const AuditFilter& filter,
                      std::uint64_t last_file_limit,
                      const std::function<bool(const AuditEntry&)>& each) {
  bool chained = false;
  std::uint64_t last_seq = 0;
  crypto::Sha256Digest last_hash{};
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i + 1 < files.size()) {
      const auto next_first = FirstSeqOfFileName(files[i + 1].filename().string());
      if (next_first && *next_first <= filter.after_seq + 1) {
        chained = false;  // every record here is at or before after_seq
        continue;
      }
    }
    std::ifstream in(files[i], std::ios::binary);
    if (!in) {
      return MakeError(ErrorCode::kInvalidRequest, "cannot read " + files[i].string());
    }
    const bool last = i + 1 == files.size();
    std::uint64_t read = 0;
    std::uint64_t line_no = 0;
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) {
        break;  // no newline yet: a record still being written
      }
      read += line.size() + 1;
      if (last && last_file_limit != 0 && read > last_file_limit) {
        break;  // past the last durable record
      }
      ++line_no;
      const auto bad = [&](const std::string& why) {
        return MakeError(ErrorCode::kInvalidRequest,
                         files[i].string() + ":" + std::to_string(line_no) + ": " + why);
      };
      auto parsed = ParseLine(line);
      if (!parsed.ok()) {
        return bad(parsed.error().message);
      }
      if (chained && (parsed->seq != last_seq + 1 || parsed->prev != last_hash)) {
        return bad("the hash chain breaks here (run keyhold audit verify)");
      }
      chained = true;
      last_seq = parsed->seq;
      last_hash = LineHash(line);
      if (parsed->seq <= filter.after_seq) {
        continue;
      }
      auto entry = EntryOf(*parsed, std::move(line));
      if (!entry.ok()) {
        return bad(entry.error().message);
      }
      if (filter.Matches(*entry) && !each(*entry)) {
        return Status::Ok();
      }
    }
  }
  return Status::Ok();
}

}  // namespace keyhold::kms
