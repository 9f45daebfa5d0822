#include "crypto/rsa_oaep.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <climits>
#include <cstring>

namespace keyhold::crypto {

void internal::EvpPkeyDeleter::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);  // an RSA key's private parts are cleared on free
}

namespace {

constexpr int kMinPrivateBits = 2048;
constexpr int kMaxPrivateBits = 4096;
constexpr int kMinPublicBits = 2048;
constexpr int kMaxPublicBits = 8192;

constexpr std::string_view kPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPemType = "PUBLIC KEY";

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct OpensslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};

struct P8Deleter {
  void operator()(PKCS8_PRIV_KEY_INFO* p8) const { PKCS8_PRIV_KEY_INFO_free(p8); }  // clears
};

struct EncoderDeleter {
  void operator()(OSSL_ENCODER_CTX* ctx) const { OSSL_ENCODER_CTX_free(ctx); }
};

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// OpenSSL reads from pointers it never writes through but declares them
// non-const; an empty input still gets a valid pointer.
const unsigned char* DataOrEmpty(std::span<const std::uint8_t> s) {
  static const unsigned char empty = 0;
  return s.empty() ? &empty : s.data();
}

// SetOaep selects RSAES-OAEP with SHA-256, MGF1-SHA-256 and `label` on a
// context initialised for encryption or decryption.
bool SetOaep(EVP_PKEY_CTX* ctx, std::span<const std::uint8_t> label) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0) {
    return false;
  }
  if (label.empty()) {
    return true;
  }
  // Through a parameter, which OpenSSL copies: EVP_PKEY_CTX_set0_rsa_oaep_label
  // would take ownership of an OPENSSL_malloc'd buffer only on success.
  const std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                        const_cast<unsigned char*>(label.data()),  // read only
                                        label.size()),
      OSSL_PARAM_construct_end(),
  };
  return EVP_PKEY_CTX_set_params(ctx, params.data()) > 0;
}

// RsaBits returns the modulus size in bits of an RSA (rsaEncryption) key,
// or 0 if `key` is another type (RSASSA-PSS, EC, ...).
int RsaBits(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") != 1) {
    return 0;
  }
  return EVP_PKEY_get_bits(key);
}

Error PublicKeyError(const char* message) {
  ERR_clear_error();
  return MakeError(ErrorCode::kInvalidRequest, message);
}

// ReadPemBlock decodes the one PEM block of `text` (which starts with its
// BEGIN line) into DER, or returns the reason it cannot.
Result<std::vector<std::uint8_t>> ReadPemBlock(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  char* raw_name = nullptr;
  char* raw_header = nullptr;
  unsigned char* raw_data = nullptr;
  long raw_len = 0;
  const int read = PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &raw_len);
  const std::unique_ptr<char, OpensslFree> name(raw_name);
  const std::unique_ptr<char, OpensslFree> header(raw_header);
  const std::unique_ptr<unsigned char, OpensslFree> data(raw_data);
  if (read != 1 || raw_len <= 0) {
    return PublicKeyError("public key PEM is malformed");
  }
  if (kPemType != name.get()) {
    return PublicKeyError("public key must be a PEM block of type PUBLIC KEY");
  }
  if (header.get()[0] != '\0') {
    return PublicKeyError("public key PEM must not carry headers");
  }
  // What follows the END line must be whitespace: no second block, no junk.
  std::array<char, 256> rest{};
  int got = 0;
  while ((got = BIO_read(bio.get(), rest.data(), static_cast<int>(rest.size()))) > 0) {
    for (int i = 0; i < got; ++i) {
      if (!IsSpace(rest[static_cast<std::size_t>(i)])) {
        return PublicKeyError("public key must be a single PEM block with nothing after it");
      }
    }
  }
  return std::vector<std::uint8_t>(data.get(), data.get() + raw_len);
}

// ExponentInRange enforces SP 800-56B's 2^16 < e < 2^256 (OpenSSL's own check,
// outside FIPS mode, only asks for an odd e > 1): a small e is legacy, and a
// huge one makes every encryption a full-size exponentiation.
bool ExponentInRange(const EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw) != 1) {
    return false;
  }
  const std::unique_ptr<BIGNUM, BnDeleter> e(raw);
  const int bits = BN_num_bits(e.get());
  return bits > 16 && bits <= 256;
}

}  // namespace

