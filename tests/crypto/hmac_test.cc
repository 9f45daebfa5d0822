// Tests for crypto/hmac.h: RFC 4231 test cases 1, 2, 6 (a key longer than
// the block) and 7; every single-bit change of message or tag fails
// verification; a truncated or empty tag and an empty key are refused;
// threads tagging at once with different keys each get their own key's tag
// (every call copies one shared template context).
#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

SecretBytes Key(const std::vector<std::uint8_t>& bytes) {
  auto k = SecretBytes::CopyFrom(bytes);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  struct Case {
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> data;
    const char* tag;
  };
  const Case cases[] = {
      {std::vector<std::uint8_t>(20, 0x0b), Bytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {Bytes("Jefe"), Bytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::vector<std::uint8_t>(131, 0xaa),
       Bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {std::vector<std::uint8_t>(131, 0xaa),
       Bytes("This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Case& c : cases) {
    const SecretBytes key = Key(c.key);
    auto tag = HmacSha256(key, c.data);
    ASSERT_TRUE(tag.ok());
    EXPECT_EQ(ToHex(*tag), c.tag);
    EXPECT_TRUE(VerifyHmacSha256(key, c.data, FromHex(c.tag)));
  }
}

TEST(HmacSha256Test, ConcurrentCallsWithDifferentKeys) {
  // RFC 4231 cases 1 and 2, each on its own threads, interleaved.
  const std::vector<std::uint8_t> key1(20, 0x0b);
  const std::vector<std::uint8_t> data1 = Bytes("Hi There");
  const std::vector<std::uint8_t> key2 = Bytes("Jefe");
  const std::vector<std::uint8_t> data2 = Bytes("what do ya want for nothing?");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const bool first = t % 2 == 0;
      const SecretBytes key = Key(first ? key1 : key2);
      const char* want = first ? "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
                               : "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
      for (int i = 0; i < 2000; ++i) {
        auto tag = HmacSha256(key, first ? data1 : data2);
        if (!tag.ok() || ToHex(*tag) != want) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
}

TEST(HmacSha256Test, AnyFlippedBitFails) {
  const SecretBytes key = Key(std::vector<std::uint8_t>(32, 7));
  std::vector<std::uint8_t> message = Bytes("an audit record");
  auto tag = HmacSha256(key, message);
  ASSERT_TRUE(tag.ok());
  std::vector<std::uint8_t> t(tag->begin(), tag->end());
  for (std::size_t i = 0; i < t.size() * 8; ++i) {
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(VerifyHmacSha256(key, message, t)) << "tag bit " << i;
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
  }
  for (std::size_t i = 0; i < message.size() * 8; ++i) {
    message[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(VerifyHmacSha256(key, message, t)) << "message bit " << i;
    message[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
  }
  EXPECT_TRUE(VerifyHmacSha256(key, message, t));
}

TEST(HmacSha256Test, WrongSizesAndEmptyKeyAreRefused) {
  const SecretBytes key = Key(std::vector<std::uint8_t>(32, 7));
  const auto message = Bytes("m");
  auto tag = HmacSha256(key, message);
  ASSERT_TRUE(tag.ok());
  EXPECT_FALSE(VerifyHmacSha256(key, message, std::span(tag->data(), 31)));
  EXPECT_FALSE(VerifyHmacSha256(key, message, {}));
  const SecretBytes empty;
  EXPECT_EQ(HmacSha256(empty, message).error().code, ErrorCode::kCryptoFailure);
  EXPECT_FALSE(VerifyHmacSha256(empty, message, *tag));
}

}  // namespace
}  // namespace keyhold::crypto
