// Hex helpers for test vectors. Test-only; never linked into Keyhold.
#ifndef KEYHOLD_TESTS_TESTLIB_HEX_H_
#define KEYHOLD_TESTS_TESTLIB_HEX_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace keyhold::testing {

// FromHex decodes lowercase or uppercase hex; it aborts the test program on
// malformed input, which can only come from a broken vector file.
std::vector<std::uint8_t> FromHex(std::string_view hex);
std::string ToHex(std::span<const std::uint8_t> bytes);
// Bytes views a string as bytes.
std::vector<std::uint8_t> Bytes(std::string_view s);

}  // namespace keyhold::testing

#endif  // KEYHOLD_TESTS_TESTLIB_HEX_H_
