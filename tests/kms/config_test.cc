// Tests for kms/config.h: every default after a minimal file, a full file
// setting every field to a non-default value, and refusals. Each refusal is
// kInvalidConfig and starts "SOURCE:LINE: FIELD: " with the line of the
// offending key: unknown sections and fields, wrong types, integers out of
// range at both ends and negative, listen forms, client_identity,
// [[tls.client_cert]] entries, the rules across fields (dev key file, the
// deletion window, the encryption budget, token lifetimes), log levels, TOML
// syntax errors, and LoadConfig on a missing file. ServiceOptions() maps
// the fields into the key service's options.
#include "kms/config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testlib/temp_dir.h"

namespace keyhold::kms {
namespace {

constexpr std::string_view kSource = "keyhold.toml";

// kMinimal is lines 1-3; text appended to it starts on line 4.
constexpr std::string_view kMinimal =
    "[tls]\n"
    "cert_file = \"/etc/keyhold/cert.pem\"\n"
    "key_file = \"/etc/keyhold/key.pem\"\n";

std::string With(std::string_view extra) {
  return std::string(kMinimal) + std::string(extra);
}

Config MustParse(std::string_view text) {
  auto c = ParseConfig(text, kSource);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message) << "\n--- in ---\n" << text;
  return c.ok() ? std::move(c).value() : Config{};
}

// ExpectRefused checks the code and that the message starts with
// "SOURCE:LINE: FIELD: " (line 0: no line in the message).
void ExpectRefused(std::string_view text, int line, std::string_view field) {
  SCOPED_TRACE(std::string("--- text ---\n") + std::string(text));
  auto c = ParseConfig(text, kSource);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidConfig);
  std::string prefix(kSource);
  if (line > 0) {
    prefix += ":" + std::to_string(line);
  }
  prefix += ": " + std::string(field) + ": ";
  EXPECT_TRUE(c.error().message.starts_with(prefix))
      << "message: " << c.error().message << "\nwanted prefix: " << prefix;
}

