// json_request_fuzzer: kms::ParseJsonObject, every Decode* function of
// kms/api/requests.h and the XKS proxy API decoders of kms/xks/xks_request.h
// on arbitrary bytes (a request body without the HTTP around it).
// Properties:
//   - ParseJsonObject agrees with an independent oracle, nlohmann's SAX
//     parser over the same bytes with the depth and duplicate-key rules
//     applied in the same order: the same outcome, the same error text (and
//     byte offset), always kInvalidRequest; no body with a NUL byte parses;
//   - a parsed document is an object, no deeper than kMaxJsonDepth, holding
//     exactly as many keys as the input spelt (no duplicate merged away), and
//     Dump then ParseJsonObject gives an equal document;
//   - an error never quotes the input: no 8 bytes of it appear in the message
//     unless it names a duplicate key; decoder errors may name fields, never
//     a string value;
//   - decoders never throw, fail only with kInvalidRequest, kInvalidContext or
//     kInvalidKeyId, accept no field outside their own, and what they return
//     obeys the documented bounds;
//   - the XKS decoders (DecodeXksMetadata for each operation, DecodeXksEncrypt,
//     DecodeXksDecrypt) never throw, fail only with kInvalidRequest or
//     kPayloadTooLarge (and kInvalidCiphertext for a tag, IV or
//     ciphertextMetadata over its bound), quote no string value, tolerate
//     unknown fields, and return exactly what the body spelt, within
//     Keyhold's limits; only a field longer than its limit allows is
//     refused for size, and canonical base64 beyond a limit is never
//     kInvalidRequest; encrypt and decrypt agree with the metadata decoder
//     of their operation;
//   - the access request decoders (DecodeAccessRequestBody, DecodeApprove,
//     DecodeDeny, DecodeEnrolOfficer) return exactly what the body spelt: a
//     window time formats back (gmtime_r, an independent oracle) to the text
//     it was read from; a signature is 64 bytes and a public key 32, each
//     the canonical base64 the body held; a comment is the body's string.
// Test-only.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base64.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/secret_bytes.h"
#include "crypto/wrapped_blob.h"
#include "kms/api/json.h"
#include "kms/api/requests.h"
#include "kms/xks/xks_request.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::ErrorCode;
using keyhold::kms::IsQuotableName;
using keyhold::kms::kMaxJsonDepth;
using keyhold::kms::SecureJson;

constexpr std::size_t kWindow = 8;  // longest stretch of input a message may quote, plus one

// The outcome the oracle predicts for ParseJsonObject.
enum class Expect { kObject, kNotObject, kTooDeep, kDuplicateKey, kSyntax, kOtherJsonError };

// Oracle: SAX events of nlohmann's own parser, with ParseJsonObject's two
// rules checked here independently. It stops at the first broken rule, as
// ParseJsonObject does.
class Oracle {
 public:
  using string_t = SecureJson::string_t;

  bool null() { return Value(false); }
  bool boolean(bool) { return Value(false); }
  bool number_integer(SecureJson::number_integer_t) { return Value(false); }
  bool number_unsigned(SecureJson::number_unsigned_t) { return Value(false); }
  // Templates: sax_parse instantiates the binary formats too, which pass
  // std::string; only the JSON text path runs here.
  template <class S>
  bool number_float(SecureJson::number_float_t, const S&) {
    return Value(false);
  }
  template <class S>
  bool string(S&) {
    return Value(false);
  }
  bool binary(SecureJson::binary_t&) { return Value(false); }

