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
#include <exception>
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

// RunNothrow runs one fuzz input through `fn` (taking the input as text);
// an exception escaping it is a broken property, reported and aborted.
template <class Fn>
int RunNothrow(const std::uint8_t* data, std::size_t size, Fn fn) {
  try {
    fn(AsText({data, size}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz property failed: exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz property failed: a non-std exception escaped\n");
    std::abort();
  }
  return 0;
}

}  // namespace keyhold::fuzz

#endif  // KEYHOLD_TESTS_FUZZ_FUZZ_CHECK_H_
