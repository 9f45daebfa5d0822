// Tests for kms/xks/xks_request.h: the XKS proxy API bodies AWS KMS sends,
// decoded (spec notes ../shared/xks-spec.md sections 2-3). One table walks
// hostile and edge inputs through each decoder, changing one field of a
// valid body per row: requestMetadata absent or not an object; each
// required field of each operation missing, of the wrong type, empty or not
// printable; the optional ones likewise; string bounds (2,048-character
// ARNs, 256-character tokens); plaintext, AAD, ciphertext, tag, IV and
// ciphertextMetadata at and around their bounds, where a well-formed value
// beyond Keyhold's limit is kPayloadTooLarge (kInvalidCiphertext for a
// tag, IV or ciphertextMetadata) at every size just past the limit, and a
// malformed one kInvalidRequest; base64 that is not the strict standard
// alphabet; encryptionAlgorithm and ciphertextDataIntegrityValueAlgorithm;
// and the unknown fields and operations the spec says to tolerate. Every
// refusal names its field and quotes none of the body's values (a canary is
// planted in every string the body holds). The tests after the table check
// that an accepted body is returned exactly as spelt, plaintext included.
#include "kms/xks/xks_request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/base64.h"
#include "kms/api/json.h"
#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using Json = nlohmann::json;
using keyhold::testing::Bytes;

// A value planted in every string of every body: no message may show it.
constexpr std::string_view kCanary = "CANARY-x7q9";

const std::string kPrincipal = "arn:aws:iam::111122223333:role/" + std::string(kCanary);
const std::string kKeyArn =
    "arn:aws:kms:us-east-1:111122223333:key/" + std::string(kCanary) + "-1234";
const std::string kRequestId = "req-" + std::string(kCanary);

enum class Decoder { kKeyMetadata, kHealth, kEncrypt, kDecrypt };

const char* DecoderName(Decoder d) {
  switch (d) {
    case Decoder::kKeyMetadata:
      return "metadata";
    case Decoder::kHealth:
      return "health";
    case Decoder::kEncrypt:
      return "encrypt";
    case Decoder::kDecrypt:
      return "decrypt";
  }
  return "?";
}

constexpr Decoder kAllDecoders[] = {Decoder::kKeyMetadata, Decoder::kHealth, Decoder::kEncrypt,
                                    Decoder::kDecrypt};

// Data is `size` bytes that spell the canary over and over: a plaintext
// whose base64 a message could quote.
std::vector<std::uint8_t> Data(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = static_cast<std::uint8_t>(kCanary[i % kCanary.size()]);
  }
  return out;
}

std::string B64(std::size_t size) {
  return crypto::Base64Encode(Data(size));
}

// Text is a string of `size` characters of the canary, repeated.
std::string Text(std::size_t size) {
  std::string out;
  while (out.size() < size) {
    out += kCanary;
  }
  out.resize(size);
  return out;
}

Json Meta(Decoder d) {
  switch (d) {
    case Decoder::kHealth:
      return {{"kmsRequestId", kRequestId}, {"kmsOperation", "KmsHealthCheck"}};
    case Decoder::kKeyMetadata:
      return {{"awsPrincipalArn", kPrincipal},
              {"kmsOperation", "CreateKey"},
              {"kmsRequestId", kRequestId}};
    case Decoder::kEncrypt:
    case Decoder::kDecrypt:
      return {{"awsPrincipalArn", kPrincipal},
              {"kmsKeyArn", kKeyArn},
              {"kmsOperation", d == Decoder::kEncrypt ? "Encrypt" : "Decrypt"},
              {"kmsRequestId", kRequestId},
              {"kmsViaService", "ebs"}};
  }
  return {};
}

