// Tests for kms/audit/audit_reader.h (ReadAuditFiles, AuditFilter) over real
// files written by AuditLog in a temporary directory, and for ParseAuditTime
// (kms/audit/audit_record.h), which reads the times users type as filters.
//
// The reader feeds `keyhold audit export`, `audit tail` and GET /v1/audit, so
// it must select exactly the records asked for (time bounds inclusive and
// exclusive, exact key, tenant without prefix confusion, after_seq), stop
// when told, skip whole files before after_seq without reading them, never
// pass on a record still being written (no newline yet, or past the durable
// limit), and stop at a damaged chain naming the file and line.
#include "kms/audit/audit_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "kms/audit/audit_log.h"
#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

constexpr std::int64_t kT0 = 1'795'478'400'000'000;  // 2026-11-24T00:00:00Z

struct Spec {
  const char* key;
  const char* principal;
};

// Record i (seq i + 1) is at kT0 + i ms.
const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = {
      {"acme/app", "alice"},    // seq 1
      {"acme/db", "bob"},       // seq 2
      {"other/app", "alice"},   // seq 3
      {"acmex/app", "alice"},   // seq 4: a tenant whose name starts with "acme"
      {"acme/app", "bob"},      // seq 5
      {"", ""},                 // seq 6: a system event, no key, no principal
      {"acme/app", "alice"},    // seq 7
      {"acme/app-2", "alice"},  // seq 8: a key whose name starts with "app"
  };
  return specs;
}

AuditEvent Event(std::size_t i) {
  AuditEvent e;
  e.time_us = kT0 + static_cast<std::int64_t>(i) * 1'000;
  const Spec& s = Specs()[i % Specs().size()];
  e.type = s.key[0] == '\0' ? "system" : "request";
  e.request_id = s.key[0] == '\0' ? "" : "req-" + std::to_string(i);
  e.principal = s.principal;
  e.source = s.key[0] == '\0' ? "" : "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = s.key;
  e.decision = "allow";
  e.reason = "ok";
  e.status = 200;
  return e;
}

std::vector<std::string> ReadLines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

void WriteLines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) {
    out << l << '\n';
  }
}

void AppendBytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << bytes;
}

std::uint64_t Bytes(const std::vector<std::string>& lines, std::size_t n) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += lines[i].size() + 1;
  }
  return total;
}

class AuditReaderTest : public ::testing::Test {
 protected:
  // Writes `n` records with AuditLog (sealed: no checkpoints), closes the
  // log, and returns its files in chain order.
  std::vector<std::filesystem::path> Write(std::size_t n,
                                           std::uint64_t max_file_bytes = std::uint64_t{64} << 20) {
    AuditLogOptions o;
    o.dir = dir_.path() / "audit";
    o.max_file_bytes = max_file_bytes;
    std::int64_t now = kT0;
    auto log = AuditLog::Open(o, [&now] { return now += 10; });
    EXPECT_TRUE(log.ok()) << log.error().message;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE((*log)->Append(Event(i)).ok());
    }
    log->reset();
    return Files();
  }
  std::vector<std::filesystem::path> Files() const {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "audit")) {
      if (FirstSeqOfFileName(entry.path().filename().string())) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  // The seqs `filter` selects, or the error.
  std::vector<std::uint64_t> Seqs(const std::vector<std::filesystem::path>& files,
                                  const AuditFilter& filter, std::uint64_t limit = 0,
                                  std::string* error = nullptr) {
    std::vector<std::uint64_t> seqs;
    Status s = ReadAuditFiles(files, filter, limit, [&](const AuditEntry& e) {
      seqs.push_back(e.seq);
      return true;
    });
    if (error != nullptr) {
      *error = s.ok() ? "" : s.error().message;
      if (!s.ok()) {
        EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
      }
    } else {
      EXPECT_TRUE(s.ok()) << s.error().message;
    }
    return seqs;
  }

  keyhold::testing::TempDir dir_;
};

using Seq = std::vector<std::uint64_t>;

