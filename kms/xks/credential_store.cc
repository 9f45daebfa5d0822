#include "kms/xks/credential_store.h"

#include <algorithm>

#include "crypto/base64.h"
#include "crypto/byte_reader.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace keyhold::kms {

using crypto::SecretAccess;
using crypto::SecretBytes;

struct XksCredentialStore::Record {
  XksCredentialInfo info;
  SecretBytes secret;  // the base64 text AWS KMS signs with
};

namespace {

constexpr std::uint8_t kRecordFormat = 1;
constexpr std::size_t kIdSize = 24;
constexpr std::size_t kSecretBytes = 32;
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated, "unknown or revoked access key id");
}

// Encode writes the record into guarded memory: it holds the secret.
Result<SecretBytes> Encode(const XksCredentialInfo& i, const SecretBytes& secret) {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kRecordFormat);
  w.PutU8(static_cast<std::uint8_t>(i.key_store.size()));
  w.PutString(i.key_store);
  w.PutU64(static_cast<std::uint64_t>(i.created_at));
  w.PutU64(static_cast<std::uint64_t>(i.revoked_at));
  const std::size_t fixed = out.size();
  out.resize(fixed + 1 + secret.size());
  out[fixed] = static_cast<std::uint8_t>(secret.size());
  std::ranges::copy(secret.Reveal(SecretAccess::Get()), out.begin() + fixed + 1);
  auto body = SecretBytes::CopyFrom(out);
  crypto::Wipe(out);
  return body;
}

Result<XksCredentialStore::Record> Decode(std::span<const std::uint8_t> body,
                                          const std::string& id) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  std::uint8_t store_len = 0;
  std::uint64_t created = 0;
  std::uint64_t revoked = 0;
  std::uint8_t secret_len = 0;
  std::span<const std::uint8_t> secret;
  XksCredentialStore::Record record;
  if (!r.ReadU8(&format) || format != kRecordFormat || !r.ReadU8(&store_len) ||
      !r.ReadString(store_len, &record.info.key_store) || !r.ReadU64(&created) ||
      !r.ReadU64(&revoked) || !r.ReadU8(&secret_len) || !r.ReadBytes(secret_len, &secret) ||
      !r.Done()) {
    return MakeError(ErrorCode::kStoreCorrupt, "an XKS credential record is malformed");
  }
  KEYHOLD_ASSIGN_OR_RETURN(record.secret, SecretBytes::CopyFrom(secret));
  record.info.access_key_id = id;
  record.info.created_at = static_cast<std::int64_t>(created);
  record.info.revoked_at = static_cast<std::int64_t>(revoked);
  return record;
}

}  // namespace

bool ValidXksAccessKeyId(std::string_view id) {
  return id.size() == kIdSize && std::ranges::all_of(id, [](char c) {
           return kIdAlphabet.find(c) != std::string_view::npos;
         });
}

Result<std::unique_ptr<XksCredentialStore>> XksCredentialStore::Create(
    Store* store, std::shared_ptr<const RecordSealer> sealer, const Clock* clock) {
  if (store == nullptr || sealer == nullptr || clock == nullptr) {
    return MakeError(ErrorCode::kInternal, "XKS credentials need a store, a sealer and a clock");
  }
  return std::unique_ptr<XksCredentialStore>(
      new XksCredentialStore(store, std::move(sealer), clock));
}

