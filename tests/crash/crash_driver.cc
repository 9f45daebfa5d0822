// Crash driver: runs the crash worker against one store, SIGKILLs it at a
// random moment, reopens the store and checks that every acknowledged
// operation survived; repeats for --cycles. Prints cycles, acknowledged
// writes, lost writes, torn records and the worst recovery time (open +
// unseal), and exits non-zero if anything acknowledged was lost or torn.
//
//   keyhold_crash_test --worker PATH [--cycles N] [--seed S] [--max-run-ms M]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/base64.h"
#include "tests/crash/crash_protocol.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::crash {
namespace {

using Clock = std::chrono::steady_clock;

// CI's 200 cycles are one epoch, on one store.
constexpr long kEpochCycles = 250;

struct Stats {
  long cycles = 0;
  long acknowledged = 0;
  long lost = 0;
  long torn = 0;
  long audit_records = 0;
  long audit_findings = 0;
  long approvals = 0;  // acknowledged requests and approvals found intact
  double worst_recovery_ms = 0;
};

struct Wrap {
  std::string key;
  std::uint32_t version;
  std::string blob;
  std::string plaintext;
};

// Runs one worker until a random deadline, then kills it; returns the
// complete lines it wrote.
std::vector<std::string> RunWorker(const std::string& worker, const std::filesystem::path& dir,
                                   unsigned long seed, int run_ms, bool* died_early) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    const std::string d = dir.string();
    const std::string s = std::to_string(seed);
    ::execl(worker.c_str(), worker.c_str(), d.c_str(), s.c_str(), nullptr);
    std::_Exit(127);
  }
  ::close(fds[1]);
  std::string data;
  bool ready = false;
  auto deadline = Clock::now() + std::chrono::seconds(60);  // until READY
  char buf[65536];
  *died_early = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      continue;
    }
    const ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) {
      *died_early = true;  // EOF before the kill: the worker exited
      break;
    }
    data.append(buf, static_cast<std::size_t>(n));
    if (!ready && data.find("READY\n") != std::string::npos) {
      ready = true;
      deadline = Clock::now() + std::chrono::milliseconds(run_ms);
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) {
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (!ready || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
    *died_early = true;
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(data.substr(start, nl - start));
  }
  return lines;  // a trailing partial line was never acknowledged
}