TEST_F(AuditReaderTest, ReadsEveryRecordAsStored) {
  const auto files = Write(8);
  ASSERT_EQ(files.size(), 1u);
  const std::vector<std::string> lines = ReadLines(files[0]);
  ASSERT_EQ(lines.size(), 8u);
  std::vector<AuditEntry> got;
  ASSERT_TRUE(ReadAuditFiles(files, AuditFilter{}, 0, [&](const AuditEntry& e) {
                got.push_back(e);
                return true;
              }).ok());
  ASSERT_EQ(got.size(), 8u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].line, lines[i]);
    EXPECT_EQ(got[i].seq, i + 1);
    EXPECT_EQ(got[i].time_us, kT0 + static_cast<std::int64_t>(i) * 1'000);
    EXPECT_EQ(got[i].record.at("seq"), i + 1);
    EXPECT_EQ(got[i].record.at("principal"),
              Specs()[i].principal[0] ? nlohmann::json(Specs()[i].principal) : nlohmann::json());
    EXPECT_TRUE(got[i].record.contains("mac"));
  }
}

TEST_F(AuditReaderTest, FiltersSelectExactly) {
  const auto files = Write(8);
  const auto filter = [](auto set) {
    AuditFilter f;
    set(f);
    return f;
  };
  struct Row {
    const char* name;
    AuditFilter filter;
    Seq want;
  };
  const std::vector<Row> rows = {
      {"everything", AuditFilter{}, {1, 2, 3, 4, 5, 6, 7, 8}},
      {"since is inclusive",
       filter([](AuditFilter& f) { f.since_us = kT0 + 2'000; }),
       {3, 4, 5, 6, 7, 8}},
      {"since between records",
       filter([](AuditFilter& f) { f.since_us = kT0 + 2'001; }),
       {4, 5, 6, 7, 8}},
      {"until is exclusive", filter([](AuditFilter& f) { f.until_us = kT0 + 2'000; }), {1, 2}},
      {"since and until",
       filter([](AuditFilter& f) {
         f.since_us = kT0 + 1'000;
         f.until_us = kT0 + 4'000;
       }),
       {2, 3, 4}},
      {"since after the last", filter([](AuditFilter& f) { f.since_us = kT0 + 7'001; }), {}},
      {"empty window",
       filter([](AuditFilter& f) {
         f.since_us = kT0 + 3'000;
         f.until_us = kT0 + 3'000;
       }),
       {}},
      {"key is exact", filter([](AuditFilter& f) { f.key = "acme/app"; }), {1, 5, 7}},
      {"key of another tenant", filter([](AuditFilter& f) { f.key = "other/app"; }), {3}},
      {"key prefix selects nothing", filter([](AuditFilter& f) { f.key = "acme/ap"; }), {}},
      {"tenant without prefix confusion",
       filter([](AuditFilter& f) { f.tenant = "acme"; }),
       {1, 2, 5, 7, 8}},
      {"tenant acmex", filter([](AuditFilter& f) { f.tenant = "acmex"; }), {4}},
      {"tenant prefix selects nothing", filter([](AuditFilter& f) { f.tenant = "acm"; }), {}},
      {"principal is exact",
       filter([](AuditFilter& f) { f.principal = "alice"; }),
       {1, 3, 4, 7, 8}},
      {"principal prefix selects nothing", filter([](AuditFilter& f) { f.principal = "ali"; }), {}},
      {"after_seq", filter([](AuditFilter& f) { f.after_seq = 5; }), {6, 7, 8}},
      {"after_seq at the end", filter([](AuditFilter& f) { f.after_seq = 8; }), {}},
      {"after_seq past the end", filter([](AuditFilter& f) { f.after_seq = 100; }), {}},
      {"all at once",
       filter([](AuditFilter& f) {
         f.tenant = "acme";
         f.principal = "alice";
         f.after_seq = 1;
         f.until_us = kT0 + 7'000;
       }),
       {7}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(Seqs(files, row.filter), row.want);
  }
}

TEST_F(AuditReaderTest, StopsWhenTheCallbackSaysSo) {
  const auto files = Write(8);
  int calls = 0;
  Status s = ReadAuditFiles(files, AuditFilter{}, 0, [&](const AuditEntry&) {
    return ++calls < 3;  // false on the third
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);

  // Stopping also holds with a filter: only selected records count.
  AuditFilter f;
  f.key = "acme/app";
  std::vector<std::uint64_t> seqs;
  s = ReadAuditFiles(files, f, 0, [&](const AuditEntry& e) {
    seqs.push_back(e.seq);
    return seqs.size() < 2;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seqs, (Seq{1, 5}));

  // Stopping early does not read on: damage after the stop is not reported.
  std::vector<std::string> lines = ReadLines(files[0]);
  lines[5] = "not a record";
  WriteLines(files[0], lines);
  calls = 0;
  s = ReadAuditFiles(files, AuditFilter{}, 0, [&](const AuditEntry&) { return ++calls < 2; });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 2);
}

TEST_F(AuditReaderTest, SkipsWholeFilesBeforeAfterSeqUnread) {
  // One record per file: every batch finds the file over its size.
  const auto files = Write(8, /*max_file_bytes=*/1);
  ASSERT_EQ(files.size(), 8u);
  for (std::size_t i = 0; i < files.size(); ++i) {
    ASSERT_EQ(FirstSeqOfFileName(files[i].filename().string()), i + 1);
  }
  // Intact: the chain is followed across files.
  EXPECT_EQ(Seqs(files, AuditFilter{}), (Seq{1, 2, 3, 4, 5, 6, 7, 8}));
  AuditFilter after3;
  after3.after_seq = 3;
  EXPECT_EQ(Seqs(files, after3), (Seq{4, 5, 6, 7, 8}));

  // Files 1 to 7 made unreadable as records: after_seq 7 never opens them.
  for (std::size_t i = 0; i < 7; ++i) {
    WriteLines(files[i], {"garbage"});
  }
  AuditFilter after7;
  after7.after_seq = 7;
  EXPECT_EQ(Seqs(files, after7), (Seq{8}));
  // after_seq 6 needs seq 7, the only record of file 7: it is read, and found bad.
  AuditFilter after6;
  after6.after_seq = 6;
  std::string error;
  EXPECT_EQ(Seqs(files, after6, 0, &error), Seq{});
  EXPECT_NE(error.find(files[6].string() + ":1:"), std::string::npos) << error;
  EXPECT_EQ(Seqs(files, AuditFilter{}, 0, &error), Seq{});
  EXPECT_NE(error.find(files[0].string() + ":1:"), std::string::npos) << error;
}

TEST_F(AuditReaderTest, AMissingFileBreaksTheChainAtTheNextOne) {
  const auto files = Write(6, /*max_file_bytes=*/1);
  ASSERT_EQ(files.size(), 6u);
  std::vector<std::filesystem::path> without = files;
  without.erase(without.begin() + 3);  // seq 4
  std::string error;
  EXPECT_EQ(Seqs(without, AuditFilter{}, 0, &error), (Seq{1, 2, 3}));
  EXPECT_NE(error.find(files[4].string() + ":1:"), std::string::npos) << error;
  // Reading from after the gap is fine: the files before it are skipped.
  AuditFilter after4;
  after4.after_seq = 4;
  EXPECT_EQ(Seqs(without, after4, 0, &error), (Seq{5, 6}));
  EXPECT_EQ(error, "");
}

TEST_F(AuditReaderTest, LastFileLimitStopsAtTheDurableEnd) {
  const auto files = Write(5);
  ASSERT_EQ(files.size(), 1u);
  const std::vector<std::string> lines = ReadLines(files[0]);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(Seqs(files, AuditFilter{}, Bytes(lines, 3)), (Seq{1, 2, 3}));
  EXPECT_EQ(Seqs(files, AuditFilter{}, Bytes(lines, 3) - 1), (Seq{1, 2}));
  EXPECT_EQ(Seqs(files, AuditFilter{}, Bytes(lines, 3) + 1), (Seq{1, 2, 3}));
  EXPECT_EQ(Seqs(files, AuditFilter{}, 1), Seq{});
  EXPECT_EQ(Seqs(files, AuditFilter{}, 0), (Seq{1, 2, 3, 4, 5}));
  EXPECT_EQ(Seqs(files, AuditFilter{}, Bytes(lines, 5) + 100), (Seq{1, 2, 3, 4, 5}));
}

TEST_F(AuditReaderTest, LastFileLimitAppliesToTheLastFileOnly) {
  const auto files = Write(4, /*max_file_bytes=*/1);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(Seqs(files, AuditFilter{}, 1), (Seq{1, 2, 3}));
  const std::vector<std::string> last = ReadLines(files[3]);
  EXPECT_EQ(Seqs(files, AuditFilter{}, Bytes(last, 1)), (Seq{1, 2, 3, 4}));
}

TEST_F(AuditReaderTest, APartialLastLineIsIgnored) {
  const auto files = Write(5);
  const std::vector<std::string> lines = ReadLines(files[0]);
  // A well-formed next record, still without its newline: not yet written.
  ChainState chain;
  chain.next_seq = 6;
  chain.prev = LineHash(lines.back());
  auto next = FormatEventLine(Event(5), AuditKeys{}, false, &chain);
  ASSERT_TRUE(next.ok());
  AppendBytes(files[0], *next);
  EXPECT_EQ(Seqs(files, AuditFilter{}), (Seq{1, 2, 3, 4, 5}));
  // Once the newline arrives it is read.
  AppendBytes(files[0], "\n");
  EXPECT_EQ(Seqs(files, AuditFilter{}), (Seq{1, 2, 3, 4, 5, 6}));
  // A torn fragment at the end is ignored too.
  AppendBytes(files[0], "{\"v\":1,\"se");
  EXPECT_EQ(Seqs(files, AuditFilter{}), (Seq{1, 2, 3, 4, 5, 6}));
}

TEST_F(AuditReaderTest, DamageIsNamedByFileAndLine) {
  const auto files = Write(5);
  const std::vector<std::string> lines = ReadLines(files[0]);
  ASSERT_EQ(lines.size(), 5u);
  const std::string file = files[0].string();
  struct Row {
    const char* name;
    std::vector<std::string> lines;
    Seq delivered;      // records passed on before the damage was found
    std::string where;  // file:line named
  };
  auto edited = lines;
  const std::size_t at = edited[2].find("req-2");
  ASSERT_NE(at, std::string::npos);
  edited[2].replace(at, 5, "req-X");  // still a canonical record
  auto non_canonical = lines;
  non_canonical[2].replace(non_canonical[2].find("\"seq\":3"), 7, "\"seq\": 3");
  auto removed = lines;
  removed.erase(removed.begin() + 2);
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  auto duplicated = lines;
  duplicated.insert(duplicated.begin() + 3, lines[2]);
  auto blank = lines;
  blank.insert(blank.begin() + 4, "");
  const std::vector<Row> rows = {
      // The edit is found where the next record's prev no longer matches.
      {"edited line 3", edited, {1, 2, 3}, file + ":4:"},
      {"non-canonical line 3", non_canonical, {1, 2}, file + ":3:"},
      {"removed line 3", removed, {1, 2}, file + ":3:"},
      {"swapped lines 2 and 3", swapped, {1}, file + ":2:"},
      {"duplicated line 3", duplicated, {1, 2, 3}, file + ":4:"},
      {"blank line 5", blank, {1, 2, 3, 4}, file + ":5:"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    WriteLines(files[0], row.lines);
    std::string error;
    EXPECT_EQ(Seqs(files, AuditFilter{}, 0, &error), row.delivered);
    EXPECT_TRUE(error.starts_with(row.where)) << error;
  }
  // An unreadable file is an error too.
  std::string error;
  EXPECT_EQ(Seqs({dir_.path() / "audit" / AuditFileName(99)}, AuditFilter{}, 0, &error), Seq{});
  EXPECT_NE(error.find("cannot read"), std::string::npos) << error;
}

TEST_F(AuditReaderTest, DamageBeforeAfterSeqIsStillFound) {
  // after_seq hides records, not damage, within a file that is read.
  const auto files = Write(5);
  auto lines = ReadLines(files[0]);
  lines.erase(lines.begin() + 1);
  WriteLines(files[0], lines);
  AuditFilter after4;
  after4.after_seq = 4;
  std::string error;
  EXPECT_EQ(Seqs(files, after4, 0, &error), Seq{});
  EXPECT_TRUE(error.starts_with(files[0].string() + ":2:")) << error;
}

TEST(ParseAuditEntryTest, RefusesWhatIsNotARecord) {
  for (const char* bad : {"", "{}", "garbage", "{\"v\":1}", "[1,2]"}) {
    SCOPED_TRACE(bad);
    auto e = ParseAuditEntry(bad);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(ParseAuditTimeTest, AcceptsTheThreeForms) {
  struct Row {
    const char* text;
    std::int64_t us;
  };
  const std::int64_t day = 1'795'478'400'000'000;  // 2026-11-24T00:00:00Z
  const Row rows[] = {
      {"2026-11-24", day},
      {"2026-11-24T00:00:00Z", day},
      {"2026-11-24T09:30:00Z", day + 34'200'000'000},
      {"2026-11-24T09:30:00.123456Z", day + 34'200'123'456},
      {"2026-11-24T09:30:00.000000Z", day + 34'200'000'000},
      {"2026-11-24T23:59:59.999999Z", day + 86'400'000'000 - 1},
      {"1970-01-01", 0},
      {"1969-12-31T23:59:59.999999Z", -1},
      {"2024-02-29", 1'709'164'800'000'000},  // a leap day
      {"1000-01-01", -30'610'224'000'000'000},
      {"9999-12-31T23:59:59.999999Z", 253'402'300'799'999'999},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.text);
    EXPECT_EQ(ParseAuditTime(row.text), std::optional<std::int64_t>(row.us));
  }
}

TEST(ParseAuditTimeTest, RefusesEverythingElse) {
  const char* rows[] = {
      "",
      "2026-11-24T09:30:00+08:00",
      "2026-11-24T09:30:00+00:00",
      "2026-11-24T09:30:00-05:00",
      "2026-11-24T09:30:00",
      "2026-11-24T09:30:00.123456",
      "2026-11-24T09:30:00.123456+01:00",
      "2026-11-24T09:30:00 UTC",
      "2026-11-24T09:30:00GMT",
      "2026-11-24t09:30:00Z",
      "2026-11-24T09:30:00z",
      "2026-11-24t09:30:00.123456z",
      "2026-11-24 09:30:00Z",
      "2026-02-30",
      "2026-02-29",  // not a leap year
      "2026-04-31",
      "2026-13-01",
      "2026-00-10",
      "2026-11-00",
      "2026-11-24T24:00:00Z",
      "2026-11-24T23:60:00Z",
      "2026-11-24T23:59:60Z",
      "0999-12-31",
      "0999-12-31T23:59:59.999999Z",
      "0000-01-01",
      "2026-11-24 ",
      " 2026-11-24",
      "2026-11-24T09:30:00Z ",
      "2026-11-24\n",
      "2026-1-1",
      "2026-01-1",
      "26-11-24",
      "2026/11/24",
      "20261124",
      "+2026-11-24",
      "2026-11-24T09:30Z",
      "2026-11-24T09:30:00.12Z",
      "2026-11-24T09:30:00.1234567Z",
      "2026-11-24T09:30:00,123456Z",
      "yesterday",
      "1795478400",
      "2026-1a-24",
  };
  for (const char* text : rows) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseAuditTime(text), std::nullopt);
  }
  // A NUL inside is not ignored.
  EXPECT_EQ(ParseAuditTime(std::string_view("2026-11-24\0", 11)), std::nullopt);
  EXPECT_EQ(ParseAuditTime(std::string_view("2026-11-2\0", 10)), std::nullopt);
}

}  // namespace
}  // namespace keyhold::kms
