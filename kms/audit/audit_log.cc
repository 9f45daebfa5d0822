#include "kms/audit/audit_log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>

#include "crypto/hmac.h"

namespace keyhold::kms {
namespace {

Error Unavailable(const std::string& what) {
  return Error{ErrorCode::kAuditUnavailable, "audit log: " + what};
}

Error Errno(const std::string& what) {
  return Unavailable(what + ": " + std::strerror(errno));
}

Status SyncDir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Errno("cannot open the audit directory");
  }
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status(Errno("cannot sync the audit directory"));
}

}  // namespace

AuditLog::AuditLog(const AuditLogOptions& options, NowMicros now)
    : options_(options), now_(std::move(now)) {}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditLogOptions& options, NowMicros now) {
  std::unique_ptr<AuditLog> log(new AuditLog(options, std::move(now)));
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec || ::chmod(options.dir.c_str(), 0700) != 0) {
    return Unavailable("cannot create " + options.dir.string());
  }
  KEYHOLD_TRY(log->OpenLastFile());
  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  log->head_saver_ = std::thread([l = log.get()] { l->HeadSaverLoop(); });
  return log;
}

std::vector<std::filesystem::path> AuditLog::Files() const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  // increment(ec), not ++: a read error mid-listing must not throw.
  for (std::filesystem::directory_iterator it(options_.dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (FirstSeqOfFileName(it->path().filename().string())) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Status AuditLog::OpenLastFile() {
  std::vector<std::filesystem::path> files = Files();
  if (files.empty()) {
    file_ = options_.dir / AuditFileName(1);
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return Errno("cannot create " + file_.string());
    }
    file_started_us_ = now_();
    return SyncDir(options_.dir);
  }
  file_ = files.back();
  // A crash in the middle of a batch can leave a record without its
  // newline. Its request was never answered, so it goes.
  std::string content;
  {
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
      return Unavailable("cannot read " + file_.string());
    }
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Keyhold never writes a NUL byte; a file system that does not order data
  // before size (XFS, ext4 data=writeback) can show an unsynced batch as
  // zeros after a crash. Such a batch was never acknowledged either. The
  // cut starts at the last newline before the first NUL (or at the last
  // newline), and the bytes cut are kept beside the log: if they were not
  // a crash's leftovers but a damaged middle, they are evidence.
  const std::size_t end = content.rfind('\n', content.find('\0'));
  const std::size_t keep = end == std::string::npos ? 0 : end + 1;
  fd_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) {
    return Errno("cannot open " + file_.string());
  }
  if (keep != content.size()) {
    const std::filesystem::path torn = file_.string() + ".torn-" + std::to_string(now_());
    const int tfd = ::open(torn.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (tfd < 0) {
      return Errno("cannot keep the torn end of " + file_.string());
    }
    const std::string_view cut = std::string_view(content).substr(keep);
    const bool kept = ::write(tfd, cut.data(), cut.size()) == static_cast<ssize_t>(cut.size()) &&
                      ::fsync(tfd) == 0;
    ::close(tfd);
    if (!kept) {
      return Errno("cannot keep the torn end of " + file_.string());
    }
    KEYHOLD_TRY(SyncDir(options_.dir));
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0 || ::fdatasync(fd_) != 0) {
      return Errno("cannot cut the torn record at the end of " + file_.string());
    }
    if (options_.on_warning) {
      options_.on_warning("cut " + std::to_string(cut.size()) + " bytes at the end of " +
                          file_.string() + " (a record torn by a crash, never acknowledged); " +
                          "they are kept in " + torn.string());
    }
    content.resize(keep);
  }
  file_bytes_ = keep;
  // The chain goes on from the last line as it is; whether the files are
  // intact is the start-up check's finding, reported, not silently fixed.
  std::vector<std::filesystem::path> tail(files.end() - std::min<std::size_t>(files.size(), 2),
                                          files.end());
  startup_check_ = VerifyAuditFiles(tail, {});
  file_started_us_ = now_();
  if (keep > 0) {
    const std::size_t first_end = content.find('\n');
    auto first = ParseLine(std::string_view(content).substr(0, first_end));
    if (first.ok()) {
      file_started_us_ = first->time_us;
    }
    const std::size_t last_start = content.rfind('\n', keep - 2);
    const std::string_view last = std::string_view(content).substr(
        last_start == std::string::npos ? 0 : last_start + 1,
        keep - 1 - (last_start == std::string::npos ? 0 : last_start + 1));
    auto parsed = ParseLine(last);
    if (!parsed.ok()) {
      return Unavailable("the last record of " + file_.string() +
                         " is unreadable: " + parsed.error().message);
    }
    chain_.next_seq = parsed->seq + 1;
    chain_.prev = LineHash(last);
  } else if (auto named = FirstSeqOfFileName(file_.filename().string()); named && *named > 1) {
    // An empty newest file: the chain continues from the file before it.
    if (files.size() < 2) {
      return Unavailable(file_.string() + " is empty and no earlier file exists");
    }
    std::ifstream in(files[files.size() - 2], std::ios::binary);
    std::string line;
    std::string last;
    while (std::getline(in, line)) {
      last = line;
    }
    auto parsed = ParseLine(last);
    if (!parsed.ok()) {
      return Unavailable("the last record of " + files[files.size() - 2].string() +
                         " is unreadable");
    }
    chain_.next_seq = parsed->seq + 1;
    chain_.prev = LineHash(last);
  }
  head_ = {chain_.next_seq - 1, chain_.prev};
  return Status::Ok();
}

