#include "crypto/hex.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace keyhold::crypto {
namespace {

TEST(HexEncode, LowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode({}), "");
  const std::vector<std::uint8_t> bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "00017f80abff");
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) {
    all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  }
  const std::string hex = HexEncode(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(506), "fdfeff");
}

}  // namespace
}  // namespace keyhold::crypto
