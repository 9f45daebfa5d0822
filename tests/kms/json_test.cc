// Tests for kms/api/json.h: ParseJsonObject accepts exactly one JSON object
// and refuses everything else (non-objects, trailing bytes, bad escapes,
// invalid UTF-8, raw NUL bytes, duplicate keys at any depth, nesting deeper
// than kMaxJsonDepth) with kInvalidRequest; a refusal never quotes the body
// (only the name of a duplicate key may appear). Hostile bodies of 100,000
// open brackets fail fast without recursion. Dump serialises compactly and
// replaces invalid UTF-8 instead of throwing.
#include "kms/api/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace keyhold::kms {
namespace {

using namespace std::string_literals;

constexpr std::string_view kMarker = "S3CR3TMARKER";

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

std::string Str(const crypto::SecureString& s) {
  return std::string(s.begin(), s.end());
}

// No run of more than 3 bytes of `body` may appear in `message`, once the one
// quoted duplicate key (if any) has been taken out.
void ExpectNoEcho(std::string_view body, std::string message, std::string_view allowed_key,
                  const std::string& what) {
  if (!allowed_key.empty()) {
    const std::string quoted = "\"" + std::string(allowed_key) + "\"";
    const std::size_t at = message.find(quoted);
    ASSERT_NE(at, std::string::npos) << what << ": " << message;
    message.erase(at, quoted.size());
  }
  EXPECT_EQ(message.find(kMarker), std::string::npos) << what << ": " << message;
  for (std::size_t i = 0; i + 4 <= body.size(); ++i) {
    const std::string_view window = body.substr(i, 4);
    ASSERT_EQ(message.find(window), std::string::npos)
        << what << ": message \"" << message << "\" quotes \"" << window << "\" of the body";
  }
}

// Parses `body`, expects kInvalidRequest and returns the message (after the
// no-echo check).
std::string Refused(std::string_view body, const std::string& what,
                    std::string_view allowed_key = {}) {
  auto parsed = ParseJsonObject(body);
  if (parsed.ok()) {
    ADD_FAILURE() << what << ": accepted " << Str(Dump(*parsed));
    return "";
  }
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest) << what;
  ExpectNoEcho(body, parsed.error().message, allowed_key, what);
  return parsed.error().message;
}

bool IsSyntaxError(const std::string& message) {
  return message.rfind("malformed JSON at byte ", 0) == 0 &&
         message.size() > std::string_view("malformed JSON at byte ").size() &&
         message.find_first_not_of("0123456789", 23) == std::string::npos;
}

// 8 levels: {"a":{"a":...{}...}} with `levels` objects.
std::string NestedObjects(int levels, std::string_view innermost = "") {
  std::string body;
  for (int i = 1; i < levels; ++i) {
    body += "{\"a\":";
  }
  body += "{" + std::string(innermost) + "}";
  body += std::string(levels - 1, '}');
  return body;
}

// One object holding `levels - 1` nested arrays.
std::string NestedArrays(int levels) {
  return "{\"a\":" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
}

TEST(JsonParse, AcceptsOneObject) {
  for (const std::string& body :
       {"{}"s, " {} "s, "\t\r\n{}\n"s, "{\"a\":1}"s, "{\"a\":\"x\",\"b\":[1,2,3],\"c\":null}"s,
        "{\"a\":true,\"b\":false,\"c\":{\"d\":[]}}"s}) {
    auto parsed = ParseJsonObject(body);
    ASSERT_TRUE(parsed.ok()) << body << ": " << parsed.error().message;
    EXPECT_TRUE(parsed->is_object()) << body;
  }
  auto parsed = ParseJsonObject("{\"a\":\"x\",\"n\":42,\"l\":[true,null]}");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Str((*parsed)["a"].get_ref<const crypto::SecureString&>()), "x");
  EXPECT_EQ((*parsed)["n"].get<std::uint64_t>(), 42u);
  EXPECT_TRUE((*parsed)["l"].is_array());
  EXPECT_EQ((*parsed)["l"].size(), 2u);
}

