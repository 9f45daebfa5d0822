// policies/: the rules that decide, never the machinery that acts.
//
// Owns: policy documents (parsing and validation, with the line of every
// error), the access decision (Evaluate: deny wins, default deny, approvals),
// residency and rotation lookups, and when a key is due for rotation. Pure
// functions over plain data: no I/O, no clock reads (time is a parameter),
// no logging, no threads. May include only the C++ standard library,
// nlohmann/json, <fnmatch.h> and <arpa/inet.h> (text matching and address
// parsing), crypto/ and itself; never kms/ or cli/ (scripts/check-layers
// enforces this). Thread-safe: functions and immutable values.
#ifndef KEYHOLD_POLICIES_POLICIES_H_
#define KEYHOLD_POLICIES_POLICIES_H_

#include "policies/approval_digest.h"  // IWYU pragma: export
#include "policies/cidr.h"             // IWYU pragma: export
#include "policies/evaluate.h"         // IWYU pragma: export
#include "policies/located_json.h"     // IWYU pragma: export
#include "policies/policy.h"           // IWYU pragma: export
#include "policies/policy_set.h"       // IWYU pragma: export
#include "policies/rotation.h"         // IWYU pragma: export
#include "policies/time_window.h"      // IWYU pragma: export

#endif  // KEYHOLD_POLICIES_POLICIES_H_
