// SecurePool: the allocator behind SecretBytes.
//
// libsodium's sodium_malloc gives each allocation its own guard pages, a
// locked page and three memory mappings: several system calls per secret,
// and a process runs out of mappings (vm.max_map_count, 65530) after about
// 20,000 live secrets. SecurePool keeps the same protections per chunk
// instead: chunks of at least 64 KiB from sodium_malloc (locked, excluded
// from core dumps, fenced by guard pages), carved into fixed-size slots of 32
// to 32768 bytes. A slot is zeroed when freed and handed out again zeroed;
// larger requests go straight to sodium_malloc. Chunks are kept for reuse, so the
// pool's footprint is the peak of live secrets. Each thread keeps a few free
// slots per class (at most 64 KiB a class) so that small allocations on
// the request path do not queue on one mutex. Under AddressSanitizer free
// slots and slot tails are poisoned, so overflows and use-after-free are
// still reported. Thread-safe. May include: libsodium, std.
#ifndef KEYHOLD_CRYPTO_INTERNAL_SECURE_POOL_H_
#define KEYHOLD_CRYPTO_INTERNAL_SECURE_POOL_H_

#include <cstddef>
#include <cstdint>

namespace keyhold::crypto::internal {

// SecureAllocate returns `size` (> 0) zeroed bytes of locked memory, or
// nullptr when memory is exhausted. `*capacity` receives the size of the
// block handed out (its size class, or `size` above 32768), which SecureFree
// needs back. Only the first `size` bytes may be used: under ASan the rest
// is poisoned.
std::uint8_t* SecureAllocate(std::size_t size, std::size_t* capacity);

// SecureFree zeroes and releases memory from SecureAllocate.
void SecureFree(std::uint8_t* p, std::size_t capacity);

// SecureCapacity returns the capacity SecureAllocate hands out for `size`.
std::size_t SecureCapacity(std::size_t size);

struct SecurePoolStats {
  std::size_t chunks = 0;      // 64 KiB chunks held
  std::size_t live_slots = 0;  // slots handed out and not yet freed
};

// SecurePoolStatistics reports the pool's state (for tests and metrics).
SecurePoolStats SecurePoolStatistics();

}  // namespace keyhold::crypto::internal

#endif  // KEYHOLD_CRYPTO_INTERNAL_SECURE_POOL_H_
