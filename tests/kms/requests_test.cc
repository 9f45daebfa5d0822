// Tests for kms/api/requests.h: every Decode* function on its minimal and
// full valid bodies, every field with a wrong type, unknown fields, and every
// bound (plaintext 1-4096 bytes, ciphertext up to the largest blob, periods,
// versions, days, ttl, share counts, passphrase and share sizes, roles), the
// justification rules, and the cross-field rules of DecodeKeyConfig,
// DecodeInit and DecodeUnseal. The decoders check shape only: semantic
// limits (threshold <= share_count, passphrase length, principal charset,
// token tenant, deletion window) belong to the services and are pinned here
// as accepted so that moving them is a visible change.
#include "kms/api/requests.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base64.h"
#include "crypto/wrapped_blob.h"
#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;

SecureJson Doc(std::string_view body) {
  auto parsed = ParseJsonObject(body);
  EXPECT_TRUE(parsed.ok()) << body << ": " << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : SecureJson::object();
}

std::vector<std::uint8_t> Reveal(const crypto::SecretBytes& s) {
  const auto view = s.Reveal(crypto::SecretAccess::Get());
  return {view.begin(), view.end()};
}

std::string B64(std::size_t size, std::uint8_t fill = 0x5a) {
  return crypto::Base64Encode(std::vector<std::uint8_t>(size, fill));
}

std::string Q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

template <class T>
void ExpectRefused(const Result<T>& r, ErrorCode code, const std::string& message,
                   const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
  EXPECT_EQ(r.error().message, message) << what;
}

void ExpectStatusRefused(const Status& s, const std::string& message, const std::string& what) {
  ASSERT_FALSE(s.ok()) << what;
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest) << what;
  EXPECT_EQ(s.error().message, message) << what;
}

template <class T>
void ExpectInvalid(const Result<T>& r, const std::string& message, const std::string& what) {
  ExpectRefused(r, ErrorCode::kInvalidRequest, message, what);
}

// Values of other JSON types for a field that must be a string.
const char* const kNotStrings[] = {"1", "-1", "1.5", "true", "[]", "[\"a\"]", "{}"};
// Values of other JSON types for a field that must be an unsigned integer.
const char* const kNotUints[] = {"\"1\"", "-1", "1.0", "1e3", "true", "[1]", "{}"};
// Values of other JSON types for a field that must be a boolean.
const char* const kNotBools[] = {"\"true\"", "1", "0", "[]", "{}"};

std::string Base64Must(std::string_view field, std::size_t max) {
  return "field '" + std::string(field) +
         "' must be canonical base64 (RFC 4648, padded, no whitespace) of at most " +
         std::to_string(max) + " bytes";
}

constexpr std::uint64_t kMaxPeriod = 100ULL * 365 * 86400;
constexpr std::size_t kMaxBlob = 2 + 193 + 4 + 32 + 28 + crypto::kMaxWrapPlaintext;

// ---------------------------------------------------------------- CreateKey

TEST(DecodeCreateKey, MinimalAndFull) {
  auto minimal = DecodeCreateKey(Doc(R"({"tenant":"acme","name":"app"})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->id.ToString(), "acme/app");
  EXPECT_FALSE(minimal->rotation_period_s.has_value());

  auto full =
      DecodeCreateKey(Doc(R"({"tenant":"acme","name":"App.v2","rotation_period_s":86400})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->id.ToString(), "acme/App.v2");
  EXPECT_EQ(full->rotation_period_s, std::optional<std::uint64_t>(86400));
}

TEST(DecodeCreateKey, RotationPeriodBounds) {
  auto zero = DecodeCreateKey(Doc(R"({"tenant":"a","name":"b","rotation_period_s":0})"));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->rotation_period_s, std::optional<std::uint64_t>(0));
  auto max = DecodeCreateKey(
      Doc(R"({"tenant":"a","name":"b","rotation_period_s":)" + std::to_string(kMaxPeriod) + "}"));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->rotation_period_s, std::optional<std::uint64_t>(kMaxPeriod));
  ExpectInvalid(DecodeCreateKey(Doc(R"({"tenant":"a","name":"b","rotation_period_s":)" +
                                    std::to_string(kMaxPeriod + 1) + "}")),
                "field 'rotation_period_s' must be between 0 and 3153600000", "max + 1");
  for (const char* v : kNotUints) {
    ExpectInvalid(DecodeCreateKey(Doc(
                      std::string(R"({"tenant":"a","name":"b","rotation_period_s":)") + v + "}")),
                  "field 'rotation_period_s' must be a non-negative integer", v);
  }
}

TEST(DecodeCreateKey, RequiredFieldsAndTypes) {
  ExpectInvalid(DecodeCreateKey(Doc(R"({"name":"app"})")), "field 'tenant' is required", "tenant");
  ExpectInvalid(DecodeCreateKey(Doc(R"({"tenant":null,"name":"app"})")),
                "field 'tenant' is required", "null tenant");
  ExpectInvalid(DecodeCreateKey(Doc(R"({"tenant":"acme"})")), "field 'name' is required", "name");
  ExpectInvalid(DecodeCreateKey(Doc("{}")), "field 'tenant' is required", "empty");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeCreateKey(Doc(std::string(R"({"name":"app","tenant":)") + v + "}")),
                  "field 'tenant' must be a string", v);
    ExpectInvalid(DecodeCreateKey(Doc(std::string(R"({"tenant":"acme","name":)") + v + "}")),
                  "field 'name' must be a string", v);
  }
}

TEST(DecodeCreateKey, KeyNameRules) {
  const std::string tenant64(64, 't');
  const std::string name128(128, 'N');
  auto longest =
      DecodeCreateKey(Doc("{\"tenant\":" + Q(tenant64) + ",\"name\":" + Q(name128) + "}"));
  ASSERT_TRUE(longest.ok()) << longest.error().message;
  EXPECT_EQ(longest->id.tenant(), tenant64);
  EXPECT_EQ(longest->id.name(), name128);

  // Over-long parts fail the field's size bound (kInvalidRequest) before the
  // key id rules are applied.
  ExpectInvalid(DecodeCreateKey(Doc("{\"tenant\":" + Q(tenant64 + "t") + ",\"name\":\"a\"}")),
                "field 'tenant' must be at most 64 bytes", "65-byte tenant");
  ExpectInvalid(DecodeCreateKey(Doc("{\"tenant\":\"a\",\"name\":" + Q(name128 + "N") + "}")),
                "field 'name' must be at most 128 bytes", "129-byte name");

  struct Bad {
    const char* tenant;
    const char* name;
    const char* starts;
  };
  for (const Bad& b :
       {Bad{"ACME", "app", "tenant must be"}, Bad{"", "app", "tenant must be"},
        Bad{"-acme", "app", "tenant must be"}, Bad{"*", "app", "tenant must be"},
        Bad{"..", "app", "tenant must be"}, Bad{"a/b", "app", "tenant must be"},
        Bad{"acme", "", "key name must be"}, Bad{"acme", "..", "key name must be"},
        Bad{"acme", ".", "key name must be"}, Bad{"acme", "a/b", "key name must be"},
        Bad{"acme", "-x", "key name must be"}, Bad{"acme", "a b", "key name must be"}}) {
    auto r = DecodeCreateKey(
        Doc(std::string("{\"tenant\":") + Q(b.tenant) + ",\"name\":" + Q(b.name) + "}"));
    ASSERT_FALSE(r.ok()) << b.tenant << "/" << b.name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidKeyId) << b.tenant << "/" << b.name;
    EXPECT_EQ(r.error().message.rfind(b.starts, 0), 0u) << r.error().message;
  }
}

