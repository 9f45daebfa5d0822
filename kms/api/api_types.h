// ApiRequest and ApiResponse: one HTTP request as the API sees it, and its
// answer, with no transport in between (kms/api/api.h, kms/xks/xks_api.h).
#ifndef KEYHOLD_KMS_API_API_TYPES_H_
#define KEYHOLD_KMS_API_API_TYPES_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/secure_allocator.h"
#include "kms/audit/audit_record.h"

namespace keyhold::kms {

struct ApiRequest {
  std::string_view method;
  std::string_view target;         // path and query, as sent
  std::string_view content_type;   // the header's value, may be empty
  std::string_view body;           // views a guarded buffer
  std::string_view authorization;  // the header's value (guarded), may be empty
  std::string_view grant;          // X-Keyhold-Grant, may be empty
  // Every header field (name as sent, value), for SigV4 (the XKS API).
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::optional<std::string> client_identity;  // verified client certificate identity
  std::string peer;                            // client IP address
  std::string request_id;
};

struct ApiResponse {
  int status = 200;
  crypto::SecureString body;
  std::string content_type = "application/json";
  // The request's audit record: the server writes the response only once
  // it is durable. Absent for the probes (health, seal-status, metrics).
  std::optional<AuditEvent> audit;
  std::string allow;        // 405: the allowed method
  std::string retry_after;  // 429 and 503: seconds
  bool xks = false;         // an XKS answer: its errors take the XKS form
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_API_TYPES_H_
