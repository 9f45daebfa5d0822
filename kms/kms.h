// kms/: the key service: the LMDB store, sealing of the root key, the
// keyring (master keys, versions, lifecycle, wrap/unwrap), the HTTPS server
// and its API (api/, server/), the audit log (audit/), approvals
// (approvals/), BYOK import and export (byok/), and the AWS KMS XKS proxy
// API with its SigV4 credentials (xks/).
//
// Owns all I/O and all state. It may include crypto/, policies/, OpenSSL,
// libsodium, LMDB and the standard library; never cli/ (scripts/check-layers
// enforces this). Time is read only through kms::Clock. Every store write
// is durable when the call that made it returns ok.
#ifndef KEYHOLD_KMS_KMS_H_
#define KEYHOLD_KMS_KMS_H_

#include "kms/clock.h"           // IWYU pragma: export
#include "kms/key_lifecycle.h"   // IWYU pragma: export
#include "kms/key_record.h"      // IWYU pragma: export
#include "kms/key_service.h"     // IWYU pragma: export
#include "kms/keyring.h"         // IWYU pragma: export
#include "kms/record_sealer.h"   // IWYU pragma: export
#include "kms/seal_config.h"     // IWYU pragma: export
#include "kms/seal_manager.h"    // IWYU pragma: export
#include "kms/store.h"           // IWYU pragma: export
#include "kms/usage_budget.h"    // IWYU pragma: export
#include "kms/version_record.h"  // IWYU pragma: export

#endif  // KEYHOLD_KMS_KMS_H_