// Valid is the smallest valid body of each operation.
Json Valid(Decoder d) {
  Json body = {{"requestMetadata", Meta(d)}};
  if (d == Decoder::kEncrypt) {
    body["plaintext"] = B64(32);
    body["encryptionAlgorithm"] = "AES_GCM";
  }
  if (d == Decoder::kDecrypt) {
    body["ciphertext"] = B64(32);
    body["encryptionAlgorithm"] = "AES_GCM";
    body["authenticationTag"] = B64(16);
    body["initializationVector"] = B64(12);
  }
  return body;
}

// Set and Drop change one field, by JSON pointer.
Json Set(Json body, const std::string& pointer, Json value) {
  body[Json::json_pointer(pointer)] = std::move(value);
  return body;
}
Json Drop(Json body, const std::string& pointer) {
  const Json::json_pointer p(pointer);
  body[p.parent_pointer()].erase(p.back());
  return body;
}

SecureJson Parse(const Json& body) {
  const std::string text = body.dump();
  auto parsed = ParseJsonObject(text);
  EXPECT_TRUE(parsed.ok()) << text.substr(0, 300) << ": " << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : SecureJson::object();
}

// Decode decodes `body` with `d`; nullopt when accepted.
std::optional<Error> Decode(Decoder d, const SecureJson& body) {
  switch (d) {
    case Decoder::kKeyMetadata:
    case Decoder::kHealth: {
      auto r = DecodeXksMetadata(
          body, d == Decoder::kHealth ? XksOperation::kHealth : XksOperation::kMetadata);
      return r.ok() ? std::nullopt : std::optional<Error>(r.error());
    }
    case Decoder::kEncrypt: {
      auto r = DecodeXksEncrypt(body);
      return r.ok() ? std::nullopt : std::optional<Error>(r.error());
    }
    case Decoder::kDecrypt: {
      auto r = DecodeXksDecrypt(body);
      return r.ok() ? std::nullopt : std::optional<Error>(r.error());
    }
  }
  return std::nullopt;
}

// Every string value of `j`, at any depth.
void Strings(const Json& j, std::vector<std::string>* out) {
  if (j.is_string()) {
    out->push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const Json& child : j) {
      Strings(child, out);
    }
  }
}

struct Row {
  std::string name;
  Decoder decoder;
  Json body;
  std::optional<ErrorCode> want;  // nullopt: accepted
  std::string field;              // named in the message when refused
};

// Non-canonical base64 of three bytes ("Zm9v" is "foo").
const std::vector<std::pair<std::string, std::string>> kBadBase64 = {
    {"url-safe alphabet", "-_-_"},
    {"url-safe alphabet mixed in", "Zm9v-_8="},
    {"missing padding", "Zm8"},
    {"missing both pads", "Zg"},
    {"extra padding", "Zg==="},
    {"padding only", "===="},
    {"non-zero padding bits", "Zh=="},
    {"space inside", "Zm9 v"},
    {"space inside, length a multiple of 4", "Zm 9vYmFy"},
    {"leading space", " Zm9v"},
    {"trailing newline", "Zm9v\n"},
    {"CRLF between blocks", "Zm9v\r\nYmFy"},
    {"tab", "Zm9v\tYmFy"},
    {"padding in the middle", "Zg==Zm9v"},
    {"a NUL", std::string("Zm9v\0\0\0\0", 8)},
    {"not ASCII", "Zm9\xc3\xa9"},
    {"data URL prefix", "base64,Zm9v"},
};

// Wrong JSON types for a string field (null is absent, so it is not here).
const std::vector<std::pair<std::string, Json>> kNotStrings = {
    {"a number", 7},
    {"a float", 1.5},
    {"true", true},
    {"an array", Json::array({"a"})},
    {"an empty array", Json::array()},
    {"an object", Json::object({{"a", "b"}})},
};

