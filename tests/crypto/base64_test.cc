// Tests for crypto/base64.h: RFC 4648 vectors, a table of non-canonical and
// hostile inputs that must all be refused with kInvalidRequest, the
// max_decoded bound (including that an oversize input is refused before any
// byte of it is read), and random round trips.
#include "crypto/base64.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::ToHex;
using namespace std::string_view_literals;

constexpr std::size_t kLimit = 1024;

struct Vector {
  std::string_view plain;
  std::string_view encoded;
};

// RFC 4648 section 10.
constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string RevealString(const SecretBytes& s) {
  const auto bytes = s.Reveal(SecretAccess::Get());
  return std::string(bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> RevealVector(const SecretBytes& s) {
  const auto bytes = s.Reveal(SecretAccess::Get());
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

TEST(Base64Test, EncodeRfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(Bytes(v.plain)), v.encoded) << "plain=" << v.plain;
  }
}

TEST(Base64Test, DecodeRfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    auto decoded = Base64Decode(v.encoded, kLimit);
    ASSERT_TRUE(decoded.ok()) << v.encoded << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, Bytes(v.plain)) << v.encoded;
  }
}

TEST(Base64Test, EncodeSecretRfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    auto secret = SecretBytes::CopyFrom(Bytes(v.plain));
    ASSERT_TRUE(secret.ok());
    auto encoded = Base64EncodeSecret(*secret);
    ASSERT_TRUE(encoded.ok()) << v.plain;
    EXPECT_EQ(encoded->size(), v.encoded.size()) << v.plain;
    EXPECT_EQ(RevealString(*encoded), v.encoded) << v.plain;
  }
}

TEST(Base64Test, DecodeSecretRfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    auto decoded = Base64DecodeSecret(v.encoded, kLimit);
    ASSERT_TRUE(decoded.ok()) << v.encoded << ": " << decoded.error().message;
    EXPECT_EQ(decoded->size(), v.plain.size()) << v.encoded;
    EXPECT_EQ(RevealString(*decoded), v.plain) << v.encoded;
  }
}

TEST(Base64Test, EmptySecretEncodesToEmpty) {
  const SecretBytes empty;
  auto encoded = Base64EncodeSecret(empty);
  ASSERT_TRUE(encoded.ok());
  EXPECT_TRUE(encoded->empty());
}

