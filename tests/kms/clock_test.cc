// ForwardOnlyTime from synthetic readings (a wall clock that steps both
// ways, a monotonic clock that does not), and SystemClock's agreement with
// the real wall clock. tests/system/clock_test.sh runs the same rules
// against the server under faketime.
#include "kms/clock.h"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>
#include <vector>

namespace keyhold::kms {
namespace {

TEST(ForwardOnlyTimeTest, FollowsASteadyWallClock) {
  ForwardOnlyTime t;
  EXPECT_EQ(t.Now(1000, 5), 1000);
  EXPECT_EQ(t.Now(1010, 15), 1010);
  EXPECT_EQ(t.Now(1500, 505), 1500);
}

TEST(ForwardOnlyTimeTest, AStepForwardIsTakenAtOnce) {
  ForwardOnlyTime t;
  EXPECT_EQ(t.Now(1000, 0), 1000);
  EXPECT_EQ(t.Now(1000 + 86'400, 1), 1000 + 86'400);
  EXPECT_EQ(t.Now(1000 + 86'401, 2), 1000 + 86'401);
}

TEST(ForwardOnlyTimeTest, AStepBackIsIgnoredAndTimeKeepsItsPace) {
  ForwardOnlyTime t;
  EXPECT_EQ(t.Now(10'000, 100), 10'000);
  // The wall clock goes back a day; time goes on at the monotonic rate.
  EXPECT_EQ(t.Now(10'000 - 86'400 + 1, 101), 10'001);
  EXPECT_EQ(t.Now(10'000 - 86'400 + 60, 160), 10'060);
  // Until the wall clock catches up, and then follows it again.
  EXPECT_EQ(t.Now(10'000 + 86'400, 200), 10'000 + 86'400);
}

TEST(ForwardOnlyTimeTest, AWallClockRunningSlowNeverMakesTimeGoBack) {
  ForwardOnlyTime t;
  std::int64_t last = t.Now(0, 0);
  for (std::int64_t mono = 1; mono < 1000; ++mono) {
    const std::int64_t now = t.Now(mono / 2, mono);  // the wall at half speed
    EXPECT_GE(now, last);
    last = now;
  }
  EXPECT_EQ(last, 999);
}

TEST(ForwardOnlyTimeTest, ReadingsFromManyThreadsNeverGoBackInAnyThread) {
  ForwardOnlyTime t;
  std::atomic<std::int64_t> mono{0};
  std::vector<std::thread> threads;
  std::atomic<int> backwards{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (int n = 0; n < 20'000; ++n) {
        const std::int64_t m = mono.fetch_add(1);
        // Every thread's wall clock wobbles back and forth around mono.
        const std::int64_t wall = m + ((n + i) % 7 == 0 ? -500 : (n % 5));
        const std::int64_t now = t.Now(wall, m);
        if (now < last) {
          backwards.fetch_add(1);
        }
        last = now;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(backwards.load(), 0);
}

TEST(SystemClockTest, AgreesWithTheWallClock) {
  const SystemClock clock;
  timespec before{};
  clock_gettime(CLOCK_REALTIME, &before);
  const std::int64_t us = clock.NowMicros();
  const std::int64_t s = clock.NowSeconds();
  timespec after{};
  clock_gettime(CLOCK_REALTIME, &after);
  EXPECT_GE(us, before.tv_sec * 1'000'000LL + before.tv_nsec / 1000);
  EXPECT_LE(us, after.tv_sec * 1'000'000LL + after.tv_nsec / 1000);
  EXPECT_GE(s, before.tv_sec);
  EXPECT_LE(s, after.tv_sec);
}

}  // namespace
}  // namespace keyhold::kms
