// FailureLimiter: slows down guessing. Counts failed authentications and
// unseal attempts per client address in one-minute windows; a client over
// its budget is answered 429 until its window ends. Bounded memory: at most
// `max_clients` addresses are tracked, the stalest window evicted first.
// Time is passed in (milliseconds). Thread-safe.
#ifndef KEYHOLD_KMS_RATE_LIMITER_H_
#define KEYHOLD_KMS_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace keyhold::kms {

class FailureLimiter {
 public:
  FailureLimiter(std::uint32_t max_failures_per_minute, std::size_t max_clients = 10'000)
      : max_failures_(max_failures_per_minute), max_clients_(max_clients) {}

  // Blocked reports whether `client` used up its failures this window; if
  // so, `*retry_after_s` is the rest of the window.
  bool Blocked(std::string_view client, std::int64_t now_ms, std::int64_t* retry_after_s);
  // RecordFailure counts one failure for `client`.
  void RecordFailure(std::string_view client, std::int64_t now_ms);

 private:
  struct Window {
    std::int64_t start_ms = 0;
    std::uint32_t failures = 0;
  };
  std::uint32_t max_failures_;
  std::size_t max_clients_;
  std::mutex mu_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_RATE_LIMITER_H_
