// share_fuzzer: crypto::DecodeShare and crypto::CombineShares on arbitrary
// text. Properties: a share that decodes re-encodes to exactly the input; a
// threshold-1 share is its own secret; and any two decodable halves of the
// input go through CombineShares without a crash, yielding a secret of the
// shares' value size when it succeeds. Test-only.
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "crypto/secret_bytes.h"
#include "crypto/shamir.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::crypto::ShamirShare;
using keyhold::fuzz::SameBytes;

// CheckShare decodes `text`; when it decodes, checks the round trip and
// returns the share.
keyhold::Result<ShamirShare> CheckShare(std::span<const std::uint8_t> text) {
  auto share = keyhold::crypto::DecodeShare(text);
  if (!share.ok()) {
    KEYHOLD_FUZZ_CHECK(share.error().code == keyhold::ErrorCode::kInvalidShare);
    return share;
  }
  KEYHOLD_FUZZ_CHECK(share->index != 0);
  KEYHOLD_FUZZ_CHECK(share->threshold != 0);
  KEYHOLD_FUZZ_CHECK(!share->value.empty());
  auto encoded = keyhold::crypto::EncodeShare(*share);
  KEYHOLD_FUZZ_CHECK(encoded.ok());
  KEYHOLD_FUZZ_CHECK(SameBytes(encoded->Reveal(keyhold::crypto::SecretAccess::Get()), text));
  return share;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const auto access = keyhold::crypto::SecretAccess::Get();

  auto whole = CheckShare(input);
  if (whole.ok()) {
    std::vector<ShamirShare> one;
    one.push_back(std::move(whole).value());
    auto secret = keyhold::crypto::CombineShares(one);
    if (one.front().threshold == 1) {
      // A degree-0 polynomial: every share's value is the secret.
      KEYHOLD_FUZZ_CHECK(secret.ok());
      KEYHOLD_FUZZ_CHECK(SameBytes(secret->Reveal(access), one.front().value.Reveal(access)));
    } else {
      KEYHOLD_FUZZ_CHECK(!secret.ok());  // too few shares
    }
  }

  auto first = CheckShare(input.first(size / 2));
  auto second = CheckShare(input.subspan(size / 2));
  if (first.ok() && second.ok()) {
    std::vector<ShamirShare> pair;
    pair.push_back(std::move(first).value());
    pair.push_back(std::move(second).value());
    auto secret = keyhold::crypto::CombineShares(pair);
    if (secret.ok()) {
      KEYHOLD_FUZZ_CHECK(secret->size() == pair.front().value.size());
      KEYHOLD_FUZZ_CHECK(pair.front().set_id == pair.back().set_id);
      KEYHOLD_FUZZ_CHECK(pair.front().index != pair.back().index);
      KEYHOLD_FUZZ_CHECK(pair.front().threshold <= 2);
    } else {
      KEYHOLD_FUZZ_CHECK(secret.error().code == keyhold::ErrorCode::kInvalidShare);
    }
  }
  return 0;
}