TEST(JsonParse, RefusesEveryNonObjectTopLevel) {
  for (const std::string& body : {"null"s, "[]"s, "[{}]"s, "\"x\""s, "1"s, "-1"s, "1.5"s, "true"s,
                                  "false"s, "\"S3CR3TMARKER\""s, "[\"S3CR3TMARKER\"]"s}) {
    EXPECT_EQ(Refused(body, body), "the request body must be a JSON object") << body;
  }
}

TEST(JsonParse, EmptyAndWhitespaceBodiesAreSyntaxErrors) {
  // Separate from the missing body: the Api maps an absent body to {} before
  // calling the parser; the parser itself refuses zero bytes.
  for (const std::string& body : {""s, " "s, "\n\t\r "s}) {
    const std::string message = Refused(body, "blank body");
    EXPECT_TRUE(IsSyntaxError(message)) << message;
  }
}

TEST(JsonParse, SyntaxErrorReportsTheByteOffset) {
  // nlohmann counts the bytes read up to and including the offending one.
  EXPECT_EQ(Refused("{} x", "trailing x"), "malformed JSON at byte 4");
  EXPECT_EQ(Refused("{}{}", "two objects"), "malformed JSON at byte 3");
  EXPECT_EQ(Refused("{\"a\":01}", "leading zero"), "malformed JSON at byte 7");
  EXPECT_EQ(Refused("", "empty"), "malformed JSON at byte 1");
}

struct Hostile {
  std::string name;
  std::string body;
};

TEST(JsonParse, RefusesHostileBodiesWithoutQuotingThem) {
  const std::string m(kMarker);
  const std::vector<Hostile> cases = {
      {"trailing garbage", "{\"k\":\"" + m + "\"} x" + m},
      {"two objects", "{\"k\":\"" + m + "\"}{\"k\":\"" + m + "\"}"},
      {"object then array", "{}[\"" + m + "\"]"},
      {"unterminated string", "{\"k\":\"" + m},
      {"unterminated string at end of object", "{\"k\":\"" + m + "}"},
      {"unterminated object", "{\"k\":\"" + m + "\""},
      {"missing value", "{\"" + m + "\":}"},
      {"missing colon", "{\"" + m + "\" 1}"},
      {"trailing comma", "{\"k\":\"" + m + "\",}"},
      {"single quotes", "{'k':'" + m + "'}"},
      {"bare word key", "{" + m + ":1}"},
      {"comment", "{/* " + m + " */}"},
      {"line comment", "{\"k\":1 // " + m + "\n}"},
      {"invalid escape \\q", "{\"k\":\"" + m + "\\q" + m + "\"}"},
      {"invalid escape \\x", "{\"k\":\"" + m + "\\x41\"}"},
      {"short \\u escape", "{\"k\":\"" + m + "\\u12\"}"},
      {"short \\u escape at end", "{\"k\":\"" + m + "\\u12"},
      {"non-hex \\u escape", "{\"k\":\"" + m + "\\u12G4" + m + "\"}"},
      {"lone high surrogate", "{\"k\":\"" + m + "\\ud800" + m + "\"}"},
      {"lone high surrogate at end", "{\"k\":\"" + m + "\\ud800\"}"},
      {"lone low surrogate", "{\"k\":\"" + m + "\\udc00" + m + "\"}"},
      {"high surrogate then non-low", "{\"k\":\"" + m + "\\ud800\\u0041" + m + "\"}"},
      {"UTF-8 0xff", "{\"k\":\"" + m + "\xff" + m + "\"}"},
      {"UTF-8 0xfe", "{\"k\":\"" + m + "\xfe" + m + "\"}"},
      {"overlong '/' C0 AF", "{\"k\":\"" + m + "\xc0\xaf" + m + "\"}"},
      {"overlong NUL C0 80", "{\"k\":\"" + m + "\xc0\x80" + m + "\"}"},
      {"overlong E0 80 AF", "{\"k\":\"" + m + "\xe0\x80\xaf" + m + "\"}"},
      {"truncated 3-byte sequence", "{\"k\":\"" + m + "\xe2\x82" + m + "\"}"},
      {"lone continuation byte", "{\"k\":\"" + m + "\x80" + m + "\"}"},
      {"UTF-8 encoded surrogate", "{\"k\":\"" + m + "\xed\xa0\x80" + m + "\"}"},
      {"above U+10FFFF", "{\"k\":\"" + m + "\xf4\x90\x80\x80" + m + "\"}"},
      {"invalid UTF-8 in a key", "{\"" + m + "\xff\":1}"},
      {"raw control byte in a string", "{\"k\":\"" + m + "\x01" + m + "\"}"},
      {"raw tab in a string", "{\"k\":\"" + m + "\t" + m + "\"}"},
      {"raw newline in a string", "{\"k\":\"" + m + "\n" + m + "\"}"},
      {"NUL inside a string", "{\"k\":\"" + m + "\0"s + m + "\"}"},
      {"NUL inside the object", "{\"k\":\"" + m + "\"\0"s + "}"},
      {"NUL before the object", "\0"s + "{\"k\":\"" + m + "\"}"},
      {"NUL after the object", "{\"k\":\"" + m + "\"}\0"s},
      {"NUL then a second object", "{\"k\":1}\0"s + "{\"k\":\"" + m + "\"}"},
      {"NUL then garbage", "{}\0"s + m},
      {"leading zero", "{\"" + m + "\":01}"},
      {"negative leading zero", "{\"" + m + "\":-01}"},
      {"leading plus", "{\"" + m + "\":+1}"},
      {"bare fraction", "{\"" + m + "\":.5}"},
      {"empty fraction", "{\"" + m + "\":1.}"},
      {"empty exponent", "{\"" + m + "\":1e}"},
      {"hex number", "{\"" + m + "\":0x10}"},
      {"NaN", "{\"" + m + "\":NaN}"},
      {"Infinity", "{\"" + m + "\":Infinity}"},
      {"capitalised literal", "{\"" + m + "\":True}"},
  };
  for (const Hostile& c : cases) {
    const std::string message = Refused(c.body, c.name);
    EXPECT_TRUE(IsSyntaxError(message)) << c.name << ": " << message;
  }
}