TEST(ConfigTest, MinimalFileHasEveryDocumentedDefault) {
  const Config c = MustParse(kMinimal);
  EXPECT_EQ(c.source, std::filesystem::path(kSource));
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8443);
  EXPECT_EQ(c.workers, 0u);
  EXPECT_EQ(c.max_connections, 1024u);
  EXPECT_FALSE(c.dev_mode);
  EXPECT_EQ(c.cert_file, std::filesystem::path("/etc/keyhold/cert.pem"));
  EXPECT_EQ(c.key_file, std::filesystem::path("/etc/keyhold/key.pem"));
  EXPECT_TRUE(c.client_ca_file.empty());
  EXPECT_EQ(c.client_identity, "san");
  EXPECT_TRUE(c.client_certs.empty());
  EXPECT_EQ(c.max_header_bytes, 8u * 1024);
  EXPECT_EQ(c.max_body_bytes, 32u * 1024);
  EXPECT_EQ(c.handshake_timeout_ms, 10'000u);
  EXPECT_EQ(c.header_timeout_ms, 10'000u);
  EXPECT_EQ(c.body_timeout_ms, 10'000u);
  EXPECT_EQ(c.idle_timeout_ms, 60'000u);
  EXPECT_EQ(c.shutdown_grace_ms, 30'000u);
  EXPECT_EQ(c.auth_failures_per_minute, 20u);
  EXPECT_EQ(c.store_path, std::filesystem::path("/var/lib/keyhold/store"));
  EXPECT_EQ(c.map_size_mib, 1024u);
  EXPECT_TRUE(c.dev_key_file.empty());
  EXPECT_EQ(c.default_rotation_period_days, 365u);
  EXPECT_EQ(c.default_deletion_days, 30u);
  EXPECT_EQ(c.min_deletion_days, 7u);
  EXPECT_EQ(c.max_deletion_days, 365u);
  EXPECT_EQ(c.rotate_after_encryptions, std::uint64_t{1} << 30);
  EXPECT_EQ(c.max_encryptions, std::uint64_t{1} << 32);
  EXPECT_EQ(c.reservation_block, std::uint64_t{1} << 16);
  EXPECT_EQ(c.scheduler_interval_s, 60u);
  EXPECT_EQ(c.token_default_ttl_days, 30u);
  EXPECT_EQ(c.token_max_ttl_days, 365u);
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
}

TEST(ConfigTest, EmptySectionsKeepTheDefaults) {
  const Config c = MustParse(
      With("[server]\n[limits]\n[store]\n[seal]\n[keys]\n[scheduler]\n[tokens]\n[log]\n"));
  const Config d = MustParse(kMinimal);
  EXPECT_EQ(c.listen_port, d.listen_port);
  EXPECT_EQ(c.max_body_bytes, d.max_body_bytes);
  EXPECT_EQ(c.store_path, d.store_path);
  EXPECT_EQ(c.max_encryptions, d.max_encryptions);
  EXPECT_EQ(c.log_level, d.log_level);
}

TEST(ConfigTest, FullFileSetsEveryField) {
  const Config c = MustParse(R"([server]
listen = "[::1]:9443"
workers = 4
max_connections = 50
dev_mode = true

[tls]
cert_file = "/c/cert.pem"
key_file = "/c/key.pem"
client_ca_file = "/c/ca.pem"
client_identity = "subject_cn"

[[tls.client_cert]]
identity = "billing.svc.example"
tenant = "acme"
roles = ["app", "auditor"]

[[tls.client_cert]]
identity = "ops"
tenant = "*"
roles = ["officer", "admin"]

[limits]
max_header_bytes = 16384
max_body_bytes = 65536
handshake_timeout_ms = 5000
header_timeout_ms = 6000
body_timeout_ms = 7000
idle_timeout_ms = 120000
shutdown_grace_ms = 0
auth_failures_per_minute = 5

[store]
path = "/data/kh"
map_size_mib = 64

[seal]
dev_key_file = "/data/unseal.key"

[keys]
default_rotation_period_days = 90
default_deletion_days = 3
min_deletion_days = 1
max_deletion_days = 10
rotate_after_encryptions = 1000
max_encryptions = 2000
reservation_block = 100

[scheduler]
interval_s = 5

[tokens]
default_ttl_days = 7
max_ttl_days = 14

[log]
level = "debug"
)");
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 9443);
  EXPECT_EQ(c.workers, 4u);
  EXPECT_EQ(c.max_connections, 50u);
  EXPECT_TRUE(c.dev_mode);
  EXPECT_EQ(c.cert_file, std::filesystem::path("/c/cert.pem"));
  EXPECT_EQ(c.key_file, std::filesystem::path("/c/key.pem"));
  EXPECT_EQ(c.client_ca_file, std::filesystem::path("/c/ca.pem"));
  EXPECT_EQ(c.client_identity, "subject_cn");
  ASSERT_EQ(c.client_certs.size(), 2u);
  EXPECT_EQ(c.client_certs[0].identity, "billing.svc.example");
  EXPECT_EQ(c.client_certs[0].tenant, "acme");
  EXPECT_EQ(c.client_certs[0].roles, RoleSet::Of({Role::kApp, Role::kAuditor}));
  EXPECT_EQ(c.client_certs[1].identity, "ops");
  EXPECT_EQ(c.client_certs[1].tenant, "*");
  EXPECT_EQ(c.client_certs[1].roles, RoleSet::Of({Role::kAdmin, Role::kOfficer}));
  EXPECT_EQ(c.max_header_bytes, 16384u);
  EXPECT_EQ(c.max_body_bytes, 65536u);
  EXPECT_EQ(c.handshake_timeout_ms, 5000u);
  EXPECT_EQ(c.header_timeout_ms, 6000u);
  EXPECT_EQ(c.body_timeout_ms, 7000u);
  EXPECT_EQ(c.idle_timeout_ms, 120000u);
  EXPECT_EQ(c.shutdown_grace_ms, 0u);
  EXPECT_EQ(c.auth_failures_per_minute, 5u);
  EXPECT_EQ(c.store_path, std::filesystem::path("/data/kh"));
  EXPECT_EQ(c.map_size_mib, 64u);
  EXPECT_EQ(c.dev_key_file, std::filesystem::path("/data/unseal.key"));
  EXPECT_EQ(c.default_rotation_period_days, 90u);
  EXPECT_EQ(c.default_deletion_days, 3u);
  EXPECT_EQ(c.min_deletion_days, 1u);
  EXPECT_EQ(c.max_deletion_days, 10u);
  EXPECT_EQ(c.rotate_after_encryptions, 1000u);
  EXPECT_EQ(c.max_encryptions, 2000u);
  EXPECT_EQ(c.reservation_block, 100u);
  EXPECT_EQ(c.scheduler_interval_s, 5u);
  EXPECT_EQ(c.token_default_ttl_days, 7u);
  EXPECT_EQ(c.token_max_ttl_days, 14u);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
}

TEST(ConfigTest, UnknownTopLevelSectionOrKey) {
  ExpectRefused(With("\n[serverr]\nlisten = \"127.0.0.1:1\"\n"), 5, "serverr");
  ExpectRefused(With("[server]\n[logging]\nlevel = \"info\"\n"), 5, "logging");
  ExpectRefused("debug = true\n" + std::string(kMinimal), 1, "debug");
  // A known section that is not a table.
  ExpectRefused("server = 1\n" + std::string(kMinimal), 1, "server");
}

TEST(ConfigTest, UnknownFieldInEverySection) {
  const std::vector<std::string> sections = {"server", "limits",    "store",  "seal",
                                             "keys",   "scheduler", "tokens", "log"};
  for (const std::string& s : sections) {
    ExpectRefused(With("[" + s + "]\n\nbogus = 1\n"), 6, s + ".bogus");
  }
  ExpectRefused("[tls]\ncert_file = \"/c\"\nkey_file = \"/k\"\nciphers = \"weak\"\n", 4,
                "tls.ciphers");
  // TLS versions cannot be chosen at all.
  ExpectRefused(With("min_version = \"1.2\"\n"), 4, "tls.min_version");
}

TEST(ConfigTest, WrongTypes) {
  ExpectRefused(With("[server]\nworkers = \"4\"\n"), 5, "server.workers");
  ExpectRefused(With("[server]\nworkers = true\n"), 5, "server.workers");
  ExpectRefused(With("[limits]\n\nmax_body_bytes = 2048.0\n"), 6, "limits.max_body_bytes");
  ExpectRefused(With("[server]\ndev_mode = \"true\"\n"), 5, "server.dev_mode");
  ExpectRefused(With("[server]\ndev_mode = 1\n"), 5, "server.dev_mode");
  ExpectRefused(With("[server]\nlisten = 8443\n"), 5, "server.listen");
  ExpectRefused("[tls]\ncert_file = 5\nkey_file = \"/k\"\n", 2, "tls.cert_file");
  ExpectRefused("[tls]\ncert_file = \"/c\"\nkey_file = [\"/k\"]\n", 3, "tls.key_file");
  ExpectRefused(With("[store]\npath = 1\n"), 5, "store.path");
  ExpectRefused(With("[log]\nlevel = 1\n"), 5, "log.level");
  ExpectRefused(With("[keys]\nmax_encryptions = \"1000\"\n"), 5, "keys.max_encryptions");
  ExpectRefused(With("client_identity = 1\n"), 4, "tls.client_identity");
}

struct Range {
  std::string section;
  std::string key;
  std::uint64_t min;
  std::uint64_t max;
  std::function<std::uint64_t(const Config&)> get;
};

// Fields whose both ends can be reached without tripping a rule across
// fields.
std::vector<Range> Ranges() {
  return {
      {"server", "workers", 0, 256, [](const Config& c) { return c.workers; }},
      {"server", "max_connections", 1, 100'000, [](const Config& c) { return c.max_connections; }},
      {"limits", "max_header_bytes", 1024, 65536,
       [](const Config& c) { return c.max_header_bytes; }},
      {"limits", "max_body_bytes", 1024, 1024 * 1024,
       [](const Config& c) { return c.max_body_bytes; }},
      {"limits", "handshake_timeout_ms", 100, 600'000,
       [](const Config& c) { return c.handshake_timeout_ms; }},
      {"limits", "header_timeout_ms", 100, 600'000,
       [](const Config& c) { return c.header_timeout_ms; }},
      {"limits", "body_timeout_ms", 100, 600'000,
       [](const Config& c) { return c.body_timeout_ms; }},
      {"limits", "idle_timeout_ms", 100, 3'600'000,
       [](const Config& c) { return c.idle_timeout_ms; }},
      {"limits", "shutdown_grace_ms", 0, 600'000,
       [](const Config& c) { return c.shutdown_grace_ms; }},
      {"limits", "auth_failures_per_minute", 1, 100'000,
       [](const Config& c) { return c.auth_failures_per_minute; }},
      {"store", "map_size_mib", 16, 1024 * 1024, [](const Config& c) { return c.map_size_mib; }},
      {"keys", "default_rotation_period_days", 0, 36500,
       [](const Config& c) { return c.default_rotation_period_days; }},
      {"keys", "reservation_block", 1, std::uint64_t{1} << 24,
       [](const Config& c) { return c.reservation_block; }},
      {"scheduler", "interval_s", 1, 86'400,
       [](const Config& c) { return c.scheduler_interval_s; }},
  };
}

TEST(ConfigTest, IntegersAcceptedAtBothEnds) {
  for (const Range& r : Ranges()) {
    for (std::uint64_t v : {r.min, r.max}) {
      SCOPED_TRACE(r.section + "." + r.key + " = " + std::to_string(v));
      const Config c =
          MustParse(With("[" + r.section + "]\n" + r.key + " = " + std::to_string(v) + "\n"));
      EXPECT_EQ(r.get(c), v);
    }
  }
}

TEST(ConfigTest, IntegersOutOfRangeAtBothEnds) {
  for (const Range& r : Ranges()) {
    const std::string field = r.section + "." + r.key;
    std::vector<std::int64_t> bad = {static_cast<std::int64_t>(r.max) + 1, -1};
    if (r.min > 0) {
      bad.push_back(static_cast<std::int64_t>(r.min) - 1);
    }
    for (std::int64_t v : bad) {
      const std::string text =
          With("[" + r.section + "]\n\n" + r.key + " = " + std::to_string(v) + "\n");
      ExpectRefused(text, 6, field);
      auto c = ParseConfig(text, kSource);
      ASSERT_FALSE(c.ok());
      EXPECT_EQ(c.error().message, std::string(kSource) + ":6: " + field + ": must be between " +
                                       std::to_string(r.min) + " and " + std::to_string(r.max));
    }
  }
}

TEST(ConfigTest, OneSidedRangesAndNegatives) {
  // The other end of these is a rule across fields (tested below).
  ExpectRefused(With("[keys]\nmax_deletion_days = 3651\n"), 5, "keys.max_deletion_days");
  ExpectRefused(With("[keys]\nmin_deletion_days = 3651\n"), 5, "keys.min_deletion_days");
  ExpectRefused(With("[keys]\ndefault_deletion_days = 3651\n"), 5, "keys.default_deletion_days");
  ExpectRefused(With("[keys]\ndefault_deletion_days = -30\n"), 5, "keys.default_deletion_days");
  ExpectRefused(With("[keys]\nrotate_after_encryptions = 0\n"), 5, "keys.rotate_after_encryptions");
  ExpectRefused(With("[keys]\nmax_encryptions = 0\n"), 5, "keys.max_encryptions");
  ExpectRefused(With("[keys]\nmax_encryptions = -1\n"), 5, "keys.max_encryptions");
  ExpectRefused(With("[tokens]\ndefault_ttl_days = 0\n"), 5, "tokens.default_ttl_days");
  ExpectRefused(With("[tokens]\nmax_ttl_days = 3651\n"), 5, "tokens.max_ttl_days");
  ExpectRefused(With("[tokens]\nmax_ttl_days = 0\n"), 5, "tokens.max_ttl_days");
  ExpectRefused(With("[store]\nmap_size_mib = -1024\n"), 5, "store.map_size_mib");
  ExpectRefused(With("[server]\nworkers = -9223372036854775808\n"), 5, "server.workers");
}

TEST(ConfigTest, EncryptionLimitsNeverAbove2To32) {
  const Config at = MustParse(
      With("[keys]\nrotate_after_encryptions = 4294967296\nmax_encryptions = 4294967296\n"));
  EXPECT_EQ(at.max_encryptions, std::uint64_t{1} << 32);
  EXPECT_EQ(at.rotate_after_encryptions, std::uint64_t{1} << 32);
  ExpectRefused(With("[keys]\nmax_encryptions = 4294967297\n"), 5, "keys.max_encryptions");
  ExpectRefused(With("[keys]\nrotate_after_encryptions = 4294967297\n"), 5,
                "keys.rotate_after_encryptions");
}

TEST(ConfigTest, ListenFormsAccepted) {
  struct Case {
    std::string listen;
    std::string host;
    std::uint16_t port;
  };
  const Case cases[] = {
      {"127.0.0.1:8443", "127.0.0.1", 8443}, {"[::1]:8443", "::1", 8443},
      {"10.0.0.7:1", "10.0.0.7", 1},         {"0.0.0.0:0", "0.0.0.0", 0},
      {"[::]:65535", "::", 65535},           {"192.168.1.2:00443", "192.168.1.2", 443},
      {"[fe80::1]:80", "fe80::1", 80}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.listen);
    const Config c = MustParse(With("[server]\nlisten = \"" + k.listen + "\"\n"));
    EXPECT_EQ(c.listen_host, k.host);
    EXPECT_EQ(c.listen_port, k.port);
  }
}

TEST(ConfigTest, ListenFormsRefused) {
  for (std::string_view listen : {"127.0.0.1", ":8443", "host:99999", "host:65536", "host:8a",
                                  "[::1]8443", "a:b:c", "", "host:", "[::1]:", "[::1", "[]:80",
                                  "::1:8443", "host:-1", "host:+80", "host:123456", "host: 80",
                                  // The host must be an IP address of the bracket's family.
                                  "localhost:1", "kms.example.com:443", "[127.0.0.1]:80", "::1:80",
                                  "256.0.0.1:80", "127.1:80", "[::1%lo]:80"}) {
    SCOPED_TRACE(listen);
    ExpectRefused(With("[server]\nworkers = 2\nlisten = \"" + std::string(listen) + "\"\n"), 6,
                  "server.listen");
  }
}

TEST(ConfigTest, ClientIdentity) {
  EXPECT_EQ(MustParse(With("client_identity = \"san\"\n")).client_identity, "san");
  EXPECT_EQ(MustParse(With("client_identity = \"subject_cn\"\n")).client_identity, "subject_cn");
  for (std::string_view v : {"SAN", "cn", "", "subject", "san "}) {
    SCOPED_TRACE(v);
    ExpectRefused(With("\nclient_identity = \"" + std::string(v) + "\"\n"), 5,
                  "tls.client_identity");
  }
}

// kMtls is lines 1-4; a [[tls.client_cert]] appended starts on line 5.
constexpr std::string_view kMtls =
    "[tls]\n"
    "cert_file = \"/c\"\n"
    "key_file = \"/k\"\n"
    "client_ca_file = \"/ca\"\n";

std::string WithCert(std::string_view body) {
  return std::string(kMtls) + "[[tls.client_cert]]\n" + std::string(body);
}

TEST(ConfigTest, ClientCertEntriesAccepted) {
  const Config c = MustParse(WithCert(
      "identity = \"spiffe://acme/billing\"\ntenant = \"acme\"\nroles = [\"app\", \"app\"]\n"));
  ASSERT_EQ(c.client_certs.size(), 1u);
  EXPECT_EQ(c.client_certs[0].identity, "spiffe://acme/billing");
  EXPECT_EQ(c.client_certs[0].roles, RoleSet::Of({Role::kApp}));
  const Config all = MustParse(
      WithCert("identity = \"x\"\ntenant = \"*\"\nroles = [\"admin\", \"app\", \"officer\", "
               "\"auditor\"]\n"));
  EXPECT_EQ(all.client_certs[0].roles.bits(), 15);
}

TEST(ConfigTest, ClientCertEntriesRefused) {
  // Missing identity: reported at the entry's [[tls.client_cert]] line.
  ExpectRefused(WithCert("tenant = \"acme\"\nroles = [\"app\"]\n"), 5, "tls.client_cert.identity");
  // An empty identity: at its key.
  ExpectRefused(WithCert("tenant = \"acme\"\nidentity = \"\"\nroles = [\"app\"]\n"), 7,
                "tls.client_cert.identity");
  // A second entry is found on its own line.
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\nroles = [\"app\"]\n"
                         "[[tls.client_cert]]\ntenant = \"acme\"\nroles = [\"app\"]\n"),
                9, "tls.client_cert.identity");
  // Missing tenant: at the entry.
  ExpectRefused(WithCert("identity = \"a\"\nroles = [\"app\"]\n"), 5, "tls.client_cert.tenant");
  // A bad tenant: at its key.
  for (std::string_view t : {"Acme", "", "-acme", "acme/x", "**"}) {
    SCOPED_TRACE(t);
    ExpectRefused(
        WithCert("identity = \"a\"\n\ntenant = \"" + std::string(t) + "\"\nroles = [\"app\"]\n"), 8,
        "tls.client_cert.tenant");
  }
  // Roles: unknown, empty, missing, not a list, not strings.
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n\nroles = [\"app\", \"root\"]\n"), 9,
                "tls.client_cert.roles");
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n\nroles = [\"Admin\"]\n"), 9,
                "tls.client_cert.roles");
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n\nroles = []\n"), 9,
                "tls.client_cert.roles");
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n\nroles = \"app\"\n"), 9,
                "tls.client_cert.roles");
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n\nroles = [1]\n"), 9,
                "tls.client_cert.roles");
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\n"), 5, "tls.client_cert.roles");
  // Unknown field.
  ExpectRefused(WithCert("identity = \"a\"\ntenant = \"acme\"\nroles = [\"app\"]\nttl = 3\n"), 9,
                "tls.client_cert.ttl");
  // Wrong types.
  ExpectRefused(WithCert("identity = 7\ntenant = \"acme\"\nroles = [\"app\"]\n"), 6,
                "tls.client_cert.identity");
  // Not an array of tables.
  ExpectRefused(std::string(kMtls) + "client_cert = \"a\"\n", 5, "tls.client_cert");
}

