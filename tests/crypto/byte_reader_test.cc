// Tests for crypto/byte_reader.h: exact big-endian bytes written by
// ByteWriter, round trips including extremes, reads past the end (which fail,
// consume nothing and leave the reader failed for good), zero-length reads,
// Done() with trailing bytes, and lengths near SIZE_MAX.
#include "crypto/byte_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

constexpr std::size_t kSizeMax = std::numeric_limits<std::size_t>::max();

TEST(ByteWriterTest, WritesBigEndian) {
  std::vector<std::uint8_t> out;
  ByteWriter w(&out);
  w.PutU8(0x01);
  w.PutU16(0x0203);
  w.PutU32(0x04050607);
  w.PutU64(0x08090a0b0c0d0e0fULL);
  EXPECT_EQ(ToHex(out), "0102030405060708090a0b0c0d0e0f");
}

TEST(ByteWriterTest, Extremes) {
  struct Case {
    std::uint64_t value;
    int width;
    const char* hex;
  };
  const Case cases[] = {
      {0, 1, "00"},
      {0xff, 1, "ff"},
      {0x80, 1, "80"},
      {0, 2, "0000"},
      {0xffff, 2, "ffff"},
      {0x8000, 2, "8000"},
      {0x00ff, 2, "00ff"},
      {0, 4, "00000000"},
      {0xffffffff, 4, "ffffffff"},
      {0x80000000, 4, "80000000"},
      {0x000000ff, 4, "000000ff"},
      {0, 8, "0000000000000000"},
      {0xffffffffffffffffULL, 8, "ffffffffffffffff"},
      {0x8000000000000000ULL, 8, "8000000000000000"},
      {0x00000000000000ffULL, 8, "00000000000000ff"},
      {0x0000000100000000ULL, 8, "0000000100000000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    std::vector<std::uint8_t> out;
    ByteWriter w(&out);
    switch (c.width) {
      case 1:
        w.PutU8(static_cast<std::uint8_t>(c.value));
        break;
      case 2:
        w.PutU16(static_cast<std::uint16_t>(c.value));
        break;
      case 4:
        w.PutU32(static_cast<std::uint32_t>(c.value));
        break;
      default:
        w.PutU64(c.value);
        break;
    }
    EXPECT_EQ(ToHex(out), c.hex);

    ByteReader r(out);
    std::uint64_t read = 0;
    bool ok = false;
    switch (c.width) {
      case 1: {
        std::uint8_t v = 0;
        ok = r.ReadU8(&v);
        read = v;
        break;
      }
      case 2: {
        std::uint16_t v = 0;
        ok = r.ReadU16(&v);
        read = v;
        break;
      }
      case 4: {
        std::uint32_t v = 0;
        ok = r.ReadU32(&v);
        read = v;
        break;
      }
      default:
        ok = r.ReadU64(&read);
        break;
    }
    ASSERT_TRUE(ok);
    EXPECT_EQ(read, c.value);
    EXPECT_TRUE(r.Done());
  }
}

TEST(ByteWriterTest, AppendsBytesAndStrings) {
  std::vector<std::uint8_t> out = {0xaa};
  ByteWriter w(&out);
  w.PutBytes(FromHex("0001ff"));
  w.PutBytes({});
  w.PutString("hi");
  w.PutString("");
  w.PutString(std::string("\0z", 2));
  EXPECT_EQ(ToHex(out), "aa0001ff6869007a");
}

TEST(ByteReaderTest, ReadsBigEndian) {
  const auto input = FromHex("0102030405060708090a0b0c0d0e0f");
  ByteReader r(input);
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  ASSERT_TRUE(r.ReadU8(&u8));
  ASSERT_TRUE(r.ReadU16(&u16));
  ASSERT_TRUE(r.ReadU32(&u32));
  ASSERT_TRUE(r.ReadU64(&u64));
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0203);
  EXPECT_EQ(u32, 0x04050607u);
  EXPECT_EQ(u64, 0x08090a0b0c0d0e0fULL);
  EXPECT_TRUE(r.Done());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.position(), input.size());
}

