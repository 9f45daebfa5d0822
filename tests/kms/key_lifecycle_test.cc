#include "kms/key_lifecycle.h"

#include <gtest/gtest.h>

namespace keyhold::kms {
namespace {

constexpr KeyState kStates[] = {KeyState::kEnabled, KeyState::kDisabled, KeyState::kPendingDeletion,
                                KeyState::kDestroyed};
constexpr KeyOp kOps[] = {KeyOp::kWrap,
                          KeyOp::kUnwrap,
                          KeyOp::kRotate,
                          KeyOp::kEnable,
                          KeyOp::kDisable,
                          KeyOp::kSetConfig,
                          KeyOp::kScheduleDeletion,
                          KeyOp::kCancelDeletion,
                          KeyOp::kDestroy,
                          KeyOp::kImport,
                          KeyOp::kExport};

// The whole state machine, written out independently of the implementation's
// table: 0 = refused.
struct Expect {
  KeyState from;
  KeyOp op;
  int to;  // 0 refused, else KeyState value
};

TEST(Transition, EveryStateTimesEveryOperation) {
  const Expect table[] = {
      {KeyState::kEnabled, KeyOp::kWrap, 1},
      {KeyState::kEnabled, KeyOp::kUnwrap, 1},
      {KeyState::kEnabled, KeyOp::kRotate, 1},
      {KeyState::kEnabled, KeyOp::kEnable, 1},
      {KeyState::kEnabled, KeyOp::kDisable, 2},
      {KeyState::kEnabled, KeyOp::kSetConfig, 1},
      {KeyState::kEnabled, KeyOp::kScheduleDeletion, 3},
      {KeyState::kEnabled, KeyOp::kCancelDeletion, 0},
      {KeyState::kEnabled, KeyOp::kDestroy, 0},
      {KeyState::kEnabled, KeyOp::kImport, 1},
      {KeyState::kEnabled, KeyOp::kExport, 1},
      {KeyState::kDisabled, KeyOp::kWrap, 0},
      {KeyState::kDisabled, KeyOp::kUnwrap, 0},
      {KeyState::kDisabled, KeyOp::kRotate, 0},
      {KeyState::kDisabled, KeyOp::kEnable, 1},
      {KeyState::kDisabled, KeyOp::kDisable, 2},
      {KeyState::kDisabled, KeyOp::kSetConfig, 2},
      {KeyState::kDisabled, KeyOp::kScheduleDeletion, 3},
      {KeyState::kDisabled, KeyOp::kCancelDeletion, 0},
      {KeyState::kDisabled, KeyOp::kDestroy, 0},
      {KeyState::kDisabled, KeyOp::kImport, 2},
      {KeyState::kDisabled, KeyOp::kExport, 2},
      {KeyState::kPendingDeletion, KeyOp::kWrap, 0},
      {KeyState::kPendingDeletion, KeyOp::kUnwrap, 0},
      {KeyState::kPendingDeletion, KeyOp::kRotate, 0},
      {KeyState::kPendingDeletion, KeyOp::kEnable, 0},
      {KeyState::kPendingDeletion, KeyOp::kDisable, 0},
      {KeyState::kPendingDeletion, KeyOp::kSetConfig, 0},
      {KeyState::kPendingDeletion, KeyOp::kScheduleDeletion, 0},
      {KeyState::kPendingDeletion, KeyOp::kCancelDeletion, 2},
      {KeyState::kPendingDeletion, KeyOp::kDestroy, 4},
      {KeyState::kPendingDeletion, KeyOp::kImport, 0},
      {KeyState::kPendingDeletion, KeyOp::kExport, 0},
  };
  int checked = 0;
  for (const Expect& e : table) {
    auto r = Transition(e.from, e.op);
    if (e.to == 0) {
      ASSERT_FALSE(r.ok()) << KeyStateName(e.from) << " " << KeyOpName(e.op);
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidKeyState);
      // The message names the operation and the state, nothing else.
      EXPECT_NE(r.error().message.find(KeyOpName(e.op)), std::string::npos);
      EXPECT_NE(r.error().message.find(KeyStateName(e.from)), std::string::npos);
    } else {
      ASSERT_TRUE(r.ok()) << KeyStateName(e.from) << " " << KeyOpName(e.op);
      EXPECT_EQ(static_cast<int>(*r), e.to) << KeyStateName(e.from) << " " << KeyOpName(e.op);
    }
    ++checked;
  }
  // Destroyed is terminal.
  for (KeyOp op : kOps) {
    EXPECT_FALSE(Transition(KeyState::kDestroyed, op).ok()) << KeyOpName(op);
    ++checked;
  }
  EXPECT_EQ(checked, std::size(kStates) * std::size(kOps));
}

TEST(ParseKeyState, RefusesUnknownBytes) {
  KeyState s;
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(ParseKeyState(static_cast<std::uint8_t>(b), &s), b >= 1 && b <= 4) << b;
  }
}

TEST(KeyStateName, ApiSpellings) {
  EXPECT_EQ(KeyStateName(KeyState::kEnabled), "enabled");
  EXPECT_EQ(KeyStateName(KeyState::kDisabled), "disabled");
  EXPECT_EQ(KeyStateName(KeyState::kPendingDeletion), "pending_deletion");
  EXPECT_EQ(KeyStateName(KeyState::kDestroyed), "destroyed");
}

}  // namespace
}  // namespace keyhold::kms
