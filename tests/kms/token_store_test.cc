// Tests for kms/auth/token_store.h over a real store: the token's text form
// and accessor, Authenticate's principal, and its one kUnauthenticated for
// every bad token (empty, wrong prefix, uppercase, wrong length, any one
// character changed, unknown, expired to the second, revoked); Revoke keeps
// the first time and refuses unknown or malformed accessors with kNotFound;
// List never shows a token; tokens and revocations survive a restart;
// CreateToken's validation; the initial admin token minted by Init; and no
// token text on disk.
#include "kms/auth/token_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "crypto/hkdf.h"
#include "crypto/sha256.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string Text(const NewToken& t) {
  const auto v = t.token.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

bool IsLowerHex(std::string_view s) {
  return s.find_first_not_of(kHexDigits) == std::string_view::npos;
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class TokenStoreTest : public ServiceTest {
 protected:
  void SetUp() override { InitAndUnseal(); }

  TokenStore& tokens() { return *service_->tokens().value(); }

  NewToken MustCreate(const TokenSpec& spec) {
    auto t = tokens().CreateToken(spec);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return std::move(t).value();
  }
  Result<Principal> Auth(std::string_view text) { return tokens().Authenticate(Bytes(text)); }
  // ExpectRefused checks that `text` does not authenticate.
  void ExpectRefused(std::string_view text) {
    auto p = Auth(text);
    ASSERT_FALSE(p.ok()) << "accepted: " << text;
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated) << text;
  }

  const TokenSpec app_{"svc-billing@acme", "acme", RoleSet::Of({Role::kApp, Role::kAuditor}), 3600};
};

TEST_F(TokenStoreTest, CreateTokenShape) {
  const std::int64_t now = clock_.NowSeconds();
  const NewToken t = MustCreate(app_);
  const std::string text = Text(t);
  ASSERT_EQ(text.size(), 67u);
  EXPECT_EQ(text.substr(0, 3), "kh_");
  EXPECT_TRUE(IsLowerHex(text.substr(3))) << text;
  EXPECT_EQ(t.info.accessor.size(), 16u);
  EXPECT_TRUE(IsLowerHex(t.info.accessor)) << t.info.accessor;
  EXPECT_EQ(t.info.principal, "svc-billing@acme");
  EXPECT_EQ(t.info.tenant, "acme");
  EXPECT_EQ(t.info.roles, RoleSet::Of({Role::kApp, Role::kAuditor}));
  EXPECT_EQ(t.info.created_at, now);
  EXPECT_EQ(t.info.expires_at, now + 3600);
  EXPECT_EQ(t.info.revoked_at, 0);
  // The accessor is the first 8 bytes of SHA-256("keyhold-token-v1" || raw).
  const auto raw = FromHex(text.substr(3));
  const auto hash = crypto::Sha256({crypto::AsBytes("keyhold-token-v1"), raw});
  EXPECT_EQ(t.info.accessor, ToHex(std::span(hash).first(8)));
  // Fresh randomness each time.
  const NewToken u = MustCreate(app_);
  EXPECT_NE(Text(u), text);
  EXPECT_NE(u.info.accessor, t.info.accessor);
}

TEST_F(TokenStoreTest, AuthenticateReturnsThePrincipal) {
  const NewToken t = MustCreate(app_);
  auto p = Auth(Text(t));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "svc-billing@acme");
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_EQ(p->roles, RoleSet::Of({Role::kApp, Role::kAuditor}));
  EXPECT_EQ(p->auth, "token");
  EXPECT_EQ(p->accessor, t.info.accessor);
  // Twice: the cached record gives the same answer.
  auto again = Auth(Text(t));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accessor, t.info.accessor);
}