TEST(ByteReaderTest, RoundTripMixed) {
  std::vector<std::uint8_t> out;
  ByteWriter w(&out);
  w.PutU8(0xfe);
  w.PutU16(0);
  w.PutU16(0xfffe);
  w.PutU32(0xdeadbeef);
  w.PutU64(0x0123456789abcdefULL);
  w.PutU64(std::numeric_limits<std::uint64_t>::max());
  w.PutBytes(FromHex("cafe"));
  w.PutString("key");

  ByteReader r(out);
  std::uint8_t u8 = 0;
  std::uint16_t a = 1;
  std::uint16_t b = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  std::uint64_t max = 0;
  std::span<const std::uint8_t> bytes;
  std::string s;
  ASSERT_TRUE(r.ReadU8(&u8));
  ASSERT_TRUE(r.ReadU16(&a));
  ASSERT_TRUE(r.ReadU16(&b));
  ASSERT_TRUE(r.ReadU32(&u32));
  ASSERT_TRUE(r.ReadU64(&u64));
  ASSERT_TRUE(r.ReadU64(&max));
  EXPECT_FALSE(r.Done());
  EXPECT_EQ(r.remaining(), 5u);
  ASSERT_TRUE(r.ReadBytes(2, &bytes));
  ASSERT_TRUE(r.ReadString(3, &s));
  EXPECT_EQ(u8, 0xfe);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 0xfffe);
  EXPECT_EQ(u32, 0xdeadbeefu);
  EXPECT_EQ(u64, 0x0123456789abcdefULL);
  EXPECT_EQ(max, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(ToHex(bytes), "cafe");
  EXPECT_EQ(s, "key");
  EXPECT_TRUE(r.Done());
  EXPECT_FALSE(r.failed());
}

TEST(ByteReaderTest, ReadBytesViewsTheInput) {
  const auto input = FromHex("00112233");
  ByteReader r(input);
  std::uint8_t skip = 0;
  ASSERT_TRUE(r.ReadU8(&skip));
  std::span<const std::uint8_t> view;
  ASSERT_TRUE(r.ReadBytes(2, &view));
  EXPECT_EQ(view.data(), input.data() + 1);
  EXPECT_EQ(view.size(), 2u);
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.remaining(), 1u);
}

