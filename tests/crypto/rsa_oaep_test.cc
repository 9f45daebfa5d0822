// Tests for crypto/rsa_oaep.h: Generate (3072 and 4096 only), PKCS#8 and
// PEM encodings and what FromPkcs8Der refuses, OAEP round trips with and
// without a label, the plaintext limit k - 66, Decrypt's one generic error
// for every bad ciphertext, and a table of hostile inputs for
// RsaPublicKey::FromPem (each refused with kInvalidRequest and a message
// that quotes none of the input), and RsaPublicKey::Sha256. The hostile
// keys are made here with OpenSSL's API. (Wycheproof's OAEP files run in wycheproof_test.cc.)
#include "crypto/rsa_oaep.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/base64.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"
#include "tests/crypto/rsa_test_keys.h"
#include "tests/testlib/hex.h"

namespace keyhold::crypto {
namespace {

using keyhold::crypto::testing::RsaKey3072;
using keyhold::crypto::testing::RsaKey4096;
using keyhold::testing::Bytes;
using keyhold::testing::ToHex;

// ---------------------------------------------------------------------------
// OpenSSL helpers, to make keys the public API refuses.

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string PublicPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
  return BioText(bio.get());
}

std::string PrivatePem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return BioText(bio.get());
}

// PemOf wraps DER in a PEM block of `type`, 64 columns.
std::string PemOf(const std::string& type, const std::vector<std::uint8_t>& der) {
  const std::string b64 = Base64Encode(der);
  std::string pem = "-----BEGIN " + type + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64) + "\n";
  }
  return pem + "-----END " + type + "-----\n";
}

std::vector<std::uint8_t> SpkiDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  EXPECT_GT(len, 0);
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

SecretBytes EncodePrivate(EVP_PKEY* key, const char* structure) {
  OSSL_ENCODER_CTX* ctx =
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "DER", structure, nullptr);
  unsigned char* der = nullptr;
  std::size_t len = 0;
  EXPECT_EQ(OSSL_ENCODER_to_data(ctx, &der, &len), 1) << structure;
  OSSL_ENCODER_CTX_free(ctx);
  SecretBytes out = SecretBytes::CopyFrom({der, len}).value();
  OPENSSL_clear_free(der, len);
  return out;
}

Pkey Keygen(const char* type, const char* curve) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve));
}

Pkey RsaKeygen(std::size_t bits) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

Pkey ParsePrivate(const SecretBytes& der) {
  const auto bytes = der.Reveal(SecretAccess::Get());
  const unsigned char* p = bytes.data();
  return Pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(bytes.size())));
}

Pkey ParsePublicPem(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

Bn GetBn(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  return Bn(bn);
}

// FromData builds a key of `type` ("RSA", "RSA-PSS") from `params` with
// `selection`, with no validation at all.
Pkey FromData(const char* type, OSSL_PARAM* params, int selection) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx, &key, selection, params), 1) << type;
  EVP_PKEY_CTX_free(ctx);
  return Pkey(key);
}

// RsaPublic builds an RSA public key (n, e) of `type`, unchecked.
Pkey RsaPublic(const BIGNUM* n, const BIGNUM* e, const char* type = "RSA") {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EXPECT_EQ(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
  EXPECT_EQ(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  Pkey key = FromData(type, params, EVP_PKEY_PUBLIC_KEY);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

// AsType re-labels a whole RSA key pair as `type` (for RSA-PSS).
Pkey AsType(EVP_PKEY* key, const char* type) {
  OSSL_PARAM* params = nullptr;
  EXPECT_EQ(EVP_PKEY_todata(key, EVP_PKEY_KEYPAIR, &params), 1);
  Pkey out = FromData(type, params, EVP_PKEY_KEYPAIR);
  OSSL_PARAM_free(params);  // test keys only
  return out;
}

Bn Word(unsigned long w) {
  Bn bn(BN_new());
  EXPECT_EQ(BN_set_word(bn.get(), w), 1);
  return bn;
}

// ---------------------------------------------------------------------------

std::vector<std::uint8_t> Reveal(const SecretBytes& s) {
  const auto view = s.Reveal(SecretAccess::Get());
  return {view.begin(), view.end()};
}

SecretBytes Secret(const std::vector<std::uint8_t>& bytes) {
  return SecretBytes::CopyFrom(bytes).value();
}

std::vector<std::uint8_t> Pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + 13 * i);
  }
  return v;
}

