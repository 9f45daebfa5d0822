// Tests for crypto/secret_bytes.h: zeroed allocation, copies that do not
// alias, moves that empty the source, Shrink wiping the tail, constant-time
// comparison and Wipe; the type cannot be copied.
#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);
static_assert(!std::is_default_constructible_v<SecretAccess>);

SecretBytes Secret(std::string_view hex) {
  auto s = SecretBytes::CopyFrom(FromHex(hex));
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

std::string RevealHex(const SecretBytes& s) {
  return ToHex(s.Reveal(SecretAccess::Get()));
}

bool AllZero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

TEST(SecretBytesTest, DefaultIsEmpty) {
  const SecretBytes s;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.Reveal(SecretAccess::Get()).empty());
}

TEST(SecretBytesTest, AllocateReturnsZeroedBytes) {
  for (std::size_t n : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{32},
                        std::size_t{4095}, std::size_t{4096}, std::size_t{100000}}) {
    SCOPED_TRACE(n);
    auto s = SecretBytes::Allocate(n);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->size(), n);
    EXPECT_FALSE(s->empty());
    EXPECT_TRUE(AllZero(s->Reveal(SecretAccess::Get())));
  }
}

TEST(SecretBytesTest, AllocateZeroIsEmpty) {
  auto s = SecretBytes::Allocate(0);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
  EXPECT_EQ(s->Reveal(SecretAccess::Get()).size(), 0u);
}

TEST(SecretBytesTest, RevealMutableWritesThrough) {
  auto s = SecretBytes::Allocate(3);
  ASSERT_TRUE(s.ok());
  auto bytes = s->RevealMutable(SecretAccess::Get());
  bytes[0] = 0xaa;
  bytes[2] = 0xcc;
  EXPECT_EQ(RevealHex(*s), "aa00cc");
}

TEST(SecretBytesTest, CopyFromCopiesAndDoesNotAlias) {
  std::vector<std::uint8_t> source = FromHex("000102fffe");
  auto s = SecretBytes::CopyFrom(source);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(RevealHex(*s), "000102fffe");
  EXPECT_NE(s->Reveal(SecretAccess::Get()).data(), source.data());
  Wipe(source);
  EXPECT_EQ(RevealHex(*s), "000102fffe");
}

TEST(SecretBytesTest, CopyFromEmpty) {
  auto s = SecretBytes::CopyFrom({});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST(SecretBytesTest, CloneIsIndependent) {
  SecretBytes original = Secret("0123456789abcdef");
  auto clone = original.Clone();
  ASSERT_TRUE(clone.ok());
  EXPECT_EQ(RevealHex(*clone), "0123456789abcdef");
  const auto access = SecretAccess::Get();
  EXPECT_NE(clone->Reveal(access).data(), original.Reveal(access).data());

  clone->RevealMutable(access)[0] = 0xff;
  EXPECT_EQ(RevealHex(original), "0123456789abcdef");
  original.RevealMutable(access)[7] = 0x00;
  EXPECT_EQ(RevealHex(*clone), "ff23456789abcdef");
  EXPECT_EQ(RevealHex(original), "0123456789abcd00");
}

TEST(SecretBytesTest, CloneOfEmpty) {
  const SecretBytes empty;
  auto clone = empty.Clone();
  ASSERT_TRUE(clone.ok());
  EXPECT_TRUE(clone->empty());
}

TEST(SecretBytesTest, MoveConstructLeavesSourceEmpty) {
  SecretBytes source = Secret("a1b2c3");
  const std::uint8_t* data = source.Reveal(SecretAccess::Get()).data();
  SecretBytes target(std::move(source));
  EXPECT_EQ(RevealHex(target), "a1b2c3");
  EXPECT_EQ(target.Reveal(SecretAccess::Get()).data(), data);  // moved, not copied
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is specified.
  EXPECT_TRUE(source.empty());
  EXPECT_EQ(source.size(), 0u);
  EXPECT_TRUE(source.Reveal(SecretAccess::Get()).empty());
  // NOLINTEND(bugprone-use-after-move)
}

TEST(SecretBytesTest, MoveAssignReplacesAndEmptiesSource) {
  SecretBytes source = Secret("a1b2c3");
  SecretBytes target = Secret("ffffffffffff");
  target = std::move(source);
  EXPECT_EQ(RevealHex(target), "a1b2c3");
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)

  // Moving an empty secret in empties the target.
  SecretBytes empty;
  target = std::move(empty);
  EXPECT_TRUE(target.empty());
}

TEST(SecretBytesTest, SelfMoveAssignKeepsBytes) {
  SecretBytes s = Secret("a1b2c3");
  SecretBytes& alias = s;
  s = std::move(alias);
  EXPECT_EQ(RevealHex(s), "a1b2c3");
}

TEST(SecretBytesTest, MovedFromCanBeReused) {
  SecretBytes source = Secret("01");
  SecretBytes target(std::move(source));
  source = Secret("0203");  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(RevealHex(source), "0203");
  EXPECT_EQ(RevealHex(target), "01");
}

