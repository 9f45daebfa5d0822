#include "kms/auth/token_store.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/byte_reader.h"
#include "crypto/hex.h"
#include "crypto/hkdf.h"
#include "crypto/key_id.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace keyhold::kms {

using crypto::SecretAccess;
using crypto::SecretBytes;

struct TokenStore::Record {
  crypto::Sha256Digest hash{};
  TokenInfo info;
};

namespace {

constexpr std::string_view kPrefix = "kh_";
constexpr std::size_t kRawSize = 32;
constexpr std::size_t kTextSize = 3 + 2 * kRawSize;
constexpr std::uint8_t kTokenRecordFormat = 1;
constexpr std::string_view kHashLabel = "keyhold-token-v1";

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated);
}

crypto::Sha256Digest HashOf(std::span<const std::uint8_t> raw) {
  return crypto::Sha256({crypto::AsBytes(kHashLabel), raw});
}

std::string AccessorOf(const crypto::Sha256Digest& hash) {
  return crypto::HexEncode(std::span(hash).first(8));
}

std::vector<std::uint8_t> Encode(const crypto::Sha256Digest& hash, const TokenInfo& i) {
  std::vector<std::uint8_t> out;
  crypto::ByteWriter w(&out);
  w.PutU8(kTokenRecordFormat);
  w.PutBytes(hash);
  w.PutU8(static_cast<std::uint8_t>(i.principal.size()));
  w.PutString(i.principal);
  w.PutU8(static_cast<std::uint8_t>(i.tenant.size()));
  w.PutString(i.tenant);
  w.PutU8(i.roles.bits());
  w.PutU64(static_cast<std::uint64_t>(i.created_at));
  w.PutU64(static_cast<std::uint64_t>(i.expires_at));
  w.PutU64(static_cast<std::uint64_t>(i.revoked_at));
  return out;
}

Result<std::pair<crypto::Sha256Digest, TokenInfo>> Decode(std::span<const std::uint8_t> body,
                                                          const std::string& accessor) {
  crypto::ByteReader r(body);
  std::uint8_t format = 0;
  std::span<const std::uint8_t> hash;
  std::uint8_t plen = 0;
  std::uint8_t tlen = 0;
  std::uint8_t roles = 0;
  std::uint64_t created = 0;
  std::uint64_t expires = 0;
  std::uint64_t revoked = 0;
  TokenInfo info;
  if (!r.ReadU8(&format) || format != kTokenRecordFormat || !r.ReadBytes(32, &hash) ||
      !r.ReadU8(&plen) || !r.ReadString(plen, &info.principal) || !r.ReadU8(&tlen) ||
      !r.ReadString(tlen, &info.tenant) || !r.ReadU8(&roles) || !r.ReadU64(&created) ||
      !r.ReadU64(&expires) || !r.ReadU64(&revoked) || !r.Done()) {
    return MakeError(ErrorCode::kStoreCorrupt, "a token record is malformed");
  }
  crypto::Sha256Digest digest{};
  std::ranges::copy(hash, digest.begin());
  if (AccessorOf(digest) != accessor) {
    return MakeError(ErrorCode::kStoreCorrupt, "a token record is out of place");
  }
  info.accessor = accessor;
  info.roles = RoleSet(roles);
  info.created_at = static_cast<std::int64_t>(created);
  info.expires_at = static_cast<std::int64_t>(expires);
  info.revoked_at = static_cast<std::int64_t>(revoked);
  return std::make_pair(digest, info);
}

Status Validate(const TokenSpec& spec, bool allow_no_expiry) {
  if (!ValidPrincipalName(spec.principal)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "principal must be 1-128 characters of A-Z a-z 0-9 . _ @ : -");
  }
  if (spec.tenant != kAllTenants && !crypto::ValidTenant(spec.tenant)) {
    return MakeError(ErrorCode::kInvalidRequest, "tenant must be a tenant name or \"*\"");
  }
  if (spec.roles.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "a token needs at least one role");
  }
  if (spec.ttl_s < 0 || (spec.ttl_s == 0 && !allow_no_expiry)) {
    return MakeError(ErrorCode::kInvalidRequest, "ttl must be positive");
  }
  return Status::Ok();
}

}  // namespace

bool ValidPrincipalName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return false;
  }
  return std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == ':' || c == '-';
  });
}

Result<std::unique_ptr<TokenStore>> TokenStore::Create(Store* store,
                                                       std::shared_ptr<const RecordSealer> sealer,
                                                       const Clock* clock) {
  if (store == nullptr || sealer == nullptr || clock == nullptr) {
    return MakeError(ErrorCode::kInternal, "token store needs a store, a sealer and a clock");
  }
  return std::unique_ptr<TokenStore>(new TokenStore(store, std::move(sealer), clock));
}

