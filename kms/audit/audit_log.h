// AuditLog: the append-only, hash-chained, durable audit log.
//
// Records go to JSON-lines files in one directory (format in
// kms/audit/audit_record.h and docs/formats.md). A record is durable when
// its callback runs with ok: the file was written and fdatasync returned.
// One writer thread takes everything queued since its last sync and writes
// it with one write and one fdatasync (group commit), so the sync rate of
// the disk caps the number of batches, not of requests.
//
// If a batch cannot be made durable (ENOSPC, EIO, the directory gone), every
// record in it fails with kAuditUnavailable, the file is cut back to the end
// of the last durable record, and every audited request is refused until a
// batch succeeds. While idle in that state the writer tries, every
// head_interval_ms, to write a record of the recovery itself: the service
// fails closed and recovers by itself when the fault clears. A current file
// that was removed (the file, or the directory with it: st_nlink is 0) is
// never written again: what was written to it would be durable in no file of
// the log. The next batch starts a new file in the directory, and fails
// while the directory does not exist.
//
// Keys come from the root key (SetKeys at unseal, ClearKeys at seal): a mac
// on every record, an Ed25519 signature on the last record of each batch,
// and signed checkpoints at unseal, seal, file rotation and shutdown.
// Records written while sealed carry no mac; the checkpoint at the next
// unseal signs the chain through them.
//
// The chain head (seq and hash of the last durable record) is handed to
// `save_head` at most every `head_interval_ms` and at each checkpoint; the
// store keeps it so that a log cut at its end, or an older copy of the store
// put back, is found at unseal (see CheckAgainstHead). The periodic saves
// run on a thread of their own: a store commit is two syncs, and on the
// writer thread it held every request waiting for its record (the p99).
// Checkpoints save on the writer thread, before their callback runs. Saves
// never go back: a head older than the last one saved is skipped.
// Thread-safe.
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_LOG_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/audit/audit_reader.h"
#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"

namespace keyhold::kms {

struct AuditLogOptions {
  std::filesystem::path dir;
  std::uint64_t max_file_bytes = std::uint64_t{64} << 20;
  std::int64_t max_file_age_s = 86'400;
  std::int64_t head_interval_ms = 1'000;
  // Called on the writer thread with each line once it is durable (the
  // syslog sink); false if it did not take it. Must not block.
  std::function<bool(std::string_view line)> mirror;
  // Told, once per run of failures, what goes wrong outside any request: a
  // head the store would not save, lines the mirror dropped, a torn tail
  // cut at start-up. Runs on the writer thread, the head saver thread (a
  // head not saved) or in Open: it must be thread-safe.
  std::function<void(const std::string& what)> on_warning;
};

class AuditLog {
 public:
  using Done = std::function<void(Status)>;
  using SaveHead = std::function<Status(const ChainHead&)>;
  using NowMicros = std::function<std::int64_t()>;

  // Open creates `dir` (0700) if needed, finds the last file, cuts a record
  // torn by a crash (it was never acknowledged; from the first NUL byte if
  // any, else after the last newline), keeping the bytes cut in
  // "<file>.torn-<time>", and checks the chain of the last two files without
  // a key; the finding is in startup_check().
  static Result<std::unique_ptr<AuditLog>> Open(const AuditLogOptions& options, NowMicros now);
  ~AuditLog();  // writes everything queued, then a shutdown checkpoint
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Submit queues `event`. `done` runs on the writer thread, once: ok when
  // the record is durable, kAuditUnavailable when it cannot be. Never blocks
  // on the disk; keep `done` short (post elsewhere for real work).
  void Submit(AuditEvent event, Done done);
  // Append is Submit and wait.
  Status Append(AuditEvent event);

  // SetKeys derives nothing: it takes the keys derived from the root key at
  // unseal, writes an "unseal" checkpoint and starts saving the head with
  // `save_head`. ClearKeys writes a "seal" checkpoint first; once it
  // returns, `save_head` is never called again with those keys (the store
  // behind it may go).
  Status SetKeys(crypto::SecretBytes mac_key, crypto::SecretBytes context_key,
                 crypto::Ed25519Signer signer, SaveHead save_head);
  void ClearKeys();

  // ContextDigest is the hex HMAC of the canonical context under the context
  // key, so that a context of few possible values cannot be guessed from the
  // log; empty while sealed or for an empty context.
  std::string ContextDigest(const crypto::EncryptionContext& context) const;