// Strings that are not 1 or more printable ASCII characters.
const std::vector<std::pair<std::string, std::string>> kNotPrintable = {
    {"empty", ""},
    {"a NUL", std::string(kCanary) + std::string(1, '\0')},
    {"a control character", std::string(kCanary) + "\x01"},
    {"a tab", std::string(kCanary) + "\t"},
    {"a newline", std::string(kCanary) + "\n"},
    {"DEL", std::string(kCanary) + "\x7f"},
    {"not ASCII", std::string(kCanary) + "\xc3\xa9"},
    {"an escape sequence", std::string(kCanary) + "\x1b[31m"},
};

std::vector<Row> Rows() {
  using EC = ErrorCode;
  const auto invalid = std::optional<EC>(EC::kInvalidRequest);
  const auto too_large = std::optional<EC>(EC::kPayloadTooLarge);
  const auto ok = std::optional<EC>();
  std::vector<Row> rows;
  const auto add = [&](std::string name, Decoder d, Json body, std::optional<EC> want,
                       std::string field = "") {
    rows.push_back({std::move(name), d, std::move(body), want, std::move(field)});
  };

  for (Decoder d : kAllDecoders) {
    const Json v = Valid(d);
    add("valid", d, v, ok);

    // requestMetadata itself.
    add("no requestMetadata", d, Drop(v, "/requestMetadata"), invalid, "requestMetadata");
    add("requestMetadata null", d, Set(v, "/requestMetadata", nullptr), invalid, "requestMetadata");
    add("requestMetadata empty", d, Set(v, "/requestMetadata", Json::object()), invalid,
        "kmsRequestId");
    for (const auto& [what, value] : kNotStrings) {
      if (!value.is_object()) {
        add("requestMetadata " + what, d, Set(v, "/requestMetadata", value), invalid,
            "requestMetadata");
      }
    }
    add("requestMetadata a string", d, Set(v, "/requestMetadata", kRequestId), invalid,
        "requestMetadata");
    add("fields at the top level instead of in requestMetadata", d,
        Set(Drop(v, "/requestMetadata"), "/kmsRequestId", kRequestId), invalid, "requestMetadata");
    add("requestMetadata spelt in another case", d,
        Set(Drop(v, "/requestMetadata"), "/RequestMetadata", Meta(d)), invalid, "requestMetadata");

    // kmsRequestId and kmsOperation: every operation needs both.
    for (const char* field : {"kmsRequestId", "kmsOperation"}) {
      const std::string at = std::string("/requestMetadata/") + field;
      add(std::string(field) + " missing", d, Drop(v, at), invalid, field);
      add(std::string(field) + " null", d, Set(v, at, nullptr), invalid, field);
      for (const auto& [what, value] : kNotStrings) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      for (const auto& [what, value] : kNotPrintable) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      add(std::string(field) + " of 256 characters", d, Set(v, at, Text(kXksMaxToken)), ok);
      add(std::string(field) + " of 257 characters", d, Set(v, at, Text(kXksMaxToken + 1)), invalid,
          field);
      add(std::string(field) + " of 1 character", d, Set(v, at, "x"), ok);
      add(std::string(field) + " with spaces and punctuation", d,
          Set(v, at, "a b ~!@#$%^&*()\"'\\"), ok);
    }
    // The spec: kmsRequestId is opaque, an unknown kmsOperation is accepted.
    add("kmsRequestId not a UUID", d, Set(v, "/requestMetadata/kmsRequestId", "not-a-uuid"), ok);
    add("unknown kmsOperation", d, Set(v, "/requestMetadata/kmsOperation", "FutureOperation"), ok);

    // Unknown fields, at both levels, of any type.
    add("unknown top-level fields", d,
        Set(Set(Set(v, "/SourceIdentity", std::string(kCanary)), "/tags",
                Json::object({{"a", Json::array({1, 2})}})),
            "/n", nullptr),
        ok);
    add("unknown requestMetadata fields", d,
        Set(Set(v, "/requestMetadata/SourceIdentity", std::string(kCanary)),
            "/requestMetadata/attestation",
            Json::object({{"pcr0", std::string(kCanary)}, {"n", 1}})),
        ok);
    add("unknown field with a non-printable value", d,
        Set(v, "/requestMetadata/future", std::string(kCanary) + "\x01"), ok);

    if (d == Decoder::kHealth) {
      // Health reads nothing else, whatever is there.
      add("health with principal and key ARN of the wrong types", d,
          Set(Set(v, "/requestMetadata/awsPrincipalArn", 7), "/requestMetadata/kmsKeyArn",
              Json::array()),
          ok);
      add("health with non-printable optional fields", d,
          Set(Set(v, "/requestMetadata/awsSourceVpc", ""), "/requestMetadata/kmsViaService",
              std::string(kCanary) + "\n"),
          ok);
      add("health with a metadata body", d, Valid(Decoder::kKeyMetadata), ok);
      continue;
    }

    // awsPrincipalArn: required by all but health; kmsKeyArn by encrypt and
    // decrypt.
    const bool crypto_call = d == Decoder::kEncrypt || d == Decoder::kDecrypt;
    for (const char* field : {"awsPrincipalArn", "kmsKeyArn"}) {
      const bool required = std::string_view(field) == "awsPrincipalArn" || crypto_call;
      const std::string at = std::string("/requestMetadata/") + field;
      add(std::string(field) + " missing", d, Drop(v, at), required ? invalid : ok, field);
      add(std::string(field) + " null", d, Set(v, at, nullptr), required ? invalid : ok, field);
      for (const auto& [what, value] : kNotStrings) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      for (const auto& [what, value] : kNotPrintable) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      add(std::string(field) + " of 2048 characters", d, Set(v, at, Text(kXksMaxArn)), ok);
      add(std::string(field) + " of 2049 characters", d, Set(v, at, Text(kXksMaxArn + 1)), invalid,
          field);
      add(std::string(field) + " of 100000 characters", d, Set(v, at, Text(100000)), invalid,
          field);
    }
    add("service principal", d, Set(v, "/requestMetadata/awsPrincipalArn", "ebs.amazonaws.com"),
        ok);
    add("AWS Internal principal", d, Set(v, "/requestMetadata/awsPrincipalArn", "AWS Internal"),
        ok);

    // The optional ones: absent or null is fine, a bad value is not.
    for (const char* field : {"awsSourceVpc", "awsSourceVpce", "kmsViaService"}) {
      const std::string at = std::string("/requestMetadata/") + field;
      add(std::string(field) + " present", d, Set(v, at, "vpc-" + std::string(kCanary)), ok);
      add(std::string(field) + " null", d, Set(v, at, nullptr), ok);
      for (const auto& [what, value] : kNotStrings) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      for (const auto& [what, value] : kNotPrintable) {
        add(std::string(field) + " " + what, d, Set(v, at, value), invalid, field);
      }
      add(std::string(field) + " of 256 characters", d, Set(v, at, Text(kXksMaxToken)), ok);
      add(std::string(field) + " of 257 characters", d, Set(v, at, Text(kXksMaxToken + 1)), invalid,
          field);
    }

    if (!crypto_call) {
      add("metadata ignores encrypt fields", d,
          Set(Set(v, "/plaintext", 7), "/encryptionAlgorithm", "DES"), ok);
      continue;
    }

    // encryptionAlgorithm: AES_GCM, exactly.
    add("encryptionAlgorithm missing", d, Drop(v, "/encryptionAlgorithm"), invalid,
        "encryptionAlgorithm");
    add("encryptionAlgorithm null", d, Set(v, "/encryptionAlgorithm", nullptr), invalid,
        "encryptionAlgorithm");
    for (const char* bad : {"", "aes_gcm", "AES_GCM ", " AES_GCM", "AES-GCM", "AES_256_GCM",
                            "AES_CBC", "SYMMETRIC_DEFAULT", "AES_GCM\n"}) {
      add(std::string("encryptionAlgorithm '") + bad + "'", d, Set(v, "/encryptionAlgorithm", bad),
          invalid, "encryptionAlgorithm");
    }
    add("encryptionAlgorithm of 33 characters", d, Set(v, "/encryptionAlgorithm", Text(33)),
        invalid, "encryptionAlgorithm");
    for (const auto& [what, value] : kNotStrings) {
      add("encryptionAlgorithm " + what, d, Set(v, "/encryptionAlgorithm", value), invalid,
          "encryptionAlgorithm");
    }

    // AAD: optional, up to kXksMaxAadBytes (the spec's minimum is 8,192).
    // Just past the limit, every size is kPayloadTooLarge: the base64 of
    // max + 3 and max + 4 bytes is as long as that of max + 2.
    static_assert(kXksMaxAadBytes >= 8192);
    constexpr std::size_t kAad = kXksMaxAadBytes;
    add("AAD null", d, Set(v, "/additionalAuthenticatedData", nullptr), ok);
    add("AAD empty", d, Set(v, "/additionalAuthenticatedData", ""), ok);
    for (std::size_t n : {std::size_t{1}, std::size_t{33}, std::size_t{8192}, kAad - 1, kAad}) {
      add("AAD of " + std::to_string(n), d, Set(v, "/additionalAuthenticatedData", B64(n)), ok);
    }
    for (std::size_t n : {kAad + 1, kAad + 2, kAad + 3, kAad + 4, kAad + 5, kAad + 6,
                          std::size_t{16385}, std::size_t{100000}}) {
      add("AAD of " + std::to_string(n), d, Set(v, "/additionalAuthenticatedData", B64(n)),
          too_large, "additionalAuthenticatedData");
    }
    for (const auto& [what, value] : kBadBase64) {
      add("AAD " + what, d, Set(v, "/additionalAuthenticatedData", value), invalid,
          "additionalAuthenticatedData");
    }
    for (const auto& [what, value] : kNotStrings) {
      add("AAD " + what, d, Set(v, "/additionalAuthenticatedData", value), invalid,
          "additionalAuthenticatedData");
    }
    add("AAD spelt in another case", d, Set(v, "/AdditionalAuthenticatedData", B64(16)), ok);

    if (d == Decoder::kEncrypt) {
      // plaintext: required; 0 bytes decode and are returned as such (the
      // decoder bounds size only; what an empty plaintext means is the
      // handler's business).
      add("plaintext missing", d, Drop(v, "/plaintext"), invalid, "plaintext");
      add("plaintext null", d, Set(v, "/plaintext", nullptr), invalid, "plaintext");
      static_assert(kXksMaxPlaintext >= 4300);
      constexpr std::size_t kMax = kXksMaxPlaintext;
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3},
                            std::size_t{4300}, kMax - 2, kMax - 1, kMax}) {
        add("plaintext of " + std::to_string(n), d, Set(v, "/plaintext", B64(n)), ok);
      }
      for (std::size_t n :
           {kMax + 1, kMax + 2, kMax + 3, kMax + 4, kMax + 5, kMax + 6, std::size_t{100000}}) {
        add("plaintext of " + std::to_string(n), d, Set(v, "/plaintext", B64(n)), too_large,
            "plaintext");
      }
      for (const auto& [what, value] : kBadBase64) {
        add("plaintext " + what, d, Set(v, "/plaintext", value), invalid, "plaintext");
      }
      for (const auto& [what, value] : kNotStrings) {
        add("plaintext " + what, d, Set(v, "/plaintext", value), invalid, "plaintext");
      }
      // ciphertextDataIntegrityValueAlgorithm: absent, null or SHA_256.
      const std::string cdiv = "/ciphertextDataIntegrityValueAlgorithm";
      add("CDIV SHA_256", d, Set(v, cdiv, "SHA_256"), ok);
      add("CDIV null", d, Set(v, cdiv, nullptr), ok);
      for (const char* bad : {"", "SHA-256", "sha_256", "SHA256", "SHA_512", "SHA_256 ", "MD5"}) {
        add(std::string("CDIV '") + bad + "'", d, Set(v, cdiv, bad), invalid,
            "ciphertextDataIntegrityValueAlgorithm");
      }
      add("CDIV of 33 characters", d, Set(v, cdiv, Text(33)), invalid,
          "ciphertextDataIntegrityValueAlgorithm");
      for (const auto& [what, value] : kNotStrings) {
        add("CDIV " + what, d, Set(v, cdiv, value), invalid,
            "ciphertextDataIntegrityValueAlgorithm");
      }
      add("decrypt fields tolerated in encrypt", d,
          Set(Set(v, "/authenticationTag", 7), "/ciphertext", Json::array()), ok);
      continue;
    }

    // Decrypt: ciphertext required, up to kXksMaxPlaintext; tag and IV
    // required and ciphertextMetadata optional, up to 64, 64 and 255 bytes
    // (the decoder bounds them, the handler checks 16 and 12/16), beyond
    // which they are kInvalidCiphertext, a ciphertext that cannot be
    // Keyhold's. The message is then the catalogue's, naming no field.
    struct Sized {
      const char* field;
      bool required;
      std::size_t max;
      ErrorCode over;
    };
    for (const Sized& s :
         {Sized{"ciphertext", true, kXksMaxPlaintext, ErrorCode::kPayloadTooLarge},
          Sized{"authenticationTag", true, 64, ErrorCode::kInvalidCiphertext},
          Sized{"initializationVector", true, 64, ErrorCode::kInvalidCiphertext},
          Sized{"ciphertextMetadata", false, 255, ErrorCode::kInvalidCiphertext}}) {
      const std::string at = std::string("/") + s.field;
      const std::string f = s.field;
      add(f + " missing", d, Drop(v, at), s.required ? invalid : ok, f);
      add(f + " null", d, Set(v, at, nullptr), s.required ? invalid : ok, f);
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{12}, std::size_t{16},
                            std::size_t{20}, s.max - 1, s.max}) {
        add(f + " of " + std::to_string(n), d, Set(v, at, B64(n)), ok);
      }
      for (std::size_t n :
           {s.max + 1, s.max + 2, s.max + 3, s.max + 4, s.max + 5, s.max + 6, s.max * 4}) {
        add(f + " of " + std::to_string(n), d, Set(v, at, B64(n)), s.over,
            s.over == ErrorCode::kPayloadTooLarge ? f : "");
      }
      for (const auto& [what, value] : kBadBase64) {
        add(f + " " + what, d, Set(v, at, value), invalid, f);
      }
      for (const auto& [what, value] : kNotStrings) {
        add(f + " " + what, d, Set(v, at, value), invalid, f);
      }
    }
    add("encrypt fields tolerated in decrypt", d,
        Set(Set(v, "/plaintext", 7), "/ciphertextDataIntegrityValueAlgorithm", "MD5"), ok);
  }
  return rows;
}