TEST(DecodeCreateKey, UnknownFieldIsReportedBeforeTheKeyId) {
  ExpectInvalid(DecodeCreateKey(Doc(R"({"tenant":"acme","name":"app","rotation":1})")),
                "unknown field 'rotation'", "misspelt option");
  ExpectInvalid(DecodeCreateKey(Doc(R"({"tenant":"ACME","name":"app","x":1})")),
                "unknown field 'x'", "unknown field first");
}

// ---------------------------------------------------------------- KeyConfig

TEST(DecodeKeyConfig, EitherOrBoth) {
  auto min = DecodeKeyConfig(Doc(R"({"min_decryption_version":2})"));
  ASSERT_TRUE(min.ok()) << min.error().message;
  EXPECT_EQ(min->min_decryption_version, std::optional<std::uint32_t>(2));
  EXPECT_FALSE(min->rotation_period_s.has_value());

  auto period = DecodeKeyConfig(Doc(R"({"rotation_period_s":0})"));
  ASSERT_TRUE(period.ok()) << period.error().message;
  EXPECT_FALSE(period->min_decryption_version.has_value());
  EXPECT_EQ(period->rotation_period_s, std::optional<std::uint64_t>(0));

  auto both = DecodeKeyConfig(Doc(R"({"min_decryption_version":3,"rotation_period_s":60})"));
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->min_decryption_version, std::optional<std::uint32_t>(3));
  EXPECT_EQ(both->rotation_period_s, std::optional<std::uint64_t>(60));
}

TEST(DecodeKeyConfig, NeitherFieldIsRefused) {
  const std::string nothing =
      "nothing to change: give min_decryption_version and/or rotation_period_s";
  ExpectInvalid(DecodeKeyConfig(Doc("{}")), nothing, "empty");
  ExpectInvalid(DecodeKeyConfig(Doc(R"({"min_decryption_version":null,"rotation_period_s":null})")),
                nothing, "both null");
}

TEST(DecodeKeyConfig, Bounds) {
  const std::string version_range =
      "field 'min_decryption_version' must be between 1 and 4294967295";
  ExpectInvalid(DecodeKeyConfig(Doc(R"({"min_decryption_version":0})")), version_range, "0");
  auto max = DecodeKeyConfig(Doc(R"({"min_decryption_version":4294967295})"));
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->min_decryption_version, std::optional<std::uint32_t>(4294967295U));
  ExpectInvalid(DecodeKeyConfig(Doc(R"({"min_decryption_version":4294967296})")), version_range,
                "2^32");
  auto period = DecodeKeyConfig(Doc(R"({"rotation_period_s":)" + std::to_string(kMaxPeriod) + "}"));
  ASSERT_TRUE(period.ok());
  ExpectInvalid(
      DecodeKeyConfig(Doc(R"({"rotation_period_s":)" + std::to_string(kMaxPeriod + 1) + "}")),
      "field 'rotation_period_s' must be between 0 and 3153600000", "period + 1");
  for (const char* v : kNotUints) {
    ExpectInvalid(DecodeKeyConfig(Doc(std::string(R"({"min_decryption_version":)") + v + "}")),
                  "field 'min_decryption_version' must be a non-negative integer", v);
  }
  ExpectInvalid(DecodeKeyConfig(Doc(R"({"rotation_period_s":1,"extra":1})")),
                "unknown field 'extra'", "unknown");
}

// ---------------------------------------------------------- ScheduleDeletion

