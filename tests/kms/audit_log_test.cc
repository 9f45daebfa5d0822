// Tests for kms/audit/audit_log.h and audit_verifier.h over real files in a
// temporary directory: records chain across restarts and files; a record
// torn by a crash is cut at open; rotation ends each file with a signed
// checkpoint; concurrent appends share syncs (group commit); records written
// while sealed are covered by the next checkpoint; a write beyond
// RLIMIT_FSIZE fails closed, leaves the file intact, and the next append
// succeeds once the limit is raised; a file removed while in use is never
// written again (the log goes on in a new file once the directory exists);
// and a mutation table (random single
// edits, deletions, swaps, truncations, whole files removed or swapped) is
// found by the verifier at the record it damaged.
#include "kms/audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "tests/testlib/audit_keys.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

using testing::FixedKey;
using testing::FixedSigner;

AuditEvent Event(int i) {
  AuditEvent e;
  e.time_us = 1'700'000'000'000'000 + i;
  e.request_id = "req-" + std::to_string(i);
  e.principal = "app";
  e.auth = "token:0123456789abcdef";
  e.source = "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = "acme/app";
  e.key_version = 1;
  e.decision = "allow";
  e.reason = "ok";
  e.status = 200;
  e.latency_us = 42;
  return e;
}

std::vector<std::string> ReadLines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

void WriteLines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines)
    out << l << '\n';
}

class AuditLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<AuditLog> Open(std::uint64_t max_file_bytes = std::uint64_t{64} << 20) {
    AuditLogOptions o;
    o.dir = dir_.path() / "audit";
    o.max_file_bytes = max_file_bytes;
    auto log = AuditLog::Open(o, [this] { return now_us_ += 10; });
    EXPECT_TRUE(log.ok()) << log.error().message;
    return std::move(log).value();
  }
  void Unseal(AuditLog& log) {
    ASSERT_TRUE(log.SetKeys(FixedKey(1), FixedKey(2), FixedSigner(),
                            [this](const ChainHead& h) {
                              saved_head_ = h;
                              return Status::Ok();
                            })
                    .ok());
  }
  AuditVerifyResult Verify(const AuditLog& log, std::optional<ChainHead> head = std::nullopt) {
    AuditVerifyOptions o;
    mac_key_ = FixedKey(1);
    o.mac_key = &mac_key_;
    o.public_key = FixedSigner().public_key();
    o.expected_head = head;
    return VerifyAuditFiles(log.Files(), o);
  }

  keyhold::testing::TempDir dir_;
  std::int64_t now_us_ = 1'700'000'000'000'000;
  ChainHead saved_head_;
  crypto::SecretBytes mac_key_;
};

TEST_F(AuditLogTest, RecordsChainAcrossRestarts) {
  ChainHead head;
  {
    auto log = Open();
    Unseal(*log);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(log->Append(Event(i)).ok());
    head = log->head();
  }
  {
    auto log = Open();
    EXPECT_TRUE(log->startup_check().ok) << log->startup_check().reason;
    EXPECT_EQ(log->head().seq, head.seq + 1);  // the shutdown checkpoint
    Unseal(*log);
    for (int i = 5; i < 10; ++i)
      ASSERT_TRUE(log->Append(Event(i)).ok());
    const AuditVerifyResult r = Verify(*log, log->head());
    EXPECT_TRUE(r.ok) << r.file << ":" << r.line << ": " << r.reason;
    // 10 records; checkpoints: unseal, shutdown, unseal.
    EXPECT_EQ(r.records, 13u);
    EXPECT_EQ(r.first_seq, 1u);
    EXPECT_EQ(r.macs, 13u);
    EXPECT_EQ(r.unkeyed, 0u);
    // The head goes to the store at each checkpoint (and every second).
    EXPECT_EQ(saved_head_.seq, 8u);
  }
}