// ---------------------------------------------------------------------------
// RsaPrivateKey

RsaPrivateKey::RsaPrivateKey(internal::EvpPkeyPtr key, int bits, std::size_t modulus_bytes)
    : key_(std::move(key)), bits_(bits), modulus_bytes_(modulus_bytes) {}

RsaPrivateKey::~RsaPrivateKey() = default;

Result<std::unique_ptr<RsaPrivateKey>> RsaPrivateKey::Generate(int bits) {
  if (bits != 3072 && bits != 4096) {
    return MakeError(ErrorCode::kInvalidRequest, "RSA key size must be 3072 or 4096 bits");
  }
  internal::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  if (!key || RsaBits(key.get()) != bits) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCryptoFailure, "RSA key generation failed");
  }
  const auto modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key.get()));
  return std::unique_ptr<RsaPrivateKey>(new RsaPrivateKey(std::move(key), bits, modulus_bytes));
}

Result<std::unique_ptr<RsaPrivateKey>> RsaPrivateKey::FromPkcs8Der(const SecretBytes& der) {
  const auto bytes = der.Reveal(SecretAccess::Get());
  const Error not_pkcs8 =
      MakeError(ErrorCode::kInvalidRequest, "not an unencrypted PKCS#8 RSA private key");
  if (bytes.empty() || bytes.size() > static_cast<std::size_t>(LONG_MAX)) {
    return not_pkcs8;
  }
  const unsigned char* p = bytes.data();
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Deleter> p8(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(bytes.size())));
  if (!p8 || p != bytes.data() + bytes.size()) {
    ERR_clear_error();
    return not_pkcs8;
  }
  internal::EvpPkeyPtr key(EVP_PKCS82PKEY(p8.get()));
  if (!key) {
    ERR_clear_error();
    return not_pkcs8;
  }
  const int bits = RsaBits(key.get());
  if (bits == 0) {
    return MakeError(ErrorCode::kInvalidRequest, "the PKCS#8 private key is not an RSA key");
  }
  if (bits < kMinPrivateBits || bits > kMaxPrivateBits) {
    return MakeError(ErrorCode::kInvalidRequest, "RSA private key must be 2048 to 4096 bits");
  }
  const auto modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key.get()));
  return std::unique_ptr<RsaPrivateKey>(new RsaPrivateKey(std::move(key), bits, modulus_bytes));
}

Result<SecretBytes> RsaPrivateKey::ToPkcs8Der() const {
  const Error failure = MakeError(ErrorCode::kCryptoFailure, "cannot encode the RSA private key");
  std::unique_ptr<OSSL_ENCODER_CTX, EncoderDeleter> encoder(OSSL_ENCODER_CTX_new_for_pkey(
      key_.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", nullptr));
  unsigned char* raw = nullptr;
  std::size_t len = 0;
  if (!encoder || OSSL_ENCODER_CTX_get_num_encoders(encoder.get()) == 0 ||
      OSSL_ENCODER_to_data(encoder.get(), &raw, &len) != 1 || raw == nullptr) {
    OPENSSL_free(raw);
    ERR_clear_error();
    return failure;
  }
  Result<SecretBytes> der = SecretBytes::CopyFrom({raw, len});
  OPENSSL_clear_free(raw, len);
  return der;
}

Result<std::string> RsaPrivateKey::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  char* data = nullptr;
  long len = 0;
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1 ||
      (len = BIO_get_mem_data(bio.get(), &data)) <= 0 || data == nullptr) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCryptoFailure, "cannot encode the RSA public key");
  }
  return std::string(data, static_cast<std::size_t>(len));
}

