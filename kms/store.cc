#include "kms/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace keyhold::kms {
namespace {

constexpr const char* kTableNames[] = {nullptr,    "meta",           "keys",     "versions",
                                       "counters", "tokens",         "officers", "requests",
                                       "imports",  "xks_credentials"};
constexpr Table kTables[] = {Table::kMeta,     Table::kKeys,    Table::kVersions,
                             Table::kCounters, Table::kTokens,  Table::kOfficers,
                             Table::kRequests, Table::kImports, Table::kXksCredentials};

MDB_val Val(Bytes b) {
  return MDB_val{b.size(), const_cast<std::uint8_t*>(b.data())};  // LMDB never writes through it
}

Bytes View(const MDB_val& v) {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

}  // namespace

Error Store::LmdbError(int rc, const char* what) {
  const std::string text = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
      return MakeError(ErrorCode::kStoreFull,
                       "the key store is full (LMDB map size reached); raise store.map_size_mib");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_BAD_TXN:
      return MakeError(ErrorCode::kStoreCorrupt, text);
    case MDB_PANIC:
      // LMDB's fatal state: a write of the meta page failed (an I/O error),
      // or a thread died holding the write lock. The files hold the last
      // commit, intact; only this process may not use the environment any
      // more. Not kStoreCorrupt, which sends the operator to a backup (and
      // so loses every change made since).
      return MakeError(ErrorCode::kStoreUnavailable,
                       text + "; the store cannot be used until the server restarts " +
                           "(nothing committed is lost)");
    default:
      return MakeError(ErrorCode::kStoreUnavailable, text);
  }
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->dir_ = options.dir;
  std::error_code ec;
  if (!std::filesystem::exists(options.dir, ec)) {
    if (::mkdir(options.dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return MakeError(
          ErrorCode::kStoreUnavailable,
          "cannot create store directory " + options.dir.string() + ": " + std::strerror(errno));
    }
  }
  const auto lock_path = options.dir / "keyhold.lock";
  store->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (store->lock_fd_ < 0) {
    return MakeError(ErrorCode::kStoreUnavailable,
                     "cannot open " + lock_path.string() + ": " + std::strerror(errno));
  }
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return MakeError(ErrorCode::kStoreLocked,
                     "the store " + options.dir.string() + " is in use by another process");
  }
  int rc = mdb_env_create(&store->env_);
  if (rc != 0) {
    return LmdbError(rc, "mdb_env_create");
  }
  if ((rc = mdb_env_set_maxdbs(store->env_, 10)) != 0 ||
      (rc = mdb_env_set_mapsize(store->env_, options.map_size_bytes)) != 0) {
    return LmdbError(rc, "configuring LMDB");
  }
  // MDB_NOTLS: read transactions are not tied to OS threads (the server's
  // handlers run on a pool). No NOSYNC, NOMETASYNC, MAPASYNC or WRITEMAP:
  // every commit is durable, and a stray pointer cannot scribble on the map.
  rc = mdb_env_open(store->env_, options.dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) {
    return LmdbError(rc, ("opening the store in " + options.dir.string()).c_str());
  }
  // A process killed inside a read transaction leaves its reader slot
  // behind, which pins old pages so that the file grows instead of reusing
  // them. We hold the store lock, so every reader left now is dead.
  int dead_readers = 0;
  if ((rc = mdb_reader_check(store->env_, &dead_readers)) != 0) {
    return LmdbError(rc, "clearing stale readers");
  }
  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(store->env_, nullptr, 0, &txn)) != 0) {
    return LmdbError(rc, "mdb_txn_begin");
  }
  for (Table t : kTables) {
    rc = mdb_dbi_open(txn, kTableNames[static_cast<int>(t)], MDB_CREATE,
                      &store->dbis_[static_cast<int>(t)]);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return LmdbError(rc, "opening a table");
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) {
    return LmdbError(rc, "creating tables");
  }
  return store;
}

Store::~Store() {
  if (env_ != nullptr) {
    mdb_env_close(env_);
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
  }
}

MDB_dbi Store::Dbi(Table table) const {
  return dbis_[static_cast<int>(table)];
}

Result<ReadTxn> Store::BeginRead() const {
  MDB_txn* txn = nullptr;
  const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) {
    return LmdbError(rc, "beginning a read");
  }
  return ReadTxn(this, txn);
}

Result<WriteTxn> Store::BeginWrite() {
  MDB_txn* txn = nullptr;
  const int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) {
    return LmdbError(rc, "beginning a write");
  }
  return WriteTxn(this, txn);
}

ReadTxn::ReadTxn(ReadTxn&& other) noexcept
    : store_(other.store_), txn_(std::exchange(other.txn_, nullptr)) {}

ReadTxn::~ReadTxn() {
  if (txn_ != nullptr) {
    mdb_txn_abort(txn_);
  }
}

Result<std::optional<Bytes>> ReadTxn::Get(Table table, Bytes key) {
  MDB_val k = Val(key);
  MDB_val v{};
  const int rc = mdb_get(txn_, store_->Dbi(table), &k, &v);
  if (rc == MDB_NOTFOUND) {
    return std::optional<Bytes>();
  }
  if (rc != 0) {
    return Store::LmdbError(rc, "reading");
  }
  return std::optional<Bytes>(View(v));
}

Result<std::uint64_t> ReadTxn::Count(Table table) {
  MDB_stat stat{};
  const int rc = mdb_stat(txn_, store_->Dbi(table), &stat);
  if (rc != 0) {
    return Store::LmdbError(rc, "counting");
  }
  return static_cast<std::uint64_t>(stat.ms_entries);
}

Status ReadTxn::ForEach(Table table, Bytes prefix, Bytes start,
                        const std::function<bool(Bytes key, Bytes value)>& fn) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn_, store_->Dbi(table), &cursor);
  if (rc != 0) {
    return Store::LmdbError(rc, "opening a cursor");
  }
  const Bytes from =
      std::lexicographical_compare(start.begin(), start.end(), prefix.begin(), prefix.end())
          ? prefix
          : start;
  MDB_val k = Val(from);
  MDB_val v{};
  rc = from.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
                    : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  Status status;
  while (rc == 0) {
    const Bytes key = View(k);
    if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) {
      break;
    }
    if (!fn(key, View(v))) {
      break;
    }
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) {
    status = Store::LmdbError(rc, "iterating");
  }
  mdb_cursor_close(cursor);
  return status;
}

Status WriteTxn::Put(Table table, Bytes key, Bytes value) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  const int rc = mdb_put(txn_, store_->Dbi(table), &k, &v, 0);
  return rc == 0 ? Status::Ok() : Status(Store::LmdbError(rc, "writing"));
}

Status WriteTxn::Delete(Table table, Bytes key) {
  MDB_val k = Val(key);
  const int rc = mdb_del(txn_, store_->Dbi(table), &k, nullptr);
  if (rc == 0 || rc == MDB_NOTFOUND) {
    return Status::Ok();
  }
  return Store::LmdbError(rc, "deleting");
}

Status WriteTxn::Commit() {
  const int rc = mdb_txn_commit(std::exchange(txn_, nullptr));
  return rc == 0 ? Status::Ok() : Status(Store::LmdbError(rc, "committing"));
}

}  // namespace keyhold::kms
