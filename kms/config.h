// Config: the server's one TOML file (docs/configuration.md lists every
// field with its default). Loading validates everything at once and names
// the file, line and field of the first problem; unknown fields and wrong
// types are errors, never ignored. Nothing here can lower TLS below 1.3:
// there is no setting for it. Thread-safe (value type).
#ifndef KEYHOLD_KMS_CONFIG_H_
#define KEYHOLD_KMS_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "kms/auth/roles.h"
#include "kms/key_service.h"
#include "kms/logger.h"

namespace keyhold::kms {

// ClientCertBinding gives a client certificate identity a tenant and roles
// (mTLS). `identity` is matched against the certificate's identity as
// chosen by tls.client_identity.
struct ClientCertBinding {
  std::string identity;
  std::string tenant;
  RoleSet roles;
};

// XksKey maps an external key id (what AWS KMS names, XksKeyId) of one key
// store to a Keyhold key, with what AWS may do with it.
struct XksKey {
  std::string id;   // 1-128 of [A-Za-z0-9._-]
  std::string key;  // "TENANT/NAME"
  bool encrypt = true;
  bool decrypt = true;
};

// XksKeyStore is one AWS KMS external key store: its own path prefix, its
// own credentials (kept sealed in the store, docs/xks.md), its own keys.
struct XksKeyStore {
  std::string name;         // [a-z0-9-]{1,32}; credentials name it
  std::string path_prefix;  // "" or "/a/b" ([A-Za-z0-9_-] segments)
  // When set, calls must come over a client certificate (verified against
  // tls.client_ca_file) with this identity.
  std::string mtls_identity;
  std::vector<XksKey> keys;
  // uri_path is XksProxyUriPath: path_prefix + "/kms/xks/v1".
  std::string uri_path() const { return path_prefix + "/kms/xks/v1"; }
};

struct XksConfig {
  // SigV4 credential-scope regions accepted: those AWS KMS calls from.
  std::vector<std::string> regions = {"us-east-1"};
  // The key the health check encrypts and decrypts with (made on first
  // use); never one AWS can name.
  std::string health_key = "keyhold-xks/health";
  std::vector<XksKeyStore> key_stores;  // empty: no XKS routes
};

struct Config {
  std::filesystem::path source;  // the file it was read from

  // [server]
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  unsigned workers = 0;  // 0: one per core
  std::size_t max_connections = 1024;
  bool dev_mode = false;
  // The region this instance serves (e.g. "hk"). A tenant whose policies
  // give it a residency region is served only by instances of that region;
  // empty: no region, so no resident tenant is served.
  std::string region;
  // [policies]
  // The folder of policy documents (NAME.json); empty: none, so roles alone
  // decide (docs/policies.md).
  std::filesystem::path policy_dir;

  // [tls]
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::filesystem::path client_ca_file;         // empty: no client certificates
  std::string client_identity = "san";          // "san" (first DNS/URI SAN) or "subject_cn"
  std::vector<ClientCertBinding> client_certs;  // [[tls.client_cert]]

  // [limits]
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 32 * 1024;
  std::uint32_t handshake_timeout_ms = 10'000;
  std::uint32_t header_timeout_ms = 10'000;
  std::uint32_t body_timeout_ms = 10'000;
  std::uint32_t idle_timeout_ms = 60'000;
  std::uint32_t shutdown_grace_ms = 30'000;
  std::uint32_t auth_failures_per_minute = 20;

  // [store]
  std::filesystem::path store_path = "/var/lib/keyhold/store";
  std::size_t map_size_mib = 1024;

  // [audit]
  std::filesystem::path audit_path = "/var/lib/keyhold/audit";
  std::uint64_t audit_max_file_mib = 64;
  std::uint64_t audit_max_file_age_hours = 24;
  // Files younger than this are never deleted by Keyhold, and verify reports
  // one missing (PDPO and most audit regimes ask for at least a year).
  std::uint32_t audit_retention_days = 365;
  // Tenants whose encryption-context values are written in clear (as well
  // as the keyed digest every record has).
  std::vector<std::string> audit_clear_context_tenants;
  // A Unix datagram socket (e.g. /dev/log) that gets a copy of each record
  // as RFC 5424 syslog, best effort; empty: no copy.
  std::filesystem::path audit_syslog_socket;

  // [seal]
  // Development mode only: sys/init with method "key_file" writes the
  // unseal key here, and the server unseals itself from it at start.
  std::filesystem::path dev_key_file;

  // [keys]
  std::uint64_t default_rotation_period_days = 365;
  std::uint32_t default_deletion_days = 30;
  std::uint32_t min_deletion_days = 7;
  std::uint32_t max_deletion_days = 365;
  std::uint64_t rotate_after_encryptions = std::uint64_t{1} << 30;
  std::uint64_t max_encryptions = std::uint64_t{1} << 32;
  std::uint64_t reservation_block = std::uint64_t{1} << 16;

  // [scheduler]
  std::uint32_t scheduler_interval_s = 60;

  // [tokens]
  std::uint32_t token_default_ttl_days = 30;
  std::uint32_t token_max_ttl_days = 365;

  // [log]
  LogLevel log_level = LogLevel::kInfo;

  // [xks] and [[xks.key_store]]
  XksConfig xks;

  // KeyServiceOptions derives the store, seal and keyring settings.
  KeyServiceOptions ServiceOptions() const;
};

// LoadConfig reads and validates a TOML file; kInvalidConfig with
// "FILE:LINE: field: problem" on any error.
Result<Config> LoadConfig(const std::filesystem::path& file);

// ParseConfig validates TOML text; `source` names it in errors.
Result<Config> ParseConfig(std::string_view text, std::string_view source);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_CONFIG_H_
