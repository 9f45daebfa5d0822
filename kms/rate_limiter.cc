#include "kms/rate_limiter.h"

#include <algorithm>

namespace keyhold::kms {
namespace {
constexpr std::int64_t kWindowMs = 60'000;
}  // namespace

bool FailureLimiter::Blocked(std::string_view client, std::int64_t now_ms,
                             std::int64_t* retry_after_s) {
  std::lock_guard lock(mu_);
  const auto it = windows_.find(client);
  if (it == windows_.end() || now_ms - it->second.start_ms >= kWindowMs ||
      now_ms < it->second.start_ms || it->second.failures < max_failures_) {
    return false;
  }
  *retry_after_s =
      std::max<std::int64_t>(1, (it->second.start_ms + kWindowMs - now_ms + 999) / 1000);
  return true;
}

void FailureLimiter::RecordFailure(std::string_view client, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(client);
  if (it == windows_.end()) {
    if (windows_.size() >= max_clients_) {
      // Evict the stalest window: an attacker spreading over many addresses
      // cannot grow this map, only push out old entries.
      auto stalest = std::min_element(
          windows_.begin(), windows_.end(),
          [](const auto& a, const auto& b) { return a.second.start_ms < b.second.start_ms; });
      windows_.erase(stalest);
    }
    it = windows_.emplace(std::string(client), Window{now_ms, 0}).first;
  }
  Window& w = it->second;
  // A clock that steps back starts a new window rather than extending one.
  if (now_ms - w.start_ms >= kWindowMs || now_ms < w.start_ms) {
    w = Window{now_ms, 0};
  }
  ++w.failures;
}

}  // namespace keyhold::kms
