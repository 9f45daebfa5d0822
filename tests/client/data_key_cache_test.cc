// Tests for client/data_key_cache.h: a generated key is reused for the same
// master key and context only, for at most max_uses files and max_age; an
// unwrapped key only for the same wrapped bytes, key and context; the least
// recently used entry goes first; refusals are not cached; Clear forgets;
// concurrent callers get consistent answers.
#include "client/data_key_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/client/local_key_source.h"

namespace keyhold::client {
namespace {

using Clock = std::chrono::steady_clock;

crypto::KeyId Key(const char* text) {
  return crypto::KeyId::Parse(text).value();
}

crypto::EncryptionContext Ctx(const char* file) {
  return crypto::EncryptionContext::Create({{"file", file}}).value();
}

std::vector<std::uint8_t> Bytes(const crypto::SecretBytes& s) {
  const auto v = s.Reveal(crypto::SecretAccess::Get());
  return {v.begin(), v.end()};
}

class DataKeyCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<CachingDataKeySource> Cache(DataKeyCacheOptions options) {
    auto c = CachingDataKeySource::Create(&inner_, options, [this] { return now_; });
    EXPECT_TRUE(c.ok()) << c.error().message;
    return std::move(c).value();
  }

  testing::LocalKeySource inner_;
  Clock::time_point now_ = Clock::time_point(std::chrono::hours(1));
};

TEST_F(DataKeyCacheTest, AGeneratedKeyServesUpToMaxUsesFiles) {
  auto cache = Cache({.max_age = std::chrono::seconds(60), .max_uses = 3, .max_entries = 8});
  auto a = cache->GenerateDataKey(Key("acme/files"), Ctx("x"));
  auto b = cache->GenerateDataKey(Key("acme/files"), Ctx("x"));
  auto c = cache->GenerateDataKey(Key("acme/files"), Ctx("x"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(inner_.generated, 1);
  EXPECT_EQ(a->wrapped, b->wrapped);
  EXPECT_EQ(Bytes(a->plaintext), Bytes(c->plaintext));
  // The fourth file gets a fresh key.
  auto d = cache->GenerateDataKey(Key("acme/files"), Ctx("x"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(inner_.generated, 2);
  EXPECT_NE(d->wrapped, a->wrapped);
}

TEST_F(DataKeyCacheTest, EntriesExpireAfterMaxAge) {
  auto cache = Cache({.max_age = std::chrono::seconds(60), .max_uses = 100, .max_entries = 8});
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  now_ += std::chrono::seconds(59);
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  EXPECT_EQ(inner_.generated, 1);
  now_ += std::chrono::seconds(1);
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  EXPECT_EQ(inner_.generated, 2);
}

TEST_F(DataKeyCacheTest, AnotherKeyOrContextIsAnotherEntry) {
  auto cache = Cache({});
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("y")).ok());
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/other"), Ctx("x")).ok());
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), crypto::EncryptionContext()).ok());
  EXPECT_EQ(inner_.generated, 4);
}

TEST_F(DataKeyCacheTest, UnwrapIsCachedPerWrappedKeyAndContext) {
  auto cache = Cache({});
  auto dk = inner_.GenerateDataKey(Key("acme/files"), Ctx("x")).value();
  auto a = cache->UnwrapDataKey(Key("acme/files"), dk.wrapped, Ctx("x"));
  auto b = cache->UnwrapDataKey(Key("acme/files"), dk.wrapped, Ctx("x"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(inner_.unwrapped, 1);
  EXPECT_EQ(Bytes(*a), Bytes(dk.plaintext));
  EXPECT_EQ(Bytes(*b), Bytes(dk.plaintext));
  // Another context is asked of the source, and refused there.
  EXPECT_FALSE(cache->UnwrapDataKey(Key("acme/files"), dk.wrapped, Ctx("y")).ok());
  EXPECT_EQ(inner_.unwrapped, 2);
  // A failure is not cached.
  EXPECT_FALSE(cache->UnwrapDataKey(Key("acme/files"), dk.wrapped, Ctx("y")).ok());
  EXPECT_EQ(inner_.unwrapped, 3);
}

TEST_F(DataKeyCacheTest, RefusalsAreNotCached) {
  auto cache = Cache({});
  inner_.refuse = true;
  EXPECT_FALSE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  inner_.refuse = false;
  EXPECT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  EXPECT_EQ(inner_.generated, 2);
}

TEST_F(DataKeyCacheTest, TheLeastRecentlyUsedEntryGoesFirst) {
  auto cache = Cache({.max_age = std::chrono::seconds(60), .max_uses = 100, .max_entries = 2});
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("a")).ok());
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("b")).ok());
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("a")).ok());  // a is fresh now
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("c")).ok());  // b goes
  EXPECT_EQ(inner_.generated, 3);
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("a")).ok());
  EXPECT_EQ(inner_.generated, 3);
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("b")).ok());
  EXPECT_EQ(inner_.generated, 4);
}

TEST_F(DataKeyCacheTest, ClearForgetsEverything) {
  auto cache = Cache({});
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  cache->Clear();
  ASSERT_TRUE(cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok());
  EXPECT_EQ(inner_.generated, 2);
}

TEST_F(DataKeyCacheTest, OptionsThatNeverHitAreRefused) {
  EXPECT_FALSE(CachingDataKeySource::Create(&inner_, {.max_age = std::chrono::seconds(0)}).ok());
  EXPECT_FALSE(CachingDataKeySource::Create(&inner_, {.max_uses = 0}).ok());
  // One use per key: the fetch is the only use, so it would never hit.
  EXPECT_FALSE(CachingDataKeySource::Create(&inner_, {.max_uses = 1}).ok());
  EXPECT_TRUE(CachingDataKeySource::Create(&inner_, {.max_uses = 2}).ok());
  EXPECT_FALSE(CachingDataKeySource::Create(&inner_, {.max_entries = 0}).ok());
  EXPECT_FALSE(CachingDataKeySource::Create(nullptr, {}).ok());
}

TEST_F(DataKeyCacheTest, ConcurrentCallersShareOneKeyWithinItsUses) {
  auto cache = Cache({.max_age = std::chrono::seconds(60), .max_uses = 50, .max_entries = 8});
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!cache->GenerateDataKey(Key("acme/files"), Ctx("x")).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(inner_.generated, 4);  // 200 files, 50 per key
}

}  // namespace
}  // namespace keyhold::client