TEST(ConfigTest, ClientCertNeedsClientCa) {
  ExpectRefused(
      With("\n[[tls.client_cert]]\nidentity = \"a\"\ntenant = \"acme\"\nroles = [\"app\"]\n"), 5,
      "tls.client_cert");
}

TEST(ConfigTest, TlsFilesRequired) {
  ExpectRefused("[server]\nworkers = 1\n", 0, "tls.cert_file, tls.key_file");
  ExpectRefused("", 0, "tls.cert_file, tls.key_file");
  ExpectRefused("[server]\n[tls]\ncert_file = \"/c\"\n", 2, "tls.cert_file, tls.key_file");
  ExpectRefused("[tls]\nkey_file = \"/k\"\n", 1, "tls.cert_file, tls.key_file");
  ExpectRefused("[tls]\ncert_file = \"\"\nkey_file = \"/k\"\n", 1, "tls.cert_file, tls.key_file");
}

TEST(ConfigTest, DevKeyFileOnlyInDevMode) {
  ExpectRefused(With("[seal]\n\ndev_key_file = \"/tmp/unseal.key\"\n"), 6, "seal.dev_key_file");
  ExpectRefused(With("[server]\ndev_mode = false\n[seal]\ndev_key_file = \"/tmp/unseal.key\"\n"), 7,
                "seal.dev_key_file");
  const Config c =
      MustParse(With("[server]\ndev_mode = true\n[seal]\ndev_key_file = \"/tmp/unseal.key\"\n"));
  EXPECT_TRUE(c.dev_mode);
  EXPECT_EQ(c.dev_key_file, std::filesystem::path("/tmp/unseal.key"));
}

