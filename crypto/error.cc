#include "crypto/error.h"

#include <array>
#include <cstdio>  // layer-check: allow (fatal diagnostic just before abort)
#include <cstdlib>

#include "crypto/check.h"

namespace keyhold {
namespace {

// Safe texts are generic on purpose: they are what an API caller sees when the
// code that failed has nothing more specific and harmless to say.
constexpr std::array kCatalogue = {
    ErrorInfo{ErrorCode::kInvalidRequest, "invalid_request", 400, true, "the request is invalid"},
    ErrorInfo{ErrorCode::kInvalidKeyId, "invalid_key_id", 400, true,
              "the key id is not of the form TENANT/NAME"},
    ErrorInfo{ErrorCode::kInvalidContext, "invalid_context", 400, true,
              "the encryption context is invalid"},
    ErrorInfo{ErrorCode::kInvalidCiphertext, "invalid_ciphertext", 400, true,
              "the ciphertext cannot be unwrapped with this key and context"},
    ErrorInfo{ErrorCode::kInvalidShare, "invalid_share", 400, true, "the unseal share is invalid"},
    ErrorInfo{ErrorCode::kUnsealFailed, "unseal_failed", 400, true,
              "the unseal credential does not open this store"},
    ErrorInfo{ErrorCode::kDevModeOnly, "dev_mode_only", 400, true,
              "this is allowed only in development mode"},
    ErrorInfo{ErrorCode::kUnauthenticated, "unauthenticated", 401, true,
              "a valid credential is required"},
    ErrorInfo{ErrorCode::kForbidden, "forbidden", 403, true,
              "the credential does not allow this operation"},
    ErrorInfo{ErrorCode::kPolicyDenied, "policy_denied", 403, true,
              "a policy does not allow this operation"},
    ErrorInfo{ErrorCode::kApprovalRequired, "approval_required", 403, true,
              "this operation needs an approved access request"},
    ErrorInfo{ErrorCode::kResidencyViolation, "residency_violation", 403, true,
              "the tenant's keys may not be used in this instance's region"},
    ErrorInfo{ErrorCode::kApprovalRefused, "approval_refused", 403, true,
              "this officer may not approve or deny this request"},
    ErrorInfo{ErrorCode::kInvalidSignature, "invalid_signature", 400, true,
              "the approval signature does not verify"},
    ErrorInfo{ErrorCode::kRequestClosed, "request_closed", 409, true,
              "the access request is no longer pending"},
    ErrorInfo{ErrorCode::kKeyNotFound, "key_not_found", 404, true, "no such key"},
    ErrorInfo{ErrorCode::kNotFound, "not_found", 404, true, "not found"},
    ErrorInfo{ErrorCode::kMethodNotAllowed, "method_not_allowed", 405, true,
              "this method is not allowed on this path"},
    ErrorInfo{ErrorCode::kKeyExists, "key_exists", 409, true, "a key with this id already exists"},
    ErrorInfo{ErrorCode::kInvalidKeyState, "invalid_key_state", 409, true,
              "the key's state does not allow this operation"},
    ErrorInfo{ErrorCode::kAlreadyInitialized, "already_initialized", 409, true,
              "the store is already initialised"},
    ErrorInfo{ErrorCode::kNotInitialized, "not_initialized", 503, false,
              "the store is not initialised"},
    ErrorInfo{ErrorCode::kPayloadTooLarge, "payload_too_large", 413, true,
              "the request is larger than allowed"},
    ErrorInfo{ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415, true,
              "the request body must be application/json"},
    ErrorInfo{ErrorCode::kRateLimited, "rate_limited", 429, true,
              "too many requests; try again later"},
    ErrorInfo{ErrorCode::kSealed, "sealed", 503, false, "the service is sealed"},
    ErrorInfo{ErrorCode::kEncryptionLimitReached, "encryption_limit_reached", 503, false,
              "the key version reached its encryption limit and must rotate"},
    ErrorInfo{ErrorCode::kStoreFull, "store_full", 503, false,
              "the key store is full; raise store.map_size_mib"},
    ErrorInfo{ErrorCode::kStoreLocked, "store_locked", 503, false,
              "the key store is in use by another process"},
    ErrorInfo{ErrorCode::kStoreCorrupt, "store_corrupt", 500, false,
              "the key store failed an integrity check"},
    ErrorInfo{ErrorCode::kStoreUnavailable, "store_unavailable", 503, false,
              "the key store cannot be read or written"},
    ErrorInfo{ErrorCode::kAuditUnavailable, "audit_unavailable", 503, false,
              "the audit record could not be made durable; nothing was released"},
    ErrorInfo{ErrorCode::kCryptoFailure, "crypto_failure", 500, false,
              "a cryptographic operation failed"},
    ErrorInfo{ErrorCode::kInvalidConfig, "invalid_config", 500, false,
              "the configuration is invalid"},
    ErrorInfo{ErrorCode::kInvalidPolicy, "invalid_policy", 400, true, "the policy is invalid"},
    // Local only: the client library's file and stream I/O (client/fd_io.h).
    ErrorInfo{ErrorCode::kIoError, "io_error", 500, false,
              "a file or stream could not be read or written"},
    ErrorInfo{ErrorCode::kInternal, "internal", 500, false, "internal error"},
};

}  // namespace

std::span<const ErrorInfo> ErrorCatalogue() {
  return kCatalogue;
}

const ErrorInfo& Info(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  KEYHOLD_CHECK(index < kCatalogue.size() && kCatalogue[index].code == code);
  return kCatalogue[index];
}

const Error& Status::error() const {
  if (ok_) {
    DieOnBadResultAccess(false);
  }
  return error_;
}

void DieOnBadResultAccess(bool wanted_ok) {
  internal::CheckFailed(wanted_ok ? "value() of a failed Result" : "error() of an ok Result",
                        __FILE__, __LINE__);
}

namespace internal {
void CheckFailed(const char* condition, const char* file, int line) {
  // No allocation and no formatting of program data: only the literal
  // condition text, which never holds a secret.
  std::fprintf(stderr, "keyhold: internal check failed: %s (%s:%d)\n",  // layer-check: allow
               condition, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace keyhold
