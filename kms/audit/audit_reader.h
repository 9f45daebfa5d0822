// AuditReader: reads records back out of the log for `keyhold audit export`,
// `keyhold audit tail` and GET /v1/audit.
//
// It checks the hash chain as it reads (seq runs on by one, each prev is
// the hash of the line before), so an export of a damaged log stops at the
// damage instead of passing it on; macs and signatures are the verifier's
// job (kms/audit/audit_verifier.h). Reads files; no other I/O.
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_READER_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_READER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/error.h"

namespace keyhold::kms {

// AuditEntry is one record read back.
struct AuditEntry {
  std::string line;       // as stored, without the newline
  nlohmann::json record;  // the whole line parsed, mac and sig included
  std::uint64_t seq = 0;
  std::int64_t time_us = 0;
};

// ParseAuditEntry takes one stored line apart (kInvalidRequest if it is not
// a well-formed record).
Result<AuditEntry> ParseAuditEntry(std::string line);

// AuditFilter selects records; empty strings select everything.
struct AuditFilter {
  std::int64_t since_us = std::numeric_limits<std::int64_t>::min();  // time >= since
  std::int64_t until_us = std::numeric_limits<std::int64_t>::max();  // time < until
  std::string key;                                                   // exactly this "tenant/name"
  std::string tenant;     // records about this tenant's keys only
  std::string principal;  // exactly this principal
  std::uint64_t after_seq = 0;

  bool Matches(const AuditEntry& entry) const;
};

// ReadAuditFiles calls `each` for every record of `files` (chain order) that
// `filter` selects, until `each` returns false. Files wholly before
// `filter.after_seq` (by their names) are skipped unread. When
// `last_file_limit` is non-zero, only that many bytes of the last file are
// read. kInvalidRequest naming file and line if a line is malformed or the
// chain breaks.
Status ReadAuditFiles(const std::vector<std::filesystem::path>& files, const AuditFilter& filter,
                      std::uint64_t last_file_limit,
                      const std::function<bool(const AuditEntry&)>& each);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_READER_H_
