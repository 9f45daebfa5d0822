// OpenLoop: the load driver behind bench/xks_load and bench/unwrap_load.
// It sends requests at a fixed total rate over keep-alive TLS 1.3
// connections (one thread each) for a fixed time, and measures each
// latency from when the request was due, not when it was sent: a slow
// answer that delays the next request counts against the server (no
// coordinated omission, the flaw of closed-loop tools such as wrk).
// Bounded in time; meant for loopback. May include: std, client/.
#ifndef KEYHOLD_BENCH_OPEN_LOOP_H_
#define KEYHOLD_BENCH_OPEN_LOOP_H_

#include <functional>
#include <string>

#include "client/https_client.h"

namespace keyhold::bench {

struct OpenLoopOptions {
  std::string address;  // https://HOST:PORT
  std::string ca_file;
  double rate = 1000;  // requests per second, all connections together
  int seconds = 10;
  int connections = 16;
};

// Send makes one request on `client` and returns its answer.
using Send = std::function<Result<client::HttpResult>(client::HttpsClient& client)>;

// RunOpenLoop drives the load, then prints the requests answered 200, the
// errors, the achieved rate and the latency p50, p99, p99.9 and max in
// milliseconds. Returns 0 when every answer was 200, else 2.
int RunOpenLoop(const OpenLoopOptions& options, const Send& send);

}  // namespace keyhold::bench

#endif  // KEYHOLD_BENCH_OPEN_LOOP_H_