// CheckMessage: a refusal names its field, fits the spec's errorMessage
// (printable ASCII, under 512 characters), and quotes no value of the body.
void CheckMessage(const Row& row, const Error& error) {
  const std::string& m = error.message;
  EXPECT_FALSE(m.empty());
  EXPECT_LT(m.size(), 512u) << m;
  EXPECT_TRUE(std::all_of(m.begin(), m.end(), [](char c) { return c >= 0x20 && c <= 0x7e; })) << m;
  if (!row.field.empty()) {
    EXPECT_NE(m.find("'" + row.field + "'"), std::string::npos) << m;
  }
  EXPECT_EQ(m.find(kCanary), std::string::npos) << m;
  // Nor any 8 characters of a value, unless they touch the API's own
  // words (a value may hold them: " AES_GCM" is refused as "must be
  // AES_GCM"), which are masked first.
  std::vector<std::string> values;
  Strings(row.body, &values);
  std::string masked = m;
  for (std::string_view word :
       {"ciphertextDataIntegrityValueAlgorithm", "additionalAuthenticatedData",
        "initializationVector", "encryptionAlgorithm", "ciphertextMetadata", "authenticationTag",
        "requestMetadata", "awsPrincipalArn", "awsSourceVpce", "awsSourceVpc", "kmsViaService",
        "kmsRequestId", "kmsOperation", "kmsKeyArn", "ciphertext", "plaintext", "AES_GCM",
        "SHA_256"}) {
    for (std::size_t at = masked.find(word); at != std::string::npos;
         at = masked.find(word, at + 1)) {
      std::fill_n(masked.begin() + static_cast<std::ptrdiff_t>(at), word.size(), '\0');
    }
  }
  for (std::size_t i = 0; i + 8 <= masked.size(); ++i) {
    const std::string window = masked.substr(i, 8);
    if (window.find('\0') != std::string::npos ||
        window.find_first_not_of("0123456789 ") == std::string::npos) {
      continue;
    }
    for (const std::string& value : values) {
      EXPECT_EQ(value.find(window), std::string::npos)
          << "message \"" << m << "\" quotes \"" << window << "\"";
    }
  }
}