TEST_F(AuditLogTest, ATornRecordIsCutAtOpen) {
  std::filesystem::path file;
  {
    auto log = Open();
    Unseal(*log);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(log->Append(Event(i)).ok());
    file = log->Files().back();
  }
  const auto before = std::filesystem::file_size(file);
  {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << "{\"v\":1,\"seq\":99,\"half a rec";
  }
  auto log = Open();
  EXPECT_EQ(std::filesystem::file_size(file), before);
  Unseal(*log);
  ASSERT_TRUE(log->Append(Event(3)).ok());
  const AuditVerifyResult r = Verify(*log, log->head());
  EXPECT_TRUE(r.ok) << r.reason;
}

TEST_F(AuditLogTest, RotationEndsEachFileWithASignedCheckpoint) {
  auto log = Open(/*max_file_bytes=*/2048);
  Unseal(*log);
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(log->Append(Event(i)).ok());
  const auto files = log->Files();
  ASSERT_GE(files.size(), 3u);
  for (std::size_t f = 0; f + 1 < files.size(); ++f) {
    const auto lines = ReadLines(files[f]);
    ASSERT_FALSE(lines.empty());
    auto last = ParseLine(lines.back());
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last->type, "checkpoint") << files[f];
    // Each file alone verifies against the pinned key.
    AuditVerifyOptions o;
    o.public_key = FixedSigner().public_key();
    EXPECT_TRUE(VerifyAuditFiles({files[f]}, o).ok) << files[f];
  }
  const AuditVerifyResult r = Verify(*log, log->head());
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.files, files.size());
}

TEST_F(AuditLogTest, ConcurrentAppendsShareSyncs) {
  auto log = Open();
  Unseal(*log);
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!log->Append(Event(t * 1000 + i)).ok())
          failures++;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  const AuditVerifyResult r = Verify(*log, log->head());
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.records, kThreads * kEach + 1u);
  // One signature per batch: fewer batches than records means syncs were
  // shared. (Not a timing check: with 8 writers blocked on one sync, the
  // queue cannot stay at one record per batch.)
  EXPECT_LT(r.signatures, r.records);
}

// A store commit is two syncs: the periodic head save must not hold the
// records that come after it (it did, on the writer thread: the p99).
TEST_F(AuditLogTest, ASlowHeadSaveDoesNotHoldRecordsBack) {
  std::atomic<std::int64_t> now{now_us_};
  AuditLogOptions o;
  o.dir = dir_.path() / "audit";
  auto opened = AuditLog::Open(o, [&now] { return now += 10; });
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<AuditLog> log = std::move(opened).value();

  std::mutex mu;
  std::condition_variable cv;
  bool block = false;
  bool blocked = false;  // a save is waiting for `block` to clear
  std::vector<std::uint64_t> saved;
  ASSERT_TRUE(log->SetKeys(FixedKey(1), FixedKey(2), FixedSigner(),
                           [&](const ChainHead& h) {
                             std::unique_lock lock(mu);
                             blocked = block;
                             cv.notify_all();
                             cv.wait(lock, [&] { return !block; });
                             blocked = false;
                             saved.push_back(h.seq);
                             return Status::Ok();
                           })
                  .ok());
  {
    std::lock_guard lock(mu);
    block = true;
  }
  now += 2'000'000;  // past head_interval_ms: the next batch asks for a save
  ASSERT_TRUE(log->Append(Event(0)).ok());
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return blocked; }));
  }
  // The save hangs; records still become durable.
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(log->Append(Event(i)).ok());
  }
  const std::uint64_t before_seal = log->head().seq;
  {
    std::lock_guard lock(mu);
    block = false;
  }
  cv.notify_all();
  log->ClearKeys();  // waits for the save; its own checkpoint saves last
  std::lock_guard lock(mu);
  ASSERT_GE(saved.size(), 3u);  // unseal, the periodic one, seal
  EXPECT_TRUE(std::is_sorted(saved.begin(), saved.end()));
  EXPECT_EQ(saved.back(), before_seal + 1);  // the seal checkpoint
  EXPECT_EQ(saved.back(), log->head().seq);
}