// Every read that needs one byte more than remains fails, consumes nothing,
// and leaves the reader failed.
TEST(ByteReaderTest, ShortReadsFail) {
  struct Case {
    const char* why;
    std::size_t available;
    bool (*read)(ByteReader&);
  };
  const Case cases[] = {
      {"u8 of 0", 0,
       [](ByteReader& r) {
         std::uint8_t v = 0;
         return r.ReadU8(&v);
       }},
      {"u16 of 1", 1,
       [](ByteReader& r) {
         std::uint16_t v = 0;
         return r.ReadU16(&v);
       }},
      {"u16 of 0", 0,
       [](ByteReader& r) {
         std::uint16_t v = 0;
         return r.ReadU16(&v);
       }},
      {"u32 of 3", 3,
       [](ByteReader& r) {
         std::uint32_t v = 0;
         return r.ReadU32(&v);
       }},
      {"u64 of 7", 7,
       [](ByteReader& r) {
         std::uint64_t v = 0;
         return r.ReadU64(&v);
       }},
      {"bytes 5 of 4", 4,
       [](ByteReader& r) {
         std::span<const std::uint8_t> v;
         return r.ReadBytes(5, &v);
       }},
      {"bytes 1 of 0", 0,
       [](ByteReader& r) {
         std::span<const std::uint8_t> v;
         return r.ReadBytes(1, &v);
       }},
      {"string 5 of 4", 4,
       [](ByteReader& r) {
         std::string v;
         return r.ReadString(5, &v);
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    // A one-byte prefix that is read first, so that position() is not 0.
    const std::vector<std::uint8_t> input(1 + c.available, 0x5a);
    ByteReader r(input);
    std::uint8_t prefix = 0;
    ASSERT_TRUE(r.ReadU8(&prefix));
    EXPECT_FALSE(c.read(r));
    EXPECT_TRUE(r.failed());
    EXPECT_FALSE(r.Done());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(r.position(), 1u);
  }
}

TEST(ByteReaderTest, FailureIsSticky) {
  const auto input = FromHex("010203");
  ByteReader r(input);
  std::uint32_t u32 = 0;
  ASSERT_FALSE(r.ReadU32(&u32));
  // Three bytes remain in the input, but every later read fails.
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::span<const std::uint8_t> bytes;
  std::string s;
  EXPECT_FALSE(r.ReadU8(&u8));
  EXPECT_FALSE(r.ReadU16(&u16));
  EXPECT_FALSE(r.ReadBytes(1, &bytes));
  EXPECT_FALSE(r.ReadBytes(0, &bytes));
  EXPECT_FALSE(r.ReadString(0, &s));
  EXPECT_FALSE(r.ReadString(3, &s));
  EXPECT_TRUE(r.failed());
  EXPECT_FALSE(r.Done());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.position(), 0u);
}

TEST(ByteReaderTest, FailureAtExactEndIsSticky) {
  const auto input = FromHex("01");
  ByteReader r(input);
  std::uint8_t u8 = 0;
  ASSERT_TRUE(r.ReadU8(&u8));
  EXPECT_TRUE(r.Done());
  ASSERT_FALSE(r.ReadU8(&u8));
  // Consumed everything, but a read failed: not Done.
  EXPECT_FALSE(r.Done());
  EXPECT_EQ(r.position(), 1u);
}

TEST(ByteReaderTest, EmptyInput) {
  ByteReader r({});
  EXPECT_TRUE(r.Done());
  EXPECT_EQ(r.remaining(), 0u);
  const std::vector<std::uint8_t> stale = Bytes("x");
  std::span<const std::uint8_t> bytes = stale;
  ASSERT_TRUE(r.ReadBytes(0, &bytes));
  EXPECT_TRUE(bytes.empty());
  std::string s = "stale";
  ASSERT_TRUE(r.ReadString(0, &s));
  EXPECT_EQ(s, "");
  EXPECT_TRUE(r.Done());
  EXPECT_FALSE(r.failed());
}

TEST(ByteReaderTest, ZeroLengthReadsInTheMiddle) {
  const auto input = FromHex("ab");
  ByteReader r(input);
  std::span<const std::uint8_t> bytes;
  ASSERT_TRUE(r.ReadBytes(0, &bytes));
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.Done());
}

TEST(ByteReaderTest, DoneIsFalseWithTrailingBytes) {
  const auto input = FromHex("000102");
  ByteReader r(input);
  std::uint16_t u16 = 0;
  EXPECT_FALSE(r.Done());
  ASSERT_TRUE(r.ReadU16(&u16));
  EXPECT_EQ(u16, 0x0001);
  EXPECT_FALSE(r.Done());
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.failed());
  std::uint8_t u8 = 0;
  ASSERT_TRUE(r.ReadU8(&u8));
  EXPECT_TRUE(r.Done());
}

TEST(ByteReaderTest, HugeLengthsFailWithoutOverflow) {
  const auto input = FromHex("00112233");
  for (std::size_t consumed = 0; consumed <= input.size(); ++consumed) {
    for (std::size_t n : {kSizeMax, kSizeMax - 1, kSizeMax - consumed, kSizeMax - 3,
                          kSizeMax / 2 + 1, std::size_t{1} << 63, input.size() - consumed + 1}) {
      SCOPED_TRACE("consumed " + std::to_string(consumed) + " n " + std::to_string(n));
      {
        ByteReader r(input);
        std::span<const std::uint8_t> skip;
        ASSERT_TRUE(r.ReadBytes(consumed, &skip));
        std::span<const std::uint8_t> bytes;
        EXPECT_FALSE(r.ReadBytes(n, &bytes));
        EXPECT_TRUE(r.failed());
        EXPECT_EQ(r.position(), consumed);
        EXPECT_EQ(r.remaining(), 0u);
      }
      {
        ByteReader r(input);
        std::span<const std::uint8_t> skip;
        ASSERT_TRUE(r.ReadBytes(consumed, &skip));
        std::string s;
        EXPECT_FALSE(r.ReadString(n, &s));
        EXPECT_TRUE(s.empty());
        EXPECT_TRUE(r.failed());
      }
    }
  }
}

}  // namespace
}  // namespace keyhold::crypto
