#include "bench/open_loop.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace keyhold::bench {

using Clock = std::chrono::steady_clock;

int RunOpenLoop(const OpenLoopOptions& o, const Send& send) {
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<long> errors{0};
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto interval = std::chrono::duration<double>(o.connections / o.rate);
  const long per_connection = static_cast<long>(o.rate * o.seconds / o.connections);

  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      client::ClientOptions co;
      co.address = o.address;
      co.ca_file = o.ca_file;
      co.timeout_s = 10;
      auto http = client::HttpsClient::Create(co);
      if (!http.ok()) {
        errors += per_connection;
        return;
      }
      std::vector<double> mine;
      mine.reserve(static_cast<std::size_t>(per_connection));
      // Connections start spread over one interval, not all at once.
      const auto offset = std::chrono::duration_cast<Clock::duration>(interval * c / o.connections);
      for (long i = 0; i < per_connection; ++i) {
        const auto due =
            start + offset +
            std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        auto r = send(**http);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        if (!r.ok() || r->status != 200) {
          if (errors++ == 0) {
            if (r.ok()) {
              std::fprintf(stderr, "status %d: %.*s\n", r->status, static_cast<int>(r->body.size()),
                           r->body.data());
            } else {
              std::fprintf(stderr, "error: %s\n", r.error().message.c_str());
            }
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

}  // namespace keyhold::bench