TEST_F(TokenStoreTest, MalformedTokensRefused) {
  const std::string text = Text(MustCreate(app_));
  const std::string hex = text.substr(3);
  std::string upper = text;
  std::transform(upper.begin() + 3, upper.end(), upper.begin() + 3,
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  ASSERT_NE(upper, text);  // 64 random hex digits without a letter: ~1e-13
  std::string upper_prefix = text;
  upper_prefix[0] = 'K';
  upper_prefix[1] = 'H';
  const std::string refused[] = {
      "",
      "kh_",
      "kh",
      upper,
      upper_prefix,
      "kh-" + hex,
      "KH_" + hex,
      "xx_" + hex,
      "_" + hex + "kh",
      hex + "abc",
      text.substr(0, 66),               // 63 hex digits
      text + "0",                       // 65 hex digits
      text.substr(0, 65),               // 62
      "kh_" + hex.substr(0, 62) + "0",  // 63, ending differently
      text + "\n",                      // trailing newline
      " " + text.substr(0, 66),         // same length, shifted
      "kh_" + hex.substr(0, 63) + " ",  // same length, space
      "kh_" + hex.substr(0, 63) + std::string(1, '\0'),
      "kh_0x" + hex.substr(0, 62),
      "Bearer " + text,
  };
  for (const std::string& bad : refused) {
    ExpectRefused(bad);
  }
  // The real token still works.
  EXPECT_TRUE(Auth(text).ok());
}

TEST_F(TokenStoreTest, EveryOneCharacterChangeRefused) {
  const std::string text = Text(MustCreate(app_));
  for (std::size_t i = 0; i < text.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<char> replacements;
    if (i < 3) {
      replacements = {'k' == text[i] ? 'x' : 'k', 'K', '-', '\0'};
    } else {
      // Another lowercase digit (a well-formed token that does not exist),
      // a letter out of range, and the uppercase form where there is one.
      replacements.push_back(kHexDigits[(kHexDigits.find(text[i]) + 1) % 16]);
      replacements.push_back('g');
      if (text[i] >= 'a' && text[i] <= 'f') {
        replacements.push_back(static_cast<char>(text[i] - 'a' + 'A'));
      }
    }
    for (char c : replacements) {
      if (c == text[i]) {
        continue;
      }
      std::string bad = text;
      bad[i] = c;
      ExpectRefused(bad);
    }
  }
  EXPECT_TRUE(Auth(text).ok());
}

TEST_F(TokenStoreTest, WellFormedUnknownTokenRefused) {
  MustCreate(app_);
  std::mt19937_64 rng(1234);
  for (int n = 0; n < 20; ++n) {
    std::string fake = "kh_";
    for (int i = 0; i < 64; ++i) {
      fake.push_back(kHexDigits[rng() % 16]);
    }
    ExpectRefused(fake);
  }
  ExpectRefused("kh_" + std::string(64, '0'));
  ExpectRefused("kh_" + std::string(64, 'f'));
}

TEST_F(TokenStoreTest, ExpiresToTheSecond) {
  TokenSpec spec = app_;
  spec.ttl_s = 100;
  const NewToken t = MustCreate(spec);
  ASSERT_EQ(t.info.expires_at, clock_.NowSeconds() + 100);
  clock_.Advance(99);
  EXPECT_TRUE(Auth(Text(t)).ok());
  clock_.Advance(1);  // exactly expires_at
  ExpectRefused(Text(t));
  clock_.Advance(1'000'000);
  ExpectRefused(Text(t));
  clock_.Set(t.info.expires_at - 1);
  EXPECT_TRUE(Auth(Text(t)).ok());
}

TEST_F(TokenStoreTest, RevokedTokenRefusedAndFirstRevocationKept) {
  const NewToken t = MustCreate(app_);
  const NewToken other = MustCreate(app_);
  clock_.Advance(10);
  const std::int64_t revoked_at = clock_.NowSeconds();
  auto r = tokens().Revoke(t.info.accessor);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->accessor, t.info.accessor);
  EXPECT_EQ(r->principal, t.info.principal);
  EXPECT_EQ(r->created_at, t.info.created_at);
  EXPECT_EQ(r->expires_at, t.info.expires_at);
  EXPECT_EQ(r->revoked_at, revoked_at);
  ExpectRefused(Text(t));
  EXPECT_TRUE(Auth(Text(other)).ok());  // only that one

  clock_.Advance(50);
  auto again = tokens().Revoke(t.info.accessor);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, revoked_at);
  ExpectRefused(Text(t));
}

TEST_F(TokenStoreTest, RevokeUnknownOrMalformedAccessorIsNotFound) {
  const NewToken t = MustCreate(app_);
  std::string upper = t.info.accessor;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  std::string flipped = t.info.accessor;
  flipped[15] = flipped[15] == '0' ? '1' : '0';
  const std::string bad[] = {"",
                             "0000000000000000",
                             flipped,
                             t.info.accessor.substr(0, 15),
                             t.info.accessor + "0",
                             upper == t.info.accessor ? "zzzzzzzzzzzzzzzz" : upper,
                             "ghijklmnopqrstuv",
                             "../../../etc/pwd",
                             Text(t),
                             Text(t).substr(3, 16)};
  for (const std::string& a : bad) {
    auto r = tokens().Revoke(a);
    ASSERT_FALSE(r.ok()) << a;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << a;
  }
  EXPECT_TRUE(Auth(Text(t)).ok());
}

