// EncryptionContext: the caller's map of UTF-8 strings bound into a wrapped
// blob's associated data, so that a blob moved to another tenant, record or
// purpose fails to unwrap.
//
// Canonical encoding (docs/formats.md): u16 count, then for each entry in
// ascending byte order of keys: u16 key length, key, u16 value length, value.
// Limits: at most 64 entries, keys 1-256 bytes, values 0-2048 bytes, 8 KiB
// encoded. Keys are unique; strings must be valid UTF-8. Thread-safe (value
// type). May include: std only.
#ifndef KEYHOLD_CRYPTO_ENCRYPTION_CONTEXT_H_
#define KEYHOLD_CRYPTO_ENCRYPTION_CONTEXT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/error.h"

namespace keyhold::crypto {

inline constexpr std::size_t kMaxContextEntries = 64;
inline constexpr std::size_t kMaxContextKeySize = 256;
inline constexpr std::size_t kMaxContextValueSize = 2048;
inline constexpr std::size_t kMaxContextEncodedSize = 8192;

class EncryptionContext {
 public:
  using Entry = std::pair<std::string, std::string>;

  // The empty context.
  EncryptionContext() = default;

  // Create validates `entries` (any order) and sorts them. Duplicate keys,
  // empty keys, invalid UTF-8 and oversize input are refused with
  // kInvalidContext.
  static Result<EncryptionContext> Create(std::vector<Entry> entries);

  // entries() are sorted by key, bytewise.
  const std::vector<Entry>& entries() const { return entries_; }

  // AppendCanonical appends the canonical encoding to `*out`.
  void AppendCanonical(std::vector<std::uint8_t>* out) const;

  // Parse decodes a canonical encoding (strict: order, uniqueness, limits).
  static Result<EncryptionContext> Parse(std::span<const std::uint8_t> canonical);

  friend bool operator==(const EncryptionContext&, const EncryptionContext&) = default;

 private:
  explicit EncryptionContext(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  std::vector<Entry> entries_;
};

// ValidUtf8 reports whether `s` is well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
bool ValidUtf8(std::string_view s);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_ENCRYPTION_CONTEXT_H_
