#include "kms/api/requests.h"

#include <algorithm>
#include <limits>

#include "crypto/wrapped_blob.h"
#include "kms/api/field_reader.h"
#include "kms/audit/audit_record.h"
#include "policies/time_window.h"

namespace keyhold::kms {
namespace {

constexpr std::size_t kMaxBlob = 2 + 193 + 4 + 32 + 28 + crypto::kMaxWrapPlaintext;
constexpr std::uint64_t kMaxPeriod = 100ULL * 365 * 86400;

Result<std::optional<Justification>> ReadJustification(FieldReader& r) {
  KEYHOLD_ASSIGN_OR_RETURN(const SecureJson* object, r.Object("justification"));
  if (object == nullptr) {
    return std::optional<Justification>();
  }
  FieldReader j(*object);
  Justification out;
  KEYHOLD_ASSIGN_OR_RETURN(out.reason_code, Require(j.String("reason_code", 64), "reason_code"));
  KEYHOLD_ASSIGN_OR_RETURN(auto text, j.String("text", 1024));
  KEYHOLD_TRY(j.Finish());
  if (out.reason_code.empty() ||
      out.reason_code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
          std::string::npos) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'justification.reason_code' must be 1-64 of a-z 0-9 _");
  }
  if (text && !crypto::ValidUtf8(*text)) {
    return MakeError(ErrorCode::kInvalidRequest, "field 'justification.text' must be UTF-8");
  }
  out.text = text.value_or("");
  return std::optional<Justification>(std::move(out));
}

}  // namespace

Status DecodeEmpty(const SecureJson& body) {
  return FieldReader(body).Finish();
}

Result<CreateKeyBody> DecodeCreateKey(const SecureJson& body) {
  FieldReader r(body);
  KEYHOLD_ASSIGN_OR_RETURN(std::string tenant, Require(r.String("tenant", 64), "tenant"));
  KEYHOLD_ASSIGN_OR_RETURN(std::string name, Require(r.String("name", 128), "name"));
  KEYHOLD_ASSIGN_OR_RETURN(auto period, r.Uint("rotation_period_s", 0, kMaxPeriod));
  KEYHOLD_ASSIGN_OR_RETURN(auto exportable, r.Bool("exportable"));
  KEYHOLD_TRY(r.Finish());
  KEYHOLD_ASSIGN_OR_RETURN(crypto::KeyId id, crypto::KeyId::Create(tenant, name));
  return CreateKeyBody{std::move(id), period, exportable.value_or(false)};
}

Result<ImportParamsBody> DecodeImportParams(const SecureJson& body) {
  FieldReader r(body);
  KEYHOLD_ASSIGN_OR_RETURN(auto spec, r.String("wrapping_key_spec", 16));
  KEYHOLD_ASSIGN_OR_RETURN(auto lifetime, r.Uint("valid_for_s", 60, 86400));
  KEYHOLD_TRY(r.Finish());
  ImportParamsBody out;
  if (spec) {
    if (*spec == "RSA_4096") {
      out.key_bits = 4096;
    } else if (*spec != "RSA_3072") {
      return MakeError(ErrorCode::kInvalidRequest,
                       "field 'wrapping_key_spec' must be RSA_3072 or RSA_4096");
    }
  }
  out.lifetime_s = static_cast<std::int64_t>(lifetime.value_or(86400));
  return out;
}

namespace {

Result<crypto::WrappingAlgorithm> ReadWrappingAlgorithm(FieldReader& r) {
  KEYHOLD_ASSIGN_OR_RETURN(std::string name,
                           Require(r.String("wrapping_algorithm", 64), "wrapping_algorithm"));
  auto algorithm = crypto::ParseWrappingAlgorithm(name);
  if (!algorithm.ok()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'wrapping_algorithm' must be RSAES_OAEP_SHA_256 or "
                     "RSA_AES_KEY_WRAP_SHA_256");
  }
  return *algorithm;
}

Result<std::optional<std::uint32_t>> ReadVersion(FieldReader& r) {
  KEYHOLD_ASSIGN_OR_RETURN(auto version,
                           r.Uint("version", 1, std::numeric_limits<std::uint32_t>::max()));
  if (!version) {
    return std::optional<std::uint32_t>();
  }
  return std::optional<std::uint32_t>(static_cast<std::uint32_t>(*version));
}

}  // namespace