TEST_F(TokenStoreTest, ListShowsEveryTokenButNeverItsText) {
  auto before = tokens().List();
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);  // the initial admin token
  EXPECT_EQ((*before)[0].principal, "root");

  std::vector<NewToken> made;
  made.push_back(MustCreate(app_));
  made.push_back(MustCreate({"ops", "*", RoleSet::Of({Role::kAdmin}), 60}));
  made.push_back(MustCreate({"officer.jane", "globex", RoleSet::Of({Role::kOfficer}), 86400}));
  ASSERT_TRUE(tokens().Revoke(made[1].info.accessor).ok());

  auto list = tokens().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  for (const NewToken& m : made) {
    auto it = std::find_if(list->begin(), list->end(),
                           [&](const TokenInfo& i) { return i.accessor == m.info.accessor; });
    ASSERT_NE(it, list->end()) << m.info.principal;
    EXPECT_EQ(it->principal, m.info.principal);
    EXPECT_EQ(it->tenant, m.info.tenant);
    EXPECT_EQ(it->roles, m.info.roles);
    EXPECT_EQ(it->created_at, m.info.created_at);
    EXPECT_EQ(it->expires_at, m.info.expires_at);
    EXPECT_EQ(it->revoked_at, &m == &made[1] ? clock_.NowSeconds() : 0);
    const std::string hex = Text(m).substr(3);
    for (const TokenInfo& i : *list) {
      for (const std::string* field : {&i.accessor, &i.principal, &i.tenant}) {
        EXPECT_EQ(field->find(hex.substr(0, 16)), std::string::npos);
      }
    }
  }
}

TEST_F(TokenStoreTest, TokensAndRevocationsSurviveARestart) {
  const NewToken kept = MustCreate(app_);
  const NewToken revoked = MustCreate(app_);
  ASSERT_TRUE(tokens().Revoke(revoked.info.accessor).ok());
  const std::int64_t revoked_at = clock_.NowSeconds();
  clock_.Advance(5);

  Reopen();
  auto p = Auth(Text(kept));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, app_.principal);
  EXPECT_EQ(p->tenant, app_.tenant);
  EXPECT_EQ(p->roles, app_.roles);
  EXPECT_EQ(p->accessor, kept.info.accessor);
  ExpectRefused(Text(revoked));
  auto list = tokens().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (const TokenInfo& i : *list) {
    if (i.accessor == revoked.info.accessor) {
      EXPECT_EQ(i.revoked_at, revoked_at);
    } else if (i.accessor == kept.info.accessor) {
      EXPECT_EQ(i.revoked_at, 0);
      EXPECT_EQ(i.expires_at, kept.info.expires_at);
    } else {
      EXPECT_EQ(i.principal, "root");
    }
  }
  // Revoking again after the restart keeps the first time.
  auto again = tokens().Revoke(revoked.info.accessor);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, revoked_at);
}

TEST_F(TokenStoreTest, SealedServiceHasNoTokenStore) {
  service_->Seal();
  auto t = service_->tokens();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kSealed);
}

TEST_F(TokenStoreTest, CreateTokenValidatesTheSpec) {
  auto expect_invalid = [&](const TokenSpec& spec) {
    auto t = tokens().CreateToken(spec);
    ASSERT_FALSE(t.ok()) << spec.principal << " / " << spec.tenant;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidRequest) << spec.principal << " / " << spec.tenant;
  };
  const RoleSet app = RoleSet::Of({Role::kApp});
  // Principal: 1-128 of [A-Za-z0-9._@:-].
  for (std::string_view name :
       {"", " ", "a b", "a/b", "a*", "*", "caf\xc3\xa9", "a\nb", "a\"b", "a,b", "a+b"}) {
    expect_invalid({std::string(name), "acme", app, 60});
    EXPECT_FALSE(ValidPrincipalName(name)) << name;
  }
  expect_invalid({std::string(129, 'a'), "acme", app, 60});
  EXPECT_FALSE(ValidPrincipalName(std::string(129, 'a')));
  for (std::string_view name : {"a", "A.b_c@d:e-F9", "spiffe:acme.billing", "x@y.z"}) {
    EXPECT_TRUE(ValidPrincipalName(name)) << name;
    EXPECT_TRUE(tokens().CreateToken({std::string(name), "acme", app, 60}).ok()) << name;
  }
  EXPECT_TRUE(ValidPrincipalName(std::string(128, 'Z')));
  EXPECT_TRUE(tokens().CreateToken({std::string(128, 'Z'), "acme", app, 60}).ok());
  // Tenant: a tenant name or "*".
  for (std::string_view tenant : {"", "Acme", "acme/x", "**", "-acme", "acme ", "all*"}) {
    expect_invalid({"p", std::string(tenant), app, 60});
  }
  expect_invalid({"p", std::string(65, 'a'), app, 60});
  EXPECT_TRUE(tokens().CreateToken({"p", std::string(64, 'a'), app, 60}).ok());
  EXPECT_TRUE(tokens().CreateToken({"p", "*", app, 60}).ok());
  // Roles: at least one (unknown bits do not count).
  expect_invalid({"p", "acme", RoleSet(), 60});
  expect_invalid({"p", "acme", RoleSet(0xf0), 60});
  // TTL: positive; no expiry is only for the initial admin token.
  expect_invalid({"p", "acme", app, 0});
  expect_invalid({"p", "acme", app, -1});
  expect_invalid({"p", "acme", app, std::numeric_limits<std::int64_t>::min()});
  EXPECT_TRUE(tokens().CreateToken({"p", "acme", app, 1}).ok());

  // Refused specs stored nothing: root + 4 principals + 128 Z + 2 tenants + ttl 1.
  auto list = tokens().List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 9u);
}

