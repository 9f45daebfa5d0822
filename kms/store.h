// Store: Keyhold's embedded LMDB database (one directory, eight tables).
//
// Durability: a WriteTxn is durable when Commit() returns ok. LMDB's default
// sync mode is used (fsync of data and meta page on every commit); no flag
// that weakens it exists. A crash at any moment leaves the last committed
// state. Reads see a consistent snapshot for the life of a ReadTxn.
//
// LMDB keeps no checksums: the bytes stored here are sealed records
// (kms/record_sealer.h), which is what makes corruption and swapped records
// visible. Freed pages are reused, not wiped (see docs/operations.md,
// "What destroy guarantees").
//
// One process at a time: Open takes an exclusive flock on `keyhold.lock`,
// because the key cache in memory assumes no other writer. Files are created
// 0600 in a 0700 directory. Thread-safe: any number of ReadTxns; WriteTxns
// are serialised by LMDB (a second BeginWrite blocks until the first ends).
// A transaction must stay on the thread that began it.
#ifndef KEYHOLD_KMS_STORE_H_
#define KEYHOLD_KMS_STORE_H_

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "crypto/error.h"

namespace keyhold::kms {

enum class Table : std::uint8_t {
  kMeta = 1,            // store id, format, seal configuration (not sealed records)
  kKeys = 2,            // "TENANT/NAME" -> sealed key record
  kVersions = 3,        // "TENANT/NAME" 0x00 u32be -> sealed version record (key material)
  kCounters = 4,        // "TENANT/NAME" 0x00 u32be -> sealed encryption-budget reservation
  kTokens = 5,          // token accessor (16 hex) -> sealed token record (hash, never the token)
  kOfficers = 6,        // officer principal -> sealed officer record (Ed25519 public key)
  kRequests = 7,        // access request id (32 hex) -> sealed access request
  kImports = 8,         // import token (32 hex) -> sealed import token (its RSA private key)
  kXksCredentials = 9,  // SigV4 access key id -> sealed XKS credential (its secret)
};

struct StoreOptions {
  std::filesystem::path dir;
  // The LMDB map size: the largest the data file may grow to. Writes beyond
  // it fail with kStoreFull, never by losing data.
  std::size_t map_size_bytes = std::size_t{1} << 30;
};

using Bytes = std::span<const std::uint8_t>;

class Store;

// ReadTxn is a consistent snapshot. Views returned by Get are valid until the
// transaction ends.
class ReadTxn {
 public:
  ReadTxn(ReadTxn&& other) noexcept;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ~ReadTxn();

  // Get returns the value of `key`, std::nullopt if absent, or an error.
  Result<std::optional<Bytes>> Get(Table table, Bytes key);

  // Count returns the number of entries in `table` (O(1), from LMDB's
  // page statistics).
  Result<std::uint64_t> Count(Table table);

  // ForEach calls `fn(key, value)` for every entry whose key starts with
  // `prefix`, in key order, starting at the first key >= max(prefix, start).
  // `fn` returns false to stop early.
  Status ForEach(Table table, Bytes prefix, Bytes start,
                 const std::function<bool(Bytes key, Bytes value)>& fn);

 protected:
  ReadTxn(const Store* store, MDB_txn* txn) : store_(store), txn_(txn) {}
  const Store* store_;
  MDB_txn* txn_;
  friend class Store;
};

// WriteTxn adds Put and Delete. Dropping it without Commit aborts it.
class WriteTxn : public ReadTxn {
 public:
  WriteTxn(WriteTxn&& other) noexcept = default;

  Status Put(Table table, Bytes key, Bytes value);
  // Delete removes `key`; deleting an absent key is not an error.
  Status Delete(Table table, Bytes key);
  // Commit makes every change durable, or none of them. The transaction is
  // over either way.
  Status Commit();

 private:
  using ReadTxn::ReadTxn;
  friend class Store;
};

class Store {
 public:
  // Open opens or creates the store in `options.dir`. An existing data file
  // that LMDB cannot read is reported (kStoreCorrupt or kStoreUnavailable)
  // and left untouched; it is never recreated.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Result<ReadTxn> BeginRead() const;
  Result<WriteTxn> BeginWrite();

  const std::filesystem::path& dir() const { return dir_; }

  // LmdbError maps an LMDB or errno code to the catalogue (kStoreFull for
  // MDB_MAP_FULL, kStoreCorrupt for damaged pages, else kStoreUnavailable).
  static Error LmdbError(int rc, const char* what);

 private:
  Store() = default;
  MDB_dbi Dbi(Table table) const;
  MDB_env* env_ = nullptr;
  MDB_dbi dbis_[10] = {};  // indexed by Table (1..9)
  int lock_fd_ = -1;
  std::filesystem::path dir_;
  friend class ReadTxn;
  friend class WriteTxn;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_STORE_H_