TEST(JsonParse, RawNulAfterTheObjectIsNotEndOfInput) {
  // nlohmann treats a NUL byte as the end of input, which would let
  // {"k":1}\0<anything> through as {"k":1}. NUL is never valid JSON text.
  EXPECT_EQ(Refused("{\"k\":1}\0{\"evil\":true}"s, "smuggled object"), "malformed JSON at byte 8");
  EXPECT_EQ(Refused("\0"s, "NUL alone"), "malformed JSON at byte 1");
}

TEST(JsonParse, RefusesDuplicateKeysAtEveryLevel) {
  const std::string m(kMarker);
  EXPECT_EQ(Refused("{\"a\":1,\"a\":2}", "top", "a"), "duplicate JSON key \"a\"");
  EXPECT_EQ(Refused("{\"a\":\"" + m + "\",\"a\":\"" + m + "2\"}", "values", "a"),
            "duplicate JSON key \"a\"");
  EXPECT_EQ(
      Refused("{\"x\":{\"y\":{\"dup\":\"" + m + "\",\"dup\":\"" + m + "\"}}}", "depth 3", "dup"),
      "duplicate JSON key \"dup\"");
  EXPECT_EQ(Refused("{\"l\":[{\"k\":1,\"z\":\"" + m + "\",\"k\":2}]}", "inside an array", "k"),
            "duplicate JSON key \"k\"");
  // Keys are compared after unescaping.
  EXPECT_EQ(Refused("{\"ab\":1,\"a\\u0062\":2}", "escaped twin", "ab"),
            "duplicate JSON key \"ab\"");
  // A short plain key name is the one piece of the body a message may quote.
  EXPECT_EQ(Refused("{\"" + m + "\":1,\"" + m + "\":2}", "marker key", m),
            "duplicate JSON key \"" + m + "\"");
  // Long or unusual names are not echoed at all.
  const std::string long_key(65, 'k');
  EXPECT_EQ(Refused("{\"" + long_key + "\":1,\"" + long_key + "\":2}", "long key"),
            "duplicate JSON key in an object at depth 1");
  EXPECT_EQ(Refused("{\"c\":{\"a b\":1,\"a b\":2}}", "spaced key"),
            "duplicate JSON key in an object at depth 2");
}

