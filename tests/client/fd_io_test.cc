// Tests for client/fd_io.h: ReadFull collects short reads until the buffer
// is full or the input ends; WriteAll writes everything through a pipe
// smaller than the data; errors name what they were given and the reason.
#include "client/fd_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace keyhold::client {
namespace {

TEST(FdIoTest, ReadFullCollectsShortReadsUntilFullOrEnd) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  // Three small writes: a pipe hands them out as separate short reads.
  std::thread writer([&] {
    for (char c : {'a', 'b', 'c'}) {
      const std::vector<std::uint8_t> one(100, static_cast<std::uint8_t>(c));
      EXPECT_TRUE(WriteAll(p[1], one, "pipe").ok());
    }
    ::close(p[1]);
  });
  std::vector<std::uint8_t> buf(250);
  auto n = ReadFull(p[0], buf, "pipe");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 250u);
  EXPECT_EQ(buf[99], 'a');
  EXPECT_EQ(buf[100], 'b');
  EXPECT_EQ(buf[249], 'c');
  n = ReadFull(p[0], buf, "pipe");  // the last 50, then the end
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 50u);
  n = ReadFull(p[0], buf, "pipe");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  writer.join();
  ::close(p[0]);
}

TEST(FdIoTest, WriteAllGoesThroughAPipeSmallerThanTheData) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  const std::vector<std::uint8_t> data(1 << 20, 0x5A);  // larger than a 64 KiB pipe
  std::vector<std::uint8_t> got(data.size());
  std::thread reader([&] {
    auto n = ReadFull(p[0], got, "pipe");
    EXPECT_TRUE(n.ok() && *n == data.size());
  });
  EXPECT_TRUE(WriteAll(p[1], data, "pipe").ok());
  reader.join();
  EXPECT_EQ(got, data);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(FdIoTest, ErrorsNameWhatAndWhy) {
  std::vector<std::uint8_t> buf(10);
  auto r = ReadFull(-1, buf, "the input");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIoError);
  EXPECT_EQ(r.error().message, "cannot read the input: Bad file descriptor");
  const int ro = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const Status w = WriteAll(ro, buf, "the output");
  ::close(ro);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().message, "cannot write the output: Bad file descriptor");
  EXPECT_TRUE(WriteAll(-1, {}, "nothing").ok());  // nothing to write, nothing to fail
}

}  // namespace
}  // namespace keyhold::client
