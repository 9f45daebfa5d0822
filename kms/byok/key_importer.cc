#include "kms/byok/key_importer.h"

#include <string_view>

#include "crypto/committed_key.h"
#include "crypto/hex.h"
#include "crypto/random.h"
#include "crypto/rsa_oaep.h"
#include "kms/byok/import_token.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;

std::vector<std::uint8_t> TokenKey(std::string_view token) {
  return {token.begin(), token.end()};
}

bool WellFormedToken(std::string_view token) {
  return token.size() == 32 &&
         token.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Error UnknownToken() {
  return MakeError(ErrorCode::kInvalidRequest,
                   "no such import token: a token serves one import and lasts 24 hours at most; "
                   "ask for new import parameters");
}

}  // namespace

Result<std::size_t> KeyImporter::Purge(WriteTxn& txn, const crypto::KeyId& key, std::int64_t now) {
  std::vector<std::vector<std::uint8_t>> expired;
  std::size_t live_for_key = 0;
  Status inner;
  KEYHOLD_TRY(txn.ForEach(Table::kImports, {}, {}, [&](Bytes id, Bytes value) {
    auto body = sealer_->Open(Table::kImports, id, value);
    if (!body.ok()) {
      inner = body.error();
      return false;
    }
    auto token = ParseImportToken(body->Reveal(SecretAccess::Get()));
    if (!token.ok()) {
      inner = token.error();
      return false;
    }
    if (token->expires_at <= now) {
      expired.emplace_back(id.begin(), id.end());
    } else if (token->key == key) {
      ++live_for_key;
    }
    return true;
  }));
  KEYHOLD_TRY(inner);
  for (const auto& id : expired) {
    KEYHOLD_TRY(txn.Delete(Table::kImports, id));
  }
  return live_for_key;
}

Result<ImportParams> KeyImporter::NewParams(const crypto::KeyId& key, std::uint32_t bits,
                                            std::int64_t lifetime_s) {
  if (bits != 3072 && bits != 4096) {
    return MakeError(ErrorCode::kInvalidRequest, "the wrapping key is RSA_3072 or RSA_4096");
  }
  if (lifetime_s < kMinImportTokenLifetime || lifetime_s > kMaxImportTokenLifetime) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "an import token lasts between 60 seconds and 24 hours");
  }
  // The key pair is made before the write transaction: generation takes
  // long, and LMDB has one writer.
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<crypto::RsaPrivateKey> rsa,
                           crypto::RsaPrivateKey::Generate(bits));
  KEYHOLD_ASSIGN_OR_RETURN(std::string pem, rsa->PublicKeyPem());
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes der, rsa->ToPkcs8Der());
  KEYHOLD_ASSIGN_OR_RETURN(std::vector<std::uint8_t> random, crypto::RandomBytes(16));
  const std::string token = crypto::HexEncode(random);
  const std::int64_t now = clock_->NowSeconds();
  const ImportToken record{.key = key,
                           .created_at = now,
                           .expires_at = now + lifetime_s,
                           .key_bits = bits,
                           .private_key_der = std::move(der)};
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body, EncodeImportToken(record));
  const auto id = TokenKey(token);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed,
                           sealer_->Seal(Table::kImports, id, body.Reveal(SecretAccess::Get())));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(std::size_t live, Purge(txn, key, now));
  if (live >= kMaxImportTokensPerKey) {
    return MakeError(ErrorCode::kInvalidRequest,
                     key.ToString() + " already has " + std::to_string(live) +
                         " unused import tokens; use or let them expire first");
  }
  KEYHOLD_TRY(txn.Put(Table::kImports, id, sealed));
  KEYHOLD_TRY(txn.Commit());
  return ImportParams{token, std::move(pem), bits, record.expires_at};
}

Result<ImportResult> KeyImporter::Import(const crypto::KeyId& key, const ImportCall& call) {
  if (!WellFormedToken(call.token)) {
    return UnknownToken();
  }
  const auto id = TokenKey(call.token);
  const std::int64_t now = clock_->NowSeconds();
  std::unique_ptr<crypto::RsaPrivateKey> rsa;
  {
    KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
    KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kImports, id));
    if (!raw) {
      return UnknownToken();
    }
    KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body, sealer_->Open(Table::kImports, id, *raw));
    KEYHOLD_ASSIGN_OR_RETURN(ImportToken token, ParseImportToken(body.Reveal(SecretAccess::Get())));
    if (token.key != key) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "this import token is for another key, not " + key.ToString());
    }
    KEYHOLD_TRY(txn.Delete(Table::kImports, id));
    KEYHOLD_TRY(txn.Commit());
    // Expired tokens are deleted too, and only then refused.
    if (token.expires_at <= now) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "the import token has expired; ask for new import parameters");
    }
    KEYHOLD_ASSIGN_OR_RETURN(rsa, crypto::RsaPrivateKey::FromPkcs8Der(token.private_key_der));
  }
  // The token is gone: whatever happens now, this private key answers once.
  KEYHOLD_ASSIGN_OR_RETURN(
      crypto::SecretBytes material,
      crypto::UnwrapKeyMaterial(*rsa, call.algorithm, call.wrapped, crypto::kKeyMaterialSize));
  return keyring_->ImportMaterial(key, material, call.options);
}

}  // namespace keyhold::kms
