// CSPRNG: the only source of randomness in Keyhold (nonces, keys, salts,
// share coefficients, tokens). Backed by OpenSSL's RAND_bytes (a DRBG seeded
// from getrandom). Thread-safe. May include: OpenSSL, std.
#ifndef KEYHOLD_CRYPTO_RANDOM_H_
#define KEYHOLD_CRYPTO_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

// FillRandom fills `out` with random bytes, or returns kCryptoFailure when the
// generator cannot deliver (then `out` must not be used).
Status FillRandom(std::span<std::uint8_t> out);

// RandomBytes returns `size` random public bytes (nonces, salts, ids).
Result<std::vector<std::uint8_t>> RandomBytes(std::size_t size);

// RandomSecret returns `size` random bytes in guarded memory (keys).
Result<SecretBytes> RandomSecret(std::size_t size);

// FillNonce fills `out` (at most 64 bytes) with random bytes for a public,
// must-be-unique value such as an AES-GCM nonce. It serves them from a
// per-thread buffer of RAND_bytes output, refilled 4 KiB at a time: OpenSSL
// 3.0's DRBG makes a getpid() system call on every request, which dominated
// the cost of a wrap. The buffer page is marked MADV_WIPEONFORK (and
// MADV_DONTDUMP), so a forked child finds it empty and can never repeat the
// parent's nonces; where the kernel refuses that, FillNonce calls RAND_bytes
// directly. Never use it for keys: buffered bytes sit in memory until used.
Status FillNonce(std::span<std::uint8_t> out);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_RANDOM_H_