  bool start_object(std::size_t) {
    if (!Open(true)) {
      return false;
    }
    keys_.emplace_back();
    return true;
  }
  template <class S>
  bool key(S& key) {
    if (!keys_.back().emplace(key.begin(), key.end()).second) {
      outcome_ = Expect::kDuplicateKey;
      duplicate_.assign(key.begin(), key.end());
      duplicate_depth_ = depth_;
      return false;
    }
    ++key_count_;
    return true;
  }
  bool end_object() {
    keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) { return Open(false); }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception& e) {
    if (const auto* syntax = dynamic_cast<const nlohmann::json::parse_error*>(&e)) {
      outcome_ = Expect::kSyntax;
      error_byte_ = syntax->byte;
    } else {
      outcome_ = Expect::kOtherJsonError;
    }
    return false;
  }

  // Finish records the outcome of sax_parse over `input`. nlohmann's lexer
  // takes a NUL byte outside a string for the end of input; a NUL is never
  // valid JSON, so a parse that got past one is a syntax error at the NUL.
  void Finish(std::string_view input) {
    if (outcome_) {
      return;
    }
    if (const std::size_t nul = input.find('\0'); nul != std::string_view::npos) {
      outcome_ = Expect::kSyntax;
      error_byte_ = nul + 1;  // nlohmann counts bytes read, the NUL included
    }
  }

  // Expected returns the outcome once Finish has run.
  Expect Expected() const {
    if (outcome_) {
      return *outcome_;
    }
    return root_is_object_ ? Expect::kObject : Expect::kNotObject;
  }
  // ExpectedMessage is ParseJsonObject's text for a failing outcome.
  std::string ExpectedMessage() const {
    switch (Expected()) {
      case Expect::kNotObject:
        return "the request body must be a JSON object";
      case Expect::kTooDeep:
        return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      case Expect::kDuplicateKey:
        // Only a name spelt like the API's own is quoted back.
        return IsQuotableName(duplicate_)
                   ? "duplicate JSON key \"" + duplicate_ + "\""
                   : "duplicate JSON key in an object at depth " + std::to_string(duplicate_depth_);
      case Expect::kSyntax:
        return "malformed JSON at byte " + std::to_string(error_byte_);
      case Expect::kOtherJsonError:
        return "malformed JSON";
      default:
        return "";
    }
  }
  std::size_t key_count() const { return key_count_; }

 private:
  bool Value(bool is_object) {
    if (first_value_) {
      root_is_object_ = is_object;
      first_value_ = false;
    }
    return true;
  }
  bool Open(bool is_object) {
    Value(is_object);
    if (depth_ >= kMaxJsonDepth) {
      outcome_ = Expect::kTooDeep;
      return false;
    }
    ++depth_;
    return true;
  }

  int depth_ = 0;
  bool first_value_ = true;
  bool root_is_object_ = false;
  std::vector<std::set<string_t>> keys_;
  std::size_t key_count_ = 0;
  std::optional<Expect> outcome_;
  std::string duplicate_;
  int duplicate_depth_ = 0;
  std::size_t error_byte_ = 0;
};

// Depth counts nested containers: a scalar is 0, {} is 1.
int Depth(const SecureJson& j) {
  int deepest = 0;
  if (j.is_structured()) {
    for (const auto& child : j) {
      deepest = std::max(deepest, Depth(child));
    }
    return deepest + 1;
  }
  return 0;
}

// CountKeys sums the sizes of every object in `j`.
std::size_t CountKeys(const SecureJson& j) {
  std::size_t n = j.is_object() ? j.size() : 0;
  if (j.is_structured()) {
    for (const auto& child : j) {
      n += CountKeys(child);
    }
  }
  return n;
}

// Collect gathers every object key and every string value of `j`.
void Collect(const SecureJson& j, std::vector<std::string>* keys,
             std::vector<std::string>* values) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      keys->emplace_back(it.key().begin(), it.key().end());
      Collect(it.value(), keys, values);
    }
  } else if (j.is_array()) {
    for (const auto& child : j) {
      Collect(child, keys, values);
    }
  } else if (j.is_string()) {
    const auto& s = j.get_ref<const SecureJson::string_t&>();
    values->emplace_back(s.begin(), s.end());
  }
}

// Contains is a plain search built without coverage instrumentation. The
// leak checks below compare message text with the input; instrumented, those
// comparisons would teach libFuzzer the message text, and it would copy it
// into inputs until a message "quotes" the input by coincidence.
__attribute__((no_sanitize("coverage"))) bool Contains(std::string_view haystack,
                                                       std::string_view needle) {
  const std::size_t n = needle.size();
  for (std::size_t i = 0; i + n <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < n && haystack[i + j] == needle[j]) {
      ++j;
    }
    if (j == n) {
      return true;
    }
  }
  return false;
}

// ParseJsonObject's own wording: an input may contain it by coincidence.
constexpr std::string_view kJsonPhrases[] = {
    "malformed JSON at byte ",
    "JSON nested deeper than ",
    " levels",
    "the request body must be a JSON object",
    "out of secure memory",
};

