// AuditHead: the audit chain head as the store keeps it (meta table, key
// "audit_head", a sealed record: u8 1 | u64 seq | 32-byte hash). Sealed like
// every record, so it cannot be forged or moved without the root key; an
// older copy of the store carries an older head, which is how a restored
// store is told apart from a log cut at its end. Thread-safe.
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_HEAD_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_HEAD_H_

#include "crypto/error.h"
#include "kms/audit/audit_verifier.h"
#include "kms/record_sealer.h"
#include "kms/store.h"

namespace keyhold::kms {

// LoadAuditHead returns the stored head, or seq 0 when none was saved yet;
// kStoreCorrupt if the record does not open.
Result<ChainHead> LoadAuditHead(Store& store, const RecordSealer& sealer);

// SaveAuditHead stores `head` durably (one LMDB commit).
Status SaveAuditHead(Store& store, const RecordSealer& sealer, const ChainHead& head);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_HEAD_H_
