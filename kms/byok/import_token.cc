#include "kms/byok/import_token.h"

#include <string>
#include <vector>

#include "crypto/byte_reader.h"

namespace keyhold::kms {
namespace {

constexpr std::uint8_t kImportTokenFormat = 1;
// A PKCS#8 RSA-4096 key is about 2.4 KiB; anything near this is not ours.
constexpr std::size_t kMaxDerSize = 8192;

}  // namespace

Result<crypto::SecretBytes> EncodeImportToken(const ImportToken& token) {
  const auto der = token.private_key_der.Reveal(crypto::SecretAccess::Get());
  if (der.empty() || der.size() > kMaxDerSize) {
    return MakeError(ErrorCode::kInternal, "an import key of an unexpected size");
  }
  // The fixed part carries no secret; the DER is copied straight into
  // guarded memory after it.
  std::vector<std::uint8_t> head;
  crypto::ByteWriter w(&head);
  w.PutU8(kImportTokenFormat);
  const std::string id = token.key.ToString();
  w.PutU8(static_cast<std::uint8_t>(id.size()));
  w.PutString(id);
  w.PutU64(static_cast<std::uint64_t>(token.created_at));
  w.PutU64(static_cast<std::uint64_t>(token.expires_at));
  w.PutU32(token.key_bits);
  w.PutU16(static_cast<std::uint16_t>(der.size()));
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body,
                           crypto::SecretBytes::Allocate(head.size() + der.size()));
  auto out = body.RevealMutable(crypto::SecretAccess::Get());
  std::copy(head.begin(), head.end(), out.begin());
  std::copy(der.begin(), der.end(), out.begin() + static_cast<std::ptrdiff_t>(head.size()));
  return body;
}

Result<ImportToken> ParseImportToken(std::span<const std::uint8_t> body) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  std::uint8_t id_len = 0;
  std::string id;
  std::uint64_t created = 0;
  std::uint64_t expires = 0;
  std::uint32_t bits = 0;
  std::uint16_t der_len = 0;
  std::span<const std::uint8_t> der;
  const Error malformed =
      MakeError(ErrorCode::kStoreCorrupt, "an import token record is malformed");
  if (!r.ReadU8(&format) || format != kImportTokenFormat || !r.ReadU8(&id_len) ||
      !r.ReadString(id_len, &id) || !r.ReadU64(&created) || !r.ReadU64(&expires) ||
      !r.ReadU32(&bits) || !r.ReadU16(&der_len) || der_len == 0 || der_len > kMaxDerSize ||
      !r.ReadBytes(der_len, &der) || !r.Done() || expires < created ||
      expires > static_cast<std::uint64_t>(INT64_MAX) || (bits != 3072 && bits != 4096)) {
    return malformed;
  }
  auto key = crypto::KeyId::Parse(id);
  if (!key.ok()) {
    return malformed;
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes copy, crypto::SecretBytes::CopyFrom(der));
  return ImportToken{.key = std::move(key).value(),
                     .created_at = static_cast<std::int64_t>(created),
                     .expires_at = static_cast<std::int64_t>(expires),
                     .key_bits = bits,
                     .private_key_der = std::move(copy)};
}

}  // namespace keyhold::kms