// QuotesInput reports whether `message` contains kWindow bytes in a row of
// `input` that are not ParseJsonObject's own wording.
bool QuotesInput(std::string_view message, std::string_view input) {
  for (std::size_t i = 0; i + kWindow <= message.size(); ++i) {
    const std::string_view window = message.substr(i, kWindow);
    bool own_words = false;
    for (std::string_view phrase : kJsonPhrases) {
      own_words = own_words || Contains(phrase, window);
    }
    if (!own_words && Contains(input, window)) {
      return true;
    }
  }
  return false;
}

// The API's own words: every field a decoder reads and every literal it
// compares a value with. Decoder messages name them, and they are no secret
// even when a string value happens to contain one (libFuzzer learns them
// from the decoders' comparisons and writes them into values).
constexpr std::string_view kApiWords[] = {
    "tenant",
    "name",
    "rotation_period_s",
    "min_decryption_version",
    "days",
    "plaintext",
    "context",
    "justification",
    "reason_code",
    "text",
    "ciphertext",
    "include_plaintext",
    "method",
    "share_count",
    "threshold",
    "passphrase",
    "share",
    "reset",
    "principal",
    "roles",
    "ttl_s",
    "shamir",
    "key_file",
    "admin",
    "app",
    "officer",
    "auditor",
    "operation",
    "key",
    "not_before",
    "not_after",
    "signature",
    "comment",
    "public_key",
    "wrapping_algorithm",
    "import_token",
    "wrapped_material",
    "material_expires_at",
    "version",
    "exportable",
    "valid_for_s",
    "wrapping_key_spec",
    "RSA_3072",
    "RSA_4096",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_256",
    // The XKS proxy API (kms/xks/xks_request.h).
    "body",
    "requestMetadata",
    "kmsRequestId",
    "kmsOperation",
    "awsPrincipalArn",
    "kmsKeyArn",
    "awsSourceVpc",
    "awsSourceVpce",
    "kmsViaService",
    "encryptionAlgorithm",
    "AES_GCM",
    "additionalAuthenticatedData",
    "ciphertextDataIntegrityValueAlgorithm",
    "SHA_256",
    "ciphertextMetadata",
    "authenticationTag",
    "initializationVector",
};

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// IsApiText reports whether every word in `window` (a run of [A-Za-z0-9_],
// possibly cut at the window's edges) is a number, such as a bound like
// 4294967295, or part of an API word or of a key of the body (keys are
// field names, quoted by "unknown field"). Punctuation between words, as in
// `"key_file` or `'method'`, explains nothing and hides nothing.
bool IsApiText(std::string_view window, const std::vector<std::string>& keys) {
  std::size_t i = 0;
  while (i < window.size()) {
    if (!IsWordByte(window[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < window.size() && IsWordByte(window[end])) {
      ++end;
    }
    const std::string_view word = window.substr(i, end - i);
    i = end;
    if (word.find_first_not_of("0123456789") == std::string_view::npos) {
      continue;
    }
    bool known = false;
    for (std::string_view api_word : kApiWords) {
      known = known || Contains(api_word, word);
    }
    for (const std::string& key : keys) {
      known = known || Contains(key, word);
    }
    if (!known) {
      return false;
    }
  }
  return true;
}

// CheckQuotesNoValue: no stretch of any string value of the body in the
// message (values carry plaintext, passphrases and shares; names of fields
// may be quoted). CheckDecoderError adds the codes the requests.h decoders
// may fail with.
void CheckQuotesNoValue(std::string_view message, const std::vector<std::string>& keys,
                        const std::vector<std::string>& values) {
  KEYHOLD_FUZZ_CHECK(!message.empty());
  for (std::size_t i = 0; i + kWindow <= message.size(); ++i) {
    const std::string_view window = message.substr(i, kWindow);
    if (IsApiText(window, keys)) {
      continue;
    }
    for (const std::string& value : values) {
      KEYHOLD_FUZZ_CHECK(!Contains(value, window));
    }
  }
}

void CheckDecoderError(const keyhold::Error& error, const std::vector<std::string>& keys,
                       const std::vector<std::string>& values) {
  KEYHOLD_FUZZ_CHECK(error.code == ErrorCode::kInvalidRequest ||
                     error.code == ErrorCode::kInvalidContext ||
                     error.code == ErrorCode::kInvalidKeyId);
  CheckQuotesNoValue(error.message, keys, values);
}

// OnlyFields: a decoder that succeeded read nothing but its own fields.
bool OnlyFields(const SecureJson& body, std::initializer_list<std::string_view> allowed) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string_view key(it.key().data(), it.key().size());
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return false;
    }
  }
  return true;
}

