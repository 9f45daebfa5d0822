// Tests for ParseLocatedJson (policies/located_json.h), the JSON reader under
// every policy file. Its one job beyond parsing is the line of each value,
// which is what lets `keyhold policy apply` say "p.json:12: /rules/2/effect":
// a wrong line sends an operator to the wrong place, so the lines are checked
// exactly, including the cases where the parser reads ahead (a number ends
// only at the character after it) and CRLF files. It is also the first line
// of defence against hostile files: duplicate keys (which a later reader
// might resolve differently) and deep nesting are refused.
#include "policies/located_json.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhold::policies {
namespace {

LocatedJson MustParse(std::string_view text) {
  auto parsed = ParseLocatedJson(text, "t.json");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message) << "\n" << text;
  return parsed.ok() ? std::move(parsed).value() : LocatedJson{};
}

std::string MustFail(std::string_view text) {
  auto parsed = ParseLocatedJson(text, "t.json");
  EXPECT_FALSE(parsed.ok()) << text;
  if (parsed.ok()) {
    return "";
  }
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidPolicy) << text;
  return parsed.error().message;
}

struct LineCase {
  std::string pointer;
  std::size_t line;
};

void ExpectLines(std::string_view text, const std::vector<LineCase>& want) {
  const LocatedJson doc = MustParse(text);
  for (const LineCase& c : want) {
    const auto it = doc.lines.find(c.pointer);
    ASSERT_NE(it, doc.lines.end()) << "no line for '" << c.pointer << "' in\n" << text;
    EXPECT_EQ(it->second, c.line) << "pointer '" << c.pointer << "' in\n" << text;
  }
}

TEST(LocatedJsonTest, LinesOfKeysElementsAndValues) {
  const std::string text =
      "{\n"                              // 1
      "  \"name\": \"x\",\n"             // 2
      "  \"n\": 42,\n"                   // 3
      "  \"list\": [\n"                  // 4
      "    1,\n"                         // 5
      "    \"two\",\n"                   // 6
      "\n"                               // 7
      "    {\"k\": true},\n"             // 8
      "    [\n"                          // 9
      "      null\n"                     // 10
      "    ]\n"                          // 11
      "  ],\n"                           // 12
      "  \"obj\": {\n"                   // 13
      "    \"deep\": {\"x\": -1.5e3}\n"  // 14
      "  },\n"                           // 15
      "  \"last\": 7\n"                  // 16
      "}\n";                             // 17
  ExpectLines(text, {{"", 1},
                     {"/name", 2},
                     {"/n", 3},
                     {"/list", 4},
                     {"/list/0", 5},
                     {"/list/1", 6},
                     {"/list/2", 8},
                     {"/list/2/k", 8},
                     {"/list/3", 9},
                     {"/list/3/0", 10},
                     {"/obj", 13},
                     {"/obj/deep", 14},
                     {"/obj/deep/x", 14},
                     {"/last", 16}});
  const LocatedJson doc = MustParse(text);
  EXPECT_EQ(doc.lines.size(), 14u);
  // The DOM is exactly what nlohmann makes of the same text.
  EXPECT_EQ(doc.value, nlohmann::json::parse(text));
}

// The lexer knows a number has ended only when it reads the next character;
// when that is the newline, the number still belongs to the line before.
TEST(LocatedJsonTest, NumbersAtTheEndOfALine) {
  ExpectLines("[\n  1,\n  2\n]", {{"", 1}, {"/0", 2}, {"/1", 3}});
  ExpectLines("[\n  -7\n]", {{"/0", 2}});
  ExpectLines("[\n  1.25\n]", {{"/0", 2}});
  ExpectLines("[\n  6.02e23\n]", {{"/0", 2}});
  ExpectLines("[\n  18446744073709551615\n]", {{"/0", 2}});  // unsigned
  ExpectLines("[\n  0\n\n\n]", {{"/0", 2}});
  ExpectLines("[1\n,2\n,3]", {{"/0", 1}, {"/1", 2}, {"/2", 3}});
  ExpectLines("[\n  true\n, false\n, null\n]", {{"/0", 2}, {"/1", 3}, {"/2", 4}});
  ExpectLines("\n\n5\n", {{"", 3}});
  ExpectLines("\n\n5", {{"", 3}});
  ExpectLines("5\n\n\n", {{"", 1}});
}

TEST(LocatedJsonTest, CrLfLineEndings) {
  ExpectLines(
      "{\r\n  \"a\": 1,\r\n  \"b\": [\r\n    2,\r\n    3\r\n  ],\r\n  \"c\": \"x\"\r\n}\r\n",
      {{"", 1}, {"/a", 2}, {"/b", 3}, {"/b/0", 4}, {"/b/1", 5}, {"/c", 7}});
  // A lone CR is whitespace to JSON, but no line break.
  ExpectLines("[\r1,\r2]", {{"/0", 1}, {"/1", 1}});
}