// Once ClearKeys returns the store behind save_head may go (seal, the end
// of KeyService, undoing an init): no save may come after it, even from a
// batch the writer was in, or a save the saver thread was asked for.
TEST_F(AuditLogTest, NoHeadSaveWithTheKeysOnceSealed) {
  std::atomic<std::int64_t> now{now_us_};
  AuditLogOptions o;
  o.dir = dir_.path() / "audit";
  // A second a call: every batch is due for a periodic save.
  auto opened = AuditLog::Open(o, [&now] { return now += 1'000'000; });
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<AuditLog> log = std::move(opened).value();

  std::atomic<int> cleared{-1};  // the last round whose ClearKeys returned
  std::atomic<int> late{0};
  std::atomic<int> saves{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; !stop; ++i) {
        (void)log->Append(Event(i));
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(log->SetKeys(FixedKey(1), FixedKey(2), FixedSigner(),
                             [&, round](const ChainHead&) {
                               ++saves;
                               if (cleared >= round) {
                                 ++late;
                               }
                               return Status::Ok();
                             })
                    .ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    log->ClearKeys();
    cleared = round;
  }
  stop = true;
  for (auto& w : writers) {
    w.join();
  }
  log->Flush();
  EXPECT_EQ(late.load(), 0) << "a head was saved with keys already cleared";
  EXPECT_GE(saves.load(), 40);  // at least unseal and seal, each round
}

TEST_F(AuditLogTest, SealedRecordsAreCoveredByTheNextCheckpoint) {
  auto log = Open();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(log->Append(Event(i)).ok());
  EXPECT_EQ(log->ContextDigest(*crypto::EncryptionContext::Create({{"a", "b"}})), "");
  Unseal(*log);
  EXPECT_EQ(log->ContextDigest(*crypto::EncryptionContext::Create({{"a", "b"}})).size(), 64u);
  ASSERT_TRUE(log->Append(Event(3)).ok());
  log->ClearKeys();
  ASSERT_TRUE(log->Append(Event(4)).ok());
  const AuditVerifyResult r = Verify(*log);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.unkeyed, 4u);
  EXPECT_EQ(r.after_last_signature, 1u);
  EXPECT_FALSE(r.warnings.empty());
}

TEST_F(AuditLogTest, AFailedWriteFailsClosedAndRecovers) {
  auto log = Open();
  Unseal(*log);
  ASSERT_TRUE(log->Append(Event(0)).ok());
  const auto file = log->Files().back();
  const auto size = std::filesystem::file_size(file);
  // The file may not grow: the kernel refuses the write (EFBIG), as a full
  // disk would (ENOSPC), through the same path.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit tight = old;
  tight.rlim_cur = size + 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  const Status failed = log->Append(Event(1));
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kAuditUnavailable);
  EXPECT_FALSE(log->healthy());
  EXPECT_EQ(std::filesystem::file_size(file), size) << "the partial write was cut";
  ASSERT_TRUE(log->Append(Event(2)).ok());
  EXPECT_TRUE(log->healthy());
  const AuditVerifyResult r = Verify(*log, log->head());
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.records, 3u);  // checkpoint, event 0, event 2
}

TEST_F(AuditLogTest, ARemovedFileIsNeverWrittenAgain) {
  auto log = Open();
  Unseal(*log);
  ASSERT_TRUE(log->Append(Event(0)).ok());
  const auto dir = dir_.path() / "audit";
  // The current file deleted, the directory kept: the next record goes to a
  // new file, named by its seq, never to the deleted one (where it would be
  // durable in no file of the log).
  std::filesystem::remove(log->Files().back());
  ASSERT_TRUE(log->Append(Event(1)).ok());
  ASSERT_EQ(log->Files().size(), 1u);
  const auto lines = ReadLines(log->Files().back());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"req-1\""), std::string::npos) << lines[0];
  // The directory deleted: refused, also on retry, until it exists again.
  std::filesystem::remove_all(dir);
  Status refused = log->Append(Event(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kAuditUnavailable);
  EXPECT_FALSE(log->Append(Event(3)).ok());
  EXPECT_FALSE(log->healthy());
  std::filesystem::create_directory(dir);
  ASSERT_TRUE(log->Append(Event(4)).ok());
  EXPECT_TRUE(log->healthy());
  ASSERT_EQ(log->Files().size(), 1u);
  const auto after = ReadLines(log->Files().back());
  ASSERT_FALSE(after.empty());
  EXPECT_NE(after.back().find("\"req-4\""), std::string::npos) << after.back();
  // What is left chains on from the removed records.
  AuditVerifyOptions o;
  o.public_key = FixedSigner().public_key();
  const AuditVerifyResult r = VerifyAuditFiles(log->Files(), o);
  EXPECT_TRUE(r.ok) << r.reason;
}