TEST(ConfigTest, DeletionFloorBelowSevenDaysOnlyInDevMode) {
  for (int days : {0, 1, 6}) {
    SCOPED_TRACE(days);
    const std::string keys =
        "[keys]\ndefault_deletion_days = 7\nmin_deletion_days = " + std::to_string(days) + "\n";
    ExpectRefused(With(keys), 6, "keys.min_deletion_days");
    const Config c = MustParse(With("[server]\ndev_mode = true\n" + keys));
    EXPECT_EQ(c.min_deletion_days, static_cast<std::uint32_t>(days));
  }
  EXPECT_EQ(MustParse(With("[keys]\nmin_deletion_days = 7\n")).min_deletion_days, 7u);
}

TEST(ConfigTest, DefaultDeletionWindowWithinFloorAndCeiling) {
  ExpectRefused(With("[keys]\ndefault_deletion_days = 6\n"), 5, "keys.default_deletion_days");
  ExpectRefused(With("[keys]\ndefault_deletion_days = 366\n"), 5, "keys.default_deletion_days");
  ExpectRefused(
      With("[keys]\nmin_deletion_days = 10\nmax_deletion_days = 20\ndefault_deletion_days = 21\n"),
      7, "keys.default_deletion_days");
  ExpectRefused(
      With("[keys]\nmin_deletion_days = 10\nmax_deletion_days = 20\ndefault_deletion_days = 9\n"),
      7, "keys.default_deletion_days");
  EXPECT_EQ(MustParse(With("[keys]\ndefault_deletion_days = 7\n")).default_deletion_days, 7u);
  EXPECT_EQ(MustParse(With("[keys]\ndefault_deletion_days = 365\n")).default_deletion_days, 365u);
  // A floor above the ceiling leaves no room for the default.
  auto c = ParseConfig(
      With("[keys]\nmin_deletion_days = 40\nmax_deletion_days = 20\ndefault_deletion_days = 30\n"),
      kSource);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidConfig);
}

