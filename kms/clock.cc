#include "kms/clock.h"

#include <ctime>

namespace keyhold::kms {
namespace {

std::int64_t Micros(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1'000;
}

}  // namespace

// Seconds come from the same reading as microseconds: time(2) may lag
// CLOCK_REALTIME by up to a tick, which would put an audit record's
// microseconds in a second the service had not reached yet.
std::int64_t SystemClock::NowSeconds() const {
  const std::int64_t us = NowMicros();
  return us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
}

std::int64_t SystemClock::NowMicros() const {
  return time_.Now(Micros(CLOCK_REALTIME), Micros(CLOCK_BOOTTIME));
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace keyhold::kms