void CheckContext(const keyhold::crypto::EncryptionContext& context) {
  auto again = keyhold::crypto::EncryptionContext::Create(context.entries());
  KEYHOLD_FUZZ_CHECK(again.ok());
  KEYHOLD_FUZZ_CHECK(*again == context);
}

void CheckJustification(const SecureJson& body,
                        const std::optional<keyhold::kms::Justification>& justification) {
  const auto it = body.find("justification");
  KEYHOLD_FUZZ_CHECK(justification.has_value() == (it != body.end() && !it->is_null()));
  if (!justification) {
    return;
  }
  KEYHOLD_FUZZ_CHECK(OnlyFields(*it, {"reason_code", "text"}));
  const std::string& code = justification->reason_code;
  KEYHOLD_FUZZ_CHECK(!code.empty() && code.size() <= 64);
  KEYHOLD_FUZZ_CHECK(code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                     std::string::npos);
  KEYHOLD_FUZZ_CHECK(justification->text.size() <= 1024);
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::ValidUtf8(justification->text));
}

// BodyString is the string value of `field` in `body`, or nullopt when it is
// absent, null or not a string.
std::optional<std::string> BodyString(const SecureJson& body, const char* field) {
  const auto it = body.find(field);
  if (it == body.end() || !it->is_string()) {
    return std::nullopt;
  }
  const auto& s = it->get_ref<const SecureJson::string_t&>();
  return std::string(s.begin(), s.end());
}

