// Tests for kms/api/field_reader.h: every accessor on its own type, on every
// other JSON type (string, number, bool, null, array, object), with null
// read as absent, and at its bounds (exact and one past); Base64 strictness;
// secrets landing in SecretBytes; Context as an object of strings within
// the encryption context limits (kInvalidContext); StringList; Object;
// Finish naming the first unknown field; Require's message.
#include "kms/api/field_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "crypto/base64.h"
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

template <class T>
void ExpectInvalid(const Result<T>& r, const std::string& message, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << what;
  EXPECT_EQ(r.error().message, message) << what;
}

// One value of every JSON type, as the text of field "x".
struct Typed {
  const char* type;
  const char* json;
};
const Typed kTypes[] = {
    {"string", "\"AAAA\""}, {"unsigned", "7"},  {"negative", "-7"},   {"float", "1.5"},
    {"true", "true"},       {"false", "false"}, {"array", "[\"a\"]"}, {"object", "{\"a\":\"b\"}"},
};

std::string X(const char* json) {
  return std::string("{\"x\":") + json + "}";
}

TEST(FieldReaderString, ReadsAndBounds) {
  SecureJson doc = Doc(R"({"x":"hello","e":"","u":"caf\u00e9"})");
  FieldReader r(doc);
  auto x = r.String("x", 5);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(*x, std::optional<std::string>("hello"));
  auto e = r.String("e", 0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, std::optional<std::string>(""));
  // The bound is in bytes: "café" is 5 bytes.
  ExpectInvalid(r.String("u", 4), "field 'u' must be at most 4 bytes", "utf-8 bytes");
  EXPECT_TRUE(r.String("u", 5).ok());
  ExpectInvalid(r.String("x", 4), "field 'x' must be at most 4 bytes", "one over");
  EXPECT_TRUE(r.Finish().ok());
}

TEST(FieldReaderString, WrongTypes) {
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "string") {
      continue;
    }
    SecureJson doc = Doc(X(t.json));
    FieldReader r(doc);
    ExpectInvalid(r.String("x", 100), "field 'x' must be a string", t.type);
  }
}

TEST(FieldReaderAll, NullAndMissingAreAbsent) {
  for (const std::string& body : {std::string("{}"), std::string(R"({"x":null})")}) {
    SecureJson doc = Doc(body);
    FieldReader r(doc);
    auto s = r.String("x", 10);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE(s->has_value());
    auto u = r.Uint("x", 0, 10);
    ASSERT_TRUE(u.ok());
    EXPECT_FALSE(u->has_value());
    auto b = r.Bool("x");
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->has_value());
    auto b64 = r.Base64("x", 10);
    ASSERT_TRUE(b64.ok());
    EXPECT_FALSE(b64->has_value());
    auto sb64 = r.SecretBase64("x", 10);
    ASSERT_TRUE(sb64.ok());
    EXPECT_FALSE(sb64->has_value());
    auto ss = r.SecretString("x", 10);
    ASSERT_TRUE(ss.ok());
    EXPECT_FALSE(ss->has_value());
    auto ctx = r.Context("x");
    ASSERT_TRUE(ctx.ok());
    EXPECT_TRUE(ctx->entries().empty());
    auto list = r.StringList("x", 4, 4);
    ASSERT_TRUE(list.ok());
    EXPECT_FALSE(list->has_value());
    auto obj = r.Object("x");
    ASSERT_TRUE(obj.ok());
    EXPECT_EQ(*obj, nullptr);
    // Reading an absent or null field still marks it as known.
    EXPECT_TRUE(r.Finish().ok()) << body;
    ExpectInvalid(Require(r.String("x", 10), "x"), "field 'x' is required", body);
  }
}

