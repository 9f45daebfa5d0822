// Argon2id (RFC 9106) over libsodium's crypto_pwhash: turns a passphrase into
// a 256-bit key for sealing the root key. The parameters are stored next to
// what they protect so that they can be raised later without breaking old
// stores. Thread-safe. May include: libsodium, std.
#ifndef KEYHOLD_CRYPTO_ARGON2ID_H_
#define KEYHOLD_CRYPTO_ARGON2ID_H_

#include <array>
#include <cstdint>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"

namespace keyhold::crypto {

struct Argon2idParams {
  std::uint64_t ops_limit = 0;  // passes over memory (t)
  std::uint64_t mem_limit = 0;  // bytes of memory (m)
  std::array<std::uint8_t, 16> salt{};
};

// Argon2idModerateParams returns libsodium's MODERATE cost (3 passes,
// 256 MiB, about a second on a server core) with a fresh random salt: the
// default for a production passphrase.
Result<Argon2idParams> Argon2idModerateParams();

// Argon2idInteractiveParams returns libsodium's INTERACTIVE cost (2 passes,
// 64 MiB) with a fresh random salt: the floor Keyhold accepts.
Result<Argon2idParams> Argon2idInteractiveParams();

// Argon2idDeriveKey returns a 32-byte key from `passphrase` under `params`.
// Parameters outside libsodium's bounds are refused with kCryptoFailure; an
// allocation failure (mem_limit too high for this host) also fails.
Result<SecretBytes> Argon2idDeriveKey(const SecretBytes& passphrase, const Argon2idParams& params);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_ARGON2ID_H_