// CheckUtcTime: a decoded window time is what the body's text said. The
// oracle is the C library: the seconds, formatted back, must spell the text
// exactly (which also rules out a normalised impossible date).
void CheckUtcTime(const SecureJson& body, const char* field,
                  const std::optional<std::int64_t>& when) {
  const auto it = body.find(field);
  const bool present = it != body.end() && !it->is_null();
  KEYHOLD_FUZZ_CHECK(when.has_value() == present);
  if (!when) {
    return;
  }
  const std::optional<std::string> text = BodyString(body, field);
  KEYHOLD_FUZZ_CHECK(text.has_value());
  KEYHOLD_FUZZ_CHECK(*when >= 0 && *when < 253'402'300'800);  // 1970 to 9999
  const std::time_t t = static_cast<std::time_t>(*when);
  std::tm tm{};
  KEYHOLD_FUZZ_CHECK(gmtime_r(&t, &tm) != nullptr);
  char formatted[32];
  KEYHOLD_FUZZ_CHECK(std::strftime(formatted, sizeof(formatted), "%Y-%m-%dT%H:%M:%SZ", &tm) == 20);
  KEYHOLD_FUZZ_CHECK(*text == formatted);
}

// Check runs one decoder: either an allowed error, or a value for which
// `on_success` checks the bounds.
template <class T, class F>
void Check(const keyhold::Result<T>& result, const std::vector<std::string>& keys,
           const std::vector<std::string>& values, F on_success) {
  if (!result.ok()) {
    CheckDecoderError(result.error(), keys, values);
    return;
  }
  on_success(*result);
}

// --- XKS proxy API (kms/xks/xks_request.h) --------------------------------

// XksLimit is a base64 field of an XKS body, Keyhold's bound on its
// decoded size, and the code for a value beyond it.
struct XksLimit {
  const char* field;
  std::size_t max;
  ErrorCode over;
};
constexpr XksLimit kXksEncryptLimits[] = {
    {"plaintext", keyhold::kms::kXksMaxPlaintext, ErrorCode::kPayloadTooLarge},
    {"additionalAuthenticatedData", keyhold::kms::kXksMaxAadBytes, ErrorCode::kPayloadTooLarge},
};
// A tag, IV or ciphertextMetadata beyond its bound cannot be Keyhold's:
// kInvalidCiphertext, as the spec says.
constexpr XksLimit kXksDecryptLimits[] = {
    {"ciphertext", keyhold::kms::kXksMaxPlaintext, ErrorCode::kPayloadTooLarge},
    {"ciphertextMetadata", 255, ErrorCode::kInvalidCiphertext},
    {"additionalAuthenticatedData", keyhold::kms::kXksMaxAadBytes, ErrorCode::kPayloadTooLarge},
    {"authenticationTag", 64, ErrorCode::kInvalidCiphertext},
    {"initializationVector", 64, ErrorCode::kInvalidCiphertext},
};

bool PrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// CheckXksError: kInvalidRequest, or the code of a field beyond its limit
// (kPayloadTooLarge, kInvalidCiphertext), quoting no value. The latter only
// when some field with that code is longer than the base64 of its limit
// could be; and a field that is canonical base64 beyond its limit
// (well-formed, too large) is never the kInvalidRequest named.
void CheckXksError(const keyhold::Error& error, const SecureJson& body,
                   std::span<const XksLimit> limits, const std::vector<std::string>& keys,
                   const std::vector<std::string>& values) {
  CheckQuotesNoValue(error.message, keys, values);
  if (error.code != ErrorCode::kInvalidRequest) {
    bool over = false;
    for (const XksLimit& l : limits) {
      const std::optional<std::string> text = BodyString(body, l.field);
      over = over || (l.over == error.code && text && 3 * text->size() > 4 * l.max);
    }
    KEYHOLD_FUZZ_CHECK(over);
    return;
  }
  for (const XksLimit& l : limits) {
    const std::optional<std::string> text = BodyString(body, l.field);
    if (!text || !Contains(error.message, "'" + std::string(l.field) + "'")) {
      continue;
    }
    auto decoded = keyhold::crypto::Base64Decode(*text, text->size());
    KEYHOLD_FUZZ_CHECK(!decoded.ok() || decoded->size() <= l.max);
  }
}

// CheckXksMetadata: what DecodeXksMetadata returned for `op` is what
// requestMetadata spelt, field by field, within the bounds; fields `op`
// does not read are empty.
void CheckXksMetadata(const SecureJson& body, keyhold::kms::XksOperation op,
                      const keyhold::kms::XksRequestMetadata& m) {
  using keyhold::kms::XksOperation;
  const auto it = body.find("requestMetadata");
  KEYHOLD_FUZZ_CHECK(it != body.end() && it->is_object());
  const bool health = op == XksOperation::kHealth;
  const bool crypto_call = op == XksOperation::kEncrypt || op == XksOperation::kDecrypt;
  const auto field = [&](const char* name, const std::string& value, std::size_t max, bool read,
                         bool required) {
    if (!read) {
      KEYHOLD_FUZZ_CHECK(value.empty());
      return;
    }
    const std::optional<std::string> text = BodyString(*it, name);
    if (!text) {
      KEYHOLD_FUZZ_CHECK(!required && value.empty());
      return;
    }
    KEYHOLD_FUZZ_CHECK(value == *text);
    KEYHOLD_FUZZ_CHECK(!value.empty() && value.size() <= max && PrintableAscii(value));
  };
  field("kmsRequestId", m.kms_request_id, keyhold::kms::kXksMaxToken, true, true);
  field("kmsOperation", m.kms_operation, keyhold::kms::kXksMaxToken, true, true);
  field("awsPrincipalArn", m.aws_principal_arn, keyhold::kms::kXksMaxArn, !health, true);
  field("kmsKeyArn", m.kms_key_arn, keyhold::kms::kXksMaxArn, !health, crypto_call);
  field("awsSourceVpc", m.aws_source_vpc, keyhold::kms::kXksMaxToken, !health, false);
  field("awsSourceVpce", m.aws_source_vpce, keyhold::kms::kXksMaxToken, !health, false);
  field("kmsViaService", m.kms_via_service, keyhold::kms::kXksMaxToken, !health, false);
}

bool SameMetadata(const keyhold::kms::XksRequestMetadata& a,
                  const keyhold::kms::XksRequestMetadata& b) {
  return a.aws_principal_arn == b.aws_principal_arn && a.aws_source_vpc == b.aws_source_vpc &&
         a.aws_source_vpce == b.aws_source_vpce && a.kms_key_arn == b.kms_key_arn &&
         a.kms_operation == b.kms_operation && a.kms_request_id == b.kms_request_id &&
         a.kms_via_service == b.kms_via_service;
}

// CheckXksBytes: a decoded field is the canonical base64 the body held
// (empty when absent or null), within its limit.
void CheckXksBytes(const SecureJson& body, const XksLimit& limit,
                   std::span<const std::uint8_t> bytes, bool required) {
  KEYHOLD_FUZZ_CHECK(bytes.size() <= limit.max);
  const std::optional<std::string> text = BodyString(body, limit.field);
  if (!text) {
    KEYHOLD_FUZZ_CHECK(!required && bytes.empty());
    return;
  }
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::Base64Encode(bytes) == *text);
}

