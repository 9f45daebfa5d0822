// FieldReader: typed, strict access to the fields of a request object.
//
// Every field a handler reads is checked for its type and bounds; Finish()
// then refuses any field nobody read, naming it, so a misspelt option is an
// error instead of being silently ignored. Errors are kInvalidRequest with
// the field's name and what it must be. Not thread-safe (one per request).
#ifndef KEYHOLD_KMS_API_FIELD_READER_H_
#define KEYHOLD_KMS_API_FIELD_READER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/secret_bytes.h"
#include "kms/api/json.h"

namespace keyhold::kms {

class FieldReader {
 public:
  // `object` must be a JSON object and outlive the reader.
  explicit FieldReader(const SecureJson& object) : object_(object) {}

  // String returns a non-secret string field of at most `max_size` bytes.
  Result<std::optional<std::string>> String(std::string_view name, std::size_t max_size);
  // Uint returns an integer field in [min, max].
  Result<std::optional<std::uint64_t>> Uint(std::string_view name, std::uint64_t min,
                                            std::uint64_t max);
  Result<std::optional<bool>> Bool(std::string_view name);
  // Base64 decodes a base64 field of public bytes (a ciphertext).
  Result<std::optional<std::vector<std::uint8_t>>> Base64(std::string_view name,
                                                          std::size_t max_decoded);
  // SecretBase64 decodes a base64 field straight into guarded memory.
  Result<std::optional<crypto::SecretBytes>> SecretBase64(std::string_view name,
                                                          std::size_t max_decoded);
  // SecretString copies a string field (a passphrase, a share) into guarded
  // memory.
  Result<std::optional<crypto::SecretBytes>> SecretString(std::string_view name,
                                                          std::size_t max_size);
  // Context reads an encryption context: an object whose values are all
  // strings. Absent means the empty context.
  Result<crypto::EncryptionContext> Context(std::string_view name);
  // StringList reads an array of strings.
  Result<std::optional<std::vector<std::string>>> StringList(std::string_view name,
                                                             std::size_t max_items,
                                                             std::size_t max_size);
  // Object returns a nested object field for another reader.
  Result<const SecureJson*> Object(std::string_view name);

  // Finish refuses fields that were never read.
  Status Finish() const;

 private:
  const SecureJson* Find(std::string_view name);
  const SecureJson& object_;
  std::set<std::string, std::less<>> read_;
};

// Require turns an absent optional into kInvalidRequest naming the field.
template <class T>
Result<T> Require(Result<std::optional<T>> field, std::string_view name) {
  if (!field.ok()) {
    return field.error();
  }
  if (!field->has_value()) {
    return MakeError(ErrorCode::kInvalidRequest, "field '" + std::string(name) + "' is required");
  }
  return std::move(**field);
}

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_FIELD_READER_H_
