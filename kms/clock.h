// Clock: where kms/ reads the time, so tests (and faketime runs) control it.
// policies/ and crypto/ never read a clock; kms/ passes them the time.
// Thread-safe.
#ifndef KEYHOLD_KMS_CLOCK_H_
#define KEYHOLD_KMS_CLOCK_H_

#include <cstdint>

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

// SystemClock reads CLOCK_REALTIME (so faketime affects it, on purpose).
class SystemClock final : public Clock {
 public:
  std::int64_t NowSeconds() const override;
  std::int64_t NowMicros() const override;
  // Instance returns a process-wide SystemClock.
  static const SystemClock& Instance();
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_CLOCK_H_
