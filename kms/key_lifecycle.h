// Key lifecycle: the states a master key can be in and which operation is
// legal in which state. One table, in key_lifecycle.cc, decides every
// transition; the keyring never checks states any other way.
//
//   enabled ----disable----> disabled ----enable----> enabled
//   enabled|disabled --schedule-deletion--> pending_deletion
//   pending_deletion --cancel-deletion--> disabled   (re-enable explicitly)
//   pending_deletion --destroy (window over)--> destroyed (terminal)
//
// Only an enabled key wraps, unwraps or rotates. Key material is imported
// (BYOK) and exported only while the key is enabled or disabled. Pure: no
// I/O, no clock.
#ifndef KEYHOLD_KMS_KEY_LIFECYCLE_H_
#define KEYHOLD_KMS_KEY_LIFECYCLE_H_

#include <cstdint>
#include <string_view>

#include "crypto/error.h"

namespace keyhold::kms {

enum class KeyState : std::uint8_t {
  kEnabled = 1,
  kDisabled = 2,
  kPendingDeletion = 3,
  kDestroyed = 4,
};

enum class KeyOp : std::uint8_t {
  kWrap,
  kUnwrap,
  kRotate,
  kEnable,
  kDisable,
  kSetConfig,
  kScheduleDeletion,
  kCancelDeletion,
  kDestroy,
  kImport,
  kExport,
};

// KeyStateName returns the API spelling ("enabled", "pending_deletion", ...).
std::string_view KeyStateName(KeyState state);
// KeyOpName returns the operation's API spelling ("wrap", "rotate", ...).
std::string_view KeyOpName(KeyOp op);
// ParseKeyState maps a stored byte back to a state; false for unknown bytes.
bool ParseKeyState(std::uint8_t byte, KeyState* out);

// Transition returns the state after `op` is applied in `state`, or
// kInvalidKeyState with a message naming both. Operations that do not change
// the state (wrap, rotate, enable on an enabled key...) return `state`.
Result<KeyState> Transition(KeyState state, KeyOp op);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_KEY_LIFECYCLE_H_