TEST(DecodeScheduleDeletion, DaysBounds) {
  auto none = DecodeScheduleDeletion(Doc("{}"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->days.has_value());
  // The decoder allows 0-3650; the keyring applies the configured window.
  for (std::uint32_t d : {0U, 7U, 3650U}) {
    auto r = DecodeScheduleDeletion(Doc("{\"days\":" + std::to_string(d) + "}"));
    ASSERT_TRUE(r.ok()) << d;
    EXPECT_EQ(r->days, std::optional<std::uint32_t>(d));
  }
  ExpectInvalid(DecodeScheduleDeletion(Doc(R"({"days":3651})")),
                "field 'days' must be between 0 and 3650", "3651");
  for (const char* v : kNotUints) {
    ExpectInvalid(DecodeScheduleDeletion(Doc(std::string(R"({"days":)") + v + "}")),
                  "field 'days' must be a non-negative integer", v);
  }
  ExpectInvalid(DecodeScheduleDeletion(Doc(R"({"day":7})")), "unknown field 'day'", "misspelt");
}

// ---------------------------------------------------------------- Wrap

TEST(DecodeWrap, MinimalAndFull) {
  auto minimal = DecodeWrap(Doc(R"({"plaintext":"AA=="})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(Reveal(minimal->plaintext), std::vector<std::uint8_t>{0});
  EXPECT_TRUE(minimal->context.entries().empty());
  EXPECT_FALSE(minimal->justification.has_value());

  auto full = DecodeWrap(Doc(R"({"plaintext":"aGVsbG8=","context":{"db":"orders","env":"prod"},)"
                             R"("justification":{"reason_code":"batch_job_7","text":"nightly"}})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(Reveal(full->plaintext), Bytes("hello"));
  const std::vector<crypto::EncryptionContext::Entry> ctx = {{"db", "orders"}, {"env", "prod"}};
  EXPECT_EQ(full->context.entries(), ctx);
  ASSERT_TRUE(full->justification.has_value());
  EXPECT_EQ(full->justification->reason_code, "batch_job_7");
  EXPECT_EQ(full->justification->text, "nightly");
}

TEST(DecodeWrap, PlaintextBounds) {
  auto max = DecodeWrap(Doc("{\"plaintext\":" + Q(B64(4096)) + "}"));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->plaintext.size(), 4096u);
  ExpectInvalid(DecodeWrap(Doc("{\"plaintext\":" + Q(B64(4097)) + "}")),
                Base64Must("plaintext", 4096), "4097 bytes");
  ExpectInvalid(DecodeWrap(Doc(R"({"plaintext":""})")), "field 'plaintext' must not be empty",
                "empty");
  ExpectInvalid(DecodeWrap(Doc("{}")), "field 'plaintext' is required", "missing");
  ExpectInvalid(DecodeWrap(Doc(R"({"plaintext":null})")), "field 'plaintext' is required", "null");
  ExpectInvalid(DecodeWrap(Doc(R"({"plaintext":"AA="})")), Base64Must("plaintext", 4096),
                "bad base64");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeWrap(Doc(std::string(R"({"plaintext":)") + v + "}")),
                  "field 'plaintext' must be a base64 string", v);
  }
}

TEST(DecodeWrap, ContextAndUnknownFields) {
  ExpectRefused(DecodeWrap(Doc(R"({"plaintext":"AA==","context":"db=orders"})")),
                ErrorCode::kInvalidContext, "field 'context' must be an object of strings",
                "string context");
  ExpectRefused(DecodeWrap(Doc(R"({"plaintext":"AA==","context":{"n":1}})")),
                ErrorCode::kInvalidContext, "field 'context': every value must be a string",
                "number value");
  auto null_context = DecodeWrap(Doc(R"({"plaintext":"AA==","context":null})"));
  ASSERT_TRUE(null_context.ok());
  EXPECT_TRUE(null_context->context.entries().empty());
  ExpectInvalid(DecodeWrap(Doc(R"({"plaintext":"AA==","ciphertext":"AA=="})")),
                "unknown field 'ciphertext'", "unknown");
  ExpectInvalid(DecodeWrap(Doc(R"({"plaintext":"AA==","Context":{}})")), "unknown field 'Context'",
                "case matters");
}

// ------------------------------------------------------------ Justification

std::string WrapWith(const std::string& justification) {
  return R"({"plaintext":"AA==","justification":)" + justification + "}";
}

TEST(DecodeJustification, ReasonCodeRules) {
  const std::string charset = "field 'justification.reason_code' must be 1-64 of a-z 0-9 _";
  for (const std::string& code :
       {std::string("a"), std::string("incident_42"), std::string(64, 'z'), std::string("0_9")}) {
    auto r = DecodeWrap(Doc(WrapWith("{\"reason_code\":" + Q(code) + "}")));
    ASSERT_TRUE(r.ok()) << code << ": " << r.error().message;
    ASSERT_TRUE(r->justification.has_value());
    EXPECT_EQ(r->justification->reason_code, code);
    EXPECT_EQ(r->justification->text, "");
  }
  for (const char* code :
       {"", "Upper", "with-dash", "with space", "dot.ted", "caf\\u00e9", "a/b"}) {
    ExpectInvalid(DecodeWrap(Doc(WrapWith(std::string("{\"reason_code\":\"") + code + "\"}"))),
                  charset, code);
  }
  // The size bound comes from the field reader and names the inner field.
  ExpectInvalid(DecodeWrap(Doc(WrapWith("{\"reason_code\":" + Q(std::string(65, 'z')) + "}"))),
                "field 'reason_code' must be at most 64 bytes", "65 bytes");
  ExpectInvalid(DecodeWrap(Doc(WrapWith(R"({"text":"why"})"))), "field 'reason_code' is required",
                "missing");
  ExpectInvalid(DecodeWrap(Doc(WrapWith(R"({"reason_code":7})"))),
                "field 'reason_code' must be a string", "number");
}

TEST(DecodeJustification, TextRules) {
  auto max = DecodeWrap(
      Doc(WrapWith("{\"reason_code\":\"r\",\"text\":" + Q(std::string(1024, 't')) + "}")));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->justification->text.size(), 1024u);
  ExpectInvalid(DecodeWrap(Doc(WrapWith(
                    "{\"reason_code\":\"r\",\"text\":" + Q(std::string(1025, 't')) + "}"))),
                "field 'text' must be at most 1024 bytes", "1025 bytes");
  auto utf8 = DecodeWrap(Doc(WrapWith(R"({"reason_code":"r","text":"caf\u00e9 \ud83d\ude00"})")));
  ASSERT_TRUE(utf8.ok()) << utf8.error().message;
  EXPECT_EQ(utf8->justification->text, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  ExpectInvalid(DecodeWrap(Doc(WrapWith(R"({"reason_code":"r","text":false})"))),
                "field 'text' must be a string", "bool text");

  // ParseJsonObject refuses invalid UTF-8, so build the document in memory
  // to reach the decoder's own check.
  SecureJson body = Doc(R"({"plaintext":"AA=="})");
  SecureJson j = SecureJson::object();
  j["reason_code"] = crypto::SecureString("r");
  j["text"] = crypto::SecureString("bad \xc0\xaf");
  body["justification"] = j;
  ExpectInvalid(DecodeWrap(body), "field 'justification.text' must be UTF-8", "invalid UTF-8");
}

TEST(DecodeJustification, ShapeAndUnknownFields) {
  auto null_j = DecodeWrap(Doc(WrapWith("null")));
  ASSERT_TRUE(null_j.ok());
  EXPECT_FALSE(null_j->justification.has_value());
  for (const char* v : {"\"oncall\"", "1", "true", "[]"}) {
    ExpectInvalid(DecodeWrap(Doc(WrapWith(v))), "field 'justification' must be an object", v);
  }
  ExpectInvalid(DecodeWrap(Doc(WrapWith(R"({"reason_code":"r","ticket":"X-1"})"))),
                "unknown field 'ticket'", "unknown inner field");
  ExpectInvalid(DecodeWrap(Doc(WrapWith("{}"))), "field 'reason_code' is required", "empty");
}

// ------------------------------------------------------------ Ciphertext

TEST(DecodeCiphertext, MinimalFullAndBounds) {
  auto minimal = DecodeCiphertext(Doc(R"({"ciphertext":"AAEC"})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->ciphertext, (std::vector<std::uint8_t>{0, 1, 2}));
  EXPECT_TRUE(minimal->context.entries().empty());
  EXPECT_FALSE(minimal->justification.has_value());

  auto full = DecodeCiphertext(Doc(R"({"ciphertext":"AAEC","context":{"k":"v"},)"
                                   R"("justification":{"reason_code":"audit","text":"t"}})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->context.entries().size(), 1u);
  EXPECT_EQ(full->justification->reason_code, "audit");

  ASSERT_EQ(kMaxBlob, 4355u);
  auto max = DecodeCiphertext(Doc("{\"ciphertext\":" + Q(B64(kMaxBlob)) + "}"));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->ciphertext.size(), kMaxBlob);
  ExpectInvalid(DecodeCiphertext(Doc("{\"ciphertext\":" + Q(B64(kMaxBlob + 1)) + "}")),
                Base64Must("ciphertext", kMaxBlob), "one over");
  // An empty ciphertext passes the decoder; the blob parser refuses it.
  auto empty = DecodeCiphertext(Doc(R"({"ciphertext":""})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->ciphertext.empty());

  ExpectInvalid(DecodeCiphertext(Doc("{}")), "field 'ciphertext' is required", "missing");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeCiphertext(Doc(std::string(R"({"ciphertext":)") + v + "}")),
                  "field 'ciphertext' must be a base64 string", v);
  }
  ExpectInvalid(DecodeCiphertext(Doc(R"({"ciphertext":"AAEC","plaintext":"AA=="})")),
                "unknown field 'plaintext'", "unknown");
  ExpectRefused(DecodeCiphertext(Doc(R"({"ciphertext":"AAEC","context":[]})")),
                ErrorCode::kInvalidContext, "field 'context' must be an object of strings",
                "array context");
  ExpectInvalid(
      DecodeCiphertext(Doc(R"({"ciphertext":"AAEC","justification":{"reason_code":""}})")),
      "field 'justification.reason_code' must be 1-64 of a-z 0-9 _", "empty reason");
}

// -------------------------------------------------------- GenerateDataKey

TEST(DecodeGenerateDataKey, MinimalFullAndTypes) {
  auto minimal = DecodeGenerateDataKey(Doc("{}"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_TRUE(minimal->include_plaintext);
  EXPECT_TRUE(minimal->context.entries().empty());
  EXPECT_FALSE(minimal->justification.has_value());

  auto full = DecodeGenerateDataKey(Doc(
      R"({"context":{"a":"b"},"include_plaintext":false,"justification":{"reason_code":"x"}})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_FALSE(full->include_plaintext);
  EXPECT_EQ(full->context.entries().size(), 1u);
  EXPECT_EQ(full->justification->reason_code, "x");

  auto yes = DecodeGenerateDataKey(Doc(R"({"include_plaintext":true})"));
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes->include_plaintext);
  auto null_include = DecodeGenerateDataKey(Doc(R"({"include_plaintext":null})"));
  ASSERT_TRUE(null_include.ok());
  EXPECT_TRUE(null_include->include_plaintext);

  for (const char* v : kNotBools) {
    ExpectInvalid(DecodeGenerateDataKey(Doc(std::string(R"({"include_plaintext":)") + v + "}")),
                  "field 'include_plaintext' must be true or false", v);
  }
  ExpectRefused(DecodeGenerateDataKey(Doc(R"({"context":{"a":null}})")), ErrorCode::kInvalidContext,
                "field 'context': every value must be a string", "null context value");
  ExpectInvalid(DecodeGenerateDataKey(Doc(R"({"key_spec":"AES_256"})")), "unknown field 'key_spec'",
                "unknown");
}

// ---------------------------------------------------------------- Init

TEST(DecodeInit, ShamirDefaultsAndExplicitCounts) {
  auto minimal = DecodeInit(Doc(R"({"method":"shamir"})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->method, SealMethod::kShamir);
  EXPECT_EQ(minimal->share_count, 5);
  EXPECT_EQ(minimal->threshold, 3);
  EXPECT_TRUE(minimal->passphrase.empty());

  auto full = DecodeInit(Doc(R"({"method":"shamir","share_count":7,"threshold":4})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->share_count, 7);
  EXPECT_EQ(full->threshold, 4);

  auto only_count = DecodeInit(Doc(R"({"method":"shamir","share_count":9})"));
  ASSERT_TRUE(only_count.ok());
  EXPECT_EQ(only_count->share_count, 9);
  EXPECT_EQ(only_count->threshold, 3);
}

TEST(DecodeInit, CountBounds) {
  for (const char* field : {"share_count", "threshold"}) {
    const std::string range = "field '" + std::string(field) + "' must be between 1 and 255";
    for (int v : {1, 255}) {
      auto r = DecodeInit(
          Doc("{\"method\":\"shamir\",\"" + std::string(field) + "\":" + std::to_string(v) + "}"));
      ASSERT_TRUE(r.ok()) << field << "=" << v << ": " << r.error().message;
    }
    for (int v : {0, 256}) {
      ExpectInvalid(DecodeInit(Doc("{\"method\":\"shamir\",\"" + std::string(field) +
                                   "\":" + std::to_string(v) + "}")),
                    range, std::string(field) + "=" + std::to_string(v));
    }
    for (const char* v : kNotUints) {
      ExpectInvalid(
          DecodeInit(Doc("{\"method\":\"shamir\",\"" + std::string(field) + "\":" + v + "}")),
          "field '" + std::string(field) + "' must be a non-negative integer", v);
    }
  }
  // Shape only: threshold above share_count (or above the default 5) is
  // left to the seal manager, which refuses it.
  auto inverted = DecodeInit(Doc(R"({"method":"shamir","share_count":2,"threshold":5})"));
  ASSERT_TRUE(inverted.ok());
  EXPECT_EQ(inverted->share_count, 2);
  EXPECT_EQ(inverted->threshold, 5);
  auto big = DecodeInit(Doc(R"({"method":"shamir","share_count":255,"threshold":255})"));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->share_count, 255);
}

TEST(DecodeInit, MethodValues) {
  auto pass = DecodeInit(Doc(R"({"method":"passphrase","passphrase":"correct horse"})"));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(pass->method, SealMethod::kPassphrase);
  EXPECT_EQ(Reveal(pass->passphrase), Bytes("correct horse"));

  auto key_file = DecodeInit(Doc(R"({"method":"key_file"})"));
  ASSERT_TRUE(key_file.ok()) << key_file.error().message;
  EXPECT_EQ(key_file->method, SealMethod::kKeyFile);
  EXPECT_TRUE(key_file->passphrase.empty());

  const std::string bad_method =
      "field 'method' must be \"shamir\", \"passphrase\" or \"key_file\"";
  for (const char* m : {"", "Shamir", "SHAMIR", "shamir ", "keyfile", "key-file", "pass", "hsm"}) {
    ExpectInvalid(DecodeInit(Doc(std::string("{\"method\":\"") + m + "\"}")), bad_method, m);
  }
  ExpectInvalid(DecodeInit(Doc("{\"method\":" + Q(std::string(33, 's')) + "}")),
                "field 'method' must be at most 32 bytes", "33 bytes");
  ExpectInvalid(DecodeInit(Doc("{}")), "field 'method' is required", "missing");
  ExpectInvalid(DecodeInit(Doc(R"({"method":null})")), "field 'method' is required", "null");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeInit(Doc(std::string(R"({"method":)") + v + "}")),
                  "field 'method' must be a string", v);
  }
  ExpectInvalid(DecodeInit(Doc(R"({"method":"shamir","shares":5})")), "unknown field 'shares'",
                "unknown");
}

TEST(DecodeInit, ShamirOnlyFieldsWithOtherMethods) {
  const std::string shamir_only = "share_count and threshold apply to the shamir method only";
  ExpectInvalid(DecodeInit(Doc(R"({"method":"passphrase","passphrase":"p","share_count":5})")),
                shamir_only, "passphrase + share_count");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"passphrase","passphrase":"p","threshold":3})")),
                shamir_only, "passphrase + threshold");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"key_file","share_count":1})")), shamir_only,
                "key_file + share_count");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"key_file","threshold":1})")), shamir_only,
                "key_file + threshold");
  // null means absent, so a null count is fine with any method.
  EXPECT_TRUE(DecodeInit(Doc(R"({"method":"key_file","share_count":null})")).ok());
}