AuditLog::~AuditLog() {
  bool keyed = false;
  {
    std::shared_lock lock(keys_mu_);
    keyed = keys_ != nullptr;
  }
  if (keyed) {
    (void)Checkpoint("shutdown");
  }
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) {
    writer_.join();
  }
  {
    std::lock_guard lock(save_mu_);
    save_stop_ = true;
  }
  save_cv_.notify_all();
  if (head_saver_.joinable()) {
    head_saver_.join();
  }
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

void AuditLog::Submit(AuditEvent event, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      queue_.push_back({std::move(event), "", std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Unavailable("the log is shutting down"));
}

Status AuditLog::Append(AuditEvent event) {
  std::promise<Status> promise;
  auto result = promise.get_future();
  Submit(std::move(event), [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

Status AuditLog::Checkpoint(std::string reason) {
  std::promise<Status> promise;
  auto result = promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      return Unavailable("the log is shutting down");
    }
    queue_.push_back({AuditEvent{}, std::move(reason),
                      [&promise](Status s) { promise.set_value(std::move(s)); }});
  }
  cv_.notify_one();
  return result.get();
}

Status AuditLog::SetKeys(crypto::SecretBytes mac_key, crypto::SecretBytes context_key,
                         crypto::Ed25519Signer signer, SaveHead save_head) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(saved_mu_);
    epoch = live_epoch_ = ++epochs_;
  }
  {
    std::unique_lock lock(keys_mu_);
    keys_ = std::make_shared<const Keys>(Keys{std::move(mac_key), std::move(context_key),
                                              std::move(signer), std::move(save_head), epoch});
  }
  return Checkpoint("unseal");
}

void AuditLog::ClearKeys() {
  (void)Checkpoint("seal");  // saves its head itself
  {
    // No save with these keys from now on, whoever asks (the saver thread,
    // or a batch or rotation the writer is in): taking saved_mu_ waits for
    // a save that is running.
    std::lock_guard lock(saved_mu_);
    live_epoch_ = 0;
  }
  {
    // And no copy of the keys left with the saver thread.
    std::unique_lock lock(save_mu_);
    save_pending_.reset();
    save_keys_.reset();
    save_cv_.wait(lock, [this] { return !saving_; });
  }
  std::unique_lock lock(keys_mu_);
  keys_.reset();
}

std::string AuditLog::ContextDigest(const crypto::EncryptionContext& context) const {
  std::shared_ptr<const Keys> keys = CurrentKeys();
  if (!keys || context.entries().empty()) {
    return "";
  }
  std::vector<std::uint8_t> encoded;
  context.AppendCanonical(&encoded);
  auto tag = crypto::HmacSha256(keys->context_key, encoded);
  if (!tag.ok()) {
    return "";
  }
  std::string hex(tag->size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), tag->data(), tag->size());
  hex.pop_back();
  return hex;
}