std::unique_ptr<RsaPublicKey> PublicOf(const RsaPrivateKey& key) {
  auto pem = key.PublicKeyPem();
  EXPECT_TRUE(pem.ok());
  auto pub = RsaPublicKey::FromPem(*pem);
  EXPECT_TRUE(pub.ok()) << pub.error().message;
  return std::move(pub).value();
}

void ExpectGenericFailure(const Result<SecretBytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": decrypted " << ToHex(Reveal(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidCiphertext) << what;
  EXPECT_EQ(r.error().message, Info(ErrorCode::kInvalidCiphertext).safe_text) << what;
}

// The 3072-bit key's public half, as an OpenSSL key.
Pkey Public3072() {
  return ParsePublicPem(RsaKey3072().PublicKeyPem().value());
}

// ---------------------------------------------------------------------------
// RsaPrivateKey

TEST(RsaPrivateKeyTest, GenerateRefusesOtherSizes) {
  for (int bits : {-1, 0, 512, 1024, 2048, 3071, 3073, 4095, 6144, 8192}) {
    auto key = RsaPrivateKey::Generate(bits);
    ASSERT_FALSE(key.ok()) << bits;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidRequest) << bits;
  }
}

TEST(RsaPrivateKeyTest, Generate3072) {
  const RsaPrivateKey& key = RsaKey3072();
  EXPECT_EQ(key.Bits(), 3072);
  EXPECT_EQ(key.ModulusBytes(), 384u);
  const Pkey pub = Public3072();
  ASSERT_TRUE(pub);
  EXPECT_EQ(BN_get_word(GetBn(pub.get(), OSSL_PKEY_PARAM_RSA_E).get()), 65537u);
}

// The only test that uses (and so generates) the 4096-bit key.
TEST(RsaPrivateKeyTest, Generate4096RoundTrips) {
  const RsaPrivateKey& key = RsaKey4096();
  EXPECT_EQ(key.Bits(), 4096);
  EXPECT_EQ(key.ModulusBytes(), 512u);
  const auto pub = PublicOf(key);
  EXPECT_EQ(pub->Bits(), 4096);
  EXPECT_EQ(pub->ModulusBytes(), 512u);
  const auto message = Pattern(512 - kRsaOaepOverhead, 1);
  auto sealed = pub->Encrypt(message);
  ASSERT_TRUE(sealed.ok());
  auto opened = key.Decrypt(*sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), message);
  auto der = key.ToPkcs8Der();
  ASSERT_TRUE(der.ok());
  auto again = RsaPrivateKey::FromPkcs8Der(*der);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->Bits(), 4096);
}

TEST(RsaPrivateKeyTest, PublicKeyPemIsOneSpkiBlock) {
  auto pem = RsaKey3072().PublicKeyPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_TRUE(pem->starts_with("-----BEGIN PUBLIC KEY-----\n")) << *pem;
  EXPECT_TRUE(pem->ends_with("-----END PUBLIC KEY-----\n")) << *pem;
  EXPECT_EQ(std::count(pem->begin(), pem->end(), '-'), 2 * 5 * 2);
  const Pkey parsed = ParsePublicPem(*pem);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(EVP_PKEY_is_a(parsed.get(), "RSA"), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(parsed.get()), 3072);
}

