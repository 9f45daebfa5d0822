// ManualClock: a kms::Clock that tests move by hand. Header-only so that
// testlib does not depend on kms/. Thread-safe.
#ifndef KEYHOLD_TESTS_TESTLIB_MANUAL_CLOCK_H_
#define KEYHOLD_TESTS_TESTLIB_MANUAL_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "kms/clock.h"

namespace keyhold::testing {

class ManualClock final : public kms::Clock {
 public:
  explicit ManualClock(std::int64_t start = 1'800'000'000) : now_(start) {}
  std::int64_t NowSeconds() const override { return now_.load(); }
  void Set(std::int64_t t) { now_.store(t); }
  void Advance(std::int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_MANUAL_CLOCK_H_
