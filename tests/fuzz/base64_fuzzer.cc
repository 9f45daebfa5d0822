// base64_fuzzer: crypto::Base64Decode and crypto::Base64DecodeSecret on
// arbitrary text. Properties: the encoding is canonical (whatever decodes
// re-encodes to the very same text), the public and secret decoders agree on
// every input, and max_decoded bounds the output exactly. Test-only.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/base64.h"
#include "crypto/secret_bytes.h"
#include "tests/fuzz/fuzz_check.h"

namespace {
constexpr std::size_t kMaxDecoded = std::size_t{1} << 16;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using keyhold::fuzz::AsText;
  using keyhold::fuzz::SameBytes;
  const std::string_view text = AsText({data, size});
  const auto access = keyhold::crypto::SecretAccess::Get();

  auto decoded = keyhold::crypto::Base64Decode(text, kMaxDecoded);
  auto secret = keyhold::crypto::Base64DecodeSecret(text, kMaxDecoded);
  KEYHOLD_FUZZ_CHECK(decoded.ok() == secret.ok());
  if (!decoded.ok()) {
    KEYHOLD_FUZZ_CHECK(decoded.error().code == keyhold::ErrorCode::kInvalidRequest);
    KEYHOLD_FUZZ_CHECK(secret.error().code == keyhold::ErrorCode::kInvalidRequest);
    return 0;
  }
  KEYHOLD_FUZZ_CHECK(SameBytes(*decoded, secret->Reveal(access)));

  // Canonical: one encoding per byte string, so re-encoding gives the input.
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::Base64Encode(*decoded) == text);
  auto reencoded = keyhold::crypto::Base64EncodeSecret(*secret);
  KEYHOLD_FUZZ_CHECK(reencoded.ok());
  KEYHOLD_FUZZ_CHECK(AsText(reencoded->Reveal(access)) == text);

  // The bound is exact: the decoded size passes, one byte less does not.
  const std::size_t n = decoded->size();
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::Base64Decode(text, n).ok());
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::Base64DecodeSecret(text, n).ok());
  if (n > 0) {
    KEYHOLD_FUZZ_CHECK(!keyhold::crypto::Base64Decode(text, n - 1).ok());
    KEYHOLD_FUZZ_CHECK(!keyhold::crypto::Base64DecodeSecret(text, n - 1).ok());
  }
  return 0;
}