TEST(DecodeInit, PassphraseRequiredIffPassphraseMethod) {
  const std::string iff = "field 'passphrase' is required for, and only for, the passphrase method";
  ExpectInvalid(DecodeInit(Doc(R"({"method":"passphrase"})")), iff, "missing");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"passphrase","passphrase":null})")), iff, "null");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"shamir","passphrase":"p"})")), iff, "shamir");
  ExpectInvalid(DecodeInit(Doc(R"({"method":"key_file","passphrase":"p"})")), iff, "key_file");
  auto max = DecodeInit(
      Doc("{\"method\":\"passphrase\",\"passphrase\":" + Q(std::string(1024, 'p')) + "}"));
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->passphrase.size(), 1024u);
  ExpectInvalid(DecodeInit(Doc("{\"method\":\"passphrase\",\"passphrase\":" +
                               Q(std::string(1025, 'p')) + "}")),
                "field 'passphrase' must be at most 1024 bytes", "1025 bytes");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeInit(Doc(std::string(R"({"method":"passphrase","passphrase":)") + v + "}")),
                  "field 'passphrase' must be a string", v);
  }
  // Shape only: an empty passphrase is present; the seal manager refuses it.
  auto empty = DecodeInit(Doc(R"({"method":"passphrase","passphrase":""})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->passphrase.empty());
}

// ---------------------------------------------------------------- Unseal

TEST(DecodeUnseal, ExactlyOneOfShareOrPassphraseOrReset) {
  auto share = DecodeUnseal(Doc(R"({"share":"khs1-abc"})"));
  ASSERT_TRUE(share.ok()) << share.error().message;
  ASSERT_TRUE(share->share.has_value());
  EXPECT_EQ(Reveal(*share->share), Bytes("khs1-abc"));
  EXPECT_FALSE(share->passphrase.has_value());
  EXPECT_FALSE(share->reset);

  auto pass = DecodeUnseal(Doc(R"({"passphrase":"correct horse"})"));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  ASSERT_TRUE(pass->passphrase.has_value());
  EXPECT_EQ(Reveal(*pass->passphrase), Bytes("correct horse"));
  EXPECT_FALSE(pass->share.has_value());
  EXPECT_FALSE(pass->reset);

  auto reset = DecodeUnseal(Doc(R"({"reset":true})"));
  ASSERT_TRUE(reset.ok()) << reset.error().message;
  EXPECT_TRUE(reset->reset);
  EXPECT_FALSE(reset->share.has_value());
  EXPECT_FALSE(reset->passphrase.has_value());

  const std::string one = "give exactly one of 'share', 'passphrase' or 'reset': true";
  for (const char* body : {
           "{}",
           R"({"reset":false})",
           R"({"share":null,"passphrase":null,"reset":null})",
           R"({"share":"s","passphrase":"p"})",
           R"({"share":"s","reset":true})",
           R"({"passphrase":"p","reset":true})",
           R"({"share":"s","passphrase":"p","reset":true})",
       }) {
    ExpectInvalid(DecodeUnseal(Doc(body)), one, body);
  }
  // reset:false adds nothing, so it may accompany a share.
  auto share_no_reset = DecodeUnseal(Doc(R"({"share":"s","reset":false})"));
  ASSERT_TRUE(share_no_reset.ok());
  EXPECT_FALSE(share_no_reset->reset);
}

TEST(DecodeUnseal, BoundsAndTypes) {
  auto share_max = DecodeUnseal(Doc("{\"share\":" + Q(std::string(256, 's')) + "}"));
  ASSERT_TRUE(share_max.ok()) << share_max.error().message;
  EXPECT_EQ(share_max->share->size(), 256u);
  ExpectInvalid(DecodeUnseal(Doc("{\"share\":" + Q(std::string(257, 's')) + "}")),
                "field 'share' must be at most 256 bytes", "257-byte share");
  auto pass_max = DecodeUnseal(Doc("{\"passphrase\":" + Q(std::string(1024, 'p')) + "}"));
  ASSERT_TRUE(pass_max.ok());
  ExpectInvalid(DecodeUnseal(Doc("{\"passphrase\":" + Q(std::string(1025, 'p')) + "}")),
                "field 'passphrase' must be at most 1024 bytes", "1025-byte passphrase");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeUnseal(Doc(std::string(R"({"share":)") + v + "}")),
                  "field 'share' must be a string", v);
    ExpectInvalid(DecodeUnseal(Doc(std::string(R"({"passphrase":)") + v + "}")),
                  "field 'passphrase' must be a string", v);
  }
  for (const char* v : kNotBools) {
    ExpectInvalid(DecodeUnseal(Doc(std::string(R"({"reset":)") + v + "}")),
                  "field 'reset' must be true or false", v);
  }
  ExpectInvalid(DecodeUnseal(Doc(R"({"share":"s","key":"k"})")), "unknown field 'key'", "unknown");
  // Shape only: an empty share counts as given; the seal manager refuses it.
  auto empty = DecodeUnseal(Doc(R"({"share":""})"));
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->share.has_value());
  EXPECT_TRUE(empty->share->empty());
}

