// Clock: where kms/ reads the time, so tests (and faketime runs) control it.
// policies/ and crypto/ never read a clock; kms/ passes them the time.
// Thread-safe.
#ifndef KEYHOLD_KMS_CLOCK_H_
#define KEYHOLD_KMS_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <limits>

namespace keyhold::kms {

class Clock {
 public:
  virtual ~Clock() = default;
  // NowSeconds returns the current Unix time in seconds.
  virtual std::int64_t NowSeconds() const = 0;
  // NowMicros returns the current Unix time in microseconds (for audit
  // timestamps); a clock that only knows seconds gives whole seconds.
  virtual std::int64_t NowMicros() const { return NowSeconds() * 1'000'000; }
};

// ForwardOnlyTime turns pairs of readings (wall clock, monotonic clock)
// into a time that follows the wall clock when it steps forward and ignores
// it when it steps back: after a step back it keeps counting from where it
// was at the monotonic clock's rate, until the wall clock catches up.
//
// Why: grant lifetimes, deletion windows and token expiries are stored as
// wall-clock instants. A wall clock set back by an hour would otherwise
// lengthen every live grant by an hour; stepping forward (NTP catching up,
// faketime) only ever shortens them, which is the safe side. A step forward
// is honoured because the service cannot tell a correction from an attack,
// and refusing it would keep expired grants alive instead.
//
// Thread-safe and lock-free. A reading from one thread is never earlier
// than an earlier reading from the same thread.
class ForwardOnlyTime {
 public:
  // Now returns the time for the readings, in the wall clock's unit.
  std::int64_t Now(std::int64_t wall, std::int64_t monotonic) {
    // The answer is monotonic + the largest (wall - monotonic) seen so far:
    // a step back lowers (wall - monotonic), so the maximum ignores it.
    const std::int64_t offset = wall - monotonic;
    std::int64_t best = best_offset_.load(std::memory_order_relaxed);
    while (offset > best &&
           !best_offset_.compare_exchange_weak(best, offset, std::memory_order_relaxed)) {
    }
    return monotonic + (offset > best ? offset : best);
  }

 private:
  std::atomic<std::int64_t> best_offset_{std::numeric_limits<std::int64_t>::min()};
};

// SystemClock reads CLOCK_REALTIME (so faketime affects it, on purpose)
// through ForwardOnlyTime, with CLOCK_BOOTTIME as the monotonic clock (it
// counts suspended time, as a wall clock does). Within one process it never
// goes back; a restart starts again from the wall clock (docs/operations.md,
// "The clock").
class SystemClock final : public Clock {
 public:
  std::int64_t NowSeconds() const override;
  std::int64_t NowMicros() const override;
  // Instance returns a process-wide SystemClock.
  static const SystemClock& Instance();

 private:
  mutable ForwardOnlyTime time_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_CLOCK_H_
