#include "kms/seal_config.h"

#include <algorithm>
#include <array>

#include "crypto/byte_reader.h"

namespace keyhold::kms {
namespace {
constexpr std::uint8_t kSealConfigFormat = 1;
// nonce (12) + root key (32) + tag (16)
constexpr std::size_t kWrappedRootSize = 60;

Error Malformed() {
  return MakeError(ErrorCode::kStoreCorrupt, "the seal configuration is malformed");
}
}  // namespace

std::string_view SealMethodName(SealMethod method) {
  switch (method) {
    case SealMethod::kShamir:
      return "shamir";
    case SealMethod::kPassphrase:
      return "passphrase";
    case SealMethod::kKeyFile:
      return "key_file";
  }
  return "unknown";
}

std::vector<std::uint8_t> SealConfig::EncodeBound() const {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kSealConfigFormat);
  w.PutU8(static_cast<std::uint8_t>(method));
  switch (method) {
    case SealMethod::kShamir:
      w.PutU8(threshold);
      w.PutBytes(set_id);
      w.PutU8(static_cast<std::uint8_t>(shares.size()));
      for (const auto& s : shares) {
        w.PutU8(s.index);
        w.PutBytes(s.commitment);
      }
      break;
    case SealMethod::kPassphrase:
      w.PutU64(argon2id.ops_limit);
      w.PutU64(argon2id.mem_limit);
      w.PutBytes(argon2id.salt);
      break;
    case SealMethod::kKeyFile:
      break;
  }
  return out;
}

std::vector<std::uint8_t> SealConfig::Encode() const {
  std::vector<std::uint8_t> out = EncodeBound();
  crypto::ByteWriter w(&out);
  w.PutU16(static_cast<std::uint16_t>(wrapped_root.size()));
  w.PutBytes(wrapped_root);
  return out;
}

Result<SealConfig> SealConfig::Parse(std::span<const std::uint8_t> bytes) {
  crypto::ByteReader r(bytes);
  SealConfig c;
  std::uint8_t format = 0;
  std::uint8_t method = 0;
  if (!r.ReadU8(&format) || format != kSealConfigFormat || !r.ReadU8(&method)) {
    return Malformed();
  }
  std::span<const std::uint8_t> raw;
  switch (method) {
    case static_cast<std::uint8_t>(SealMethod::kShamir): {
      c.method = SealMethod::kShamir;
      std::uint8_t count = 0;
      if (!r.ReadU8(&c.threshold) || !r.ReadBytes(c.set_id.size(), &raw) || !r.ReadU8(&count) ||
          c.threshold == 0 || count < c.threshold) {
        return Malformed();
      }
      std::ranges::copy(raw, c.set_id.begin());
      c.shares.resize(count);
      std::array<bool, 256> seen{};
      for (auto& s : c.shares) {
        // Indices are the x-coordinates of the shares: non-zero and unique.
        if (!r.ReadU8(&s.index) || s.index == 0 || seen[s.index] ||
            !r.ReadBytes(s.commitment.size(), &raw)) {
          return Malformed();
        }
        seen[s.index] = true;
        std::ranges::copy(raw, s.commitment.begin());
      }
      break;
    }
    case static_cast<std::uint8_t>(SealMethod::kPassphrase):
      c.method = SealMethod::kPassphrase;
      if (!r.ReadU64(&c.argon2id.ops_limit) || !r.ReadU64(&c.argon2id.mem_limit) ||
          !r.ReadBytes(c.argon2id.salt.size(), &raw)) {
        return Malformed();
      }
      std::ranges::copy(raw, c.argon2id.salt.begin());
      break;
    case static_cast<std::uint8_t>(SealMethod::kKeyFile):
      c.method = SealMethod::kKeyFile;
      break;
    default:
      return Malformed();
  }
  std::uint16_t wrapped_size = 0;
  if (!r.ReadU16(&wrapped_size) || wrapped_size != kWrappedRootSize ||
      !r.ReadBytes(wrapped_size, &raw) || !r.Done()) {
    return Malformed();
  }
  c.wrapped_root.assign(raw.begin(), raw.end());
  return c;
}

std::vector<std::uint8_t> RootKeyAad(std::span<const std::uint8_t> store_id,
                                     const SealConfig& config) {
  std::vector<std::uint8_t> aad;
  crypto::ByteWriter w(&aad);
  w.PutString("keyhold-root-v1");
  w.PutBytes(store_id);
  w.PutBytes(config.EncodeBound());
  return aad;
}

}  // namespace keyhold::kms