AuditVerifyResult AuditLog::CheckAgainstHead(const ChainHead& head,
                                             const crypto::SecretBytes& mac_key,
                                             const crypto::Ed25519PublicKey& public_key) const {
  AuditVerifyOptions options;
  options.expected_head = head;
  options.mac_key = &mac_key;
  options.public_key = public_key;
  {
    // Bytes past this may be a batch being written right now.
    std::lock_guard lock(mu_);
    options.last_file_limit = file_bytes_;
  }
  // The files from the one holding `head` to the newest.
  std::vector<std::filesystem::path> files = Files();
  std::vector<std::filesystem::path> from;
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    from.insert(from.begin(), *it);
    const auto first = FirstSeqOfFileName(it->filename().string());
    if (first && *first <= std::max<std::uint64_t>(head.seq, 1)) {
      break;
    }
  }
  return VerifyAuditFiles(from, options);
}

void AuditLog::Flush() {
  std::promise<void> promise;
  auto done = promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      return;
    }
    Pending p{AuditEvent{}, "", [&promise](const Status&) { promise.set_value(); }};
    p.barrier = true;
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  done.get();
}

ChainHead AuditLog::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::optional<crypto::Ed25519PublicKey> AuditLog::public_key() const {
  std::shared_ptr<const Keys> keys = CurrentKeys();
  if (!keys) {
    return std::nullopt;
  }
  return keys->signer.public_key();
}

std::shared_ptr<const AuditLog::Keys> AuditLog::CurrentKeys() const {
  std::shared_lock lock(keys_mu_);
  return keys_;
}

bool AuditLog::healthy() const {
  return healthy_.load(std::memory_order_acquire);
}

void AuditLog::WriterLoop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.head_interval_ms),
                   [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) {
        if (stop_) {
          return;
        }
      } else {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
    }
    if (batch.empty()) {
      if (!healthy()) {
        // Idle after a failure: try a record of the outage itself, so the
        // log recovers (and says so) without waiting for a request.
        AuditEvent e;
        e.time_us = now_();
        e.type = "system";
        e.operation = "audit.recovery";
        e.decision = "allow";
        e.reason = "the audit log can be written again after a failed write";
        batch.push_back({std::move(e), "", [](const Status&) {}});
        WriteBatch(std::move(batch));
        continue;
      }
      MaybeSaveHead(CurrentKeys(), false);
      continue;
    }
    WriteBatch(std::move(batch));
  }
}

void AuditLog::WriteBatch(std::vector<Pending> batch) {
  const std::shared_ptr<const Keys> keys = CurrentKeys();
  const std::int64_t now = now_();
  Status ready = ReplaceIfRemoved(now);
  if (ready.ok()) {
    ready = RotateIfDue(now, keys.get());
  }
  if (Status s = std::move(ready); !s.ok()) {
    healthy_.store(false, std::memory_order_release);
    for (Pending& p : batch) {
      p.done(s);
    }
    return;
  }
  AuditKeys k;
  if (keys) {
    k.mac_key = &keys->mac_key;
    k.signer = &keys->signer;
  }
  ChainState chain = chain_;
  std::string bytes;
  std::vector<Status> outcome(batch.size(), Status::Ok());
  std::size_t last_record = batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].checkpoint.empty() && !batch[i].barrier) {
      last_record = i;
    }
  }
  bool saw_checkpoint = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].barrier) {
      continue;
    }
    Result<std::string> line =
        batch[i].checkpoint.empty()
            ? FormatEventLine(batch[i].event, k, /*sign=*/i == last_record, &chain)
            : FormatCheckpointLine(now, batch[i].checkpoint, k, &chain);
    if (!line.ok()) {
      outcome[i] = line.error();
      continue;
    }
    saw_checkpoint = saw_checkpoint || !batch[i].checkpoint.empty();
    bytes += *line;
    bytes += '\n';
  }
  Status written = bytes.empty() ? Status::Ok() : WriteDurably(bytes);
  {
    std::lock_guard lock(mu_);
    healthy_ = written.ok();
    if (written.ok()) {
      chain_ = chain;
      file_bytes_ += bytes.size();
      head_ = {chain.next_seq - 1, chain.prev};
    }
  }
  if (written.ok()) {
    MaybeSaveHead(keys, saw_checkpoint);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(written.ok() ? outcome[i] : written);
  }
  if (written.ok() && !bytes.empty()) {
    Mirror(bytes);  // after the answers: the copy never delays one
  }
}