TEST(XksRequestTest, Table) {
  const std::vector<Row> rows = Rows();
  EXPECT_GE(rows.size(), 400u);
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(DecoderName(row.decoder)) + ": " + row.name);
    const std::optional<Error> error = Decode(row.decoder, Parse(row.body));
    if (!row.want) {
      EXPECT_FALSE(error.has_value()) << error->message;
      continue;
    }
    ASSERT_TRUE(error.has_value()) << "accepted";
    EXPECT_EQ(static_cast<int>(error->code), static_cast<int>(*row.want)) << error->message;
    CheckMessage(row, *error);
  }
}

std::vector<std::uint8_t> Reveal(const crypto::SecretBytes& s) {
  const auto v = s.Reveal(crypto::SecretAccess::Get());
  return {v.begin(), v.end()};
}

TEST(XksRequestTest, MetadataReturnsWhatTheBodySpelt) {
  Json body = Valid(Decoder::kDecrypt);
  body["requestMetadata"]["awsSourceVpc"] = "vpc-0123";
  body["requestMetadata"]["awsSourceVpce"] = "vpce-4567";
  auto m = DecodeXksMetadata(Parse(body), XksOperation::kDecrypt);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->aws_principal_arn, kPrincipal);
  EXPECT_EQ(m->kms_key_arn, kKeyArn);
  EXPECT_EQ(m->kms_operation, "Decrypt");
  EXPECT_EQ(m->kms_request_id, kRequestId);
  EXPECT_EQ(m->kms_via_service, "ebs");
  EXPECT_EQ(m->aws_source_vpc, "vpc-0123");
  EXPECT_EQ(m->aws_source_vpce, "vpce-4567");

  // Absent optional fields are empty; health reads two fields only.
  auto meta = DecodeXksMetadata(Parse(Valid(Decoder::kKeyMetadata)), XksOperation::kMetadata);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->kms_operation, "CreateKey");
  EXPECT_TRUE(meta->kms_key_arn.empty());
  EXPECT_TRUE(meta->kms_via_service.empty());
  EXPECT_TRUE(meta->aws_source_vpc.empty());
  EXPECT_TRUE(meta->aws_source_vpce.empty());
  auto health = DecodeXksMetadata(Parse(Valid(Decoder::kEncrypt)), XksOperation::kHealth);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->kms_request_id, kRequestId);
  EXPECT_EQ(health->kms_operation, "Encrypt");
  EXPECT_TRUE(health->aws_principal_arn.empty());
  EXPECT_TRUE(health->kms_key_arn.empty());
  EXPECT_TRUE(health->kms_via_service.empty());
}

