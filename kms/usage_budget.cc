#include "kms/usage_budget.h"

#include <algorithm>

namespace keyhold::kms {

Status ValidateBudgetLimits(const BudgetLimits& limits) {
  if (limits.max == 0 || limits.max > (std::uint64_t{1} << 32)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the encryption limit per key version must be between 1 and 2^32");
  }
  if (limits.rotate_after == 0 || limits.rotate_after > limits.max) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the rotation threshold must be between 1 and the encryption limit");
  }
  if (limits.block == 0) {
    return MakeError(ErrorCode::kInvalidRequest, "the reservation block must be at least 1");
  }
  return Status::Ok();
}

Status UsageBudget::Take(const BudgetLimits& limits, const PersistFn& persist) {
  std::lock_guard lock(mu_);
  const std::uint64_t used = used_.load(std::memory_order_relaxed);
  if (used >= limits.max) {
    return MakeError(ErrorCode::kEncryptionLimitReached);
  }
  if (used >= reserved_) {
    const std::uint64_t next = std::min(limits.max, reserved_ + limits.block);
    KEYHOLD_TRY(persist(next));
    reserved_ = next;
  }
  used_.store(used + 1, std::memory_order_relaxed);
  return Status::Ok();
}

std::uint64_t UsageBudget::reserved() const {
  std::lock_guard lock(mu_);
  return reserved_;
}

}  // namespace keyhold::kms
