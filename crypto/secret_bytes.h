// SecretBytes: the one type that holds secret bytes (keys, plaintext data
// keys, shares, passphrases, tokens).
//
// Memory comes from crypto/internal/secure_pool.h over libsodium's guarded
// allocator: locked (mlock, within RLIMIT_MEMLOCK), excluded from core dumps
// (MADV_DONTDUMP), fenced by guard pages, and zeroed on free. The type cannot be copied, printed or
// compared with ==; raw bytes come only through Reveal(SecretAccess), so `grep -rn
// 'SecretAccess::Get' ` lists every place that touches them. Thread-compatible (no internal
// locking). May include: libsodium, std.
#ifndef KEYHOLD_CRYPTO_SECRET_BYTES_H_
#define KEYHOLD_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/error.h"

namespace keyhold::crypto {

// SecretAccess is the token that unlocks raw secret bytes. Obtaining it is
// deliberately explicit so that every access is visible in review.
class SecretAccess {
 public:
  // Get returns the token. WARNING: whatever reads the bytes it unlocks must
  // not log, persist or return them in clear.
  static SecretAccess Get() { return SecretAccess(); }

 private:
  SecretAccess() = default;
};

class SecretBytes {
 public:
  // An empty secret (size 0, no allocation).
  SecretBytes() = default;
  ~SecretBytes();

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  // Allocate returns `size` zero bytes in guarded memory, or kInternal if the
  // allocator is exhausted.
  static Result<SecretBytes> Allocate(std::size_t size);

  // CopyFrom returns a guarded copy of `bytes`. The caller remains responsible
  // for wiping its own copy (see Wipe).
  static Result<SecretBytes> CopyFrom(std::span<const std::uint8_t> bytes);

  // Clone returns an independent guarded copy.
  Result<SecretBytes> Clone() const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Reveal returns a view of the bytes, valid until this object is moved from
  // or destroyed.
  std::span<const std::uint8_t> Reveal(SecretAccess) const { return {data_, size_}; }
  std::span<std::uint8_t> RevealMutable(SecretAccess) { return {data_, size_}; }

  // Shrink reduces the visible size to `size` (<= size()), wiping the tail.
  void Shrink(std::size_t size);

 private:
  void Release();
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // what the allocator handed out (>= size_)
};

// ConstantTimeEquals compares two byte strings in time that depends only on
// their lengths (which are not secret). Use it for MACs, tags, commitments,
// token hashes: never memcmp or ==.
bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// ConstantTimeEquals for two secrets.
bool ConstantTimeEquals(const SecretBytes& a, const SecretBytes& b);

// Wipe zeroes `bytes` in a way the compiler cannot elide.
void Wipe(std::span<std::uint8_t> bytes);

// EnsureInitialized initialises libsodium once per process; every entry point
// of crypto/ that needs it calls this, so callers never have to.
void EnsureInitialized();

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_SECRET_BYTES_H_
