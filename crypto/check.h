// KEYHOLD_CHECK: aborts the process when an internal invariant is broken.
//
// Used only for conditions no input can cause (a logic bug, a failing CSPRNG);
// never for validating external input, which gets an Error instead. Unlike
// assert() it stays in release builds. Thread-safe. May include: std only.
#ifndef KEYHOLD_CRYPTO_CHECK_H_
#define KEYHOLD_CRYPTO_CHECK_H_

namespace keyhold::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace keyhold::internal

#define KEYHOLD_CHECK(condition)                                        \
  do {                                                                  \
    if (!(condition)) {                                                 \
      ::keyhold::internal::CheckFailed(#condition, __FILE__, __LINE__); \
    }                                                                   \
  } while (false)

#endif  // KEYHOLD_CRYPTO_CHECK_H_
