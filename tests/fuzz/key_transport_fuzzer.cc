// key_transport_fuzzer: crypto::RsaPublicKey::FromPem and
// crypto::UnwrapKeyMaterial (both algorithms, 32-byte material) on arbitrary
// bytes, under a fixed 2048-bit RSA key parsed once from the PKCS#8 DER below
// (RSA key generation per run would be far too slow). Properties: every
// failure is the one generic error of its call (kInvalidRequest for a PEM,
// never quoting it; kInvalidCiphertext with the catalogue's text for an
// unwrap); a parsed public key is RSA of 2048 to 8192 bits and encrypts; and
// nothing unwraps but what was made under the fixed key, which for the seed
// corpus is always kSeedMaterial (a success with other material would be a
// forged OAEP or KWP). Test-only; the key below serves nothing else.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "crypto/base64.h"
#include "crypto/error.h"
#include "crypto/key_transport.h"
#include "crypto/rsa_oaep.h"
#include "crypto/secret_bytes.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::ErrorCode;
using keyhold::crypto::RsaPrivateKey;
using keyhold::crypto::RsaPublicKey;
using keyhold::crypto::SecretAccess;
using keyhold::crypto::WrappingAlgorithm;

// The fixed key: `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`,
// then `openssl pkcs8 -topk8 -nocrypt -outform DER`, in base64. Its public
// half is tests/fuzz/corpus/key_transport/public_key_pem.
constexpr std::string_view kPrivateKeyPkcs8Base64 =
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCxlq9pH5JRE7f5tZK4Vy6/HKTUlDz/yhc2B1jg+3h1"
    "NC09UmsgRxFiczIg7TlMcHjJLBlFPjgAbPBa0QOqjCX0iunAA4n4h3rOSAcD+tlrt5jBBaekcqMJ/tUbNbrmT8UFTgB6"
    "/d+bOj6m8hC4c9rGzaAtMv4nCns0EIdcdzyWN4uZTuse804gH0xNCg5yToeQLFdvftDeY77nurepRycprSAypAuKTk+k"
    "n2ORuFDI7AjH1t/uPCEE25fS1i42moCBjqWIejit3C1f4nRJ6Py27v5mdf9JTBdCXQv2dAw0VOuhR/Fes6YnbE3tYEYl"
    "SlTxkfc6ImGJoUPU+mu2KftRAgMBAAECggEAB3tVx+n0KRFpqwX74MNvCS8OsHRPmtbvugdulplvnG/6nzKSh/NIi6dW"
    "54FZDHPxWcffZ2347+cnC+tyAiiaBYLH+O6JPLjP+yJ4lbHHANFVCJ5Jbx2jie10GtutVGxMTJY6AdSB6/005CWO/+dl"
    "ImKpvre/EoPf94xB+Kq/GSS7IWvGc1qIOThTYK6HYOEbP52wCSQGCENIS1FCxQnZxBT87UshwENcCUCH3OHqyqcIQdQU"
    "HdhCiSAu7djmID1shZ/ePSaGcWeo667ipnEk5OR50Z6O9USYjd+bWQGO31aIraVt9jS2bs5u5MHwj/4N45w+sHazT0H8"
    "JrMD+d7WgQKBgQD4s0SPP+STb1Zkt8bOaF/uNZoh/TSg7rCofo3ozrPGE/AMXzAldNppK+tNwvhMSf4i+hBGEkgI3dXg"
    "KyhSKx/sjII/V64CxaB4051JGbGG5df6s1QEtfwHZCIGr1noQ8BQHmmqPRuBapmC4WKlVhfMgBG9OA9Tst6dhfNoli/a"
    "0QKBgQC2zRW8CW5lOkTyRKK/9R5F7vLsNZswddVOh9wMZYUOGNamPff1sX4YPTUFoW5wSRmEq+iNbjXI1M1COZM9itEE"
    "2TDrZsCfrn7EobS9wDcO5X59woYRAY+aEqLSLgBtoBkyyXgBedWCiZMMZTHulTP+ILJFtLwWmU02pE/7ev84gQKBgQCJ"
    "E3XkZtj7klBR7yE6vziwuQadWUxar3TbSfW5rcRUlsSmbQjCfGettDFbiO0GT3otmRrDJGxjxrGNfvwYXgCYhtF7TD5y"
    "9K6AKlL06Z55tdGXMqRKfGvPPxeqC5hIdp9XCYw/8rJoYHMAOm3+pzcy1hvw6Sc5gMtGk4AX0z/JIQKBgAw2Iw+OqbtF"
    "azmr8BtWqpENZ1j0M8vG81rtpHuHhJ3udthgJ2JYWw4PeK1JnXEO0Q+V1FEuXZVu8c9MvVNNJK1oPOZc1N1V8M39528N"
    "mh/6oLqR9hbIvekS+aGExS6NlWFZKBUhKGwx+IrJb856VSDS2lXhvvbbgtb1nwozqz0BAoGAGWtr7ZhTvIIc9QHE/h8C"
    "HMw1KmU1PosrSamF9Ku/KisQGeaIVElTvDF0u0bv3PB6Xhz8zOwXoTpahXAIIHthcvzmbILbfgOhw/dx7JcCyMypIITZ"
    "KrQL1G49jT3522dYcPAeEcNzucYcO+vigKKeK+LNxC/KxObuv9K1rmTpoVA=";

