// Tests for crypto/sha256.h: the FIPS 180-2 appendix B vectors ("abc", the
// 448-bit message, one million "a"), the empty message (no parts and one
// empty part), and that any split of a message into parts, including empty
// parts, gives the single-part digest.
#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::ToHex;

constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char k448Bit[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char k448BitDigest[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

std::string Hex(const Sha256Digest& d) {
  return ToHex(d);
}

// FIPS 180-2 B.1.
TEST(Sha256Test, Abc) {
  EXPECT_EQ(Hex(Sha256({Bytes("abc")})), kAbc);
}

// FIPS 180-2 B.2: the 448-bit (56-byte) two-block message.
TEST(Sha256Test, FourHundredFortyEightBitMessage) {
  const auto msg = Bytes(k448Bit);
  ASSERT_EQ(msg.size() * 8, 448u);
  EXPECT_EQ(Hex(Sha256({msg})), k448BitDigest);
}

// FIPS 180-2 B.3: one million repetitions of "a".
TEST(Sha256Test, OneMillionA) {
  const std::vector<std::uint8_t> msg(1000000, 'a');
  EXPECT_EQ(Hex(Sha256({msg})), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, EmptyMessage) {
  EXPECT_EQ(Hex(Sha256({})), kEmpty);
  EXPECT_EQ(Hex(Sha256({std::span<const std::uint8_t>()})), kEmpty);
  EXPECT_EQ(Hex(Sha256({Bytes(""), Bytes("")})), kEmpty);
}

TEST(Sha256Test, MultiPartEqualsSinglePart) {
  EXPECT_EQ(Hex(Sha256({Bytes("a"), Bytes("b"), Bytes("c")})), kAbc);
  EXPECT_EQ(Hex(Sha256({Bytes(""), Bytes("abc"), Bytes("")})), kAbc);
  const auto msg = Bytes(k448Bit);
  const std::span<const std::uint8_t> all(msg);
  for (std::size_t cut = 0; cut <= msg.size(); ++cut) {
    EXPECT_EQ(Hex(Sha256({all.first(cut), all.subspan(cut)})), k448BitDigest) << "cut " << cut;
  }
  for (std::size_t a = 0; a <= msg.size(); a += 7) {
    for (std::size_t b = a; b <= msg.size(); b += 5) {
      EXPECT_EQ(Hex(Sha256({all.first(a), all.subspan(a, b - a), all.subspan(b)})), k448BitDigest)
          << "cuts " << a << ", " << b;
    }
  }
}

TEST(Sha256Test, PartBoundariesAreNotEncoded) {
  // The digest is over the plain concatenation: "ab"+"c" equals "a"+"bc".
  EXPECT_EQ(Sha256({Bytes("ab"), Bytes("c")}), Sha256({Bytes("a"), Bytes("bc")}));
  EXPECT_NE(Sha256({Bytes("ab")}), Sha256({Bytes("ab"), Bytes(std::string(1, '\0'))}));
}

TEST(Sha256Test, OneBitChangesDigest) {
  auto msg = Bytes("abc");
  msg[2] ^= 1;
  EXPECT_NE(Hex(Sha256({msg})), kAbc);
}

}  // namespace
}  // namespace keyhold::crypto