// The mutation table. Each case damages a copy of a real log once and
// expects the verifier (with the mac key and the store's head) to name the
// damaged record.
TEST_F(AuditLogTest, EverySingleMutationIsFoundAtTheRightRecord) {
  ChainHead head;
  {
    auto log = Open(/*max_file_bytes=*/4096);
    Unseal(*log);
    for (int i = 0; i < 120; ++i)
      ASSERT_TRUE(log->Append(Event(i)).ok());
    head = log->head();
    log->ClearKeys();
  }
  const auto pristine_dir = dir_.path() / "audit";
  std::vector<std::filesystem::path> names;
  for (const auto& e : std::filesystem::directory_iterator(pristine_dir))
    names.push_back(e.path());
  std::sort(names.begin(), names.end());
  // Sealing wrote one more checkpoint: the head is the store's last save.
  head = saved_head_;
  ASSERT_GE(names.size(), 4u);
  std::vector<std::vector<std::string>> original;
  for (const auto& n : names)
    original.push_back(ReadLines(n));

  std::mt19937_64 rng(20261123);
  const auto pick = [&](std::size_t n) {
    return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
  };
  const auto work = dir_.path() / "work";
  int cases = 0;
  for (int round = 0; round < 400; ++round) {
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    std::vector<std::vector<std::string>> files = original;
    const std::size_t f = pick(files.size());
    auto& lines = files[f];
    std::size_t expect_file = f;
    std::size_t expect_line = 0;  // 1-based; 0: only the file is checked
    bool truncate_last = false;
    std::string kind;
    switch (round % 6) {
      case 0: {  // edit one byte
        kind = "edit";
        const std::size_t l = pick(lines.size());
        std::string& s = lines[l];
        const std::size_t at = pick(s.size());
        char c = static_cast<char>(' ' + pick(95));
        if (c == s[at])
          c = (c == 'x') ? 'y' : 'x';
        s[at] = c;
        expect_line = l + 1;
        break;
      }
      case 1: {  // delete a record (not the last of the last file: see 4)
        kind = "delete";
        const std::size_t l = pick(lines.size());
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(l));
        expect_line = l + 1;
        if (l == lines.size()) {  // the file's last record: found at the next file
          if (f + 1 == files.size()) {
            expect_line = 0;  // found through the head
          } else {
            expect_file = f + 1;
            expect_line = 1;
          }
        }
        break;
      }
      case 2: {  // swap two neighbours
        kind = "swap";
        const std::size_t l = pick(lines.size() - 1);
        std::swap(lines[l], lines[l + 1]);
        expect_line = l + 1;
        break;
      }
      case 3: {  // cut in the middle of a record
        kind = "truncate";
        const std::size_t l = pick(lines.size());
        lines.resize(l + 1);
        lines[l].resize(1 + pick(lines[l].size() - 1));
        truncate_last = true;
        expect_line = l + 1;
        break;
      }
      case 4: {  // cut whole records off the end of the log
        kind = "cut tail";
        expect_file = files.size() - 1;
        auto& last = files.back();
        last.resize(pick(last.size()));
        expect_line = 0;
        break;
      }
      default: {  // a whole file removed (not the first) or two files swapped
        if (round % 2 == 0 && files.size() > 2) {
          kind = "file removed";
          const std::size_t g = 1 + pick(files.size() - 1);
          files[g].clear();  // written as absent below
          expect_file = g + 1 < files.size() ? g + 1 : g;
          expect_line = g + 1 < files.size() ? 1 : 0;
          if (g + 1 == files.size())
            expect_file = g - 1;
        } else {
          kind = "files swapped";
          const std::size_t g = pick(files.size() - 1);
          std::swap(files[g], files[g + 1]);
          expect_file = g;
          expect_line = 1;
        }
        break;
      }
    }
    std::vector<std::filesystem::path> paths;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].empty() && kind == "file removed")
        continue;
      const auto p = work / names[i].filename();
      WriteLines(p, files[i]);
      if (truncate_last && i == f) {
        // No newline after the cut record.
        std::filesystem::resize_file(p, std::filesystem::file_size(p) - 1);
      }
      paths.push_back(p);
    }
    AuditVerifyOptions o;
    mac_key_ = FixedKey(1);
    o.mac_key = &mac_key_;
    o.public_key = FixedSigner().public_key();
    o.expected_head = head;
    const AuditVerifyResult r = VerifyAuditFiles(paths, o);
    SCOPED_TRACE(kind + " in file " + std::to_string(f) + " (round " + std::to_string(round) + ")");
    if (kind == "cut tail" && files.back().size() == original.back().size())
      continue;
    if (kind == "edit" && files[f] == original[f])
      continue;
    ASSERT_FALSE(r.ok) << "not detected";
    cases++;
    if (kind == "file removed" && expect_line == 0) {
      EXPECT_NE(r.reason.find("cut from the end"), std::string::npos) << r.reason;
      continue;
    }
    if (kind == "files swapped") {
      EXPECT_EQ(r.file, (work / names[expect_file].filename()).string()) << r.reason;
      EXPECT_EQ(r.line, 1u) << r.reason;
      continue;
    }
    if (expect_line == 0) {
      EXPECT_NE(r.reason.find("cut from the end"), std::string::npos) << r.reason;
      continue;
    }
    EXPECT_EQ(r.file, (work / names[expect_file].filename()).string()) << r.reason;
    EXPECT_EQ(r.line, expect_line) << r.reason;
  }
  std::printf("audit mutation test: %d damaged logs, every one found at the damaged record\n",
              cases);
  EXPECT_GE(cases, 350);
}

}  // namespace
}  // namespace keyhold::kms