TEST(LocatedJsonTest, ValuesAfterBlankLines) {
  const std::string text =
      "\n"                // 1
      "{\n"               // 2
      "  \"a\":\n"        // 3: a key's line is where the key is
      "\n"                // 4
      "     \"v\",\n"     // 5
      "  \"b\": [\n"      // 6
      "\n"                // 7
      "\n"                // 8
      "    true,\n"       // 9
      "\n"                // 10
      "    {\n"           // 11
      "\n"                // 12
      "      \"c\": 3\n"  // 13
      "    }\n"           // 14
      "  ]\n"             // 15
      "}\n";              // 16
  ExpectLines(text, {{"", 2}, {"/a", 3}, {"/b", 6}, {"/b/0", 9}, {"/b/1", 11}, {"/b/1/c", 13}});
}

TEST(LocatedJsonTest, KeysAreEscapedInPointers) {
  const LocatedJson doc = MustParse("{\n\"a/b\": 1,\n\"m~n\": 2,\n\"\": 3,\n\"~1\": {\"/\": 4}\n}");
  EXPECT_EQ(doc.LineOf("/a~1b"), 2u);
  EXPECT_EQ(doc.LineOf("/m~0n"), 3u);
  EXPECT_EQ(doc.lines.count("/"), 1u);  // the empty key
  EXPECT_EQ(doc.LineOf("/"), 4u);
  EXPECT_EQ(doc.LineOf("/~01/~1"), 5u);
  EXPECT_EQ(doc.lines.count("/a/b"), 0u);
  EXPECT_EQ(doc.value["a/b"], 1);
}

TEST(LocatedJsonTest, DuplicateKeysAreRefusedWithTheirLine) {
  struct Case {
    const char* name;
    std::string text;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"top level", "{\"a\": 1, \"a\": 2}", "t.json:1: duplicate key \"a\""},
      {"second line", "{\n  \"a\": 1,\n  \"a\": 1\n}", "t.json:3: duplicate key \"a\""},
      {"nested", "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": 1,\n    \"c\": 2\n  }\n}",
       "t.json:5: duplicate key \"c\""},
      {"in an array element", "[\n  {},\n  {\"x\": [], \"y\": 0,\n   \"x\": {}}\n]",
       "t.json:4: duplicate key \"x\""},
      {"same value still refused", "{\"k\": null,\n\"k\": null}", "t.json:2: duplicate key \"k\""},
      {"empty key", "{\"\": 1, \"\": 2}", "t.json:1: duplicate key \"\""},
      // The key is echoed with anything unprintable (and quotes) replaced.
      {"unprintable key", "{\"a\\u0001\\\"\": 1, \"a\\u0001\\\"\": 2}",
       "t.json:1: duplicate key \"a??\""},
      {"escaped spelling of the same key", "{\"ab\": 1, \"a\\u0062\": 2}",
       "t.json:1: duplicate key \"ab\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MustFail(c.text), c.want) << c.name;
  }
  // The same key in different objects is no duplicate.
  MustParse("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}, \"c\": [{\"x\": 1}, {\"x\": 2}]}");
  // Nor are keys that differ only in case.
  MustParse("{\"a\": 1, \"A\": 2}");
}

TEST(LocatedJsonTest, DuplicateKeyNameIsBounded) {
  const std::string key(1000, 'k');
  const std::string message = MustFail("{\"" + key + "\": 1, \"" + key + "\": 2}");
  EXPECT_LT(message.size(), 200u) << message;
  EXPECT_EQ(message.rfind("t.json:1: duplicate key \"kkkk", 0), 0u) << message;
}

