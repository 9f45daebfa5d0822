#include "kms/usage_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace keyhold::kms {
namespace {

// A durable counter stand-in: what the persist callback was asked to record.
struct Persisted {
  std::vector<std::uint64_t> writes;
  bool fail = false;
  UsageBudget::PersistFn Fn() {
    return [this](std::uint64_t r) -> Status {
      if (fail) {
        return MakeError(ErrorCode::kStoreUnavailable, "disk gone");
      }
      writes.push_back(r);
      return Status::Ok();
    };
  }
};

TEST(UsageBudget, ReservesBlocksBeforeCounting) {
  Persisted p;
  UsageBudget b(0);
  const BudgetLimits limits{8, 20, 5};
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(b.Take(limits, p.Fn()).ok());
    // Invariant: the durable reservation always covers the count.
    ASSERT_FALSE(p.writes.empty());
    EXPECT_LE(b.used(), p.writes.back());
  }
  EXPECT_EQ(p.writes, (std::vector<std::uint64_t>{5, 10, 15}));
  EXPECT_EQ(b.used(), 12u);
  EXPECT_EQ(b.reserved(), 15u);
}

TEST(UsageBudget, RefusesAtMaxAndNeverReservesBeyond) {
  Persisted p;
  UsageBudget b(0);
  const BudgetLimits limits{3, 7, 5};
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(b.Take(limits, p.Fn()).ok()) << i;
  }
  auto s = b.Take(limits, p.Fn());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kEncryptionLimitReached);
  EXPECT_EQ(p.writes, (std::vector<std::uint64_t>{5, 7}));
  EXPECT_EQ(b.used(), 7u);
}

TEST(UsageBudget, RestartSkipsRestOfBlockNeverReuses) {
  Persisted p;
  UsageBudget before(0);
  const BudgetLimits limits{100, 1000, 10};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(before.Take(limits, p.Fn()).ok());
  }
  // "Crash": only the durable reservation survives.
  UsageBudget after(p.writes.back());
  EXPECT_EQ(after.used(), 10u);
  EXPECT_GE(after.used(), before.used());
  ASSERT_TRUE(after.Take(limits, p.Fn()).ok());
  EXPECT_EQ(p.writes.back(), 20u);
  EXPECT_EQ(after.used(), 11u);
}

TEST(UsageBudget, ResumingAtMaxRefusesImmediately) {
  Persisted p;
  UsageBudget b(7);
  auto s = b.Take(BudgetLimits{3, 7, 5}, p.Fn());
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(p.writes.empty());
}

TEST(UsageBudget, PersistFailureRefusesAndCountsNothing) {
  Persisted p;
  p.fail = true;
  UsageBudget b(0);
  auto s = b.Take(BudgetLimits{3, 7, 5}, p.Fn());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kStoreUnavailable);
  EXPECT_EQ(b.used(), 0u);
  EXPECT_EQ(b.reserved(), 0u);
  p.fail = false;
  EXPECT_TRUE(b.Take(BudgetLimits{3, 7, 5}, p.Fn()).ok());
}

TEST(UsageBudget, ConcurrentTakesCountExactly) {
  std::mutex mu;
  std::vector<std::uint64_t> writes;
  UsageBudget b(0);
  const BudgetLimits limits{1u << 20, 1u << 20, 64};
  auto persist = [&](std::uint64_t r) {
    std::lock_guard lock(mu);
    writes.push_back(r);
    return Status::Ok();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        ASSERT_TRUE(b.Take(limits, persist).ok());
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(b.used(), 20000u);
  EXPECT_GE(b.reserved(), 20000u);
  EXPECT_LT(b.reserved(), 20000u + 64);
}

TEST(ValidateBudgetLimits, Table) {
  EXPECT_TRUE(ValidateBudgetLimits({}).ok());
  EXPECT_TRUE(ValidateBudgetLimits({1, 1, 1}).ok());
  EXPECT_TRUE(ValidateBudgetLimits({1ULL << 32, 1ULL << 32, 1}).ok());
  EXPECT_FALSE(ValidateBudgetLimits({1, (1ULL << 32) + 1, 1}).ok());
  EXPECT_FALSE(ValidateBudgetLimits({0, 10, 1}).ok());
  EXPECT_FALSE(ValidateBudgetLimits({11, 10, 1}).ok());
  EXPECT_FALSE(ValidateBudgetLimits({1, 0, 1}).ok());
  EXPECT_FALSE(ValidateBudgetLimits({1, 10, 0}).ok());
}

}  // namespace
}  // namespace keyhold::kms
