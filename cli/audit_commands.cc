#include "cli/audit_commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "cli/local_error.h"
#include "kms/audit/audit_export.h"
#include "kms/audit/audit_reader.h"
#include "kms/audit/audit_record.h"
#include "kms/audit/audit_verifier.h"
#include "kms/clock.h"

namespace keyhold::cli {
namespace {

using Json = nlohmann::json;

constexpr const char* kDefaultDir = "/var/lib/keyhold/audit";

struct VerifyArgs {
  std::vector<std::string> files;
  std::string public_key;
  std::uint32_t retention_days = 365;
};

// What export and tail read, and how they print it.
struct ReadArgs {
  std::vector<std::string> files;
  std::string dir = kDefaultDir;
  std::string format = "jsonl";
  std::string since;
  std::string until;
  std::string key;
  std::string principal;
  std::size_t lines = 20;
  bool follow = false;
};

void AddReadOptions(CLI::App* cmd, ReadArgs* a) {
  cmd->add_option("files", a->files, "Audit files (default: every file in --dir)");
  cmd->add_option("--dir", a->dir, "The audit directory ([audit] path)")->capture_default_str();
  cmd->add_option("--format", a->format, "jsonl (as stored), cef or syslog (RFC 5424)")
      ->capture_default_str();
  cmd->add_option("--since", a->since,
                  "Records at or after this UTC time (2026-11-24[T09:30:00Z])");
  cmd->add_option("--until", a->until, "Records before this UTC time");
  cmd->add_option("--key", a->key, "Records about this key (tenant/name)");
  cmd->add_option("--principal", a->principal, "Records of this principal");
}

std::vector<std::filesystem::path> FilesOf(const ReadArgs& a) {
  std::vector<std::filesystem::path> files;
  if (!a.files.empty()) {
    files.assign(a.files.begin(), a.files.end());
  } else {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(a.dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (kms::FirstSeqOfFileName(it->path().filename().string())) {
        files.push_back(it->path());
      }
    }
    if (ec) {
      throw LocalError{"cannot read the audit directory " + a.dir + ": " + ec.message()};
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

kms::AuditFilter FilterOf(const ReadArgs& a) {
  kms::AuditFilter f;
  const auto time = [](const std::string& text, const char* name) {
    const auto us = kms::ParseAuditTime(text);
    if (!us) {
      throw LocalError{std::string(name) + ": expected a UTC time such as 2026-11-24 or " +
                       "2026-11-24T09:30:00Z"};
    }
    return *us;
  };
  if (!a.since.empty()) {
    f.since_us = time(a.since, "--since");
  }
  if (!a.until.empty()) {
    f.until_us = time(a.until, "--until");
  }
  f.key = a.key;
  f.principal = a.principal;
  return f;
}

std::string Hostname() {
  char host[256] = {};
  (void)gethostname(host, sizeof(host) - 1);
  return host;
}

void Read(const std::vector<std::filesystem::path>& files, const kms::AuditFilter& filter,
          const std::function<bool(const kms::AuditEntry&)>& each) {
  if (Status s = kms::ReadAuditFiles(files, filter, 0, each); !s.ok()) {
    throw LocalError{s.error().message};
  }
}

}  // namespace

void AddAuditCommands(CLI::App* app, const std::string* output, int* exit_code) {
  auto* audit = app->add_subcommand(
      "audit", "Check, export and follow the audit log (on the host that holds it)");
  audit->require_subcommand(1);
  audit->footer("Example: keyhold audit verify /var/lib/keyhold/audit/audit-*.jsonl");
  auto* verify = audit->add_subcommand(
      "verify", "Verify audit files offline: chain, order, signatures; names the first bad record");
  auto v = std::make_shared<VerifyArgs>();
  verify->add_option("files", v->files, "Audit files, oldest first (names sort that way)")
      ->required();
  verify->add_option("--public-key", v->public_key,
                     "Checkpoint public key (64 hex digits, or a file holding them) to pin");
  verify
      ->add_option("--retention-days", v->retention_days,
                   "Files missing from the start of the log are an error while younger than "
                   "this (0: never)")
      ->capture_default_str();
  verify->footer(
      "Example: keyhold audit verify --public-key audit.pub /var/lib/keyhold/audit/audit-*.jsonl");
  verify->callback([v, output, exit_code] {
    kms::AuditVerifyOptions options;
    if (!v->public_key.empty()) {
      std::string hex = v->public_key;
      if (std::ifstream in(v->public_key); in) {
        std::getline(in, hex);
      }
      crypto::Ed25519PublicKey pinned{};
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw LocalError{"--public-key: expected 64 lowercase hex digits"};
      }
      for (std::size_t i = 0; i < pinned.size(); ++i) {
        pinned[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
      }
      options.public_key = pinned;
    }
    if (v->retention_days > 0) {
      options.now_us = kms::SystemClock::Instance().NowMicros();
      options.retention_us = static_cast<std::int64_t>(v->retention_days) * 86'400'000'000;
    }
    std::vector<std::filesystem::path> files(v->files.begin(), v->files.end());
    std::sort(files.begin(), files.end());
    const kms::AuditVerifyResult r = kms::VerifyAuditFiles(files, options);
    Json out = {{"ok", r.ok},
                {"files", r.files},
                {"records", r.records},
                {"first_seq", r.first_seq},
                {"last_seq", r.last_seq},
                {"signatures_checked", r.signatures},
                {"approvals_checked", r.approvals},
                {"records_after_last_signature", r.after_last_signature},
                {"warnings", r.warnings}};
    if (r.public_key) {
      std::string hex;
      for (std::uint8_t b : *r.public_key) {
        static constexpr char kDigits[] = "0123456789abcdef";
        hex += kDigits[b >> 4];
        hex += kDigits[b & 15];
      }
      out["public_key"] = hex;
      out["public_key_pinned"] = r.public_key_pinned;
    }
    if (!r.ok) {
      out["first_bad_record"] = {{"file", r.file}, {"line", r.line}, {"reason", r.reason}};
    }
    if (*output == "json") {
      std::cout << out.dump(2) << "\n";
    } else if (r.ok) {
      std::printf(
          "ok: %llu records in %llu files, seq %llu to %llu, %llu signatures checked, %llu "
          "approvals re-verified\n",
          static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.files),
          static_cast<unsigned long long>(r.first_seq), static_cast<unsigned long long>(r.last_seq),
          static_cast<unsigned long long>(r.signatures),
          static_cast<unsigned long long>(r.approvals));
      if (out.contains("public_key")) {
        std::printf("public key: %s%s\n", out["public_key"].get<std::string>().c_str(),
                    r.public_key_pinned ? " (pinned)" : "");
      }
      for (const auto& w : r.warnings) {
        std::printf("warning: %s\n", w.c_str());
      }
    } else {
      std::printf("FAILED: %s, line %llu: %s\n", r.file.c_str(),
                  static_cast<unsigned long long>(r.line), r.reason.c_str());
    }
    *exit_code = r.ok ? kExitOk : kExitLocal;
  });

  auto e = std::make_shared<ReadArgs>();
  auto* export_cmd = audit->add_subcommand(
      "export", "Print records for a SIEM or an auditor, oldest first, filtered");
  AddReadOptions(export_cmd, e.get());
  export_cmd->footer(
      "Example: keyhold audit export --format cef --since 2026-11-01 --until 2026-12-01 "
      "--key payments/card-data");
  export_cmd->callback([e, exit_code] {
    const auto format = kms::ParseAuditExportFormat(e->format);
    if (!format.ok()) {
      throw LocalError{"--format: " + format.error().message};
    }
    const std::string host = Hostname();
    Read(FilesOf(*e), FilterOf(*e), [&](const kms::AuditEntry& entry) {
      std::cout << kms::FormatAuditExport(entry, *format, host) << "\n";
      return true;
    });
    std::cout.flush();
    *exit_code = std::cout ? kExitOk : kExitLocal;
  });

  auto t = std::make_shared<ReadArgs>();
  auto* tail = audit->add_subcommand("tail", "Print the last records, and with -f new ones");
  AddReadOptions(tail, t.get());
  tail->add_option("-n,--lines", t->lines, "How many records to print first")
      ->capture_default_str();
  tail->add_flag("-f,--follow", t->follow, "Keep printing records as they are written");
  tail->footer("Example: keyhold audit tail -f --dir /var/lib/keyhold/audit --principal app-1");
  tail->callback([t, exit_code] {
    const auto format = kms::ParseAuditExportFormat(t->format);
    if (!format.ok()) {
      throw LocalError{"--format: " + format.error().message};
    }
    const std::string host = Hostname();
    kms::AuditFilter filter = FilterOf(*t);
    std::deque<std::string> last;
    std::uint64_t seq = 0;
    Read(FilesOf(*t), filter, [&](const kms::AuditEntry& entry) {
      last.push_back(kms::FormatAuditExport(entry, *format, host));
      if (last.size() > t->lines) {
        last.pop_front();
      }
      seq = entry.seq;
      return true;
    });
    for (const auto& line : last) {
      std::cout << line << "\n";
    }
    std::cout.flush();
    while (t->follow && std::cout) {
      // Polling is enough for a human watching; records appear in batches
      // and a new file after rotation is picked up by the listing.
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      filter.after_seq = seq;
      Read(FilesOf(*t), filter, [&](const kms::AuditEntry& entry) {
        std::cout << kms::FormatAuditExport(entry, *format, host) << "\n";
        seq = entry.seq;
        return true;
      });
      std::cout.flush();
    }
    *exit_code = kExitOk;
  });
}

}  // namespace keyhold::cli
