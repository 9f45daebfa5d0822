#include "crypto/random.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <vector>

namespace keyhold::crypto {
namespace {

using Nonce = std::array<std::uint8_t, 12>;

Nonce NextNonce() {
  Nonce n{};
  EXPECT_TRUE(FillNonce(n).ok());
  return n;
}

TEST(FillRandom, FillsAndVaries) {
  std::vector<std::uint8_t> a(64);
  std::vector<std::uint8_t> b(64);
  ASSERT_TRUE(FillRandom(a).ok());
  ASSERT_TRUE(FillRandom(b).ok());
  EXPECT_NE(a, b);
  EXPECT_TRUE(FillRandom({}).ok());
}

TEST(RandomSecret, SizeAndDistinct) {
  auto a = RandomSecret(32);
  auto b = RandomSecret(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(ConstantTimeEquals(*a, *b));
}

TEST(FillNonce, NeverRepeatsAcrossManyRefills) {
  std::set<Nonce> seen;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(seen.insert(NextNonce()).second) << "repeat after " << i;
  }
}

TEST(FillNonce, LargeRequestsBypassTheBuffer) {
  std::vector<std::uint8_t> big(1000);
  ASSERT_TRUE(FillNonce(big).ok());
  EXPECT_NE(std::count(big.begin(), big.end(), 0), 1000);
}

// A forked child must not hand out the nonces its parent is about to use:
// with a plain buffer both processes would draw the same bytes next.
TEST(FillNonce, ForkedChildNeverRepeatsParentNonces) {
  (void)NextNonce();  // make sure this thread's buffer is full
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  constexpr int kCount = 50;
  if (pid == 0) {
    ::close(fds[0]);
    for (int i = 0; i < kCount; ++i) {
      const Nonce n = NextNonce();
      if (::write(fds[1], n.data(), n.size()) != static_cast<ssize_t>(n.size())) {
        ::_exit(2);
      }
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::set<Nonce> parent;
  for (int i = 0; i < kCount; ++i) {
    parent.insert(NextNonce());
  }
  int overlaps = 0;
  int received = 0;
  Nonce n{};
  while (::read(fds[0], n.data(), n.size()) == static_cast<ssize_t>(n.size())) {
    ++received;
    overlaps += parent.count(n) ? 1 : 0;
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(received, kCount);
  EXPECT_EQ(overlaps, 0);
}

}  // namespace
}  // namespace keyhold::crypto
