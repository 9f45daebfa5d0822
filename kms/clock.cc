#include "kms/clock.h"

#include <ctime>

namespace keyhold::kms {

std::int64_t SystemClock::NowSeconds() const {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::int64_t SystemClock::NowMicros() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1'000;
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace keyhold::kms
