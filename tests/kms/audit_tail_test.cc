// Tests for how the audit log treats the end of its history after a crash:
// AuditLog::Open (kms/audit/audit_log.h) on a last file whose unsynced batch
// shows up as NUL bytes, and VerifyAuditFiles (kms/audit/audit_verifier.h)
// on records without a mac after an unseal with no closing checkpoint.
//
// A file system that does not order data before size can leave zeros where
// an unacknowledged batch was; the log must cut back to the last newline
// before the first NUL (whatever follows it), say so, and go on chaining so
// that the whole log still verifies. A killed process leaves the opposite
// trace: the next run writes sealed (mac-less) records after an "unseal"
// that was never closed by a "seal" or "shutdown" checkpoint, which is also
// what rewriting the unsigned tail would look like, so the verifier must
// warn about it (without failing) and must not warn after a proper close.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "kms/audit/audit_log.h"
#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"
#include "tests/testlib/audit_keys.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

using testing::FixedKey;
using testing::FixedSigner;

constexpr std::int64_t kT0 = 1'795'478'400'000'000;  // 2026-11-24T00:00:00Z

AuditEvent Event(int i) {
  AuditEvent e;
  e.time_us = kT0 + i;
  e.request_id = "req-" + std::to_string(i);
  e.principal = "app";
  e.source = "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = "acme/app";
  e.decision = "allow";
  e.reason = "ok";
  e.status = 200;
  return e;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::filesystem::path> LogFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (FirstSeqOfFileName(entry.path().filename().string())) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Files beside the log that are not log files (where cut bytes are kept).
std::vector<std::filesystem::path> OtherFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!FirstSeqOfFileName(entry.path().filename().string())) {
      files.push_back(entry.path());
    }
  }
  return files;
}

class AuditTailTest : public ::testing::Test {
 protected:
  std::unique_ptr<AuditLog> Open(const std::filesystem::path& dir,
                                 std::uint64_t max_file_bytes = std::uint64_t{64} << 20) {
    AuditLogOptions o;
    o.dir = dir;
    o.max_file_bytes = max_file_bytes;
    o.on_warning = [this](const std::string& what) {
      std::lock_guard lock(mu_);
      warnings_.push_back(what);
    };
    auto log = AuditLog::Open(o, [this] { return now_us_ += 10; });
    EXPECT_TRUE(log.ok()) << log.error().message;
    return log.ok() ? std::move(log).value() : nullptr;
  }
  void Unseal(AuditLog& log) {
    ASSERT_TRUE(log.SetKeys(FixedKey(1), FixedKey(2), FixedSigner(),
                            [](const ChainHead&) { return Status::Ok(); })
                    .ok());
  }
  AuditVerifyResult Verify(const std::filesystem::path& dir) {
    AuditVerifyOptions o;
    o.mac_key = &mac_key_;
    o.public_key = FixedSigner().public_key();
    return VerifyAuditFiles(LogFiles(dir), o);
  }
  std::vector<std::string> Warnings() {
    std::lock_guard lock(mu_);
    return warnings_;
  }
  void ClearWarnings() {
    std::lock_guard lock(mu_);
    warnings_.clear();
  }

  keyhold::testing::TempDir dir_;
  std::int64_t now_us_ = kT0;
  crypto::SecretBytes mac_key_ = FixedKey(1);
  std::mutex mu_;
  std::vector<std::string> warnings_;
};