namespace keyhold::kms {
namespace {

TEST_F(AuditLogTest, MissingEarlyFilesAreAnErrorWithinRetention) {
  auto log = Open(/*max_file_bytes=*/2048);
  Unseal(*log);
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(log->Append(Event(i)).ok());
  auto files = log->Files();
  ASSERT_GE(files.size(), 3u);
  files.erase(files.begin());
  AuditVerifyOptions o;
  o.public_key = FixedSigner().public_key();
  // Without a retention floor: a warning only.
  AuditVerifyResult r = VerifyAuditFiles(files, o);
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_FALSE(r.warnings.empty());
  // Younger than the floor: an error at the first file given.
  o.now_us = now_us_;
  o.retention_us = std::int64_t{365} * 86'400'000'000;
  r = VerifyAuditFiles(files, o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.file, files.front().string());
  EXPECT_NE(r.reason.find("retention"), std::string::npos) << r.reason;
  // Older than the floor: fine again.
  o.now_us = now_us_ + o.retention_us + 1;
  EXPECT_TRUE(VerifyAuditFiles(files, o).ok);
}

TEST_F(AuditLogTest, ALogThatStartsAfterTheStoredHeadFails) {
  ChainHead head;
  {
    auto log = Open(/*max_file_bytes=*/2048);
    Unseal(*log);
    for (int i = 0; i < 30; ++i)
      ASSERT_TRUE(log->Append(Event(i)).ok());
    head = {3, {}};  // a head in the first file
    auto files = log->Files();
    files.erase(files.begin());
    AuditVerifyOptions o;
    o.public_key = FixedSigner().public_key();
    o.expected_head = head;
    const AuditVerifyResult r = VerifyAuditFiles(files, o);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.reason.find("records up to it are missing"), std::string::npos) << r.reason;
  }
}

}  // namespace
}  // namespace keyhold::kms
