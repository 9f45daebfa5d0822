// KEYHOLD_FUZZ_CHECK: the property check of the libFuzzer targets in this
// folder. A broken property prints the condition and aborts, so libFuzzer
// saves the input as a crash-* reproducer. Test-only; never linked into
// Keyhold. May include: std, crypto/ (the targets include kms/ too).
#ifndef KEYHOLD_TESTS_FUZZ_FUZZ_CHECK_H_
#define KEYHOLD_TESTS_FUZZ_FUZZ_CHECK_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#define KEYHOLD_FUZZ_CHECK(condition)                                                             \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)

namespace keyhold::fuzz {

// SameBytes reports whether two byte strings are equal (public bytes only:
// not constant-time).
inline bool SameBytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::ranges::equal(a, b);
}

// AsText views fuzz input as a string.
inline std::string_view AsText(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace keyhold::fuzz

#endif  // KEYHOLD_TESTS_FUZZ_FUZZ_CHECK_H_