TEST(RsaPrivateKeyTest, Pkcs8RoundTrip) {
  const RsaPrivateKey& key = RsaKey3072();
  auto der = key.ToPkcs8Der();
  ASSERT_TRUE(der.ok());
  // A PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier { rsaEncryption ...
  const auto bytes = Reveal(*der);
  ASSERT_GT(bytes.size(), 26u);
  EXPECT_EQ(ToHex(std::span(bytes).subspan(4, 18)), "020100300d06092a864886f70d0101010500");
  auto again = RsaPrivateKey::FromPkcs8Der(*der);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->Bits(), 3072);
  EXPECT_EQ((*again)->ModulusBytes(), 384u);
  auto der_again = (*again)->ToPkcs8Der();
  ASSERT_TRUE(der_again.ok());
  EXPECT_TRUE(ConstantTimeEquals(*der, *der_again));
  EXPECT_EQ((*again)->PublicKeyPem().value(), key.PublicKeyPem().value());
  // A ciphertext for one opens under the other.
  const auto message = Pattern(32, 7);
  auto sealed = PublicOf(key)->Encrypt(message);
  ASSERT_TRUE(sealed.ok());
  auto opened = (*again)->Decrypt(*sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), message);
}

TEST(RsaPrivateKeyTest, FromPkcs8DerAccepts2048Bits) {
  const Pkey key = RsaKeygen(2048);
  ASSERT_TRUE(key);
  auto parsed = RsaPrivateKey::FromPkcs8Der(EncodePrivate(key.get(), "PrivateKeyInfo"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ((*parsed)->Bits(), 2048);
  EXPECT_EQ((*parsed)->ModulusBytes(), 256u);
}

TEST(RsaPrivateKeyTest, FromPkcs8DerRefuses) {
  const SecretBytes good = RsaKey3072().ToPkcs8Der().value();
  const auto good_bytes = Reveal(good);
  std::vector<std::pair<std::string, SecretBytes>> cases;
  cases.emplace_back("empty", SecretBytes());
  cases.emplace_back("garbage", Secret(Bytes("not a key at all")));
  auto trailing = good_bytes;
  trailing.push_back(0);
  cases.emplace_back("a trailing byte", Secret(trailing));
  cases.emplace_back("truncated",
                     Secret(std::vector<std::uint8_t>(good_bytes.begin(), good_bytes.end() - 1)));
  auto altered = good_bytes;
  altered[0] = 0x31;  // SET instead of SEQUENCE
  cases.emplace_back("wrong outer tag", Secret(altered));
  {
    const Pkey rsa = ParsePrivate(good);
    ASSERT_TRUE(rsa);
    // The same key as PKCS#1 RSAPrivateKey, not PKCS#8.
    cases.emplace_back("PKCS#1 RSAPrivateKey", EncodePrivate(rsa.get(), "type-specific"));
    // The same key as an RSASSA-PSS key.
    const Pkey pss = AsType(rsa.get(), "RSA-PSS");
    ASSERT_TRUE(pss);
    cases.emplace_back("an RSA-PSS key", EncodePrivate(pss.get(), "PrivateKeyInfo"));
  }
  const Pkey ec = Keygen("EC", "P-256");
  ASSERT_TRUE(ec);
  cases.emplace_back("an EC key", EncodePrivate(ec.get(), "PrivateKeyInfo"));
  const Pkey small = RsaKeygen(1024);
  ASSERT_TRUE(small);
  cases.emplace_back("a 1024-bit RSA key", EncodePrivate(small.get(), "PrivateKeyInfo"));
  for (const auto& [name, der] : cases) {
    auto key = RsaPrivateKey::FromPkcs8Der(der);
    EXPECT_FALSE(key.ok()) << name;
    if (!key.ok()) {
      EXPECT_EQ(key.error().code, ErrorCode::kInvalidRequest) << name;
    }
  }
}

TEST(RsaPrivateKeyTest, DecryptRefusesEveryBadCiphertextAlike) {
  const RsaPrivateKey& key = RsaKey3072();
  const auto pub = PublicOf(key);
  const auto message = Pattern(32, 3);
  const auto label = Bytes("label");
  const auto sealed = pub->Encrypt(message, label).value();
  ASSERT_EQ(sealed.size(), 384u);
  ExpectGenericFailure(key.Decrypt({}), "empty");
  ExpectGenericFailure(key.Decrypt(std::span(sealed).first(383), label), "one byte short");
  auto longer = sealed;
  longer.push_back(0);
  ExpectGenericFailure(key.Decrypt(longer, label), "one byte long");
  auto prefixed = sealed;
  prefixed.insert(prefixed.begin(), 0);
  ExpectGenericFailure(key.Decrypt(prefixed, label), "a zero byte in front");
  ExpectGenericFailure(key.Decrypt(std::vector<std::uint8_t>(384, 0xff), label), "c >= n");
  ExpectGenericFailure(key.Decrypt(std::vector<std::uint8_t>(384, 0), label), "c = 0");
  ExpectGenericFailure(key.Decrypt(sealed), "label missing");
  ExpectGenericFailure(key.Decrypt(sealed, Bytes("labem")), "wrong label");
  auto flipped = sealed;
  flipped[200] ^= 0x10;
  ExpectGenericFailure(key.Decrypt(flipped, label), "a flipped bit");
  // A valid OAEP encryption under the other key's modulus size.
  ExpectGenericFailure(key.Decrypt(std::vector<std::uint8_t>(256, 1), label), "2048-bit size");
  // And the untouched ciphertext still opens.
  auto opened = key.Decrypt(sealed, label);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Reveal(*opened), message);
}

// ---------------------------------------------------------------------------
// RsaPublicKey::Encrypt

TEST(RsaPublicKeyTest, EncryptRoundTripsUpToTheLimit) {
  const RsaPrivateKey& key = RsaKey3072();
  const auto pub = PublicOf(key);
  EXPECT_EQ(pub->Bits(), 3072);
  EXPECT_EQ(pub->ModulusBytes(), 384u);
  const std::size_t max = 384 - kRsaOaepOverhead;
  EXPECT_EQ(max, 318u);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{32}, max}) {
    for (const auto& label : {std::vector<std::uint8_t>{}, Bytes("context"), Pattern(300, 4)}) {
      const auto message = Pattern(size, static_cast<std::uint8_t>(size));
      auto sealed = pub->Encrypt(message, label);
      ASSERT_TRUE(sealed.ok()) << size;
      EXPECT_EQ(sealed->size(), 384u);
      auto opened = key.Decrypt(*sealed, label);
      ASSERT_TRUE(opened.ok()) << size;
      EXPECT_EQ(Reveal(*opened), message) << size;
    }
  }
  auto too_long = pub->Encrypt(Pattern(max + 1, 0));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidRequest);
}

