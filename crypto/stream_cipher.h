// StreamSealer and StreamOpener: the chunks of a file sealed under one data
// key, after a stream header (crypto/stream_header.h).
//
// Construction (docs/formats.md, "Stream format"): a file key and a 32-byte
// commitment come from HKDF-SHA-256 over the data key, with the header's
// random salt and, as info, a label and the SHA-256 of every header byte but
// the commitment. Chunk i is AES-256-GCM under the file key with nonce
// = prefix(7) || u32 i || u8 last, no associated data, giving ciphertext ||
// 16-byte tag. Every chunk but the last holds exactly C plaintext bytes; the
// last holds 0 to C-1. That is the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizar 2015): reordering, dropping, duplicating, truncating or
// appending chunks changes some chunk's nonce and fails its tag. The header is
// bound by the commitment, checked before any chunk is opened; the random
// salt makes a fresh file key per file even when a data key is reused
// (client/data_key_cache.h), so nonces never repeat under one key.
//
// WARNING: a (key, nonce) pair must never seal twice. StreamSealer therefore
// draws its own salt and prefix, and hands out each chunk index once, as a
// move-only ChunkNonce; there is no way to seal under a header that already
// exists. Seal and Open are const and thread-safe, so chunks of one file can be
// sealed or opened on many threads; NextChunk is not thread-safe.
// May include: OpenSSL, libsodium, std, crypto/.
#ifndef KEYHOLD_CRYPTO_STREAM_CIPHER_H_
#define KEYHOLD_CRYPTO_STREAM_CIPHER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"
#include "crypto/stream_header.h"

namespace keyhold::crypto {

// Bytes a chunk grows by when sealed.
inline constexpr std::size_t kStreamTagSize = 16;
// Chunk indexes are 32 bits: a stream holds at most 2^32 chunks.
inline constexpr std::uint64_t kMaxStreamChunks = std::uint64_t{1} << 32;

class StreamSealer;

// ChunkNonce is the right to seal one chunk of one stream: its index and
// whether it is the last. Only StreamSealer::NextChunk makes one, only the
// sealer that made it accepts it, Seal consumes it, and a moved-from
// ChunkNonce is spent, so no index can be sealed twice.
class ChunkNonce {
 public:
  ChunkNonce(ChunkNonce&& other) noexcept;
  ChunkNonce& operator=(ChunkNonce&& other) noexcept;
  ChunkNonce(const ChunkNonce&) = delete;
  ChunkNonce& operator=(const ChunkNonce&) = delete;
  ~ChunkNonce() = default;

  // index is the chunk's position in the stream, from 0.
  std::uint32_t index() const { return index_; }
  // last reports whether this is the stream's final chunk.
  bool last() const { return last_; }

 private:
  friend class StreamSealer;
  ChunkNonce(const StreamSealer* owner, std::uint32_t index, bool last)
      : owner_(owner), index_(index), last_(last), live_(true) {}
  const StreamSealer* owner_ = nullptr;
  std::uint32_t index_ = 0;
  bool last_ = false;
  bool live_ = false;
};

// StreamSealer seals one new stream: see the file comment.
class StreamSealer {
 public:
  // Create draws a fresh salt and nonce prefix and builds the header for a
  // stream sealed under `data_key` (32 bytes), the data key `wrapped_key`
  // wraps under `key_id` with `context`. kInvalidRequest for a chunk size or
  // wrapped key out of bounds, kCryptoFailure if randomness or HKDF fails.
  static Result<std::unique_ptr<StreamSealer>> Create(const SecretBytes& data_key,
                                                      const KeyId& key_id,
                                                      std::span<const std::uint8_t> wrapped_key,
                                                      const EncryptionContext& context,
                                                      std::uint32_t chunk_size);

  // header returns the serialized header: write it before the first chunk.
  const std::vector<std::uint8_t>& header() const { return header_; }
  // chunk_size is C, the plaintext bytes of every chunk but the last.
  std::uint32_t chunk_size() const { return chunk_size_; }

  // NextChunk reserves the next index. `last` marks the final chunk; after it
  // (or after 2^32 chunks) NextChunk fails with kInvalidRequest. Not
  // thread-safe: one thread hands out the indexes, in stream order.
  Result<ChunkNonce> NextChunk(bool last);

  // Seal encrypts `chunk[0, plaintext_size)` in place and writes the tag at
  // `chunk[plaintext_size, plaintext_size + 16)`. `chunk` must have room for
  // the tag. A chunk that is not last must hold exactly chunk_size() bytes,
  // the last one fewer. Refused with kInvalidRequest: a spent nonce, one
  // made by another sealer, a size against those rules. Thread-safe.
  Status Seal(ChunkNonce nonce, std::span<std::uint8_t> chunk, std::size_t plaintext_size) const;

 private:
  StreamSealer(SecretBytes file_key, std::vector<std::uint8_t> header,
               std::array<std::uint8_t, kStreamNoncePrefixSize> prefix, std::uint32_t chunk_size)
      : file_key_(std::move(file_key)),
        header_(std::move(header)),
        prefix_(prefix),
        chunk_size_(chunk_size) {}
  SecretBytes file_key_;
  std::vector<std::uint8_t> header_;
  std::array<std::uint8_t, kStreamNoncePrefixSize> prefix_;
  std::uint32_t chunk_size_;
  std::uint64_t next_index_ = 0;
  bool finished_ = false;
};

// StreamOpener opens the chunks of an existing stream; it cannot seal.
class StreamOpener {
 public:
  // Create derives the file key from `data_key` and the serialized `header`
  // and checks the header's commitment in constant time. Any failure (a
  // header that does not parse, a data key of another file, a changed
  // header byte) is the generic kInvalidCiphertext.
  static Result<std::unique_ptr<StreamOpener>> Create(const SecretBytes& data_key,
                                                      std::span<const std::uint8_t> header);

  // chunk_size is the header's C.
  std::uint32_t chunk_size() const { return chunk_size_; }

  // Open authenticates and decrypts chunk `index` in place: `chunk` holds
  // ciphertext || tag, and on success its first returned-count bytes are the
  // plaintext. A chunk that is not last must be exactly chunk_size() + 16
  // bytes, the last 16 to chunk_size() + 15. Any failure is
  // kInvalidCiphertext and leaves `chunk` zeroed where plaintext would be,
  // so unauthenticated plaintext is never visible. Thread-safe.
  Result<std::size_t> Open(std::uint64_t index, bool last, std::span<std::uint8_t> chunk) const;

 private:
  StreamOpener(SecretBytes file_key, std::array<std::uint8_t, kStreamNoncePrefixSize> prefix,
               std::uint32_t chunk_size)
      : file_key_(std::move(file_key)), prefix_(prefix), chunk_size_(chunk_size) {}
  SecretBytes file_key_;
  std::array<std::uint8_t, kStreamNoncePrefixSize> prefix_;
  std::uint32_t chunk_size_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_STREAM_CIPHER_H_