TEST(FieldReaderUint, Bounds) {
  const std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  struct Case {
    std::string json;
    std::uint64_t min;
    std::uint64_t max;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"5", 5, 10, true},
      {"10", 5, 10, true},
      {"4", 5, 10, false},
      {"11", 5, 10, false},
      {"0", 0, 0, true},
      {"1", 0, 0, false},
      {"0", 1, 10, false},
      {"18446744073709551615", 0, kMax, true},
      {"18446744073709551615", 0, kMax - 1, false},
      {"18446744073709551614", 0, kMax - 1, true},
      {"4294967295", 1, 4294967295ULL, true},
      {"4294967296", 1, 4294967295ULL, false},
  };
  for (const Case& c : cases) {
    SecureJson doc = Doc(X(c.json.c_str()));
    FieldReader r(doc);
    auto v = r.Uint("x", c.min, c.max);
    if (c.ok) {
      ASSERT_TRUE(v.ok()) << c.json << ": " << v.error().message;
      EXPECT_EQ(**v, std::stoull(c.json)) << c.json;
    } else {
      ExpectInvalid(
          v, "field 'x' must be between " + std::to_string(c.min) + " and " + std::to_string(c.max),
          c.json);
    }
  }
}

TEST(FieldReaderUint, RefusesEverythingButNonNegativeIntegers) {
  const std::string must = "field 'x' must be a non-negative integer";
  for (const char* json :
       {"-1", "-0", "-9223372036854775808", "1.0", "0.0", "1e3", "1E0", "0.5", "-0.0",
        // 2^64 no longer fits: nlohmann stores it as a float.
        "18446744073709551616", "\"1\"", "true", "false", "[1]", "{\"a\":1}"}) {
    SecureJson doc = Doc(X(json));
    FieldReader r(doc);
    ExpectInvalid(r.Uint("x", 0, std::numeric_limits<std::uint64_t>::max()), must, json);
  }
}

TEST(FieldReaderBool, ReadsAndWrongTypes) {
  SecureJson doc = Doc(R"({"t":true,"f":false})");
  FieldReader r(doc);
  auto t = r.Bool("t");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, std::optional<bool>(true));
  auto f = r.Bool("f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, std::optional<bool>(false));
  for (const char* json : {"\"true\"", "1", "0", "-1", "1.0", "[true]", "{}"}) {
    SecureJson d = Doc(X(json));
    FieldReader rr(d);
    ExpectInvalid(rr.Bool("x"), "field 'x' must be true or false", json);
  }
}

std::string Base64Must(std::size_t max) {
  return "field 'x' must be canonical base64 (RFC 4648, padded, no whitespace) of at most " +
         std::to_string(max) + " bytes";
}

TEST(FieldReaderBase64, DecodesCanonicalBase64) {
  struct Case {
    const char* text;
    std::vector<std::uint8_t> bytes;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {"AA==", {0}},
      {"AAE=", {0, 1}},
      {"AAEC", {0, 1, 2}},
      {"aGVsbG8=", Bytes("hello")},
      {"+/8=", {0xfb, 0xff}},
  };
  for (const Case& c : cases) {
    SecureJson doc = Doc(X(("\"" + std::string(c.text) + "\"").c_str()));
    FieldReader r(doc);
    auto v = r.Base64("x", 16);
    ASSERT_TRUE(v.ok()) << c.text << ": " << v.error().message;
    EXPECT_EQ(**v, c.bytes) << c.text;
    auto s = r.SecretBase64("x", 16);
    ASSERT_TRUE(s.ok()) << c.text << ": " << s.error().message;
    EXPECT_EQ(Reveal(**s), c.bytes) << c.text;
  }
}

TEST(FieldReaderBase64, RefusesNonCanonicalInput) {
  for (const char* text : {
           "A",          // truncated
           "AA",         // missing padding
           "AA=",        // short padding
           "AA===",      // extra padding
           "AB==",       // non-zero trailing bits
           "AAF=",       // non-zero trailing bits
           "A A=",       // whitespace
           "AA==\\n",    // trailing newline
           " AA==",      // leading space
           "-_8=",       // URL-safe alphabet
           "AA==AA==",   // padding in the middle
           "=AAA",       // leading padding
           "AA*=",       // outside the alphabet
           "\\u00e9AA",  // non-ASCII (4 bytes)
       }) {
    SecureJson doc = Doc(X(("\"" + std::string(text) + "\"").c_str()));
    FieldReader r(doc);
    ExpectInvalid(r.Base64("x", 16), Base64Must(16), text);
    ExpectInvalid(r.SecretBase64("x", 16), Base64Must(16), text);
  }
}