TEST_F(AuditTailTest, ANulTailIsCutBackToTheLastNewlineBeforeIt) {
  struct Row {
    const char* name;
    std::string tail;  // appended to a clean log
  };
  const std::string zeros8(8, '\0');
  const std::vector<Row> rows = {
      {"one NUL", std::string(1, '\0')},
      {"zeros", std::string(4096, '\0')},
      {"zeros then text and a newline", zeros8 + "{\"v\":1,\"seq\":99}\n"},
      {"zeros, newline, a line, newline", zeros8 + "\ngarbage\n"},
      {"a torn record then zeros", "{\"v\":1,\"seq\":5,\"pr" + zeros8},
      {"a torn record, zeros, more text and a newline",
       "{\"v\":1,\"se" + zeros8 + "q\":5}\n{\"v\":1}\n"},
      {"a torn record without NUL", "{\"v\":1,\"seq\":5,\"pr"},
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Row& row = rows[r];
    SCOPED_TRACE(row.name);
    ClearWarnings();
    const std::filesystem::path dir = dir_.path() / ("row" + std::to_string(r));
    {
      auto log = Open(dir);
      ASSERT_NE(log, nullptr);
      Unseal(*log);
      for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(log->Append(Event(i)).ok());
      }
    }  // unseal, 3 records, shutdown
    const std::vector<std::filesystem::path> files = LogFiles(dir);
    ASSERT_EQ(files.size(), 1u);
    const std::string clean = ReadAll(files[0]);
    WriteAll(files[0], clean + row.tail);

    {
      auto log = Open(dir);
      ASSERT_NE(log, nullptr);
      EXPECT_EQ(ReadAll(files[0]), clean);
      const std::vector<std::string> warnings = Warnings();
      ASSERT_EQ(warnings.size(), 1u);
      EXPECT_NE(warnings[0].find("cut " + std::to_string(row.tail.size()) + " bytes"),
                std::string::npos)
          << warnings[0];
      EXPECT_NE(warnings[0].find(files[0].filename().string()), std::string::npos);
      EXPECT_TRUE(log->startup_check().ok) << log->startup_check().reason;
      EXPECT_EQ(log->head().seq, 5u);
      // The bytes cut are kept beside the log, not lost.
      const auto kept = OtherFiles(dir);
      ASSERT_EQ(kept.size(), 1u);
      EXPECT_EQ(ReadAll(kept[0]), row.tail);

      Unseal(*log);
      for (int i = 3; i < 5; ++i) {
        ASSERT_TRUE(log->Append(Event(i)).ok());
      }
    }
    const AuditVerifyResult v = Verify(dir);
    EXPECT_TRUE(v.ok) << v.file << ":" << v.line << ": " << v.reason;
    EXPECT_EQ(v.records, 9u);  // 5, then unseal, 2 records, shutdown
    EXPECT_EQ(v.macs, 9u);
    EXPECT_EQ(Warnings().size(), 1u);
  }
}

TEST_F(AuditTailTest, ACleanLogIsNotCut) {
  const std::filesystem::path dir = dir_.path() / "log";
  {
    auto log = Open(dir);
    Unseal(*log);
    ASSERT_TRUE(log->Append(Event(0)).ok());
  }
  const std::string clean = ReadAll(LogFiles(dir)[0]);
  auto log = Open(dir);
  EXPECT_EQ(ReadAll(LogFiles(dir)[0]), clean);
  EXPECT_EQ(Warnings(), std::vector<std::string>{});
  EXPECT_EQ(OtherFiles(dir).size(), 0u);
}

TEST_F(AuditTailTest, ANulInsideTheLastLineCutsThatLine) {
  const std::filesystem::path dir = dir_.path() / "log";
  {
    auto log = Open(dir);
    Unseal(*log);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(log->Append(Event(i)).ok());
    }
  }
  const auto file = LogFiles(dir)[0];
  std::string content = ReadAll(file);
  const std::size_t last = content.rfind('\n', content.size() - 2) + 1;
  std::string damaged = content;
  damaged[last + 10] = '\0';  // the shutdown checkpoint, newline still there
  WriteAll(file, damaged);
  {
    auto log = Open(dir);
    EXPECT_EQ(ReadAll(file), content.substr(0, last));
    EXPECT_EQ(Warnings().size(), 1u);
    EXPECT_EQ(log->head().seq, 4u);
    Unseal(*log);
    ASSERT_TRUE(log->Append(Event(3)).ok());
  }
  const AuditVerifyResult v = Verify(dir);
  EXPECT_TRUE(v.ok) << v.file << ":" << v.line << ": " << v.reason;
  EXPECT_EQ(v.records, 7u);  // 4, then unseal, 1 record, shutdown
}

