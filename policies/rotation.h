// Rotation rule: whether a key is due for a new version, as a pure function
// of the key's rotation facts and the current time (passed in, never read).
// A key rotates when its period has elapsed since the last rotation, or when
// its primary version has performed the configured number of encryptions
// (the AES-GCM budget, see DESIGN.md invariant 8). Only enabled keys rotate
// automatically. Thread-safe. May include: std, crypto/error.h.
#ifndef KEYHOLD_POLICIES_ROTATION_H_
#define KEYHOLD_POLICIES_ROTATION_H_

#include <cstdint>
#include <string_view>

namespace keyhold::policies {

struct RotationFacts {
  bool enabled = false;
  std::int64_t last_rotated_at = 0;       // unix seconds
  std::uint64_t rotation_period_s = 0;    // 0: no periodic rotation
  std::uint64_t primary_encryptions = 0;  // encryptions by the primary version
};

struct RotationLimits {
  // Rotate once the primary version has done this many encryptions.
  std::uint64_t rotate_after_encryptions = std::uint64_t{1} << 30;
};

enum class RotationReason : std::uint8_t { kNotDue, kPeriod, kEncryptionBudget };

// RotationDue returns why the key must rotate at `now`, or kNotDue. If the
// clock went back (now < last_rotated_at) the period is not due: a clock
// step never causes an early rotation.
RotationReason RotationDue(const RotationFacts& facts, const RotationLimits& limits,
                           std::int64_t now);

std::string_view RotationReasonName(RotationReason reason);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_ROTATION_H_