// What every seed blob in the corpus wraps: a0 a1 ... bf. The seeds were made
// with an independent implementation (pyca/cryptography): OAEP-SHA-256 for
// the RSA parts, RFC 5649 for the KWP parts.
constexpr std::size_t kMaterialSize = 32;
bool IsSeedMaterial(std::span<const std::uint8_t> material) {
  if (material.size() != kMaterialSize) {
    return false;
  }
  for (std::size_t i = 0; i < material.size(); ++i) {
    if (material[i] != static_cast<std::uint8_t>(0xa0 + i)) {
      return false;
    }
  }
  return true;
}

// Every message FromPem may give.
constexpr std::string_view kPemErrors[] = {
    "public key PEM is larger than 16384 bytes",
    "public key PEM is empty",
    "public key must be a PEM block of type PUBLIC KEY",
    "public key PEM is malformed",
    "public key PEM must not carry headers",
    "public key must be a single PEM block with nothing after it",
    "public key is not a valid SubjectPublicKeyInfo",
    "public key is not an RSA (rsaEncryption) key",
    "RSA public key must have a modulus of 2048 to 8192 bits",
    "RSA public exponent must be between 2^16 and 2^256",
    "RSA public key failed validation (modulus or exponent)",
};

struct Fixture {
  std::unique_ptr<RsaPrivateKey> key;
  std::string public_pem;
};

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto der = keyhold::crypto::Base64DecodeSecret(kPrivateKeyPkcs8Base64, 4096);
    KEYHOLD_FUZZ_CHECK(der.ok());
    auto key = RsaPrivateKey::FromPkcs8Der(*der);
    KEYHOLD_FUZZ_CHECK(key.ok());
    KEYHOLD_FUZZ_CHECK((*key)->Bits() == 2048);
    auto pem = (*key)->PublicKeyPem();
    KEYHOLD_FUZZ_CHECK(pem.ok());
    return new Fixture{std::move(key).value(), std::move(pem).value()};
  }();
  return *fixture;
}

void CheckPublicKey(std::string_view text) {
  auto key = RsaPublicKey::FromPem(text);
  if (!key.ok()) {
    const keyhold::Error& error = key.error();
    KEYHOLD_FUZZ_CHECK(error.code == ErrorCode::kInvalidRequest);
    // One of a few fixed texts (crypto/rsa_oaep.cc), so it never quotes the
    // input.
    KEYHOLD_FUZZ_CHECK(std::ranges::find(kPemErrors, error.message) != std::end(kPemErrors));
    return;
  }
  const RsaPublicKey& pub = **key;
  KEYHOLD_FUZZ_CHECK(pub.Bits() >= 2048 && pub.Bits() <= 8192);
  KEYHOLD_FUZZ_CHECK(pub.ModulusBytes() == static_cast<std::size_t>(pub.Bits() + 7) / 8);
  const std::uint8_t message[kMaterialSize] = {};
  auto sealed = pub.Encrypt(message);
  KEYHOLD_FUZZ_CHECK(sealed.ok());
  KEYHOLD_FUZZ_CHECK(sealed->size() == pub.ModulusBytes());
  // The fixed key's own public half must round-trip through it (and only
  // a key with the same modulus can).
  const Fixture& fixture = GetFixture();
  if (pub.ModulusBytes() == fixture.key->ModulusBytes()) {
    auto opened = fixture.key->Decrypt(*sealed);
    KEYHOLD_FUZZ_CHECK(opened.ok() || text != fixture.public_pem);
    if (opened.ok()) {
      KEYHOLD_FUZZ_CHECK(keyhold::fuzz::SameBytes(opened->Reveal(SecretAccess::Get()), message));
    }
  }
}

void CheckUnwrap(WrappingAlgorithm algorithm, std::span<const std::uint8_t> input) {
  const Fixture& fixture = GetFixture();
  auto material = keyhold::crypto::UnwrapKeyMaterial(*fixture.key, algorithm, input, kMaterialSize);
  if (!material.ok()) {
    const keyhold::Error& error = material.error();
    KEYHOLD_FUZZ_CHECK(error.code == ErrorCode::kInvalidCiphertext);
    KEYHOLD_FUZZ_CHECK(error.message == keyhold::Info(ErrorCode::kInvalidCiphertext).safe_text);
    return;
  }
  KEYHOLD_FUZZ_CHECK(IsSeedMaterial(material->Reveal(SecretAccess::Get())));
  const std::size_t k = fixture.key->ModulusBytes();
  if (algorithm == WrappingAlgorithm::kRsaesOaepSha256) {
    KEYHOLD_FUZZ_CHECK(input.size() == k);
  } else {
    KEYHOLD_FUZZ_CHECK(input.size() == k + kMaterialSize + 8);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  CheckPublicKey(keyhold::fuzz::AsText(input));
  CheckUnwrap(WrappingAlgorithm::kRsaesOaepSha256, input);
  CheckUnwrap(WrappingAlgorithm::kRsaAesKeyWrapSha256, input);
  return 0;
}