std::string Nested(std::size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(LocatedJsonTest, NestingBeyondTheLimitIsRefused) {
  const std::string too_deep = "t.json:1: nested deeper than 16 levels";
  ASSERT_EQ(kMaxJsonDepth, 16u);
  MustParse(Nested(kMaxJsonDepth, '[', ']'));
  EXPECT_EQ(MustFail(Nested(kMaxJsonDepth + 1, '[', ']')), too_deep);

  std::string objects;
  for (std::size_t i = 0; i < kMaxJsonDepth - 1; ++i) {
    objects += "{\"a\":";
  }
  objects += "{}" + std::string(kMaxJsonDepth - 1, '}');
  MustParse(objects);
  EXPECT_EQ(MustFail("[" + objects + "]"), too_deep);

  // A depth bomb: the parser stops at the limit rather than building it all,
  // even when it would never close.
  EXPECT_EQ(MustFail(std::string(1'000'000, '[')), too_deep);
  EXPECT_EQ(MustFail(Nested(100'000, '[', ']')), too_deep);
  std::string object_bomb;
  for (int i = 0; i < 100'000; ++i) {
    object_bomb += "{\"a\":";
  }
  EXPECT_EQ(MustFail(object_bomb), too_deep);

  // The error names the line where the limit is crossed.
  std::string lines;
  for (std::size_t i = 0; i <= kMaxJsonDepth; ++i) {
    lines += "[\n";
  }
  EXPECT_EQ(MustFail(lines), "t.json:17: nested deeper than 16 levels");
}

TEST(LocatedJsonTest, SyntaxErrorsNameTheLine) {
  struct Case {
    const char* name;
    std::string text;
    std::size_t line;
  };
  const std::vector<Case> cases = {
      {"empty", "", 1},
      {"only whitespace", "\n\n  ", 3},
      {"trailing comma in object", "{\n  \"a\": 1,\n}", 3},
      {"trailing comma in array", "[\n1,\n2,\n]", 4},
      {"missing colon", "{\n  \"a\" 1\n}", 2},
      {"missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", 3},
      {"unterminated string", "{\n\n  \"a\": \"x\n}", 3},
      {"unterminated object", "{\n  \"a\": 1", 2},
      {"unclosed array", "[1,\n2", 2},
      {"single quotes", "{\n'a': 1}", 2},
      {"comment", "{\n  // no\n  \"a\": 1\n}", 2},
      {"bare word", "{\n  \"a\": yes\n}", 2},
      {"leading zero", "[\n  01\n]", 2},
      {"plus sign", "[\n\n  +1\n]", 3},
      {"hex number", "[0x10]", 1},
      {"NaN", "[\nNaN]", 2},
      {"trailing garbage", "{}\n\nx", 3},
      {"two documents", "{}\n{}", 2},
      {"NUL after the value", std::string("{}\n\0", 4), 2},
      {"NUL in a string", std::string("[\n\"a\0b\"]", 8), 2},
      // The newline is the offending character, and ends the string's line.
      {"raw newline in a string", "[\"a\nb\"]", 1},
      {"raw tab in a string", "[\n\"a\tb\"]", 2},
      {"bad escape", "[\n\"\\x41\"]", 2},
      {"lone surrogate", "[\n\n\"\\ud800\"]", 3},
      {"invalid UTF-8", "[\n\"\xff\xfe\"]", 2},
      {"overlong UTF-8", "[\"\xc0\xaf\"]", 1},
      {"UTF-8 BOM mid-text", "[1,\n\xef\xbb\xbf 2]", 2},
      {"unbalanced close", "{\n}\n}", 3},
      {"key not a string", "{\n  1: 2\n}", 2},
  };
  for (const Case& c : cases) {
    const std::string message = MustFail(c.text);
    const std::string prefix = "t.json:" + std::to_string(c.line) + ": ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << c.name << ": " << message;
    // nlohmann's own prefix and position (which counts differently) are
    // replaced by ours.
    EXPECT_EQ(message.find("json.exception"), std::string::npos) << c.name << ": " << message;
    EXPECT_EQ(message.find("parse error at"), std::string::npos) << c.name << ": " << message;
    EXPECT_GT(message.size(), prefix.size()) << c.name;
  }
}

TEST(LocatedJsonTest, SourceIsNamedAsGiven) {
  auto parsed = ParseLocatedJson("{", "/etc/keyhold/policies/prod.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("/etc/keyhold/policies/prod.json:1: ", 0), 0u)
      << parsed.error().message;
}

TEST(LocatedJsonTest, LineOfFallsBackToTheNearestParent) {
  const LocatedJson doc = MustParse(
      "\n"                 // 1
      "{\n"                // 2
      "  \"rules\": [\n"   // 3
      "    {\n"            // 4
      "      \"id\": 1\n"  // 5
      "    }\n"            // 6
      "  ]\n"              // 7
      "}\n");
  EXPECT_EQ(doc.LineOf(""), 2u);
  EXPECT_EQ(doc.LineOf("/rules"), 3u);
  EXPECT_EQ(doc.LineOf("/rules/0"), 4u);
  EXPECT_EQ(doc.LineOf("/rules/0/id"), 5u);
  EXPECT_EQ(doc.LineOf("/rules/0/id/x"), 5u);
  EXPECT_EQ(doc.LineOf("/rules/0/missing"), 4u);
  EXPECT_EQ(doc.LineOf("/rules/7"), 3u);
  EXPECT_EQ(doc.LineOf("/rules/7/effect/x/y"), 3u);
  EXPECT_EQ(doc.LineOf("/nothing"), 2u);
  EXPECT_EQ(doc.LineOf("/"), 2u);
  EXPECT_EQ(doc.LineOf("//"), 2u);

  const LocatedJson empty;
  EXPECT_EQ(empty.LineOf(""), 1u);
  EXPECT_EQ(empty.LineOf("/a/b"), 1u);
}

// LineOf promises "1 if none does" for any pointer; text that is not a JSON
// pointer (no leading '/') must not take the process down.
TEST(LocatedJsonTest, LineOfTextThatIsNoPointer) {
  const LocatedJson doc = MustParse("\n{\"a\": 1}");
  EXPECT_EQ(doc.LineOf("a"), 2u);
  EXPECT_EQ(doc.LineOf("x/a"), 2u);
  const LocatedJson empty;
  EXPECT_EQ(empty.LineOf("a"), 1u);
}

TEST(EscapePointerTokenTest, Table) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},      {"plain", "plain"}, {"a/b", "a~1b"}, {"~", "~0"},          {"/", "~1"},
      {"~1", "~01"}, {"/~", "~1~0"},     {"~/", "~0~1"},  {"a~b/c", "a~0b~1c"}, {"//", "~1~1"},
      {"0", "0"},    {"é", "é"},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(EscapePointerToken(in), want) << in;
  }
}

}  // namespace
}  // namespace keyhold::policies
