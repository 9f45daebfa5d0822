// Tests for crypto/shamir.h: for several (M, N), every subset of M shares
// (capped at 200 per case) recombines to the secret in any order and M-1
// shares are refused; the text form matches docs/formats.md byte for byte
// and round-trips; DecodeShare refuses bad base64, every truncation, every
// single-bit flip, a changed check value, index 0 and threshold 0 (with a
// valid check, built by hand); CombineShares refuses mixed sets, mixed
// thresholds, duplicates and an empty list; SplitSecret refuses bad counts;
// ShareCommitment depends on every field; and share values look random.
#include "crypto/shamir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base64.h"
#include "crypto/byte_reader.h"
#include "crypto/random.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::Bytes;
using keyhold::testing::FromHex;
using keyhold::testing::ToHex;

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

SecretBytes Secret(std::span<const std::uint8_t> bytes) {
  return SecretBytes::CopyFrom(bytes).value();
}

ShamirShare Copy(const ShamirShare& s) {
  ShamirShare c;
  c.set_id = s.set_id;
  c.threshold = s.threshold;
  c.index = s.index;
  c.value = s.value.Clone().value();
  return c;
}

std::vector<ShamirShare> Split(const SecretBytes& secret, int m, int n) {
  auto shares = SplitSecret(secret, static_cast<std::uint8_t>(m), static_cast<std::uint8_t>(n));
  EXPECT_TRUE(shares.ok()) << shares.error().message;
  return std::move(shares).value();
}

std::string EncodeText(const ShamirShare& share) {
  auto text = EncodeShare(share);
  EXPECT_TRUE(text.ok()) << text.error().message;
  const auto v = text->Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

Result<ShamirShare> DecodeText(std::string_view text) {
  return DecodeShare({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

void ExpectInvalidShare(const Result<ShamirShare>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidShare) << what;
}

void ExpectCombineRefused(std::span<const ShamirShare> shares, std::string_view why) {
  auto r = CombineShares(shares);
  ASSERT_FALSE(r.ok()) << why << ": combined";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidShare) << why;
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

// The raw share bytes per docs/formats.md "Unseal share", with a correct
// check value over whatever fields are given.
std::vector<std::uint8_t> RawShare(std::uint8_t format, const ShareSetId& set_id,
                                   std::uint8_t threshold, std::uint8_t index,
                                   std::span<const std::uint8_t> value) {
  std::vector<std::uint8_t> raw;
  ByteWriter w(&raw);
  w.PutU8(format);
  w.PutBytes(set_id);
  w.PutU8(threshold);
  w.PutU8(index);
  w.PutU8(static_cast<std::uint8_t>(value.size()));
  w.PutBytes(value);
  const Sha256Digest check = Sha256({Bytes("keyhold-share-v1"), raw});
  w.PutBytes(std::span(check).first(4));
  return raw;
}

std::vector<std::uint8_t> RawOf(const ShamirShare& share) {
  return RawShare(1, share.set_id, share.threshold, share.index, Reveal(share.value));
}

std::vector<std::uint8_t> DecodeRaw(const std::string& text) {
  return Base64Decode(text, 1024).value();
}

// Calls `fn` with each M-subset of 0..n-1 (in lexicographic order), at most
// `cap` times.
void ForEachSubset(int n, int m, int cap, const std::function<void(const std::vector<int>&)>& fn) {
  std::vector<int> idx(static_cast<std::size_t>(m));
  for (int i = 0; i < m; ++i) {
    idx[static_cast<std::size_t>(i)] = i;
  }
  int calls = 0;
  while (calls < cap) {
    fn(idx);
    ++calls;
    int i = m - 1;
    while (i >= 0 && idx[static_cast<std::size_t>(i)] == n - m + i) {
      --i;
    }
    if (i < 0) {
      return;
    }
    ++idx[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < m; ++j) {
      idx[static_cast<std::size_t>(j)] = idx[static_cast<std::size_t>(j - 1)] + 1;
    }
  }
}

std::vector<ShamirShare> Pick(const std::vector<ShamirShare>& all, const std::vector<int>& idx) {
  std::vector<ShamirShare> out;
  for (int i : idx) {
    out.push_back(Copy(all[static_cast<std::size_t>(i)]));
  }
  return out;
}

struct MN {
  int m;
  int n;
};

class ShamirSplitTest : public ::testing::TestWithParam<MN> {};

TEST_P(ShamirSplitTest, EveryThresholdSubsetRecombines) {
  const auto [m, n] = GetParam();
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, m, n);
  ASSERT_EQ(shares.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const ShamirShare& s = shares[static_cast<std::size_t>(i)];
    EXPECT_EQ(s.index, i + 1);
    EXPECT_EQ(s.threshold, m);
    EXPECT_EQ(s.set_id, shares[0].set_id);
    EXPECT_EQ(s.value.size(), 32u);
  }
  int subsets = 0;
  ForEachSubset(n, m, 200, [&](const std::vector<int>& idx) {
    ++subsets;
    auto picked = Pick(shares, idx);
    auto combined = CombineShares(picked);
    ASSERT_TRUE(combined.ok()) << combined.error().message;
    EXPECT_EQ(Reveal(*combined), Reveal(secret));
    // Order does not matter.
    std::reverse(picked.begin(), picked.end());
    auto reversed = CombineShares(picked);
    ASSERT_TRUE(reversed.ok());
    EXPECT_EQ(Reveal(*reversed), Reveal(secret));
  });
  EXPECT_GE(subsets, 1);
  // All N shares together also work.
  auto all = CombineShares(shares);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Reveal(*all), Reveal(secret));
}

TEST_P(ShamirSplitTest, FewerThanThresholdRefused) {
  const auto [m, n] = GetParam();
  if (m == 1) {
    // Below a threshold of 1 there is only the empty set.
    ExpectCombineRefused({}, "no shares");
    return;
  }
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, m, n);
  ForEachSubset(n, m - 1, 200, [&](const std::vector<int>& idx) {
    const auto picked = Pick(shares, idx);
    ExpectCombineRefused(picked, "not enough shares");
  });
}