TEST(RsaPublicKeyTest, EncryptIsRandomised) {
  const auto pub = PublicOf(RsaKey3072());
  const auto message = Pattern(32, 5);
  EXPECT_NE(pub->Encrypt(message).value(), pub->Encrypt(message).value());
}

TEST(RsaPublicKeyTest, Sha256IsTheSpkiDigest) {
  const std::string pem = RsaKey3072().PublicKeyPem().value();
  const Pkey openssl_key = ParsePublicPem(pem);
  const Sha256Digest expected = crypto::Sha256({SpkiDer(openssl_key.get())});
  std::string crlf;
  for (char c : pem) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  }
  for (const std::string& text : {pem, crlf, "\n " + pem}) {
    auto key = RsaPublicKey::FromPem(text);
    ASSERT_TRUE(key.ok());
    auto digest = (*key)->Sha256();
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(ToHex(*digest), ToHex(expected));
  }
  const Pkey other = RsaKeygen(2048);
  auto other_key = RsaPublicKey::FromPem(PublicPem(other.get()));
  ASSERT_TRUE(other_key.ok());
  EXPECT_NE(ToHex((*other_key)->Sha256().value()), ToHex(expected));
}

// ---------------------------------------------------------------------------
// RsaPublicKey::FromPem

TEST(RsaPublicKeyFromPemTest, AcceptsWhitespaceAroundAndCrlf) {
  const std::string pem = RsaKey3072().PublicKeyPem().value();
  std::string crlf;
  for (char c : pem) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  }
  std::string no_final_newline = pem;
  no_final_newline.pop_back();
  for (const std::string& text :
       {pem, "\n\n  \t" + pem + "\n\n  \n", crlf, no_final_newline, " \r\n" + crlf + "\r\n"}) {
    auto key = RsaPublicKey::FromPem(text);
    ASSERT_TRUE(key.ok()) << key.error().message << "\n" << text;
    EXPECT_EQ((*key)->Bits(), 3072);
  }
}