TEST(ConfigTest, RotateAfterNotAboveMax) {
  ExpectRefused(With("[keys]\nmax_encryptions = 1000\n\nrotate_after_encryptions = 1001\n"), 7,
                "keys.rotate_after_encryptions");
  const Config c =
      MustParse(With("[keys]\nmax_encryptions = 1000\nrotate_after_encryptions = 1000\n"));
  EXPECT_EQ(c.rotate_after_encryptions, 1000u);
  EXPECT_EQ(c.max_encryptions, 1000u);
}

// When only the other side of a rule is set, the named field has no line of
// its own; the message still names it and the rule.
TEST(ConfigTest, RulesAcrossFieldsWithOneSideDefaulted) {
  auto c = ParseConfig(With("[keys]\nmax_encryptions = 1000\n"), kSource);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(c.error().message.find("keys.rotate_after_encryptions: must not exceed "
                                   "keys.max_encryptions"),
            std::string::npos)
      << c.error().message;
  auto d = ParseConfig(With("[keys]\nmin_deletion_days = 40\n"), kSource);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(d.error().message.find("keys.default_deletion_days: "), std::string::npos)
      << d.error().message;
  auto t = ParseConfig(With("[tokens]\nmax_ttl_days = 29\n"), kSource);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(t.error().message.find("tokens.default_ttl_days: "), std::string::npos)
      << t.error().message;
}

TEST(ConfigTest, TokenDefaultTtlNotAboveMax) {
  ExpectRefused(With("[tokens]\nmax_ttl_days = 30\ndefault_ttl_days = 31\n"), 6,
                "tokens.default_ttl_days");
  ExpectRefused(With("[tokens]\ndefault_ttl_days = 366\n"), 5, "tokens.default_ttl_days");
  const Config c = MustParse(With("[tokens]\nmax_ttl_days = 30\ndefault_ttl_days = 30\n"));
  EXPECT_EQ(c.token_default_ttl_days, 30u);
  EXPECT_EQ(c.token_max_ttl_days, 30u);
}

TEST(ConfigTest, LogLevels) {
  EXPECT_EQ(MustParse(With("[log]\nlevel = \"debug\"\n")).log_level, LogLevel::kDebug);
  EXPECT_EQ(MustParse(With("[log]\nlevel = \"info\"\n")).log_level, LogLevel::kInfo);
  EXPECT_EQ(MustParse(With("[log]\nlevel = \"warn\"\n")).log_level, LogLevel::kWarn);
  EXPECT_EQ(MustParse(With("[log]\nlevel = \"error\"\n")).log_level, LogLevel::kError);
  for (std::string_view level : {"warning", "INFO", "", "trace", "fatal", "info "}) {
    SCOPED_TRACE(level);
    ExpectRefused(With("[log]\n\nlevel = \"" + std::string(level) + "\"\n"), 6, "log.level");
  }
}

TEST(ConfigTest, TomlSyntaxErrorNamesTheLine) {
  for (std::string_view bad :
       {"workers = = 4\n", "workers = 4 5\n", "workers\n", "listen = \"unterminated\n"}) {
    SCOPED_TRACE(bad);
    auto c = ParseConfig(With("[server]\n" + std::string(bad) + "\n"), kSource);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidConfig);
    EXPECT_TRUE(c.error().message.starts_with(std::string(kSource) + ":5: ")) << c.error().message;
  }
  // A duplicate key is an error at its second appearance.
  auto dup = ParseConfig(With("[server]\nworkers = 1\nworkers = 2\n"), kSource);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidConfig);
  EXPECT_TRUE(dup.error().message.starts_with(std::string(kSource) + ":6: "))
      << dup.error().message;
}

TEST(ConfigTest, LoadConfigReadsAFileAndNamesItInErrors) {
  keyhold::testing::TempDir dir;
  const auto good = dir.path() / "good.toml";
  const auto bad = dir.path() / "bad.toml";
  {
    std::ofstream(good) << kMinimal << "[server]\nworkers = 3\n";
    std::ofstream(bad) << kMinimal << "[server]\nworkers = 300\n";
  }
  auto c = LoadConfig(good);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->workers, 3u);
  EXPECT_EQ(c->source, good);
  auto e = LoadConfig(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidConfig);
  EXPECT_TRUE(e.error().message.starts_with(bad.string() + ":5: server.workers: "))
      << e.error().message;
}

TEST(ConfigTest, LoadConfigOnMissingFile) {
  keyhold::testing::TempDir dir;
  const auto missing = dir.path() / "missing.toml";
  auto c = LoadConfig(missing);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(c.error().message, missing.string() + ": cannot be read");
}

TEST(ConfigTest, ServiceOptionsMapsFields) {
  const Config c = MustParse(With(R"([server]
dev_mode = true
[store]
path = "/data/kh"
map_size_mib = 64
[keys]
default_rotation_period_days = 90
default_deletion_days = 3
min_deletion_days = 1
max_deletion_days = 10
rotate_after_encryptions = 1000
max_encryptions = 2000
reservation_block = 100
)"));
  const KeyServiceOptions o = c.ServiceOptions();
  EXPECT_EQ(o.store.dir, std::filesystem::path("/data/kh"));
  EXPECT_EQ(o.store.map_size_bytes, std::size_t{64} * 1024 * 1024);
  EXPECT_TRUE(o.seal.dev_mode);
  EXPECT_TRUE(o.keyring.dev_mode);
  EXPECT_EQ(o.keyring.budget.rotate_after, 1000u);
  EXPECT_EQ(o.keyring.budget.max, 2000u);
  EXPECT_EQ(o.keyring.budget.block, 100u);
  EXPECT_EQ(o.keyring.default_rotation_period_s, 90u * 86400);
  EXPECT_EQ(o.keyring.default_deletion_days, 3u);
  EXPECT_EQ(o.keyring.min_deletion_days, 1u);
  EXPECT_EQ(o.keyring.max_deletion_days, 10u);
  EXPECT_TRUE(ValidateKeyringOptions(o.keyring).ok());
}

TEST(ConfigTest, ServiceOptionsFromDefaults) {
  const KeyServiceOptions o = MustParse(kMinimal).ServiceOptions();
  EXPECT_EQ(o.store.dir, std::filesystem::path("/var/lib/keyhold/store"));
  EXPECT_EQ(o.store.map_size_bytes, std::size_t{1024} * 1024 * 1024);
  EXPECT_FALSE(o.seal.dev_mode);
  EXPECT_FALSE(o.keyring.dev_mode);
  EXPECT_EQ(o.keyring.budget.rotate_after, std::uint64_t{1} << 30);
  EXPECT_EQ(o.keyring.budget.max, std::uint64_t{1} << 32);
  EXPECT_EQ(o.keyring.budget.block, std::uint64_t{1} << 16);
  EXPECT_EQ(o.keyring.default_rotation_period_s, 365u * 86400);
  EXPECT_EQ(o.keyring.default_deletion_days, 30u);
  EXPECT_EQ(o.keyring.min_deletion_days, 7u);
  EXPECT_EQ(o.keyring.max_deletion_days, 365u);
  EXPECT_TRUE(ValidateKeyringOptions(o.keyring).ok());
}

}  // namespace
}  // namespace keyhold::kms

