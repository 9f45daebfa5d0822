// SecureAllocator: a standard allocator over the secure pool
// (crypto/internal/secure_pool.h), for containers that hold secret bytes on
// their way through code Keyhold does not own: HTTP request and response
// bodies and headers (a bearer token, a base64 data key) and the JSON
// documents parsed from them. Every block is locked, excluded from core
// dumps and zeroed when freed. Prefer SecretBytes for a secret Keyhold
// handles itself; use this where a library wants an allocator.
// Thread-safe. May include: std, crypto/.
#ifndef KEYHOLD_CRYPTO_SECURE_ALLOCATOR_H_
#define KEYHOLD_CRYPTO_SECURE_ALLOCATOR_H_

#include <cstddef>
#include <new>
#include <string>

#include "crypto/internal/secure_pool.h"

namespace keyhold::crypto {

template <class T>
struct SecureAllocator {
  using value_type = T;

  SecureAllocator() noexcept = default;
  template <class U>
  SecureAllocator(const SecureAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    std::size_t capacity = 0;
    std::uint8_t* p = internal::SecureAllocate(n == 0 ? 1 : n * sizeof(T), &capacity);
    if (p == nullptr) {
      throw std::bad_alloc();
    }
    return reinterpret_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t size = n == 0 ? 1 : n * sizeof(T);
    internal::SecureFree(reinterpret_cast<std::uint8_t*>(p), internal::SecureCapacity(size));
  }

  template <class U>
  bool operator==(const SecureAllocator<U>&) const noexcept {
    return true;
  }
};

// SecureString: a std::string whose buffer is guarded and zeroed on free.
// Note: short strings live inside the object (small-string optimisation),
// which is wherever the object is; use it for buffers, not for keys.
using SecureString = std::basic_string<char, std::char_traits<char>, SecureAllocator<char>>;

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_SECURE_ALLOCATOR_H_
