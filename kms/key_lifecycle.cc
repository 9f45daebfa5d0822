#include "kms/key_lifecycle.h"

#include <array>
#include <string>

namespace keyhold::kms {
namespace {

// kX marks an illegal transition; any other entry is the resulting state.
constexpr std::uint8_t kX = 0;
constexpr std::uint8_t E = static_cast<std::uint8_t>(KeyState::kEnabled);
constexpr std::uint8_t D = static_cast<std::uint8_t>(KeyState::kDisabled);
constexpr std::uint8_t P = static_cast<std::uint8_t>(KeyState::kPendingDeletion);
constexpr std::uint8_t Z = static_cast<std::uint8_t>(KeyState::kDestroyed);

// Rows: state (enabled, disabled, pending_deletion, destroyed).
// Columns: wrap, unwrap, rotate, enable, disable, set_config,
//          schedule_deletion, cancel_deletion, destroy, import, export.
constexpr std::array<std::array<std::uint8_t, 11>, 4> kTable = {{
    /* enabled  */ {E, E, E, E, D, E, P, kX, kX, E, E},
    /* disabled */ {kX, kX, kX, E, D, D, P, kX, kX, D, D},
    /* pending  */ {kX, kX, kX, kX, kX, kX, kX, D, Z, kX, kX},
    /* destroyed*/ {kX, kX, kX, kX, kX, kX, kX, kX, kX, kX, kX},
}};

}  // namespace

std::string_view KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kEnabled:
      return "enabled";
    case KeyState::kDisabled:
      return "disabled";
    case KeyState::kPendingDeletion:
      return "pending_deletion";
    case KeyState::kDestroyed:
      return "destroyed";
  }
  return "unknown";
}

std::string_view KeyOpName(KeyOp op) {
  switch (op) {
    case KeyOp::kWrap:
      return "wrap";
    case KeyOp::kUnwrap:
      return "unwrap";
    case KeyOp::kRotate:
      return "rotate";
    case KeyOp::kEnable:
      return "enable";
    case KeyOp::kDisable:
      return "disable";
    case KeyOp::kSetConfig:
      return "config";
    case KeyOp::kScheduleDeletion:
      return "schedule_deletion";
    case KeyOp::kCancelDeletion:
      return "cancel_deletion";
    case KeyOp::kDestroy:
      return "destroy";
    case KeyOp::kImport:
      return "import";
    case KeyOp::kExport:
      return "export";
  }
  return "unknown";
}

bool ParseKeyState(std::uint8_t byte, KeyState* out) {
  if (byte < E || byte > Z) {
    return false;
  }
  *out = static_cast<KeyState>(byte);
  return true;
}

Result<KeyState> Transition(KeyState state, KeyOp op) {
  const auto row = static_cast<std::size_t>(state) - 1;
  const auto col = static_cast<std::size_t>(op);
  const std::uint8_t next =
      (row < kTable.size() && col < kTable[row].size()) ? kTable[row][col] : kX;
  if (next == kX) {
    return MakeError(ErrorCode::kInvalidKeyState, std::string(KeyOpName(op)) +
                                                      " is not allowed on a key that is " +
                                                      std::string(KeyStateName(state)));
  }
  return static_cast<KeyState>(next);
}

}  // namespace keyhold::kms
