// xks_load: open-loop load on an XKS encrypt route, as AWS KMS would send
// it: every request signed with SigV4 (service kms-xks-proxy) over its own
// keep-alive TLS 1.3 connection, at a fixed total rate for a fixed time.
// Latency is measured from when a request was due, not when it was sent,
// so a slow answer that delays the next request counts against the server
// (no coordinated omission). Prints achieved rate, errors and p50, p99,
// p99.9 and max in milliseconds. Bounded in time; loopback only.
//
// Usage: xks_load ADDR CACERT PATH ACCESS_KEY_ID SECRET RATE SECONDS CONNECTIONS
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/https_client.h"
#include "kms/xks/sigv4.h"

namespace {

using Clock = std::chrono::steady_clock;
using keyhold::client::HttpsClient;

struct Args {
  std::string addr, cacert, path, akid, secret;
  double rate = 1800;
  int seconds = 30;
  int connections = 16;
};

// The body AWS KMS sends for GenerateDataKey: a 32-byte data key.
std::string Body() {
  return R"({"requestMetadata":{"awsPrincipalArn":"arn:aws:iam::111122223333:role/bench",)"
         R"("kmsKeyArn":"arn:aws:kms:us-east-1:111122223333:key/bench","kmsOperation":)"
         R"("GenerateDataKey","kmsRequestId":"00000000-0000-0000-0000-000000000000"},)"
         R"("plaintext":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",)"
         R"("additionalAuthenticatedData":"YmVuY2g=","encryptionAlgorithm":"AES_GCM",)"
         R"("ciphertextDataIntegrityValueAlgorithm":"SHA_256"})";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(
        stderr, "usage: xks_load ADDR CACERT PATH ACCESS_KEY_ID SECRET RATE SECONDS CONNECTIONS\n");
    return 1;
  }
  Args a{
      argv[1],           argv[2], argv[3], argv[4], argv[5], std::atof(argv[6]), std::atoi(argv[7]),
      std::atoi(argv[8])};
  const std::string host = a.addr.substr(a.addr.find("://") + 3);
  const std::string body = Body();
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<long> errors{0};
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto interval = std::chrono::duration<double>(a.connections / a.rate);
  const long per_connection = static_cast<long>(a.rate * a.seconds / a.connections);

  std::vector<std::thread> threads;
  for (int c = 0; c < a.connections; ++c) {
    threads.emplace_back([&, c] {
      keyhold::client::ClientOptions o;
      o.address = a.addr;
      o.ca_file = a.cacert;
      o.timeout_s = 10;
      auto client = HttpsClient::Create(o);
      if (!client.ok()) {
        errors += per_connection;
        return;
      }
      std::vector<double> mine;
      mine.reserve(static_cast<std::size_t>(per_connection));
      // Connections start spread over one interval, not all at once.
      const auto offset = std::chrono::duration_cast<Clock::duration>(interval * c / a.connections);
      for (long i = 0; i < per_connection; ++i) {
        const auto due =
            start + offset +
            std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        const std::string date = *keyhold::kms::xks::FormatAmzDate(std::time(nullptr));
        const std::vector<std::pair<std::string_view, std::string_view>> headers = {
            {"Host", host}, {"X-Amz-Date", date}, {"Content-Type", "application/json"}};
        auto auth = keyhold::kms::xks::Sign({"POST", a.path, "", headers, body}, a.akid, a.secret,
                                            "us-east-1", "kms-xks-proxy", date);
        auto r = (*client)->Request(
            "POST", a.path, body, {{"Host", host}, {"X-Amz-Date", date}, {"Authorization", *auth}});
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        if (!r.ok() || r->status != 200) {
          ++errors;
          if (i == 0 && r.ok()) {
            std::fprintf(stderr, "status %d: %.*s\n", r->status, static_cast<int>(r->body.size()),
                         r->body.data());
          }
          continue;
        }
        mine.push_back(ms);
      }
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto pct = [&](double p) {
    if (latencies_ms.empty()) {
      return 0.0;
    }
    const auto i =
        static_cast<std::size_t>(p / 100.0 * static_cast<double>(latencies_ms.size() - 1));
    return latencies_ms[i];
  };
  std::printf("requests %zu, errors %ld, rate %.0f/s over %.1f s\n", latencies_ms.size(),
              errors.load(), static_cast<double>(latencies_ms.size()) / elapsed, elapsed);
  std::printf("latency ms: p50 %.2f p99 %.2f p99.9 %.2f max %.2f\n", pct(50), pct(99), pct(99.9),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  return errors.load() == 0 ? 0 : 2;
}
