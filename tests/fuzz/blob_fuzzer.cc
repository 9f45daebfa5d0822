// blob_fuzzer: crypto::ParseBlob and crypto::OpenBlob on arbitrary bytes.
// Properties: a parsed blob is exactly header_bytes || sealed with the sizes
// of the v1 layout and a key id that re-validates; and no input opens under a
// fixed key and context, since nothing here ever seals under that pair (a
// success would be a forged tag or a skipped check). Test-only.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/committed_key.h"
#include "crypto/encryption_context.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"
#include "crypto/wrapped_blob.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::crypto::CommittedKey;
using keyhold::crypto::EncryptionContext;

constexpr std::size_t kGcmOverhead = 12 + 16;  // nonce + tag

// The key and context every input is opened under. The seed corpus holds
// blobs sealed under this key but other contexts, so that mutations reach the
// tag check past the commitment.
struct Fixture {
  std::unique_ptr<CommittedKey> key;
  EncryptionContext context;
};

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto material = keyhold::crypto::SecretBytes::Allocate(keyhold::crypto::kKeyMaterialSize);
    KEYHOLD_FUZZ_CHECK(material.ok());
    auto key = CommittedKey::Derive(*material);
    KEYHOLD_FUZZ_CHECK(key.ok());
    auto context = EncryptionContext::Create({{"purpose", "fuzz-open"}});
    KEYHOLD_FUZZ_CHECK(context.ok());
    return new Fixture{std::move(key).value(), std::move(context).value()};
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const Fixture& fixture = GetFixture();
  auto parsed = keyhold::crypto::ParseBlob(input);
  if (!parsed.ok()) {
    KEYHOLD_FUZZ_CHECK(parsed.error().code == keyhold::ErrorCode::kInvalidCiphertext);
    return 0;
  }
  const keyhold::crypto::ParsedBlob& blob = *parsed;

  // The two views tile the input, in order, with nothing left over.
  KEYHOLD_FUZZ_CHECK(blob.header_bytes.data() == input.data());
  KEYHOLD_FUZZ_CHECK(blob.header_bytes.size() + blob.sealed.size() == input.size());
  KEYHOLD_FUZZ_CHECK(blob.sealed.data() == input.data() + blob.header_bytes.size());

  // Sizes of the v1 layout: 1..4096 bytes of ciphertext, a 38+L byte header.
  KEYHOLD_FUZZ_CHECK(blob.sealed.size() >= kGcmOverhead + 1);
  KEYHOLD_FUZZ_CHECK(blob.sealed.size() <= kGcmOverhead + keyhold::crypto::kMaxWrapPlaintext);
  const std::string id = blob.header.key_id.ToString();
  KEYHOLD_FUZZ_CHECK(blob.header_bytes.size() == 38 + id.size());
  KEYHOLD_FUZZ_CHECK(input[0] == keyhold::crypto::kBlobFormatV1);
  KEYHOLD_FUZZ_CHECK(input[1] == id.size());
  KEYHOLD_FUZZ_CHECK(keyhold::fuzz::AsText(input.subspan(2, id.size())) == id);
  KEYHOLD_FUZZ_CHECK(blob.header.key_version >= 1);
  KEYHOLD_FUZZ_CHECK(
      keyhold::fuzz::SameBytes(blob.header.commitment, input.subspan(6 + id.size(), 32)));

  // The key id re-validates and names the same key.
  auto reparsed = keyhold::crypto::KeyId::Parse(id);
  KEYHOLD_FUZZ_CHECK(reparsed.ok());
  KEYHOLD_FUZZ_CHECK(*reparsed == blob.header.key_id);

  // Nothing seals under (fixture.key, fixture.context), so nothing may open.
  auto opened = keyhold::crypto::OpenBlob(*fixture.key, blob, fixture.context);
  KEYHOLD_FUZZ_CHECK(!opened.ok());
  KEYHOLD_FUZZ_CHECK(opened.error().code == keyhold::ErrorCode::kInvalidCiphertext);
  return 0;
}
