// config_fuzzer: kms::ParseConfig(text, "fuzz.toml") on arbitrary bytes.
// Properties: it never throws; an error is kInvalidConfig and its message
// starts with "fuzz.toml:" (file, then line or field); text with a NUL byte
// is refused; a Config it accepts
// obeys every rule of kms/config.h: TLS files given, deletion days ordered,
// encryption budgets ordered and at most 2^32, development-only settings
// only in development mode, every bounded field within its bounds, every
// client certificate binding complete. Test-only.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "kms/config.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::kms::Config;

void CheckValid(const Config& c) {
  KEYHOLD_FUZZ_CHECK(c.source == "fuzz.toml");

  // [server]
  KEYHOLD_FUZZ_CHECK(!c.listen_host.empty());
  KEYHOLD_FUZZ_CHECK(c.workers <= 256);
  KEYHOLD_FUZZ_CHECK(c.max_connections >= 1 && c.max_connections <= 100'000);

  // [tls]
  KEYHOLD_FUZZ_CHECK(!c.cert_file.empty());
  KEYHOLD_FUZZ_CHECK(!c.key_file.empty());
  KEYHOLD_FUZZ_CHECK(c.client_identity == "san" || c.client_identity == "subject_cn");
  KEYHOLD_FUZZ_CHECK(c.client_certs.empty() || !c.client_ca_file.empty());
  for (const auto& binding : c.client_certs) {
    KEYHOLD_FUZZ_CHECK(!binding.identity.empty());
    KEYHOLD_FUZZ_CHECK(binding.tenant == "*" || keyhold::crypto::ValidTenant(binding.tenant));
    KEYHOLD_FUZZ_CHECK(!binding.roles.empty());
  }

  // [limits]
  KEYHOLD_FUZZ_CHECK(c.max_header_bytes >= 1024 && c.max_header_bytes <= 64 * 1024);
  KEYHOLD_FUZZ_CHECK(c.max_body_bytes >= 1024 && c.max_body_bytes <= 1024 * 1024);
  KEYHOLD_FUZZ_CHECK(c.handshake_timeout_ms >= 100 && c.handshake_timeout_ms <= 600'000);
  KEYHOLD_FUZZ_CHECK(c.header_timeout_ms >= 100 && c.header_timeout_ms <= 600'000);
  KEYHOLD_FUZZ_CHECK(c.body_timeout_ms >= 100 && c.body_timeout_ms <= 600'000);
  KEYHOLD_FUZZ_CHECK(c.idle_timeout_ms >= 100 && c.idle_timeout_ms <= 3'600'000);
  KEYHOLD_FUZZ_CHECK(c.shutdown_grace_ms <= 600'000);
  KEYHOLD_FUZZ_CHECK(c.auth_failures_per_minute >= 1);

  // [store]
  KEYHOLD_FUZZ_CHECK(!c.store_path.empty());
  KEYHOLD_FUZZ_CHECK(c.map_size_mib >= 16 && c.map_size_mib <= 1024 * 1024);

  // [seal]: a key file next to the store is for development only.
  KEYHOLD_FUZZ_CHECK(c.dev_mode || c.dev_key_file.empty());

  // [keys]
  KEYHOLD_FUZZ_CHECK(c.dev_mode || c.min_deletion_days >= 7);
  KEYHOLD_FUZZ_CHECK(c.min_deletion_days <= c.default_deletion_days);
  KEYHOLD_FUZZ_CHECK(c.default_deletion_days <= c.max_deletion_days);
  KEYHOLD_FUZZ_CHECK(c.max_deletion_days <= 3650);
  KEYHOLD_FUZZ_CHECK(c.default_rotation_period_days <= 36500);
  KEYHOLD_FUZZ_CHECK(c.rotate_after_encryptions >= 1);
  KEYHOLD_FUZZ_CHECK(c.rotate_after_encryptions <= c.max_encryptions);
  KEYHOLD_FUZZ_CHECK(c.max_encryptions <= (std::uint64_t{1} << 32));
  KEYHOLD_FUZZ_CHECK(c.reservation_block >= 1 && c.reservation_block <= (std::uint64_t{1} << 24));

  // [scheduler], [tokens]
  KEYHOLD_FUZZ_CHECK(c.scheduler_interval_s >= 1 && c.scheduler_interval_s <= 86'400);
  KEYHOLD_FUZZ_CHECK(c.token_default_ttl_days >= 1);
  KEYHOLD_FUZZ_CHECK(c.token_default_ttl_days <= c.token_max_ttl_days);
  KEYHOLD_FUZZ_CHECK(c.token_max_ttl_days <= 3650);

  // What the service is built from carries the same numbers.
  const keyhold::kms::KeyServiceOptions options = c.ServiceOptions();
  KEYHOLD_FUZZ_CHECK(options.store.map_size_bytes == c.map_size_mib * 1024 * 1024);
  KEYHOLD_FUZZ_CHECK(options.keyring.dev_mode == c.dev_mode);
  KEYHOLD_FUZZ_CHECK(options.keyring.min_deletion_days == c.min_deletion_days);
  KEYHOLD_FUZZ_CHECK(options.keyring.max_deletion_days == c.max_deletion_days);
}

void FuzzOne(std::string_view text) {
  auto config = keyhold::kms::ParseConfig(text, "fuzz.toml");
  if (!config.ok()) {
    KEYHOLD_FUZZ_CHECK(config.error().code == keyhold::ErrorCode::kInvalidConfig);
    KEYHOLD_FUZZ_CHECK(config.error().message.starts_with("fuzz.toml:"));
    return;
  }
  // NUL is valid nowhere in TOML: a parser that stopped at one would accept
  // a file whose tail it never read.
  KEYHOLD_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  CheckValid(*config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, FuzzOne);
}