Status AuditLog::WriteDurably(const std::string& bytes) {
  // A failed batch may have left bytes that could not be cut: cut them
  // before anything is appended after them.
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    return Errno("cannot stat " + file_.string());
  }
  if (st.st_nlink == 0) {
    // Removed (the file, or the directory with it): bytes written to it now
    // would be durable nowhere anyone can read them. The next batch starts
    // a new file (ReplaceIfRemoved).
    return Unavailable(file_.string() + " was removed");
  }
  if (static_cast<std::uint64_t>(st.st_size) != file_bytes_ &&
      ::ftruncate(fd_, static_cast<off_t>(file_bytes_)) != 0) {
    return Errno("cannot cut " + file_.string() + " back to its last durable record");
  }
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      Error e = Errno("write to " + file_.string() + " failed");
      // Cut what went in, so the file ends at the last durable record again.
      (void)!::ftruncate(fd_, static_cast<off_t>(file_bytes_));
      return e;
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    // After a failed sync the page cache cannot be trusted to hold these
    // bytes: drop them; the requests fail and nothing was acknowledged.
    Error e = Errno("fdatasync of " + file_.string() + " failed");
    (void)!::ftruncate(fd_, static_cast<off_t>(file_bytes_));
    return e;
  }
  // Removed while being written: the records are on disk but in no file of
  // the log, so they are not acknowledged.
  if (::fstat(fd_, &st) != 0 || st.st_nlink == 0) {
    return Unavailable(file_.string() + " was removed while being written");
  }
  return Status::Ok();
}

Status AuditLog::ReplaceIfRemoved(std::int64_t now_us) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    return Errno("cannot stat " + file_.string());
  }
  if (st.st_nlink != 0) {
    return Status::Ok();
  }
  // The current file was removed, alone or with the directory. The log goes
  // on in a new file named by the next seq, once the directory exists again
  // (Keyhold does not make it: until someone does, every batch fails). The
  // chain still links to the removed records, so `keyhold audit verify` and
  // the check at unseal report them missing.
  const std::filesystem::path removed = file_;
  KEYHOLD_TRY(StartNextFile(now_us, removed.string() + " was removed; "));
  const std::filesystem::path& next = file_;
  if (options_.on_warning) {
    options_.on_warning(removed.string() + " was removed while in use; the log goes on in " +
                        next.string() + " (seq " + std::to_string(chain_.next_seq) +
                        "); the records before it are missing from the directory");
  }
  return Status::Ok();
}

Status AuditLog::RotateIfDue(std::int64_t now_us, const Keys* keys) {
  if (file_bytes_ == 0) {
    return Status::Ok();
  }
  const bool too_big = file_bytes_ >= options_.max_file_bytes;
  const bool too_old = now_us - file_started_us_ >= options_.max_file_age_s * 1'000'000;
  if (!too_big && !too_old) {
    return Status::Ok();
  }
  if (keys != nullptr) {
    // The old file ends with a signed checkpoint, so it verifies on its own.
    ChainState chain = chain_;
    AuditKeys k{&keys->mac_key, &keys->signer};
    KEYHOLD_ASSIGN_OR_RETURN(std::string line, FormatCheckpointLine(now_us, "rotate", k, &chain));
    KEYHOLD_TRY(WriteDurably(line + "\n"));
    Mirror(line + "\n");
    {
      std::lock_guard lock(mu_);
      chain_ = chain;
      file_bytes_ += line.size() + 1;
      head_ = {chain.next_seq - 1, chain.prev};
    }
    StoreHead(*keys, {chain.next_seq - 1, chain.prev});
  }
  return StartNextFile(now_us, "");
}

