// GET /v1/audit: the audit log, read back for auditors.
#include "kms/api/handlers.h"
#include "kms/api/requests.h"

namespace keyhold::kms {
namespace {

constexpr std::size_t kMaxAuditPageBytes = 256 * 1024;

}  // namespace

Result<Reply> Handlers::Audit(const Call& call) {
  const Principal& who = *call.principal;
  KEYHOLD_ASSIGN_OR_RETURN(AuditQuery query, DecodeAuditQuery(call.query));
  // An auditor of one tenant reads the records about that tenant's keys;
  // only an auditor of every tenant reads the rest (system records, tokens,
  // unauthenticated calls).
  const std::string_view tenant =
      query.filter.key.empty()
          ? std::string_view(who.tenant)
          : std::string_view(query.filter.key).substr(0, query.filter.key.find('/'));
  KEYHOLD_TRY(Authorize(call.route.access, who, tenant));
  if (who.tenant != kAllTenants) {
    query.filter.tenant = who.tenant;
  }
  if (audit_ == nullptr) {
    return MakeError(ErrorCode::kAuditUnavailable);
  }
  SecureJson records = SecureJson::array();
  std::uint64_t last = query.filter.after_seq;
  std::size_t bytes = 0;
  bool full = false;
  Status read = audit_->Read(query.filter, [&](const AuditEntry& entry) {
    records.push_back(SecureJson::parse(entry.line));
    last = entry.seq;
    // A page holds `limit` records or about 256 KiB, whichever comes first:
    // the answer lives in locked memory like every other body.
    bytes += entry.line.size();
    full = records.size() >= query.limit || bytes >= kMaxAuditPageBytes;
    return !full;
  });
  if (!read.ok()) {
    // The log on disk is damaged: say so, but not where (verify does).
    return MakeError(ErrorCode::kAuditUnavailable,
                     "the audit log cannot be read back; run keyhold audit verify on the host");
  }
  Reply reply;
  reply.body["records"] = std::move(records);
  // A full page may have more after it; the caller continues from here.
  reply.body["next_after"] = full ? SecureJson(last) : SecureJson(nullptr);
  return reply;
}

}  // namespace keyhold::kms