Result<NewXksCredential> XksCredentialStore::CreateCredential(std::string_view key_store) {
  if (key_store.empty() || key_store.size() > 32) {
    return MakeError(ErrorCode::kInvalidRequest, "key_store must be a configured key store");
  }
  std::lock_guard write_lock(write_mu_);
  KEYHOLD_ASSIGN_OR_RETURN(auto all, List());
  const auto live = std::ranges::count_if(all, [&](const XksCredentialInfo& i) {
    return i.key_store == key_store && i.revoked_at == 0;
  });
  if (static_cast<std::size_t>(live) >= kMaxXksCredentialsPerStore) {
    return MakeError(ErrorCode::kInvalidRequest, "key store " + std::string(key_store) + " has " +
                                                     std::to_string(kMaxXksCredentialsPerStore) +
                                                     " live credentials: revoke one first");
  }
  // 32 divides 256: a random byte mod 32 is an unbiased character.
  KEYHOLD_ASSIGN_OR_RETURN(auto id_bytes, crypto::RandomBytes(kIdSize));
  NewXksCredential out;
  for (std::uint8_t b : id_bytes) {
    out.info.access_key_id.push_back(kIdAlphabet[b % 32]);
  }
  out.info.key_store = std::string(key_store);
  out.info.created_at = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes raw, crypto::RandomSecret(kSecretBytes));
  KEYHOLD_ASSIGN_OR_RETURN(out.secret, crypto::Base64EncodeSecret(raw));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, Encode(out.info, out.secret));
  const auto key = crypto::AsBytes(out.info.access_key_id);
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kXksCredentials, key));
  if (existing) {
    return MakeError(ErrorCode::kInternal, "access key id collision; try again");
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      auto sealed, sealer_->Seal(Table::kXksCredentials, key, body.Reveal(SecretAccess::Get())));
  KEYHOLD_TRY(txn.Put(Table::kXksCredentials, key, sealed));
  KEYHOLD_TRY(txn.Commit());
  return out;
}

Result<std::shared_ptr<const XksCredentialStore::Record>> XksCredentialStore::Load(
    const std::string& access_key_id) {
  std::uint64_t revocations = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(access_key_id); it != cache_.end()) {
      return it->second;
    }
    revocations = revocations_;
  }
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  const auto key = crypto::AsBytes(access_key_id);
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kXksCredentials, key));
  if (!raw) {
    return MakeError(ErrorCode::kNotFound, "no XKS credential with this access key id");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, sealer_->Open(Table::kXksCredentials, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(Record decoded, Decode(body.Reveal(SecretAccess::Get()), access_key_id));
  auto record = std::make_shared<const Record>(std::move(decoded));
  std::lock_guard lock(mu_);
  if (revocations != revocations_) {
    return record;  // maybe read before a revocation: answer it, never keep it
  }
  return cache_.insert_or_assign(access_key_id, std::move(record)).first->second;
}

Result<XksSecret> XksCredentialStore::Lookup(std::string_view access_key_id) {
  if (!ValidXksAccessKeyId(access_key_id)) {
    return Unauthenticated();
  }
  auto record = Load(std::string(access_key_id));
  if (!record.ok()) {
    return record.error().code == ErrorCode::kNotFound ? Unauthenticated() : record.error();
  }
  if ((*record)->info.revoked_at != 0) {
    return Unauthenticated();
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes secret, (*record)->secret.Clone());
  return XksSecret{(*record)->info.key_store, std::move(secret)};
}

Result<XksCredentialInfo> XksCredentialStore::Revoke(std::string_view access_key_id) {
  if (!ValidXksAccessKeyId(access_key_id)) {
    return MakeError(ErrorCode::kNotFound, "no XKS credential with this access key id");
  }
  std::lock_guard write_lock(write_mu_);
  const std::string id(access_key_id);
  {
    std::lock_guard lock(mu_);
    cache_.erase(id);  // read it again from the store, under the write lock
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto record, Load(id));
  if (record->info.revoked_at != 0) {
    return record->info;
  }
  XksCredentialInfo info = record->info;
  info.revoked_at = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, Encode(info, record->secret));
  const auto key = crypto::AsBytes(id);
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(
      auto sealed, sealer_->Seal(Table::kXksCredentials, key, body.Reveal(SecretAccess::Get())));
  KEYHOLD_TRY(txn.Put(Table::kXksCredentials, key, sealed));
  KEYHOLD_TRY(txn.Commit());
  // Only once durable does the revocation show: then at once.
  std::lock_guard lock(mu_);
  ++revocations_;
  cache_.erase(id);
  return info;
}

Result<std::vector<XksCredentialInfo>> XksCredentialStore::List() {
  std::vector<XksCredentialInfo> out;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kXksCredentials, {}, {}, [&](Bytes key, Bytes value) {
    const std::string id(key.begin(), key.end());
    auto body = sealer_->Open(Table::kXksCredentials, key, value);
    if (!body.ok()) {
      inner = body.error();
      return false;
    }
    auto decoded = Decode(body->Reveal(SecretAccess::Get()), id);
    if (!decoded.ok()) {
      inner = decoded.error();
      return false;
    }
    out.push_back(decoded->info);
    return true;
  }));
  KEYHOLD_TRY(inner);
  return out;
}

}  // namespace keyhold::kms