TEST(SecretBytesTest, ShrinkKeepsPrefixAndWipesTail) {
  SecretBytes s = Secret("0102030405060708");
  const auto access = SecretAccess::Get();
  // A view of the whole allocation, taken before shrinking: the memory stays
  // owned by `s`, only its visible size changes.
  const std::span<const std::uint8_t> whole = s.Reveal(access);
  s.Shrink(3);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(RevealHex(s), "010203");
  EXPECT_EQ(s.Reveal(access).data(), whole.data());
  EXPECT_EQ(ToHex(whole), "0102030000000000");

  s.Shrink(3);  // same size: no change
  EXPECT_EQ(RevealHex(s), "010203");

  s.Shrink(0);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(ToHex(whole), "0000000000000000");
}

TEST(SecretBytesTest, ShrinkOfCloneLeavesOriginal) {
  SecretBytes original = Secret("aabbccdd");
  auto clone = original.Clone();
  ASSERT_TRUE(clone.ok());
  clone->Shrink(1);
  EXPECT_EQ(RevealHex(*clone), "aa");
  EXPECT_EQ(RevealHex(original), "aabbccdd");
}

TEST(SecretBytesDeathTest, ShrinkCannotGrow) {
  SecretBytes s = Secret("0102");
  EXPECT_DEATH(s.Shrink(3), "internal check failed");
  SecretBytes empty;
  EXPECT_DEATH(empty.Shrink(1), "internal check failed");
}

TEST(ConstantTimeEqualsTest, Spans) {
  const auto a = FromHex("00112233445566778899aabbccddeeff");
  EXPECT_TRUE(ConstantTimeEquals(a, FromHex("00112233445566778899aabbccddeeff")));
  EXPECT_FALSE(ConstantTimeEquals(a, FromHex("01112233445566778899aabbccddeeff")));
  EXPECT_FALSE(ConstantTimeEquals(a, FromHex("00112233445566778899aabbccddeefe")));
  // Different lengths, including a prefix and an extension.
  EXPECT_FALSE(ConstantTimeEquals(a, std::span(a).first(15)));
  EXPECT_FALSE(ConstantTimeEquals(std::span(a).first(15), a));
  auto longer = a;
  longer.push_back(0);
  EXPECT_FALSE(ConstantTimeEquals(a, longer));
  // Empty inputs.
  const std::span<const std::uint8_t> empty;
  EXPECT_TRUE(ConstantTimeEquals(empty, empty));
  EXPECT_TRUE(ConstantTimeEquals(std::span(a).first(0), empty));
  EXPECT_FALSE(ConstantTimeEquals(a, empty));
  EXPECT_FALSE(ConstantTimeEquals(empty, a));
}

TEST(ConstantTimeEqualsTest, EverySingleBitDifference) {
  const auto a = FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto b = a;
      b[i] ^= static_cast<std::uint8_t>(1 << bit);
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(ConstantTimeEqualsTest, Secrets) {
  EXPECT_TRUE(ConstantTimeEquals(Secret("abcdef"), Secret("abcdef")));
  EXPECT_FALSE(ConstantTimeEquals(Secret("abcdef"), Secret("abcdee")));
  EXPECT_FALSE(ConstantTimeEquals(Secret("abcdef"), Secret("abcd")));
  EXPECT_FALSE(ConstantTimeEquals(Secret("abcd"), Secret("abcdef")));
  EXPECT_FALSE(ConstantTimeEquals(Secret("abcdef"), SecretBytes()));
  EXPECT_TRUE(ConstantTimeEquals(SecretBytes(), SecretBytes()));
  auto zero = SecretBytes::Allocate(0);
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(ConstantTimeEquals(*zero, SecretBytes()));
  // A secret shrunk to empty equals the empty secret.
  SecretBytes shrunk = Secret("01");
  shrunk.Shrink(0);
  EXPECT_TRUE(ConstantTimeEquals(shrunk, SecretBytes()));
  // Zeroed secrets of different sizes differ.
  auto z2 = SecretBytes::Allocate(2);
  auto z3 = SecretBytes::Allocate(3);
  ASSERT_TRUE(z2.ok());
  ASSERT_TRUE(z3.ok());
  EXPECT_FALSE(ConstantTimeEquals(*z2, *z3));
}

TEST(WipeTest, ZeroesExactlyTheSpan) {
  auto bytes = FromHex("ffffffffffffff");
  Wipe(std::span(bytes).subspan(2, 3));
  EXPECT_EQ(ToHex(bytes), "ffff000000ffff");
  Wipe(bytes);
  EXPECT_EQ(ToHex(bytes), "00000000000000");
}

TEST(WipeTest, EmptySpan) {
  Wipe({});
  std::vector<std::uint8_t> empty;
  Wipe(empty);
  EXPECT_TRUE(empty.empty());
}

TEST(WipeTest, WipesSecretInPlace) {
  SecretBytes s = Secret("0102030405");
  Wipe(s.RevealMutable(SecretAccess::Get()));
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(RevealHex(s), "0000000000");
}

}  // namespace
}  // namespace keyhold::crypto
