#include "crypto/stream_header.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "crypto/byte_reader.h"
#include "crypto/check.h"

namespace keyhold::crypto {
namespace {

constexpr std::string_view kMagic = "KHSTREAM";

Error Generic() {
  return MakeError(ErrorCode::kInvalidCiphertext);
}

bool ChunkSizeOk(std::uint32_t c) {
  return c >= kMinStreamChunkSize && c <= kMaxStreamChunkSize;
}

// The smallest possible header: a 3-byte key id ("a/b"), a 1-byte wrapped
// key and the empty context (its u16 count).
constexpr std::size_t kMinHeaderSize = kStreamPrefixSize + 1 + 3 + 2 + 1 + 2 + 2 + kStreamSaltSize +
                                       kStreamNoncePrefixSize + kStreamCommitmentSize;

}  // namespace

Result<std::size_t> StreamHeaderSize(std::span<const std::uint8_t> prefix) {
  ByteReader r(prefix);
  std::string magic;
  std::uint8_t format = 0;
  std::uint8_t suite = 0;
  std::uint32_t chunk_size = 0;
  std::uint16_t header_size = 0;
  if (!r.ReadString(kMagic.size(), &magic) || magic != kMagic || !r.ReadU8(&format) ||
      format != kStreamFormatV1 || !r.ReadU8(&suite) || suite != kStreamSuiteV1 ||
      !r.ReadU32(&chunk_size) || !ChunkSizeOk(chunk_size) || !r.ReadU16(&header_size) ||
      header_size < kMinHeaderSize || header_size > kMaxStreamHeaderSize) {
    return Generic();
  }
  return static_cast<std::size_t>(header_size);
}

Result<StreamHeader> ParseStreamHeader(std::span<const std::uint8_t> header) {
  KEYHOLD_ASSIGN_OR_RETURN(const std::size_t size, StreamHeaderSize(header));
  if (size != header.size()) {
    return Generic();
  }
  ByteReader r(header);
  std::span<const std::uint8_t> skipped;
  std::uint32_t chunk_size = 0;
  std::uint8_t id_len = 0;
  std::string id;
  std::uint16_t wrapped_len = 0;
  std::span<const std::uint8_t> wrapped;
  std::uint16_t context_len = 0;
  std::span<const std::uint8_t> context;
  std::span<const std::uint8_t> salt;
  std::span<const std::uint8_t> prefix;
  std::span<const std::uint8_t> commitment;
  if (!r.ReadBytes(10, &skipped) || !r.ReadU32(&chunk_size) || !r.ReadBytes(2, &skipped) ||
      !r.ReadU8(&id_len) || !r.ReadString(id_len, &id) || !r.ReadU16(&wrapped_len) ||
      wrapped_len == 0 || wrapped_len > kMaxStreamWrappedKeySize ||
      !r.ReadBytes(wrapped_len, &wrapped) || !r.ReadU16(&context_len) ||
      !r.ReadBytes(context_len, &context) || !r.ReadBytes(kStreamSaltSize, &salt) ||
      !r.ReadBytes(kStreamNoncePrefixSize, &prefix) ||
      !r.ReadBytes(kStreamCommitmentSize, &commitment) || !r.Done()) {
    return Generic();
  }
  auto key_id = KeyId::Parse(id);
  auto parsed_context = EncryptionContext::Parse(context);
  if (!key_id.ok() || !parsed_context.ok()) {
    return Generic();
  }
  StreamHeader out{.chunk_size = chunk_size,
                   .key_id = std::move(key_id).value(),
                   .wrapped_key = {wrapped.begin(), wrapped.end()},
                   .context = std::move(parsed_context).value()};
  std::ranges::copy(salt, out.salt.begin());
  std::ranges::copy(prefix, out.nonce_prefix.begin());
  std::ranges::copy(commitment, out.commitment.begin());
  return out;
}

Result<std::vector<std::uint8_t>> SerializeStreamHeader(const StreamHeader& header) {
  if (!ChunkSizeOk(header.chunk_size)) {
    return MakeError(ErrorCode::kInvalidRequest, "the chunk size must be 4 KiB to 16 MiB");
  }
  if (header.wrapped_key.empty() || header.wrapped_key.size() > kMaxStreamWrappedKeySize) {
    return MakeError(ErrorCode::kInvalidRequest, "the wrapped data key must be 1 to 1024 bytes");
  }
  std::vector<std::uint8_t> context;
  header.context.AppendCanonical(&context);
  const std::string id = header.key_id.ToString();
  const std::size_t size = kStreamPrefixSize + 1 + id.size() + 2 + header.wrapped_key.size() + 2 +
                           context.size() + kStreamSaltSize + kStreamNoncePrefixSize +
                           kStreamCommitmentSize;
  // KeyId and EncryptionContext bound their sizes, so this holds by
  // construction: a 193-byte id, 1024 wrapped bytes and an 8 KiB context.
  KEYHOLD_CHECK(size <= kMaxStreamHeaderSize);
  std::vector<std::uint8_t> out;
  out.reserve(size);
  ByteWriter w(&out);
  w.PutString(kMagic);
  w.PutU8(kStreamFormatV1);
  w.PutU8(kStreamSuiteV1);
  w.PutU32(header.chunk_size);
  w.PutU16(static_cast<std::uint16_t>(size));
  w.PutU8(static_cast<std::uint8_t>(id.size()));
  w.PutString(id);
  w.PutU16(static_cast<std::uint16_t>(header.wrapped_key.size()));
  w.PutBytes(header.wrapped_key);
  w.PutU16(static_cast<std::uint16_t>(context.size()));
  w.PutBytes(context);
  w.PutBytes(header.salt);
  w.PutBytes(header.nonce_prefix);
  w.PutBytes(header.commitment);
  return out;
}

std::span<const std::uint8_t> StreamHeaderCommittedBytes(std::span<const std::uint8_t> header) {
  if (header.size() < kStreamCommitmentSize) {
    return {};
  }
  return header.first(header.size() - kStreamCommitmentSize);
}

}  // namespace keyhold::crypto
