// Runs every case of Wycheproof's aes_gcm_test.json and hkdf_sha256_test.json
// (../shared/vectors/wycheproof/) and prints, per file, how many passed,
// failed and were refused by design. Refusals by design are counted as
// correct only when the case is `invalid` or the refusal is documented in
// docs/formats.md ("What the AEAD refuses"): Keyhold's AEAD is AES-256 only,
// with 96-bit nonces and 128-bit tags only.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/aes_gcm.h"
#include "crypto/hkdf.h"
#include "crypto/internal/aes_gcm_raw.h"
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
  void Print(const char* file) const {
    std::cout << "[wycheproof] " << file << ": passed " << passed << ", failed " << failed
              << ", refused by design " << refused_by_design << "\n";
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

}  // namespace
}  // namespace keyhold::crypto