Result<ImportBody> DecodeImport(const SecureJson& body) {
  FieldReader r(body);
  ImportBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.import_token, Require(r.String("import_token", 64), "import_token"));
  KEYHOLD_ASSIGN_OR_RETURN(out.algorithm, ReadWrappingAlgorithm(r));
  // RSA-4096 (512 bytes) and a KWP-wrapped 32-byte key (40 bytes), with room.
  KEYHOLD_ASSIGN_OR_RETURN(out.wrapped_material,
                           Require(r.Base64("wrapped_material", 2048), "wrapped_material"));
  KEYHOLD_ASSIGN_OR_RETURN(auto expires, r.String("material_expires_at", 32));
  KEYHOLD_ASSIGN_OR_RETURN(out.version, ReadVersion(r));
  KEYHOLD_ASSIGN_OR_RETURN(auto exportable, r.Bool("exportable"));
  KEYHOLD_TRY(r.Finish());
  if (expires) {
    auto when = policies::ParseUtcTime(*expires);
    if (!when.ok()) {
      return MakeError(
          ErrorCode::kInvalidRequest,
          "field 'material_expires_at' must be a UTC time in the form YYYY-MM-DDTHH:MM:SSZ");
    }
    out.material_expires_at = *when;
  }
  out.exportable = exportable.value_or(false);
  return out;
}

Result<ExportBody> DecodeExport(const SecureJson& body) {
  FieldReader r(body);
  ExportBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.public_key_pem,
                           Require(r.String("public_key", 16384), "public_key"));
  KEYHOLD_ASSIGN_OR_RETURN(out.algorithm, ReadWrappingAlgorithm(r));
  KEYHOLD_ASSIGN_OR_RETURN(out.version, ReadVersion(r));
  KEYHOLD_TRY(r.Finish());
  return out;
}

Result<KeyConfigBody> DecodeKeyConfig(const SecureJson& body) {
  FieldReader r(body);
  KEYHOLD_ASSIGN_OR_RETURN(auto min_version, r.Uint("min_decryption_version", 1,
                                                    std::numeric_limits<std::uint32_t>::max()));
  KEYHOLD_ASSIGN_OR_RETURN(auto period, r.Uint("rotation_period_s", 0, kMaxPeriod));
  KEYHOLD_TRY(r.Finish());
  if (!min_version && !period) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "nothing to change: give min_decryption_version and/or rotation_period_s");
  }
  KeyConfigBody out;
  if (min_version) {
    out.min_decryption_version = static_cast<std::uint32_t>(*min_version);
  }
  out.rotation_period_s = period;
  return out;
}

Result<ScheduleDeletionBody> DecodeScheduleDeletion(const SecureJson& body) {
  FieldReader r(body);
  KEYHOLD_ASSIGN_OR_RETURN(auto days, r.Uint("days", 0, 3650));
  KEYHOLD_TRY(r.Finish());
  ScheduleDeletionBody out;
  if (days) {
    out.days = static_cast<std::uint32_t>(*days);
  }
  return out;
}

Result<WrapBody> DecodeWrap(const SecureJson& body) {
  FieldReader r(body);
  WrapBody out;
  KEYHOLD_ASSIGN_OR_RETURN(
      out.plaintext, Require(r.SecretBase64("plaintext", crypto::kMaxWrapPlaintext), "plaintext"));
  KEYHOLD_ASSIGN_OR_RETURN(out.context, r.Context("context"));
  KEYHOLD_ASSIGN_OR_RETURN(out.justification, ReadJustification(r));
  KEYHOLD_TRY(r.Finish());
  if (out.plaintext.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "field 'plaintext' must not be empty");
  }
  return out;
}

Result<CiphertextBody> DecodeCiphertext(const SecureJson& body) {
  FieldReader r(body);
  CiphertextBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.ciphertext, Require(r.Base64("ciphertext", kMaxBlob), "ciphertext"));
  KEYHOLD_ASSIGN_OR_RETURN(out.context, r.Context("context"));
  KEYHOLD_ASSIGN_OR_RETURN(out.justification, ReadJustification(r));
  KEYHOLD_TRY(r.Finish());
  return out;
}

