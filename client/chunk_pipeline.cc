#include "client/chunk_pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace keyhold::client {
namespace {

// A slot goes Free -> Filled (read) -> Done (sealed or opened) -> Free
// (written), always in that order, and only the stage that owns its state
// touches its chunk; the mutex hands slots from stage to stage.
enum class State { kFree, kFilled, kDone };

struct Slot {
  std::unique_ptr<std::uint8_t[]> buffer;
  Chunk chunk;
  State state = State::kFree;
};

// Guarded runs one stage's step and turns an exception (an allocation that
// failed, say) into an error, so that it stops the run instead of the
// process.
template <class Fn>
Status Guarded(Fn fn) {
  try {
    return fn();
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kInternal,
                     "out of memory or another failure in the chunk pipeline");
  }
}

class Ring {
 public:
  Ring(const ChunkPipeline& pipeline, std::size_t slots) : p_(pipeline), slots_(slots) {}

  // Run takes the first chunk, already produced into `first`, and runs the
  // stages until the last chunk is written or something fails.
  Status Run(std::unique_ptr<std::uint8_t[]> first_buffer, Chunk first, unsigned workers) {
    slots_[0].buffer = std::move(first_buffer);
    slots_[0].chunk = std::move(first);
    slots_[0].state = State::kFilled;
    queue_.push_back(0);
    std::vector<std::thread> threads;
    try {
      threads.reserve(workers + 1);
      threads.emplace_back([this] { Write(); });
      for (unsigned i = 0; i < workers; ++i) {
        threads.emplace_back([this] { Work(); });
      }
    } catch (const std::exception&) {
      // No thread to be had: stop those that started, and say so.
      std::lock_guard lock(mu_);
      Fail(MakeError(ErrorCode::kInternal, "cannot start the chunk pipeline's threads"));
    }
    if (threads.size() == workers + 1) {
      Produce();
    }
    for (auto& t : threads) {
      t.join();
    }
    if (failed_) {
      return failure_;
    }
    return Status::Ok();
  }

 private:
  // Fail records the first failure and wakes every stage. Caller holds mu_.
  void Fail(const Error& error) {
    if (!failed_) {
      failed_ = true;
      failure_ = error;
    }
    cv_.notify_all();
  }

  void Produce() {
    for (std::uint64_t next = 1;; ++next) {
      Slot& slot = slots_[next % slots_.size()];
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return failed_ || slot.state == State::kFree; });
        if (failed_) {
          break;
        }
      }
      const Status produced = Guarded([&] {
        if (!slot.buffer) {
          slot.buffer = std::make_unique_for_overwrite<std::uint8_t[]>(p_.chunk_capacity);
        }
        slot.chunk = Chunk{.index = next, .bytes = {slot.buffer.get(), p_.chunk_capacity}};
        return p_.produce(slot.chunk);
      });
      std::lock_guard lock(mu_);
      if (!produced.ok()) {
        Fail(produced.error());
        break;
      }
      slot.state = State::kFilled;
      queue_.push_back(next % slots_.size());
      cv_.notify_all();
      if (slot.chunk.last) {
        break;
      }
    }
    std::lock_guard lock(mu_);
    produced_all_ = true;
    cv_.notify_all();
  }

  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return failed_ || !queue_.empty() || produced_all_; });
      if (failed_ || queue_.empty()) {
        return;  // failed, or every chunk has been taken
      }
      Slot& slot = slots_[queue_.front()];
      queue_.pop_front();
      lock.unlock();
      const Status worked = Guarded([&] { return p_.work(slot.chunk); });
      lock.lock();
      if (!worked.ok()) {
        Fail(worked.error());
        return;
      }
      slot.state = State::kDone;
      cv_.notify_all();
    }
  }

  void Write() {
    for (std::uint64_t next = 0;; ++next) {
      Slot& slot = slots_[next % slots_.size()];
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return failed_ || slot.state == State::kDone; });
        if (failed_) {
          return;
        }
      }
      const Status written = Guarded([&] { return p_.consume(slot.chunk); });
      const bool last = slot.chunk.last;
      std::lock_guard lock(mu_);
      if (!written.ok()) {
        Fail(written.error());
        return;
      }
      slot.state = State::kFree;
      cv_.notify_all();
      if (last) {
        return;
      }
    }
  }

  const ChunkPipeline& p_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::size_t> queue_;  // slots waiting for a worker, in order
  bool produced_all_ = false;
  bool failed_ = false;
  Error failure_{ErrorCode::kInternal, {}};
};

}  // namespace

Status RunChunkPipeline(const ChunkPipeline& pipeline) {
  if (pipeline.chunk_capacity == 0 || !pipeline.produce || !pipeline.work || !pipeline.consume) {
    return MakeError(ErrorCode::kInternal, "an incomplete chunk pipeline");
  }
  std::unique_ptr<std::uint8_t[]> first_buffer;
  Chunk first;
  KEYHOLD_TRY(Guarded([&] {
    first_buffer = std::make_unique_for_overwrite<std::uint8_t[]>(pipeline.chunk_capacity);
    first = Chunk{.index = 0, .bytes = {first_buffer.get(), pipeline.chunk_capacity}};
    return pipeline.produce(first);
  }));
  if (first.last) {
    // One chunk: threads would cost more than they save.
    KEYHOLD_TRY(Guarded([&] { return pipeline.work(first); }));
    return Guarded([&] { return pipeline.consume(first); });
  }
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const unsigned workers = std::min(pipeline.workers == 0 ? cores : pipeline.workers, kMaxWorkers);
  // Two slots per worker keep every worker busy while the reader and the
  // writer each hold one; the byte cap bounds memory on many-core machines.
  const std::size_t by_memory =
      std::max<std::size_t>(2, kMaxPipelineBytes / pipeline.chunk_capacity);
  const std::size_t slots = std::min<std::size_t>(2 * std::size_t{workers} + 2, by_memory);
  Ring ring(pipeline, slots);
  return ring.Run(std::move(first_buffer), std::move(first), workers);
}

}  // namespace keyhold::client
