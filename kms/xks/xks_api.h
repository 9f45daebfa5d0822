// XksApi: the AWS KMS External Key Store (XKS) proxy API v1 over Keyhold's
// keys (docs/xks.md; spec notes ../shared/xks-spec.md).
//
// Every path containing /kms/xks/v1 is XKS's: under a configured key
// store's prefix, POST .../health and POST .../keys/{externalKeyId}/
// {metadata,encrypt,decrypt}; another method on those is 405, any other
// path 404 InvalidUriPathException. Answers and errors are the spec's
// ({"errorName", "errorMessage"}, messages printable ASCII under 512).
//
// Order of checks: route; the key store's client certificate identity (if
// it sets one); SigV4 (a live credential of this key store, an accepted
// region, within 5 minutes); the body; the external key id; residency and
// the policies (all but health), with the caller's principal ARN and
// requestMetadata as facts; the key usage; then the operation. One policy
// set and one audit log serve local and AWS callers: every call, allowed or
// not, gets an audit record with its kmsRequestId, durable before the
// answer, and one log line. Plaintext and AAD are never logged. Thread-safe.
#ifndef KEYHOLD_KMS_XKS_XKS_API_H_
#define KEYHOLD_KMS_XKS_XKS_API_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "kms/api/api_types.h"
#include "kms/clock.h"
#include "kms/config.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/policy_store.h"

namespace keyhold::kms {

// kXksHealthMaxAge: a health answer reuses a deep check at most this old.
inline constexpr std::int64_t kXksHealthMaxAgeS = 60;

class XksApi {
 public:
  // All pointers must outlive the API.
  XksApi(KeyService* service, const Config* config, Logger* logger, Metrics* metrics,
         const Clock* clock, PolicyStore* policies);

  // Owns reports whether `path` belongs to the XKS API.
  static bool Owns(std::string_view path);

  ApiResponse Handle(const ApiRequest& request);

  // Reject answers, in XKS's format, a request the transport refused.
  static ApiResponse Reject(const Error& error);

 private:
  struct Health {
    bool ok = false;
    std::int64_t checked_at = 0;
  };
  // DeepHealth encrypts and decrypts with the health key (made on first
  // use), at most once per kXksHealthMaxAgeS.
  bool DeepHealth();

  KeyService* service_;
  const Config* config_;
  Logger* logger_;
  Metrics* metrics_;
  const Clock* clock_;
  PolicyStore* policies_;
  std::mutex health_mu_;
  Health health_;  // guarded by health_mu_
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_XKS_XKS_API_H_