TEST_P(ShamirSplitTest, EncodeDecodeRoundTrip) {
  const auto [m, n] = GetParam();
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, m, n);
  std::vector<ShamirShare> decoded;
  for (const ShamirShare& s : shares) {
    const std::string text = EncodeText(s);
    EXPECT_EQ(text.size(), 64u);  // base64 of 48 bytes, no padding
    EXPECT_EQ(DecodeRaw(text), RawOf(s));
    auto back = DecodeText(text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->set_id, s.set_id);
    EXPECT_EQ(back->threshold, s.threshold);
    EXPECT_EQ(back->index, s.index);
    EXPECT_EQ(Reveal(back->value), Reveal(s.value));
    EXPECT_EQ(ShareCommitment(*back), ShareCommitment(s));
    decoded.push_back(std::move(back).value());
  }
  auto combined = CombineShares(std::span(decoded).first(static_cast<std::size_t>(m)));
  ASSERT_TRUE(combined.ok());
  EXPECT_EQ(Reveal(*combined), Reveal(secret));
}

TEST_P(ShamirSplitTest, SharesAreNotTheSecret) {
  const auto [m, n] = GetParam();
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, m, n);
  for (const ShamirShare& s : shares) {
    if (m == 1) {
      // A degree-0 polynomial: every share is the secret itself.
      EXPECT_EQ(Reveal(s.value), Reveal(secret));
    } else {
      EXPECT_NE(Reveal(s.value), Reveal(secret)) << "index " << int{s.index};
    }
  }
}

std::string ThresholdName(const ::testing::TestParamInfo<MN>& param) {
  return std::to_string(param.param.m) + "of" + std::to_string(param.param.n);
}