TEST(Base64Test, FullAlphabetVector) {
  // Every character of the alphabet once, in order (values 0..63).
  const auto decoded =
      Base64Decode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", kLimit);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(ToHex(*decoded),
            "00108310518720928b30d38f41149351559761969b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e3"
            "9ebbf3dfbf");
  EXPECT_EQ(Base64Encode(*decoded),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

struct Hostile {
  const char* why;
  std::string_view text;
};

const Hostile kHostile[] = {
    // Whitespace anywhere, including with a total length that is a multiple of
    // four (so that only the character check can catch it).
    {"leading space", " Zg=="sv},
    {"trailing space", "Zg== "sv},
    {"space before padding", "Zg =="sv},
    {"four leading spaces", "    Zm9vYmFy"sv},
    {"four trailing spaces", "Zm9vYmFy    "sv},
    {"four inner spaces", "Zm9v    YmFy"sv},
    {"inner newlines", "Zm9v\n\n\n\nYmFy"sv},
    {"trailing newline", "Zm9vYmFy\n"sv},
    {"inner CRLF pairs", "Zm9v\r\n\r\nYmFy"sv},
    {"trailing CRLF", "Zm9vYmFy\r\n"sv},
    {"MIME line break", "Zm9v\r\nYmFy\r\n"sv},
    {"inner tabs", "Zm9v\t\t\t\tYmFy"sv},
    {"tab before padding", "Zm8\t="sv},
    {"whitespace before padding", "Zg\n\n\n\n=="sv},
    {"whitespace instead of padding", "Zg  "sv},
    {"vertical tab and form feed", "Zm9v\v\fYm=="sv},
    {"only whitespace", "    "sv},
    // Missing padding.
    {"f without padding", "Zg"sv},
    {"f with one pad", "Zg="sv},
    {"fo without padding", "Zm8"sv},
    {"foob without padding", "Zm9vYg"sv},
    {"foob with one pad", "Zm9vYg="sv},
    {"fooba without padding", "Zm9vYmE"sv},
    // Extra padding.
    {"f with three pads", "Zg==="sv},
    {"f with six pads", "Zg======"sv},
    {"fo with two pads", "Zm8=="sv},
    {"fo with five pads", "Zm8====="sv},
    {"foo with one pad", "Zm9v="sv},
    {"foo with four pads", "Zm9v===="sv},
    // Padding in the middle.
    {"two padded groups", "Zg==Zg=="sv},
    {"padded group then data", "Zm8=Zm9v"sv},
    {"pad between data", "Z=g="sv},
    {"pad then data in group", "Zg=a"sv},
    {"leading pad", "=Zg="sv},
    {"pad in first group", "Zm=vYmFy"sv},
    // Non-zero trailing bits: canonical forms are Zg==, Zm8=, Zm9vYg==, Zm9vYmE=.
    {"f with low bits set", "Zh=="sv},
    {"f with all low bits set", "Zv=="sv},
    {"fo with low bits set", "Zm9="sv},
    {"fo with low bits set 2", "Zm+="sv},
    {"foob with low bits set", "Zm9vYh=="sv},
    {"fooba with low bits set", "Zm9vYmF="sv},
    {"0xff with low bits set", "//=="sv},
    {"0xffff with low bits set", "///="sv},
    // URL-safe alphabet (RFC 4648 section 5) is not accepted.
    {"dash for plus", "-w=="sv},
    {"underscore for slash", "_w=="sv},
    {"dash inside", "Zm-v"sv},
    {"underscore inside", "Zm_v"sv},
    {"url-safe only", "-_-_"sv},
    // Other characters outside the alphabet.
    {"exclamation marks", "Zm9v!!!!"sv},
    {"dot", "Zm9."sv},
    {"asterisk", "Zm9*"sv},
    {"percent-encoded pad", "Zg%3D"sv},
    {"DEL", "Zm9\x7f"sv},
    // Non-ASCII bytes.
    {"latin-1 byte", "Zm9\xe9"sv},
    {"0xff byte", "\xffZg="sv},
    {"0x80 bytes", "Zm9v\x80\x80\x80\x80"sv},
    {"fullwidth Zg==", "\xef\xbc\xba\xef\xbd\x87=="sv},
    {"utf-8 e-acute", "Zm\xc3\xa9"sv},
    // NUL bytes: the input is a sized view, not a C string.
    {"NUL in data", "Zm9\0"sv},
    {"NUL between groups", "Zm9v\0YmF"sv},
    {"NULs after valid input", "Zg==\0\0\0\0"sv},
    {"NUL instead of pad", "Zg=\0"sv},
    {"only NULs", "\0\0\0\0"sv},
    // Length not a multiple of four.
    {"one char", "Z"sv},
    {"three chars", "Zm9"sv},
    {"five chars", "Zm9vY"sv},
    {"nine chars", "Zm9vYmFyY"sv},
    // Padding only.
    {"one pad", "="sv},
    {"two pads", "=="sv},
    {"three pads", "==="sv},
    {"four pads", "===="sv},
    {"eight pads", "========"sv},
};

TEST(Base64Test, HostileInputsRefused) {
  for (const auto& h : kHostile) {
    SCOPED_TRACE(h.why);
    auto decoded = Base64Decode(h.text, kLimit);
    ASSERT_FALSE(decoded.ok()) << "decoded to " << ToHex(*decoded);
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidRequest);
    auto secret = Base64DecodeSecret(h.text, kLimit);
    ASSERT_FALSE(secret.ok()) << "decoded to " << ToHex(RevealVector(*secret));
    EXPECT_EQ(secret.error().code, ErrorCode::kInvalidRequest);
  }
}

