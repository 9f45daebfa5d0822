// Crash worker: opens (initialising on first use) the store and the audit
// log in argv[1], then creates, rotates, disables/enables and wraps
// forever, acknowledging each operation on stdout only after the call that
// made it durable returned ok, and after its audit record is durable (as
// the server answers). A second thread appends audit records as fast as it
// can, so that kills land inside group commits. The driver kills it with
// SIGKILL at a random moment.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/base64.h"
#include "crypto/random.h"
#include "policies/approval_digest.h"
#include "tests/crash/crash_protocol.h"

namespace {

using keyhold::crypto::KeyId;

void Emit(const std::string& line) {
  const std::string out = line + "\n";
  // One write: the line arrives whole or not at all (PIPE_BUF > line size).
  if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    std::_Exit(3);
  }
}

std::string Id(unsigned long seed, std::uint64_t i) {
  return "M" + std::to_string(seed) + "-" + std::to_string(i);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "crash worker: %s\n", what.c_str());
  std::_Exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace keyhold;
  if (argc != 3) {
    Die("usage: keyhold_crash_worker DIR SEED");
  }
  const std::filesystem::path dir = argv[1];
  const unsigned long seed = std::strtoul(argv[2], nullptr, 10);
  std::mt19937_64 rng(seed);

  auto audit = kms::AuditLog::Open(crash::AuditOptions(dir),
                                   [] { return kms::SystemClock::Instance().NowMicros(); });
  if (!audit.ok()) {
    Die(audit.error().message);
  }
  auto service = kms::KeyService::Open(crash::StoreOptions(dir));
  if (!service.ok()) {
    Die(service.error().message);
  }
  (*service)->AttachAudit(audit->get(), [](const std::string& finding) { Emit("F " + finding); });
  kms::AuditLog* log = audit->get();
  // Audited emits the acknowledgement `line` once the record of `id` is
  // durable.
  const auto audited = [log](const std::string& id, const std::string& line) {
    kms::AuditEvent e;
    e.time_us = kms::SystemClock::Instance().NowMicros();
    e.request_id = id;
    e.operation = "crash";
    e.decision = "allow";
    e.reason = "ok";
    e.status = 200;
    if (Status s = log->Append(std::move(e)); !s.ok()) {
      Die(s.error().message);
    }
    Emit("A " + id);
    if (!line.empty()) {
      Emit(line);
    }
  };
  if (!(*service)->seal_status().initialized) {
    kms::InitRequest req;
    req.method = kms::SealMethod::kKeyFile;
    req.key_file = crash::KeyFile(dir);
    auto init = (*service)->Init(std::move(req));
    if (!init.ok()) {
      Die(init.error().message);
    }
    Emit("I");
  }
  if (auto s = (*service)->UnsealWithKeyFile(crash::KeyFile(dir)); !s.ok()) {
    Die(s.error().message);
  }
  auto ring = (*service)->keyring().value();
  std::vector<KeyId> keys;
  std::string after;
  for (;;) {
    auto page = ring->ListKeys(crash::kTenant, 1000, after);
    if (!page.ok()) {
      Die(page.error().message);
    }
    for (const auto& k : *page) {
      keys.push_back(k.id);
    }
    if (page->size() < 1000) {
      break;
    }
    after = page->back().id.name();
  }
  auto requests = (*service)->requests().value();
  {
    auto officers = (*service)->officers().value();
    auto enrolled = officers->List();
    if (!enrolled.ok()) {
      Die(enrolled.error().message);
    }
    for (int o = 0; o < crash::kApprovals; ++o) {
      const bool present = std::any_of(enrolled->begin(), enrolled->end(), [&](const auto& e) {
        return e.principal == crash::OfficerName(o);
      });
      if (!present) {
        if (auto e = officers->Enrol(crash::OfficerName(o), crash::OfficerSigner(o).public_key(),
                                     "root");
            !e.ok()) {
          Die(e.error().message);
        }
      }
    }
  }
  Emit("READY");
  std::thread([&audited, seed] {
    for (std::uint64_t n = 0;; ++n) {
      audited("L" + std::to_string(seed) + "-" + std::to_string(n), "");
    }
  }).detach();

  for (std::uint64_t i = 0;; ++i) {
    const int op = keys.empty() ? 0 : static_cast<int>(rng() % 10);
    if (op == 0) {
      const auto id =
          KeyId::Create(crash::kTenant, "s" + std::to_string(seed) + "-k" + std::to_string(i))
              .value();
      auto r = ring->CreateKey(id, {0});
      if (!r.ok()) {
        Die(r.error().message);
      }
      keys.push_back(id);
      audited(Id(seed, i), "C " + id.ToString());
      continue;
    }
    const KeyId& id = keys[rng() % keys.size()];
    if (op == 1) {
      auto r = ring->Rotate(id);
      if (r.ok()) {
        audited(Id(seed, i), "R " + id.ToString() + " " + std::to_string(r->record.latest_version));
      } else if (r.error().code != ErrorCode::kInvalidKeyState) {
        Die(r.error().message);
      }
    } else if (op == 2) {
      const bool disable = rng() % 2 == 0;
      const std::string target = disable ? "disabled" : "enabled";
      Emit("T " + id.ToString() + " " + target);
      auto r = disable ? ring->Disable(id) : ring->Enable(id);
      if (!r.ok()) {
        Die(r.error().message);
      }
      audited(Id(seed, i), "S " + id.ToString() + " " + target);
    } else if (op == 3) {
      // An access request for an unwrap under the key, then each officer's
      // signed approval, each acknowledged once durable and audited.
      kms::AccessRequest draft;
      draft.requester = "crash-app";
      draft.requester_tenant = crash::kTenant;
      draft.operation = "unwrap";
      draft.key = id.ToString();
      draft.not_before = kms::SystemClock::Instance().NowSeconds();
      draft.not_after = draft.not_before + 7200;
      draft.justification_code = "incident_review";
      draft.rule = "crash/approvals";
      draft.approvals_needed = crash::kApprovals;
      auto created = requests->Create(std::move(draft), 86400);
      if (!created.ok()) {
        Die(created.error().message);
      }
      audited(Id(seed, i), "Q " + created->id);
      for (int o = 0; o < crash::kApprovals; ++o) {
        const auto sig = crash::OfficerSigner(o).Sign(policies::ApprovalDigest(created->Subject()));
        auto approved = requests->Approve(created->id, crash::Officer(o), sig, "crash test");
        if (!approved.ok()) {
          Die(approved.error().message);
        }
        audited(Id(seed, i) + "-" + std::to_string(o),
                "P " + created->id + " " + std::to_string(o + 1));
      }
    } else {
      auto plaintext = crypto::RandomBytes(16).value();
      auto r = ring->Wrap(id, plaintext, {});
      if (r.ok()) {
        audited(Id(seed, i), "W " + id.ToString() + " " + std::to_string(r->key_version) + " " +
                                 crypto::Base64Encode(r->ciphertext) + " " +
                                 crypto::Base64Encode(plaintext));
      } else if (r.error().code != ErrorCode::kInvalidKeyState) {
        Die(r.error().message);
      }
    }
  }
}
