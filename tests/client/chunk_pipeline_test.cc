// Tests for client/chunk_pipeline.h: chunks come out in order whatever the
// order workers finish in; the first failure of any stage stops the run,
// is what it returns, and nothing after the failed chunk is consumed; a
// one-chunk stream runs on the calling thread; and the number of chunks in
// flight stays within the ring, so memory is bounded whatever the length.
#include "client/chunk_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace keyhold::client {
namespace {

// A pipeline over `count` chunks whose payload is the chunk's index, with a
// worker that finishes chunks out of order.
struct Counting {
  explicit Counting(std::uint64_t count, unsigned workers = 4) : count_(count) {
    p.chunk_capacity = 64;
    p.workers = workers;
    p.produce = [this](Chunk& c) -> Status {
      produced_.fetch_add(1);
      const auto in_flight = produced_.load() - consumed_.load();
      std::uint64_t seen = max_in_flight_.load();
      while (in_flight > seen && !max_in_flight_.compare_exchange_weak(seen, in_flight)) {
      }
      for (std::size_t i = 0; i < 8; ++i) {
        c.bytes[i] = static_cast<std::uint8_t>(c.index >> (8 * i));
      }
      c.size = 8;
      c.last = c.index + 1 == count_;
      if (fail_produce_at == c.index) {
        return MakeError(ErrorCode::kIoError, "produce failed");
      }
      return Status::Ok();
    };
    p.work = [this](Chunk& c) -> Status {
      // Uneven work, no sleep: every third chunk costs far more, so later
      // chunks often finish first.
      if (c.index % 3 == 0) {
        volatile std::uint64_t x = c.index;
        for (int i = 0; i < 200000; ++i) {
          x = x * 6364136223846793005ULL + 1;
        }
      }
      c.bytes[8] = 0xAA;
      c.size = 9;
      if (fail_work_at == c.index) {
        return MakeError(ErrorCode::kInvalidCiphertext, "work failed");
      }
      return Status::Ok();
    };
    p.consume = [this](const Chunk& c) -> Status {
      std::uint64_t v = 0;
      for (std::size_t i = 0; i < 8; ++i) {
        v |= std::uint64_t{c.bytes[i]} << (8 * i);
      }
      EXPECT_EQ(c.size, 9u);
      EXPECT_EQ(c.bytes[8], 0xAA);
      {
        std::lock_guard lock(mu_);
        order.push_back(v);
      }
      consumed_.fetch_add(1);
      if (fail_consume_at == c.index) {
        return MakeError(ErrorCode::kIoError, "consume failed");
      }
      return Status::Ok();
    };
  }

  ChunkPipeline p;
  std::vector<std::uint64_t> order;
  std::uint64_t fail_produce_at = UINT64_MAX;
  std::uint64_t fail_work_at = UINT64_MAX;
  std::uint64_t fail_consume_at = UINT64_MAX;
  std::uint64_t max_in_flight() const { return max_in_flight_.load(); }

 private:
  std::uint64_t count_;
  std::mutex mu_;
  std::atomic<std::uint64_t> produced_{0};
  std::atomic<std::uint64_t> consumed_{0};
  std::atomic<std::uint64_t> max_in_flight_{0};
};

std::vector<std::uint64_t> Iota(std::uint64_t n) {
  std::vector<std::uint64_t> v(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    v[i] = i;
  }
  return v;
}

TEST(ChunkPipelineTest, ChunksAreConsumedInOrderWhateverOrderWorkersFinishIn) {
  for (unsigned workers : {1u, 2u, 7u}) {
    Counting run(500, workers);
    ASSERT_TRUE(RunChunkPipeline(run.p).ok());
    EXPECT_EQ(run.order, Iota(500)) << workers;
  }
}

TEST(ChunkPipelineTest, ChunksInFlightStayWithinTheRing) {
  Counting run(2000, 3);
  ASSERT_TRUE(RunChunkPipeline(run.p).ok());
  // Two slots per worker plus the reader's and the writer's.
  EXPECT_LE(run.max_in_flight(), 2u * 3u + 2u);
}

TEST(ChunkPipelineTest, TheRingIsCappedInBytesForLargeChunks) {
  Counting run(40, 64);
  run.p.chunk_capacity = kMaxPipelineBytes / 4;  // four buffers fit the cap
  ASSERT_TRUE(RunChunkPipeline(run.p).ok());
  EXPECT_LE(run.max_in_flight(), 4u);
  EXPECT_EQ(run.order, Iota(40));
}

TEST(ChunkPipelineTest, AOneChunkStreamRunsOnTheCallingThread) {
  Counting run(1);
  const auto caller = std::this_thread::get_id();
  auto work = run.p.work;
  run.p.work = [&](Chunk& c) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    return work(c);
  };
  ASSERT_TRUE(RunChunkPipeline(run.p).ok());
  EXPECT_EQ(run.order, Iota(1));
}

TEST(ChunkPipelineTest, AFailedWorkStopsTheRunAndNothingAfterItIsConsumed) {
  for (std::uint64_t at : {0u, 1u, 17u, 299u}) {
    Counting run(300);
    run.fail_work_at = at;
    const Status s = RunChunkPipeline(run.p);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidCiphertext);
    // Only chunks before the failed one may have been consumed, in order.
    ASSERT_LE(run.order.size(), at);
    EXPECT_EQ(run.order, Iota(run.order.size()));
  }
}

TEST(ChunkPipelineTest, AFailedProduceOrConsumeIsWhatTheRunReturns) {
  {
    Counting run(300);
    run.fail_produce_at = 40;
    const Status s = RunChunkPipeline(run.p);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "produce failed");
    EXPECT_LE(run.order.size(), 40u);
  }
  {
    Counting run(300);
    run.fail_consume_at = 40;
    const Status s = RunChunkPipeline(run.p);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "consume failed");
    EXPECT_EQ(run.order.size(), 41u);
  }
  {
    Counting run(300);
    run.fail_produce_at = 0;  // before any thread starts
    EXPECT_FALSE(RunChunkPipeline(run.p).ok());
    EXPECT_TRUE(run.order.empty());
  }
}

TEST(ChunkPipelineTest, AnIncompletePipelineIsRefused) {
  ChunkPipeline p;
  EXPECT_FALSE(RunChunkPipeline(p).ok());
}

}  // namespace
}  // namespace keyhold::client
