// AuditRecord: one line of the audit log, and the format that chains,
// authenticates and signs it (docs/formats.md, "Audit log").
//
// A line is the record's canonical JSON body B (sorted keys, ASCII only)
// with its authenticators appended before the closing brace:
//
//   B[0 .. len-1] ,"mac":"<hex HMAC-SHA-256(mac key, B)>"|null
//                [,"sig":"<hex Ed25519(B)>"] }
//
// B holds `prev`, the SHA-256 of the previous line, so the chain covers
// every byte of every earlier line. `mac` is null only for records written
// while sealed (no key exists then); the next signed record covers them.
// Pure formatting and parsing: no I/O. Thread-safe (no state).
#ifndef KEYHOLD_KMS_AUDIT_AUDIT_RECORD_H_
#define KEYHOLD_KMS_AUDIT_AUDIT_RECORD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "crypto/error.h"
#include "crypto/hmac.h"
#include "crypto/sha256.h"

namespace keyhold::kms {

inline constexpr int kAuditFormatVersion = 1;

// AuditEvent is what one request (or one system action) did. Never holds
// plaintext, key material, tokens or shares: only names, digests and codes.
// ApprovalEvidence is what lets `keyhold audit verify` re-check an
// officer's approval offline: the canonical approval text
// (policies/approval_digest.h), the officer's public key and signature.
struct ApprovalEvidence {
  std::string officer;
  std::string public_key;  // base64
  std::string text;
  std::string signature;  // base64
};

// XksAuditFacts: what a call from AWS KMS through the XKS proxy API said
// of itself (kmsRequestId ties the record to AWS CloudTrail's).
struct XksAuditFacts {
  std::string key_store;
  std::string external_key_id;  // empty for health
  std::string kms_request_id;
  std::string kms_operation;
  std::string kms_key_arn;  // empty when not sent
};

struct AuditEvent {
  std::int64_t time_us = 0;      // Unix microseconds, when the request arrived
  std::string type = "request";  // "request" or "system"
  std::string request_id;        // empty for system events
  std::string principal;         // empty when unauthenticated
  std::string auth;              // "token:<accessor>", "mtls", or empty
  std::string source;            // client IP address, empty for system events
  std::string operation;         // e.g. "POST /v1/keys/{tenant}/{name}/unwrap"
  std::string key;               // "tenant/name", or empty
  std::optional<std::uint32_t> key_version;
  std::string context_digest;  // hex HMAC of the canonical context, or empty
  std::optional<std::map<std::string, std::string>> context;  // only if configured
  std::string justification_code;                             // empty when none was given
  std::string justification_text;
  // The policy involved: "document/rule" that decided, or "document@vN"
  // for a policy change; empty (and not written) otherwise.
  std::string policy;
  // The access request acted on (created, approved, denied) or whose grant
  // the call used; empty (and not written) otherwise.
  std::string access_request;
  std::optional<ApprovalEvidence> approval;  // an approval's evidence
  // An officer's enrolled key (base64), recorded at enrolment so that
  // verify can tie later approvals to it.
  std::optional<std::pair<std::string, std::string>> officer_key;  // officer, key
  std::optional<XksAuditFacts> xks;                                // calls from AWS KMS
  std::string decision;                                            // "allow", "deny" or "error"
  std::string reason;                                              // "ok", or the error code
  int status = 0;                                                  // HTTP status sent
  std::int64_t latency_us = 0;
};

// ChainState is what the next record needs: its sequence number and the hash
// of the line before it. The genesis record is seq 1 with prev all zeros.
struct ChainState {
  std::uint64_t next_seq = 1;
  crypto::Sha256Digest prev{};
};

// AuditKeys authenticate new records; both absent while sealed.
struct AuditKeys {
  const crypto::SecretBytes* mac_key = nullptr;
  const crypto::Ed25519Signer* signer = nullptr;
};

// FormatRequestLine returns the line (without newline) for `event` at the
// chain position `chain`, and advances `chain`. `sign` adds a signature
// (ignored without a signer). kInvalidRequest for a time outside the years
// 1000-9999 or the type "checkpoint" (FormatCheckpointLine's alone).
Result<std::string> FormatEventLine(const AuditEvent& event, const AuditKeys& keys, bool sign,
                                    ChainState* chain);

// FormatCheckpointLine returns a signed checkpoint naming the public key;
// kSealed without a signer. `reason` says why it was written ("unseal",
// "rotate", "interval", "shutdown").
Result<std::string> FormatCheckpointLine(std::int64_t time_us, std::string_view reason,
                                         const AuditKeys& keys, ChainState* chain);

// ParsedLine is a line taken apart.
struct ParsedLine {
  std::string body;  // B, the bytes the mac and signature cover
  std::uint64_t seq = 0;
  crypto::Sha256Digest prev{};
  std::string type;
  std::int64_t time_us = 0;
  std::optional<crypto::HmacTag> mac;
  std::optional<crypto::Ed25519Signature> sig;
  std::optional<crypto::Ed25519PublicKey> public_key;  // checkpoints only
  std::string checkpoint_reason;                       // checkpoints only
};

// ParseLine checks the shape of a line (no newline) and returns its parts;
// kInvalidRequest naming what is wrong otherwise. It checks no
// authenticator: see AuditVerifier.
Result<ParsedLine> ParseLine(std::string_view line);

// LineHash is the SHA-256 of a line, the next record's `prev`.
crypto::Sha256Digest LineHash(std::string_view line);

// Rfc3339Micros renders Unix microseconds as "2026-11-23T18:00:00.123456Z".
std::string Rfc3339Micros(std::int64_t unix_us);

// ParseAuditTime reads a UTC time as a user types it for a filter:
// "2026-11-23", "2026-11-23T18:00:00Z" or "2026-11-23T18:00:00.123456Z";
// nullopt for anything else (other zones, impossible dates included).
std::optional<std::int64_t> ParseAuditTime(std::string_view text);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_AUDIT_AUDIT_RECORD_H_
