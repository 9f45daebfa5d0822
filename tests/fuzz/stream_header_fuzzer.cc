// stream_header_fuzzer: the start of a file given to `keyhold decrypt`, on
// arbitrary bytes. crypto::StreamHeaderSize and crypto::ParseStreamHeader
// read the header; a header that parses must serialize back to exactly its
// bytes (one spelling per header). Then crypto::StreamOpener is made under a
// fixed data key and, if the commitment holds (the seed corpus holds
// streams sealed under that key, so mutations reach past it), the rest of
// the input is opened chunk by chunk the way client/file_envelope.cc does.
// Every failure must be the generic kInvalidCiphertext, and an opened chunk
// must respect the STREAM size rules. Test-only.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/secret_bytes.h"
#include "crypto/stream_cipher.h"
#include "crypto/stream_header.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace crypto = keyhold::crypto;
using keyhold::ErrorCode;

// The data key every input is opened under: 32 zero bytes, as in the seeds.
const crypto::SecretBytes& DataKey() {
  static const crypto::SecretBytes* const key = [] {
    auto k = crypto::SecretBytes::Allocate(32);
    KEYHOLD_FUZZ_CHECK(k.ok());
    return new crypto::SecretBytes(std::move(k).value());
  }();
  return *key;
}

void OpenChunks(const crypto::StreamOpener& opener, std::span<const std::uint8_t> rest) {
  const std::size_t sealed_chunk = std::size_t{opener.chunk_size()} + crypto::kStreamTagSize;
  std::vector<std::uint8_t> buffer;
  for (std::uint64_t index = 0; index < 64; ++index) {
    const std::size_t n = std::min(sealed_chunk, rest.size());
    const bool last = n < sealed_chunk;
    buffer.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(n));
    rest = rest.subspan(n);
    auto opened = opener.Open(index, last, buffer);
    if (!opened.ok()) {
      KEYHOLD_FUZZ_CHECK(opened.error().code == ErrorCode::kInvalidCiphertext);
      return;
    }
    KEYHOLD_FUZZ_CHECK(*opened + crypto::kStreamTagSize == n);
    KEYHOLD_FUZZ_CHECK(last ? *opened < opener.chunk_size() : *opened == opener.chunk_size());
    if (last) {
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  auto header_size =
      crypto::StreamHeaderSize(input.first(std::min(size, crypto::kStreamPrefixSize)));
  if (!header_size.ok()) {
    KEYHOLD_FUZZ_CHECK(header_size.error().code == ErrorCode::kInvalidCiphertext);
    return 0;
  }
  KEYHOLD_FUZZ_CHECK(*header_size <= crypto::kMaxStreamHeaderSize);
  const auto header_bytes = input.first(std::min(size, *header_size));
  auto header = crypto::ParseStreamHeader(header_bytes);
  if (!header.ok()) {
    KEYHOLD_FUZZ_CHECK(header.error().code == ErrorCode::kInvalidCiphertext);
    return 0;
  }
  KEYHOLD_FUZZ_CHECK(header_bytes.size() == *header_size);
  auto again = crypto::SerializeStreamHeader(*header);
  KEYHOLD_FUZZ_CHECK(again.ok());
  KEYHOLD_FUZZ_CHECK(keyhold::fuzz::SameBytes(*again, header_bytes));
  KEYHOLD_FUZZ_CHECK(header->chunk_size >= crypto::kMinStreamChunkSize);
  KEYHOLD_FUZZ_CHECK(header->chunk_size <= crypto::kMaxStreamChunkSize);

  auto opener = crypto::StreamOpener::Create(DataKey(), header_bytes);
  if (!opener.ok()) {
    KEYHOLD_FUZZ_CHECK(opener.error().code == ErrorCode::kInvalidCiphertext);
    return 0;
  }
  KEYHOLD_FUZZ_CHECK((*opener)->chunk_size() == header->chunk_size);
  OpenChunks(**opener, input.subspan(header_bytes.size()));
  return 0;
}