// Every byte outside the alphabet, at every position of a group, is refused.
// (libsodium 1.0.18 on its own decodes every byte >= 0x80 as '/'.)
TEST(Base64Test, EveryByteOutsideTheAlphabetRefused) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int refused = 0;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    if (kAlphabet.find(c) != std::string_view::npos) {
      continue;
    }
    for (std::size_t pos = 0; pos < 8; ++pos) {
      std::string text = "Zm9vYmFy";
      text[pos] = c;
      SCOPED_TRACE("byte " + std::to_string(b) + " at " + std::to_string(pos));
      auto decoded = Base64Decode(text, kLimit);
      ASSERT_FALSE(decoded.ok()) << "decoded to " << ToHex(*decoded);
      EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidRequest);
      auto secret = Base64DecodeSecret(text, kLimit);
      ASSERT_FALSE(secret.ok()) << "decoded to " << ToHex(RevealVector(*secret));
      EXPECT_EQ(secret.error().code, ErrorCode::kInvalidRequest);
      ++refused;
    }
  }
  EXPECT_EQ(refused, (256 - 64) * 8);
}

// The same bytes have exactly one encoding: every string of the forms "XY=="
// and "XYZ=" over the alphabet decodes if and only if it is what Base64Encode
// produces for the decoded bytes.
TEST(Base64Test, EveryPaddedGroupDecodesOnlyIfCanonical) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int accepted_two = 0;
  int accepted_three = 0;
  std::string text = "XY==";
  for (char x : kAlphabet) {
    for (char y : kAlphabet) {
      text[0] = x;
      text[1] = y;
      text[2] = '=';
      auto decoded = Base64Decode(text, kLimit);
      if (decoded.ok()) {
        ++accepted_two;
        ASSERT_EQ(decoded->size(), 1u) << text;
        ASSERT_EQ(Base64Encode(*decoded), text);
      } else {
        ASSERT_EQ(decoded.error().code, ErrorCode::kInvalidRequest) << text;
      }
      for (char z : kAlphabet) {
        text[2] = z;
        auto decoded3 = Base64Decode(text, kLimit);
        if (decoded3.ok()) {
          ++accepted_three;
          ASSERT_EQ(decoded3->size(), 2u) << text;
          ASSERT_EQ(Base64Encode(*decoded3), text);
        } else {
          ASSERT_EQ(decoded3.error().code, ErrorCode::kInvalidRequest) << text;
        }
      }
    }
  }
  // One accepted string per possible value: 256 one-byte, 65536 two-byte.
  EXPECT_EQ(accepted_two, 256);
  EXPECT_EQ(accepted_three, 65536);
}

TEST(Base64Test, MaxDecodedIsExactForEveryVector) {
  for (const auto& v : kRfc4648) {
    for (std::size_t max = 0; max <= v.plain.size() + 3; ++max) {
      SCOPED_TRACE(std::string(v.encoded) + " max=" + std::to_string(max));
      const bool fits = v.plain.size() <= max;
      auto decoded = Base64Decode(v.encoded, max);
      auto secret = Base64DecodeSecret(v.encoded, max);
      ASSERT_EQ(decoded.ok(), fits);
      ASSERT_EQ(secret.ok(), fits);
      if (fits) {
        EXPECT_EQ(*decoded, Bytes(v.plain));
        EXPECT_EQ(RevealString(*secret), v.plain);
      } else {
        EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidRequest);
        EXPECT_EQ(secret.error().code, ErrorCode::kInvalidRequest);
      }
    }
  }
}