Result<GenerateDataKeyBody> DecodeGenerateDataKey(const SecureJson& body) {
  FieldReader r(body);
  GenerateDataKeyBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.context, r.Context("context"));
  KEYHOLD_ASSIGN_OR_RETURN(auto include, r.Bool("include_plaintext"));
  KEYHOLD_ASSIGN_OR_RETURN(out.justification, ReadJustification(r));
  KEYHOLD_TRY(r.Finish());
  out.include_plaintext = include.value_or(true);
  return out;
}

Result<InitBody> DecodeInit(const SecureJson& body) {
  FieldReader r(body);
  InitBody out;
  KEYHOLD_ASSIGN_OR_RETURN(std::string method, Require(r.String("method", 32), "method"));
  KEYHOLD_ASSIGN_OR_RETURN(auto count, r.Uint("share_count", 1, 255));
  KEYHOLD_ASSIGN_OR_RETURN(auto threshold, r.Uint("threshold", 1, 255));
  KEYHOLD_ASSIGN_OR_RETURN(auto passphrase, r.SecretString("passphrase", 1024));
  KEYHOLD_TRY(r.Finish());
  if (method == "shamir") {
    out.method = SealMethod::kShamir;
  } else if (method == "passphrase") {
    out.method = SealMethod::kPassphrase;
  } else if (method == "key_file") {
    out.method = SealMethod::kKeyFile;
  } else {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'method' must be \"shamir\", \"passphrase\" or \"key_file\"");
  }
  if ((count || threshold) && out.method != SealMethod::kShamir) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "share_count and threshold apply to the shamir method only");
  }
  if (passphrase.has_value() != (out.method == SealMethod::kPassphrase)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'passphrase' is required for, and only for, the passphrase method");
  }
  out.share_count = static_cast<std::uint8_t>(count.value_or(5));
  out.threshold = static_cast<std::uint8_t>(threshold.value_or(3));
  if (passphrase) {
    out.passphrase = std::move(*passphrase);
  }
  return out;
}

Result<UnsealBody> DecodeUnseal(const SecureJson& body) {
  FieldReader r(body);
  UnsealBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.share, r.SecretString("share", 256));
  KEYHOLD_ASSIGN_OR_RETURN(out.passphrase, r.SecretString("passphrase", 1024));
  KEYHOLD_ASSIGN_OR_RETURN(auto reset, r.Bool("reset"));
  KEYHOLD_TRY(r.Finish());
  out.reset = reset.value_or(false);
  const int given = (out.share ? 1 : 0) + (out.passphrase ? 1 : 0) + (out.reset ? 1 : 0);
  if (given != 1) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "give exactly one of 'share', 'passphrase' or 'reset': true");
  }
  return out;
}

Result<CreateTokenBody> DecodeCreateToken(const SecureJson& body) {
  FieldReader r(body);
  CreateTokenBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.principal, Require(r.String("principal", 128), "principal"));
  KEYHOLD_ASSIGN_OR_RETURN(out.tenant, Require(r.String("tenant", 64), "tenant"));
  KEYHOLD_ASSIGN_OR_RETURN(auto roles, Require(r.StringList("roles", 4, 16), "roles"));
  KEYHOLD_ASSIGN_OR_RETURN(out.ttl_s, r.Uint("ttl_s", 1, 3650ULL * 86400));
  KEYHOLD_TRY(r.Finish());
  std::uint8_t bits = 0;
  for (const auto& name : roles) {
    KEYHOLD_ASSIGN_OR_RETURN(Role role, ParseRole(name));
    bits |= static_cast<std::uint8_t>(role);
  }
  out.roles = RoleSet(bits);
  if (out.roles.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "field 'roles' must name at least one role");
  }
  return out;
}

Result<std::uint64_t> QueryUint(const Query& q, const std::string& name, std::uint64_t fallback,
                                std::uint64_t min, std::uint64_t max) {
  const auto it = q.find(name);
  if (it == q.end()) {
    return fallback;
  }
  const std::string& v = it->second;
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoull(v) < min || std::stoull(v) > max) {
    return MakeError(ErrorCode::kInvalidRequest, "query parameter '" + name + "' must be between " +
                                                     std::to_string(min) + " and " +
                                                     std::to_string(max));
  }
  return std::stoull(v);
}