// ---------------------------------------------------------------- CreateToken

TEST(DecodeCreateToken, MinimalAndFull) {
  auto minimal = DecodeCreateToken(Doc(R"({"principal":"ci","tenant":"acme","roles":["app"]})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->principal, "ci");
  EXPECT_EQ(minimal->tenant, "acme");
  EXPECT_EQ(minimal->roles, RoleSet::Of({Role::kApp}));
  EXPECT_FALSE(minimal->ttl_s.has_value());

  auto full = DecodeCreateToken(
      Doc(R"({"principal":"ops@example","tenant":"*","roles":["admin","app","officer","auditor"],)"
          R"("ttl_s":3600})"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->tenant, "*");
  EXPECT_EQ(full->roles, RoleSet::Of({Role::kAdmin, Role::kApp, Role::kOfficer, Role::kAuditor}));
  EXPECT_EQ(full->ttl_s, std::optional<std::uint64_t>(3600));
}

TEST(DecodeCreateToken, Roles) {
  const std::string head = R"({"principal":"p","tenant":"acme","roles":)";
  // Duplicates are accepted and collapse into the set.
  auto dup = DecodeCreateToken(Doc(head + R"(["app","app"]})"));
  ASSERT_TRUE(dup.ok()) << dup.error().message;
  EXPECT_EQ(dup->roles, RoleSet::Of({Role::kApp}));
  auto officer = DecodeCreateToken(Doc(head + R"(["officer"]})"));
  ASSERT_TRUE(officer.ok());
  EXPECT_EQ(officer->roles, RoleSet::Of({Role::kOfficer}));

  ExpectInvalid(DecodeCreateToken(Doc(head + "[]}")), "field 'roles' must name at least one role",
                "empty list");
  const std::string unknown = "unknown role (expected admin, app, officer or auditor)";
  for (const char* role : {"root", "Admin", "ADMIN", "", "admin ", "apps"}) {
    ExpectInvalid(DecodeCreateToken(Doc(head + "[\"app\",\"" + role + "\"]}")), unknown, role);
  }
  // At most 4 items, even when they repeat one role.
  ExpectInvalid(DecodeCreateToken(Doc(head + R"(["app","app","app","app","app"]})")),
                "field 'roles' must be an array of at most 4 strings", "5 items");
  ExpectInvalid(DecodeCreateToken(Doc(head + "[\"" + std::string(17, 'a') + "\"]}")),
                "field 'roles' must be an array of strings of at most 16 bytes", "17-byte item");
  ExpectInvalid(DecodeCreateToken(Doc(head + "[1]}")),
                "field 'roles' must be an array of strings of at most 16 bytes", "number item");
  ExpectInvalid(DecodeCreateToken(Doc(head + "\"app\"}")),
                "field 'roles' must be an array of at most 4 strings", "string, not array");
  ExpectInvalid(DecodeCreateToken(Doc(R"({"principal":"p","tenant":"acme"})")),
                "field 'roles' is required", "missing");
}

TEST(DecodeCreateToken, PrincipalTenantAndTtl) {
  auto principal_max = DecodeCreateToken(
      Doc("{\"principal\":" + Q(std::string(128, 'p')) + R"(,"tenant":"acme","roles":["app"]})"));
  ASSERT_TRUE(principal_max.ok());
  ExpectInvalid(DecodeCreateToken(Doc("{\"principal\":" + Q(std::string(129, 'p')) +
                                      R"(,"tenant":"acme","roles":["app"]})")),
                "field 'principal' must be at most 128 bytes", "129-byte principal");
  ExpectInvalid(DecodeCreateToken(Doc("{\"principal\":\"p\",\"tenant\":" + Q(std::string(65, 't')) +
                                      R"(,"roles":["app"]})")),
                "field 'tenant' must be at most 64 bytes", "65-byte tenant");
  ExpectInvalid(DecodeCreateToken(Doc(R"({"tenant":"acme","roles":["app"]})")),
                "field 'principal' is required", "no principal");
  ExpectInvalid(DecodeCreateToken(Doc(R"({"principal":"p","roles":["app"]})")),
                "field 'tenant' is required", "no tenant");
  for (const char* v : kNotStrings) {
    ExpectInvalid(DecodeCreateToken(Doc(std::string(R"({"principal":)") + v +
                                        R"(,"tenant":"acme","roles":["app"]})")),
                  "field 'principal' must be a string", v);
  }
  // Shape only: the charset of principal and tenant is the token store's.
  auto loose = DecodeCreateToken(Doc(R"({"principal":"","tenant":"ACME!","roles":["app"]})"));
  ASSERT_TRUE(loose.ok());
  EXPECT_EQ(loose->principal, "");
  EXPECT_EQ(loose->tenant, "ACME!");

  const std::string head = R"({"principal":"p","tenant":"acme","roles":["app"],"ttl_s":)";
  const std::string range = "field 'ttl_s' must be between 1 and 315360000";
  ExpectInvalid(DecodeCreateToken(Doc(head + "0}")), range, "ttl 0");
  auto one = DecodeCreateToken(Doc(head + "1}"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->ttl_s, std::optional<std::uint64_t>(1));
  auto ten_years = DecodeCreateToken(Doc(head + "315360000}"));
  ASSERT_TRUE(ten_years.ok());
  ExpectInvalid(DecodeCreateToken(Doc(head + "315360001}")), range, "ttl max + 1");
  for (const char* v : kNotUints) {
    ExpectInvalid(DecodeCreateToken(Doc(head + v + "}")),
                  "field 'ttl_s' must be a non-negative integer", v);
  }
  ExpectInvalid(DecodeCreateToken(Doc(R"({"principal":"p","tenant":"acme","roles":["app"],)"
                                      R"("token":"kh_x"})")),
                "unknown field 'token'", "caller-chosen token");
}

// ---------------------------------------------------------------- Empty

TEST(DecodeEmpty, AcceptsOnlyTheEmptyObject) {
  EXPECT_TRUE(DecodeEmpty(Doc("{}")).ok());
  ExpectStatusRefused(DecodeEmpty(Doc(R"({"a":1})")), "unknown field 'a'", "one field");
  ExpectStatusRefused(DecodeEmpty(Doc(R"({"a":null})")), "unknown field 'a'", "null field");
  ExpectStatusRefused(DecodeEmpty(Doc(R"({"force":true,"b":{}})")), "unknown field 'b'",
                      "first in byte order");
}

// ------------------------------------------------------------ AccessRequestBody

// A request body with one field replaced (`raw` is JSON text; empty drops
// the field).
std::string AskWith(const std::string& field, const std::string& raw) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"operation", R"("unwrap")"},
      {"key", R"("acme/hr-records")"},
      {"context", R"({"case":"INC-1"})"},
      {"not_before", R"("2027-01-15T08:00:00Z")"},
      {"not_after", R"("2027-01-15T10:00:00Z")"},
      {"justification", R"({"reason_code":"incident_review","text":"INC-1"})"},
  };
  std::string out = "{";
  for (const auto& [name, value] : fields) {
    const std::string v = name == field ? raw : value;
    if (v.empty()) {
      continue;
    }
    out += (out.size() > 1 ? "," : "") + Q(name) + ":" + v;
  }
  if (field == "extra") {
    out += ",\"grant_uses\":" + raw;
  }
  return out + "}";
}

TEST(DecodeAccessRequestBody, MinimalAndFull) {
  auto minimal = DecodeAccessRequestBody(
      Doc(R"({"operation":"policy-change","justification":{"reason_code":"change_42"}})"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->operation, "policy-change");
  EXPECT_EQ(minimal->key, "");
  EXPECT_TRUE(minimal->context.entries().empty());
  EXPECT_FALSE(minimal->not_before.has_value());
  EXPECT_FALSE(minimal->not_after.has_value());
  EXPECT_EQ(minimal->justification.reason_code, "change_42");
  EXPECT_EQ(minimal->justification.text, "");

  auto full = DecodeAccessRequestBody(Doc(AskWith("", "")));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->operation, "unwrap");
  EXPECT_EQ(full->key, "acme/hr-records");
  const std::vector<crypto::EncryptionContext::Entry> ctx = {{"case", "INC-1"}};
  EXPECT_EQ(full->context.entries(), ctx);
  // date -u -d 2027-01-15T08:00:00Z +%s
  EXPECT_EQ(full->not_before, std::optional<std::int64_t>(1'800'000'000));
  EXPECT_EQ(full->not_after, std::optional<std::int64_t>(1'800'007'200));
  EXPECT_EQ(full->justification.reason_code, "incident_review");
  EXPECT_EQ(full->justification.text, "INC-1");

  // Null is absent; the decoder checks shape only (the handler checks the
  // operation, the key and the window's order).
  auto nulls = DecodeAccessRequestBody(
      Doc(R"({"operation":"","key":null,"context":null,"not_before":null,"not_after":null,)"
          R"("justification":{"reason_code":"r"}})"));
  ASSERT_TRUE(nulls.ok()) << nulls.error().message;
  EXPECT_EQ(nulls->operation, "");
  EXPECT_FALSE(nulls->not_before.has_value());
  auto backwards = DecodeAccessRequestBody(Doc(R"({"operation":"unwrap","not_before":)"
                                               R"("2027-01-15T10:00:00Z","not_after":)"
                                               R"("2027-01-15T08:00:00Z",)"
                                               R"("justification":{"reason_code":"r"}})"));
  ASSERT_TRUE(backwards.ok()) << backwards.error().message;
  auto leap = DecodeAccessRequestBody(Doc(AskWith("not_after", R"("2028-02-29T23:59:59Z")")));
  ASSERT_TRUE(leap.ok()) << leap.error().message;
  EXPECT_EQ(leap->not_after, std::optional<std::int64_t>(1'835'481'599));
  auto epoch = DecodeAccessRequestBody(Doc(AskWith("not_before", R"("1970-01-01T00:00:00Z")")));
  ASSERT_TRUE(epoch.ok()) << epoch.error().message;
  EXPECT_EQ(epoch->not_before, std::optional<std::int64_t>(0));
  auto longest_operation =
      DecodeAccessRequestBody(Doc(AskWith("operation", Q(std::string(64, 'o')))));
  ASSERT_TRUE(longest_operation.ok()) << longest_operation.error().message;
  EXPECT_EQ(longest_operation->operation.size(), 64u);
  auto longest = DecodeAccessRequestBody(Doc(AskWith("key", Q(std::string(200, 'k')))));
  ASSERT_TRUE(longest.ok()) << longest.error().message;
  EXPECT_EQ(longest->key.size(), 200u);
}

TEST(DecodeAccessRequestBody, HostileBodies) {
  const std::string justification_required =
      "field 'justification' is required: {\"reason_code\", \"text\"}";
  const auto time_must = [](const char* field) {
    return "field '" + std::string(field) + "' must be a UTC time YYYY-MM-DDTHH:MM:SSZ";
  };
  struct Case {
    std::string what;
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {"empty", "{}", "field 'operation' is required"},
      {"no operation", AskWith("operation", ""), "field 'operation' is required"},
      {"null operation", AskWith("operation", "null"), "field 'operation' is required"},
      {"65-byte operation", AskWith("operation", Q(std::string(65, 'o'))),
       "field 'operation' must be at most 64 bytes"},
      {"201-byte key", AskWith("key", Q(std::string(201, 'k'))),
       "field 'key' must be at most 200 bytes"},
      {"no justification", AskWith("justification", ""), justification_required},
      {"null justification", AskWith("justification", "null"), justification_required},
      {"justification a string", AskWith("justification", R"("incident")"),
       "field 'justification' must be an object"},
      {"justification without reason_code", AskWith("justification", R"({"text":"why"})"),
       "field 'reason_code' is required"},
      {"justification with an unknown field",
       AskWith("justification", R"({"reason_code":"r","ticket":"X"})"), "unknown field 'ticket'"},
      {"justification with a bad reason_code",
       AskWith("justification", R"({"reason_code":"Incident"})"),
       "field 'justification.reason_code' must be 1-64 of a-z 0-9 _"},
      {"a caller-chosen grant", AskWith("extra", "5"), "unknown field 'grant_uses'"},
      // Unknown fields are reported before the missing justification.
      {"unknown before missing", R"({"operation":"unwrap","approvals":[]})",
       "unknown field 'approvals'"},
      {"misspelt window",
       R"({"operation":"unwrap","notBefore":"2027-01-15T08:00:00Z",)"
       R"("justification":{"reason_code":"r"}})",
       "unknown field 'notBefore'"},
      {"a time as unix seconds", AskWith("not_before", "1800000000"),
       "field 'not_before' must be a string"},
      {"a time with an offset", AskWith("not_after", R"("2027-01-15T08:00:00+00:00")"),
       "field 'not_after' must be at most 20 bytes"},
  };
  for (const char* v : kNotStrings) {
    cases.push_back({std::string("operation ") + v, AskWith("operation", v),
                     "field 'operation' must be a string"});
    cases.push_back({std::string("key ") + v, AskWith("key", v), "field 'key' must be a string"});
    cases.push_back({std::string("not_before ") + v, AskWith("not_before", v),
                     "field 'not_before' must be a string"});
  }
  for (const char* t : {"2027-01-15", "2027-01-15T08:00:00", "2027-01-15 08:00:00Z",
                        "2027-01-15t08:00:00z", "2027-02-29T00:00:00Z", "2027-04-31T00:00:00Z",
                        "2027-13-01T00:00:00Z", "2027-00-10T00:00:00Z", "2027-01-00T00:00:00Z",
                        "2027-01-15T24:00:00Z", "2027-01-15T23:60:00Z", "2027-01-15T23:59:60Z",
                        "1969-12-31T23:59:59Z", "+027-01-15T08:00:00Z", "2027-+1-15T08:00:00Z",
                        "2027-01-15T-8:00:00Z", " 027-01-15T08:00:00Z", "", "now"}) {
    cases.push_back({std::string("not_before '") + t + "'", AskWith("not_before", Q(t)),
                     time_must("not_before")});
    cases.push_back(
        {std::string("not_after '") + t + "'", AskWith("not_after", Q(t)), time_must("not_after")});
  }
  for (const Case& c : cases) {
    ExpectInvalid(DecodeAccessRequestBody(Doc(c.body)), c.message, c.what);
  }
  // The context's own errors keep their code.
  ExpectRefused(DecodeAccessRequestBody(Doc(AskWith("context", R"("case=INC-1")"))),
                ErrorCode::kInvalidContext, "field 'context' must be an object of strings",
                "string context");
  ExpectRefused(DecodeAccessRequestBody(Doc(AskWith("context", R"({"case":1})"))),
                ErrorCode::kInvalidContext, "field 'context': every value must be a string",
                "number in the context");
  auto empty_key = DecodeAccessRequestBody(Doc(AskWith("context", R"({"":"v"})")));
  ASSERT_FALSE(empty_key.ok());
  EXPECT_EQ(empty_key.error().code, ErrorCode::kInvalidContext) << empty_key.error().message;
}

// ------------------------------------------------------------ Approve

TEST(DecodeApprove, GoodBodies) {
  auto minimal = DecodeApprove(Doc("{\"signature\":" + Q(B64(64, 0xa5)) + "}"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().message;
  EXPECT_EQ(minimal->signature, std::vector<std::uint8_t>(64, 0xa5));
  EXPECT_EQ(minimal->comment, "");
  auto full = DecodeApprove(
      Doc("{\"signature\":" + Q(B64(64)) + ",\"comment\":" + Q(std::string(1024, 'c')) + "}"));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->comment.size(), 1024u);
  auto null_comment = DecodeApprove(Doc("{\"signature\":" + Q(B64(64)) + ",\"comment\":null}"));
  ASSERT_TRUE(null_comment.ok());
  EXPECT_EQ(null_comment->comment, "");
}

TEST(DecodeApprove, HostileBodies) {
  const std::string size = "field 'signature' must be the base64 of a 64-byte Ed25519 signature";
  const std::string sig = "\"signature\":" + Q(B64(64));
  // 0xfb bytes encode to "+/v7" in the standard alphabet; the url-safe
  // spelling of the same bytes is refused.
  std::string url_safe = B64(64, 0xfb);
  for (char& c : url_safe) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  struct Case {
    std::string what;
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {"empty", "{}", "field 'signature' is required"},
      {"null signature", R"({"signature":null})", "field 'signature' is required"},
      {"comment only", R"({"comment":"ok"})", "field 'signature' is required"},
      {"63 bytes", "{\"signature\":" + Q(B64(63)) + "}", size},
      {"32 bytes (a key, not a signature)", "{\"signature\":" + Q(B64(32)) + "}", size},
      {"0 bytes", R"({"signature":""})", size},
      {"65 bytes", "{\"signature\":" + Q(B64(65)) + "}", Base64Must("signature", 64)},
      {"128 bytes", "{\"signature\":" + Q(B64(128)) + "}", Base64Must("signature", 64)},
      {"hex, not base64", "{\"signature\":" + Q(std::string(128, 'a')) + "}",
       Base64Must("signature", 64)},
      {"unpadded", "{\"signature\":" + Q(B64(64).substr(0, 86)) + "}", Base64Must("signature", 64)},
      {"url-safe alphabet", "{\"signature\":" + Q(url_safe) + "}", Base64Must("signature", 64)},
      {"whitespace", "{\"signature\":" + Q(B64(64).insert(8, " ")) + "}",
       Base64Must("signature", 64)},
      {"not base64", R"({"signature":"not base64!"})", Base64Must("signature", 64)},
      {"1025-byte comment", "{" + sig + ",\"comment\":" + Q(std::string(1025, 'c')) + "}",
       "field 'comment' must be at most 1024 bytes"},
      {"an officer named in the body", "{" + sig + R"(,"officer":"officer-0"})",
       "unknown field 'officer'"},
      {"a public key in the body", "{" + sig + ",\"public_key\":" + Q(B64(32)) + "}",
       "unknown field 'public_key'"},
      // Unknown fields are reported before a wrong size.
      {"unknown before size", "{\"signature\":" + Q(B64(63)) + R"(,"x":1})", "unknown field 'x'"},
  };
  for (const char* v : kNotStrings) {
    cases.push_back({std::string("signature ") + v, std::string("{\"signature\":") + v + "}",
                     "field 'signature' must be a base64 string"});
    cases.push_back({std::string("comment ") + v, "{" + sig + ",\"comment\":" + v + "}",
                     "field 'comment' must be a string"});
  }
  for (const Case& c : cases) {
    ExpectInvalid(DecodeApprove(Doc(c.body)), c.message, c.what);
  }
}

// ------------------------------------------------------------ Deny

TEST(DecodeDeny, GoodBodies) {
  auto r = DecodeDeny(Doc(R"({"comment":"no ticket"})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->comment, "no ticket");
  // Present is what is required; an empty reason is the handler's business.
  auto empty = DecodeDeny(Doc(R"({"comment":""})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->comment, "");
  auto longest = DecodeDeny(Doc("{\"comment\":" + Q(std::string(1024, 'c')) + "}"));
  ASSERT_TRUE(longest.ok());
  EXPECT_EQ(longest->comment.size(), 1024u);
}

TEST(DecodeDeny, HostileBodies) {
  struct Case {
    std::string what;
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {"empty", "{}", "field 'comment' is required"},
      {"null", R"({"comment":null})", "field 'comment' is required"},
      {"1025 bytes", "{\"comment\":" + Q(std::string(1025, 'c')) + "}",
       "field 'comment' must be at most 1024 bytes"},
      {"a signature (denials are not signed)",
       "{\"comment\":\"no\",\"signature\":" + Q(B64(64)) + "}", "unknown field 'signature'"},
      {"reason instead of comment", R"({"reason":"no"})", "field 'comment' is required"},
      {"reason as well", R"({"comment":"no","reason":"no"})", "unknown field 'reason'"},
  };
  for (const char* v : kNotStrings) {
    cases.push_back({std::string("comment ") + v, std::string("{\"comment\":") + v + "}",
                     "field 'comment' must be a string"});
  }
  for (const Case& c : cases) {
    ExpectInvalid(DecodeDeny(Doc(c.body)), c.message, c.what);
  }
}

// ------------------------------------------------------------ EnrolOfficer

TEST(DecodeEnrolOfficer, GoodBody) {
  std::vector<std::uint8_t> key(32);
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  }
  auto r = DecodeEnrolOfficer(Doc("{\"public_key\":" + Q(crypto::Base64Encode(key)) + "}"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::vector<std::uint8_t>(r->public_key.begin(), r->public_key.end()), key);
}

TEST(DecodeEnrolOfficer, HostileBodies) {
  const std::string size = "field 'public_key' must be the base64 of a 32-byte Ed25519 public key";
  struct Case {
    std::string what;
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {"empty", "{}", "field 'public_key' is required"},
      {"null", R"({"public_key":null})", "field 'public_key' is required"},
      {"31 bytes", "{\"public_key\":" + Q(B64(31)) + "}", size},
      {"0 bytes", R"({"public_key":""})", size},
      {"33 bytes", "{\"public_key\":" + Q(B64(33)) + "}", Base64Must("public_key", 32)},
      {"64 bytes (a signature or a secret key)", "{\"public_key\":" + Q(B64(64)) + "}",
       Base64Must("public_key", 32)},
      {"hex, not base64", "{\"public_key\":" + Q(std::string(64, 'a')) + "}",
       Base64Must("public_key", 32)},
      {"unpadded", "{\"public_key\":" + Q(B64(32).substr(0, 43)) + "}",
       Base64Must("public_key", 32)},
      {"not base64", R"({"public_key":"-----BEGIN PUBLIC KEY-----"})",
       Base64Must("public_key", 32)},
      {"the officer named in the body",
       "{\"public_key\":" + Q(B64(32)) + R"(,"officer":"officer-0"})", "unknown field 'officer'"},
      {"a seed", "{\"public_key\":" + Q(B64(32)) + ",\"seed\":" + Q(B64(32)) + "}",
       "unknown field 'seed'"},
      {"unknown before size", "{\"public_key\":" + Q(B64(31)) + R"(,"x":1})", "unknown field 'x'"},
  };
  for (const char* v : kNotStrings) {
    cases.push_back({std::string("public_key ") + v, std::string("{\"public_key\":") + v + "}",
                     "field 'public_key' must be a base64 string"});
  }
  for (const Case& c : cases) {
    ExpectInvalid(DecodeEnrolOfficer(Doc(c.body)), c.message, c.what);
  }
}

}  // namespace
}  // namespace keyhold::kms