TEST(FieldReaderBase64, MaxDecodedIsExact) {
  SecureJson doc = Doc(R"({"x":"AAECAw=="})");  // 4 bytes
  FieldReader r(doc);
  auto ok = r.Base64("x", 4);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->value().size(), 4u);
  ExpectInvalid(r.Base64("x", 3), Base64Must(3), "one over");
  auto secret_ok = r.SecretBase64("x", 4);
  ASSERT_TRUE(secret_ok.ok());
  EXPECT_EQ(secret_ok->value().size(), 4u);
  ExpectInvalid(r.SecretBase64("x", 3), Base64Must(3), "secret one over");
  ExpectInvalid(r.Base64("x", 0), Base64Must(0), "max 0");
}

TEST(FieldReaderBase64, WrongTypes) {
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "string") {
      continue;
    }
    SecureJson doc = Doc(X(t.json));
    FieldReader r(doc);
    ExpectInvalid(r.Base64("x", 16), "field 'x' must be a base64 string", t.type);
    ExpectInvalid(r.SecretBase64("x", 16), "field 'x' must be a base64 string", t.type);
  }
}

TEST(FieldReaderSecretBase64, LandsInSecretBytes) {
  std::vector<std::uint8_t> key(32);
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
  const std::string body = "{\"x\":\"" + crypto::Base64Encode(key) + "\"}";
  SecureJson doc = Doc(body);
  FieldReader r(doc);
  auto secret = Require(r.SecretBase64("x", 32), "x");
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(secret->size(), 32u);
  EXPECT_EQ(Reveal(*secret), key);
}

TEST(FieldReaderSecretString, CopiesBytesWithBounds) {
  SecureJson doc = Doc(R"({"x":"pass phr\u00e9se","e":""})");
  FieldReader r(doc);
  auto s = r.SecretString("x", 12);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(Reveal(**s), Bytes("pass phr\xc3\xa9se"));
  ExpectInvalid(r.SecretString("x", 11), "field 'x' must be at most 11 bytes", "one over");
  auto e = r.SecretString("e", 0);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->has_value());
  EXPECT_TRUE((*e)->empty());
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "string") {
      continue;
    }
    SecureJson d = Doc(X(t.json));
    FieldReader rr(d);
    ExpectInvalid(rr.SecretString("x", 100), "field 'x' must be a string", t.type);
  }
}

void ExpectBadContext(const Result<crypto::EncryptionContext>& r, const std::string& message,
                      const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidContext) << what;
  EXPECT_EQ(r.error().message, message) << what;
}

TEST(FieldReaderContext, ReadsAnObjectOfStringsSorted) {
  SecureJson doc = Doc(R"({"c":{"tenant":"acme","b":"","a":"x\u00e9"}})");
  FieldReader r(doc);
  auto ctx = r.Context("c");
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  const std::vector<crypto::EncryptionContext::Entry> want = {
      {"a", "x\xc3\xa9"}, {"b", ""}, {"tenant", "acme"}};
  EXPECT_EQ(ctx->entries(), want);
  SecureJson empty = Doc(R"({"c":{}})");
  FieldReader re(empty);
  auto e = re.Context("c");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->entries().empty());
}

TEST(FieldReaderContext, RefusesNonObjectsAndNonStringValues) {
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "object") {
      continue;
    }
    SecureJson doc = Doc(X(t.json));
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "field 'x' must be an object of strings", t.type);
  }
  for (const char* value : {"1", "true", "null", "[\"a\"]", "{\"a\":\"b\"}", "-1", "1.5"}) {
    SecureJson doc = Doc(std::string(R"({"x":{"ok":"fine","k":)") + value + "}}");
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "field 'x': every value must be a string", value);
  }
}

std::string ContextBody(std::size_t entries, std::size_t key_size = 0, std::size_t value_size = 1) {
  std::string body = "{\"x\":{";
  for (std::size_t i = 0; i < entries; ++i) {
    std::string key = "k" + std::to_string(i);
    if (key_size > key.size()) {
      key += std::string(key_size - key.size(), 'p');
    }
    body += (i ? "," : "") + ("\"" + key + "\":\"" + std::string(value_size, 'v') + "\"");
  }
  return body + "}}";
}