void RunXksDecoders(const SecureJson& body, const std::vector<std::string>& keys,
                    const std::vector<std::string>& values) {
  namespace kms = keyhold::kms;
  using kms::XksOperation;
  constexpr XksOperation kOps[] = {XksOperation::kMetadata, XksOperation::kEncrypt,
                                   XksOperation::kDecrypt, XksOperation::kHealth};
  std::optional<kms::XksRequestMetadata> meta[4];
  for (XksOperation op : kOps) {
    auto m = kms::DecodeXksMetadata(body, op);
    if (!m.ok()) {
      CheckXksError(m.error(), body, {}, keys, values);
      continue;
    }
    CheckXksMetadata(body, op, *m);
    meta[static_cast<int>(op)] = std::move(m).value();
  }
  const auto& for_metadata = meta[static_cast<int>(XksOperation::kMetadata)];
  const auto& for_encrypt = meta[static_cast<int>(XksOperation::kEncrypt)];
  const auto& for_decrypt = meta[static_cast<int>(XksOperation::kDecrypt)];
  const auto& for_health = meta[static_cast<int>(XksOperation::kHealth)];
  // Health reads the fewest fields, encrypt and decrypt the same ones, the
  // most.
  KEYHOLD_FUZZ_CHECK(!for_metadata || for_health);
  KEYHOLD_FUZZ_CHECK(for_encrypt.has_value() == for_decrypt.has_value());
  KEYHOLD_FUZZ_CHECK(!for_encrypt || for_metadata);

  auto enc = kms::DecodeXksEncrypt(body);
  if (!enc.ok()) {
    CheckXksError(enc.error(), body, kXksEncryptLimits, keys, values);
  } else {
    KEYHOLD_FUZZ_CHECK(for_encrypt && SameMetadata(enc->metadata, *for_encrypt));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "encryptionAlgorithm") == "AES_GCM");
    CheckXksBytes(body, kXksEncryptLimits[0],
                  enc->plaintext.Reveal(keyhold::crypto::SecretAccess::Get()), true);
    CheckXksBytes(body, kXksEncryptLimits[1], enc->aad, false);
    const std::optional<std::string> cdiv =
        BodyString(body, "ciphertextDataIntegrityValueAlgorithm");
    KEYHOLD_FUZZ_CHECK(enc->integrity_value == cdiv.has_value());
    KEYHOLD_FUZZ_CHECK(!cdiv || *cdiv == "SHA_256");
  }

  auto dec = kms::DecodeXksDecrypt(body);
  if (!dec.ok()) {
    CheckXksError(dec.error(), body, kXksDecryptLimits, keys, values);
  } else {
    KEYHOLD_FUZZ_CHECK(for_decrypt && SameMetadata(dec->metadata, *for_decrypt));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "encryptionAlgorithm") == "AES_GCM");
    CheckXksBytes(body, kXksDecryptLimits[0], dec->ciphertext, true);
    CheckXksBytes(body, kXksDecryptLimits[1], dec->ciphertext_metadata, false);
    CheckXksBytes(body, kXksDecryptLimits[2], dec->aad, false);
    CheckXksBytes(body, kXksDecryptLimits[3], dec->tag, true);
    CheckXksBytes(body, kXksDecryptLimits[4], dec->iv, true);
  }
}

