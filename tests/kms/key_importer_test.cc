// Tests for kms/byok/key_importer.h and the keyring's import and export:
// known material imported through both wrapping algorithms opens blobs that
// Keyhold wraps (a known answer, checked with the primitives directly);
// tokens serve one attempt, expire, and belong to one key; re-import takes
// the same material only; a new import is a new primary version; external
// keys never rotate inside Keyhold; expired material neither wraps nor
// unwraps until imported again, across a restart; and only a key created
// exportable gives its material back.
#include "kms/byok/key_importer.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "crypto/committed_key.h"
#include "crypto/key_transport.h"
#include "crypto/rsa_oaep.h"
#include "crypto/wrapped_blob.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using crypto::SecretAccess;
using crypto::SecretBytes;
using crypto::WrappingAlgorithm;

SecretBytes Material(std::uint8_t fill) {
  return SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, fill)).value();
}

std::vector<std::uint8_t> Bytes(const SecretBytes& s) {
  const auto v = s.Reveal(SecretAccess::Get());
  return {v.begin(), v.end()};
}

class KeyImporterTest : public ServiceTest {
 protected:
  void SetUp() override { InitAndUnseal(); }

  std::shared_ptr<KeyImporter> importer() { return service_->importer().value(); }

  // Wrap asks for parameters for `key` and wraps `material` under them.
  ImportCall Wrapped(const crypto::KeyId& key, const SecretBytes& material,
                     WrappingAlgorithm algorithm = WrappingAlgorithm::kRsaAesKeyWrapSha256,
                     std::int64_t lifetime = 86400) {
    auto params = importer()->NewParams(key, 3072, lifetime);
    EXPECT_TRUE(params.ok()) << params.error().message;
    auto rsa = crypto::RsaPublicKey::FromPem(params->public_key_pem);
    EXPECT_TRUE(rsa.ok());
    auto wrapped = crypto::WrapKeyMaterial(**rsa, algorithm, material);
    EXPECT_TRUE(wrapped.ok());
    return ImportCall{params->token, algorithm, std::move(wrapped).value(), {}};
  }

  const crypto::KeyId byok_ = Id("acme/byok");
  const crypto::EncryptionContext ctx_ = Ctx({{"purpose", "byok"}});
};

TEST_F(KeyImporterTest, ImportedMaterialIsWhatWrapsBothAlgorithms) {
  for (auto algorithm :
       {WrappingAlgorithm::kRsaAesKeyWrapSha256, WrappingAlgorithm::kRsaesOaepSha256}) {
    const crypto::KeyId id =
        algorithm == WrappingAlgorithm::kRsaesOaepSha256 ? Id("acme/oaep") : byok_;
    const SecretBytes material = Material(0x5A);
    auto done = importer()->Import(id, Wrapped(id, material, algorithm));
    ASSERT_TRUE(done.ok()) << done.error().message;
    EXPECT_TRUE(done->created);
    EXPECT_EQ(done->version, 1u);
    auto key = keyring().GetKey(id);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->record.origin, KeyOrigin::kExternal);
    EXPECT_EQ(key->record.rotation_period_s, 0u);
    EXPECT_FALSE(key->record.exportable);
    // Known answer: a blob Keyhold wraps opens under the material we hold,
    // with nothing but the primitives.
    auto blob = keyring().Wrap(id, Bytes(Material(0x01)), ctx_);
    ASSERT_TRUE(blob.ok());
    auto ours = crypto::CommittedKey::Derive(material).value();
    auto parsed = crypto::ParseBlob(blob->ciphertext).value();
    auto opened = crypto::OpenBlob(*ours, parsed, ctx_);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(Bytes(*opened), Bytes(Material(0x01)));
  }
}

TEST_F(KeyImporterTest, ATokenServesOneAttemptEvenAFailedOne) {
  ImportCall call = Wrapped(byok_, Material(0x22));
  ImportCall damaged = call;
  damaged.wrapped[10] ^= 0x01;
  auto first = importer()->Import(byok_, damaged);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kInvalidCiphertext);
  // The same token, now with good bytes: gone.
  auto second = importer()->Import(byok_, call);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(second.error().message.find("no such import token"), std::string::npos);
  EXPECT_EQ(keyring().GetKey(byok_).error().code, ErrorCode::kKeyNotFound);
}

