#include "crypto/secret_bytes.h"

#include <sodium.h>

#include <cstring>
#include <utility>

#include "crypto/check.h"
#include "crypto/internal/secure_pool.h"

namespace keyhold::crypto {

void EnsureInitialized() {
  // sodium_init is idempotent and thread-safe; a failure means no secure
  // allocator or RNG is available, which no caller can recover from.
  static const bool initialized = [] { return sodium_init() >= 0; }();
  KEYHOLD_CHECK(initialized);
}

SecretBytes::~SecretBytes() {
  Release();
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void SecretBytes::Release() {
  if (data_ != nullptr) {
    internal::SecureFree(data_, capacity_);  // zeroes the whole slot
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
  }
}

Result<SecretBytes> SecretBytes::Allocate(std::size_t size) {
  EnsureInitialized();
  SecretBytes s;
  if (size == 0) {
    return s;
  }
  std::size_t capacity = 0;
  std::uint8_t* p = internal::SecureAllocate(size, &capacity);
  if (p == nullptr) {
    return MakeError(ErrorCode::kInternal, "secure memory exhausted");
  }
  s.data_ = p;
  s.size_ = size;
  s.capacity_ = capacity;
  return s;
}

Result<SecretBytes> SecretBytes::CopyFrom(std::span<const std::uint8_t> bytes) {
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes s, Allocate(bytes.size()));
  if (!bytes.empty()) {
    std::memcpy(s.data_, bytes.data(), bytes.size());
  }
  return s;
}

Result<SecretBytes> SecretBytes::Clone() const {
  return CopyFrom({data_, size_});
}

void SecretBytes::Shrink(std::size_t size) {
  KEYHOLD_CHECK(size <= size_);
  if (size < size_) {
    sodium_memzero(data_ + size, size_ - size);
  }
  size_ = size;
}

bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  EnsureInitialized();
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEquals(const SecretBytes& a, const SecretBytes& b) {
  const auto access = SecretAccess::Get();
  return ConstantTimeEquals(a.Reveal(access), b.Reveal(access));
}

void Wipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) {
    sodium_memzero(bytes.data(), bytes.size());
  }
}

}  // namespace keyhold::crypto
