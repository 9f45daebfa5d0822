// Shamir M-of-N secret sharing of the unseal key, over libgfshare (GF(2^8)).
//
// libgfshare's random hook starts unset; this module plugs in RAND_bytes (and
// aborts if it ever fails, since a share polynomial with weak coefficients
// leaks the secret). libgfshare scrubs its buffers through the same hook on
// free.
//
// A share travels as base64 text of (docs/formats.md):
//   u8 format=1 | 8-byte set id | u8 threshold M | u8 index x (1..255) |
//   u8 value length | value | 4-byte check = SHA-256("keyhold-share-v1" ||
//   preceding bytes)[0..4]
// The check catches a mistyped share; the set id catches a share of another
// store; Combine refuses duplicate indices and mixed sets. A forged share
// passes its own check, which is why the store also keeps a commitment per
// share (ShareCommitment) and verifies each share before recovery.
// Thread-safe. May include: libgfshare, OpenSSL, std, crypto/.
#ifndef KEYHOLD_CRYPTO_SHAMIR_H_
#define KEYHOLD_CRYPTO_SHAMIR_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::crypto {

using ShareSetId = std::array<std::uint8_t, 8>;

struct ShamirShare {
  ShareSetId set_id{};
  std::uint8_t threshold = 0;
  std::uint8_t index = 0;
  SecretBytes value;
};

// SplitSecret returns `count` shares (indices 1..count) of which any
// `threshold` recover `secret`, and fewer reveal nothing about it.
// Requires 1 <= threshold <= count <= 255 and a secret of 1 to 64 bytes.
Result<std::vector<ShamirShare>> SplitSecret(const SecretBytes& secret, std::uint8_t threshold,
                                             std::uint8_t count);

// EncodeShare returns the base64 text form, in guarded memory.
Result<SecretBytes> EncodeShare(const ShamirShare& share);

// DecodeShare parses the text form. A malformed share, or one whose check
// value does not match, is refused with kInvalidShare.
Result<ShamirShare> DecodeShare(std::span<const std::uint8_t> text);

// CombineShares recovers the secret from at least `threshold` shares of one
// set. Mixed sets, mixed thresholds, duplicate indices and too few shares are
// refused with kInvalidShare before any arithmetic.
Result<SecretBytes> CombineShares(std::span<const ShamirShare> shares);

// ShareCommitment returns SHA-256 over the share's set id, threshold, index
// and value. It is safe to store: a share value is uniformly random, so the
// digest reveals nothing that helps guess it.
Sha256Digest ShareCommitment(const ShamirShare& share);

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_SHAMIR_H_