Result<AuditQuery> DecodeAuditQuery(const Query& query) {
  AuditQuery out;
  for (const auto& [name, value] : query) {
    if (name != "since" && name != "until" && name != "key" && name != "principal" &&
        name != "after" && name != "limit") {
      return MakeError(ErrorCode::kInvalidRequest,
                       "unknown query parameter; use since, until, key, principal, after, limit");
    }
  }
  for (const char* name : {"since", "until"}) {
    if (auto it = query.find(name); it != query.end()) {
      const auto us = ParseAuditTime(it->second);
      if (!us) {
        return MakeError(ErrorCode::kInvalidRequest,
                         std::string("query parameter '") + name +
                             "' must be a UTC time such as 2026-11-24 or 2026-11-24T09:30:00Z");
      }
      (std::string_view(name) == "since" ? out.filter.since_us : out.filter.until_us) = *us;
    }
  }
  if (auto it = query.find("key"); it != query.end()) {
    const std::size_t slash = it->second.find('/');
    if (slash == std::string::npos) {
      return MakeError(ErrorCode::kInvalidKeyId, "query parameter 'key' must be tenant/name");
    }
    KEYHOLD_ASSIGN_OR_RETURN(crypto::KeyId id, crypto::KeyId::Create(it->second.substr(0, slash),
                                                                     it->second.substr(slash + 1)));
    out.filter.key = id.ToString();
  }
  if (auto it = query.find("principal"); it != query.end()) {
    if (it->second.empty() || it->second.size() > 128) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "query parameter 'principal' must be 1 to 128 characters");
    }
    out.filter.principal = it->second;
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      out.filter.after_seq,
      QueryUint(query, "after", 0, 0, std::numeric_limits<std::int64_t>::max()));
  KEYHOLD_ASSIGN_OR_RETURN(out.limit, QueryUint(query, "limit", 100, 1, 1000));
  return out;
}

}  // namespace keyhold::kms

namespace keyhold::kms {

Result<AccessRequestBody> DecodeAccessRequestBody(const SecureJson& body) {
  FieldReader r(body);
  AccessRequestBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.operation, Require(r.String("operation", 64), "operation"));
  KEYHOLD_ASSIGN_OR_RETURN(auto key, r.String("key", 200));
  out.key = key.value_or("");
  KEYHOLD_ASSIGN_OR_RETURN(out.context, r.Context("context"));
  for (const char* field : {"not_before", "not_after"}) {
    KEYHOLD_ASSIGN_OR_RETURN(auto text, r.String(field, 20));
    if (!text) {
      continue;
    }
    auto when = policies::ParseUtcTime(*text);
    if (!when.ok()) {
      return MakeError(ErrorCode::kInvalidRequest, "field '" + std::string(field) +
                                                       "' must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
    }
    (std::string_view(field) == "not_before" ? out.not_before : out.not_after) = *when;
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto justification, ReadJustification(r));
  KEYHOLD_TRY(r.Finish());
  if (!justification) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'justification' is required: {\"reason_code\", \"text\"}");
  }
  out.justification = std::move(*justification);
  return out;
}

Result<ApproveBody> DecodeApprove(const SecureJson& body) {
  FieldReader r(body);
  ApproveBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.signature, Require(r.Base64("signature", 64), "signature"));
  KEYHOLD_ASSIGN_OR_RETURN(auto comment, r.String("comment", 1024));
  out.comment = comment.value_or("");
  KEYHOLD_TRY(r.Finish());
  if (out.signature.size() != 64) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'signature' must be the base64 of a 64-byte Ed25519 signature");
  }
  return out;
}

Result<DenyBody> DecodeDeny(const SecureJson& body) {
  FieldReader r(body);
  DenyBody out;
  KEYHOLD_ASSIGN_OR_RETURN(out.comment, Require(r.String("comment", 1024), "comment"));
  KEYHOLD_TRY(r.Finish());
  return out;
}

Result<EnrolOfficerBody> DecodeEnrolOfficer(const SecureJson& body) {
  FieldReader r(body);
  EnrolOfficerBody out;
  KEYHOLD_ASSIGN_OR_RETURN(auto key, Require(r.Base64("public_key", 32), "public_key"));
  KEYHOLD_TRY(r.Finish());
  if (key.size() != 32) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "field 'public_key' must be the base64 of a 32-byte Ed25519 public key");
  }
  std::copy(key.begin(), key.end(), out.public_key.begin());
  return out;
}

}  // namespace keyhold::kms
