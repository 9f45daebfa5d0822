// Tests for crypto/internal/secure_pool.h: zeroed memory and the capacity of
// each size-class boundary (slots of 32 to 32768 bytes, sodium_malloc above),
// memory zeroed again when a freed slot is handed out, live-slot accounting
// (slots only; large requests are not slots), chunks kept after free, and
// balanced accounting after 4 threads x 10000 allocate/free pairs.
#include "crypto/internal/secure_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/secret_bytes.h"

namespace keyhold::crypto::internal {
namespace {

struct Block {
  std::uint8_t* p = nullptr;
  std::size_t size = 0;
  std::size_t capacity = 0;
};

Block Allocate(std::size_t size) {
  EnsureInitialized();
  Block b;
  b.size = size;
  b.p = SecureAllocate(size, &b.capacity);
  EXPECT_NE(b.p, nullptr) << "size " << size;
  return b;
}

void Free(const Block& b) {
  SecureFree(b.p, b.capacity);
}

// Only the requested bytes are checked: under AddressSanitizer a slot's tail
// beyond `size` is poisoned.
bool AllZero(const Block& b) {
  return std::all_of(b.p, b.p + b.size, [](std::uint8_t c) { return c == 0; });
}

TEST(SecurePoolTest, SizeClassBoundaries) {
  struct Case {
    std::size_t size;
    std::size_t capacity;
  };
  // 1..32 share the smallest slot; the classes double up to 32768; anything
  // larger is its own sodium_malloc allocation of exactly the size asked.
  const Case cases[] = {{1, 32},        {31, 32},       {32, 32},        {33, 64},     {64, 64},
                        {65, 128},      {1000, 1024},   {2049, 4096},    {4096, 4096}, {4097, 8192},
                        {32768, 32768}, {32769, 32769}, {100000, 100000}};
  for (const Case& c : cases) {
    EXPECT_EQ(SecureCapacity(c.size), c.capacity) << "size " << c.size;
  }
  for (const Case& c : cases) {
    const Block b = Allocate(c.size);
    ASSERT_NE(b.p, nullptr);
    EXPECT_EQ(b.capacity, c.capacity) << "size " << c.size;
    EXPECT_GE(b.capacity, c.size);
    EXPECT_TRUE(AllZero(b)) << "size " << c.size;
    // The whole requested range is writable.
    std::memset(b.p, 0xA5, b.size);
    EXPECT_EQ(b.p[b.size - 1], 0xA5);
    Free(b);
  }
}

TEST(SecurePoolTest, FreedSlotsAreZeroWhenHandedOutAgain) {
  for (std::size_t size : {1, 32, 33, 4096, 32768, 32769, 100000}) {
    SCOPED_TRACE(::testing::Message() << "size " << size);
    constexpr int kCount = 64;
    std::vector<Block> first;
    std::set<std::uint8_t*> first_ptrs;
    for (int i = 0; i < kCount; ++i) {
      Block b = Allocate(size);
      ASSERT_TRUE(AllZero(b));
      std::memset(b.p, 0xFF - i, b.size);
      first_ptrs.insert(b.p);
      first.push_back(b);
    }
    for (const Block& b : first) {
      Free(b);
    }
    std::vector<Block> second;
    int reused = 0;
    for (int i = 0; i < kCount; ++i) {
      Block b = Allocate(size);
      EXPECT_TRUE(AllZero(b)) << "allocation " << i;
      reused += first_ptrs.count(b.p) != 0 ? 1 : 0;
      second.push_back(b);
    }
    if (size <= 32768) {
      // Slots are kept and handed out again, so the zero check above did
      // look at memory that held a pattern.
      EXPECT_GT(reused, 0);
    }
    for (const Block& b : second) {
      Free(b);
    }
  }
}

TEST(SecurePoolTest, LiveSlotsGoUpAndDown) {
  const SecurePoolStats before = SecurePoolStatistics();
  std::vector<Block> blocks;
  for (std::size_t size : {1, 32, 33, 100, 4096}) {
    blocks.push_back(Allocate(size));
  }
  EXPECT_EQ(SecurePoolStatistics().live_slots, before.live_slots + 5);
  EXPECT_GE(SecurePoolStatistics().chunks, 1u);

  // Requests above 32768 bytes bypass the slots.
  const Block big = Allocate(32769);
  const Block bigger = Allocate(100000);
  EXPECT_EQ(SecurePoolStatistics().live_slots, before.live_slots + 5);
  Free(big);
  Free(bigger);
  EXPECT_EQ(SecurePoolStatistics().live_slots, before.live_slots + 5);

  Free(blocks.back());
  blocks.pop_back();
  EXPECT_EQ(SecurePoolStatistics().live_slots, before.live_slots + 4);
  for (const Block& b : blocks) {
    Free(b);
  }
  EXPECT_EQ(SecurePoolStatistics().live_slots, before.live_slots);
}

TEST(SecurePoolTest, SecretBytesUsesThePool) {
  const std::size_t before = SecurePoolStatistics().live_slots;
  {
    auto s = SecretBytes::Allocate(32);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(SecurePoolStatistics().live_slots, before + 1);
    auto empty = SecretBytes::Allocate(0);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(SecurePoolStatistics().live_slots, before + 1);
  }
  EXPECT_EQ(SecurePoolStatistics().live_slots, before);
}

TEST(SecurePoolTest, GrowsByChunksAndKeepsThem) {
  // 3000 slots of 32 bytes need more than one 64 KiB chunk (2048 slots).
  const SecurePoolStats before = SecurePoolStatistics();
  std::vector<Block> blocks;
  std::set<std::uint8_t*> ptrs;
  for (int i = 0; i < 3000; ++i) {
    Block b = Allocate(32);
    ASSERT_NE(b.p, nullptr);
    ASSERT_TRUE(AllZero(b));
    b.p[0] = 1;
    b.p[31] = 2;
    ptrs.insert(b.p);
    blocks.push_back(b);
  }
  EXPECT_EQ(ptrs.size(), 3000u) << "a slot was handed out twice";
  const SecurePoolStats during = SecurePoolStatistics();
  EXPECT_EQ(during.live_slots, before.live_slots + 3000);
  EXPECT_GE(during.chunks, before.chunks);
  EXPECT_GE(during.chunks, 2u);
  for (const Block& b : blocks) {
    Free(b);
  }
  const SecurePoolStats after = SecurePoolStatistics();
  EXPECT_EQ(after.live_slots, before.live_slots);
  EXPECT_EQ(after.chunks, during.chunks) << "chunks are kept for reuse";
  // Allocating the same number again needs no new chunk.
  for (auto& b : blocks) {
    b = Allocate(32);
    EXPECT_TRUE(AllZero(b));
  }
  EXPECT_EQ(SecurePoolStatistics().chunks, during.chunks);
  for (const Block& b : blocks) {
    Free(b);
  }
}

TEST(SecurePoolTest, ConcurrentAllocateAndFree) {
  EnsureInitialized();
  const std::size_t before = SecurePoolStatistics().live_slots;
  constexpr int kThreads = 4;
  constexpr int kIterations = 10000;
  std::atomic<int> dirty{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &dirty, &failed] {
      static constexpr std::size_t kSizes[] = {1, 32, 33, 64, 200, 1024, 4096, 5000};
      std::vector<Block> held;
      for (int i = 0; i < kIterations; ++i) {
        const std::size_t size = kSizes[static_cast<std::size_t>(i + t) % std::size(kSizes)];
        Block b;
        b.size = size;
        b.p = SecureAllocate(size, &b.capacity);
        if (b.p == nullptr) {
          ++failed;
          continue;
        }
        if (!AllZero(b)) {
          ++dirty;
        }
        std::memset(b.p, 0x5A, b.size);
        held.push_back(b);
        // Keep a few live at a time so that frees interleave with other
        // threads' allocations of the same class.
        if (held.size() > 8 || i % 3 == 0) {
          SecureFree(held.front().p, held.front().capacity);
          held.erase(held.begin());
        }
      }
      for (const Block& b : held) {
        SecureFree(b.p, b.capacity);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(dirty.load(), 0) << "a slot was handed out without being zeroed";
  EXPECT_EQ(SecurePoolStatistics().live_slots, before);
}

// Each thread keeps some free slots for itself; they must go back to the
// pool when it ends, or every short-lived thread would leak a cache.
TEST(SecurePoolTest, AThreadsCachedSlotsReturnWhenItEnds) {
  EnsureInitialized();
  const SecurePoolStats before = SecurePoolStatistics();
  for (int t = 0; t < 200; ++t) {
    std::thread([] {
      std::vector<Block> held;
      for (int i = 0; i < 64; ++i) {
        held.push_back(Allocate(32));
      }
      for (const Block& b : held) {
        Free(b);
      }
    }).join();
  }
  const SecurePoolStats after = SecurePoolStatistics();
  EXPECT_EQ(after.live_slots, before.live_slots);
  // 200 caches of up to 32 slots would need 3 more chunks of 2048.
  EXPECT_LE(after.chunks, before.chunks + 1);
}

// A slot freed on another thread than the one it came from is reused,
// zeroed, by a third.
TEST(SecurePoolTest, ASlotFreedOnAnotherThreadIsHandedOutZeroed) {
  EnsureInitialized();
  Block b;
  std::thread([&b] {
    b = Allocate(100);
    std::memset(b.p, 0x77, b.size);
  }).join();
  std::thread([&b] { Free(b); }).join();
  bool all_zero = true;
  std::thread([&all_zero] {
    std::vector<Block> held;
    for (int i = 0; i < 3000; ++i) {
      held.push_back(Allocate(100));
      all_zero = all_zero && AllZero(held.back());
    }
    for (const Block& h : held) {
      Free(h);
    }
  }).join();
  EXPECT_TRUE(all_zero);
}

}  // namespace
}  // namespace keyhold::crypto::internal