TEST(FieldReaderContext, Limits) {
  {
    SecureJson doc = Doc(ContextBody(64));
    FieldReader r(doc);
    auto ctx = r.Context("x");
    ASSERT_TRUE(ctx.ok()) << ctx.error().message;
    EXPECT_EQ(ctx->entries().size(), 64u);
  }
  {
    SecureJson doc = Doc(ContextBody(65));
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "encryption context: at most 64 entries", "65 entries");
  }
  {
    SecureJson doc = Doc(ContextBody(1, 256));
    FieldReader r(doc);
    EXPECT_TRUE(r.Context("x").ok()) << "256-byte key";
  }
  {
    SecureJson doc = Doc(ContextBody(1, 257));
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "encryption context: keys must be 1-256 bytes", "257");
  }
  {
    SecureJson doc = Doc(R"({"x":{"":"v"}})");
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "encryption context: keys must be 1-256 bytes", "empty key");
  }
  {
    SecureJson doc = Doc(ContextBody(1, 0, 2048));
    FieldReader r(doc);
    EXPECT_TRUE(r.Context("x").ok()) << "2048-byte value";
  }
  {
    SecureJson doc = Doc(ContextBody(1, 0, 2049));
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "encryption context: values must be at most 2048 bytes",
                     "2049");
  }
  {
    // 4 entries of 2048-byte values: 2 + 4 * (2 + 2 + 2 + 2048) = 8218 > 8192.
    SecureJson doc = Doc(ContextBody(4, 0, 2048));
    FieldReader r(doc);
    ExpectBadContext(r.Context("x"), "encryption context: larger than 8 KiB", "encoded size");
  }
}

TEST(FieldReaderContext, InvalidUtf8BuiltInMemoryIsRefused) {
  // ParseJsonObject already refuses invalid UTF-8; a document built in
  // memory reaches EncryptionContext's own check.
  SecureJson doc = SecureJson::object();
  SecureJson ctx = SecureJson::object();
  ctx["k"] = crypto::SecureString("\xff");
  doc["x"] = ctx;
  FieldReader r(doc);
  ExpectBadContext(r.Context("x"), "encryption context: keys and values must be UTF-8", "0xff");
}

TEST(FieldReaderStringList, ReadsAndBounds) {
  SecureJson doc = Doc(R"({"x":["a","bb","",  "dddd"],"e":[]})");
  FieldReader r(doc);
  auto v = r.StringList("x", 4, 4);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(**v, (std::vector<std::string>{"a", "bb", "", "dddd"}));
  auto e = r.StringList("e", 4, 4);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->has_value());
  EXPECT_TRUE((*e)->empty());
  ExpectInvalid(r.StringList("x", 3, 4), "field 'x' must be an array of at most 3 strings",
                "too many items");
  ExpectInvalid(r.StringList("x", 4, 3), "field 'x' must be an array of strings of at most 3 bytes",
                "too long an item");
}

TEST(FieldReaderStringList, WrongTypes) {
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "array") {
      continue;
    }
    SecureJson doc = Doc(X(t.json));
    FieldReader r(doc);
    ExpectInvalid(r.StringList("x", 4, 16), "field 'x' must be an array of at most 4 strings",
                  t.type);
  }
  for (const char* item : {"1", "true", "null", "[\"a\"]", "{}", "-1"}) {
    SecureJson doc = Doc(std::string(R"({"x":["ok",)") + item + "]}");
    FieldReader r(doc);
    ExpectInvalid(r.StringList("x", 4, 16),
                  "field 'x' must be an array of strings of at most 16 bytes", item);
  }
}

