// Tests for crypto/key_id.h: tables of valid and invalid tenants, names and
// TENANT/NAME texts, length limits at and one past the maximum, ToString
// round trips and the ordering operator.
#include "crypto/key_id.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhold::crypto {
namespace {

using namespace std::string_view_literals;

struct Case {
  std::string why;
  std::string text;
  bool valid;
};

std::vector<Case> TenantCases() {
  return {
      {"single letter", "a", true},
      {"single digit", "0", true},
      {"word", "acme", true},
      {"digits first", "9lives", true},
      {"dash and underscore inside", "acme-prod_1", true},
      {"ends with dash", "a-", true},
      {"ends with underscore", "a_", true},
      {"max length 64", std::string(kMaxTenantSize, 't'), true},
      {"max length 64 mixed", "0" + std::string(kMaxTenantSize - 1, '-'), true},
      {"empty", "", false},
      {"length 65", std::string(kMaxTenantSize + 1, 't'), false},
      {"uppercase first", "Acme", false},
      {"uppercase inside", "acMe", false},
      {"all uppercase", "ACME", false},
      {"leading dash", "-acme", false},
      {"leading underscore", "_acme", false},
      {"leading dot", ".acme", false},
      {"dot inside", "ac.me", false},
      {"dot", ".", false},
      {"dot dot", "..", false},
      {"slash inside", "ac/me", false},
      {"backslash inside", "ac\\me", false},
      {"space inside", "ac me", false},
      {"leading space", " acme", false},
      {"trailing space", "acme ", false},
      {"tab", "ac\tme", false},
      {"newline", "acme\n", false},
      {"colon", "ac:me", false},
      {"percent", "ac%2fme", false},
      {"NUL inside", std::string("ac\0me"sv), false},
      {"trailing NUL", std::string("acme\0"sv), false},
      {"only NUL", std::string("\0"sv), false},
      {"utf-8 e-acute", "acm\xc3\xa9", false},
      {"utf-8 first", "\xc3\xa9tat", false},
      {"byte 0xff", "acme\xff", false},
  };
}

std::vector<Case> NameCases() {
  return {
      {"single lowercase", "k", true},
      {"single uppercase", "K", true},
      {"single digit", "0", true},
      {"mixed", "Key-1.v2_final", true},
      {"dots inside", "a..b", true},
      {"ends with dot", "key.", true},
      {"max length 128", std::string(kMaxKeyNameSize, 'n'), true},
      {"max length 128 mixed", "N" + std::string(kMaxKeyNameSize - 1, '.'), true},
      {"empty", "", false},
      {"length 129", std::string(kMaxKeyNameSize + 1, 'n'), false},
      {"dot", ".", false},
      {"dot dot", "..", false},
      {"leading dot", ".hidden", false},
      {"leading dash", "-key", false},
      {"leading underscore", "_key", false},
      {"slash inside", "a/b", false},
      {"trailing slash", "key/", false},
      {"leading slash", "/key", false},
      {"backslash", "a\\b", false},
      {"space inside", "ke y", false},
      {"leading space", " key", false},
      {"trailing space", "key ", false},
      {"tab", "key\t", false},
      {"newline", "key\n", false},
      {"CR", "key\r", false},
      {"colon", "key:1", false},
      {"plus", "key+1", false},
      {"tilde", "key~", false},
      {"percent", "key%2F", false},
      {"NUL inside", std::string("ke\0y"sv), false},
      {"trailing NUL", std::string("key\0"sv), false},
      {"only NUL", std::string("\0"sv), false},
      {"utf-8 cyrillic", "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", false},
      {"utf-8 inside", "cl\xc3\xa9", false},
      {"byte 0x80", "key\x80", false},
  };
}

TEST(KeyIdTest, ValidTenantTable) {
  for (const auto& c : TenantCases()) {
    EXPECT_EQ(ValidTenant(c.text), c.valid) << c.why;
  }
}

TEST(KeyIdTest, CreateTenantTable) {
  for (const auto& c : TenantCases()) {
    SCOPED_TRACE(c.why);
    auto id = KeyId::Create(c.text, "key");
    ASSERT_EQ(id.ok(), c.valid);
    if (c.valid) {
      EXPECT_EQ(id->tenant(), c.text);
      EXPECT_EQ(id->name(), "key");
    } else {
      EXPECT_EQ(id.error().code, ErrorCode::kInvalidKeyId);
    }
  }
}

TEST(KeyIdTest, CreateNameTable) {
  for (const auto& c : NameCases()) {
    SCOPED_TRACE(c.why);
    auto id = KeyId::Create("acme", c.text);
    ASSERT_EQ(id.ok(), c.valid);
    if (c.valid) {
      EXPECT_EQ(id->tenant(), "acme");
      EXPECT_EQ(id->name(), c.text);
    } else {
      EXPECT_EQ(id.error().code, ErrorCode::kInvalidKeyId);
    }
  }
}

TEST(KeyIdTest, NameRuleIsNotTheTenantRule) {
  // Uppercase and dots are allowed in names only.
  EXPECT_TRUE(KeyId::Create("acme", "Key.v1").ok());
  EXPECT_FALSE(KeyId::Create("Key.v1", "acme").ok());
}

TEST(KeyIdTest, CreateBothPartsInvalid) {
  auto id = KeyId::Create("", "");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidKeyId);
}

// Parse("T/N") must agree with Create(T, N) for every part without a slash.
TEST(KeyIdTest, ParseAgreesWithCreate) {
  for (const auto& t : TenantCases()) {
    if (t.text.find('/') != std::string::npos) {
      continue;
    }
    for (const auto& n : NameCases()) {
      if (n.text.find('/') != std::string::npos) {
        continue;
      }
      SCOPED_TRACE(t.why + " / " + n.why);
      auto id = KeyId::Parse(t.text + "/" + n.text);
      ASSERT_EQ(id.ok(), t.valid && n.valid);
      if (id.ok()) {
        EXPECT_EQ(id->tenant(), t.text);
        EXPECT_EQ(id->name(), n.text);
      } else {
        EXPECT_EQ(id.error().code, ErrorCode::kInvalidKeyId);
      }
    }
  }
}

