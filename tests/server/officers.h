// Officers for integration tests: deterministic Ed25519 signers and the
// signature an officer's tool makes over a request's approval text
// (policies/approval_digest.h). Test-only, header-only.
#ifndef KEYHOLD_TESTS_SERVER_OFFICERS_H_
#define KEYHOLD_TESTS_SERVER_OFFICERS_H_

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace keyhold::kms {

// SignerFrom makes the signer whose seed is 32 bytes of `fill`.
inline crypto::Ed25519Signer SignerFrom(std::uint8_t fill) {
  std::uint8_t seed[32];
  std::fill(std::begin(seed), std::end(seed), fill);
  auto secret = crypto::SecretBytes::CopyFrom(seed);
  auto signer = crypto::Ed25519Signer::FromSeed(*secret);
  return std::move(signer).value();
}

// Sign returns, in base64, the signature over SHA-256 of `text`.
inline std::string Sign(const crypto::Ed25519Signer& signer, const std::string& text) {
  const crypto::Sha256Digest digest =
      crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}});
  return crypto::Base64Encode(signer.Sign(digest));
}

}  // namespace keyhold::kms

#endif  // KEYHOLD_TESTS_SERVER_OFFICERS_H_
