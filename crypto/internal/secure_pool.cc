#include "crypto/internal/secure_pool.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <new>
#include <vector>

#include "crypto/check.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEYHOLD_HAS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KEYHOLD_HAS_ASAN 1
#endif
#ifdef KEYHOLD_HAS_ASAN
#include <sanitizer/asan_interface.h>
#define KEYHOLD_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define KEYHOLD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define KEYHOLD_POISON(p, n) ((void)(p), (void)(n))
#define KEYHOLD_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace keyhold::crypto::internal {
namespace {

constexpr std::size_t kChunkSize = 64 * 1024;
// Up to 32 KiB so that a whole HTTP request or response body (secure
// allocator, crypto/secure_allocator.h) stays in the pool; a chunk holds at
// least two slots of the largest class.
constexpr std::array<std::size_t, 11> kClasses = {32,   64,   128,  256,   512,  1024,
                                                  2048, 4096, 8192, 16384, 32768};

struct SizeClass {
  std::mutex mu;
  // Its capacity is kept at `slots`, so that giving slots back (SecureFree,
  // a thread's cache) never allocates.
  std::vector<std::uint8_t*> free_slots;  // guarded by mu
  std::size_t slots = 0;                  // carved from chunks; guarded by mu
  std::atomic<std::size_t> live{0};
};

struct Pool {
  std::array<SizeClass, kClasses.size()> classes;
  std::mutex chunks_mu;
  std::size_t chunks = 0;
};

Pool& GetPool() {
  // Never destroyed: secrets in static objects may be freed after main().
  // libsodium's allocator needs sodium_init (its page size) before first use,
  // and the pool may be reached before any other crypto call.
  static Pool* const pool = [] {
    KEYHOLD_CHECK(sodium_init() >= 0);
    return new Pool();
  }();
  return *pool;
}

std::size_t ChunkSizeFor(std::size_t slot_size) {
  return std::max(kChunkSize, 2 * slot_size);
}

int ClassOf(std::size_t size) {
  for (std::size_t i = 0; i < kClasses.size(); ++i) {
    if (size <= kClasses[i]) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Adds one chunk's slots to `c`. Called with c.mu held.
bool Grow(Pool& pool, SizeClass& c, std::size_t slot_size) {
  const std::size_t chunk_size = ChunkSizeFor(slot_size);
  const std::size_t n = chunk_size / slot_size;
  try {
    c.free_slots.reserve(c.slots + n);
  } catch (const std::bad_alloc&) {
    return false;
  }
  void* chunk = sodium_malloc(chunk_size);
  if (chunk == nullptr) {
    return false;
  }
  sodium_memzero(chunk, chunk_size);
  auto* base = static_cast<std::uint8_t*>(chunk);
  for (std::size_t k = 0; k < n; ++k) {
    c.free_slots.push_back(base + k * slot_size);
  }
  c.slots += n;
  KEYHOLD_POISON(base, chunk_size);
  std::lock_guard lock(pool.chunks_mu);
  ++pool.chunks;
  return true;
}

// How many free slots of a class one thread keeps: up to 32, and at most
// 64 KiB of them.
std::size_t CacheLimit(std::size_t slot_size) {
  return std::clamp<std::size_t>(kChunkSize / slot_size, 1, 32);
}

// Set when the thread's cache is made, and when it is destroyed: a secret
// in a static object (or another thread_local) may be freed after that, and
// then goes straight to its class. A bool has no destructor, so it can
// still be read then.
thread_local bool cache_made = false;
thread_local bool cache_gone = false;

// ThreadCache: free slots a thread keeps for itself. A request allocates
// and frees dozens of small buffers (headers, JSON, bodies) on every worker
// thread; through the class mutex alone, the workers queued on it. The
// slots in a cache are free slots as any other: zeroed, and poisoned under
// ASan. They go back to their class in batches, and all of them when the
// thread ends.
struct ThreadCache {
  std::array<std::vector<std::uint8_t*>, kClasses.size()> slots;

  // Room for a full cache now, so that SecureFree never allocates.
  ThreadCache() {
    for (std::size_t i = 0; i < kClasses.size(); ++i) {
      slots[i].reserve(CacheLimit(kClasses[i]) + 1);
    }
  }
  ThreadCache(const ThreadCache&) = delete;
  ThreadCache& operator=(const ThreadCache&) = delete;

  ~ThreadCache() {
    cache_gone = true;
    for (std::size_t i = 0; i < kClasses.size(); ++i) {
      if (!slots[i].empty()) {
        Return(i, slots[i].size());
      }
    }
  }

  // Return gives the last `n` cached slots of class `i` back to the class.
  void Return(std::size_t i, std::size_t n) {
    SizeClass& c = GetPool().classes[i];
    std::vector<std::uint8_t*>& mine = slots[i];
    std::lock_guard lock(c.mu);
    c.free_slots.insert(c.free_slots.end(), mine.end() - static_cast<std::ptrdiff_t>(n),
                        mine.end());
    mine.resize(mine.size() - n);
  }
};

// Cache returns this thread's cache; nullptr once it is gone or, unless
// `create`, before it is made. SecureFree runs in destructors and noexcept
// deallocators and must not allocate: only SecureAllocate makes a cache.
ThreadCache* Cache(bool create) {
  if (cache_gone || (!create && !cache_made)) {
    return nullptr;
  }
  try {
    thread_local ThreadCache cache;
    cache_made = true;
    return &cache;
  } catch (const std::bad_alloc&) {
    return nullptr;  // no memory for a cache: the class alone serves
  }
}

}  // namespace

std::uint8_t* SecureAllocate(std::size_t size, std::size_t* capacity) {
  Pool& pool = GetPool();  // also initialises libsodium
  const int cls = ClassOf(size);
  if (cls < 0) {
    void* p = sodium_malloc(size);
    if (p == nullptr) {
      return nullptr;
    }
    sodium_memzero(p, size);
    *capacity = size;
    return static_cast<std::uint8_t*>(p);
  }
  const auto i = static_cast<std::size_t>(cls);
  SizeClass& c = pool.classes[i];
  const std::size_t slot_size = kClasses[i];
  ThreadCache* cache = Cache(/*create=*/true);
  std::uint8_t* slot = nullptr;
  if (cache == nullptr || cache->slots[i].empty()) {
    std::lock_guard lock(c.mu);
    if (c.free_slots.empty() && !Grow(pool, c, slot_size)) {
      return nullptr;
    }
    slot = c.free_slots.back();
    c.free_slots.pop_back();
    if (cache != nullptr) {
      // Take half a cache's worth more: one lock for several requests.
      const std::size_t n = std::min(c.free_slots.size(), CacheLimit(slot_size) / 2);
      std::vector<std::uint8_t*>& mine = cache->slots[i];
      mine.insert(mine.end(), c.free_slots.end() - static_cast<std::ptrdiff_t>(n),
                  c.free_slots.end());
      c.free_slots.resize(c.free_slots.size() - n);
    }
  } else {
    slot = cache->slots[i].back();
    cache->slots[i].pop_back();
  }
  c.live.fetch_add(1, std::memory_order_relaxed);
  // Slots are zero when free; only the requested bytes become addressable.
  KEYHOLD_UNPOISON(slot, size);
  *capacity = slot_size;
  return slot;
}

void SecureFree(std::uint8_t* p, std::size_t capacity) {
  if (p == nullptr) {
    return;
  }
  const int cls = ClassOf(capacity);
  if (cls < 0 || kClasses[static_cast<std::size_t>(cls)] != capacity) {
    sodium_free(p);  // zeroes before unmapping
    return;
  }
  KEYHOLD_UNPOISON(p, capacity);
  sodium_memzero(p, capacity);
  KEYHOLD_POISON(p, capacity);
  const auto i = static_cast<std::size_t>(cls);
  SizeClass& c = GetPool().classes[i];
  c.live.fetch_sub(1, std::memory_order_relaxed);
  ThreadCache* cache = Cache(/*create=*/false);
  if (cache == nullptr) {
    std::lock_guard lock(c.mu);
    c.free_slots.push_back(p);
    return;
  }
  cache->slots[i].push_back(p);
  const std::size_t limit = CacheLimit(capacity);
  if (cache->slots[i].size() > limit) {
    cache->Return(i, cache->slots[i].size() - limit / 2);
  }
}

std::size_t SecureCapacity(std::size_t size) {
  const int cls = ClassOf(size);
  return cls < 0 ? size : kClasses[static_cast<std::size_t>(cls)];
}

SecurePoolStats SecurePoolStatistics() {
  Pool& pool = GetPool();
  SecurePoolStats s;
  {
    std::lock_guard lock(pool.chunks_mu);
    s.chunks = pool.chunks;
  }
  for (auto& c : pool.classes) {
    s.live_slots += c.live.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace keyhold::crypto::internal
