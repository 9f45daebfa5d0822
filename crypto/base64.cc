#include "crypto/base64.h"

#include <sodium.h>

namespace keyhold::crypto {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

Error BadBase64() {
  return MakeError(ErrorCode::kInvalidRequest, "invalid base64");
}

// Decodes into `out` (capacity out_cap). Requires the whole input to be
// consumed: sodium_base642bin stops at the first invalid character otherwise.
bool DecodeInto(std::string_view text, std::uint8_t* out, std::size_t out_cap,
                std::size_t* out_len) {
  if (text.size() % 4 != 0) {
    return false;
  }
  // sodium_base642bin (1.0.18) classifies each character as a signed char, so
  // every byte >= 0x80 decodes as '/'. Refuse them here, or "Zm9\xe9" would be
  // a second encoding of the same bytes as "Zm9/".
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  const char* end = nullptr;
  // No `ignore` characters: whitespace is an error, as RFC 4648 section 3.3
  // allows implementations to require.
  const int rc =
      sodium_base642bin(out, out_cap, text.data(), text.size(), nullptr, out_len, &end, kVariant);
  return rc == 0 && end == text.data() + text.size();
}

std::size_t MaxDecodedSize(std::string_view text) {
  return text.size() / 4 * 3;
}

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  EnsureInitialized();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.pop_back();  // the terminating NUL
  return out;
}

Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text, std::size_t max_decoded) {
  EnsureInitialized();
  const std::size_t cap = MaxDecodedSize(text);
  if (cap > max_decoded && cap - max_decoded > 2) {  // not max_decoded + 2: it may wrap
    return MakeError(ErrorCode::kInvalidRequest, "base64 value too long");
  }
  std::vector<std::uint8_t> out(cap);
  std::size_t len = 0;
  if (!text.empty() && !DecodeInto(text, out.data(), out.size(), &len)) {
    return BadBase64();
  }
  if (len > max_decoded) {
    return MakeError(ErrorCode::kInvalidRequest, "base64 value too long");
  }
  out.resize(len);
  return out;
}

Result<SecretBytes> Base64DecodeSecret(std::string_view text, std::size_t max_decoded) {
  EnsureInitialized();
  const std::size_t cap = MaxDecodedSize(text);
  if (cap > max_decoded && cap - max_decoded > 2) {  // not max_decoded + 2: it may wrap
    return MakeError(ErrorCode::kInvalidRequest, "base64 value too long");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(cap));
  std::size_t len = 0;
  if (!text.empty() &&
      !DecodeInto(text, out.RevealMutable(SecretAccess::Get()).data(), cap, &len)) {
    return BadBase64();
  }
  if (len > max_decoded) {
    return MakeError(ErrorCode::kInvalidRequest, "base64 value too long");
  }
  out.Shrink(len);
  return out;
}

Result<SecretBytes> Base64EncodeSecret(const SecretBytes& secret) {
  EnsureInitialized();
  const std::size_t encoded = sodium_base64_ENCODED_LEN(secret.size(), kVariant);
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(encoded));
  const auto access = SecretAccess::Get();
  sodium_bin2base64(reinterpret_cast<char*>(out.RevealMutable(access).data()), encoded,
                    secret.Reveal(access).data(), secret.size(), kVariant);
  out.Shrink(encoded - 1);  // drop the terminating NUL
  return out;
}

}  // namespace keyhold::crypto