TEST_F(AuditTailTest, ANewestFileOfZerosContinuesFromTheFileBefore) {
  const std::filesystem::path dir = dir_.path() / "log";
  {
    auto log = Open(dir, /*max_file_bytes=*/1);
    Unseal(*log);
    ASSERT_TRUE(log->Append(Event(0)).ok());
  }
  // audit-1: unseal, rotate; audit-3: the record, rotate; audit-5: shutdown.
  std::vector<std::filesystem::path> files = LogFiles(dir);
  ASSERT_EQ(files.size(), 3u);
  ASSERT_EQ(files[2].filename().string(), AuditFileName(5));
  const auto size = std::filesystem::file_size(files[2]);
  WriteAll(files[2], std::string(size, '\0'));
  {
    auto log = Open(dir, 1);
    EXPECT_EQ(std::filesystem::file_size(files[2]), 0u);
    ASSERT_EQ(Warnings().size(), 1u);
    EXPECT_EQ(log->head().seq, 4u);
    Unseal(*log);  // seq 5, in audit-5 as its name says
    ASSERT_TRUE(log->Append(Event(1)).ok());
  }
  const AuditVerifyResult v = Verify(dir);
  EXPECT_TRUE(v.ok) << v.file << ":" << v.line << ": " << v.reason;
  EXPECT_EQ(v.first_seq, 1u);
}

// Writes a log by hand: "unseal", "seal", "shutdown", "rotate" and
// "interval" are checkpoints, "keyed" a record with a mac (written while
// unsealed), "sealed" one without (written while sealed).
class UnkeyedAfterUnsealTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(const std::vector<std::string>& steps,
                              std::size_t split_at = SIZE_MAX) {
    const std::filesystem::path dir = dir_.path() / ("log" + std::to_string(++logs_));
    std::filesystem::create_directories(dir);
    ChainState chain;
    const AuditKeys keyed{&mac_key_, &signer_};
    std::string bytes;
    std::filesystem::path file = dir / AuditFileName(1);
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (i == split_at) {
        WriteAll(file, bytes);
        bytes.clear();
        file = dir / AuditFileName(chain.next_seq);
      }
      const std::string& step = steps[i];
      Result<std::string> line =
          step == "keyed" ? FormatEventLine(Event(static_cast<int>(i)), keyed, true, &chain)
          : step == "sealed"
              ? FormatEventLine(Event(static_cast<int>(i)), AuditKeys{}, false, &chain)
              : FormatCheckpointLine(kT0 + static_cast<std::int64_t>(i), step, keyed, &chain);
      EXPECT_TRUE(line.ok());
      bytes += *line + "\n";
    }
    WriteAll(file, bytes);
    return dir;
  }
  AuditVerifyResult Verify(const std::filesystem::path& dir, bool with_key) {
    AuditVerifyOptions o;
    if (with_key) {
      o.mac_key = &mac_key_;
      o.public_key = signer_.public_key();
    }
    return VerifyAuditFiles(LogFiles(dir), o);
  }

  keyhold::testing::TempDir dir_;
  int logs_ = 0;
  crypto::SecretBytes mac_key_ = FixedKey(1);
  crypto::Ed25519Signer signer_ = FixedSigner();
};

std::vector<std::string> NoMacWarnings(const AuditVerifyResult& r) {
  std::vector<std::string> out;
  for (const auto& w : r.warnings) {
    if (w.find("has no mac") != std::string::npos) {
      out.push_back(w);
    }
  }
  return out;
}