  // CheckAgainstHead verifies the files from the one holding `head` (from
  // the store) to the newest, up to the last durable byte, with the mac key
  // and public key given, and checks that the log reaches `head` with the
  // same hash.
  AuditVerifyResult CheckAgainstHead(const ChainHead& head, const crypto::SecretBytes& mac_key,
                                     const crypto::Ed25519PublicKey& public_key) const;

  // Flush returns once everything submitted before it has been written (or
  // failed) and its callback has run.
  void Flush();

  // Read calls `each` for the durable records `filter` selects, oldest
  // first, until it returns false (see ReadAuditFiles).
  Status Read(const AuditFilter& filter, const std::function<bool(const AuditEntry&)>& each) const;

  // The durable head, and the files in chain order.
  ChainHead head() const;
  std::vector<std::filesystem::path> Files() const;
  const AuditVerifyResult& startup_check() const { return startup_check_; }
  // The public key of the checkpoints, once unsealed.
  std::optional<crypto::Ed25519PublicKey> public_key() const;
  // healthy is false after a failed batch, until one succeeds.
  bool healthy() const;

 private:
  struct Keys {
    crypto::SecretBytes mac_key;
    crypto::SecretBytes context_key;
    crypto::Ed25519Signer signer;
    SaveHead save_head;
    std::uint64_t epoch = 0;  // which SetKeys: saves only while it is live
  };
  struct Pending {
    AuditEvent event;
    std::string checkpoint;  // non-empty: a checkpoint with this reason
    Done done;
    bool barrier = false;  // Flush: no record, only the callback
  };

  AuditLog(const AuditLogOptions& options, NowMicros now);
  std::shared_ptr<const Keys> CurrentKeys() const;
  Status OpenLastFile();
  void WriterLoop();
  void WriteBatch(std::vector<Pending> batch);
  Status ReplaceIfRemoved(std::int64_t now_us);
  Status RotateIfDue(std::int64_t now_us, const Keys* keys);
  // StartNextFile creates the file named by the next seq, durably, and
  // writes there from now on; `why` prefixes the error.
  Status StartNextFile(std::int64_t now_us, const std::string& why);
  Status WriteDurably(const std::string& bytes);
  // MaybeSaveHead saves the head now (force: a checkpoint) or hands it to
  // the head saver thread when head_interval_ms has passed.
  void MaybeSaveHead(const std::shared_ptr<const Keys>& keys, bool force);
  void StoreHead(const Keys& keys, const ChainHead& head);
  void HeadSaverLoop();
  void Mirror(std::string_view bytes);
  void Warn(bool* streak, bool failed, const std::string& what);
  Status Checkpoint(std::string reason);

  const AuditLogOptions options_;
  const NowMicros now_;

  // Writer thread state (only the writer touches these after Open; it
  // changes file_ and file_bytes_ under mu_, which readers hold).
  int fd_ = -1;
  std::filesystem::path file_;
  std::uint64_t file_bytes_ = 0;  // durable size of the current file
  std::int64_t file_started_us_ = 0;
  ChainState chain_;                    // next position, durable
  std::int64_t last_head_save_us_ = 0;  // when the writer last asked for a save
  bool mirror_failing_ = false;

  // The head saver: the latest head to save, and whether a save runs.
  std::mutex save_mu_;
  std::condition_variable save_cv_;
  std::optional<ChainHead> save_pending_;  // guarded by save_mu_
  std::shared_ptr<const Keys> save_keys_;  // guarded by save_mu_
  bool saving_ = false;                    // guarded by save_mu_
  bool save_stop_ = false;                 // guarded by save_mu_
  std::mutex saved_mu_;                    // held while save_head runs
  std::uint64_t last_saved_seq_ = 0;       // guarded by saved_mu_
  bool head_save_failing_ = false;         // guarded by saved_mu_
  std::uint64_t epochs_ = 0;               // guarded by saved_mu_
  // The epoch of the keys that may save the head; 0 while sealed.
  std::uint64_t live_epoch_ = 0;  // guarded by saved_mu_

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stop_ = false;
  std::atomic<bool> healthy_{true};  // read on every request: no lock
  ChainHead head_;
  // Apart from mu_, which the writer and every Submit take: readers of the
  // keys (ContextDigest, on every request) do not queue behind them.
  mutable std::shared_mutex keys_mu_;
  std::shared_ptr<const Keys> keys_;  // guarded by keys_mu_
  AuditVerifyResult startup_check_;
  std::thread writer_;
  std::thread head_saver_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_LOG_H_