INSTANTIATE_TEST_SUITE_P(Thresholds, ShamirSplitTest,
                         ::testing::Values(MN{1, 1}, MN{2, 2}, MN{2, 3}, MN{3, 5}, MN{5, 5},
                                           MN{16, 16}, MN{4, 12}),
                         ThresholdName);

TEST(ShamirTest, SecretSizes) {
  for (std::size_t size : {1, 16, 32, 64}) {
    const auto bytes = RandomBytes(size).value();
    SecretBytes secret = Secret(bytes);
    const auto shares = Split(secret, 2, 3);
    for (const auto& s : shares) {
      EXPECT_EQ(s.value.size(), size);
    }
    auto combined = CombineShares(std::span(shares).last(2));
    ASSERT_TRUE(combined.ok());
    EXPECT_EQ(Reveal(*combined), bytes);
  }
  for (std::size_t size : {0, 65}) {
    SecretBytes secret = Secret(std::vector<std::uint8_t>(size, 1));
    auto r = SplitSecret(secret, 2, 3);
    EXPECT_FALSE(r.ok()) << "size " << size;
  }
}

TEST(ShamirTest, SplitRefusesBadCounts) {
  SecretBytes secret = RandomSecret(32).value();
  struct Case {
    int m;
    int n;
  };
  for (const Case c :
       {Case{0, 0}, Case{0, 1}, Case{1, 0}, Case{3, 2}, Case{2, 1}, Case{255, 254}, Case{0, 255}}) {
    auto r = SplitSecret(secret, static_cast<std::uint8_t>(c.m), static_cast<std::uint8_t>(c.n));
    ASSERT_FALSE(r.ok()) << c.m << " of " << c.n;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << c.m << " of " << c.n;
  }
}

TEST(ShamirTest, LargestShareSet) {
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, 3, 255);
  ASSERT_EQ(shares.size(), 255u);
  EXPECT_EQ(shares.back().index, 255);
  std::vector<ShamirShare> picked;
  picked.push_back(Copy(shares[254]));
  picked.push_back(Copy(shares[0]));
  picked.push_back(Copy(shares[127]));
  auto combined = CombineShares(picked);
  ASSERT_TRUE(combined.ok());
  EXPECT_EQ(Reveal(*combined), Reveal(secret));
}

TEST(ShamirTest, EachSplitHasAFreshSetId) {
  SecretBytes secret = RandomSecret(32).value();
  std::set<ShareSetId> ids;
  for (int i = 0; i < 20; ++i) {
    ids.insert(Split(secret, 2, 2)[0].set_id);
  }
  EXPECT_EQ(ids.size(), 20u);
}

// The encoding spelled out: docs/formats.md "Unseal share".
TEST(ShamirTest, EncodingLayout) {
  ShamirShare share;
  share.set_id = {1, 2, 3, 4, 5, 6, 7, 8};
  share.threshold = 3;
  share.index = 5;
  std::vector<std::uint8_t> value(32);
  for (std::size_t i = 0; i < value.size(); ++i) {
    value[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
  share.value = Secret(value);
  const auto raw = DecodeRaw(EncodeText(share));
  ASSERT_EQ(raw.size(), 48u);
  EXPECT_EQ(ToHex(std::span(raw).first(12)),
            "01"
            "0102030405060708"
            "03"
            "05"
            "20");
  EXPECT_EQ(std::vector<std::uint8_t>(raw.begin() + 12, raw.begin() + 44), value);
  const Sha256Digest check = Sha256({Bytes("keyhold-share-v1"), std::span(raw).first(44)});
  EXPECT_EQ(ToHex(std::span(raw).subspan(44)), ToHex(std::span(check).first(4)));
}

class ShamirDecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret_ = RandomSecret(32).value();
    shares_ = Split(secret_, 2, 3);
    text_ = EncodeText(shares_[1]);
    raw_ = DecodeRaw(text_);
    ASSERT_EQ(raw_.size(), 48u);
  }
  Result<ShamirShare> DecodeRawBytes(std::span<const std::uint8_t> raw) {
    return DecodeText(Base64Encode(raw));
  }
  SecretBytes secret_;
  std::vector<ShamirShare> shares_;
  std::string text_;
  std::vector<std::uint8_t> raw_;
};

