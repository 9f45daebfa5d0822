// context_fuzzer: crypto::EncryptionContext::Parse on arbitrary bytes.
// Properties: a context that parses is canonical (AppendCanonical gives back
// exactly the input) and valid (Create accepts its entries, in any order, and
// builds an equal context). Test-only.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/encryption_context.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using keyhold::crypto::EncryptionContext;
  const std::span<const std::uint8_t> input(data, size);
  auto context = EncryptionContext::Parse(input);
  if (!context.ok()) {
    KEYHOLD_FUZZ_CHECK(context.error().code == keyhold::ErrorCode::kInvalidContext);
    return 0;
  }

  std::vector<std::uint8_t> canonical;
  context->AppendCanonical(&canonical);
  KEYHOLD_FUZZ_CHECK(keyhold::fuzz::SameBytes(canonical, input));
  KEYHOLD_FUZZ_CHECK(canonical.size() <= keyhold::crypto::kMaxContextEncodedSize);
  KEYHOLD_FUZZ_CHECK(context->entries().size() <= keyhold::crypto::kMaxContextEntries);

  auto created = EncryptionContext::Create(context->entries());
  KEYHOLD_FUZZ_CHECK(created.ok());
  KEYHOLD_FUZZ_CHECK(*created == *context);

  // Create sorts: the same entries reversed give the same context.
  std::vector<EncryptionContext::Entry> reversed = context->entries();
  std::ranges::reverse(reversed);
  auto from_reversed = EncryptionContext::Create(std::move(reversed));
  KEYHOLD_FUZZ_CHECK(from_reversed.ok());
  KEYHOLD_FUZZ_CHECK(*from_reversed == *context);
  return 0;
}
