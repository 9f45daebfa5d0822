// audit_record_fuzzer: kms::ParseLine on arbitrary bytes (one line of an
// audit file, without its newline), and kms::FormatEventLine /
// FormatCheckpointLine on a record built from the same bytes. Properties:
//   - ParseLine never throws, and fails only with kInvalidRequest and a
//     message. A line it accepts has seq >= 1 and a body from '{' to '}'; it
//     is exactly that body less its '}', then its mac (or null) and its
//     signature, so no byte of the line goes unaccounted for; a checkpoint
//     has a public_key and a sig, and nothing else has a public_key; parsing
//     it again gives the very same parts;
//   - a record whose strings are cut from the input (at 0xff bytes, which
//     UTF-8 never holds) formats exactly when every string it writes is valid
//     UTF-8; otherwise it fails with an error and leaves the chain as it was.
//     A formatted line is ASCII only and ParseLine accepts it with the
//     chain's seq and prev and the record's time (drawn from years 1000 to
//     9999, the years a four-digit field spells); its mac verifies over the
//     body under the fixed mac key, its signature (when signed) under the
//     fixed signer, a sealed line has neither, and the chain moves on to the
//     next seq and LineHash(line);
//   - changing any one byte of a keyed line (at a few positions the input
//     picks, plus both ends and the byte before the mac) makes it fail to
//     parse or fail its mac or signature check.
// Test-only.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/hmac.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"
#include "kms/audit/audit_record.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using keyhold::ErrorCode;
using keyhold::crypto::Ed25519Signer;
using keyhold::crypto::SecretBytes;
using keyhold::kms::AuditEvent;
using keyhold::kms::AuditKeys;
using keyhold::kms::ChainState;
using keyhold::kms::ParsedLine;
using keyhold::kms::ParseLine;

// 1000-01-01T00:00:00.000000Z and 9999-12-31T23:59:59.999999Z.
constexpr std::int64_t kMinTimeUs = -30'610'224'000'000'000;
constexpr std::int64_t kMaxTimeUs = 253'402'300'799'999'999;

// The fixed test keys: a 32-byte mac key and a signer from a fixed seed.
struct Fixture {
  SecretBytes mac_key;
  std::optional<Ed25519Signer> signer;
};

const Fixture& GetFixture() {
  static const Fixture* const fixture = [] {
    auto mac_key = SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, 0x01));
    KEYHOLD_FUZZ_CHECK(mac_key.ok());
    auto seed = SecretBytes::CopyFrom(std::vector<std::uint8_t>(32, 0x09));
    KEYHOLD_FUZZ_CHECK(seed.ok());
    auto signer = Ed25519Signer::FromSeed(*seed);
    KEYHOLD_FUZZ_CHECK(signer.ok());
    return new Fixture{std::move(mac_key).value(), std::move(signer).value()};
  }();
  return *fixture;
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <std::size_t N>
std::string Hex(const std::array<std::uint8_t, N>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

bool SameParts(const ParsedLine& a, const ParsedLine& b) {
  return a.body == b.body && a.seq == b.seq && a.prev == b.prev && a.type == b.type &&
         a.time_us == b.time_us && a.mac == b.mac && a.sig == b.sig && a.public_key == b.public_key;
}

// CheckParse: the properties of ParseLine on any line. Returns the parts of
// an accepted line.
std::optional<ParsedLine> CheckParse(std::string_view line) {
  auto parsed = ParseLine(line);
  if (!parsed.ok()) {
    KEYHOLD_FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidRequest);
    KEYHOLD_FUZZ_CHECK(!parsed.error().message.empty());
    return std::nullopt;
  }
  const ParsedLine& p = *parsed;
  KEYHOLD_FUZZ_CHECK(p.seq >= 1);
  KEYHOLD_FUZZ_CHECK(p.body.size() >= 2 && p.body.front() == '{' && p.body.back() == '}');
  KEYHOLD_FUZZ_CHECK(p.public_key.has_value() == (p.type == "checkpoint"));
  KEYHOLD_FUZZ_CHECK(!p.public_key || p.sig);

  // The parts spell the line again, byte for byte.
  std::string rebuilt(p.body, 0, p.body.size() - 1);
  rebuilt += p.mac ? ",\"mac\":\"" + Hex(*p.mac) + "\"" : ",\"mac\":null";
  if (p.sig) {
    rebuilt += ",\"sig\":\"" + Hex(*p.sig) + "\"";
  }
  rebuilt += "}";
  KEYHOLD_FUZZ_CHECK(rebuilt == line);

  auto again = ParseLine(rebuilt);
  KEYHOLD_FUZZ_CHECK(again.ok());
  KEYHOLD_FUZZ_CHECK(SameParts(*again, p));
  return p;
}

