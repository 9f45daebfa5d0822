// Metrics: what GET /metrics serves, in Prometheus text format
// (prometheus-cpp core for the model and the serializer; Beast serves it).
//
//   keyhold_http_requests_total{route,status}      counter
//   keyhold_http_request_duration_seconds{route}   histogram
//   keyhold_sealed, keyhold_initialized            gauges (0/1)
//   keyhold_keys                                   gauge: keys in the store
//   keyhold_key_version_encryptions{key,version}   gauge: per version in use
//   keyhold_rotations_total{reason}                counter (scheduler)
//
// Labels hold route templates, status codes, key ids and numbers, never a
// secret. Thread-safe.
#ifndef KEYHOLD_KMS_METRICS_H_
#define KEYHOLD_KMS_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

#include "kms/key_service.h"

namespace keyhold::kms {

class Metrics {
 public:
  Metrics();

  void ObserveRequest(std::string_view route, int status, double seconds);
  void CountRotation(std::string_view reason);

  // Render returns the exposition text, reading the service's state now.
  std::string Render(const KeyService& service);

 private:
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& rotations_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_METRICS_H_