Status AuditLog::StartNextFile(std::int64_t now_us, const std::string& why) {
  const std::filesystem::path next = options_.dir / AuditFileName(chain_.next_seq);
  const int fd = ::open(next.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Errno(why + "cannot create " + next.string());
  }
  if (Status s = SyncDir(options_.dir); !s.ok()) {
    ::close(fd);
    ::unlink(next.c_str());
    return s;
  }
  ::close(fd_);
  fd_ = fd;
  {
    std::lock_guard lock(mu_);
    file_ = next;
    file_bytes_ = 0;
  }
  file_started_us_ = now_us;
  return Status::Ok();
}

void AuditLog::MaybeSaveHead(const std::shared_ptr<const Keys>& keys, bool force) {
  if (keys == nullptr || !keys->save_head) {
    return;
  }
  ChainHead head;
  {
    std::lock_guard lock(mu_);
    head = head_;
  }
  const std::int64_t now = now_();
  if (force) {
    last_head_save_us_ = now;
    StoreHead(*keys, head);
    return;
  }
  if (now - last_head_save_us_ < options_.head_interval_ms * 1'000) {
    return;
  }
  last_head_save_us_ = now;
  {
    std::lock_guard lock(save_mu_);
    save_pending_ = head;
    save_keys_ = keys;
  }
  save_cv_.notify_all();  // the saver; ClearKeys's wait just checks again
}

void AuditLog::HeadSaverLoop() {
  std::unique_lock lock(save_mu_);
  for (;;) {
    save_cv_.wait(lock, [this] { return save_stop_ || save_pending_.has_value(); });
    if (save_stop_) {
      return;
    }
    const ChainHead head = *save_pending_;
    std::shared_ptr<const Keys> keys = std::move(save_keys_);
    save_pending_.reset();
    saving_ = true;
    lock.unlock();
    StoreHead(*keys, head);
    keys.reset();  // before ClearKeys hears the save is over: it may be the last copy
    lock.lock();
    saving_ = false;
    save_cv_.notify_all();  // ClearKeys may wait for this save
  }
}

void AuditLog::StoreHead(const Keys& keys, const ChainHead& head) {
  // One save at a time, never an older head after a newer one: the writer
  // (checkpoints) and the saver thread both come here.
  std::lock_guard lock(saved_mu_);
  if (keys.epoch != live_epoch_ || head.seq <= last_saved_seq_) {
    return;  // sealed since (or sealed and unsealed again), or older
  }
  Status saved = keys.save_head(head);
  if (saved.ok()) {
    last_saved_seq_ = head.seq;
  }
  // The log still works without it, but a cut at its end would no longer
  // be found at the next unseal: an operator must hear of it.
  Warn(&head_save_failing_, !saved.ok(),
       saved.ok() ? "the store takes the audit chain head again"
                  : "the store did not save the audit chain head: " + saved.error().message);
}

void AuditLog::Mirror(std::string_view bytes) {
  if (!options_.mirror) {
    return;
  }
  std::size_t dropped = 0;
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    if (!options_.mirror(bytes.substr(0, nl))) {
      dropped++;
    }
    bytes.remove_prefix(nl == std::string_view::npos ? bytes.size() : nl + 1);
  }
  Warn(&mirror_failing_, dropped > 0,
       dropped > 0 ? "the audit mirror (syslog) dropped " + std::to_string(dropped) +
                         " records; the audit files still hold them"
                   : "the audit mirror (syslog) takes records again");
}

void AuditLog::Warn(bool* streak, bool failed, const std::string& what) {
  // Once when a run of failures starts, once when it ends.
  if (failed != *streak && options_.on_warning) {
    options_.on_warning(what);
  }
  *streak = failed;
}

Status AuditLog::Read(const AuditFilter& filter,
                      const std::function<bool(const AuditEntry&)>& each) const {
  std::filesystem::path current;
  std::uint64_t limit = 0;
  {
    std::lock_guard lock(mu_);
    current = file_;
    limit = file_bytes_;
  }
  std::vector<std::filesystem::path> files = Files();
  // A file created after the snapshot holds nothing durable as of it.
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const auto& f) { return f.filename() > current.filename(); }),
              files.end());
  if (files.empty() || files.back() != current || limit == 0) {
    // The current file is empty: stop at the end of the one before it.
    if (!files.empty() && files.back() == current) {
      files.pop_back();
    }
    limit = 0;
  }
  return ReadAuditFiles(files, filter, limit, each);
}

}  // namespace keyhold::kms