// Authentic: the line parses and its mac (required) and signature (if any)
// verify under the fixed keys.
bool Authentic(std::string_view line) {
  const Fixture& fx = GetFixture();
  auto parsed = ParseLine(line);
  if (!parsed.ok() || !parsed->mac) {
    return false;
  }
  const auto body = Bytes(parsed->body);
  if (!keyhold::crypto::VerifyHmacSha256(fx.mac_key, body, *parsed->mac)) {
    return false;
  }
  return !parsed->sig ||
         keyhold::crypto::VerifyEd25519(fx.signer->public_key(), body, *parsed->sig);
}

// Input is the fuzz input read as a record: a fixed-size header (missing
// bytes read as zero), then strings separated by 0xff bytes.
class Input {
 public:
  static constexpr std::size_t kFlips = 4;
  static constexpr std::size_t kHeader = 1 + 8 + 8 + 3 * kFlips;

  explicit Input(std::string_view data) {
    for (std::size_t i = 0; i < kHeader && i < data.size(); ++i) {
      header_[i] = static_cast<std::uint8_t>(data[i]);
    }
    std::string_view rest = data.size() > kHeader ? data.substr(kHeader) : std::string_view();
    while (!rest.empty()) {
      const std::size_t cut = rest.find('\xff');
      fields_.emplace_back(rest.substr(0, cut));
      rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    }
  }

  bool Flag(int bit) const { return (header_[0] >> bit) & 1; }
  std::uint64_t U64(std::size_t at) const {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      v = (v << 8) | header_[at + i];
    }
    return v;
  }
  // Field i, or empty past the last one.
  std::string Field(std::size_t i) const { return i < fields_.size() ? fields_[i] : ""; }
  // Flip i: a position in a line of `size` bytes and a non-zero xor mask.
  std::size_t FlipAt(std::size_t i, std::size_t size) const {
    const std::size_t at = 17 + 3 * i;
    return ((std::size_t{header_[at]} << 8) | header_[at + 1]) % size;
  }
  std::uint8_t FlipMask(std::size_t i) const {
    const std::uint8_t m = header_[17 + 3 * i + 2];
    return m == 0 ? 1 : m;
  }

 private:
  std::array<std::uint8_t, kHeader> header_{};
  std::vector<std::string> fields_;
};

void CheckFlip(const std::string& line, std::size_t at, std::uint8_t mask) {
  std::string flipped = line;
  flipped[at] = static_cast<char>(static_cast<std::uint8_t>(flipped[at]) ^ mask);
  KEYHOLD_FUZZ_CHECK(!Authentic(flipped));
}

