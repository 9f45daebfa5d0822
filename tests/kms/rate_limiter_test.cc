// Tests for kms/rate_limiter.h: FailureLimiter is open below the budget and
// closed at it; retry_after_s is the rest of the one-minute window, rounded
// up; the window starts at the first failure and ends 60 s later; a clock
// that steps back starts a new window; clients are independent; at most
// max_clients are tracked, the stalest forgotten first; and counts from
// several threads are not lost. Time is passed in, so nothing sleeps.
#include "kms/rate_limiter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace keyhold::kms {
namespace {

// RetryAfter returns Blocked's retry time, or -1 when the client is not blocked.
std::int64_t RetryAfter(FailureLimiter& l, std::string_view client, std::int64_t now_ms) {
  std::int64_t retry = -1;
  if (!l.Blocked(client, now_ms, &retry)) {
    return -1;
  }
  return retry;
}

TEST(FailureLimiterTest, UnknownClientIsNotBlocked) {
  FailureLimiter l(3);
  std::int64_t retry = 77;
  EXPECT_FALSE(l.Blocked("10.0.0.1", 0, &retry));
  EXPECT_FALSE(l.Blocked("", 1'000'000, &retry));
}

TEST(FailureLimiterTest, OpenBelowBudgetBlockedAtIt) {
  FailureLimiter l(3);
  l.RecordFailure("10.0.0.1", 0);
  EXPECT_EQ(RetryAfter(l, "10.0.0.1", 0), -1);
  l.RecordFailure("10.0.0.1", 1'000);
  EXPECT_EQ(RetryAfter(l, "10.0.0.1", 1'000), -1);
  l.RecordFailure("10.0.0.1", 2'000);
  EXPECT_EQ(RetryAfter(l, "10.0.0.1", 2'000), 58);
  // More failures keep it blocked, same window.
  l.RecordFailure("10.0.0.1", 3'000);
  EXPECT_EQ(RetryAfter(l, "10.0.0.1", 3'000), 57);
}

TEST(FailureLimiterTest, BudgetOfOne) {
  FailureLimiter l(1);
  l.RecordFailure("a", 5'000);
  EXPECT_EQ(RetryAfter(l, "a", 5'000), 60);
}

TEST(FailureLimiterTest, RetryAfterIsTheRestOfTheWindowRoundedUp) {
  FailureLimiter l(2);
  l.RecordFailure("c", 10'000);  // the window is [10 s, 70 s)
  l.RecordFailure("c", 10'500);
  EXPECT_EQ(RetryAfter(l, "c", 10'500), 60);  // 59.5 s left
  EXPECT_EQ(RetryAfter(l, "c", 11'000), 59);
  EXPECT_EQ(RetryAfter(l, "c", 11'001), 59);  // 58.999 s left
  EXPECT_EQ(RetryAfter(l, "c", 68'999), 2);   // 1.001 s left
  EXPECT_EQ(RetryAfter(l, "c", 69'000), 1);
  EXPECT_EQ(RetryAfter(l, "c", 69'999), 1);   // 1 ms left: never 0
  EXPECT_EQ(RetryAfter(l, "c", 70'000), -1);  // window over
  EXPECT_EQ(RetryAfter(l, "c", 500'000), -1);
}

TEST(FailureLimiterTest, WindowStartsAtFirstFailureNotLast) {
  FailureLimiter l(3);
  l.RecordFailure("c", 1'000);
  l.RecordFailure("c", 30'000);
  l.RecordFailure("c", 60'999);  // still inside [1 s, 61 s)
  EXPECT_EQ(RetryAfter(l, "c", 60'999), 1);
  EXPECT_EQ(RetryAfter(l, "c", 61'000), -1);
}

TEST(FailureLimiterTest, WindowResetsAfterSixtySeconds) {
  FailureLimiter l(3);
  for (int i = 0; i < 3; ++i) {
    l.RecordFailure("c", 0);
  }
  EXPECT_EQ(RetryAfter(l, "c", 59'999), 1);
  // Two failures late in the old window and one in the next do not add up.
  FailureLimiter m(3);
  m.RecordFailure("c", 0);
  m.RecordFailure("c", 59'999);
  m.RecordFailure("c", 60'000);  // new window: count 1
  EXPECT_EQ(RetryAfter(m, "c", 60'000), -1);
  m.RecordFailure("c", 60'001);
  EXPECT_EQ(RetryAfter(m, "c", 60'001), -1);
  m.RecordFailure("c", 60'002);
  EXPECT_EQ(RetryAfter(m, "c", 60'002), 60);  // 59.998 s left, rounded up
  EXPECT_EQ(RetryAfter(m, "c", 119'999), 1);
  EXPECT_EQ(RetryAfter(m, "c", 120'000), -1);
}

TEST(FailureLimiterTest, ClockGoingBackStartsANewWindow) {
  FailureLimiter l(2);
  l.RecordFailure("c", 100'000);
  l.RecordFailure("c", 100'000);
  EXPECT_EQ(RetryAfter(l, "c", 100'000), 60);
  // Before the window's start: not blocked, and not extended either.
  EXPECT_EQ(RetryAfter(l, "c", 99'999), -1);
  l.RecordFailure("c", 50'000);  // new window at 50 s, count 1
  EXPECT_EQ(RetryAfter(l, "c", 50'000), -1);
  EXPECT_EQ(RetryAfter(l, "c", 100'000), -1);
  l.RecordFailure("c", 50'000);
  EXPECT_EQ(RetryAfter(l, "c", 50'000), 60);
  EXPECT_EQ(RetryAfter(l, "c", 110'000), -1);  // the old window is gone
}

TEST(FailureLimiterTest, ClientsAreIndependent) {
  FailureLimiter l(2);
  l.RecordFailure("10.0.0.1", 0);
  l.RecordFailure("10.0.0.1", 0);
  l.RecordFailure("10.0.0.2", 0);
  EXPECT_EQ(RetryAfter(l, "10.0.0.1", 0), 60);
  EXPECT_EQ(RetryAfter(l, "10.0.0.2", 0), -1);
  EXPECT_EQ(RetryAfter(l, "10.0.0.3", 0), -1);
  EXPECT_EQ(RetryAfter(l, "10.0.0.10", 0), -1);  // no prefix matching
  EXPECT_EQ(RetryAfter(l, "10.0.0.", 0), -1);
  l.RecordFailure("10.0.0.2", 30'000);
  EXPECT_EQ(RetryAfter(l, "10.0.0.2", 30'000), 30);
}

TEST(FailureLimiterTest, MaxClientsForgetsTheOldest) {
  FailureLimiter l(1, 3);
  for (int i = 0; i < 10; ++i) {
    l.RecordFailure("client" + std::to_string(i), i * 10);
  }
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(RetryAfter(l, "client" + std::to_string(i), 100), -1) << i;
  }
  for (int i = 7; i < 10; ++i) {
    EXPECT_EQ(RetryAfter(l, "client" + std::to_string(i), 100), 60) << i;
  }
}

TEST(FailureLimiterTest, EvictionPicksTheStalestWindowNotTheFirstInserted) {
  FailureLimiter l(1, 3);
  l.RecordFailure("a", 0);
  l.RecordFailure("b", 10);
  l.RecordFailure("c", 20);
  l.RecordFailure("a", 70'000);  // a's window starts again at 70 s
  l.RecordFailure("d", 70'010);  // evicts b, whose window is the stalest
  EXPECT_EQ(RetryAfter(l, "a", 70'010), 60);
  EXPECT_EQ(RetryAfter(l, "b", 70'010), -1);
  EXPECT_EQ(RetryAfter(l, "d", 70'010), 60);
  // c's window (from 20 ms) is over, but c is still tracked: one failure
  // starts a new window at once.
  l.RecordFailure("c", 70'020);
  EXPECT_EQ(RetryAfter(l, "c", 70'020), 60);
  // Existing clients never evict anyone.
  EXPECT_EQ(RetryAfter(l, "a", 70'020), 60);
  EXPECT_EQ(RetryAfter(l, "d", 70'020), 60);
}

TEST(FailureLimiterTest, MaxClientsOfOne) {
  FailureLimiter l(1, 1);
  l.RecordFailure("a", 0);
  l.RecordFailure("b", 1);
  EXPECT_EQ(RetryAfter(l, "a", 1), -1);
  EXPECT_EQ(RetryAfter(l, "b", 1), 60);
}

TEST(FailureLimiterTest, ConcurrentFailuresAreAllCounted) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  FailureLimiter exact(kThreads * kPerThread);
  FailureLimiter one_more(kThreads * kPerThread + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = "own" + std::to_string(t);
      std::int64_t retry = 0;
      for (int i = 0; i < kPerThread; ++i) {
        exact.RecordFailure("shared", 1'000);
        one_more.RecordFailure("shared", 1'000);
        exact.RecordFailure(own, 1'000);
        (void)exact.Blocked("shared", 1'000, &retry);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(RetryAfter(exact, "shared", 1'000), 60);
  EXPECT_EQ(RetryAfter(one_more, "shared", 1'000), -1);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(RetryAfter(exact, "own" + std::to_string(t), 1'000), -1) << t;
  }
}

}  // namespace
}  // namespace keyhold::kms
