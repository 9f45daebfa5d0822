#include "kms/clock.h"

#include <ctime>

namespace keyhold::kms {

std::int64_t SystemClock::NowSeconds() const {
  return static_cast<std::int64_t>(std::time(nullptr));
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace keyhold::kms
