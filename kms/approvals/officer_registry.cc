#include "kms/approvals/officer_registry.h"

#include "crypto/byte_reader.h"
#include "crypto/hkdf.h"
#include "kms/auth/token_store.h"

namespace keyhold::kms {
namespace {

constexpr std::uint8_t kOfficerRecordFormat = 1;

std::vector<std::uint8_t> Encode(const Officer& o) {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kOfficerRecordFormat);
  w.PutBytes(o.public_key);
  w.PutU64(static_cast<std::uint64_t>(o.enrolled_at));
  w.PutU8(static_cast<std::uint8_t>(o.enrolled_by.size()));
  w.PutString(o.enrolled_by);
  return out;
}

Result<Officer> Decode(std::string_view principal, std::span<const std::uint8_t> body) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  std::span<const std::uint8_t> key;
  std::uint64_t at = 0;
  std::uint8_t by_len = 0;
  std::string by;
  Officer o;
  if (!r.ReadU8(&format) || format != kOfficerRecordFormat || !r.ReadBytes(32, &key) ||
      !r.ReadU64(&at) || !r.ReadU8(&by_len) || !r.ReadString(by_len, &by) || r.remaining() != 0) {
    return MakeError(ErrorCode::kStoreCorrupt, "an officer record failed to decode");
  }
  o.principal = std::string(principal);
  std::copy(key.begin(), key.end(), o.public_key.begin());
  o.enrolled_at = static_cast<std::int64_t>(at);
  o.enrolled_by = std::move(by);
  return o;
}

}  // namespace

Result<std::optional<Officer>> OfficerRegistry::FindInTxn(ReadTxn& txn, const RecordSealer& sealer,
                                                          std::string_view principal) {
  const auto key = crypto::AsBytes(principal);
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kOfficers, key));
  if (!raw) {
    return std::optional<Officer>();
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body, sealer.Open(Table::kOfficers, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(Officer o, Decode(principal, body.Reveal(crypto::SecretAccess::Get())));
  return std::optional<Officer>(std::move(o));
}

Result<Officer> OfficerRegistry::Enrol(std::string_view principal,
                                       const crypto::Ed25519PublicKey& public_key,
                                       std::string_view by) {
  if (!ValidPrincipalName(principal)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "an officer is a principal name: 1-128 characters of A-Z a-z 0-9 . _ @ : -");
  }
  Officer o{std::string(principal), public_key, clock_->NowSeconds(),
            std::string(by.substr(0, 128))};
  const auto key = crypto::AsBytes(principal);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed, sealer_->Seal(Table::kOfficers, key, Encode(o)));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_TRY(txn.Put(Table::kOfficers, key, sealed));
  KEYHOLD_TRY(txn.Commit());
  return o;
}

Status OfficerRegistry::Remove(std::string_view principal) {
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kOfficers, crypto::AsBytes(principal)));
  if (!existing) {
    return MakeError(ErrorCode::kNotFound,
                     "no officer is enrolled as '" + std::string(principal.substr(0, 128)) + "'");
  }
  KEYHOLD_TRY(txn.Delete(Table::kOfficers, crypto::AsBytes(principal)));
  return txn.Commit();
}

Result<std::vector<Officer>> OfficerRegistry::List() {
  std::vector<Officer> out;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kOfficers, {}, {}, [&](Bytes key, Bytes value) {
    const std::string_view principal(reinterpret_cast<const char*>(key.data()), key.size());
    auto body = sealer_->Open(Table::kOfficers, key, value);
    auto o = body.ok() ? Decode(principal, body->Reveal(crypto::SecretAccess::Get()))
                       : Result<Officer>(body.error());
    if (!o.ok()) {
      inner = o.error();
      return false;
    }
    out.push_back(std::move(o).value());
    return true;
  }));
  KEYHOLD_TRY(inner);
  return out;
}

}  // namespace keyhold::kms