struct ParseCase {
  std::string why;
  std::string text;
  bool valid;
  std::string tenant;
  std::string name;
};

std::vector<ParseCase> ParseCases() {
  return {
      {"simple", "acme/key", true, "acme", "key"},
      {"max lengths", std::string(64, 't') + "/" + std::string(128, 'N'), true,
       std::string(64, 't'), std::string(128, 'N')},
      {"tenant 65", std::string(65, 't') + "/" + "key", false, "", ""},
      {"name 129", "acme/" + std::string(129, 'N'), false, "", ""},
      {"empty", "", false, "", ""},
      {"slash only", "/", false, "", ""},
      {"two slashes", "//", false, "", ""},
      {"no slash", "acme", false, "", ""},
      {"no slash name-like", "Key.v1", false, "", ""},
      {"empty name", "acme/", false, "", ""},
      {"empty tenant", "/key", false, "", ""},
      {"second slash a/b/c", "a/b/c", false, "", ""},
      {"double slash", "acme//key", false, "", ""},
      {"trailing slash", "acme/key/", false, "", ""},
      {"leading slash", "/acme/key", false, "", ""},
      {"dot name", "acme/.", false, "", ""},
      {"dot dot name", "acme/..", false, "", ""},
      {"dot dot tenant", "../key", false, "", ""},
      {"path traversal", "acme/../other/key", false, "", ""},
      {"backslash separator", "acme\\key", false, "", ""},
      {"uppercase tenant", "ACME/key", false, "", ""},
      {"leading space", " acme/key", false, "", ""},
      {"trailing space", "acme/key ", false, "", ""},
      {"space around slash", "acme / key", false, "", ""},
      {"trailing newline", "acme/key\n", false, "", ""},
      {"NUL in tenant", std::string("ac\0me/key"sv), false, "", ""},
      {"NUL in name", std::string("acme/ke\0y"sv), false, "", ""},
      {"NUL after slash", std::string("acme/\0"sv), false, "", ""},
      {"utf-8 name", "acme/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", false, "", ""},
      {"fullwidth slash", "acme\xef\xbc\x8fkey", false, "", ""},
      {"url-encoded slash", "acme%2Fkey", false, "", ""},
  };
}

TEST(KeyIdTest, ParseTable) {
  for (const auto& c : ParseCases()) {
    SCOPED_TRACE(c.why);
    auto id = KeyId::Parse(c.text);
    ASSERT_EQ(id.ok(), c.valid);
    if (c.valid) {
      EXPECT_EQ(id->tenant(), c.tenant);
      EXPECT_EQ(id->name(), c.name);
    } else {
      EXPECT_EQ(id.error().code, ErrorCode::kInvalidKeyId);
    }
  }
}

TEST(KeyIdTest, ToStringRoundTrip) {
  for (const auto& t : TenantCases()) {
    for (const auto& n : NameCases()) {
      if (!t.valid || !n.valid) {
        continue;
      }
      SCOPED_TRACE(t.why + " / " + n.why);
      auto id = KeyId::Create(t.text, n.text);
      ASSERT_TRUE(id.ok());
      const std::string text = id->ToString();
      EXPECT_EQ(text, t.text + "/" + n.text);
      auto parsed = KeyId::Parse(text);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(*parsed, *id);
      EXPECT_EQ(parsed->ToString(), text);
    }
  }
}

KeyId Id(std::string_view tenant, std::string_view name) {
  auto id = KeyId::Create(tenant, name);
  EXPECT_TRUE(id.ok()) << tenant << "/" << name;
  return std::move(id).value();
}

TEST(KeyIdTest, EqualityComparesBothParts) {
  EXPECT_EQ(Id("acme", "key"), Id("acme", "key"));
  EXPECT_NE(Id("acme", "key"), Id("acme", "Key"));
  EXPECT_NE(Id("acme", "key"), Id("acme2", "key"));
  // The same characters split differently are different ids.
  EXPECT_NE(Id("a", "b-c"), Id("a-b", "c"));
}

TEST(KeyIdTest, OrderingIsTenantThenName) {
  EXPECT_LT(Id("acme", "a"), Id("acme", "b"));
  EXPECT_LT(Id("acme", "z"), Id("beta", "a"));
  EXPECT_LT(Id("a", "z"), Id("aa", "a"));
  // Bytewise: uppercase sorts before lowercase within names.
  EXPECT_LT(Id("acme", "Z"), Id("acme", "a"));
  // Tenant first, then name: "a"/"z" sorts before "a-"/"a" even though the
  // text "a-/a" sorts before "a/z" ('-' < '/').
  EXPECT_LT(Id("a", "z"), Id("a-", "a"));
  EXPECT_GT(Id("a-", "a"), Id("a", "z"));
  EXPECT_LE(Id("acme", "key"), Id("acme", "key"));
  EXPECT_GE(Id("acme", "key"), Id("acme", "key"));
  EXPECT_FALSE(Id("acme", "key") < Id("acme", "key"));

  std::vector<KeyId> ids = {Id("b", "a"), Id("a-", "a"), Id("a", "z"), Id("a", "B"), Id("a", "a")};
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> texts;
  for (const auto& id : ids) {
    texts.push_back(id.ToString());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"a/B", "a/a", "a/z", "a-/a", "b/a"}));
}

}  // namespace
}  // namespace keyhold::crypto
