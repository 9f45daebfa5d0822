#include "crypto/encryption_context.h"

#include <algorithm>

#include "crypto/byte_reader.h"

namespace keyhold::crypto {
namespace {

Error Invalid(std::string why) {
  return MakeError(ErrorCode::kInvalidContext, "encryption context: " + std::move(why));
}

std::size_t EncodedSize(const std::vector<EncryptionContext::Entry>& entries) {
  std::size_t n = 2;
  for (const auto& [k, v] : entries) {
    n += 4 + k.size() + v.size();
  }
  return n;
}

}  // namespace

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      ++p;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < len) {
      return false;
    }
    for (std::size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += len;
  }
  return true;
}

Result<EncryptionContext> EncryptionContext::Create(std::vector<Entry> entries) {
  if (entries.size() > kMaxContextEntries) {
    return Invalid("at most 64 entries");
  }
  for (const auto& [k, v] : entries) {
    if (k.empty() || k.size() > kMaxContextKeySize) {
      return Invalid("keys must be 1-256 bytes");
    }
    if (v.size() > kMaxContextValueSize) {
      return Invalid("values must be at most 2048 bytes");
    }
    if (!ValidUtf8(k) || !ValidUtf8(v)) {
      return Invalid("keys and values must be UTF-8");
    }
  }
  if (EncodedSize(entries) > kMaxContextEncodedSize) {
    return Invalid("larger than 8 KiB");
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.first < b.first; });
  const auto dup =
      std::adjacent_find(entries.begin(), entries.end(),
                         [](const Entry& a, const Entry& b) { return a.first == b.first; });
  if (dup != entries.end()) {
    return Invalid("duplicate key");
  }
  return EncryptionContext(std::move(entries));
}

void EncryptionContext::AppendCanonical(std::vector<std::uint8_t>* out) const {
  ByteWriter w(out);
  // Sizes fit: Create bounds count and lengths well below 2^16.
  w.PutU16(static_cast<std::uint16_t>(entries_.size()));
  for (const auto& [k, v] : entries_) {
    w.PutU16(static_cast<std::uint16_t>(k.size()));
    w.PutString(k);
    w.PutU16(static_cast<std::uint16_t>(v.size()));
    w.PutString(v);
  }
}

Result<EncryptionContext> EncryptionContext::Parse(std::span<const std::uint8_t> canonical) {
  if (canonical.size() > kMaxContextEncodedSize) {
    return Invalid("larger than 8 KiB");
  }
  ByteReader r(canonical);
  std::uint16_t count = 0;
  if (!r.ReadU16(&count) || count > kMaxContextEntries) {
    return Invalid("malformed");
  }
  std::vector<Entry> entries(count);
  for (auto& [k, v] : entries) {
    std::uint16_t klen = 0;
    std::uint16_t vlen = 0;
    if (!r.ReadU16(&klen) || !r.ReadString(klen, &k) || !r.ReadU16(&vlen) ||
        !r.ReadString(vlen, &v)) {
      return Invalid("malformed");
    }
  }
  if (!r.Done()) {
    return Invalid("malformed");
  }
  const bool sorted_unique =
      std::adjacent_find(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.first >= b.first;
      }) == entries.end();
  if (!sorted_unique) {
    return Invalid("not canonical");
  }
  return Create(std::move(entries));
}

}  // namespace keyhold::crypto