Result<NewToken> TokenStore::MintInTxn(WriteTxn& txn, const RecordSealer& sealer,
                                       const TokenSpec& spec, std::int64_t now) {
  KEYHOLD_TRY(Validate(spec, /*allow_no_expiry=*/true));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes raw, crypto::RandomSecret(kRawSize));
  const auto access = SecretAccess::Get();
  const crypto::Sha256Digest hash = HashOf(raw.Reveal(access));
  NewToken out;
  out.info.accessor = AccessorOf(hash);
  out.info.principal = spec.principal;
  out.info.tenant = spec.tenant;
  out.info.roles = spec.roles;
  out.info.created_at = now;
  out.info.expires_at = spec.ttl_s == 0 ? 0 : now + spec.ttl_s;
  const auto key = crypto::AsBytes(out.info.accessor);
  KEYHOLD_ASSIGN_OR_RETURN(auto existing, txn.Get(Table::kTokens, key));
  if (existing) {
    // 64 random bits of accessor collided: astronomically unlikely, but a
    // token must never overwrite another.
    return MakeError(ErrorCode::kInternal, "token accessor collision; try again");
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed, sealer.Seal(Table::kTokens, key, Encode(hash, out.info)));
  KEYHOLD_TRY(txn.Put(Table::kTokens, key, sealed));
  KEYHOLD_ASSIGN_OR_RETURN(out.token, SecretBytes::Allocate(kTextSize));
  auto text = out.token.RevealMutable(access);
  std::ranges::copy(kPrefix, text.begin());
  // sodium_bin2hex writes a terminating NUL: give it room, then drop it.
  char hex[2 * kRawSize + 1];
  sodium_bin2hex(hex, sizeof(hex), raw.Reveal(access).data(), kRawSize);
  std::copy_n(hex, 2 * kRawSize, text.begin() + 3);
  crypto::Wipe({reinterpret_cast<std::uint8_t*>(hex), sizeof(hex)});
  return out;
}

Result<NewToken> TokenStore::CreateToken(const TokenSpec& spec) {
  KEYHOLD_TRY(Validate(spec, /*allow_no_expiry=*/false));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(NewToken token, MintInTxn(txn, *sealer_, spec, clock_->NowSeconds()));
  KEYHOLD_TRY(txn.Commit());
  return token;
}

Result<std::shared_ptr<const TokenStore::Record>> TokenStore::Load(const std::string& accessor) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(accessor); it != cache_.end()) {
      return it->second;
    }
  }
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  const auto key = crypto::AsBytes(accessor);
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kTokens, key));
  if (!raw) {
    return MakeError(ErrorCode::kNotFound, "no token with this accessor");
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes body, sealer_->Open(Table::kTokens, key, *raw));
  KEYHOLD_ASSIGN_OR_RETURN(auto decoded, Decode(body.Reveal(SecretAccess::Get()), accessor));
  auto record = std::make_shared<const Record>(Record{decoded.first, decoded.second});
  std::lock_guard lock(mu_);
  return cache_.emplace(accessor, std::move(record)).first->second;
}

Result<Principal> TokenStore::Authenticate(std::span<const std::uint8_t> token) {
  if (token.size() != kTextSize || !std::equal(kPrefix.begin(), kPrefix.end(), token.begin())) {
    return Unauthenticated();
  }
  // One text form only, the lowercase one CreateToken shows: sodium_hex2bin
  // alone would also take uppercase digits, giving each token 2^64 spellings.
  if (!std::ranges::all_of(token.subspan(kPrefix.size()), [](std::uint8_t c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return Unauthenticated();
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes raw, SecretBytes::Allocate(kRawSize));
  const auto access = SecretAccess::Get();
  std::size_t raw_len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(raw.RevealMutable(access).data(), kRawSize,
                     reinterpret_cast<const char*>(token.data()) + 3, 2 * kRawSize, nullptr,
                     &raw_len, &end) != 0 ||
      raw_len != kRawSize) {
    return Unauthenticated();
  }
  const crypto::Sha256Digest hash = HashOf(raw.Reveal(access));
  auto record = Load(AccessorOf(hash));
  if (!record.ok()) {
    return record.error().code == ErrorCode::kNotFound ? Unauthenticated() : record.error();
  }
  const Record& r = **record;
  const std::int64_t now = clock_->NowSeconds();
  if (!crypto::ConstantTimeEquals(r.hash, hash) || r.info.revoked_at != 0 ||
      (r.info.expires_at != 0 && now >= r.info.expires_at)) {
    return Unauthenticated();
  }
  return Principal{r.info.principal, r.info.tenant, r.info.roles, "token", r.info.accessor};
}

Result<TokenInfo> TokenStore::Revoke(std::string_view accessor) {
  if (accessor.size() != 16 ||
      accessor.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return MakeError(ErrorCode::kNotFound, "no token with this accessor");
  }
  const std::string name(accessor);
  KEYHOLD_ASSIGN_OR_RETURN(auto current, Load(name));
  if (current->info.revoked_at != 0) {
    return current->info;
  }
  Record next = *current;
  next.info.revoked_at = clock_->NowSeconds();
  const auto key = crypto::AsBytes(name);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed,
                           sealer_->Seal(Table::kTokens, key, Encode(next.hash, next.info)));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_TRY(txn.Put(Table::kTokens, key, sealed));
  KEYHOLD_TRY(txn.Commit());
  std::lock_guard lock(mu_);
  cache_[name] = std::make_shared<const Record>(next);
  return next.info;
}

Result<std::vector<TokenInfo>> TokenStore::List() {
  std::vector<TokenInfo> out;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kTokens, {}, {}, [&](Bytes key, Bytes value) {
    const std::string accessor(key.begin(), key.end());
    auto body = sealer_->Open(Table::kTokens, key, value);
    if (!body.ok()) {
      inner = body.error();
      return false;
    }
    auto decoded = Decode(body->Reveal(SecretAccess::Get()), accessor);
    if (!decoded.ok()) {
      inner = decoded.error();
      return false;
    }
    out.push_back(decoded->second);
    return true;
  }));
  KEYHOLD_TRY(inner);
  return out;
}

}  // namespace keyhold::kms