// A limit near SIZE_MAX means "no practical limit"; it must not wrap around
// into a tiny one.
TEST(Base64Test, LimitNearSizeMaxDoesNotWrap) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  for (std::size_t max : {kMax, kMax - 1, kMax - 2}) {
    SCOPED_TRACE(max);
    for (const auto& v : kRfc4648) {
      auto decoded = Base64Decode(v.encoded, max);
      ASSERT_TRUE(decoded.ok()) << v.encoded << ": " << decoded.error().message;
      EXPECT_EQ(*decoded, Bytes(v.plain));
      auto secret = Base64DecodeSecret(v.encoded, max);
      ASSERT_TRUE(secret.ok()) << v.encoded << ": " << secret.error().message;
      EXPECT_EQ(RevealString(*secret), v.plain);
    }
  }
}

TEST(Base64Test, EmptyInputWithZeroLimit) {
  auto decoded = Base64Decode("", 0);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
  auto secret = Base64DecodeSecret("", 0);
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(secret->empty());
}

TEST(Base64Test, OneMebibyteAtAndOverTheLimit) {
  // "AAAA" decodes to three zero bytes.
  const std::string text(std::size_t{1} << 20, 'A');
  const std::size_t decoded_size = text.size() / 4 * 3;
  auto at = Base64Decode(text, decoded_size);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, std::vector<std::uint8_t>(decoded_size, 0));
  auto secret_at = Base64DecodeSecret(text, decoded_size);
  ASSERT_TRUE(secret_at.ok());
  EXPECT_EQ(secret_at->size(), decoded_size);

  auto over = Base64Decode(text, decoded_size - 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidRequest);
  auto secret_over = Base64DecodeSecret(text, decoded_size - 1);
  ASSERT_FALSE(secret_over.ok());
  EXPECT_EQ(secret_over.error().code, ErrorCode::kInvalidRequest);
}

// An input far longer than max_decoded allows is refused from its length
// alone: the test hands over 1 MiB of memory that cannot be read at all, so
// touching a single byte of it would crash the test.
TEST(Base64Test, OversizeInputRefusedWithoutReadingIt) {
  constexpr std::size_t kSize = std::size_t{1} << 20;
  void* region = mmap(nullptr, kSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(region, MAP_FAILED);
  const std::string_view text(static_cast<const char*>(region), kSize);
  for (std::size_t max : {std::size_t{0}, std::size_t{32}, kSize / 4 * 3 - 3}) {
    SCOPED_TRACE(max);
    auto decoded = Base64Decode(text, max);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidRequest);
    auto secret = Base64DecodeSecret(text, max);
    ASSERT_FALSE(secret.ok());
    EXPECT_EQ(secret.error().code, ErrorCode::kInvalidRequest);
  }
  ASSERT_EQ(munmap(region, kSize), 0);
}

TEST(Base64Test, RandomRoundTrips) {
  std::mt19937 rng(20240601);  // fixed seed: reproducible
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::size_t n = 0; n <= 300; ++n) {
    SCOPED_TRACE(n);
    std::vector<std::uint8_t> plain(n);
    for (auto& b : plain) {
      b = static_cast<std::uint8_t>(byte(rng));
    }
    const std::string text = Base64Encode(plain);
    ASSERT_EQ(text.size(), (n + 2) / 3 * 4);

    auto decoded = Base64Decode(text, n);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, plain);

    auto secret_plain = SecretBytes::CopyFrom(plain);
    ASSERT_TRUE(secret_plain.ok());
    auto secret_text = Base64EncodeSecret(*secret_plain);
    ASSERT_TRUE(secret_text.ok());
    EXPECT_EQ(RevealString(*secret_text), text);

    auto secret_decoded = Base64DecodeSecret(text, n);
    ASSERT_TRUE(secret_decoded.ok()) << secret_decoded.error().message;
    EXPECT_EQ(RevealVector(*secret_decoded), plain);
  }
}

}  // namespace
}  // namespace keyhold::crypto