void RunDecoders(const SecureJson& body) {
  namespace kms = keyhold::kms;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  Collect(body, &keys, &values);
  constexpr std::uint64_t kMaxPeriod = 100ULL * 365 * 86400;

  Check(kms::DecodeCreateKey(body), keys, values, [&](const kms::CreateKeyBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"tenant", "name", "rotation_period_s", "exportable"}));
    auto reparsed = keyhold::crypto::KeyId::Parse(b.id.ToString());
    KEYHOLD_FUZZ_CHECK(reparsed.ok() && *reparsed == b.id);
    KEYHOLD_FUZZ_CHECK(!b.rotation_period_s || *b.rotation_period_s <= kMaxPeriod);
  });
  Check(kms::DecodeImportParams(body), keys, values, [&](const kms::ImportParamsBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"wrapping_key_spec", "valid_for_s"}));
    KEYHOLD_FUZZ_CHECK(b.key_bits == 3072 || b.key_bits == 4096);
    KEYHOLD_FUZZ_CHECK(b.lifetime_s >= 60 && b.lifetime_s <= 86400);
  });
  Check(kms::DecodeImport(body), keys, values, [&](const kms::ImportBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"import_token", "wrapping_algorithm", "wrapped_material",
                                         "material_expires_at", "version", "exportable"}));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "import_token") == b.import_token);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "wrapping_algorithm") ==
                       keyhold::crypto::WrappingAlgorithmName(b.algorithm));
    KEYHOLD_FUZZ_CHECK(b.wrapped_material.size() <= 2048);
    KEYHOLD_FUZZ_CHECK(!b.version || *b.version >= 1);
    CheckUtcTime(body, "material_expires_at",
                 b.material_expires_at == 0 && !BodyString(body, "material_expires_at")
                     ? std::optional<std::int64_t>()
                     : std::optional<std::int64_t>(b.material_expires_at));
  });
  Check(kms::DecodeExport(body), keys, values, [&](const kms::ExportBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"public_key", "wrapping_algorithm", "version"}));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "public_key") == b.public_key_pem);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "wrapping_algorithm") ==
                       keyhold::crypto::WrappingAlgorithmName(b.algorithm));
    KEYHOLD_FUZZ_CHECK(!b.version || *b.version >= 1);
  });
  Check(kms::DecodeKeyConfig(body), keys, values, [&](const kms::KeyConfigBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"min_decryption_version", "rotation_period_s"}));
    KEYHOLD_FUZZ_CHECK(b.min_decryption_version || b.rotation_period_s);
    KEYHOLD_FUZZ_CHECK(!b.min_decryption_version || *b.min_decryption_version >= 1);
    KEYHOLD_FUZZ_CHECK(!b.rotation_period_s || *b.rotation_period_s <= kMaxPeriod);
  });
  Check(kms::DecodeScheduleDeletion(body), keys, values, [&](const kms::ScheduleDeletionBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"days"}));
    KEYHOLD_FUZZ_CHECK(!b.days || *b.days <= 3650);
  });
  Check(kms::DecodeWrap(body), keys, values, [&](const kms::WrapBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"plaintext", "context", "justification"}));
    KEYHOLD_FUZZ_CHECK(!b.plaintext.empty());
    KEYHOLD_FUZZ_CHECK(b.plaintext.size() <= keyhold::crypto::kMaxWrapPlaintext);
    CheckContext(b.context);
    CheckJustification(body, b.justification);
  });
  Check(kms::DecodeCiphertext(body), keys, values, [&](const kms::CiphertextBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"ciphertext", "context", "justification"}));
    KEYHOLD_FUZZ_CHECK(b.ciphertext.size() <=
                       2 + 193 + 4 + 32 + 28 + keyhold::crypto::kMaxWrapPlaintext);
    CheckContext(b.context);
    CheckJustification(body, b.justification);
  });
  Check(kms::DecodeGenerateDataKey(body), keys, values, [&](const kms::GenerateDataKeyBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"context", "include_plaintext", "justification"}));
    CheckContext(b.context);
    CheckJustification(body, b.justification);
  });
  Check(kms::DecodeInit(body), keys, values, [&](const kms::InitBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"method", "share_count", "threshold", "passphrase"}));
    KEYHOLD_FUZZ_CHECK(b.share_count >= 1 && b.threshold >= 1);
    KEYHOLD_FUZZ_CHECK(b.passphrase.size() <= 1024);
    if (b.method != keyhold::kms::SealMethod::kShamir) {
      KEYHOLD_FUZZ_CHECK(b.share_count == 5 && b.threshold == 3);
    }
    if (b.method != keyhold::kms::SealMethod::kPassphrase) {
      KEYHOLD_FUZZ_CHECK(b.passphrase.empty());
    }
  });
  Check(kms::DecodeUnseal(body), keys, values, [&](const kms::UnsealBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"share", "passphrase", "reset"}));
    KEYHOLD_FUZZ_CHECK((b.share ? 1 : 0) + (b.passphrase ? 1 : 0) + (b.reset ? 1 : 0) == 1);
    KEYHOLD_FUZZ_CHECK(!b.share || b.share->size() <= 256);
    KEYHOLD_FUZZ_CHECK(!b.passphrase || b.passphrase->size() <= 1024);
  });
  Check(kms::DecodeCreateToken(body), keys, values, [&](const kms::CreateTokenBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"principal", "tenant", "roles", "ttl_s"}));
    KEYHOLD_FUZZ_CHECK(!b.roles.empty());
    KEYHOLD_FUZZ_CHECK(b.principal.size() <= 128 && b.tenant.size() <= 64);
    KEYHOLD_FUZZ_CHECK(!b.ttl_s || (*b.ttl_s >= 1 && *b.ttl_s <= 3650ULL * 86400));
  });
  Check(kms::DecodeAccessRequestBody(body), keys, values, [&](const kms::AccessRequestBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(
        body, {"operation", "key", "context", "not_before", "not_after", "justification"}));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "operation") == b.operation);
    KEYHOLD_FUZZ_CHECK(b.operation.size() <= 64 && b.key.size() <= 200);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "key").value_or("") == b.key);
    CheckContext(b.context);
    // The justification is required here: present, and within its rules.
    CheckJustification(body, std::optional<kms::Justification>(b.justification));
    CheckUtcTime(body, "not_before", b.not_before);
    CheckUtcTime(body, "not_after", b.not_after);
  });
  Check(kms::DecodeApprove(body), keys, values, [&](const kms::ApproveBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"signature", "comment"}));
    KEYHOLD_FUZZ_CHECK(b.signature.size() == 64);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "signature") == keyhold::crypto::Base64Encode(b.signature));
    KEYHOLD_FUZZ_CHECK(b.comment.size() <= 1024);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "comment").value_or("") == b.comment);
  });
  Check(kms::DecodeDeny(body), keys, values, [&](const kms::DenyBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"comment"}));
    KEYHOLD_FUZZ_CHECK(b.comment.size() <= 1024);
    KEYHOLD_FUZZ_CHECK(BodyString(body, "comment") == b.comment);
  });
  Check(kms::DecodeEnrolOfficer(body), keys, values, [&](const kms::EnrolOfficerBody& b) {
    KEYHOLD_FUZZ_CHECK(OnlyFields(body, {"public_key"}));
    KEYHOLD_FUZZ_CHECK(BodyString(body, "public_key") ==
                       keyhold::crypto::Base64Encode(b.public_key));
  });
  const keyhold::Status empty = kms::DecodeEmpty(body);
  KEYHOLD_FUZZ_CHECK(empty.ok() == body.empty());
  if (!empty.ok()) {
    CheckDecoderError(empty.error(), keys, values);
  }
  RunXksDecoders(body, keys, values);
}

