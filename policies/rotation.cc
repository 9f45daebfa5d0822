#include "policies/rotation.h"

namespace keyhold::policies {

RotationReason RotationDue(const RotationFacts& facts, const RotationLimits& limits,
                           std::int64_t now) {
  if (!facts.enabled) {
    return RotationReason::kNotDue;
  }
  if (facts.primary_encryptions >= limits.rotate_after_encryptions) {
    return RotationReason::kEncryptionBudget;
  }
  if (facts.rotation_period_s > 0 && now >= facts.last_rotated_at) {
    // Unsigned arithmetic on the elapsed time: no overflow for any period.
    const auto elapsed =
        static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(facts.last_rotated_at);
    if (elapsed >= facts.rotation_period_s) {
      return RotationReason::kPeriod;
    }
  }
  return RotationReason::kNotDue;
}

std::string_view RotationReasonName(RotationReason reason) {
  switch (reason) {
    case RotationReason::kNotDue:
      return "not_due";
    case RotationReason::kPeriod:
      return "period";
    case RotationReason::kEncryptionBudget:
      return "encryption_budget";
  }
  return "unknown";
}

}  // namespace keyhold::policies
