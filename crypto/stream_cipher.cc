#include "crypto/stream_cipher.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "crypto/hkdf.h"
#include "crypto/internal/aes_gcm_raw.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace keyhold::crypto {
namespace {

constexpr std::string_view kLabel = "keyhold/v1/stream";
constexpr std::size_t kFileKeySize = 32;
using Nonce = std::array<std::uint8_t, internal::kGcmNonceSize>;

// DeriveFileKey returns file key (32 bytes) || commitment (32 bytes).
Result<SecretBytes> DeriveFileKey(const SecretBytes& data_key,
                                  std::span<const std::uint8_t> committed_header,
                                  std::span<const std::uint8_t> salt) {
  if (data_key.size() != kFileKeySize) {
    return MakeError(ErrorCode::kCryptoFailure, "a data key must be 256 bits");
  }
  // The header goes in as its digest: OpenSSL's HKDF caps info at 1 KiB and
  // a header can reach 16 KiB.
  const Sha256Digest digest = Sha256({committed_header});
  std::vector<std::uint8_t> info(kLabel.begin(), kLabel.end());
  info.insert(info.end(), digest.begin(), digest.end());
  return HkdfSha256(data_key.Reveal(SecretAccess::Get()), salt, info,
                    kFileKeySize + kStreamCommitmentSize);
}

Nonce ChunkNonceBytes(std::span<const std::uint8_t, kStreamNoncePrefixSize> prefix,
                      std::uint32_t index, bool last) {
  Nonce nonce{};
  std::ranges::copy(prefix, nonce.begin());
  nonce[7] = static_cast<std::uint8_t>(index >> 24);
  nonce[8] = static_cast<std::uint8_t>(index >> 16);
  nonce[9] = static_cast<std::uint8_t>(index >> 8);
  nonce[10] = static_cast<std::uint8_t>(index);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

// A chunk that is not last is full; the last one is short (possibly empty).
bool PlaintextSizeOk(std::size_t size, bool last, std::uint32_t chunk_size) {
  return last ? size < chunk_size : size == chunk_size;
}

}  // namespace

ChunkNonce::ChunkNonce(ChunkNonce&& other) noexcept
    : owner_(other.owner_), index_(other.index_), last_(other.last_), live_(other.live_) {
  other.live_ = false;
}

ChunkNonce& ChunkNonce::operator=(ChunkNonce&& other) noexcept {
  if (this != &other) {
    owner_ = other.owner_;
    index_ = other.index_;
    last_ = other.last_;
    live_ = other.live_;
    other.live_ = false;
  }
  return *this;
}

Result<std::unique_ptr<StreamSealer>> StreamSealer::Create(
    const SecretBytes& data_key, const KeyId& key_id, std::span<const std::uint8_t> wrapped_key,
    const EncryptionContext& context, std::uint32_t chunk_size) {
  StreamHeader header{.chunk_size = chunk_size,
                      .key_id = key_id,
                      .wrapped_key = {wrapped_key.begin(), wrapped_key.end()},
                      .context = context};
  KEYHOLD_TRY(FillRandom(header.salt));
  KEYHOLD_TRY(FillRandom(header.nonce_prefix));
  KEYHOLD_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, SerializeStreamHeader(header));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes okm,
                           DeriveFileKey(data_key, StreamHeaderCommittedBytes(bytes), header.salt));
  const auto view = okm.Reveal(SecretAccess::Get());
  std::ranges::copy(view.subspan(kFileKeySize), bytes.end() - kStreamCommitmentSize);
  okm.Shrink(kFileKeySize);
  return std::unique_ptr<StreamSealer>(
      new StreamSealer(std::move(okm), std::move(bytes), header.nonce_prefix, chunk_size));
}

Result<ChunkNonce> StreamSealer::NextChunk(bool last) {
  if (finished_ || next_index_ >= kMaxStreamChunks) {
    return MakeError(ErrorCode::kInvalidRequest, "the stream has ended or holds 2^32 chunks");
  }
  // The last index a 32-bit counter can name must close the stream.
  if (!last && next_index_ + 1 == kMaxStreamChunks) {
    return MakeError(ErrorCode::kInvalidRequest, "a stream holds at most 2^32 chunks");
  }
  ChunkNonce nonce(this, static_cast<std::uint32_t>(next_index_), last);
  ++next_index_;
  finished_ = last;
  return nonce;
}

Status StreamSealer::Seal(ChunkNonce nonce, std::span<std::uint8_t> chunk,
                          std::size_t plaintext_size) const {
  if (!nonce.live_ || nonce.owner_ != this ||
      !PlaintextSizeOk(plaintext_size, nonce.last_, chunk_size_) ||
      chunk.size() < plaintext_size + kStreamTagSize) {
    return MakeError(ErrorCode::kInvalidRequest, "a spent nonce or a chunk of the wrong size");
  }
  const Nonce bytes = ChunkNonceBytes(prefix_, nonce.index_, nonce.last_);
  const auto text = chunk.first(plaintext_size);
  return internal::GcmSealWithNonce(file_key_.Reveal(SecretAccess::Get()), bytes, text, {}, text,
                                    chunk.subspan(plaintext_size, kStreamTagSize));
}

Result<std::unique_ptr<StreamOpener>> StreamOpener::Create(const SecretBytes& data_key,
                                                           std::span<const std::uint8_t> header) {
  KEYHOLD_ASSIGN_OR_RETURN(StreamHeader parsed, ParseStreamHeader(header));
  auto okm = DeriveFileKey(data_key, StreamHeaderCommittedBytes(header), parsed.salt);
  if (!okm.ok()) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  const auto view = okm->Reveal(SecretAccess::Get());
  if (!ConstantTimeEquals(view.subspan(kFileKeySize), parsed.commitment)) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  okm->Shrink(kFileKeySize);
  return std::unique_ptr<StreamOpener>(
      new StreamOpener(std::move(okm).value(), parsed.nonce_prefix, parsed.chunk_size));
}

Result<std::size_t> StreamOpener::Open(std::uint64_t index, bool last,
                                       std::span<std::uint8_t> chunk) const {
  if (index >= kMaxStreamChunks || chunk.size() < kStreamTagSize ||
      !PlaintextSizeOk(chunk.size() - kStreamTagSize, last, chunk_size_)) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  const std::size_t size = chunk.size() - kStreamTagSize;
  const Nonce bytes = ChunkNonceBytes(prefix_, static_cast<std::uint32_t>(index), last);
  const auto text = chunk.first(size);
  KEYHOLD_TRY(internal::GcmOpenWithNonce(file_key_.Reveal(SecretAccess::Get()), bytes, text, {},
                                         chunk.subspan(size), text));
  return size;
}

}  // namespace keyhold::crypto
