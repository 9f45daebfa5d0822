#include "kms/api/field_reader.h"

#include "crypto/base64.h"

namespace keyhold::kms {
namespace {

Error Wrong(std::string_view name, std::string_view must) {
  return MakeError(ErrorCode::kInvalidRequest,
                   "field '" + std::string(name) + "' must be " + std::string(must));
}

std::string_view View(const crypto::SecureString& s) {
  return {s.data(), s.size()};
}

}  // namespace

const SecureJson* FieldReader::Find(std::string_view name) {
  read_.emplace(name);
  const auto it = object_.find(crypto::SecureString(name.begin(), name.end()));
  if (it == object_.end() || it->is_null()) {
    return nullptr;  // JSON null means absent
  }
  return &*it;
}

Result<std::optional<std::string>> FieldReader::String(std::string_view name,
                                                       std::size_t max_size) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return Wrong(name, "a string");
  }
  const auto& s = v->get_ref<const crypto::SecureString&>();
  if (s.size() > max_size) {
    return Wrong(name, "at most " + std::to_string(max_size) + " bytes");
  }
  return std::optional<std::string>(std::string(s.begin(), s.end()));
}

Result<std::optional<std::uint64_t>> FieldReader::Uint(std::string_view name, std::uint64_t min,
                                                       std::uint64_t max) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<std::uint64_t>();
  }
  // nlohmann parses every non-negative integer as unsigned; negative numbers
  // and floats (1.0, 1e3) are refused: a count is written as an integer.
  if (!v->is_number_unsigned()) {
    return Wrong(name, "a non-negative integer");
  }
  const auto value = v->get<std::uint64_t>();
  if (value < min || value > max) {
    return Wrong(name, "between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return std::optional<std::uint64_t>(value);
}

Result<std::optional<bool>> FieldReader::Bool(std::string_view name) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<bool>();
  }
  if (!v->is_boolean()) {
    return Wrong(name, "true or false");
  }
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::vector<std::uint8_t>>> FieldReader::Base64(std::string_view name,
                                                                     std::size_t max_decoded) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<std::vector<std::uint8_t>>();
  }
  if (!v->is_string()) {
    return Wrong(name, "a base64 string");
  }
  auto bytes = crypto::Base64Decode(View(v->get_ref<const crypto::SecureString&>()), max_decoded);
  if (!bytes.ok()) {
    return Wrong(name, "canonical base64 (RFC 4648, padded, no whitespace) of at most " +
                           std::to_string(max_decoded) + " bytes");
  }
  return std::optional<std::vector<std::uint8_t>>(std::move(bytes).value());
}

Result<std::optional<crypto::SecretBytes>> FieldReader::SecretBase64(std::string_view name,
                                                                     std::size_t max_decoded) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<crypto::SecretBytes>();
  }
  if (!v->is_string()) {
    return Wrong(name, "a base64 string");
  }
  auto bytes =
      crypto::Base64DecodeSecret(View(v->get_ref<const crypto::SecureString&>()), max_decoded);
  if (!bytes.ok()) {
    return Wrong(name, "canonical base64 (RFC 4648, padded, no whitespace) of at most " +
                           std::to_string(max_decoded) + " bytes");
  }
  return std::optional<crypto::SecretBytes>(std::move(bytes).value());
}

Result<std::optional<crypto::SecretBytes>> FieldReader::SecretString(std::string_view name,
                                                                     std::size_t max_size) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<crypto::SecretBytes>();
  }
  if (!v->is_string()) {
    return Wrong(name, "a string");
  }
  const auto& s = v->get_ref<const crypto::SecureString&>();
  if (s.size() > max_size) {
    return Wrong(name, "at most " + std::to_string(max_size) + " bytes");
  }
  auto copy =
      crypto::SecretBytes::CopyFrom({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  if (!copy.ok()) {
    return copy.error();
  }
  return std::optional<crypto::SecretBytes>(std::move(copy).value());
}

Result<crypto::EncryptionContext> FieldReader::Context(std::string_view name) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return crypto::EncryptionContext();
  }
  if (!v->is_object()) {
    return MakeError(ErrorCode::kInvalidContext,
                     "field '" + std::string(name) + "' must be an object of strings");
  }
  std::vector<crypto::EncryptionContext::Entry> entries;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      return MakeError(ErrorCode::kInvalidContext,
                       "field '" + std::string(name) + "': every value must be a string");
    }
    const auto& key = it.key();
    const auto& value = it.value().get_ref<const crypto::SecureString&>();
    entries.emplace_back(std::string(key.begin(), key.end()),
                         std::string(value.begin(), value.end()));
  }
  return crypto::EncryptionContext::Create(std::move(entries));
}

Result<std::optional<std::vector<std::string>>> FieldReader::StringList(std::string_view name,
                                                                        std::size_t max_items,
                                                                        std::size_t max_size) {
  const SecureJson* v = Find(name);
  if (v == nullptr) {
    return std::optional<std::vector<std::string>>();
  }
  if (!v->is_array() || v->size() > max_items) {
    return Wrong(name, "an array of at most " + std::to_string(max_items) + " strings");
  }
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string() || item.get_ref<const crypto::SecureString&>().size() > max_size) {
      return Wrong(name, "an array of strings of at most " + std::to_string(max_size) + " bytes");
    }
    const auto& s = item.get_ref<const crypto::SecureString&>();
    out.emplace_back(s.begin(), s.end());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<const SecureJson*> FieldReader::Object(std::string_view name) {
  const SecureJson* v = Find(name);
  if (v != nullptr && !v->is_object()) {
    return Wrong(name, "an object");
  }
  return v;
}

Status FieldReader::Finish() const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    const auto& key = it.key();
    const std::string_view k(key.data(), key.size());
    if (!read_.contains(k)) {
      if (IsQuotableName(k)) {
        return MakeError(ErrorCode::kInvalidRequest, "unknown field '" + std::string(k) + "'");
      }
      return MakeError(ErrorCode::kInvalidRequest, "unknown field (name not shown)");
    }
  }
  return Status::Ok();
}

}  // namespace keyhold::kms