TEST_F(ShamirDecodeTest, Accepts) {
  ASSERT_TRUE(DecodeText(text_).ok());
  ASSERT_TRUE(DecodeRawBytes(raw_).ok());
}

TEST_F(ShamirDecodeTest, RefusesBadBase64) {
  const std::string cases[] = {
      "",
      "====",
      "!!!!",
      text_ + "\n",
      " " + text_,
      text_.substr(0, text_.size() - 1),                    // last character removed
      text_ + "====",                                       // extra padding
      text_.substr(0, 20) + " " + text_.substr(21),         // a space inside
      text_.substr(0, 10) + "\xc3\xa9" + text_.substr(12),  // non-ASCII
  };
  for (const std::string& t : cases) {
    ExpectInvalidShare(DecodeText(t), "text \"" + t + "\"");
  }
  // The URL-safe alphabet is not accepted: swap one standard character for
  // its URL-safe twin if the text has one, otherwise force one in.
  std::string url = text_;
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  if (url == text_) {
    url[0] = '-';
  }
  ExpectInvalidShare(DecodeText(url), "url-safe");
}

TEST_F(ShamirDecodeTest, RefusesTextTruncatedAtEveryLength) {
  for (std::size_t len = 0; len < text_.size(); ++len) {
    ExpectInvalidShare(DecodeText(std::string_view(text_).substr(0, len)),
                       "text length " + std::to_string(len));
  }
}

TEST_F(ShamirDecodeTest, RefusesBytesTruncatedAtEveryLength) {
  for (std::size_t len = 0; len < raw_.size(); ++len) {
    ExpectInvalidShare(DecodeRawBytes(std::span(raw_).first(len)),
                       "byte length " + std::to_string(len));
  }
}

TEST_F(ShamirDecodeTest, RefusesTrailingBytes) {
  for (std::uint8_t extra : {0x00, 0x01, 0xff}) {
    auto longer = raw_;
    longer.push_back(extra);
    ExpectInvalidShare(DecodeRawBytes(longer), "trailing byte");
  }
}

TEST_F(ShamirDecodeTest, RefusesEverySingleBitFlip) {
  for (std::size_t i = 0; i < raw_.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = raw_;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      ExpectInvalidShare(DecodeRawBytes(bad),
                         "byte " + std::to_string(i) + " bit " + std::to_string(bit));
    }
  }
}

TEST_F(ShamirDecodeTest, RefusesChangedCheckBytes) {
  for (std::size_t i = 44; i < 48; ++i) {
    for (std::uint8_t x : {0x01, 0x80, 0xff}) {
      auto bad = raw_;
      bad[i] ^= x;
      ExpectInvalidShare(DecodeRawBytes(bad), "check byte " + std::to_string(i));
    }
  }
  // A check over the fields without the label is not the check.
  auto bad = raw_;
  const Sha256Digest unlabelled = Sha256({std::span(raw_).first(44)});
  std::copy_n(unlabelled.begin(), 4, bad.begin() + 44);
  ExpectInvalidShare(DecodeRawBytes(bad), "unlabelled check");
}