TEST_F(TokenStoreTest, TokenTextNeverOnDisk) {
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) {
    texts.push_back(Text(MustCreate(app_)));
  }
  ASSERT_TRUE(tokens().Revoke(service_->tokens().value()->List().value()[1].accessor).ok());
  service_.reset();  // close: everything is on disk
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path() / "store")) {
    if (e.is_regular_file()) {
      files.push_back(Slurp(e.path()));
    }
  }
  ASSERT_FALSE(files.empty());
  for (const std::string& text : texts) {
    const std::string hex = text.substr(3);
    const auto raw_bytes = FromHex(hex);
    const std::string raw(raw_bytes.begin(), raw_bytes.end());
    std::string upper = hex;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    for (const std::string& content : files) {
      EXPECT_EQ(content.find(text), std::string::npos);
      EXPECT_EQ(content.find(hex.substr(0, 16)), std::string::npos);
      EXPECT_EQ(content.find(hex.substr(48)), std::string::npos);
      EXPECT_EQ(content.find(upper.substr(0, 16)), std::string::npos);
      EXPECT_EQ(content.find(raw.substr(0, 12)), std::string::npos);
      EXPECT_EQ(content.find(raw.substr(20)), std::string::npos);
    }
  }
}

// The initial admin token comes from Init, not from CreateToken.
class TokenInitTest : public ServiceTest {};

TEST_F(TokenInitTest, InitMintsARootAdminTokenWithoutExpiry) {
  OpenService();
  const std::int64_t init_time = clock_.NowSeconds();
  InitRequest req;
  req.method = SealMethod::kKeyFile;
  req.key_file = KeyFile();
  auto init = service_->Init(std::move(req));
  ASSERT_TRUE(init.ok()) << init.error().message;
  const auto token = init->admin_token.Reveal(SecretAccess::Get());
  const std::string text(token.begin(), token.end());
  ASSERT_EQ(text.size(), 67u);
  EXPECT_EQ(text.substr(0, 3), "kh_");
  EXPECT_TRUE(IsLowerHex(text.substr(3)));

  // Sealed after init: no token store yet.
  auto sealed = service_->tokens();
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code, ErrorCode::kSealed);

  ASSERT_TRUE(service_->UnsealWithKeyFile(KeyFile()).ok());
  auto store = service_->tokens();
  ASSERT_TRUE(store.ok());
  clock_.Advance(100LL * 365 * kDay);  // no expiry
  auto p = (*store)->Authenticate(Bytes(text));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "root");
  EXPECT_EQ(p->tenant, "*");
  EXPECT_EQ(p->roles, RoleSet::Of({Role::kAdmin}));
  EXPECT_EQ(p->auth, "token");
  auto list = (*store)->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].accessor, p->accessor);
  EXPECT_EQ((*list)[0].principal, "root");
  EXPECT_EQ((*list)[0].created_at, init_time);
  EXPECT_EQ((*list)[0].expires_at, 0);
  EXPECT_EQ((*list)[0].revoked_at, 0);

  // It can be revoked like any other.
  ASSERT_TRUE((*store)->Revoke(p->accessor).ok());
  auto after = (*store)->Authenticate(Bytes(text));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(TokenInitTest, UninitialisedServiceHasNoTokenStore) {
  OpenService();
  auto t = service_->tokens();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kNotInitialized);
}

}  // namespace
}  // namespace keyhold::kms
