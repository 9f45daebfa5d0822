#include "client/data_key_cache.h"

#include <vector>

#include "crypto/byte_reader.h"

namespace keyhold::client {
namespace {

enum class Kind : std::uint8_t { kGenerated = 1, kUnwrapped = 2 };

// EntryId encodes what an entry answers, every part length-prefixed so that
// two different questions never share an id.
std::string EntryId(Kind kind, const crypto::KeyId& key, const crypto::EncryptionContext& context,
                    std::span<const std::uint8_t> wrapped) {
  std::vector<std::uint8_t> canonical;
  context.AppendCanonical(&canonical);
  std::vector<std::uint8_t> id;
  crypto::ByteWriter w(&id);
  w.PutU8(static_cast<std::uint8_t>(kind));
  const std::string name = key.ToString();
  w.PutU32(static_cast<std::uint32_t>(name.size()));
  w.PutString(name);
  w.PutU32(static_cast<std::uint32_t>(canonical.size()));
  w.PutBytes(canonical);
  w.PutU32(static_cast<std::uint32_t>(wrapped.size()));
  w.PutBytes(wrapped);
  return std::string(id.begin(), id.end());
}

Result<DataKey> Copy(const DataKey& key) {
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes plaintext, key.plaintext.Clone());
  return DataKey{.key_id = key.key_id,
                 .key_version = key.key_version,
                 .wrapped = key.wrapped,
                 .plaintext = std::move(plaintext)};
}

}  // namespace

Result<std::unique_ptr<CachingDataKeySource>> CachingDataKeySource::Create(
    DataKeySource* inner, const DataKeyCacheOptions& options, Clock clock) {
  // One use per key would never hit: the fetch is the key's first use.
  if (inner == nullptr || options.max_age.count() <= 0 || options.max_uses < 2 ||
      options.max_entries == 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "a data key cache needs a source, a positive age and size, and 2 or more "
                     "uses per key");
  }
  if (!clock) {
    clock = [] { return std::chrono::steady_clock::now(); };
  }
  return std::unique_ptr<CachingDataKeySource>(
      new CachingDataKeySource(inner, options, std::move(clock)));
}

std::list<CachingDataKeySource::Entry>::iterator CachingDataKeySource::Find(const std::string& id) {
  const auto now = clock_();
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now >= it->expires) {
      it = entries_.erase(it);  // SecretBytes wipes the key
    } else if (it->id == id) {
      return it;
    } else {
      ++it;
    }
  }
  return entries_.end();
}

Result<DataKey> CachingDataKeySource::Take(std::list<Entry>::iterator it) {
  KEYHOLD_ASSIGN_OR_RETURN(DataKey copy, Copy(it->key));
  if (--it->uses_left == 0) {
    entries_.erase(it);
  } else {
    entries_.splice(entries_.begin(), entries_, it);
  }
  return copy;
}

void CachingDataKeySource::Insert(std::string id, DataKey key) {
  // The call that fetched the key was its first use (max_uses >= 2).
  entries_.push_front(Entry{.id = std::move(id),
                            .expires = clock_() + options_.max_age,
                            .uses_left = options_.max_uses - 1,
                            .key = std::move(key)});
  while (entries_.size() > options_.max_entries) {
    entries_.pop_back();
  }
}

Result<DataKey> CachingDataKeySource::GenerateDataKey(const crypto::KeyId& key,
                                                      const crypto::EncryptionContext& context) {
  std::string id = EntryId(Kind::kGenerated, key, context, {});
  std::lock_guard lock(mu_);
  if (auto it = Find(id); it != entries_.end()) {
    return Take(it);
  }
  KEYHOLD_ASSIGN_OR_RETURN(DataKey fresh, inner_->GenerateDataKey(key, context));
  KEYHOLD_ASSIGN_OR_RETURN(DataKey kept, Copy(fresh));
  Insert(std::move(id), std::move(kept));
  return fresh;
}

Result<crypto::SecretBytes> CachingDataKeySource::UnwrapDataKey(
    const crypto::KeyId& key, std::span<const std::uint8_t> wrapped,
    const crypto::EncryptionContext& context) {
  std::string id = EntryId(Kind::kUnwrapped, key, context, wrapped);
  std::lock_guard lock(mu_);
  if (auto it = Find(id); it != entries_.end()) {
    KEYHOLD_ASSIGN_OR_RETURN(DataKey hit, Take(it));
    return std::move(hit.plaintext);
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes plaintext,
                           inner_->UnwrapDataKey(key, wrapped, context));
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes kept, plaintext.Clone());
  Insert(std::move(id), DataKey{.key_id = key,
                                .key_version = 0,
                                .wrapped = {wrapped.begin(), wrapped.end()},
                                .plaintext = std::move(kept)});
  return plaintext;
}

void CachingDataKeySource::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace keyhold::client