TEST(JsonParse, SameKeyInDifferentObjectsIsFine) {
  for (const std::string& body :
       {"{\"a\":{\"k\":1},\"b\":{\"k\":2}}"s, "{\"l\":[{\"k\":1},{\"k\":2}]}"s,
        "{\"k\":{\"k\":{\"k\":1}}}"s, "{\"a\":{\"k\":1,\"b\":{\"k\":2}},\"k\":3}"s,
        // A key closing an inner object must not be remembered by the outer one.
        "{\"a\":{\"x\":1},\"x\":2}"s}) {
    auto parsed = ParseJsonObject(body);
    EXPECT_TRUE(parsed.ok()) << body << ": " << parsed.error().message;
  }
}

TEST(JsonParse, DepthLimitIsExactlyKMaxJsonDepth) {
  ASSERT_EQ(kMaxJsonDepth, 8);
  const std::string deepest_ok_objects = NestedObjects(kMaxJsonDepth);
  ASSERT_EQ(deepest_ok_objects, "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}");
  auto ok = ParseJsonObject(deepest_ok_objects);
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  auto ok_arrays = ParseJsonObject(NestedArrays(kMaxJsonDepth));
  EXPECT_TRUE(ok_arrays.ok()) << ok_arrays.error().message;
  auto ok_scalar = ParseJsonObject(NestedObjects(kMaxJsonDepth, "\"b\":1"));
  EXPECT_TRUE(ok_scalar.ok()) << "a scalar inside the 8th level adds no level";

  const std::string m(kMarker);
  const std::string message = "JSON nested deeper than 8 levels";
  EXPECT_EQ(Refused(NestedObjects(kMaxJsonDepth + 1), "9 objects"), message);
  EXPECT_EQ(Refused(NestedArrays(kMaxJsonDepth + 1), "1 object + 8 arrays"), message);
  EXPECT_EQ(Refused(NestedObjects(kMaxJsonDepth, "\"" + m + "\":[\"" + m + "\"]"), "9th is array"),
            message);
  EXPECT_EQ(Refused(NestedObjects(kMaxJsonDepth, "\"" + m + "\":{}"), "9th is empty object"),
            message);
}

TEST(JsonParse, HugeNestingFailsFastWithoutRecursion) {
  const std::string brackets(100000, '[');
  std::string objects;
  for (int i = 0; i < 100000; ++i) {
    objects += "{\"a\":";
  }
  const std::string object_then_brackets = "{\"a\":" + brackets;
  // Repeated to make a pathological cost visible in the test's duration; the
  // depth check must stop each parse at the 9th level.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Refused(brackets, "100,000 ["), "JSON nested deeper than 8 levels");
    EXPECT_EQ(Refused(objects, "100,000 {\"a\":"), "JSON nested deeper than 8 levels");
    EXPECT_EQ(Refused(object_then_brackets, "{\"a\": + 100,000 ["),
              "JSON nested deeper than 8 levels");
  }
}

TEST(JsonParse, NumbersArePinned) {
  // 1e400 overflows a double: nlohmann refuses it (out_of_range), which
  // ParseJsonObject reports without an offset and without quoting it.
  const std::string m(kMarker);
  EXPECT_EQ(Refused("{\"" + m + "\":1e400}", "1e400"), "malformed JSON");
  EXPECT_EQ(Refused("{\"" + m + "\":-1e400}", "-1e400"), "malformed JSON");
  EXPECT_EQ(Refused("{\"n\":[1e400,\"" + m + "\"]}", "1e400 in an array"), "malformed JSON");

  // -0 is a signed integer (not unsigned), -0.0 a negative float.
  auto neg_zero = ParseJsonObject("{\"n\":-0}");
  ASSERT_TRUE(neg_zero.ok()) << neg_zero.error().message;
  EXPECT_TRUE((*neg_zero)["n"].is_number_integer());
  EXPECT_FALSE((*neg_zero)["n"].is_number_unsigned());
  EXPECT_EQ((*neg_zero)["n"].get<std::int64_t>(), 0);
  auto neg_zero_float = ParseJsonObject("{\"n\":-0.0}");
  ASSERT_TRUE(neg_zero_float.ok());
  EXPECT_TRUE((*neg_zero_float)["n"].is_number_float());
  EXPECT_TRUE(std::signbit((*neg_zero_float)["n"].get<double>()));

  // Non-negative integers are unsigned, up to 2^64-1; 2^64 becomes a float.
  auto max = ParseJsonObject("{\"n\":18446744073709551615}");
  ASSERT_TRUE(max.ok());
  EXPECT_TRUE((*max)["n"].is_number_unsigned());
  EXPECT_EQ((*max)["n"].get<std::uint64_t>(), 18446744073709551615ULL);
  auto over = ParseJsonObject("{\"n\":18446744073709551616}");
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE((*over)["n"].is_number_float());

  auto zero = ParseJsonObject("{\"n\":0}");
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE((*zero)["n"].is_number_unsigned());
}

