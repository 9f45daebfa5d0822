// XksRequest: the JSON bodies of the AWS KMS XKS proxy API v1, decoded
// (docs/xks.md; spec notes ../shared/xks-spec.md sections 2-3).
//
// Untrusted input. As the spec asks, unknown fields are tolerated (AWS
// adds fields over time) and an unknown kmsOperation is accepted (policies
// may still refuse it); kmsRequestId is opaque. Everything read is checked
// for type and bound: a malformed field is kInvalidRequest naming the field
// (ValidationException), a well-formed one beyond Keyhold's limits, which
// are above the spec's minimums, is kPayloadTooLarge
// (UnsupportedOperationException), except an IV, tag or ciphertextMetadata
// of the wrong size, which is kInvalidCiphertext as the spec says. Base64
// is the strict standard alphabet.
// Plaintext goes straight into guarded memory. Thread-safe (functions only).
#ifndef KEYHOLD_KMS_XKS_XKS_REQUEST_H_
#define KEYHOLD_KMS_XKS_XKS_REQUEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/api/json.h"

namespace keyhold::kms {

// Keyhold's limits (the spec's minimums: 4,300-byte plaintext, 8,192-byte
// AAD, 2,048-character ARNs). AWS KMS's encryption context, which becomes
// the AAD, is itself at most 8,192 characters. At these limits a request
// fits the default body limit (limits.max_body_bytes, 32 KiB).
inline constexpr std::size_t kXksMaxPlaintext = 8192;
inline constexpr std::size_t kXksMaxAadBytes = 8192;
inline constexpr std::size_t kXksMaxArn = 2048;
inline constexpr std::size_t kXksMaxToken = 256;  // request id, operation, VPC names

enum class XksOperation : std::uint8_t { kMetadata, kEncrypt, kDecrypt, kHealth };

struct XksRequestMetadata {
  std::string aws_principal_arn;  // required except for health
  std::string aws_source_vpc;     // optional ones: empty when absent
  std::string aws_source_vpce;
  std::string kms_key_arn;  // required for encrypt and decrypt
  std::string kms_operation;
  std::string kms_request_id;
  std::string kms_via_service;
};

struct XksEncryptRequest {
  XksRequestMetadata metadata;
  crypto::SecretBytes plaintext;
  std::vector<std::uint8_t> aad;
  bool integrity_value = false;  // ciphertextDataIntegrityValueAlgorithm SHA_256
};

struct XksDecryptRequest {
  XksRequestMetadata metadata;
  std::vector<std::uint8_t> ciphertext;
  std::vector<std::uint8_t> ciphertext_metadata;
  std::vector<std::uint8_t> aad;
  std::vector<std::uint8_t> tag;
  std::vector<std::uint8_t> iv;
};

// DecodeXksMetadata reads requestMetadata with the fields `op` requires.
Result<XksRequestMetadata> DecodeXksMetadata(const SecureJson& body, XksOperation op);
Result<XksEncryptRequest> DecodeXksEncrypt(const SecureJson& body);
Result<XksDecryptRequest> DecodeXksDecrypt(const SecureJson& body);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_XKS_XKS_REQUEST_H_