void FuzzOne(std::string_view input) {
  Oracle oracle;
  static_cast<void>(SecureJson::sax_parse(input.begin(), input.end(), &oracle));
  oracle.Finish(input);
  const Expect expected = oracle.Expected();

  auto parsed = keyhold::kms::ParseJsonObject(input);
  if (!parsed.ok()) {
    KEYHOLD_FUZZ_CHECK(expected != Expect::kObject);
    KEYHOLD_FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidRequest);
    KEYHOLD_FUZZ_CHECK(parsed.error().message == oracle.ExpectedMessage());
    if (expected != Expect::kDuplicateKey) {
      KEYHOLD_FUZZ_CHECK(!QuotesInput(parsed.error().message, input));
    }
    return;
  }
  KEYHOLD_FUZZ_CHECK(expected == Expect::kObject);
  const SecureJson& doc = *parsed;
  KEYHOLD_FUZZ_CHECK(doc.is_object());
  KEYHOLD_FUZZ_CHECK(Depth(doc) <= kMaxJsonDepth);
  KEYHOLD_FUZZ_CHECK(CountKeys(doc) == oracle.key_count());

  const keyhold::crypto::SecureString dumped = keyhold::kms::Dump(doc);
  auto reparsed = keyhold::kms::ParseJsonObject({dumped.data(), dumped.size()});
  KEYHOLD_FUZZ_CHECK(reparsed.ok());
  KEYHOLD_FUZZ_CHECK(*reparsed == doc);
  KEYHOLD_FUZZ_CHECK(keyhold::kms::Dump(*reparsed) == dumped);

  RunDecoders(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, FuzzOne);
}
