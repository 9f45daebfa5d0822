#include "crypto/argon2id.h"

#include <sodium.h>

#include "crypto/random.h"

namespace keyhold::crypto {
namespace {

Result<Argon2idParams> WithSalt(std::uint64_t ops, std::uint64_t mem) {
  Argon2idParams p;
  p.ops_limit = ops;
  p.mem_limit = mem;
  KEYHOLD_TRY(FillRandom(p.salt));
  return p;
}

}  // namespace

Result<Argon2idParams> Argon2idModerateParams() {
  return WithSalt(crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                  crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
}

Result<Argon2idParams> Argon2idInteractiveParams() {
  return WithSalt(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                  crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
}

Result<SecretBytes> Argon2idDeriveKey(const SecretBytes& passphrase, const Argon2idParams& params) {
  EnsureInitialized();
  static_assert(crypto_pwhash_argon2id_SALTBYTES == 16);
  if (params.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      params.mem_limit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.mem_limit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return MakeError(ErrorCode::kCryptoFailure, "Argon2id parameters out of range");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Allocate(32));
  const auto access = SecretAccess::Get();
  const auto pass = passphrase.Reveal(access);
  static const char kEmpty = 0;
  if (crypto_pwhash(key.RevealMutable(access).data(), key.size(),
                    pass.empty() ? &kEmpty : reinterpret_cast<const char*>(pass.data()),
                    pass.size(), params.salt.data(), params.ops_limit,
                    static_cast<std::size_t>(params.mem_limit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kCryptoFailure, "Argon2id failed (memory limit too high?)");
  }
  return key;
}

}  // namespace keyhold::crypto