namespace keyhold::kms {
namespace {

TEST(ConfigAuditTest, DefaultsAndEveryField) {
  const Config d = MustParse(kMinimal);
  EXPECT_EQ(d.audit_path, std::filesystem::path("/var/lib/keyhold/audit"));
  EXPECT_EQ(d.audit_max_file_mib, 64u);
  EXPECT_EQ(d.audit_max_file_age_hours, 24u);
  EXPECT_EQ(d.audit_retention_days, 365u);
  EXPECT_TRUE(d.audit_clear_context_tenants.empty());
  EXPECT_TRUE(d.audit_syslog_socket.empty());
  const Config c =
      MustParse(With("[audit]\npath = \"/srv/audit\"\nmax_file_mib = 8\nmax_file_age_hours = 1\n"
                     "retention_days = 730\nclear_context_tenants = [\"acme\", \"hk-bank\"]\n"
                     "syslog_socket = \"/dev/log\"\n"));
  EXPECT_EQ(c.audit_syslog_socket, std::filesystem::path("/dev/log"));
  EXPECT_EQ(c.audit_path, std::filesystem::path("/srv/audit"));
  EXPECT_EQ(c.audit_max_file_mib, 8u);
  EXPECT_EQ(c.audit_max_file_age_hours, 1u);
  EXPECT_EQ(c.audit_retention_days, 730u);
  EXPECT_EQ(c.audit_clear_context_tenants, (std::vector<std::string>{"acme", "hk-bank"}));
}

TEST(ConfigAuditTest, BadValuesAreRefusedAtTheirLine) {
  ExpectRefused(With("[audit]\npath = \"\"\n"), 5, "audit.path");
  ExpectRefused(With("[audit]\nmax_file_mib = 0\n"), 5, "audit.max_file_mib");
  ExpectRefused(With("[audit]\nretention_days = 30\n"), 5, "audit.retention_days");
  ExpectRefused(With("[audit]\nclear_context_tenants = [\"a/b\"]\n"), 5,
                "audit.clear_context_tenants");
  ExpectRefused(With("[audit]\nclear_context_tenants = \"acme\"\n"), 5,
                "audit.clear_context_tenants");
  ExpectRefused(With("[audit]\nsyslog = true\n"), 5, "audit.syslog");
  ExpectRefused(With("[audit]\nsyslog_socket = \"/" + std::string(120, 's') + "\"\n"), 5,
                "audit.syslog_socket");
  // Below a year only in development mode.
  const Config dev = MustParse(With("[server]\ndev_mode = true\n[audit]\nretention_days = 1\n"));
  EXPECT_EQ(dev.audit_retention_days, 1u);
}

}  // namespace
}  // namespace keyhold::kms

