// RunChunkPipeline: the engine under file encryption and decryption. One
// thread reads chunks in order, a pool of workers seals or opens them in
// parallel, and one thread writes them in order, so the disk and every core
// are busy at once while memory stays bounded by a fixed ring of chunk
// buffers (at most kMaxPipelineBytes, whatever the file's size).
//
// The first failure stops every stage: nothing after a failed chunk is
// written, and the failure is what Run returns. An exception from a stage
// (an allocation that failed) is such a failure, never a crash. A stream
// whose first chunk is also its last runs on the calling thread alone (no
// threads for a small file). Produce and Consume run on one thread each;
// Work runs on many at once and must be thread-safe. A failed Consume
// stops the run once Produce returns: a Produce blocked on a pipe that
// never ends blocks the run with it. May include: std, crypto/.
#ifndef KEYHOLD_CLIENT_CHUNK_PIPELINE_H_
#define KEYHOLD_CLIENT_CHUNK_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "crypto/error.h"
#include "crypto/stream_cipher.h"

namespace keyhold::client {

// kMaxPipelineBytes caps the ring's buffers, whatever the chunk size and
// the number of workers.
inline constexpr std::size_t kMaxPipelineBytes = 32 * 1024 * 1024;
// kMaxWorkers caps the worker threads, whatever a caller asks for.
inline constexpr unsigned kMaxWorkers = 64;

// Chunk is one chunk on its way through the stages, in a ring buffer.
struct Chunk {
  std::uint64_t index = 0;  // set by the pipeline: 0, 1, 2, ...
  bool last = false;        // set by Produce: no chunk follows this one
  std::size_t size = 0;     // bytes of `bytes` in use
  std::span<std::uint8_t> bytes{};
  std::optional<crypto::ChunkNonce> nonce{};  // encryption only
};

// ChunkPipeline is a run's buffer size, worker count and three stages.
struct ChunkPipeline {
  std::size_t chunk_capacity = 0;  // bytes each buffer holds
  unsigned workers = 0;            // 0: one per core; at most kMaxWorkers
  // Produce fills the chunk (index given) and sets `size` and `last`.
  std::function<Status(Chunk&)> produce;
  // Work transforms the chunk in place and updates `size`. Thread-safe.
  std::function<Status(Chunk&)> work;
  // Consume takes the chunks in index order.
  std::function<Status(const Chunk&)> consume;
};

// RunChunkPipeline runs until the chunk marked last has been consumed, or
// until the first failure, which it returns.
Status RunChunkPipeline(const ChunkPipeline& pipeline);

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_CHUNK_PIPELINE_H_
