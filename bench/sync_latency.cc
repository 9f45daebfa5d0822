// sync_latency: the disk's own latency for what the audit log does per
// batch, append a record and fdatasync, as the baseline for Keyhold's
// durable latency (bench/load.sh). Writes COUNT appends of BYTES to a new
// file in DIR, pausing GAP_US microseconds after each, then removes it.
// Prints p50, p90, p99, p99.9 and max in microseconds. With `overwrite`,
// the file is first filled with zeros and synced, and each record
// overwrites its place instead: what preallocated audit files would cost
// (docs/performance.md, "The limit on this machine").
//
// Usage: sync_latency DIR COUNT BYTES GAP_US [append|overwrite]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: sync_latency DIR COUNT BYTES GAP_US [append|overwrite]\n");
    return 1;
  }
  const bool overwrite = argc == 6 && std::string(argv[5]) == "overwrite";
  const std::string path = std::string(argv[1]) + "/sync_latency.tmp";
  const int count = std::max(1, std::atoi(argv[2]));
  const std::string record(static_cast<std::size_t>(std::max(1, std::atoi(argv[3]))), 'x');
  const auto gap = std::chrono::microseconds(std::atoi(argv[4]));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    return 1;
  }
  if (overwrite) {
    const std::string zeros(record.size(), '\0');
    for (int i = 0; i < count; ++i) {
      if (::write(fd, zeros.data(), zeros.size()) != static_cast<ssize_t>(zeros.size())) {
        std::perror(path.c_str());
        return 1;
      }
    }
    if (::fsync(fd) != 0) {
      std::perror(path.c_str());
      return 1;
    }
  }
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(count));
  int failed = 0;
  for (int i = 0; i < count; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto at = static_cast<off_t>(static_cast<std::size_t>(i) * record.size());
    if (::pwrite(fd, record.data(), record.size(), at) != static_cast<ssize_t>(record.size()) ||
        ::fdatasync(fd) != 0) {
      ++failed;
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    std::this_thread::sleep_for(gap);
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(us.begin(), us.end());
  const auto pct = [&](double p) {
    return us[static_cast<std::size_t>(p / 100.0 * static_cast<double>(us.size() - 1))];
  };
  std::printf(
      "%s+fdatasync of %zu bytes, %d times: p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f "
      "max %.0f us\n",
      overwrite ? "overwrite" : "append", record.size(), count, pct(50), pct(90), pct(99),
      pct(99.9), us.back());
  return failed == 0 ? 0 : 2;
}