TEST(JsonParse, AcceptsValidUnicode) {
  auto parsed = ParseJsonObject(
      "{\"raw\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"esc\":\"\\u00e9\\u20ac\\ud83d\\ude00\","
      "\"ctl\":\"\\u0000\\n\\t\\\"\\\\\\/\"}");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const std::string expected = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  EXPECT_EQ(Str((*parsed)["raw"].get_ref<const crypto::SecureString&>()), expected);
  EXPECT_EQ(Str((*parsed)["esc"].get_ref<const crypto::SecureString&>()), expected);
  EXPECT_EQ(Str((*parsed)["ctl"].get_ref<const crypto::SecureString&>()), "\0\n\t\"\\/"s);
}

TEST(JsonParse, Utf8ByteOrderMarkIsSkipped) {
  // Pinned: nlohmann skips one leading UTF-8 BOM (RFC 8259 section 8.1
  // allows ignoring it).
  auto parsed = ParseJsonObject("\xef\xbb\xbf{\"a\":1}");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ((*parsed)["a"].get<std::uint64_t>(), 1u);
}

TEST(JsonDump, IsCompactSortedAndRoundTrips) {
  const std::string body =
      "{ \"b\" : [1, 2, {\"c\": null}], \"a\": \"x\\u00e9\", \"d\": true, \"e\": -3, \"f\": 1.5 }";
  auto parsed = ParseJsonObject(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const crypto::SecureString dumped = Dump(*parsed);
  EXPECT_EQ(Str(dumped),
            "{\"a\":\"x\xc3\xa9\",\"b\":[1,2,{\"c\":null}],\"d\":true,\"e\":-3,\"f\":1.5}");
  auto again = ParseJsonObject(std::string_view(dumped.data(), dumped.size()));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *parsed);
  EXPECT_EQ(Dump(*again), dumped);
}

TEST(JsonDump, EscapesControlCharactersAndQuotes) {
  SecureJson doc = SecureJson::object();
  doc["s"] = S("a\"b\\c\x01\n"s + "\0"s);
  EXPECT_EQ(Str(Dump(doc)), "{\"s\":\"a\\\"b\\\\c\\u0001\\n\\u0000\"}");
}

TEST(JsonDump, ReplacesInvalidUtf8InsteadOfThrowing) {
  SecureJson doc = SecureJson::object();
  doc["v"] =
      S("ok\xff"
        "end");
  EXPECT_EQ(Str(Dump(doc)),
            "{\"v\":\"ok\xef\xbf\xbd"
            "end\"}");

  SecureJson overlong = SecureJson::object();
  overlong["v"] = S("\xc0\xaf");
  const std::string out = Str(Dump(overlong));
  EXPECT_EQ(out.find("\xc0"), std::string::npos) << out;
  EXPECT_NE(out.find("\xef\xbf\xbd"), std::string::npos) << out;

  SecureJson bad_key = SecureJson::object();
  bad_key[S("k\xfe")] = 1;
  EXPECT_EQ(Str(Dump(bad_key)), "{\"k\xef\xbf\xbd\":1}");

  // Whatever Dump returns parses again.
  for (const SecureJson* d : {&doc, &overlong, &bad_key}) {
    const auto text = Dump(*d);
    EXPECT_TRUE(ParseJsonObject(std::string_view(text.data(), text.size())).ok()) << Str(text);
  }
}

TEST(JsonDump, EmptyObjectAndArray) {
  EXPECT_EQ(Str(Dump(SecureJson::object())), "{}");
  SecureJson doc = SecureJson::object();
  doc["l"] = SecureJson::array();
  EXPECT_EQ(Str(Dump(doc)), "{\"l\":[]}");
}

}  // namespace
}  // namespace keyhold::kms