TEST_F(KeyImporterTest, AnExpiredTokenIsRefused) {
  ImportCall call = Wrapped(byok_, Material(0x23), WrappingAlgorithm::kRsaAesKeyWrapSha256, 60);
  clock_.Advance(60);
  auto r = importer()->Import(byok_, call);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(r.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(keyring().GetKey(byok_).ok());
}

TEST_F(KeyImporterTest, ATokenForAnotherKeyIsRefusedAndKept) {
  ImportCall call = Wrapped(byok_, Material(0x24));
  auto elsewhere = importer()->Import(Id("acme/other"), call);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(elsewhere.error().message.find("another key"), std::string::npos);
  EXPECT_TRUE(importer()->Import(byok_, call).ok());
}

TEST_F(KeyImporterTest, UnknownAndMalformedTokensAreRefused) {
  ImportCall call = Wrapped(byok_, Material(0x25));
  for (const char* token : {"", "5f0c8a1e9b7d4c3a2f1e0d9c8b7a6f5e", "not-hex", "../../../etc"}) {
    ImportCall bad = call;
    bad.token = token;
    auto r = importer()->Import(byok_, bad);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest) << token;
  }
}

TEST_F(KeyImporterTest, ParamsRefuseOddSizesAndLifetimes) {
  EXPECT_FALSE(importer()->NewParams(byok_, 2048, 86400).ok());
  EXPECT_FALSE(importer()->NewParams(byok_, 3072, 59).ok());
  EXPECT_FALSE(importer()->NewParams(byok_, 3072, 86401).ok());
}

TEST_F(KeyImporterTest, ReimportTakesTheSameMaterialOnlyAndNewImportsAreNewVersions) {
  ASSERT_TRUE(importer()->Import(byok_, Wrapped(byok_, Material(0x31))).ok());
  // Other material into version 1: a commitment mismatch.
  ImportCall other = Wrapped(byok_, Material(0x32));
  other.options.version = 1;
  auto mismatch = importer()->Import(byok_, other);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(mismatch.error().message.find("commitment mismatch"), std::string::npos);
  // The same material into version 1: accepted, nothing new.
  ImportCall same = Wrapped(byok_, Material(0x31));
  same.options.version = 1;
  auto again = importer()->Import(byok_, same);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->version, 1u);
  // A version it does not have.
  ImportCall missing = Wrapped(byok_, Material(0x31));
  missing.options.version = 7;
  EXPECT_EQ(importer()->Import(byok_, missing).error().code, ErrorCode::kNotFound);
  // Without a version: version 2, the new primary.
  auto next = importer()->Import(byok_, Wrapped(byok_, Material(0x33)));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->version, 2u);
  EXPECT_FALSE(next->created);
  EXPECT_EQ(keyring().GetKey(byok_)->record.primary_version, 2u);
  // An external key rotates only by import.
  auto rotated = keyring().Rotate(byok_);
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().code, ErrorCode::kInvalidKeyState);
}

