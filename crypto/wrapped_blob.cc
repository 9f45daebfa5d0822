#include "crypto/wrapped_blob.h"

#include <algorithm>

#include "crypto/byte_reader.h"

namespace keyhold::crypto {
namespace {

Error Generic() {
  return MakeError(ErrorCode::kInvalidCiphertext);
}

std::vector<std::uint8_t> Aad(std::span<const std::uint8_t> header,
                              const EncryptionContext& context) {
  std::vector<std::uint8_t> aad(header.begin(), header.end());
  context.AppendCanonical(&aad);
  return aad;
}

}  // namespace

Result<std::vector<std::uint8_t>> SealBlob(const CommittedKey& key, const KeyId& key_id,
                                           std::uint32_t key_version,
                                           std::span<const std::uint8_t> plaintext,
                                           const EncryptionContext& context) {
  if (plaintext.empty() || plaintext.size() > kMaxWrapPlaintext) {
    return MakeError(ErrorCode::kInvalidRequest, "plaintext must be 1 to 4096 bytes");
  }
  if (key_version == 0) {
    return MakeError(ErrorCode::kInternal, "key versions start at 1");
  }
  const std::string id = key_id.ToString();
  std::vector<std::uint8_t> blob;
  blob.reserve(2 + id.size() + 4 + 32 + Aes256Gcm::kOverhead + plaintext.size());
  ByteWriter w(&blob);
  w.PutU8(kBlobFormatV1);
  w.PutU8(static_cast<std::uint8_t>(id.size()));  // KeyId bounds it to 193 bytes
  w.PutString(id);
  w.PutU32(key_version);
  w.PutBytes(key.commitment());
  const std::vector<std::uint8_t> aad = Aad(blob, context);
  KEYHOLD_TRY(key.aead().Seal(plaintext, aad, &blob));
  return blob;
}

Result<ParsedBlob> ParseBlob(std::span<const std::uint8_t> blob) {
  ByteReader r(blob);
  std::uint8_t format = 0;
  std::uint8_t id_len = 0;
  std::string id;
  std::uint32_t version = 0;
  std::span<const std::uint8_t> commitment;
  if (!r.ReadU8(&format) || format != kBlobFormatV1 || !r.ReadU8(&id_len) ||
      !r.ReadString(id_len, &id) || !r.ReadU32(&version) || version == 0 ||
      !r.ReadBytes(32, &commitment)) {
    return Generic();
  }
  auto key_id = KeyId::Parse(id);
  if (!key_id.ok()) {
    return Generic();
  }
  const std::size_t header_size = r.position();
  const std::size_t rest = r.remaining();
  if (rest < Aes256Gcm::kOverhead + 1 || rest > Aes256Gcm::kOverhead + kMaxWrapPlaintext) {
    return Generic();
  }
  ParsedBlob parsed{BlobHeader{std::move(key_id).value(), version, {}}, blob.first(header_size),
                    blob.subspan(header_size)};
  std::ranges::copy(commitment, parsed.header.commitment.begin());
  return parsed;
}

Result<SecretBytes> OpenBlob(const CommittedKey& key, const ParsedBlob& blob,
                             const EncryptionContext& context) {
  if (!key.Matches(blob.header.commitment)) {
    return Generic();
  }
  return key.aead().Open(blob.sealed, Aad(blob.header_bytes, context));
}

}  // namespace keyhold::crypto