namespace keyhold::kms {
namespace {

// [xks] and its key stores. Text appended to kMinimal starts on line 4.

// kXksFull is lines 5-24 of a valid file after kMtls (lines 1-4): two key
// stores, three keys.
constexpr std::string_view kXksFull =
    "[xks]\n"                                                // 5
    "regions = [\"us-east-1\", \"eu-west-2\"]\n"             // 6
    "health_key = \"ops/xks-health\"\n"                      // 7
    "[[xks.key_store]]\n"                                    // 8
    "name = \"prod\"\n"                                      // 9
    "path_prefix = \"/prod/A_b-9\"\n"                        // 10
    "mtls_identity = \"cks.kms.eu-west-2.amazonaws.com\"\n"  // 11
    "[[xks.key_store.key]]\n"                                // 12
    "id = \"billing.Key-1_x\"\n"                             // 13
    "key = \"acme/billing\"\n"                               // 14
    "[[xks.key_store.key]]\n"                                // 15
    "id = \"ebs\"\n"                                         // 16
    "key = \"acme/ebs\"\n"                                   // 17
    "usage = [\"ENCRYPT\"]\n"                                // 18
    "[[xks.key_store]]\n"                                    // 19
    "name = \"dr-2\"\n"                                      // 20
    "[[xks.key_store.key]]\n"                                // 21
    "id = \"billing.Key-1_x\"\n"                             // 22
    "key = \"acme/billing\"\n"                               // 23
    "usage = [\"DECRYPT\", \"ENCRYPT\"]\n";                  // 24

// XksStore is [xks] (line 4) then one [[xks.key_store]] (line 5) whose fields
// start on line 6.
std::string XksStore(std::string_view fields) {
  return With("[xks]\n[[xks.key_store]]\n" + std::string(fields));
}

// XksStoreKey is XksStore() with name (line 6), then one [[xks.key_store.key]]
// (line 7) whose fields start on line 8.
std::string XksStoreKey(std::string_view fields) {
  return XksStore("name = \"prod\"\n[[xks.key_store.key]]\n" + std::string(fields));
}

TEST(ConfigXksTest, DefaultsWithoutTheSection) {
  for (std::string_view text : {kMinimal, std::string_view("[tls]\ncert_file = \"/c\"\n"
                                                           "key_file = \"/k\"\n[xks]\n")}) {
    const Config c = MustParse(text);
    EXPECT_EQ(c.xks.regions, (std::vector<std::string>{"us-east-1"}));
    EXPECT_EQ(c.xks.health_key, "keyhold-xks/health");
    EXPECT_TRUE(c.xks.key_stores.empty());
  }
}

TEST(ConfigXksTest, TwoKeyStoresReadBack) {
  const Config c = MustParse(std::string(kMtls) + std::string(kXksFull));
  EXPECT_EQ(c.xks.regions, (std::vector<std::string>{"us-east-1", "eu-west-2"}));
  EXPECT_EQ(c.xks.health_key, "ops/xks-health");
  ASSERT_EQ(c.xks.key_stores.size(), 2u);
  const XksKeyStore& prod = c.xks.key_stores[0];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.path_prefix, "/prod/A_b-9");
  EXPECT_EQ(prod.uri_path(), "/prod/A_b-9/kms/xks/v1");
  EXPECT_EQ(prod.mtls_identity, "cks.kms.eu-west-2.amazonaws.com");
  ASSERT_EQ(prod.keys.size(), 2u);
  EXPECT_EQ(prod.keys[0].id, "billing.Key-1_x");
  EXPECT_EQ(prod.keys[0].key, "acme/billing");
  EXPECT_TRUE(prod.keys[0].encrypt);  // no usage: both
  EXPECT_TRUE(prod.keys[0].decrypt);
  EXPECT_EQ(prod.keys[1].id, "ebs");
  EXPECT_EQ(prod.keys[1].key, "acme/ebs");
  EXPECT_TRUE(prod.keys[1].encrypt);
  EXPECT_FALSE(prod.keys[1].decrypt);
  const XksKeyStore& dr = c.xks.key_stores[1];
  EXPECT_EQ(dr.name, "dr-2");
  EXPECT_EQ(dr.path_prefix, "");
  EXPECT_EQ(dr.uri_path(), "/kms/xks/v1");
  EXPECT_TRUE(dr.mtls_identity.empty());
  ASSERT_EQ(dr.keys.size(), 1u);
  // The same external key id in another key store is another key.
  EXPECT_EQ(dr.keys[0].id, "billing.Key-1_x");
  EXPECT_TRUE(dr.keys[0].encrypt);
  EXPECT_TRUE(dr.keys[0].decrypt);
}

TEST(ConfigXksTest, BoundsThatAreAccepted) {
  // A key store with no keys; a name of 32; the longest prefix (117: the
  // spec's 128-character XksProxyUriPath less "/kms/xks/v1").
  const Config c = MustParse(XksStore("name = \"" + std::string(32, 'a') + "\"\npath_prefix = \"/" +
                                      std::string(116, 'p') + "\"\n"));
  ASSERT_EQ(c.xks.key_stores.size(), 1u);
  EXPECT_EQ(c.xks.key_stores[0].uri_path().size(), 128u);
  EXPECT_TRUE(c.xks.key_stores[0].keys.empty());
  for (std::string_view prefix : {"/a", "/0", "/a/b/c", "/kms", "/xks/v1", "/kms/xks", "/-_"}) {
    SCOPED_TRACE(prefix);
    MustParse(XksStore("name = \"a\"\npath_prefix = \"" + std::string(prefix) + "\"\n"));
  }
  // Ids of 1 and 128 of [A-Za-z0-9._-]; usage each way.
  MustParse(XksStoreKey("id = \"" + std::string(128, 'Z') + "\"\nkey = \"acme/a\"\n"));
  for (std::string_view id : {"a", "-", "_", "a.b", "A.b-C_9"}) {
    SCOPED_TRACE(id);
    MustParse(XksStoreKey("id = \"" + std::string(id) + "\"\nkey = \"acme/a\"\n"));
  }
  const Config d = MustParse(XksStoreKey("id = \"a\"\nkey = \"acme/a\"\nusage = [\"DECRYPT\"]\n"));
  EXPECT_FALSE(d.xks.key_stores[0].keys[0].encrypt);
  EXPECT_TRUE(d.xks.key_stores[0].keys[0].decrypt);
  // The default health key is a key AWS may not name; another one frees it.
  const Config e =
      MustParse(With("[xks]\nhealth_key = \"ops/h\"\n[[xks.key_store]]\nname = \"a\"\n"
                     "[[xks.key_store.key]]\nid = \"a\"\nkey = \"keyhold-xks/health\"\n"));
  EXPECT_EQ(e.xks.key_stores[0].keys[0].key, "keyhold-xks/health");
  // Regions: one, several, of 32.
  MustParse(With("[xks]\nregions = [\"ap-southeast-2\", \"us-gov-west-1\", \"" +
                 std::string(32, 'r') + "\"]\n"));
}

TEST(ConfigXksTest, SectionRefusals) {
  // Unknown fields, at each level.
  ExpectRefused(With("[xks]\nregion = \"us-east-1\"\n"), 5, "xks.region");
  ExpectRefused(XksStore("name = \"a\"\nprefix = \"/a\"\n"), 7, "xks.key_store.prefix");
  ExpectRefused(XksStoreKey("id = \"a\"\nkey = \"acme/a\"\nalias = \"b\"\n"), 10,
                "xks.key_store.key.alias");
  // Not tables.
  ExpectRefused("xks = 1\n" + std::string(kMinimal), 1, "xks");
  ExpectRefused(With("[xks]\nkey_store = \"prod\"\n"), 5, "xks.key_store");
  ExpectRefused(With("[xks]\nkey_store = [1]\n"), 5, "xks.key_store");
  ExpectRefused(With("[xks.key_store]\nname = \"a\"\n"), 4, "xks.key_store");
  ExpectRefused(XksStore("name = \"a\"\nkey = \"acme/a\"\n"), 7, "xks.key_store.key");
}

TEST(ConfigXksTest, RegionsRefused) {
  ExpectRefused(With("[xks]\nregions = []\n"), 5, "xks.regions");
  ExpectRefused(With("[xks]\nregions = \"us-east-1\"\n"), 5, "xks.regions");
  ExpectRefused(With("[xks]\nregions = [1]\n"), 5, "xks.regions");
  ExpectRefused(With("[xks]\n\nregions = [\"us-east-1\", 2]\n"), 6, "xks.regions");
  for (std::string_view region : {"", "us_east_1", "us east 1", "us-east-1/x", "us-east-1.",
                                  "US-EAST-1", "us-East-1", "\\u00e9u-west-1"}) {
    SCOPED_TRACE(region);
    ExpectRefused(With("[xks]\nregions = [\"us-east-1\", \"" + std::string(region) + "\"]\n"), 5,
                  "xks.regions");
  }
  ExpectRefused(With("[xks]\nregions = [\"" + std::string(33, 'r') + "\"]\n"), 5, "xks.regions");
}

TEST(ConfigXksTest, HealthKeyRefused) {
  for (std::string_view key : {"", "health", "ops/", "/health", "ops/a/b", "Ops/health",
                               "-ops/health", "ops/.health", "ops health/x"}) {
    SCOPED_TRACE(key);
    ExpectRefused(With("[xks]\n\nhealth_key = \"" + std::string(key) + "\"\n"), 6,
                  "xks.health_key");
  }
  ExpectRefused(With("[xks]\nhealth_key = 7\n"), 5, "xks.health_key");
}

TEST(ConfigXksTest, MtlsIdentityNeedsTheClientCa) {
  // Refused at its line without tls.client_ca_file.
  ExpectRefused(XksStore("name = \"a\"\n\nmtls_identity = \"cks.kms.us-east-1.amazonaws.com\"\n"),
                8, "xks.key_store.mtls_identity");
  ExpectRefused(XksStore("name = \"a\"\nmtls_identity = 1\n"), 7, "xks.key_store.mtls_identity");
  // Accepted with it; an empty one asks for nothing.
  const Config c = MustParse(std::string(kMtls) +
                             "[xks]\n[[xks.key_store]]\nname = \"a\"\n"
                             "mtls_identity = \"cks.kms.us-east-1.amazonaws.com\"\n");
  EXPECT_EQ(c.xks.key_stores[0].mtls_identity, "cks.kms.us-east-1.amazonaws.com");
  EXPECT_TRUE(MustParse(XksStore("name = \"a\"\nmtls_identity = \"\"\n"))
                  .xks.key_stores[0]
                  .mtls_identity.empty());
}

TEST(ConfigXksTest, KeyStoreNameRefused) {
  for (std::string_view name : {"", "Prod", "PROD", "prod_1", "prod.1", "prod/1", "pr od", "é"}) {
    SCOPED_TRACE(name);
    ExpectRefused(XksStore("\nname = \"" + std::string(name) + "\"\n"), 7, "xks.key_store.name");
  }
  ExpectRefused(XksStore("name = \"" + std::string(33, 'a') + "\"\n"), 6, "xks.key_store.name");
  ExpectRefused(XksStore("name = 1\n"), 6, "xks.key_store.name");
  // Missing: at the entry's [[xks.key_store]] line.
  ExpectRefused(XksStore("path_prefix = \"/a\"\n"), 5, "xks.key_store.name");
  // Twice: at the second.
  ExpectRefused(XksStore("name = \"prod\"\npath_prefix = \"/a\"\n[[xks.key_store]]\n"
                         "path_prefix = \"/b\"\nname = \"prod\"\n"),
                10, "xks.key_store.name");
}

TEST(ConfigXksTest, PathPrefixRefused) {
  const std::vector<std::string> bad = {
      "prod",                         // no leading slash
      "prod/a",                       //
      "/prod/",                       // trailing slash
      "/",                            //
      "//",                           //
      "/a//b",                        // an empty segment
      "//a",                          //
      "/kms/xks/v1",                  // the API's own path
      "/a/kms/xks/v1",                //
      "/a/kms/xks/v1/b",              //
      "/a.b",                         // outside [A-Za-z0-9/_-]
      "/a b",                         //
      "/a%2Fb",                       //
      "/a/../b",                      //
      "/a?b",                         //
      "/a#b",                         //
      "/\\u00e9",                     //
      "/" + std::string(117, 'p'),    // 118 characters: too long
      "/a/" + std::string(200, 'p'),  //
  };
  for (const std::string& prefix : bad) {
    SCOPED_TRACE(prefix);
    ExpectRefused(XksStore("name = \"a\"\n\npath_prefix = \"" + prefix + "\"\n"), 8,
                  "xks.key_store.path_prefix");
  }
  ExpectRefused(XksStore("name = \"a\"\npath_prefix = 1\n"), 7, "xks.key_store.path_prefix");
  // Two key stores on one prefix: at the second's prefix.
  ExpectRefused(XksStore("name = \"a\"\npath_prefix = \"/p\"\n[[xks.key_store]]\nname = \"b\"\n"
                         "path_prefix = \"/p\"\n"),
                10, "xks.key_store.path_prefix");
  // Two without one: both are "", reported at the second's name.
  ExpectRefused(XksStore("name = \"a\"\n[[xks.key_store]]\nname = \"b\"\n"), 8,
                "xks.key_store.path_prefix");
}

TEST(ConfigXksTest, KeyRefused) {
  // id: 1-128 of [A-Za-z0-9._-], at its line.
  for (std::string_view id : {"", "a b", "a/b", "a:b", "a+b", "é", "a\\tb", "*"}) {
    SCOPED_TRACE(id);
    ExpectRefused(XksStoreKey("key = \"acme/a\"\nid = \"" + std::string(id) + "\"\n"), 9,
                  "xks.key_store.key.id");
  }
  ExpectRefused(XksStoreKey("key = \"acme/a\"\nid = \"" + std::string(129, 'a') + "\"\n"), 9,
                "xks.key_store.key.id");
  ExpectRefused(XksStoreKey("key = \"acme/a\"\nid = 1\n"), 9, "xks.key_store.key.id");
  // Missing: at the entry's [[xks.key_store.key]] line.
  ExpectRefused(XksStoreKey("key = \"acme/a\"\n"), 7, "xks.key_store.key.id");
  // Twice in one key store: at the second.
  ExpectRefused(
      XksStoreKey("id = \"k\"\nkey = \"acme/a\"\n[[xks.key_store.key]]\nkey = \"acme/b\"\n"
                  "id = \"k\"\n"),
      12, "xks.key_store.key.id");

  // key: TENANT/NAME, not the health key.
  for (std::string_view key :
       {"", "acme", "acme/", "/a", "acme/a/b", "Acme/a", "acme/a b", "*/*", "keyhold-xks/health"}) {
    SCOPED_TRACE(key);
    ExpectRefused(XksStoreKey("id = \"a\"\nkey = \"" + std::string(key) + "\"\n"), 9,
                  "xks.key_store.key.key");
  }
  ExpectRefused(With("[xks]\nhealth_key = \"ops/h\"\n[[xks.key_store]]\nname = \"a\"\n"
                     "[[xks.key_store.key]]\nid = \"a\"\nkey = \"ops/h\"\n"),
                10, "xks.key_store.key.key");
  ExpectRefused(XksStoreKey("id = \"a\"\nkey = 1\n"), 9, "xks.key_store.key.key");
  // Missing: at the entry's id.
  ExpectRefused(XksStoreKey("id = \"a\"\n"), 8, "xks.key_store.key.key");

  // usage: ENCRYPT, DECRYPT or both; nothing else.
  for (std::string_view usage :
       {"[]", "[\"SIGN\"]", "[\"ENCRYPT\", \"SIGN\"]", "[\"encrypt\"]", "[\"\"]", "[1]",
        "\"ENCRYPT\"", "[\"ENCRYPT \"]", "[\"WRAP\", \"UNWRAP\"]"}) {
    SCOPED_TRACE(usage);
    ExpectRefused(XksStoreKey("id = \"a\"\nkey = \"acme/a\"\nusage = " + std::string(usage) + "\n"),
                  10, "xks.key_store.key.usage");
  }
}

}  // namespace
}  // namespace keyhold::kms
