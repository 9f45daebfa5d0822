// policies/: the rules that decide, never the machinery that acts.
//
// Owns: pure decision functions over plain data (today: when a key is due for
// rotation; with the policy engine: access, approval and residency rules).
// No I/O, no clock reads (time is a parameter), no logging, no threads. May
// include only the C++ standard library, crypto/ and itself; never kms/ or
// cli/ (scripts/check-layers enforces this). Thread-safe: functions only.
#ifndef KEYHOLD_POLICIES_POLICIES_H_
#define KEYHOLD_POLICIES_POLICIES_H_

#include "policies/rotation.h"  // IWYU pragma: export

#endif  // KEYHOLD_POLICIES_POLICIES_H_