// CheckFormat builds a record from the input, formats it and checks the line.
void CheckFormat(std::string_view data) {
  using keyhold::crypto::ValidUtf8;
  const Fixture& fx = GetFixture();
  const Input in(data);
  const bool sign = in.Flag(0);
  const bool sealed = in.Flag(1);
  const bool checkpoint = in.Flag(2);
  const AuditKeys keys = sealed ? AuditKeys{} : AuditKeys{&fx.mac_key, &*fx.signer};

  AuditEvent e;
  const std::uint64_t a = in.U64(1);
  const std::uint64_t b = in.U64(9);
  e.time_us =
      kMinTimeUs + static_cast<std::int64_t>(a % std::uint64_t(kMaxTimeUs - kMinTimeUs + 1));
  e.type = in.Field(0);
  e.request_id = in.Field(1);
  e.principal = in.Field(2);
  e.auth = in.Field(3);
  e.source = in.Field(4);
  e.operation = in.Field(5);
  e.key = in.Field(6);
  e.context_digest = in.Field(7);
  e.justification_code = in.Field(8);
  e.justification_text = in.Field(9);
  e.decision = in.Field(10);
  e.reason = in.Field(11);
  if (in.Flag(3)) {
    e.key_version = static_cast<std::uint32_t>(b);
  }
  if (in.Flag(4)) {
    e.context = std::map<std::string, std::string>{{in.Field(12), in.Field(13)}};
  }
  e.status = static_cast<std::int16_t>(b >> 32);
  e.latency_us = static_cast<std::int64_t>(a ^ b);

  ChainState chain;
  chain.next_seq = b == 0 ? 1 : b;
  chain.prev = keyhold::crypto::Sha256({Bytes(data)});
  const ChainState before = chain;

  keyhold::Result<std::string> line =
      checkpoint ? keyhold::kms::FormatCheckpointLine(e.time_us, e.reason, keys, &chain)
                 : keyhold::kms::FormatEventLine(e, keys, sign, &chain);
  bool writable = ValidUtf8(e.reason);
  if (!checkpoint) {
    writable = writable && e.type != "checkpoint";  // reserved for checkpoints
    for (const std::string* s : {&e.type, &e.request_id, &e.principal, &e.auth, &e.source,
                                 &e.operation, &e.key, &e.context_digest, &e.decision}) {
      writable = writable && ValidUtf8(*s);
    }
    if (!e.justification_code.empty()) {
      writable = writable && ValidUtf8(e.justification_code) && ValidUtf8(e.justification_text);
    }
    if (e.context) {
      writable = writable && ValidUtf8(in.Field(12)) && ValidUtf8(in.Field(13));
    }
  }
  if (checkpoint && sealed) {
    KEYHOLD_FUZZ_CHECK(!line.ok());
    KEYHOLD_FUZZ_CHECK(line.error().code == ErrorCode::kSealed);
    writable = false;
  }
  KEYHOLD_FUZZ_CHECK(line.ok() == writable);
  if (!line.ok()) {
    KEYHOLD_FUZZ_CHECK(!line.error().message.empty());
    KEYHOLD_FUZZ_CHECK(chain.next_seq == before.next_seq && chain.prev == before.prev);
    return;
  }

  for (const char c : *line) {
    KEYHOLD_FUZZ_CHECK(c >= 0x20 && c < 0x7f);
  }
  const std::optional<ParsedLine> parsed = CheckParse(*line);
  KEYHOLD_FUZZ_CHECK(parsed.has_value());
  KEYHOLD_FUZZ_CHECK(parsed->seq == before.next_seq);
  KEYHOLD_FUZZ_CHECK(parsed->prev == before.prev);
  KEYHOLD_FUZZ_CHECK(parsed->time_us == e.time_us);
  KEYHOLD_FUZZ_CHECK(parsed->type == (checkpoint ? "checkpoint" : e.type));
  KEYHOLD_FUZZ_CHECK(chain.next_seq == before.next_seq + 1);
  KEYHOLD_FUZZ_CHECK(chain.prev == keyhold::kms::LineHash(*line));
  if (sealed) {
    KEYHOLD_FUZZ_CHECK(!parsed->mac && !parsed->sig);
    return;
  }
  const auto body = Bytes(parsed->body);
  KEYHOLD_FUZZ_CHECK(parsed->mac.has_value());
  KEYHOLD_FUZZ_CHECK(keyhold::crypto::VerifyHmacSha256(fx.mac_key, body, *parsed->mac));
  KEYHOLD_FUZZ_CHECK(parsed->sig.has_value() == (sign || checkpoint));
  if (parsed->sig) {
    KEYHOLD_FUZZ_CHECK(keyhold::crypto::VerifyEd25519(fx.signer->public_key(), body, *parsed->sig));
  }
  if (checkpoint) {
    KEYHOLD_FUZZ_CHECK(*parsed->public_key == fx.signer->public_key());
  }
  KEYHOLD_FUZZ_CHECK(Authentic(*line));

  // One changed byte anywhere breaks the line or its authenticators.
  const std::size_t n = line->size();
  for (std::size_t i = 0; i < Input::kFlips; ++i) {
    CheckFlip(*line, in.FlipAt(i, n), in.FlipMask(i));
  }
  CheckFlip(*line, 0, in.FlipMask(0));
  CheckFlip(*line, n - 1, in.FlipMask(1));
  CheckFlip(*line, n - 2, in.FlipMask(2));
  CheckFlip(*line, parsed->body.size() - 2, in.FlipMask(3));
}

void FuzzOne(std::string_view data) {
  static_cast<void>(CheckParse(data));
  CheckFormat(data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, FuzzOne);
}
