// Stream header, format v1: the first bytes of a file sealed by
// `keyhold encrypt` (crypto/stream_cipher.h seals the chunks after it). It
// names everything decryption needs except the data key itself: the master
// key, the data key wrapped under it, the encryption context the wrap was
// bound to, the chunk size, and the per-file salt and nonce prefix. Byte
// layout, integers big-endian (docs/formats.md, "Stream format"):
//
//   offset  size  field
//   0       8     magic "KHSTREAM"
//   8       1     format = 0x01
//   9       1     suite = 0x01 (HKDF-SHA-256 file key, AES-256-GCM, STREAM)
//   10      4     chunk size C, 4096 <= C <= 16 MiB (plaintext bytes)
//   14      2     H = length of the whole header, this field included
//   16      1     K = key id length
//   17      K     key id "TENANT/NAME"
//   17+K    2     W = wrapped data key length, 1..1024
//   19+K    W     wrapped data key (wrapped blob, crypto/wrapped_blob.h)
//   ..      2     X = encryption context length
//   ..      X     canonical encryption context (crypto/encryption_context.h)
//   ..      32    salt
//   ..      7     nonce prefix
//   ..      32    commitment (derived with the file key; stream_cipher.h)
//
// Nothing here is secret, and nothing here is authenticated by parsing: the
// commitment check in StreamOpener is what binds every header byte. Parsing
// is strict (no trailing bytes, canonical context, valid key id) and every
// failure is the one generic kInvalidCiphertext. Thread-safe (value types
// and functions). May include: std, crypto/.
#ifndef KEYHOLD_CRYPTO_STREAM_HEADER_H_
#define KEYHOLD_CRYPTO_STREAM_HEADER_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"

namespace keyhold::crypto {

inline constexpr std::uint8_t kStreamFormatV1 = 0x01;
inline constexpr std::uint8_t kStreamSuiteV1 = 0x01;
inline constexpr std::uint32_t kMinStreamChunkSize = 4096;
inline constexpr std::uint32_t kMaxStreamChunkSize = 16 * 1024 * 1024;
inline constexpr std::uint32_t kDefaultStreamChunkSize = 1024 * 1024;
inline constexpr std::size_t kMaxStreamWrappedKeySize = 1024;
// kStreamPrefixSize bytes are enough to learn the header's length.
inline constexpr std::size_t kStreamPrefixSize = 16;
// kMaxStreamHeaderSize bounds what a reader allocates for a hostile header.
inline constexpr std::size_t kMaxStreamHeaderSize = 16 * 1024;
inline constexpr std::size_t kStreamSaltSize = 32;
inline constexpr std::size_t kStreamNoncePrefixSize = 7;
inline constexpr std::size_t kStreamCommitmentSize = 32;

struct StreamHeader {
  std::uint32_t chunk_size = kDefaultStreamChunkSize;
  KeyId key_id;
  std::vector<std::uint8_t> wrapped_key;
  EncryptionContext context;
  std::array<std::uint8_t, kStreamSaltSize> salt{};
  std::array<std::uint8_t, kStreamNoncePrefixSize> nonce_prefix{};
  std::array<std::uint8_t, kStreamCommitmentSize> commitment{};
};

// StreamHeaderSize reads the first kStreamPrefixSize bytes of a stream and
// returns H, the length of the whole header, after checking the magic, the
// format, the suite, the chunk size and that H is within bounds. It lets a
// reader fetch exactly the header before parsing it.
Result<std::size_t> StreamHeaderSize(std::span<const std::uint8_t> prefix);

// ParseStreamHeader parses exactly one header (all H bytes, nothing more).
Result<StreamHeader> ParseStreamHeader(std::span<const std::uint8_t> header);

// SerializeStreamHeader returns the header's bytes. It refuses, with
// kInvalidRequest, a header that ParseStreamHeader would refuse (chunk size
// or wrapped key out of bounds).
Result<std::vector<std::uint8_t>> SerializeStreamHeader(const StreamHeader& header);

// StreamHeaderCommittedBytes is the part of a serialized header that the
// commitment covers: every byte but the commitment itself.
std::span<const std::uint8_t> StreamHeaderCommittedBytes(std::span<const std::uint8_t> header);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_STREAM_HEADER_H_
