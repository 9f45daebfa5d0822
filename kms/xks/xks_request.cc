#include "kms/xks/xks_request.h"

#include <algorithm>

#include "kms/api/field_reader.h"

namespace keyhold::kms {
namespace {

// Base64Chars is the length of the padded encoding of `bytes` bytes.
constexpr std::size_t Base64Chars(std::size_t bytes) {
  return (bytes + 2) / 3 * 4;
}

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

Error Invalid(std::string_view field, std::string_view what) {
  return MakeError(ErrorCode::kInvalidRequest,
                   "field '" + std::string(field) + "' must be " + std::string(what));
}

// Text reads a string field of printable ASCII (ARNs, ids, names).
Result<std::string> Text(FieldReader& r, std::string_view name, std::size_t max, bool required) {
  KEYHOLD_ASSIGN_OR_RETURN(auto value, r.String(name, max));
  if (!value) {
    if (required) {
      return Invalid(name, "present");
    }
    return std::string();
  }
  if (value->empty() || !Printable(*value)) {
    return Invalid(name, "1-" + std::to_string(max) + " printable ASCII characters");
  }
  return std::move(*value);
}

Error TooLarge(std::string_view name, std::size_t max) {
  return MakeError(ErrorCode::kPayloadTooLarge, "field '" + std::string(name) +
                                                    "' is over Keyhold's limit of " +
                                                    std::to_string(max) + " bytes");
}

// Bounded refuses a base64 field longer than the encoding of `max` bytes
// before decoding it: such a field, if canonical, decodes to more than
// `max` bytes. A shorter one decodes to at most `max + 2` (the decoder's
// bound), and its size is checked against `max` after. Over the limit is
// beyond Keyhold's limit, not malformed.
Status Bounded(const SecureJson& body, std::string_view name, std::size_t max) {
  const auto it = body.find(crypto::SecureString(name.begin(), name.end()));
  if (it != body.end() && it->is_string() &&
      it->get_ref<const crypto::SecureString&>().size() > Base64Chars(max)) {
    return TooLarge(name, max);
  }
  return Status::Ok();
}

Result<std::vector<std::uint8_t>> Bytes(FieldReader& r, const SecureJson& body,
                                        std::string_view name, std::size_t max, bool required) {
  KEYHOLD_TRY(Bounded(body, name, max));
  KEYHOLD_ASSIGN_OR_RETURN(auto value, r.Base64(name, max + 2));
  if (!value) {
    if (required) {
      return Invalid(name, "present");
    }
    return std::vector<std::uint8_t>();
  }
  if (value->size() > max) {
    return TooLarge(name, max);
  }
  return std::move(*value);
}

Status RequireAesGcm(FieldReader& r) {
  KEYHOLD_ASSIGN_OR_RETURN(auto algorithm, r.String("encryptionAlgorithm", 32));
  if (!algorithm || *algorithm != "AES_GCM") {
    return Invalid("encryptionAlgorithm", "AES_GCM");
  }
  return Status::Ok();
}

}  // namespace

Result<XksRequestMetadata> DecodeXksMetadata(const SecureJson& body, XksOperation op) {
  if (!body.is_object()) {
    return Invalid("body", "a JSON object");
  }
  FieldReader top(body);
  KEYHOLD_ASSIGN_OR_RETURN(const SecureJson* meta, top.Object("requestMetadata"));
  if (meta == nullptr) {
    return Invalid("requestMetadata", "present");
  }
  FieldReader r(*meta);
  const bool health = op == XksOperation::kHealth;
  const bool crypto_call = op == XksOperation::kEncrypt || op == XksOperation::kDecrypt;
  XksRequestMetadata out;
  KEYHOLD_ASSIGN_OR_RETURN(out.kms_request_id, Text(r, "kmsRequestId", kXksMaxToken, true));
  KEYHOLD_ASSIGN_OR_RETURN(out.kms_operation, Text(r, "kmsOperation", kXksMaxToken, true));
  if (health) {
    return out;  // health reads nothing else, and is authorised by SigV4 alone
  }
  KEYHOLD_ASSIGN_OR_RETURN(out.aws_principal_arn, Text(r, "awsPrincipalArn", kXksMaxArn, true));
  KEYHOLD_ASSIGN_OR_RETURN(out.kms_key_arn, Text(r, "kmsKeyArn", kXksMaxArn, crypto_call));
  KEYHOLD_ASSIGN_OR_RETURN(out.aws_source_vpc, Text(r, "awsSourceVpc", kXksMaxToken, false));
  KEYHOLD_ASSIGN_OR_RETURN(out.aws_source_vpce, Text(r, "awsSourceVpce", kXksMaxToken, false));
  KEYHOLD_ASSIGN_OR_RETURN(out.kms_via_service, Text(r, "kmsViaService", kXksMaxToken, false));
  return out;
}

Result<XksEncryptRequest> DecodeXksEncrypt(const SecureJson& body) {
  XksEncryptRequest out;
  KEYHOLD_ASSIGN_OR_RETURN(out.metadata, DecodeXksMetadata(body, XksOperation::kEncrypt));
  FieldReader r(body);
  KEYHOLD_TRY(RequireAesGcm(r));
  KEYHOLD_TRY(Bounded(body, "plaintext", kXksMaxPlaintext));
  KEYHOLD_ASSIGN_OR_RETURN(auto plaintext, r.SecretBase64("plaintext", kXksMaxPlaintext + 2));
  if (!plaintext) {
    return Invalid("plaintext", "present");
  }
  if (plaintext->size() > kXksMaxPlaintext) {
    return TooLarge("plaintext", kXksMaxPlaintext);
  }
  out.plaintext = std::move(*plaintext);
  KEYHOLD_ASSIGN_OR_RETURN(out.aad,
                           Bytes(r, body, "additionalAuthenticatedData", kXksMaxAadBytes, false));
  KEYHOLD_ASSIGN_OR_RETURN(auto cdiv, r.String("ciphertextDataIntegrityValueAlgorithm", 32));
  if (cdiv && *cdiv != "SHA_256") {
    return Invalid("ciphertextDataIntegrityValueAlgorithm", "SHA_256");
  }
  out.integrity_value = cdiv.has_value();
  return out;
}

Result<XksDecryptRequest> DecodeXksDecrypt(const SecureJson& body) {
  XksDecryptRequest out;
  KEYHOLD_ASSIGN_OR_RETURN(out.metadata, DecodeXksMetadata(body, XksOperation::kDecrypt));
  FieldReader r(body);
  KEYHOLD_TRY(RequireAesGcm(r));
  KEYHOLD_ASSIGN_OR_RETURN(out.ciphertext, Bytes(r, body, "ciphertext", kXksMaxPlaintext, true));
  KEYHOLD_ASSIGN_OR_RETURN(out.aad,
                           Bytes(r, body, "additionalAuthenticatedData", kXksMaxAadBytes, false));
  // Their sizes are fixed (or bounded) by the format: a wrong one is a
  // ciphertext that cannot be Keyhold's, not a limit.
  const auto sized = [&](std::string_view name, std::size_t max, bool required,
                         std::vector<std::uint8_t>* out_bytes) -> Status {
    auto bytes = Bytes(r, body, name, max, required);
    if (!bytes.ok()) {
      return bytes.error().code == ErrorCode::kPayloadTooLarge
                 ? MakeError(ErrorCode::kInvalidCiphertext)
                 : bytes.error();
    }
    *out_bytes = std::move(bytes).value();
    return Status::Ok();
  };
  KEYHOLD_TRY(sized("ciphertextMetadata", 255, false, &out.ciphertext_metadata));
  KEYHOLD_TRY(sized("authenticationTag", 64, true, &out.tag));
  KEYHOLD_TRY(sized("initializationVector", 64, true, &out.iv));
  return out;
}

}  // namespace keyhold::kms
