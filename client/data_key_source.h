// DataKeySource: where file encryption gets its data keys. One call makes a
// fresh data key and its wrapped form; the other turns a wrapped data key
// back into the key. KeyholdClient (client/keyhold_client.h) asks a Keyhold
// server; CachingDataKeySource (client/data_key_cache.h) reuses recent
// answers. Implementations say whether they are thread-safe. May include:
// std, crypto/.
#ifndef KEYHOLD_CLIENT_DATA_KEY_SOURCE_H_
#define KEYHOLD_CLIENT_DATA_KEY_SOURCE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"

namespace keyhold::client {

// DataKey is a 256-bit data key in guarded memory and the same key wrapped
// by master key `key_id`, version `key_version` (a wrapped blob,
// docs/formats.md).
struct DataKey {
  crypto::KeyId key_id;
  std::uint32_t key_version = 0;
  std::vector<std::uint8_t> wrapped;
  crypto::SecretBytes plaintext;
};

// DataKeySource is the interface; see above.
class DataKeySource {
 public:
  virtual ~DataKeySource() = default;

  // GenerateDataKey returns a data key wrapped under `key` and bound to
  // `context`: unwrapping it needs the same context.
  virtual Result<DataKey> GenerateDataKey(const crypto::KeyId& key,
                                          const crypto::EncryptionContext& context) = 0;

  // UnwrapDataKey returns the data key that `wrapped` holds, which must name
  // `key` and have been bound to `context`.
  virtual Result<crypto::SecretBytes> UnwrapDataKey(const crypto::KeyId& key,
                                                    std::span<const std::uint8_t> wrapped,
                                                    const crypto::EncryptionContext& context) = 0;
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_DATA_KEY_SOURCE_H_
