#include "policies/rotation.h"

#include <gtest/gtest.h>

#include <limits>

namespace keyhold::policies {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000;
constexpr std::uint64_t kDay = 86400;

struct Case {
  const char* name;
  RotationFacts facts;
  std::uint64_t threshold;
  std::int64_t now;
  RotationReason want;
};

TEST(RotationDue, Table) {
  const Case cases[] = {
      {"disabled key never rotates",
       {false, kT0, kDay, 1ULL << 40},
       10,
       kT0 + 10 * kDay,
       RotationReason::kNotDue},
      {"no period, no use", {true, kT0, 0, 0}, 10, kT0 + 1000 * kDay, RotationReason::kNotDue},
      {"period not yet over", {true, kT0, kDay, 0}, 10, kT0 + kDay - 1, RotationReason::kNotDue},
      {"period exactly over", {true, kT0, kDay, 0}, 10, kT0 + kDay, RotationReason::kPeriod},
      {"period long over", {true, kT0, kDay, 0}, 10, kT0 + 50 * kDay, RotationReason::kPeriod},
      {"clock went back", {true, kT0, kDay, 0}, 10, kT0 - 5 * kDay, RotationReason::kNotDue},
      {"budget one below", {true, kT0, 0, 9}, 10, kT0, RotationReason::kNotDue},
      {"budget reached", {true, kT0, 0, 10}, 10, kT0, RotationReason::kEncryptionBudget},
      {"budget wins over period",
       {true, kT0, kDay, 11},
       10,
       kT0 + 2 * kDay,
       RotationReason::kEncryptionBudget},
      {"huge period no overflow",
       {true, kT0, std::numeric_limits<std::uint64_t>::max(), 0},
       10,
       std::numeric_limits<std::int64_t>::max(),
       RotationReason::kNotDue},
      {"negative last rotation", {true, -100, 50, 0}, 10, -40, RotationReason::kPeriod},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RotationDue(c.facts, RotationLimits{c.threshold}, c.now), c.want) << c.name;
  }
}

TEST(RotationDue, DefaultThresholdIsTwoToThirty) {
  EXPECT_EQ(RotationLimits{}.rotate_after_encryptions, 1ULL << 30);
}

TEST(RotationReasonName, AllNamed) {
  EXPECT_EQ(RotationReasonName(RotationReason::kNotDue), "not_due");
  EXPECT_EQ(RotationReasonName(RotationReason::kPeriod), "period");
  EXPECT_EQ(RotationReasonName(RotationReason::kEncryptionBudget), "encryption_budget");
}

}  // namespace
}  // namespace keyhold::policies
