#include "crypto/shamir.h"

extern "C" {
#include <libgfshare.h>
}
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "crypto/base64.h"
#include "crypto/byte_reader.h"
#include "crypto/check.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"

namespace keyhold::crypto {
namespace {

constexpr std::uint8_t kShareFormat = 1;
constexpr std::size_t kMaxSecret = 64;
constexpr std::size_t kCheckSize = 4;
constexpr std::string_view kCheckLabel = "keyhold-share-v1";
constexpr std::string_view kCommitLabel = "keyhold-share-commit-v1";

void FillFromCsprng(unsigned char* buffer, unsigned int size) {
  // libgfshare's hook cannot report failure; continuing with a partly filled
  // coefficient buffer would leak the secret, so a failing CSPRNG is fatal.
  KEYHOLD_CHECK(RAND_bytes(buffer, static_cast<int>(size)) == 1);
}

void InstallRandomHook() {
  static std::once_flag once;
  std::call_once(once, [] { gfshare_fill_rand = FillFromCsprng; });
}

struct GfshareDeleter {
  void operator()(gfshare_ctx* ctx) const { gfshare_ctx_free(ctx); }
};
using GfsharePtr = std::unique_ptr<gfshare_ctx, GfshareDeleter>;

Error BadShare(const char* why) {
  return MakeError(ErrorCode::kInvalidShare, std::string("unseal share: ") + why);
}

void PutShareBody(const ShamirShare& share, std::vector<std::uint8_t>* out) {
  ByteWriter w(out);
  w.PutU8(kShareFormat);
  w.PutBytes(share.set_id);
  w.PutU8(share.threshold);
  w.PutU8(share.index);
  w.PutU8(static_cast<std::uint8_t>(share.value.size()));
}

std::array<std::uint8_t, kCheckSize> Check(std::span<const std::uint8_t> body,
                                           std::span<const std::uint8_t> value) {
  const Sha256Digest d = Sha256({AsBytes(kCheckLabel), body, value});
  std::array<std::uint8_t, kCheckSize> out{};
  std::copy_n(d.begin(), kCheckSize, out.begin());
  return out;
}

}  // namespace

Result<std::vector<ShamirShare>> SplitSecret(const SecretBytes& secret, std::uint8_t threshold,
                                             std::uint8_t count) {
  if (threshold < 1 || threshold > count) {
    return MakeError(ErrorCode::kInvalidRequest, "shares: need 1 <= threshold <= count <= 255");
  }
  if (secret.empty() || secret.size() > kMaxSecret) {
    return MakeError(ErrorCode::kInternal, "shares: secret size out of range");
  }
  InstallRandomHook();
  std::vector<unsigned char> indices(count);
  for (unsigned i = 0; i < count; ++i) {
    indices[i] = static_cast<unsigned char>(i + 1);
  }
  ShareSetId set_id{};
  KEYHOLD_TRY(FillRandom(set_id));
  const auto size = static_cast<unsigned int>(secret.size());
  GfsharePtr ctx(gfshare_ctx_init_enc(indices.data(), count, threshold, size));
  if (!ctx) {
    return MakeError(ErrorCode::kInternal, "shares: out of memory");
  }
  // libgfshare takes a non-const pointer but only copies the secret.
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes scratch, secret.Clone());
  gfshare_ctx_enc_setsecret(ctx.get(), scratch.RevealMutable(SecretAccess::Get()).data());
  std::vector<ShamirShare> shares;
  shares.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    ShamirShare share;
    share.set_id = set_id;
    share.threshold = threshold;
    share.index = indices[i];
    KEYHOLD_ASSIGN_OR_RETURN(share.value, SecretBytes::Allocate(size));
    gfshare_ctx_enc_getshare(ctx.get(), static_cast<unsigned char>(i),
                             share.value.RevealMutable(SecretAccess::Get()).data());
    shares.push_back(std::move(share));
  }
  return shares;
}

