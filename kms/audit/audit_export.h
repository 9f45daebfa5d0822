// AuditExport: audit records in the forms SIEMs read, for `keyhold audit
// export` and the syslog sink.
//
//   jsonl   the stored line itself, byte for byte (still verifiable)
//   cef     ArcSight Common Event Format, one line per record
//   syslog  RFC 5424, facility 13 (log audit), the stored line as MSG
//
// Pure formatting: no I/O. Thread-safe (no state).
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_EXPORT_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_EXPORT_H_

#include <string>
#include <string_view>

#include "crypto/error.h"
#include "kms/audit/audit_reader.h"

namespace keyhold::kms {

enum class AuditExportFormat { kJsonl, kCef, kSyslog };

// ParseAuditExportFormat maps "jsonl", "cef" or "syslog"; kInvalidRequest
// otherwise.
Result<AuditExportFormat> ParseAuditExportFormat(std::string_view name);

// FormatAuditCef renders one record as a CEF line (no newline).
std::string FormatAuditCef(const AuditEntry& entry);

// FormatAuditSyslog renders one record as an RFC 5424 message (no newline):
// `hostname` and `app_name` go into the header, replaced by "-" unless they
// are 1 to 255 (48 for app_name) printable ASCII characters without spaces.
std::string FormatAuditSyslog(const AuditEntry& entry, std::string_view hostname,
                              std::string_view app_name = "keyhold");

// FormatAuditExport is one of the three, by format.
std::string FormatAuditExport(const AuditEntry& entry, AuditExportFormat format,
                              std::string_view hostname);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_EXPORT_H_