TEST_F(ShamirDecodeTest, RefusesFieldsOutOfRangeWithValidCheck) {
  const ShamirShare& s = shares_[1];
  const auto value = Reveal(s.value);
  // Sanity: the builder reproduces the real encoding.
  ASSERT_EQ(RawShare(1, s.set_id, s.threshold, s.index, value), raw_);
  ExpectInvalidShare(DecodeRawBytes(RawShare(1, s.set_id, s.threshold, 0, value)), "index 0");
  ExpectInvalidShare(DecodeRawBytes(RawShare(1, s.set_id, 0, s.index, value)), "threshold 0");
  ExpectInvalidShare(DecodeRawBytes(RawShare(0, s.set_id, s.threshold, s.index, value)),
                     "format 0");
  ExpectInvalidShare(DecodeRawBytes(RawShare(2, s.set_id, s.threshold, s.index, value)),
                     "format 2");
  ExpectInvalidShare(DecodeRawBytes(RawShare(1, s.set_id, s.threshold, s.index, {})),
                     "empty value");
  ExpectInvalidShare(
      DecodeRawBytes(RawShare(1, s.set_id, s.threshold, s.index, std::vector<std::uint8_t>(65))),
      "65-byte value");
  // The edges that are valid: index 255, threshold 255.
  auto edge = DecodeRawBytes(RawShare(1, s.set_id, 255, 255, value));
  ASSERT_TRUE(edge.ok()) << edge.error().message;
  EXPECT_EQ(edge->index, 255);
  EXPECT_EQ(edge->threshold, 255);
}

TEST_F(ShamirDecodeTest, ValueLengthByteMustMatch) {
  const ShamirShare& s = shares_[1];
  auto raw = RawShare(1, s.set_id, s.threshold, s.index, Reveal(s.value));
  // Claim 31 value bytes and recompute the check over the claimed layout:
  // then the 48 bytes hold one byte too many.
  raw[11] = 31;
  const Sha256Digest check = Sha256({Bytes("keyhold-share-v1"), std::span(raw).first(12 + 31)});
  std::copy_n(check.begin(), 4, raw.begin() + 43);
  ExpectInvalidShare(DecodeRawBytes(raw), "length 31 in a 32-byte share");
}

class ShamirCombineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret_ = RandomSecret(32).value();
    a_ = Split(secret_, 2, 3);
    b_ = Split(secret_, 2, 3);
    ASSERT_NE(a_[0].set_id, b_[0].set_id);
  }
  SecretBytes secret_;
  std::vector<ShamirShare> a_;
  std::vector<ShamirShare> b_;
};

TEST_F(ShamirCombineTest, RefusesEmpty) {
  ExpectCombineRefused({}, "no shares");
}

TEST_F(ShamirCombineTest, RefusesMixedSets) {
  std::vector<ShamirShare> mixed;
  mixed.push_back(Copy(a_[0]));
  mixed.push_back(Copy(b_[1]));
  ExpectCombineRefused(mixed, "different sets");
  // Also when the foreign share comes after enough good ones.
  mixed.insert(mixed.begin(), Copy(a_[2]));
  ExpectCombineRefused(mixed, "different sets");
}

TEST_F(ShamirCombineTest, RefusesMixedThresholds) {
  std::vector<ShamirShare> mixed;
  mixed.push_back(Copy(a_[0]));
  mixed.push_back(Copy(a_[1]));
  mixed[1].threshold = 3;
  ExpectCombineRefused(mixed, "do not match");
}

TEST_F(ShamirCombineTest, RefusesMixedValueSizes) {
  std::vector<ShamirShare> mixed;
  mixed.push_back(Copy(a_[0]));
  mixed.push_back(Copy(a_[1]));
  mixed[1].value.Shrink(31);
  ExpectCombineRefused(mixed, "do not match");
}

TEST_F(ShamirCombineTest, RefusesIndexZeroAndEmptyValue) {
  std::vector<ShamirShare> bad;
  bad.push_back(Copy(a_[0]));
  bad.push_back(Copy(a_[1]));
  bad[1].index = 0;
  ExpectCombineRefused(bad, "do not match");
  std::vector<ShamirShare> empty;
  empty.push_back(Copy(a_[0]));
  empty.push_back(Copy(a_[1]));
  empty[0].value = SecretBytes();
  empty[1].value = SecretBytes();
  ExpectCombineRefused(empty, "do not match");
}

TEST_F(ShamirCombineTest, RefusesDuplicateIndex) {
  std::vector<ShamirShare> dup;
  dup.push_back(Copy(a_[0]));
  dup.push_back(Copy(a_[0]));
  ExpectCombineRefused(dup, "duplicate share");
  // A duplicate index with a different value is refused the same way.
  dup[1].value.RevealMutable(SecretAccess::Get())[0] ^= 1;
  ExpectCombineRefused(dup, "duplicate share");
  // And among enough distinct shares.
  dup.push_back(Copy(a_[1]));
  ExpectCombineRefused(dup, "duplicate share");
}