Result<SecretBytes> RsaPrivateKey::Decrypt(std::span<const std::uint8_t> ciphertext,
                                           std::span<const std::uint8_t> label) const {
  // RFC 8017 7.1.2 step 1: "If the length of the ciphertext C is not k
  // octets, output "decryption error" and stop." Every later failure gets
  // the same error: telling them apart is Manger's oracle.
  const Error failure = MakeError(ErrorCode::kInvalidCiphertext);
  if (ciphertext.size() != modulus_bytes_) {
    return failure;
  }
  Result<SecretBytes> out = SecretBytes::Allocate(modulus_bytes_);
  if (!out.ok()) {
    return failure;
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  std::size_t len = modulus_bytes_;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !SetOaep(ctx.get(), label) ||
      EVP_PKEY_decrypt(ctx.get(), out->RevealMutable(SecretAccess::Get()).data(), &len,
                       ciphertext.data(), ciphertext.size()) <= 0 ||
      len > modulus_bytes_ - kRsaOaepOverhead) {
    ERR_clear_error();
    return failure;
  }
  out->Shrink(len);
  return out;
}

// ---------------------------------------------------------------------------
// RsaPublicKey

RsaPublicKey::RsaPublicKey(internal::EvpPkeyPtr key, int bits, std::size_t modulus_bytes)
    : key_(std::move(key)), bits_(bits), modulus_bytes_(modulus_bytes) {}

RsaPublicKey::~RsaPublicKey() = default;

Result<std::unique_ptr<RsaPublicKey>> RsaPublicKey::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPemSize) {
    return PublicKeyError("public key PEM is larger than 16384 bytes");
  }
  while (!pem.empty() && IsSpace(pem.front())) {
    pem.remove_prefix(1);
  }
  if (pem.empty()) {
    return PublicKeyError("public key PEM is empty");
  }
  // Nothing but whitespace may come before the block; OpenSSL would skip
  // any text there.
  if (!pem.starts_with(kPemBegin)) {
    return PublicKeyError("public key must be a PEM block of type PUBLIC KEY");
  }
  KEYHOLD_ASSIGN_OR_RETURN(const std::vector<std::uint8_t> der, ReadPemBlock(pem));

  const unsigned char* p = der.data();
  internal::EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != der.data() + der.size()) {
    return PublicKeyError("public key is not a valid SubjectPublicKeyInfo");
  }
  const int bits = RsaBits(key.get());
  if (bits == 0) {
    return PublicKeyError("public key is not an RSA (rsaEncryption) key");
  }
  // Checked before OpenSSL's public-key check, whose cost grows with the
  // modulus.
  if (bits < kMinPublicBits || bits > kMaxPublicBits) {
    return PublicKeyError("RSA public key must have a modulus of 2048 to 8192 bits");
  }
  if (!ExponentInRange(key.get())) {
    return PublicKeyError("RSA public exponent must be between 2^16 and 2^256");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    return PublicKeyError("RSA public key failed validation (modulus or exponent)");
  }
  const auto modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key.get()));
  return std::unique_ptr<RsaPublicKey>(new RsaPublicKey(std::move(key), bits, modulus_bytes));
}

Result<Sha256Digest> RsaPublicKey::Sha256() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key_.get(), &der);
  const std::unique_ptr<unsigned char, OpensslFree> owned(der);
  if (len <= 0 || der == nullptr) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCryptoFailure, "cannot encode the RSA public key");
  }
  return crypto::Sha256({std::span<const std::uint8_t>(der, static_cast<std::size_t>(len))});
}

Result<std::vector<std::uint8_t>> RsaPublicKey::Encrypt(std::span<const std::uint8_t> plaintext,
                                                        std::span<const std::uint8_t> label) const {
  // RFC 8017 7.1.1 step 1b: "If mLen > k - 2hLen - 2, output "message too
  // long" and stop."
  if (plaintext.size() > modulus_bytes_ - kRsaOaepOverhead) {
    return MakeError(ErrorCode::kInvalidRequest, "plaintext too long for RSA-OAEP under this key");
  }
  std::vector<std::uint8_t> out(modulus_bytes_);
  std::size_t len = out.size();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !SetOaep(ctx.get(), label) ||
      EVP_PKEY_encrypt(ctx.get(), out.data(), &len, DataOrEmpty(plaintext), plaintext.size()) <=
          0 ||
      len != modulus_bytes_) {
    ERR_clear_error();
    return MakeError(ErrorCode::kCryptoFailure, "RSA-OAEP encryption failed");
  }
  return out;
}

}  // namespace keyhold::crypto