TEST(XksRequestTest, EncryptReturnsThePlaintextAndAad) {
  for (std::size_t n : {0, 1, 2, 3, 4, 31, 4300, 8192}) {
    SCOPED_TRACE(n);
    std::vector<std::uint8_t> plaintext(n);
    for (std::size_t i = 0; i < n; ++i) {
      plaintext[i] = static_cast<std::uint8_t>(i * 131 + 7);
    }
    const std::vector<std::uint8_t> aad = Bytes("project=nile,department=marketing");
    Json body = Valid(Decoder::kEncrypt);
    body["plaintext"] = crypto::Base64Encode(plaintext);
    body["additionalAuthenticatedData"] = crypto::Base64Encode(aad);
    auto r = DecodeXksEncrypt(Parse(body));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(Reveal(r->plaintext), plaintext);
    EXPECT_EQ(r->plaintext.size(), n);  // 0 bytes included: "" decodes to nothing
    EXPECT_EQ(r->aad, aad);
    EXPECT_FALSE(r->integrity_value);
    EXPECT_EQ(r->metadata.kms_operation, "Encrypt");
    EXPECT_EQ(r->metadata.kms_key_arn, kKeyArn);
  }
  // The integrity value is asked for by SHA_256 only; no AAD is empty AAD.
  Json body = Valid(Decoder::kEncrypt);
  body["ciphertextDataIntegrityValueAlgorithm"] = "SHA_256";
  auto r = DecodeXksEncrypt(Parse(body));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->integrity_value);
  EXPECT_TRUE(r->aad.empty());
  EXPECT_EQ(Reveal(r->plaintext), Data(32));
  body["ciphertextDataIntegrityValueAlgorithm"] = nullptr;
  auto null_cdiv = DecodeXksEncrypt(Parse(body));
  ASSERT_TRUE(null_cdiv.ok());
  EXPECT_FALSE(null_cdiv->integrity_value);
}