TEST(RsaPublicKeyFromPemTest, Accepts2048BitsAndALargeExponent) {
  const Pkey rsa2048 = RsaKeygen(2048);
  ASSERT_TRUE(rsa2048);
  auto key = RsaPublicKey::FromPem(PublicPem(rsa2048.get()));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->Bits(), 2048);
  EXPECT_EQ((*key)->ModulusBytes(), 256u);
  // e = 2^255 + 1: odd, 256 bits, the top of SP 800-56B's range.
  const Pkey pub = Public3072();
  const Bn n = GetBn(pub.get(), OSSL_PKEY_PARAM_RSA_N);
  Bn e(BN_new());
  ASSERT_EQ(BN_set_bit(e.get(), 255), 1);
  ASSERT_EQ(BN_set_bit(e.get(), 0), 1);
  const Pkey big_e = RsaPublic(n.get(), e.get());
  auto parsed = RsaPublicKey::FromPem(PublicPem(big_e.get()));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
}

struct Hostile {
  std::string name;
  std::string pem;
  std::string why;  // a word the error message must contain
};

std::vector<Hostile> HostileInputs() {
  std::vector<Hostile> cases;
  const std::string good = RsaKey3072().PublicKeyPem().value();
  const Pkey pub = Public3072();
  const Bn n = GetBn(pub.get(), OSSL_PKEY_PARAM_RSA_N);
  const std::string begin = "-----BEGIN PUBLIC KEY-----\n";
  const std::string end = "-----END PUBLIC KEY-----\n";

  cases.push_back({"empty", "", "empty"});
  cases.push_back({"whitespace only", " \n\t\r\n", "empty"});
  cases.push_back({"garbage", "this is not a key, it is garbage text", "PUBLIC KEY"});
  cases.push_back({"binary", std::string("\x30\x82\x01\x22\x00\xff", 6), "PUBLIC KEY"});
  cases.push_back({"DER without PEM", Base64Encode(SpkiDer(pub.get())), "PUBLIC KEY"});
  cases.push_back({"junk before the block", "garbage-line\n" + good, "PUBLIC KEY"});
  cases.push_back({"BEGIN line only", begin, "malformed"});
  cases.push_back({"no END line", good.substr(0, good.size() - end.size()), "malformed"});
  cases.push_back({"END of another type",
                   good.substr(0, good.size() - end.size()) + "-----END PRIVATE KEY-----\n",
                   "malformed"});
  cases.push_back({"not base64", begin + "!!!! not base64 ????\n" + end, "malformed"});
  cases.push_back({"empty body", begin + end, "malformed"});
  cases.push_back({"two PEM blocks", good + good, "single"});
  cases.push_back({"trailing junk", good + "trailing-junk\n", "single"});
  cases.push_back({"trailing NUL", good + std::string(1, '\0'), "single"});
  {
    std::string with_headers = begin + "Proc-Type: 4,ENCRYPTED\n" +
                               "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n" +
                               good.substr(begin.size());
    cases.push_back({"PEM headers", with_headers, "headers"});
  }
  cases.push_back(
      {"PKCS#1 RSA PUBLIC KEY", PemOf("RSA PUBLIC KEY", SpkiDer(pub.get())), "PUBLIC KEY"});
  {
    auto der = SpkiDer(pub.get());
    der.push_back(0);
    cases.push_back({"DER with a trailing byte", PemOf("PUBLIC KEY", der), "SubjectPublicKeyInfo"});
    der.resize(der.size() - 20);
    cases.push_back({"truncated DER", PemOf("PUBLIC KEY", der), "SubjectPublicKeyInfo"});
    cases.push_back(
        {"random DER", PemOf("PUBLIC KEY", Pattern(300, 0x30)), "SubjectPublicKeyInfo"});
  }
  {
    const Pkey rsa = ParsePrivate(RsaKey3072().ToPkcs8Der().value());
    cases.push_back({"a private key PEM", PrivatePem(rsa.get()), "PUBLIC KEY"});
    const Pkey pss = AsType(rsa.get(), "RSA-PSS");
    cases.push_back({"an RSA-PSS key", PublicPem(pss.get()), "rsaEncryption"});
  }
  const Pkey ec = Keygen("EC", "P-256");
  cases.push_back({"an EC P-256 key", PublicPem(ec.get()), "rsaEncryption"});
  const Pkey ed = Keygen("ED25519", nullptr);
  cases.push_back({"an Ed25519 key", PublicPem(ed.get()), "rsaEncryption"});
  const Pkey small = RsaKeygen(1024);
  cases.push_back({"a 1024-bit RSA key", PublicPem(small.get()), "modulus"});
  {
    Bn n2047(BN_dup(n.get()));
    EXPECT_EQ(BN_rshift(n2047.get(), n.get(), 1025), 1);  // 2047 bits
    BN_set_bit(n2047.get(), 0);
    cases.push_back({"a 2047-bit modulus",
                     PublicPem(RsaPublic(n2047.get(), Word(65537).get()).get()), "modulus"});
    Bn n8200(BN_new());
    EXPECT_EQ(BN_rand(n8200.get(), 8200, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD), 1);
    cases.push_back({"an 8200-bit modulus",
                     PublicPem(RsaPublic(n8200.get(), Word(65537).get()).get()), "modulus"});
  }
  cases.push_back({"e = 3", PublicPem(RsaPublic(n.get(), Word(3).get()).get()), "exponent"});
  cases.push_back({"e = 1", PublicPem(RsaPublic(n.get(), Word(1).get()).get()), "exponent"});
  {
    Bn e(BN_new());
    BN_set_bit(e.get(), 256);
    BN_set_bit(e.get(), 0);
    cases.push_back({"e = 2^256 + 1", PublicPem(RsaPublic(n.get(), e.get()).get()), "exponent"});
  }
  cases.push_back(
      {"an even e", PublicPem(RsaPublic(n.get(), Word(65538).get()).get()), "validation"});
  {
    Bn even(BN_dup(n.get()));
    BN_clear_bit(even.get(), 0);
    cases.push_back({"an even modulus", PublicPem(RsaPublic(even.get(), Word(65537).get()).get()),
                     "validation"});
    Bn times3(BN_new());
    BN_CTX* ctx = BN_CTX_new();
    EXPECT_EQ(BN_mul(times3.get(), n.get(), Word(3).get(), ctx), 1);
    BN_CTX_free(ctx);
    cases.push_back({"a modulus with a small factor",
                     PublicPem(RsaPublic(times3.get(), Word(65537).get()).get()), "validation"});
  }
  {
    std::string huge = begin;
    for (int i = 0; i < 16384; ++i) {
      huge += std::string(64, 'A') + "\n";
    }
    cases.push_back({"a huge base64 body", huge + end, "larger"});
    std::string padded = good + std::string(RsaPublicKey::kMaxPemSize + 1 - good.size(), ' ');
    cases.push_back({"one byte over the limit, in whitespace", padded, "larger"});
  }
  return cases;
}

// QuotesNothingOf reports whether `message` contains no 12-character stretch of
// `input`: the error must name the problem, never quote what was sent.
bool QuotesNothingOf(const std::string& message, const std::string& input) {
  constexpr std::size_t kWindow = 12;
  const std::size_t limit = std::min<std::size_t>(input.size(), 20000);
  for (std::size_t i = 0; i + kWindow <= limit; ++i) {
    if (message.find(input.substr(i, kWindow)) != std::string::npos) {
      return false;
    }
  }
  return true;
}

TEST(RsaPublicKeyFromPemTest, RefusesHostileInputs) {
  const std::vector<Hostile> cases = HostileInputs();
  ASSERT_EQ(cases.size(), 34u);
  for (const Hostile& c : cases) {
    auto key = RsaPublicKey::FromPem(c.pem);
    ASSERT_FALSE(key.ok()) << c.name << ": accepted";
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidRequest) << c.name;
    EXPECT_NE(key.error().message.find(c.why), std::string::npos)
        << c.name << ": " << key.error().message;
    EXPECT_TRUE(QuotesNothingOf(key.error().message, c.pem))
        << c.name << ": " << key.error().message;
  }
}

}  // namespace
}  // namespace keyhold::crypto
