// Runs every case of Wycheproof's aes_gcm_test.json, hkdf_sha256_test.json,
// aes_wrap_test.json, aes_kwp_test.json and
// rsa_oaep_{2048,3072,4096}_sha256_mgf1sha256_test.json
// (../shared/vectors/wycheproof/) and prints, per file, how many passed,
// failed and were refused by design (and, where a file has `acceptable`
// cases, which outcome Keyhold chose). Refusals by design are counted as
// correct only when the case is `invalid` or the refusal is documented:
// Keyhold's AEAD is AES-256 only, with 96-bit nonces and 128-bit tags only
// (docs/formats.md, "What the AEAD refuses"); its key wrap is AES-256 only
// (crypto/aes_key_wrap.h, Aes256KeyWrap::Create), so the 128- and 192-bit
// KEK groups of the KW and KWP files are refused by design, whatever their
// result. Every file's totals are asserted exactly, so a case that stops
// running fails the test.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/aes_gcm.h"
#include "crypto/aes_key_wrap.h"
#include "crypto/hkdf.h"
#include "crypto/internal/aes_gcm_raw.h"
#include "crypto/rsa_oaep.h"
#include "tests/testlib/hex.h"
#include "tests/testlib/paths.h"

namespace keyhold::crypto {
namespace {

using keyhold::testing::FromHex;
using keyhold::testing::ToHex;
using keyhold::testing::WycheproofDir;

nlohmann::json Load(const char* name) {
  std::ifstream in(WycheproofDir() / name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}

struct Tally {
  int passed = 0;
  int failed = 0;
  int refused_by_design = 0;
  // `acceptable` cases, by the outcome Keyhold chose; both count as correct.
  int acceptable_refused = 0;
  int acceptable_accepted = 0;
  void Print(const char* file) const {
    std::cout << "[wycheproof] " << file << ": passed " << passed << ", failed " << failed
              << ", refused by design " << refused_by_design;
    if (acceptable_refused + acceptable_accepted > 0) {
      std::cout << ", acceptable: refused " << acceptable_refused << ", accepted "
                << acceptable_accepted;
    }
    std::cout << "\n";
  }
};

TEST(Wycheproof, AesGcm) {
  const nlohmann::json doc = Load("aes_gcm_test.json");
  Tally tally;
  int total = 0;
  for (const auto& group : doc.at("testGroups")) {
    const int key_bits = group.at("keySize");
    const int iv_bits = group.at("ivSize");
    const int tag_bits = group.at("tagSize");
    const bool supported = key_bits == 256 && iv_bits == 96 && tag_bits == 128;
    for (const auto& t : group.at("tests")) {
      ++total;
      const int id = t.at("tcId");
      const std::string result = t.at("result");
      const auto key = FromHex(t.at("key").get<std::string>());
      const auto iv = FromHex(t.at("iv").get<std::string>());
      const auto aad = FromHex(t.at("aad").get<std::string>());
      const auto msg = FromHex(t.at("msg").get<std::string>());
      const auto ct = FromHex(t.at("ct").get<std::string>());
      const auto tag = FromHex(t.at("tag").get<std::string>());
      if (!supported) {
        // The public AEAD must refuse the shape. A key of another size is
        // refused by Create; other nonce and tag sizes cannot be expressed in
        // the sealed layout and are refused by the primitive underneath.
        auto key_secret = SecretBytes::CopyFrom(key);
        ASSERT_TRUE(key_secret.ok());
        bool refused = !Aes256Gcm::Create(*key_secret).ok();
        if (!refused) {
          std::vector<std::uint8_t> out(msg.size());
          std::vector<std::uint8_t> out_tag(tag.size());
          refused = !internal::GcmSealWithNonce(key, iv, msg, aad, out, out_tag).ok() &&
                    !internal::GcmOpenWithNonce(key, iv, ct, aad, tag, out).ok();
        }
        EXPECT_TRUE(refused) << "tcId " << id << " has an unsupported shape but was accepted";
        if (refused) {
          ++tally.refused_by_design;
        } else {
          ++tally.failed;
        }
        continue;
      }
      bool ok_case = true;
      std::vector<std::uint8_t> pt(ct.size());
      const bool opened = internal::GcmOpenWithNonce(key, iv, ct, aad, tag, pt).ok();
      if (result == "valid") {
        std::vector<std::uint8_t> out_ct(msg.size());
        std::vector<std::uint8_t> out_tag(16);
        const bool sealed = internal::GcmSealWithNonce(key, iv, msg, aad, out_ct, out_tag).ok();
        ok_case = opened && pt == msg && sealed && out_ct == ct && out_tag == tag;
        // The public AEAD opens the same bytes laid out as nonce||ct||tag.
        auto key_secret = SecretBytes::CopyFrom(key);
        auto aead = Aes256Gcm::Create(*key_secret);
        std::vector<std::uint8_t> sealed_layout = iv;
        sealed_layout.insert(sealed_layout.end(), ct.begin(), ct.end());
        sealed_layout.insert(sealed_layout.end(), tag.begin(), tag.end());
        auto plain = (*aead)->Open(sealed_layout, aad);
        ok_case = ok_case && plain.ok() && ToHex(plain->Reveal(SecretAccess::Get())) == ToHex(msg);
      } else {
        // `invalid`: must be refused, and no plaintext may remain.
        ok_case = !opened && std::all_of(pt.begin(), pt.end(), [](auto b) { return b == 0; });
      }
      EXPECT_TRUE(ok_case) << "aes_gcm tcId " << id << " (" << result << ")";
      ok_case ? ++tally.passed : ++tally.failed;
    }
  }
  tally.Print("aes_gcm_test.json");
  EXPECT_EQ(total, doc.at("numberOfTests").get<int>());
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.passed + tally.refused_by_design, total);
  EXPECT_GT(tally.passed, 60);  // the 256/96/128 cases must really run
}

TEST(Wycheproof, HkdfSha256) {
  const nlohmann::json doc = Load("hkdf_sha256_test.json");
  Tally tally;
  int total = 0;
  for (const auto& group : doc.at("testGroups")) {
    for (const auto& t : group.at("tests")) {
      ++total;
      const int id = t.at("tcId");
      const std::string result = t.at("result");
      const auto ikm = FromHex(t.at("ikm").get<std::string>());
      const auto salt = FromHex(t.at("salt").get<std::string>());
      const auto info = FromHex(t.at("info").get<std::string>());
      const std::size_t size = t.at("size");
      auto okm = HkdfSha256(ikm, salt, info, size);
      bool ok_case = false;
      if (result == "valid") {
        ok_case = okm.ok() && ToHex(okm->Reveal(SecretAccess::Get())) == t.at("okm");
      } else {
        ok_case = !okm.ok();
      }
      EXPECT_TRUE(ok_case) << "hkdf tcId " << id << " (" << result << ")";
      ok_case ? ++tally.passed : ++tally.failed;
    }
  }
  tally.Print("hkdf_sha256_test.json");
  EXPECT_EQ(total, doc.at("numberOfTests").get<int>());
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.passed, total);
}

// Expected tallies of one key-wrap file: its 256-bit KEK cases pass (or, if
// `acceptable`, are refused), the rest are refused by design.
struct KeyWrapCounts {
  int passed;
  int refused_by_design;
  int acceptable_refused;
};

bool IsGenericFailure(const Result<SecretBytes>& r) {
  return !r.ok() && r.error().code == ErrorCode::kInvalidCiphertext &&
         r.error().message == Info(ErrorCode::kInvalidCiphertext).safe_text;
}

// RunKeyWrapFile runs aes_wrap_test.json or aes_kwp_test.json. For a 256-bit
// KEK, a `valid` case must wrap msg to exactly ct and unwrap ct to msg; an
// `invalid` case must be refused by Unwrap with the one generic error, and
// Wrap(msg) must refuse or give something other than ct; an `acceptable`
// case (KW of an 8-byte key) is recorded as refused or accepted. Keyhold
// refuses it: KW takes two semiblocks at least (RFC 3394 2, SP 800-38F
// 6.2), and an 8-byte key goes through KWP.
void RunKeyWrapFile(const char* file, KeyWrapMode mode, const KeyWrapCounts& expected) {
  const nlohmann::json doc = Load(file);
  Tally tally;
  int total = 0;
  for (const auto& group : doc.at("testGroups")) {
    const int key_bits = group.at("keySize");
    for (const auto& t : group.at("tests")) {
      ++total;
      const int id = t.at("tcId");
      const std::string result = t.at("result");
      auto kek = SecretBytes::CopyFrom(FromHex(t.at("key").get<std::string>()));
      ASSERT_TRUE(kek.ok());
      const auto msg = FromHex(t.at("msg").get<std::string>());
      const auto ct = FromHex(t.at("ct").get<std::string>());
      auto wrapper = Aes256KeyWrap::Create(*kek, mode);
      if (key_bits != 256) {
        // Refused by design, whatever the case's result.
        EXPECT_FALSE(wrapper.ok())
            << file << " tcId " << id << ": a " << key_bits << "-bit KEK was accepted";
        wrapper.ok() ? ++tally.failed : ++tally.refused_by_design;
        continue;
      }
      ASSERT_TRUE(wrapper.ok()) << file << " tcId " << id;
      const Aes256KeyWrap& wrap = **wrapper;
      auto msg_secret = SecretBytes::CopyFrom(msg);
      ASSERT_TRUE(msg_secret.ok());
      const auto wrapped = wrap.Wrap(*msg_secret);
      const auto unwrapped = wrap.Unwrap(ct);
      const bool wraps_to_ct = wrapped.ok() && *wrapped == ct;
      const bool unwraps_to_msg =
          unwrapped.ok() && ToHex(unwrapped->Reveal(SecretAccess::Get())) == ToHex(msg);
      if (result == "acceptable") {
        if (!wrapped.ok() && IsGenericFailure(unwrapped)) {
          ++tally.acceptable_refused;
        } else if (wraps_to_ct && unwraps_to_msg) {
          ++tally.acceptable_accepted;
        } else {
          ADD_FAILURE() << file << " tcId " << id << " (acceptable): inconsistent outcome";
          ++tally.failed;
        }
        continue;
      }
      bool ok_case = false;
      if (result == "valid") {
        ok_case = wraps_to_ct && unwraps_to_msg;
      } else {
        ok_case = IsGenericFailure(unwrapped) && !wraps_to_ct;
      }
      EXPECT_TRUE(ok_case) << file << " tcId " << id << " (" << result << ")";
      ok_case ? ++tally.passed : ++tally.failed;
    }
  }
  tally.Print(file);
  EXPECT_EQ(total, doc.at("numberOfTests").get<int>());
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.passed, expected.passed);
  EXPECT_EQ(tally.refused_by_design, expected.refused_by_design);
  EXPECT_EQ(tally.acceptable_refused, expected.acceptable_refused);
  EXPECT_EQ(tally.acceptable_accepted, 0);
  EXPECT_EQ(tally.passed + tally.refused_by_design + tally.acceptable_refused, total);
}