TEST_F(UnkeyedAfterUnsealTest, WarnsOncePerGapAndOnlyWithoutAClose) {
  struct Row {
    std::vector<std::string> steps;
    std::vector<std::uint64_t> warned_seqs;
  };
  const std::vector<Row> rows = {
      // Killed after an unseal: the next run's sealed records have no mac.
      {{"unseal", "keyed", "sealed"}, {3}},
      {{"unseal", "sealed"}, {2}},
      {{"unseal", "keyed", "keyed", "sealed", "sealed", "sealed"}, {4}},  // once per gap
      {{"unseal", "keyed", "rotate", "sealed"}, {4}},    // a rotation does not close
      {{"unseal", "keyed", "interval", "sealed"}, {4}},  // nor does a periodic checkpoint
      {{"unseal", "sealed", "unseal", "keyed", "sealed"}, {2, 5}},
      {{"unseal", "keyed", "seal", "sealed", "unseal", "keyed", "sealed"}, {7}},
      // Closed properly: no warning.
      {{"unseal", "keyed", "seal", "sealed", "sealed"}, {}},
      {{"unseal", "keyed", "shutdown", "sealed"}, {}},
      {{"unseal", "keyed", "rotate", "keyed", "shutdown", "sealed"}, {}},
      {{"sealed", "sealed"}, {}},  // never unsealed
      {{"sealed", "unseal", "keyed", "keyed"}, {}},
      {{"unseal", "keyed", "seal", "unseal", "keyed", "shutdown", "sealed"}, {}},
  };
  for (const Row& row : rows) {
    std::string name;
    for (const auto& s : row.steps) {
      name += s + " ";
    }
    SCOPED_TRACE(name);
    const std::filesystem::path dir = Write(row.steps);
    for (bool with_key : {true, false}) {
      SCOPED_TRACE(with_key ? "with the key" : "offline");
      const AuditVerifyResult r = Verify(dir, with_key);
      EXPECT_TRUE(r.ok) << r.file << ":" << r.line << ": " << r.reason;
      EXPECT_EQ(r.records, row.steps.size());
      const std::vector<std::string> warnings = NoMacWarnings(r);
      ASSERT_EQ(warnings.size(), row.warned_seqs.size()) << ::testing::PrintToString(r.warnings);
      for (std::size_t i = 0; i < warnings.size(); ++i) {
        EXPECT_TRUE(warnings[i].starts_with("seq " + std::to_string(row.warned_seqs[i]) + " "))
            << warnings[i];
      }
    }
  }
}

TEST_F(UnkeyedAfterUnsealTest, TheGapIsFoundAcrossFiles) {
  // The unseal is in the first file, the mac-less record opens the second.
  const auto dir = Write({"unseal", "keyed", "sealed", "sealed"}, /*split_at=*/2);
  ASSERT_EQ(LogFiles(dir).size(), 2u);
  const AuditVerifyResult r = Verify(dir, true);
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.files, 2u);
  const std::vector<std::string> warnings = NoMacWarnings(r);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(warnings[0].starts_with("seq 3 ")) << warnings[0];

  const auto closed = Write({"unseal", "keyed", "shutdown", "sealed"}, /*split_at=*/3);
  EXPECT_EQ(NoMacWarnings(Verify(closed, true)).size(), 0u);
}

TEST_F(UnkeyedAfterUnsealTest, AKilledServiceLeavesTheWarning) {
  // The real sequence: a run unsealed and was killed (no shutdown
  // checkpoint), the next run wrote while still sealed, then a clean close.
  const auto dir = Write({"unseal", "keyed", "keyed"});
  {
    AuditLogOptions o;
    o.dir = dir;
    std::int64_t now = kT0 + 1'000;
    auto log = AuditLog::Open(o, [&now] { return now += 10; });
    ASSERT_TRUE(log.ok());
    EXPECT_TRUE((*log)->startup_check().ok);
    ASSERT_TRUE((*log)->Append(Event(10)).ok());  // sealed: no mac
  }
  const AuditVerifyResult r = Verify(dir, true);
  EXPECT_TRUE(r.ok) << r.reason;
  const std::vector<std::string> warnings = NoMacWarnings(r);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(warnings[0].starts_with("seq 4 ")) << warnings[0];
}

}  // namespace
}  // namespace keyhold::kms