TEST_F(ShamirCombineTest, AlteredShareGivesAnotherSecret) {
  // Combine has no integrity of its own (that is ShareCommitment's job): an
  // altered value recombines to something else, never to the secret.
  std::vector<ShamirShare> altered;
  altered.push_back(Copy(a_[0]));
  altered.push_back(Copy(a_[1]));
  altered[0].value.RevealMutable(SecretAccess::Get())[5] ^= 0x10;
  auto r = CombineShares(altered);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(Reveal(*r), Reveal(secret_));
  EXPECT_NE(ShareCommitment(altered[0]), ShareCommitment(a_[0]));
}

TEST(ShareCommitmentTest, MatchesDocumentedFormula) {
  ShamirShare s;
  s.set_id = {8, 7, 6, 5, 4, 3, 2, 1};
  s.threshold = 2;
  s.index = 9;
  const auto value = FromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  s.value = Secret(value);
  const std::uint8_t meta[] = {2, 9};
  EXPECT_EQ(ShareCommitment(s), Sha256({Bytes("keyhold-share-commit-v1"), s.set_id, meta, value}));
  // And it differs from the check digest's domain.
  EXPECT_NE(ShareCommitment(s), Sha256({Bytes("keyhold-share-v1"), s.set_id, meta, value}));
}

TEST(ShareCommitmentTest, DiffersWhenAnyFieldDiffers) {
  SecretBytes secret = RandomSecret(32).value();
  const auto shares = Split(secret, 2, 3);
  const ShamirShare& base = shares[0];
  const Sha256Digest c = ShareCommitment(base);
  EXPECT_EQ(ShareCommitment(Copy(base)), c);
  for (std::size_t i = 0; i < base.set_id.size(); ++i) {
    ShamirShare s = Copy(base);
    s.set_id[i] ^= 1;
    EXPECT_NE(ShareCommitment(s), c) << "set id byte " << i;
  }
  {
    ShamirShare s = Copy(base);
    s.threshold = 3;
    EXPECT_NE(ShareCommitment(s), c);
  }
  {
    ShamirShare s = Copy(base);
    s.index = 2;
    EXPECT_NE(ShareCommitment(s), c);
  }
  for (std::size_t i = 0; i < base.value.size(); ++i) {
    ShamirShare s = Copy(base);
    s.value.RevealMutable(SecretAccess::Get())[i] ^= 0x40;
    EXPECT_NE(ShareCommitment(s), c) << "value byte " << i;
  }
  {
    ShamirShare s = Copy(base);
    s.value.Shrink(31);
    EXPECT_NE(ShareCommitment(s), c);
  }
  // Other shares of the same set have other commitments.
  EXPECT_NE(ShareCommitment(shares[1]), c);
  EXPECT_NE(ShareCommitment(shares[2]), ShareCommitment(shares[1]));
}

TEST(ShamirStatisticsTest, FirstShareVariesAcrossSplits) {
  // The same secret split 200 times at M = 2: the first share's value is the
  // secret plus a fresh random coefficient, so it should rarely repeat.
  SecretBytes secret = Secret(std::vector<std::uint8_t>(32, 0x5a));
  std::set<std::vector<std::uint8_t>> values;
  std::set<std::uint8_t> first_bytes;
  for (int i = 0; i < 200; ++i) {
    const auto shares = Split(secret, 2, 3);
    const auto v = Reveal(shares[0].value);
    values.insert(v);
    first_bytes.insert(v[0]);
  }
  EXPECT_EQ(values.size(), 200u);
  // 200 uniform bytes take about 139 distinct values; 64 is far below that.
  EXPECT_GE(first_bytes.size(), 64u);
}

}  // namespace
}  // namespace keyhold::crypto
