// UsageBudget: counts the encryptions of one key version so that it never
// exceeds its AES-GCM limit, across restarts and crashes (DESIGN.md
// invariant 8).
//
// With random 96-bit nonces one key may perform at most 2^32 encryptions
// (NIST SP 800-38D, 8.3). Counting every wrap durably would cost one fsync
// per wrap, so counts are reserved in blocks: before the in-memory count
// passes the durable reservation, a larger reservation is made durable
// first. After a crash the count resumes at the reservation, so the rest of
// the block is skipped and no count is ever reused. A version reaching
// `rotate_after` is reported due for rotation (policies/rotation.h); at
// `max` it refuses to encrypt. Thread-safe.
#ifndef KEYHOLD_KMS_USAGE_BUDGET_H_
#define KEYHOLD_KMS_USAGE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "crypto/error.h"

namespace keyhold::kms {

struct BudgetLimits {
  std::uint64_t rotate_after = std::uint64_t{1} << 30;  // rotation is due from here
  std::uint64_t max = std::uint64_t{1} << 32;           // hard stop; never above 2^32
  std::uint64_t block = std::uint64_t{1} << 16;         // counts reserved per durable write
};

// ValidateBudgetLimits refuses limits that could break the invariant:
// max above 2^32, rotate_after above max, a zero block or a zero max.
Status ValidateBudgetLimits(const BudgetLimits& limits);

class UsageBudget {
 public:
  // PersistFn makes a new reservation durable; an error leaves the budget as
  // it was, and the encryption is refused.
  using PersistFn = std::function<Status(std::uint64_t new_reserved)>;

  // A budget resuming from a durable reservation: the count starts there.
  explicit UsageBudget(std::uint64_t reserved) : used_(reserved), reserved_(reserved) {}

  // Take accounts for one encryption, reserving a new block through
  // `persist` when needed. Fails with kEncryptionLimitReached at `limits.max`.
  Status Take(const BudgetLimits& limits, const PersistFn& persist);

  // used is the number of encryptions counted (including skipped counts).
  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t reserved() const;

 private:
  mutable std::mutex mu_;
  std::atomic<std::uint64_t> used_;
  std::uint64_t reserved_;  // guarded by mu_
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_USAGE_BUDGET_H_
