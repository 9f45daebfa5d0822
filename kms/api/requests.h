// Typed API requests and their strict decoders: each turns a parsed JSON
// body into one struct, checking every field and refusing unknown ones.
// Pure functions (no I/O), which is what the request fuzzer drives.
// docs/api.md is the authority for every field.
#ifndef KEYHOLD_KMS_API_REQUESTS_H_
#define KEYHOLD_KMS_API_REQUESTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/key_transport.h"
#include "crypto/secret_bytes.h"
#include "kms/api/json.h"
#include "kms/audit/audit_reader.h"
#include "kms/auth/roles.h"
#include "kms/seal_config.h"

namespace keyhold::kms {

// Justification: why a caller uses a key (recorded by the audit log).
// reason_code is 1-64 of [a-z0-9_]; text at most 1024 bytes.
struct Justification {
  std::string reason_code;
  std::string text;
};

struct CreateKeyBody {
  crypto::KeyId id;
  std::optional<std::uint64_t> rotation_period_s;
  bool exportable = false;
};

// POST /v1/keys/{tenant}/{name}/import-params.
struct ImportParamsBody {
  std::uint32_t key_bits = 3072;    // wrapping_key_spec RSA_3072 | RSA_4096
  std::int64_t lifetime_s = 86400;  // valid_for_s, 60 s to 24 h
};

// POST /v1/keys/{tenant}/{name}/import.
struct ImportBody {
  std::string import_token;
  crypto::WrappingAlgorithm algorithm = crypto::WrappingAlgorithm::kRsaAesKeyWrapSha256;
  std::vector<std::uint8_t> wrapped_material;
  std::int64_t material_expires_at = 0;  // 0: never
  std::optional<std::uint32_t> version;
  bool exportable = false;
};

// POST /v1/keys/{tenant}/{name}/export.
struct ExportBody {
  std::string public_key_pem;
  crypto::WrappingAlgorithm algorithm = crypto::WrappingAlgorithm::kRsaAesKeyWrapSha256;
  std::optional<std::uint32_t> version;
};

struct KeyConfigBody {
  std::optional<std::uint32_t> min_decryption_version;
  std::optional<std::uint64_t> rotation_period_s;
};

struct ScheduleDeletionBody {
  std::optional<std::uint32_t> days;
};

struct WrapBody {
  crypto::SecretBytes plaintext;  // 1-4096 bytes
  crypto::EncryptionContext context;
  std::optional<Justification> justification;
};

// Unwrap and rewrap take the same fields.
struct CiphertextBody {
  std::vector<std::uint8_t> ciphertext;
  crypto::EncryptionContext context;
  std::optional<Justification> justification;
};

struct GenerateDataKeyBody {
  crypto::EncryptionContext context;
  bool include_plaintext = true;
  std::optional<Justification> justification;
};

struct InitBody {
  SealMethod method = SealMethod::kShamir;
  std::uint8_t share_count = 5;
  std::uint8_t threshold = 3;
  crypto::SecretBytes passphrase;
};

struct UnsealBody {
  std::optional<crypto::SecretBytes> share;
  std::optional<crypto::SecretBytes> passphrase;
  bool reset = false;
};

// POST /v1/requests. Times are unix seconds, converted from UTC text.
struct AccessRequestBody {
  std::string operation;
  std::string key;  // "tenant/name"; empty for admin operations
  crypto::EncryptionContext context;
  std::optional<std::int64_t> not_before;
  std::optional<std::int64_t> not_after;
  Justification justification;  // required
};

struct ApproveBody {
  std::vector<std::uint8_t> signature;  // 64 bytes
  std::string comment;
};

struct DenyBody {
  std::string comment;
};

struct EnrolOfficerBody {
  crypto::Ed25519PublicKey public_key{};
};

struct CreateTokenBody {
  std::string principal;
  std::string tenant;
  RoleSet roles;
  std::optional<std::uint64_t> ttl_s;
};

Result<CreateKeyBody> DecodeCreateKey(const SecureJson& body);
Result<ImportParamsBody> DecodeImportParams(const SecureJson& body);
Result<ImportBody> DecodeImport(const SecureJson& body);
Result<ExportBody> DecodeExport(const SecureJson& body);
Result<KeyConfigBody> DecodeKeyConfig(const SecureJson& body);
Result<ScheduleDeletionBody> DecodeScheduleDeletion(const SecureJson& body);
Result<WrapBody> DecodeWrap(const SecureJson& body);
Result<CiphertextBody> DecodeCiphertext(const SecureJson& body);
Result<GenerateDataKeyBody> DecodeGenerateDataKey(const SecureJson& body);
Result<InitBody> DecodeInit(const SecureJson& body);
Result<UnsealBody> DecodeUnseal(const SecureJson& body);
Result<CreateTokenBody> DecodeCreateToken(const SecureJson& body);
Result<AccessRequestBody> DecodeAccessRequestBody(const SecureJson& body);
Result<ApproveBody> DecodeApprove(const SecureJson& body);
Result<DenyBody> DecodeDeny(const SecureJson& body);
Result<EnrolOfficerBody> DecodeEnrolOfficer(const SecureJson& body);
// DecodeEmpty accepts only {} (for actions such as rotate or seal).
Status DecodeEmpty(const SecureJson& body);

// Query strings (already split by ParseQuery).
using Query = std::map<std::string, std::string>;

// QueryUint reads `name` as a decimal in [min, max], `fallback` if absent.
Result<std::uint64_t> QueryUint(const Query& query, const std::string& name, std::uint64_t fallback,
                                std::uint64_t min, std::uint64_t max);

// AuditQuery is GET /v1/audit's query: since and until (times as
// ParseAuditTime reads them), key ("tenant/name"), principal, after (a seq)
// and limit (1-1000, default 100). Unknown parameters are refused.
struct AuditQuery {
  AuditFilter filter;
  std::uint64_t limit = 100;
};
Result<AuditQuery> DecodeAuditQuery(const Query& query);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_REQUESTS_H_
