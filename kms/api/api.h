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
#include "kms/api/api_types.h"
#include "kms/api/handlers.h"
#include "kms/audit/audit_log.h"
#include "kms/clock.h"
#include "kms/config.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/rate_limiter.h"
#include "kms/xks/xks_api.h"

namespace keyhold::kms {

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
  XksApi xks_;
  FailureLimiter limiter_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_API_H_
