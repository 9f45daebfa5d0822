// Api: one HTTP request in, one response out, with no transport in between.
//
// Order of checks, each a JSON error with its status: route (404, 405),
// query string (400), content type of a body (415), sealed or uninitialised
// service for anything but public routes (503), credential (401, or 403 for
// a valid client certificate bound to nothing), then the handler, which
// checks the body (400) and authorisation against the key's tenant (403);
// the tenant comes from the path, or from the body for POST /v1/keys. An
// address over its failure budget gets 429 instead of any answer that does
// not follow a valid credential (see Handle). Every answer carries the
// request id; every request is logged once (request_id, principal, route,
// status, duration_us) and counted in the metrics. Bodies and headers are
// never logged. Thread-safe.
#ifndef KEYHOLD_KMS_API_API_H_
#define KEYHOLD_KMS_API_API_H_

#include <optional>
#include <string>
#include <string_view>

#include "crypto/secure_allocator.h"
#include "kms/api/handlers.h"
#include "kms/audit/audit_log.h"
#include "kms/clock.h"
#include "kms/config.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/rate_limiter.h"

namespace keyhold::kms {

struct ApiRequest {
  std::string_view method;
  std::string_view target;                     // path and query, as sent
  std::string_view content_type;               // the header's value, may be empty
  std::string_view body;                       // views a guarded buffer
  std::string_view authorization;              // the header's value (guarded), may be empty
  std::string_view grant;                      // X-Keyhold-Grant, may be empty
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
};

class Api {
 public:
  // `policies` (never null) holds the policies in force. `audit` (may be
  // null only in tests that need no audit) provides the
  // context digest and whether the log is healthy: while it is not, every
  // audited request is refused with 503 before it acts. A route that changes
  // stored state first appends an intent record and waits until it is
  // durable, so that no change ever stands without a record, even when its
  // outcome record then fails.
  Api(KeyService* service, const Config* config, Logger* logger, Metrics* metrics,
      const Clock* clock, AuditLog* audit, PolicyStore* policies);

  ApiResponse Handle(const ApiRequest& request);

  // Reject answers a request the transport refused before it was complete
  // (413 body too large, 400 malformed HTTP), logging and counting it like
  // any other.
  ApiResponse Reject(const Error& error, std::string_view method, std::string_view target,
                     const std::string& peer, const std::string& request_id);

  // AuditFailed replaces `response` when its audit record could not be made
  // durable: 503 audit_unavailable, logged and counted; the original body
  // (which may hold a data key) is dropped.
  ApiResponse AuditFailed(const ApiResponse& response, const Error& error,
                          const std::string& request_id);

  // NewRequestId returns 32 hex characters from the CSPRNG.
  static std::string NewRequestId();

 private:
  Result<Reply> Dispatch(const ApiRequest& request, const RouteMatch& route,
                         std::optional<Principal>* principal, AuditFacts* facts);
  Result<Principal> Authenticate(const ApiRequest& request);
  ApiResponse Finish(const ApiRequest& request, std::string_view route, const Principal* who,
                     Result<Reply> reply, std::int64_t started_us, std::string allow,
                     const RouteMatch* match = nullptr, const AuditFacts* facts = nullptr);
  AuditEvent MakeAuditEvent(const ApiRequest& request, std::string_view route, const Principal* who,
                            int status, const Error* error, std::int64_t duration_us,
                            const RouteMatch* match, const AuditFacts* facts) const;

  KeyService* service_;
  const Config* config_;
  Logger* logger_;
  Metrics* metrics_;
  const Clock* clock_;
  AuditLog* audit_;
  Handlers handlers_;
  FailureLimiter limiter_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_API_H_
