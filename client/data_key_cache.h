// CachingDataKeySource: a DataKeySource that reuses recent answers of
// another, for applications that encrypt or decrypt many small files and
// would otherwise make one server call per file.
//
// Encryption reuses one generated data key per (master key, context) for at
// most `max_age` and `max_uses` files; decryption reuses an unwrapped key
// for the same wrapped bytes, key and context under the same bounds. Reusing
// a data key across files is safe for the stream format: each file derives
// its own key from a random salt (crypto/stream_cipher.h). What it costs: a
// server sees fewer calls (the audit log records one generate-data-key for
// up to `max_uses` files), a revoked grant or a disabled key takes effect
// here only when an entry expires, and the plaintext data keys sit in
// guarded memory until then. Entries are dropped when they expire, when
// they are used up, and by Clear(). Thread-safe: calls to the inner source
// are made under a lock, one at a time. May include: std, crypto/, client/.
#ifndef KEYHOLD_CLIENT_DATA_KEY_CACHE_H_
#define KEYHOLD_CLIENT_DATA_KEY_CACHE_H_

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "client/data_key_source.h"

namespace keyhold::client {

// DataKeyCacheOptions bound what the cache keeps, three ways.
struct DataKeyCacheOptions {
  std::chrono::seconds max_age{300};
  std::uint64_t max_uses = 1000;  // files per cached key
  std::size_t max_entries = 64;   // least recently used go first
};

class CachingDataKeySource final : public DataKeySource {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `inner` must outlive the cache. `clock` is for tests; by default the
  // steady clock. Options under which it could never hit (no age, fewer
  // than two uses per key, no entry) are refused with kInvalidRequest: such
  // a cache is a configuration error.
  static Result<std::unique_ptr<CachingDataKeySource>> Create(DataKeySource* inner,
                                                              const DataKeyCacheOptions& options,
                                                              Clock clock = {});

  Result<DataKey> GenerateDataKey(const crypto::KeyId& key,
                                  const crypto::EncryptionContext& context) override;
  Result<crypto::SecretBytes> UnwrapDataKey(const crypto::KeyId& key,
                                            std::span<const std::uint8_t> wrapped,
                                            const crypto::EncryptionContext& context) override;

  // Clear forgets every cached key (and wipes it).
  void Clear();

 private:
  struct Entry {
    std::string id;  // what the entry answers (see data_key_cache.cc)
    std::chrono::steady_clock::time_point expires;
    std::uint64_t uses_left;
    DataKey key;
  };
  CachingDataKeySource(DataKeySource* inner, const DataKeyCacheOptions& options, Clock clock)
      : inner_(inner), options_(options), clock_(std::move(clock)) {}
  // Find drops expired entries and returns entry `id`, or end(). Take
  // returns a copy of an entry and counts one use, dropping the entry when
  // it is used up. Insert keeps a fresh key. The caller holds mu_.
  std::list<Entry>::iterator Find(const std::string& id);
  Result<DataKey> Take(std::list<Entry>::iterator it);
  void Insert(std::string id, DataKey key);

  DataKeySource* inner_;
  DataKeyCacheOptions options_;
  Clock clock_;
  std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_DATA_KEY_CACHE_H_
