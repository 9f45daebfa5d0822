// AuditVerifier: checks audit log files and names the first bad record.
//
// Offline (no key), it checks that every line is well formed, that seq runs
// on by one and each `prev` is the hash of the line before, across files,
// and every signature against the public key (pinned by the caller, or else
// learnt from the first checkpoint and reported as unpinned). With the mac
// key (the server, after unseal) it also checks every mac, which places an
// edit at the edited record itself rather than at the one after it. With the
// chain head the store recorded, it also finds records cut from the end.
// Reads files; no other I/O. Thread-compatible.
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_VERIFIER_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_VERIFIER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::kms {

// ChainHead names one record: the store keeps the latest it saw durable.
struct ChainHead {
  std::uint64_t seq = 0;
  crypto::Sha256Digest hash{};
};

struct AuditVerifyOptions {
  std::optional<crypto::Ed25519PublicKey> public_key;
  const crypto::SecretBytes* mac_key = nullptr;
  std::optional<ChainHead> expected_head;
  // When non-zero, only this many bytes of the last file are read (the
  // rest may be a batch being written).
  std::uint64_t last_file_limit = 0;
  // When both are set, a gap before the first record is an error if the
  // first record is younger than the retention floor.
  std::int64_t now_us = 0;
  std::int64_t retention_us = 0;
};

struct AuditVerifyResult {
  bool ok = true;
  // The first bad record: file, 1-based line in it, and why.
  std::string file;
  std::uint64_t line = 0;
  std::string reason;

  std::uint64_t files = 0;
  std::uint64_t records = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  crypto::Sha256Digest last_hash{};
  std::uint64_t signatures = 0;  // signatures checked
  std::uint64_t macs = 0;        // macs checked (with the key)
  std::uint64_t approvals = 0;   // officers' approval signatures re-verified
  std::uint64_t unkeyed = 0;     // records written while sealed (mac null)
  std::uint64_t after_last_signature = 0;
  // The seqs of checkpoints above the expected head's.
  std::vector<std::uint64_t> checkpoints_after_head;
  std::optional<crypto::Ed25519PublicKey> public_key;  // the key signatures were checked with
  bool public_key_pinned = false;
  std::vector<std::string> warnings;
};

// VerifyAuditFiles checks `files` in the order given (oldest first).
AuditVerifyResult VerifyAuditFiles(const std::vector<std::filesystem::path>& files,
                                   const AuditVerifyOptions& options);

// AuditFileName is "audit-<first seq, 20 digits>.jsonl", so that names sort
// in chain order; FirstSeqOfFileName reads it back (nullopt for other names).
std::string AuditFileName(std::uint64_t first_seq);
std::optional<std::uint64_t> FirstSeqOfFileName(const std::string& name);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_VERIFIER_H_