TEST(XksRequestTest, DecryptReturnsEveryField) {
  // The spec's Appendix C example.
  Json body = Valid(Decoder::kDecrypt);
  body["additionalAuthenticatedData"] = "cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n";
  body["ciphertextMetadata"] = "a2V5X3ZlcnNpb249MQ==";
  body["initializationVector"] = "HMrlRw85cAJUd5Ax";
  body["ciphertext"] = "ghxkK1txeDNn3q8Y";
  body["authenticationTag"] = "vBxN2ncH1oEkR8WVXpmyYQ==";
  auto r = DecodeXksDecrypt(Parse(body));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aad, Bytes("project=nile,department=marketing"));
  EXPECT_EQ(r->ciphertext_metadata, Bytes("key_version=1"));
  EXPECT_EQ(r->iv.size(), 12u);
  EXPECT_EQ(r->ciphertext.size(), 12u);
  EXPECT_EQ(r->tag.size(), 16u);
  EXPECT_EQ(crypto::Base64Encode(r->iv), "HMrlRw85cAJUd5Ax");
  EXPECT_EQ(crypto::Base64Encode(r->ciphertext), "ghxkK1txeDNn3q8Y");
  EXPECT_EQ(crypto::Base64Encode(r->tag), "vBxN2ncH1oEkR8WVXpmyYQ==");
  EXPECT_EQ(r->metadata.kms_operation, "Decrypt");

  // Absent optional fields are empty; so are required ones sent as "" (the
  // decoder bounds sizes; the handler checks the tag and IV sizes).
  Json bare = Valid(Decoder::kDecrypt);
  bare["ciphertext"] = "";
  bare["authenticationTag"] = "";
  bare["initializationVector"] = "";
  auto empty = DecodeXksDecrypt(Parse(bare));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->ciphertext.empty());
  EXPECT_TRUE(empty->tag.empty());
  EXPECT_TRUE(empty->iv.empty());
  EXPECT_TRUE(empty->aad.empty());
  EXPECT_TRUE(empty->ciphertext_metadata.empty());
}

}  // namespace
}  // namespace keyhold::kms