TEST(FieldReaderObject, ReadsNestedObjects) {
  SecureJson doc = Doc(R"({"o":{"a":"b"},"e":{}})");
  FieldReader r(doc);
  auto o = r.Object("o");
  ASSERT_TRUE(o.ok());
  ASSERT_NE(*o, nullptr);
  FieldReader inner(**o);
  auto a = inner.String("a", 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::optional<std::string>("b"));
  EXPECT_TRUE(inner.Finish().ok());
  auto e = r.Object("e");
  ASSERT_TRUE(e.ok());
  ASSERT_NE(*e, nullptr);
  EXPECT_TRUE((*e)->empty());
  EXPECT_TRUE(r.Finish().ok());
  for (const Typed& t : kTypes) {
    if (std::string(t.type) == "object") {
      continue;
    }
    SecureJson d = Doc(X(t.json));
    FieldReader rr(d);
    ExpectInvalid(rr.Object("x"), "field 'x' must be an object", t.type);
  }
}

TEST(FieldReaderFinish, NamesTheFirstUnknownField) {
  SecureJson doc = Doc(R"({"known":1,"zeta":2,"beta":3,"alpha":4})");
  FieldReader r(doc);
  ASSERT_TRUE(r.Uint("known", 0, 10).ok());
  auto s = r.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  // Fields are visited in byte order of their names.
  EXPECT_EQ(s.error().message, "unknown field 'alpha'");
  ASSERT_TRUE(r.Uint("alpha", 0, 10).ok());
  EXPECT_EQ(r.Finish().error().message, "unknown field 'beta'");
  ASSERT_TRUE(r.Uint("beta", 0, 10).ok());
  EXPECT_EQ(r.Finish().error().message, "unknown field 'zeta'");
  ASSERT_TRUE(r.Uint("zeta", 0, 10).ok());
  EXPECT_TRUE(r.Finish().ok());
}

TEST(FieldReaderFinish, EmptyObjectAndUnknownNestedFields) {
  SecureJson empty = SecureJson::object();
  EXPECT_TRUE(FieldReader(empty).Finish().ok());
  SecureJson doc = Doc(R"({"o":{"a":1,"extra":2}})");
  FieldReader r(doc);
  auto o = r.Object("o");
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(r.Finish().ok());  // the outer reader only knows "o"
  FieldReader inner(**o);
  ASSERT_TRUE(inner.Uint("a", 0, 10).ok());
  EXPECT_EQ(inner.Finish().error().message, "unknown field 'extra'");
}

TEST(FieldReaderFinish, UnusualUnknownNamesAreNotEchoed) {
  const std::string at_limit(64, 'n');
  SecureJson fits = Doc("{\"" + at_limit + "\":1}");
  EXPECT_EQ(FieldReader(fits).Finish().error().message, "unknown field '" + at_limit + "'");
  for (const std::string& name : {std::string(65, 'n'), std::string("a b"), std::string("k\\n"),
                                  std::string("caf\u00e9"), std::string("'quoted'")}) {
    SecureJson doc = Doc("{\"" + name + "\":1}");
    FieldReader r(doc);
    auto s = r.Finish();
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().message, "unknown field (name not shown)") << name;
  }
}

TEST(FieldReaderFinish, NullFieldNobodyReadIsUnknown) {
  SecureJson doc = Doc(R"({"x":null})");
  FieldReader r(doc);
  EXPECT_EQ(r.Finish().error().message, "unknown field 'x'");
}

TEST(FieldReaderFinish, AFieldReadTwiceOrWithAnErrorCountsAsRead) {
  SecureJson doc = Doc(R"({"x":"abc","y":"not a number"})");
  FieldReader r(doc);
  auto first = r.String("x", 10);
  auto second = r.String("x", 10);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_FALSE(r.Uint("y", 0, 10).ok());
  EXPECT_TRUE(r.Finish().ok());
}

TEST(FieldReaderRequire, MessagesAndPassThrough) {
  SecureJson doc = Doc(R"({"x":"v","n":"s"})");
  FieldReader r(doc);
  auto v = Require(r.String("x", 10), "x");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "v");
  ExpectInvalid(Require(r.String("missing", 10), "missing"), "field 'missing' is required",
                "absent");
  // The name in the message is the one given to Require.
  ExpectInvalid(Require(r.String("missing", 10), "outer.missing"),
                "field 'outer.missing' is required", "dotted");
  // A wrong type is reported as such, not as missing.
  ExpectInvalid(Require(r.Uint("n", 0, 10), "n"), "field 'n' must be a non-negative integer",
                "wrong type");
}

}  // namespace
}  // namespace keyhold::kms