int Main(int argc, char** argv) {
  std::string worker;
  long cycles = 200;
  unsigned long seed = static_cast<unsigned long>(std::random_device{}());
  int max_run_ms = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--worker") {
      worker = argv[i + 1];
    } else if (flag == "--cycles") {
      cycles = std::stol(argv[i + 1]);
    } else if (flag == "--seed") {
      seed = std::stoul(argv[i + 1]);
    } else if (flag == "--max-run-ms") {
      max_run_ms = std::stoi(argv[i + 1]);
    }
  }
  if (worker.empty()) {
    std::cerr << "usage: keyhold_crash_test --worker PATH [--cycles N] [--seed S]\n";
    return 1;
  }
  std::cout << "crash test: seed " << seed << ", " << cycles << " cycles\n";
  std::mt19937_64 rng(seed);
  keyhold::testing::TempDir dir;
  Stats stats;
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> acked_wraps;
  std::map<std::string, std::string> expected_state;  // last acknowledged state per key

  for (long cycle = 0; cycle < cycles; ++cycle) {
    // Each cycle re-reads the whole store and audit log, so on one store a
    // long campaign would slow down quadratically: every kEpochCycles the
    // driver starts again on an empty directory (which also puts kills
    // inside initialisation again).
    if (cycle > 0 && cycle % kEpochCycles == 0) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        std::filesystem::remove_all(entry.path());
      }
      acked_wraps.clear();
      expected_state.clear();
    }
    bool died_early = false;
    const int run_ms = static_cast<int>(rng() % static_cast<unsigned>(max_run_ms + 1));
    const auto lines = RunWorker(worker, dir.path(), rng(), run_ms, &died_early);
    if (died_early) {
      std::cerr << "cycle " << cycle << ": the worker failed on its own (see its stderr)\n";
      return 1;
    }
    const auto t0 = Clock::now();
    auto audit = kms::AuditLog::Open(AuditOptions(dir.path()),
                                     [] { return kms::SystemClock::Instance().NowMicros(); });
    if (!audit.ok()) {
      std::cerr << "cycle " << cycle << ": audit reopen failed: " << audit.error().message << "\n";
      ++stats.torn;
      break;
    }
    auto service = kms::KeyService::Open(StoreOptions(dir.path()));
    if (!service.ok()) {
      std::cerr << "cycle " << cycle << ": reopen failed: " << service.error().message << "\n";
      ++stats.torn;
      break;
    }
    (*service)->AttachAudit(audit->get(), [&](const std::string& finding) {
      std::cerr << "cycle " << cycle << ": AUDIT FINDING " << finding << "\n";
      ++stats.audit_findings;
    });
    const bool initialized = (*service)->seal_status().initialized;
    auto unsealed = initialized ? (*service)->UnsealWithKeyFile(KeyFile(dir.path()))
                                : Status(MakeError(ErrorCode::kNotInitialized));
    stats.worst_recovery_ms =
        std::max(stats.worst_recovery_ms,
                 std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    std::map<std::string, std::string> intent;
    std::set<std::string> acked_audit;
    std::set<std::string> touched;
    std::vector<Wrap> wraps;
    std::shared_ptr<kms::Keyring> ring;
    if (unsealed.ok()) {
      ring = (*service)->keyring().value();
    }
    auto lose = [&](const std::string& what, const Error* e) {
      if (e != nullptr && e->code == ErrorCode::kStoreCorrupt) {
        ++stats.torn;
      } else {
        ++stats.lost;
      }
      std::cerr << "cycle " << cycle << ": LOST " << what << (e ? ": " + e->message : "") << "\n";
    };
    for (const auto& line : lines) {
      std::istringstream in(line);
      std::string tag;
      in >> tag;
      if (tag == "READY") {
        continue;
      }
      if (tag == "A") {
        std::string id;
        in >> id;
        acked_audit.insert(id);
        continue;
      }
      if (tag == "F") {
        std::cerr << "cycle " << cycle << ": worker AUDIT FINDING " << line << "\n";
        ++stats.audit_findings;
        continue;
      }
      if (tag == "T") {
        std::string key, state;
        in >> key >> state;
        intent[key] = state;
        touched.insert(key);
        continue;
      }
      ++stats.acknowledged;
      if (tag == "I") {
        if (!initialized || !unsealed.ok()) {
          lose("initialisation", unsealed.ok() ? nullptr : &unsealed.error());
        }
        continue;
      }
      if (!ring) {
        lose("operation on a store that does not unseal", nullptr);
        continue;
      }
      if (tag == "Q" || tag == "P") {
        std::string request_id;
        std::size_t approvals = 0;
        in >> request_id >> approvals;
        auto r = (*service)->requests().value()->Get(request_id);
        if (!r.ok()) {
          lose(line, &r.error());
        } else if (r->approvals.size() < approvals ||
                   (approvals == static_cast<std::size_t>(kApprovals) && r->approved_at == 0)) {
          lose(line + " (" + std::to_string(r->approvals.size()) + " approvals)", nullptr);
        } else {
          ++stats.approvals;
        }
        continue;
      }
      std::string key;
      in >> key;
      touched.insert(key);
      const auto id = crypto::KeyId::Parse(key).value();
      auto info = ring->GetKey(id);
      if (!info.ok()) {
        lose(line, &info.error());
        continue;
      }
      if (tag == "C") {
        expected_state[key] = "enabled";
      } else if (tag == "R") {
        std::uint32_t v = 0;
        in >> v;
        if (info->record.latest_version < v) {
          lose(line, nullptr);
        }
      } else if (tag == "S") {
        std::string state;
        in >> state;
        expected_state[key] = state;
        intent.erase(key);
      } else if (tag == "W") {
        Wrap w;
        w.key = key;
        in >> w.version >> w.blob >> w.plaintext;
        wraps.push_back(w);
        ++acked_wraps[{key, w.version}];
      }
    }
    // Audit: the log verifies, and every acknowledged record is in it.
    {
      const auto files = (*audit)->Files();
      const kms::AuditVerifyResult v = kms::VerifyAuditFiles(files, {});
      if (!v.ok) {
        std::cerr << "cycle " << cycle << ": AUDIT LOG BROKEN " << v.file << ":" << v.line << ": "
                  << v.reason << "\n";
        ++stats.torn;
      }
      std::set<std::string> present;
      for (const auto& f : files) {
        std::ifstream file(f, std::ios::binary);
        std::string record;
        while (std::getline(file, record)) {
          const std::size_t at = record.find("\"request_id\":\"");
          if (at != std::string::npos) {
            const std::size_t from = at + 14;
            present.insert(record.substr(from, record.find('"', from) - from));
          }
        }
      }
      for (const auto& id : acked_audit) {
        ++stats.audit_records;
        if (!present.contains(id)) {
          lose("audit record " + id, nullptr);
        }
      }
    }
    if (!ring) {
      if (stats.acknowledged > 0 && initialized) {
        lose("unseal after crash", &unsealed.error());
      }
      ++stats.cycles;
      continue;
    }
    // States: the last acknowledged one, or a pending intent that may have
    // committed without its acknowledgement. A key whose creation was never
    // acknowledged (the kill came first) has no expectation, only a check
    // that it still opens. Every touched key is left enabled so that its
    // wraps can be checked.
    for (const std::string& key : touched) {
      const auto id = crypto::KeyId::Parse(key).value();
      auto info = ring->GetKey(id);
      if (!info.ok()) {
        lose("key " + key, &info.error());
        continue;
      }
      const std::string actual(kms::KeyStateName(info->record.state));
      const auto expected = expected_state.find(key);
      const auto pending = intent.find(key);
      if (expected != expected_state.end() && actual != expected->second &&
          (pending == intent.end() || pending->second != actual)) {
        lose("state of " + key + " (want " + expected->second + ", have " + actual + ")", nullptr);
      }
      if (actual != "enabled") {
        if (auto r = ring->Enable(id); !r.ok()) {
          lose("enable " + key, &r.error());
        }
      }
      expected_state[key] = "enabled";
    }
    for (const Wrap& w : wraps) {
      const auto blob = crypto::Base64Decode(w.blob, 8192).value();
      const auto plaintext = crypto::Base64Decode(w.plaintext, 64).value();
      auto r = ring->Unwrap(crypto::KeyId::Parse(w.key).value(), blob, {});
      if (!r.ok() || r->key_version != w.version ||
          !crypto::ConstantTimeEquals(r->plaintext.Reveal(crypto::SecretAccess::Get()),
                                      plaintext)) {
        lose("wrap under " + w.key + " v" + std::to_string(w.version),
             r.ok() ? nullptr : &r.error());
      }
    }
    // Budget: the durable count never falls below the acknowledged wraps.
    for (const auto& [kv, count] : acked_wraps) {
      if (!touched.contains(kv.first)) {
        continue;
      }
      auto info = ring->GetKey(crypto::KeyId::Parse(kv.first).value());
      if (!info.ok()) {
        continue;  // reported above
      }
      for (const auto& v : info->versions) {
        if (v.version == kv.second && v.encryptions < count) {
          lose("encryption count of " + kv.first + " v" + std::to_string(kv.second) + " (" +
                   std::to_string(v.encryptions) + " < " + std::to_string(count) + ")",
               nullptr);
        }
      }
    }
    (*service)->Seal();  // the closing checkpoint, as keyhold server does at exit
    ++stats.cycles;
  }
  std::printf(
      "cycles %ld, acknowledged writes %ld (requests and approvals %ld), acknowledged audit "
      "records %ld, lost writes %ld, torn records %ld, audit findings %ld, worst recovery %.1f "
      "ms\n",
      stats.cycles, stats.acknowledged, stats.approvals, stats.audit_records, stats.lost,
      stats.torn, stats.audit_findings, stats.worst_recovery_ms);
  return stats.lost == 0 && stats.torn == 0 && stats.audit_findings == 0 && stats.cycles == cycles
             ? 0
             : 1;
}

}  // namespace
}  // namespace keyhold::crash

int main(int argc, char** argv) {
  return keyhold::crash::Main(argc, argv);
}
