#include "kms/record_sealer.h"

#include "crypto/aes_gcm.h"
#include "crypto/byte_reader.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace keyhold::kms {
namespace {

using crypto::AsBytes;
using crypto::SecretAccess;
using crypto::SecretBytes;

constexpr std::uint8_t kRecordFormat = 1;
constexpr std::size_t kSaltSize = 32;
constexpr std::string_view kStoreKeyLabel = "keyhold/v1/store-records";
constexpr std::string_view kRecordKeyLabel = "keyhold/v1/record";
constexpr std::string_view kAadLabel = "keyhold-record-v1";

std::vector<std::uint8_t> Aad(Table table, Bytes key) {
  std::vector<std::uint8_t> aad;
  crypto::ByteWriter w(&aad);
  w.PutString(kAadLabel);
  w.PutU8(kRecordFormat);
  w.PutU8(static_cast<std::uint8_t>(table));
  w.PutU32(static_cast<std::uint32_t>(key.size()));
  w.PutBytes(key);
  return aad;
}

Result<std::unique_ptr<crypto::Aes256Gcm>> RecordAead(const SecretBytes& store_key, Bytes salt) {
  KEYHOLD_ASSIGN_OR_RETURN(
      SecretBytes record_key,
      crypto::HkdfSha256(store_key.Reveal(SecretAccess::Get()), salt, AsBytes(kRecordKeyLabel),
                         crypto::Aes256Gcm::kKeySize));
  return crypto::Aes256Gcm::Create(record_key);
}

Error Corrupt() {
  return MakeError(ErrorCode::kStoreCorrupt,
                   "a store record failed authentication (altered, moved, or another root key)");
}

}  // namespace

Result<std::unique_ptr<RecordSealer>> RecordSealer::Create(const SecretBytes& root_key) {
  if (root_key.size() != 32) {
    return MakeError(ErrorCode::kInternal, "root key must be 256 bits");
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      SecretBytes store_key,
      crypto::HkdfSha256(root_key.Reveal(SecretAccess::Get()), {}, AsBytes(kStoreKeyLabel), 32));
  return std::unique_ptr<RecordSealer>(new RecordSealer(std::move(store_key)));
}

Result<std::vector<std::uint8_t>> RecordSealer::Seal(Table table, Bytes key, Bytes body) const {
  std::vector<std::uint8_t> record;
  record.reserve(1 + kSaltSize + crypto::Aes256Gcm::kOverhead + body.size());
  record.push_back(kRecordFormat);
  record.resize(1 + kSaltSize);
  KEYHOLD_TRY(crypto::FillRandom(std::span(record).subspan(1, kSaltSize)));
  KEYHOLD_ASSIGN_OR_RETURN(auto aead, RecordAead(store_key_, std::span(record).subspan(1)));
  KEYHOLD_TRY(aead->Seal(body, Aad(table, key), &record));
  return record;
}

Result<SecretBytes> RecordSealer::Open(Table table, Bytes key, Bytes record) const {
  crypto::ByteReader r(record);
  std::uint8_t format = 0;
  std::span<const std::uint8_t> salt;
  std::span<const std::uint8_t> sealed;
  if (!r.ReadU8(&format) || format != kRecordFormat || !r.ReadBytes(kSaltSize, &salt) ||
      !r.ReadBytes(r.remaining(), &sealed) || sealed.size() < crypto::Aes256Gcm::kOverhead) {
    return Corrupt();
  }
  KEYHOLD_ASSIGN_OR_RETURN(auto aead, RecordAead(store_key_, salt));
  auto body = aead->Open(sealed, Aad(table, key));
  if (!body.ok()) {
    return Corrupt();
  }
  return std::move(body).value();
}

}  // namespace keyhold::kms