Result<SecretBytes> EncodeShare(const ShamirShare& share) {
  std::vector<std::uint8_t> body;
  PutShareBody(share, &body);
  const auto access = SecretAccess::Get();
  const auto check = Check(body, share.value.Reveal(access));
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes raw,
                           SecretBytes::Allocate(body.size() + share.value.size() + kCheckSize));
  auto out = raw.RevealMutable(access);
  std::ranges::copy(body, out.begin());
  std::ranges::copy(share.value.Reveal(access), out.begin() + static_cast<long>(body.size()));
  std::ranges::copy(check, out.end() - static_cast<long>(kCheckSize));
  return Base64EncodeSecret(raw);
}

Result<ShamirShare> DecodeShare(std::span<const std::uint8_t> text) {
  constexpr std::size_t kMaxRaw = 1 + 8 + 3 + kMaxSecret + kCheckSize;
  const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
  auto raw = Base64DecodeSecret(view, kMaxRaw);
  if (!raw.ok()) {
    return BadShare("not valid base64 of a share");
  }
  const auto access = SecretAccess::Get();
  ByteReader r(raw->Reveal(access));
  ShamirShare share;
  std::uint8_t format = 0;
  std::uint8_t size = 0;
  std::span<const std::uint8_t> set_id;
  std::span<const std::uint8_t> value;
  std::span<const std::uint8_t> check;
  if (!r.ReadU8(&format) || format != kShareFormat || !r.ReadBytes(8, &set_id) ||
      !r.ReadU8(&share.threshold) || !r.ReadU8(&share.index) || !r.ReadU8(&size) || size == 0 ||
      size > kMaxSecret || !r.ReadBytes(size, &value) || !r.ReadBytes(kCheckSize, &check) ||
      !r.Done()) {
    return BadShare("malformed");
  }
  const std::span<const std::uint8_t> body = raw->Reveal(access).first(1 + 8 + 3);
  if (!ConstantTimeEquals(Check(body, value), check)) {
    return BadShare("check value mismatch (mistyped?)");
  }
  if (share.index == 0 || share.threshold == 0) {
    return BadShare("malformed");
  }
  std::ranges::copy(set_id, share.set_id.begin());
  KEYHOLD_ASSIGN_OR_RETURN(share.value, SecretBytes::CopyFrom(value));
  return share;
}

Result<SecretBytes> CombineShares(std::span<const ShamirShare> shares) {
  if (shares.empty()) {
    return BadShare("no shares");
  }
  const ShamirShare& first = shares.front();
  std::array<bool, 256> seen{};
  for (const ShamirShare& s : shares) {
    if (s.set_id != first.set_id) {
      return BadShare("shares come from different sets");
    }
    if (s.threshold != first.threshold || s.value.size() != first.value.size() || s.value.empty() ||
        s.index == 0) {
      return BadShare("shares do not match each other");
    }
    if (seen[s.index]) {
      return BadShare("duplicate share");
    }
    seen[s.index] = true;
  }
  if (shares.size() < first.threshold) {
    return BadShare("not enough shares");
  }
  InstallRandomHook();
  // Exactly `threshold` shares define the polynomial; extra ones add nothing.
  const unsigned m = first.threshold;
  std::vector<unsigned char> indices(m);
  for (unsigned i = 0; i < m; ++i) {
    indices[i] = shares[i].index;
  }
  const auto size = static_cast<unsigned int>(first.value.size());
  GfsharePtr ctx(gfshare_ctx_init_dec(indices.data(), m, size));
  if (!ctx) {
    return MakeError(ErrorCode::kInternal, "shares: out of memory");
  }
  const auto access = SecretAccess::Get();
  for (unsigned i = 0; i < m; ++i) {
    KEYHOLD_ASSIGN_OR_RETURN(SecretBytes scratch, shares[i].value.Clone());
    gfshare_ctx_dec_giveshare(ctx.get(), static_cast<unsigned char>(i),
                              scratch.RevealMutable(access).data());
  }
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes secret, SecretBytes::Allocate(size));
  gfshare_ctx_dec_extract(ctx.get(), secret.RevealMutable(access).data());
  return secret;
}

Sha256Digest ShareCommitment(const ShamirShare& share) {
  const std::uint8_t meta[2] = {share.threshold, share.index};
  return Sha256(
      {AsBytes(kCommitLabel), share.set_id, meta, share.value.Reveal(SecretAccess::Get())});
}

}  // namespace keyhold::crypto
