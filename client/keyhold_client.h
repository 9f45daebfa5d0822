// KeyholdClient: typed calls to a Keyhold server over HTTPS
// (client/https_client.h) for applications that encrypt before upload:
// generate-data-key and unwrap. It is a DataKeySource, so file encryption
// (client/file_envelope.h) can use it directly or behind a cache.
//
// A refusal by the server comes back as the server's own error code and
// message, with its request id; refused() tells a refusal (an answer that
// was not 2xx) from a local failure (no connection, TLS, a malformed
// answer). Data keys arrive in guarded memory and stay there. Not
// thread-safe: one client per thread, or a cache in front
// (client/data_key_cache.h). May include: std, nlohmann/json, crypto/,
// client/, kms/api/json.h.
#ifndef KEYHOLD_CLIENT_KEYHOLD_CLIENT_H_
#define KEYHOLD_CLIENT_KEYHOLD_CLIENT_H_

#include <memory>

#include "client/data_key_source.h"
#include "client/https_client.h"

namespace keyhold::client {

// KeyholdClient is one HTTPS connection to one server, with one credential.
class KeyholdClient final : public DataKeySource {
 public:
  // Create checks the options (see ClientOptions) and loads the TLS
  // material; it connects on the first call.
  static Result<std::unique_ptr<KeyholdClient>> Create(const ClientOptions& options);

  Result<DataKey> GenerateDataKey(const crypto::KeyId& key,
                                  const crypto::EncryptionContext& context) override;
  Result<crypto::SecretBytes> UnwrapDataKey(const crypto::KeyId& key,
                                            std::span<const std::uint8_t> wrapped,
                                            const crypto::EncryptionContext& context) override;

  // refused reports whether the last failed call was answered by the server
  // with a refusal (any status but 2xx), rather than failing locally.
  bool refused() const { return refused_; }

 private:
  explicit KeyholdClient(std::unique_ptr<HttpsClient> https) : https_(std::move(https)) {}
  class Call;
  std::unique_ptr<HttpsClient> https_;
  bool refused_ = false;
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_KEYHOLD_CLIENT_H_
