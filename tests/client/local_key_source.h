// LocalKeySource: a DataKeySource that wraps data keys in-process under a
// fixed master key, with the same blob format and context binding as the
// server (crypto/wrapped_blob.h). It lets the client layer's tests run
// streams without a server; the integration tests (tests/server/) use a
// real one. It counts calls, and can be told to refuse. Test-only;
// thread-safe.
#ifndef KEYHOLD_TESTS_CLIENT_LOCAL_KEY_SOURCE_H_
#define KEYHOLD_TESTS_CLIENT_LOCAL_KEY_SOURCE_H_

#include <atomic>
#include <memory>
#include <vector>

#include "client/data_key_source.h"
#include "crypto/committed_key.h"
#include "crypto/random.h"
#include "crypto/wrapped_blob.h"

namespace keyhold::client::testing {

class LocalKeySource : public DataKeySource {
 public:
  explicit LocalKeySource(std::uint8_t fill = 0x11)
      : key_(crypto::CommittedKey::Derive(
                 crypto::SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill)).value())
                 .value()) {}

  Result<DataKey> GenerateDataKey(const crypto::KeyId& key,
                                  const crypto::EncryptionContext& context) override {
    ++generated;
    if (refuse) {
      return MakeError(ErrorCode::kForbidden, "refused by the test");
    }
    KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes plaintext, crypto::RandomSecret(32));
    KEYHOLD_ASSIGN_OR_RETURN(
        std::vector<std::uint8_t> wrapped,
        crypto::SealBlob(*key_, key, 1, plaintext.Reveal(crypto::SecretAccess::Get()), context));
    return DataKey{.key_id = key,
                   .key_version = 1,
                   .wrapped = std::move(wrapped),
                   .plaintext = std::move(plaintext)};
  }

  Result<crypto::SecretBytes> UnwrapDataKey(const crypto::KeyId& key,
                                            std::span<const std::uint8_t> wrapped,
                                            const crypto::EncryptionContext& context) override {
    ++unwrapped;
    if (refuse) {
      return MakeError(ErrorCode::kForbidden, "refused by the test");
    }
    KEYHOLD_ASSIGN_OR_RETURN(crypto::ParsedBlob blob, crypto::ParseBlob(wrapped));
    if (blob.header.key_id != key) {
      return MakeError(ErrorCode::kInvalidCiphertext);
    }
    return crypto::OpenBlob(*key_, blob, context);
  }

  std::atomic<int> generated{0};
  std::atomic<int> unwrapped{0};
  std::atomic<bool> refuse{false};

 private:
  std::unique_ptr<crypto::CommittedKey> key_;
};

}  // namespace keyhold::client::testing

#endif  // KEYHOLD_TESTS_CLIENT_LOCAL_KEY_SOURCE_H_