// aes_wrap_test.json: 165 cases; 68 with a 256-bit KEK (13 valid, 54
// invalid, 1 acceptable), 97 with 128- or 192-bit KEKs.
TEST(Wycheproof, AesKeyWrap) {
  RunKeyWrapFile("aes_wrap_test.json", KeyWrapMode::kKw,
                 {.passed = 67, .refused_by_design = 97, .acceptable_refused = 1});
}

// aes_kwp_test.json: 254 cases; 94 with a 256-bit KEK (25 valid, 69
// invalid), 160 with 128- or 192-bit KEKs.
TEST(Wycheproof, AesKeyWrapPadded) {
  RunKeyWrapFile("aes_kwp_test.json", KeyWrapMode::kKwp,
                 {.passed = 94, .refused_by_design = 160, .acceptable_refused = 0});
}

// RunRsaOaepFile runs one RSAES-OAEP (SHA-256, MGF1-SHA-256) file. The key
// is loaded from the group's `privateKeyPkcs8` (hex DER) through
// RsaPrivateKey::FromPkcs8Der; each test's `label` is passed. A `valid`
// case must decrypt to msg, and msg must also survive Encrypt under the
// key's public half (from PublicKeyPem) and Decrypt; an `invalid` case must
// be refused with the one generic error. The files have no `acceptable`
// cases and nothing is refused by design: all 37 of each must pass.
void RunRsaOaepFile(const char* file, int key_bits) {
  const nlohmann::json doc = Load(file);
  Tally tally;
  int total = 0;
  int valid = 0;
  for (const auto& group : doc.at("testGroups")) {
    ASSERT_EQ(group.at("sha").get<std::string>(), "SHA-256");
    ASSERT_EQ(group.at("mgf").get<std::string>(), "MGF1");
    ASSERT_EQ(group.at("mgfSha").get<std::string>(), "SHA-256");
    ASSERT_EQ(group.at("keySize").get<int>(), key_bits);
    auto der = SecretBytes::CopyFrom(FromHex(group.at("privateKeyPkcs8").get<std::string>()));
    ASSERT_TRUE(der.ok());
    auto loaded = RsaPrivateKey::FromPkcs8Der(*der);
    ASSERT_TRUE(loaded.ok()) << file << ": " << loaded.error().message;
    const RsaPrivateKey& key = **loaded;
    ASSERT_EQ(key.Bits(), key_bits);
    auto pem = key.PublicKeyPem();
    ASSERT_TRUE(pem.ok());
    auto public_key = RsaPublicKey::FromPem(*pem);
    ASSERT_TRUE(public_key.ok()) << public_key.error().message;
    for (const auto& t : group.at("tests")) {
      ++total;
      const int id = t.at("tcId");
      const std::string result = t.at("result");
      const auto msg = FromHex(t.at("msg").get<std::string>());
      const auto ct = FromHex(t.at("ct").get<std::string>());
      const auto label = FromHex(t.at("label").get<std::string>());
      const auto plain = key.Decrypt(ct, label);
      bool ok_case = false;
      if (result == "valid") {
        ++valid;
        ok_case = plain.ok() && ToHex(plain->Reveal(SecretAccess::Get())) == ToHex(msg);
        const auto sealed = (*public_key)->Encrypt(msg, label);
        const auto reopened =
            sealed.ok() ? key.Decrypt(*sealed, label) : MakeError(ErrorCode::kInternal);
        ok_case =
            ok_case && reopened.ok() && ToHex(reopened->Reveal(SecretAccess::Get())) == ToHex(msg);
      } else {
        ok_case = result == "invalid" && IsGenericFailure(plain);
      }
      EXPECT_TRUE(ok_case) << file << " tcId " << id << " (" << result << ")";
      ok_case ? ++tally.passed : ++tally.failed;
    }
  }
  tally.Print(file);
  EXPECT_EQ(total, doc.at("numberOfTests").get<int>());
  EXPECT_EQ(total, 37);
  EXPECT_EQ(valid, 18);
  EXPECT_EQ(tally.failed, 0);
  EXPECT_EQ(tally.passed, total);
}

TEST(Wycheproof, RsaOaep2048Sha256) {
  RunRsaOaepFile("rsa_oaep_2048_sha256_mgf1sha256_test.json", 2048);
}

TEST(Wycheproof, RsaOaep3072Sha256) {
  RunRsaOaepFile("rsa_oaep_3072_sha256_mgf1sha256_test.json", 3072);
}

TEST(Wycheproof, RsaOaep4096Sha256) {
  RunRsaOaepFile("rsa_oaep_4096_sha256_mgf1sha256_test.json", 4096);
}

}  // namespace
}  // namespace keyhold::crypto
