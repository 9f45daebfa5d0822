#include "client/keyhold_client.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/base64.h"
#include "crypto/stream_header.h"
#include "crypto/wrapped_blob.h"
#include "kms/api/json.h"

namespace keyhold::client {
namespace {

using Json = nlohmann::json;

Json ContextJson(const crypto::EncryptionContext& context) {
  Json out = Json::object();
  for (const auto& [k, v] : context.entries()) {
    out[k] = v;
  }
  return out;
}

std::string KeyPath(const crypto::KeyId& key, std::string_view operation) {
  // KeyId's character sets need no escaping in a URL path.
  return "/v1/keys/" + key.ToString() + "/" + std::string(operation);
}

Error Malformed(std::string_view what) {
  return MakeError(ErrorCode::kInternal,
                   "the server's answer is malformed (" + std::string(what) + ")");
}

ErrorCode CodeNamed(std::string_view name) {
  for (const auto& row : ErrorCatalogue()) {
    if (row.name == name) {
      return row.code;
    }
  }
  return ErrorCode::kInternal;
}

// Refusal turns a non-2xx answer into the server's error, keeping its code,
// its message and its request id (which the audit log records).
Error Refusal(const HttpResult& answer) {
  auto doc = kms::ParseJsonObject(std::string_view(answer.body.data(), answer.body.size()));
  if (!doc.ok() || !doc->contains("error") || !(*doc)["error"].is_object()) {
    return MakeError(ErrorCode::kInternal,
                     "the server answered HTTP " + std::to_string(answer.status));
  }
  const auto& error = (*doc)["error"];
  auto text = [&](const char* field) {
    if (!error.contains(field) || !error[field].is_string()) {
      return std::string();
    }
    const auto& s = error[field].get_ref<const crypto::SecureString&>();
    return std::string(s.begin(), s.end());
  };
  const std::string code = text("code");
  std::string message = text("message") + " (" + code;
  if (const std::string id = text("request_id"); !id.empty()) {
    message += ", request " + id;
  }
  return MakeError(CodeNamed(code), message + ")");
}

}  // namespace

class KeyholdClient::Call {
 public:
  // Post sends `body` and returns the parsed 2xx answer, or the refusal.
  static Result<kms::SecureJson> Post(KeyholdClient& client, const std::string& target,
                                      const Json& body) {
    client.refused_ = false;
    KEYHOLD_ASSIGN_OR_RETURN(HttpResult answer,
                             client.https_->Request("POST", target, body.dump()));
    if (answer.status < 200 || answer.status > 299) {
      client.refused_ = true;
      return Refusal(answer);
    }
    auto doc = kms::ParseJsonObject(std::string_view(answer.body.data(), answer.body.size()));
    if (!doc.ok()) {
      return Malformed("not a JSON object");
    }
    return std::move(doc).value();
  }
};

Result<std::unique_ptr<KeyholdClient>> KeyholdClient::Create(const ClientOptions& options) {
  KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<HttpsClient> https, HttpsClient::Create(options));
  return std::unique_ptr<KeyholdClient>(new KeyholdClient(std::move(https)));
}

Result<DataKey> KeyholdClient::GenerateDataKey(const crypto::KeyId& key,
                                               const crypto::EncryptionContext& context) {
  const Json body = {{"context", ContextJson(context)}, {"include_plaintext", true}};
  KEYHOLD_ASSIGN_OR_RETURN(kms::SecureJson answer,
                           Call::Post(*this, KeyPath(key, "generate-data-key"), body));
  if (!answer.contains("ciphertext") || !answer["ciphertext"].is_string() ||
      !answer.contains("plaintext") || !answer["plaintext"].is_string() ||
      !answer.contains("key_version") || !answer["key_version"].is_number_unsigned()) {
    return Malformed("generate-data-key fields");
  }
  const auto& b64_wrapped = answer["ciphertext"].get_ref<const crypto::SecureString&>();
  const auto& b64_key = answer["plaintext"].get_ref<const crypto::SecureString&>();
  auto wrapped = crypto::Base64Decode(std::string_view(b64_wrapped.data(), b64_wrapped.size()),
                                      crypto::kMaxStreamWrappedKeySize);
  auto plaintext = crypto::Base64DecodeSecret(std::string_view(b64_key.data(), b64_key.size()), 32);
  if (!wrapped.ok() || !plaintext.ok() || plaintext->size() != 32) {
    return Malformed("generate-data-key base64");
  }
  // The blob must name the key asked for, so that a file's header and its
  // wrapped key can never disagree.
  auto parsed = crypto::ParseBlob(*wrapped);
  if (!parsed.ok() || parsed->header.key_id != key ||
      answer["key_version"].get<std::uint64_t>() != parsed->header.key_version) {
    return Malformed("the wrapped data key names another key or version");
  }
  const std::uint32_t version = parsed->header.key_version;
  return DataKey{.key_id = key,
                 .key_version = version,
                 .wrapped = std::move(wrapped).value(),
                 .plaintext = std::move(plaintext).value()};
}

Result<crypto::SecretBytes> KeyholdClient::UnwrapDataKey(const crypto::KeyId& key,
                                                         std::span<const std::uint8_t> wrapped,
                                                         const crypto::EncryptionContext& context) {
  const Json body = {{"ciphertext", crypto::Base64Encode(wrapped)},
                     {"context", ContextJson(context)}};
  KEYHOLD_ASSIGN_OR_RETURN(kms::SecureJson answer, Call::Post(*this, KeyPath(key, "unwrap"), body));
  if (!answer.contains("plaintext") || !answer["plaintext"].is_string()) {
    return Malformed("unwrap fields");
  }
  const auto& b64 = answer["plaintext"].get_ref<const crypto::SecureString&>();
  auto plaintext = crypto::Base64DecodeSecret(std::string_view(b64.data(), b64.size()), 32);
  if (!plaintext.ok() || plaintext->size() != 32) {
    return Malformed("unwrap did not return a 256-bit data key");
  }
  return std::move(plaintext).value();
}

}  // namespace keyhold::client
