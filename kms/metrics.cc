#include "kms/metrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <vector>

namespace keyhold::kms {
namespace {

const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return kBuckets;
}

prometheus::MetricFamily Gauge(std::string name, std::string help) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Gauge;
  return f;
}

void AddGauge(prometheus::MetricFamily* f, double value,
              std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f->metric.push_back(std::move(m));
}

}  // namespace

Metrics::Metrics()
    : requests_(prometheus::BuildCounter()
                    .Name("keyhold_http_requests_total")
                    .Help("HTTP requests by route template and status code")
                    .Register(registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("keyhold_http_request_duration_seconds")
                   .Help("Time to handle a request, from parsed request to response")
                   .Register(registry_)),
      rotations_(prometheus::BuildCounter()
                     .Name("keyhold_rotations_total")
                     .Help("Automatic key rotations by reason")
                     .Register(registry_)) {}

void Metrics::ObserveRequest(std::string_view route, int status, double seconds) {
  requests_.Add({{"route", std::string(route)}, {"status", std::to_string(status)}}).Increment();
  latency_.Add({{"route", std::string(route)}}, Buckets()).Observe(seconds);
}

void Metrics::CountRotation(std::string_view reason) {
  rotations_.Add({{"reason", std::string(reason)}}).Increment();
}

std::string Metrics::Render(const KeyService& service) {
  std::vector<prometheus::MetricFamily> families = registry_.Collect();
  const SealStatus status = service.seal_status();
  auto sealed = Gauge("keyhold_sealed", "1 while the service is sealed");
  AddGauge(&sealed, status.sealed ? 1 : 0);
  families.push_back(std::move(sealed));
  auto initialized = Gauge("keyhold_initialized", "1 once the store is initialised");
  AddGauge(&initialized, status.initialized ? 1 : 0);
  families.push_back(std::move(initialized));
  if (auto ring = service.keyring(); ring.ok()) {
    auto keys = Gauge("keyhold_keys", "Keys in the store, destroyed ones included");
    if (auto count = (*ring)->KeyCount(); count.ok()) {
      AddGauge(&keys, static_cast<double>(*count));
    }
    families.push_back(std::move(keys));
    auto usage = Gauge("keyhold_key_version_encryptions",
                       "Encryptions counted against each key version in use (AES-GCM budget)");
    for (const VersionUsage& u : (*ring)->LoadedVersionUsage()) {
      AddGauge(&usage, static_cast<double>(u.encryptions),
               {{"key", u.id.ToString()}, {"version", std::to_string(u.version)}});
    }
    families.push_back(std::move(usage));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace keyhold::kms