TEST_F(KeyImporterTest, AGeneratedKeyTakesNoImportedMaterial) {
  ASSERT_TRUE(keyring().CreateKey(byok_, {}).ok());
  auto r = importer()->Import(byok_, Wrapped(byok_, Material(0x41)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidKeyState);
}

TEST_F(KeyImporterTest, ExpiredMaterialIsUnusableUntilImportedAgainAcrossARestart) {
  const SecretBytes material = Material(0x51);
  ImportCall call = Wrapped(byok_, material);
  call.options.material_expires_at = clock_.NowSeconds() + 100;
  ASSERT_TRUE(importer()->Import(byok_, call).ok());
  auto blob = keyring().Wrap(byok_, Bytes(Material(2)), ctx_);
  ASSERT_TRUE(blob.ok());
  clock_.Advance(100);
  EXPECT_EQ(keyring().Wrap(byok_, Bytes(Material(2)), ctx_).error().code,
            ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().Unwrap(byok_, blob->ciphertext, ctx_).error().code,
            ErrorCode::kInvalidKeyState);
  EXPECT_EQ(keyring().GetKey(byok_)->versions[0].material_expires_at, clock_.NowSeconds());
  // An expiry in the past is refused.
  ImportCall past = Wrapped(byok_, material);
  past.options.version = 1;
  past.options.material_expires_at = clock_.NowSeconds() - 1;
  EXPECT_EQ(importer()->Import(byok_, past).error().code, ErrorCode::kInvalidRequest);
  // The same material again, with no expiry: usable again, and still after
  // a restart.
  ImportCall renewed = Wrapped(byok_, material);
  renewed.options.version = 1;
  ASSERT_TRUE(importer()->Import(byok_, renewed).ok());
  EXPECT_TRUE(keyring().Unwrap(byok_, blob->ciphertext, ctx_).ok());
  Reopen();
  EXPECT_TRUE(keyring().Unwrap(byok_, blob->ciphertext, ctx_).ok());
  EXPECT_EQ(keyring().GetKey(byok_)->versions[0].material_expires_at, 0);
}

TEST_F(KeyImporterTest, AnExpiryIsKeptAcrossARestart) {
  ImportCall call = Wrapped(byok_, Material(0x52));
  call.options.material_expires_at = clock_.NowSeconds() + 100;
  ASSERT_TRUE(importer()->Import(byok_, call).ok());
  Reopen();
  EXPECT_TRUE(keyring().Wrap(byok_, Bytes(Material(2)), ctx_).ok());
  clock_.Advance(100);
  EXPECT_EQ(keyring().Wrap(byok_, Bytes(Material(2)), ctx_).error().code,
            ErrorCode::kInvalidKeyState);
}

TEST_F(KeyImporterTest, OnlyAnExportableKeyGivesItsMaterialBack) {
  const SecretBytes material = Material(0x61);
  ASSERT_TRUE(importer()->Import(byok_, Wrapped(byok_, material)).ok());
  auto refused = keyring().ExportMaterial(byok_, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidKeyState);
  // Exportable cannot be added later.
  ImportCall late = Wrapped(byok_, material);
  late.options.exportable = true;
  EXPECT_EQ(importer()->Import(byok_, late).error().code, ErrorCode::kInvalidRequest);

  const crypto::KeyId exportable = Id("acme/exportable");
  ImportCall call = Wrapped(exportable, material);
  call.options.exportable = true;
  ASSERT_TRUE(importer()->Import(exportable, call).ok());
  auto exported = keyring().ExportMaterial(exportable, std::nullopt);
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  EXPECT_EQ(exported->version, 1u);
  EXPECT_EQ(Bytes(exported->material), Bytes(material));
  EXPECT_EQ(keyring().ExportMaterial(exportable, 2).error().code, ErrorCode::kNotFound);

  // A generated key created exportable: what it exports is what it wraps with.
  const crypto::KeyId made = Id("acme/made");
  ASSERT_TRUE(keyring().CreateKey(made, {.exportable = true}).ok());
  auto blob = keyring().Wrap(made, Bytes(Material(3)), ctx_);
  auto out = keyring().ExportMaterial(made, 1);
  ASSERT_TRUE(blob.ok() && out.ok());
  auto derived = crypto::CommittedKey::Derive(out->material).value();
  auto opened = crypto::OpenBlob(*derived, crypto::ParseBlob(blob->ciphertext).value(), ctx_);
  ASSERT_TRUE(opened.ok());
  // Nothing is exported from a key pending deletion.
  ASSERT_TRUE(keyring().ScheduleDeletion(made, 30).ok());
  EXPECT_EQ(keyring().ExportMaterial(made, 1).error().code, ErrorCode::kInvalidKeyState);
}

}  // namespace
}  // namespace keyhold::kms
