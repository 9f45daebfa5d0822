// Tests for kms/audit/audit_record.h and the file names of
// kms/audit/audit_verifier.h: a hostile-input table for ParseLine (each row a
// line and whether it is accepted; ParseLine checks shape only, so the hex
// of the rows' macs and signatures is arbitrary), FormatEventLine and
// FormatCheckpointLine round-trips through ParseLine (every field, times to
// the microsecond from year 1000 to 9999), the chain (prev is the LineHash
// of the line before), sealed records, Rfc3339Micros on known values, and
// AuditFileName / FirstSeqOfFileName.
#include "kms/audit/audit_record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kms/audit/audit_verifier.h"
#include "tests/testlib/audit_keys.h"
#include "tests/testlib/hex.h"

namespace keyhold::kms {
namespace {

using testing::FixedKey;
using testing::FixedSigner;

using Json = nlohmann::json;
using keyhold::testing::ToHex;

// Arbitrary lowercase hex of the right lengths: ParseLine checks no
// authenticator, only its shape.
const std::string kHex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const std::string kHex128 = kHex64 + kHex64;
const std::string kZeros64(64, '0');
constexpr std::string_view kTime = "2023-11-14T22:13:20.123456Z";

// Authenticator tails, written before the closing brace.
const std::string kMacNull = R"(,"mac":null)";
const std::string kMacHex = R"(,"mac":")" + kHex64 + "\"";
const std::string kMacSig = kMacHex + R"(,"sig":")" + kHex128 + "\"";

std::string Q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// Fields maps a key to its raw JSON text; std::map orders keys as nlohmann
// does, so Open() spells a canonical body when every value is canonical.
using Fields = std::map<std::string, std::string>;

Fields Base() {
  return {
      {"prev", Q(kZeros64)}, {"seq", "1"}, {"time", Q(kTime)}, {"type", Q("request")}, {"v", "1"}};
}

Fields With(std::string key, std::string raw, Fields f = Base()) {
  f[std::move(key)] = std::move(raw);
  return f;
}

Fields Without(const std::string& key, Fields f = Base()) {
  f.erase(key);
  return f;
}

Fields Checkpoint() {
  return With("public_key", Q(kHex64), With("reason", Q("unseal"), With("type", Q("checkpoint"))));
}

// Open is the body without its closing brace.
std::string Open(const Fields& f) {
  std::string out = "{";
  for (const auto& [key, raw] : f) {
    if (out.size() > 1) {
      out += ",";
    }
    out += Q(key) + ":" + raw;
  }
  return out;
}

std::string Line(const Fields& f, std::string_view tail = kMacNull) {
  return Open(f) + std::string(tail) + "}";
}

std::string WithTime(std::string_view time) {
  return Line(With("time", Q(time)));
}

struct Row {
  std::string name;  // a gtest name: letters, digits, underscores
  std::string line;
  bool accepted;
};

std::vector<Row> Rows() {
  const std::string base = Open(Base());
  return {
      // Accepted shapes.
      {"MacNull", Line(Base()), true},
      {"MacHex", Line(Base(), kMacHex), true},
      {"MacAndSig", Line(Base(), kMacSig), true},
      {"NullMacAndSig", Line(Base(), kMacNull + R"(,"sig":")" + kHex128 + "\""), true},
      {"Checkpoint", Line(Checkpoint(), kMacSig), true},
      {"SeqMaxUint64", Line(With("seq", "18446744073709551615")), true},
      {"UnicodeEscape", Line(With("type", Q("caf\\u00e9"))), true},
      {"EscapedControl", Line(With("type", Q("a\\nb\\u001fc"))), true},
      {"ExtraField", Line(With("principal", Q("app"))), true},
      {"Year1000", WithTime("1000-01-01T00:00:00.000000Z"), true},
      {"Year9999", WithTime("9999-12-31T23:59:59.999999Z"), true},
      {"LeapDay", WithTime("2024-02-29T12:00:00.000000Z"), true},
      {"OneMegabyteString", Line(With("principal", Q(std::string(1 << 20, 'a')))), true},

      // Not a record at all.
      {"Empty", "", false},
      {"EmptyObject", "{}", false},
      {"OnlyCloseBrace", "}", false},
      {"OnlyMac", "{" + kMacNull.substr(1) + "}", false},
      {"EmptyBodyWithMac", "{" + kMacNull + "}", false},
      {"Array", "[" + kMacNull + "]", false},
      {"NoCloseBrace", Line(Base()).substr(0, Line(Base()).size() - 1), false},
      {"TrailingNewline", Line(Base()) + "\n", false},
      {"TrailingCarriageReturn", Line(Base()) + "\r", false},
      {"TwoRecords", Line(Base()) + Line(Base()), false},
      {"OneMegabyteOfBraces", std::string(1 << 20, '{') + kMacNull + "}", false},

      // The mac field.
      {"NoMac", base + "}", false},
      {"MacNotLast", "{\"mac\":" + Q(kHex64) + "," + Open(Base()).substr(1) + "}", false},
      {"MacKeyInsideBody", Line(With("mac", Q(kHex64)), kMacHex), true},
      {"MacThenOtherField", base + kMacHex + R"(,"x":1})", false},
      {"Mac63Hex", base + R"(,"mac":")" + kHex64.substr(1) + "\"}", false},
      {"Mac65Hex", base + R"(,"mac":")" + kHex64 + "0\"}", false},
      {"MacUppercaseHex",
       base + R"(,"mac":"00112233445566778899AABBCCDDEEFF)" +
           R"(00112233445566778899aabbccddeeff"})",
       false},
      {"MacNotHex", base + R"(,"mac":")" + std::string(64, 'g') + "\"}", false},
      {"MacEmptyString", base + R"(,"mac":""})", false},
      {"MacNumber", base + R"(,"mac":0})", false},
      {"MacFalse", base + R"(,"mac":false})", false},
      {"MacNullUppercase", base + R"(,"mac":NULL})", false},
      {"MacSpaceAfterColon", base + R"(,"mac": null})", false},
      {"MacTwice", base + kMacNull + kMacNull + "}", false},

      // The sig field.
      {"SigWithoutMac", base + R"(,"sig":")" + kHex128 + "\"}", false},
      {"SigBeforeMac", base + R"(,"sig":")" + kHex128 + "\"" + kMacNull + "}", false},
      {"Sig127Hex", base + kMacHex + R"(,"sig":")" + kHex128.substr(1) + "\"}", false},
      {"Sig129Hex", base + kMacHex + R"(,"sig":")" + kHex128 + "0\"}", false},
      {"SigUppercaseHex", base + kMacHex + R"(,"sig":"AA)" + kHex128.substr(2) + "\"}", false},
      {"SigNull", base + kMacHex + R"(,"sig":null})", false},
      {"SigTwice", base + kMacSig + R"(,"sig":")" + kHex128 + "\"}", false},

      // The body is not canonical.
      {"SpaceAfterColon", Line(Base()).insert(8, " "), false},
      {"SpaceBeforeMac", base + " " + kMacNull + "}", false},
      {"LeadingSpace", " " + Line(Base()), false},
      {"NewlineInBody", "{\n" + Line(Base()).substr(1), false},
      {"KeysOutOfOrder",
       R"({"seq":1,"prev":")" + kZeros64 + R"(","time":")" + std::string(kTime) +
           R"(","type":"request","v":1)" + kMacNull + "}",
       false},
      {"DuplicateKey", base + R"(,"v":1)" + kMacNull + "}", false},
      {"EscapedSlash", Line(With("type", Q("a\\/b"))), false},
      {"EscapedLetter", Line(With("type", Q("\\u0041"))), false},
      {"UppercaseUnicodeEscape", Line(With("type", Q("caf\\u00E9"))), false},
      {"LongEscapeForNewline", Line(With("type", Q("a\\u000ab"))), false},
      {"RawUtf8", Line(With("type", Q("caf\xc3\xa9"))), false},
      {"RawInvalidUtf8", Line(With("type", Q("caf\xff"))), false},
      {"RawTab", Line(With("type", Q("a\tb"))), false},
      {"LoneSurrogateEscape", Line(With("type", Q("\\ud800"))), false},
      {"NulInString", Line(With("type", Q(std::string("re\0quest", 8)))), false},
      {"NulAfterBody", Open(Base()) + "}" + std::string(1, '\0') + kMacNull + "}", false},
      {"NulBeforeMac", base + std::string(1, '\0') + kMacNull + "}", false},
      {"FloatTrailingZero", Line(With("latency_us", "1.50")), false},
      {"ExponentField", Line(With("latency_us", "1e3")), false},
      {"NegativeZero", Line(With("latency_us", "-0")), false},

      // v.
      {"VersionMissing", Line(Without("v")), false},
      {"Version0", Line(With("v", "0")), false},
      {"Version2", Line(With("v", "2")), false},
      {"VersionString", Line(With("v", Q("1"))), false},
      {"VersionFloat", Line(With("v", "1.0")), false},
      {"VersionNegative", Line(With("v", "-1")), false},

      // seq.
      {"SeqMissing", Line(Without("seq")), false},
      {"Seq0", Line(With("seq", "0")), false},
      {"SeqNegative", Line(With("seq", "-1")), false},
      {"SeqFloat", Line(With("seq", "1.5")), false},
      {"SeqString", Line(With("seq", Q("1"))), false},
      {"SeqLeadingZero", Line(With("seq", "01")), false},
      {"Seq2Pow64", Line(With("seq", "18446744073709551616")), false},
      {"SeqHuge", Line(With("seq", "1" + std::string(400, '0'))), false},
      {"SeqNull", Line(With("seq", "null")), false},

      // prev.
      {"PrevMissing", Line(Without("prev")), false},
      {"Prev63Hex", Line(With("prev", Q(kHex64.substr(1)))), false},
      {"Prev65Hex", Line(With("prev", Q(kHex64 + "0"))), false},
      {"PrevUppercaseHex", Line(With("prev", Q(std::string(64, 'A')))), false},
      {"PrevNull", Line(With("prev", "null")), false},
      {"PrevNotHex", Line(With("prev", Q(std::string(64, 'z')))), false},

      // type.
      {"TypeMissing", Line(Without("type")), false},
      {"TypeNumber", Line(With("type", "1")), false},
      {"TypeNull", Line(With("type", "null")), false},

      // time.
      {"TimeMissing", Line(Without("time")), false},
      {"TimeNumber", Line(With("time", "1700000000123456")), false},
      {"TimeNoZ", WithTime("2023-11-14T22:13:20.123456"), false},
      {"TimeOffsetInsteadOfZ", WithTime("2023-11-14T22:13:20.123456+00:00"), false},
      {"TimeLowercaseZ", WithTime("2023-11-14T22:13:20.123456z"), false},
      {"TimeLowercaseT", WithTime("2023-11-14t22:13:20.123456Z"), false},
      {"TimeSpaceForT", WithTime("2023-11-14 22:13:20.123456Z"), false},
      {"TimeNoFraction", WithTime("2023-11-14T22:13:20Z"), false},
      {"TimeMillis", WithTime("2023-11-14T22:13:20.123Z"), false},
      {"TimeNanos", WithTime("2023-11-14T22:13:20.123456789Z"), false},
      {"TimeCommaFraction", WithTime("2023-11-14T22:13:20,123456Z"), false},
      {"TimeDateOnly", WithTime("2023-11-14"), false},
      {"TimeEmpty", WithTime(""), false},
      // Rfc3339Micros never writes a date timegm would normalise (month 00,
      // February 30, second 60), so none of them is a record's time.
      {"TimeMonth13", WithTime("2023-13-14T22:13:20.123456Z"), false},
      {"TimeMonth00", WithTime("2023-00-14T22:13:20.123456Z"), false},
      {"TimeDay00", WithTime("2023-11-00T22:13:20.123456Z"), false},
      {"TimeDay32", WithTime("2023-11-32T22:13:20.123456Z"), false},
      {"TimeFebruary30", WithTime("2023-02-30T22:13:20.123456Z"), false},
      {"TimeApril31", WithTime("2023-04-31T22:13:20.123456Z"), false},
      {"TimeHour24", WithTime("2023-11-14T24:00:00.000000Z"), false},
      {"TimeMinute60", WithTime("2023-11-14T22:60:20.123456Z"), false},
      {"TimeSecond60", WithTime("2023-12-31T23:59:60.000000Z"), false},
      {"TimeSecond61", WithTime("2023-11-14T22:13:61.123456Z"), false},
      {"TimeLetterInYear", WithTime("2O23-11-14T22:13:20.123456Z"), false},
      {"TimeLetterInFraction", WithTime("2023-11-14T22:13:20.12345aZ"), false},
      {"TimeSignInFraction", WithTime("2023-11-14T22:13:20.-12345Z"), false},
      {"TimeNegativeYear", WithTime("-023-11-14T22:13:20.123456Z"), false},
      {"TimeFiveDigitYear", WithTime("10000-01-01T00:00:00.000000Z"), false},
      {"TimeSlashes", WithTime("2023/11/14T22:13:20.123456Z"), false},

      // Checkpoints.
      {"CheckpointWithoutSig", Line(Checkpoint(), kMacHex), false},
      {"CheckpointWithoutPublicKey", Line(Without("public_key", Checkpoint()), kMacSig), false},
      {"CheckpointPublicKey63Hex",
       Line(With("public_key", Q(kHex64.substr(1)), Checkpoint()), kMacSig), false},
      {"CheckpointPublicKeyUppercase",
       Line(With("public_key", Q(std::string(64, 'F')), Checkpoint()), kMacSig), false},
      {"CheckpointPublicKeyNull", Line(With("public_key", "null", Checkpoint()), kMacSig), false},
  };
}

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

class AuditRecordTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(AuditRecordTableTest, ParseLine) {
  const Row& row = GetParam();
  auto parsed = ParseLine(row.line);
  if (!row.accepted) {
    ASSERT_FALSE(parsed.ok()) << "accepted: " << row.line.substr(0, 300);
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest);
    EXPECT_FALSE(parsed.error().message.empty());
    return;
  }
  ASSERT_TRUE(parsed.ok()) << parsed.error().message << ": " << row.line.substr(0, 300);
  // The body is the line up to its authenticators, closed again.
  const std::size_t mac_at = row.line.rfind(",\"mac\":");
  ASSERT_NE(mac_at, std::string::npos);
  EXPECT_EQ(parsed->body, row.line.substr(0, mac_at) + "}");
  EXPECT_GE(parsed->seq, 1u);
  EXPECT_EQ(parsed->mac.has_value(), row.line.find(kMacHex) != std::string::npos);
  EXPECT_EQ(parsed->sig.has_value(), row.line.find(",\"sig\":") != std::string::npos);
  EXPECT_EQ(parsed->public_key.has_value(), parsed->type == "checkpoint");
}

INSTANTIATE_TEST_SUITE_P(AuditRecord, AuditRecordTableTest, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& row) { return row.param.name; });

// A line nested a million levels deep (well-formed, canonical JSON) must
// come back as a result, either way, rather than exhaust the stack. Run in
// a child process so that a crash fails this test only.
TEST(AuditRecordDeathTest, DeeplyNestedLineReturns) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  constexpr std::size_t kDepth = 500'000;
  const std::string line =
      Open(With("x", std::string(kDepth, '[') + std::string(kDepth, ']'))) + kMacNull + "}";
  EXPECT_EXIT(
      {
        auto parsed = ParseLine(line);
        std::exit(parsed.ok() || parsed.error().code == ErrorCode::kInvalidRequest ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

AuditEvent Event(std::int64_t time_us) {
  AuditEvent e;
  e.time_us = time_us;
  e.request_id = "req-1";
  e.principal = "app";
  e.auth = "token:0123456789abcdef";
  e.source = "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = "acme/app";
  e.key_version = 7;
  e.context_digest = kHex64;
  e.decision = "allow";
  e.reason = "ok";
  e.status = 200;
  e.latency_us = 42;
  return e;
}

class AuditRecordTest : public ::testing::Test {
 protected:
  crypto::SecretBytes mac_key_ = FixedKey(1);
  crypto::Ed25519Signer signer_ = FixedSigner();
  AuditKeys keys_{&mac_key_, &signer_};
};

TEST_F(AuditRecordTest, Rfc3339MicrosKnownValues) {
  EXPECT_EQ(Rfc3339Micros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Rfc3339Micros(1), "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(Rfc3339Micros(1'700'000'000'123'456), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(Rfc3339Micros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(Rfc3339Micros(-1'000'000), "1969-12-31T23:59:59.000000Z");
  EXPECT_EQ(Rfc3339Micros(-1'000'001), "1969-12-31T23:59:58.999999Z");
  EXPECT_EQ(Rfc3339Micros(951'782'400'000'000), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(Rfc3339Micros(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(Rfc3339Micros(-30'610'224'000'000'000), "1000-01-01T00:00:00.000000Z");
}

TEST_F(AuditRecordTest, EventRoundTripsEveryField) {
  const std::int64_t times[] = {
      0,
      1,
      -1,
      1'700'000'000'123'456,
      -86'400'000'001,            // 1969-12-30T23:59:59.999999Z
      -2'208'988'800'000'001,     // 1899-12-31T23:59:59.999999Z
      951'782'400'000'000,        // 2000-02-29
      253'402'300'799'999'999,    // 9999-12-31T23:59:59.999999Z
      -30'610'224'000'000'000,    // 1000-01-01T00:00:00.000000Z
      4'102'444'800'000'000 - 1,  // 2099-12-31T23:59:59.999999Z
  };
  ChainState chain;
  chain.next_seq = 41;
  chain.prev = crypto::Sha256({Bytes("before")});
  for (const std::int64_t t : times) {
    SCOPED_TRACE(t);
    AuditEvent e = Event(t);
    e.type = "system";
    e.context = std::map<std::string, std::string>{{"purpose", "caf\xc3\xa9 \"x\"\n"}};
    e.justification_code = "incident";
    e.justification_text = "ticket \xe2\x82\xac 42 / \\ \x01";
    const ChainState before = chain;
    auto line = FormatEventLine(e, keys_, /*sign=*/true, &chain);
    ASSERT_TRUE(line.ok()) << line.error().message;
    // Canonical form is ASCII only.
    for (const char c : *line) {
      ASSERT_TRUE(c >= 0x20 && c < 0x7f) << *line;
    }
    auto parsed = ParseLine(*line);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message << ": " << *line;
    EXPECT_EQ(parsed->seq, before.next_seq);
    EXPECT_EQ(parsed->prev, before.prev);
    EXPECT_EQ(parsed->time_us, t);
    EXPECT_EQ(parsed->type, "system");
    EXPECT_FALSE(parsed->public_key);
    EXPECT_EQ(chain.next_seq, before.next_seq + 1);
    EXPECT_EQ(chain.prev, LineHash(*line));
    ASSERT_TRUE(parsed->mac);
    EXPECT_TRUE(crypto::VerifyHmacSha256(mac_key_, Bytes(parsed->body), *parsed->mac));
    ASSERT_TRUE(parsed->sig);
    EXPECT_TRUE(crypto::VerifyEd25519(signer_.public_key(), Bytes(parsed->body), *parsed->sig));
    EXPECT_EQ(*line, parsed->body.substr(0, parsed->body.size() - 1) + ",\"mac\":\"" +
                         ToHex(*parsed->mac) + "\",\"sig\":\"" + ToHex(*parsed->sig) + "\"}");

    const Json body = Json::parse(parsed->body);
    EXPECT_EQ(body.at("v"), 1);
    EXPECT_EQ(body.at("seq"), before.next_seq);
    EXPECT_EQ(body.at("prev"), ToHex(before.prev));
    EXPECT_EQ(body.at("time"), Rfc3339Micros(t));
    EXPECT_EQ(body.at("type"), "system");
    EXPECT_EQ(body.at("request_id"), e.request_id);
    EXPECT_EQ(body.at("principal"), e.principal);
    EXPECT_EQ(body.at("auth"), e.auth);
    EXPECT_EQ(body.at("source"), e.source);
    EXPECT_EQ(body.at("operation"), e.operation);
    EXPECT_EQ(body.at("key"), e.key);
    EXPECT_EQ(body.at("key_version"), 7);
    EXPECT_EQ(body.at("context_digest"), e.context_digest);
    EXPECT_EQ(body.at("context"), Json(*e.context));
    EXPECT_EQ(body.at("justification").at("reason_code"), "incident");
    EXPECT_EQ(body.at("justification").at("text"), e.justification_text);
    EXPECT_EQ(body.at("decision"), "allow");
    EXPECT_EQ(body.at("reason"), "ok");
    EXPECT_EQ(body.at("status"), 200);
    EXPECT_EQ(body.at("latency_us"), 42);
    EXPECT_EQ(body.size(), 19u);
  }
}

TEST_F(AuditRecordTest, EmptyFieldsAreNull) {
  AuditEvent e;
  e.operation = "unseal";
  e.decision = "allow";
  e.reason = "ok";
  ChainState chain;
  auto line = FormatEventLine(e, keys_, /*sign=*/false, &chain);
  ASSERT_TRUE(line.ok());
  auto parsed = ParseLine(*line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->sig);
  const Json body = Json::parse(parsed->body);
  for (const char* name : {"request_id", "principal", "auth", "source", "key", "key_version",
                           "context_digest", "justification"}) {
    EXPECT_TRUE(body.at(name).is_null()) << name;
  }
  EXPECT_FALSE(body.contains("context"));
}

TEST_F(AuditRecordTest, PrevIsTheHashOfTheLineBefore) {
  ChainState chain;
  EXPECT_EQ(chain.next_seq, 1u);
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i) {
    auto line = i == 2 ? FormatCheckpointLine(1'700'000'000'000'000 + i, "rotate", keys_, &chain)
                       : FormatEventLine(Event(1'700'000'000'000'000 + i), keys_, i == 3, &chain);
    ASSERT_TRUE(line.ok());
    lines.push_back(*line);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto parsed = ParseLine(lines[i]);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->seq, i + 1);
    EXPECT_EQ(parsed->prev, i == 0 ? crypto::Sha256Digest{} : LineHash(lines[i - 1]));
  }
  EXPECT_EQ(chain.next_seq, 5u);
  EXPECT_EQ(chain.prev, LineHash(lines.back()));
  EXPECT_EQ(LineHash(lines[0]), crypto::Sha256({Bytes(lines[0])}));
  EXPECT_NE(LineHash(lines[0]), LineHash(lines[0] + " "));
}

TEST_F(AuditRecordTest, CheckpointRoundTrips) {
  ChainState chain;
  chain.next_seq = 9;
  auto line = FormatCheckpointLine(-1, "shutdown", keys_, &chain);
  ASSERT_TRUE(line.ok());
  auto parsed = ParseLine(*line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->type, "checkpoint");
  EXPECT_EQ(parsed->seq, 9u);
  EXPECT_EQ(parsed->time_us, -1);
  ASSERT_TRUE(parsed->public_key);
  EXPECT_EQ(*parsed->public_key, signer_.public_key());
  ASSERT_TRUE(parsed->mac && parsed->sig);
  EXPECT_TRUE(crypto::VerifyHmacSha256(mac_key_, Bytes(parsed->body), *parsed->mac));
  EXPECT_TRUE(crypto::VerifyEd25519(signer_.public_key(), Bytes(parsed->body), *parsed->sig));
  EXPECT_EQ(Json::parse(parsed->body).at("reason"), "shutdown");
}

TEST_F(AuditRecordTest, SealedRecordHasNullMacAndNoSig) {
  ChainState chain;
  auto line = FormatEventLine(Event(0), AuditKeys{}, /*sign=*/true, &chain);
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE(line->ends_with(",\"mac\":null}")) << *line;
  EXPECT_EQ(line->find("\"sig\""), std::string::npos);
  auto parsed = ParseLine(*line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->mac);
  EXPECT_FALSE(parsed->sig);
  EXPECT_EQ(chain.next_seq, 2u);
  EXPECT_EQ(chain.prev, LineHash(*line));
}

TEST_F(AuditRecordTest, SignWithoutSignerWritesMacOnly) {
  ChainState chain;
  auto line = FormatEventLine(Event(0), AuditKeys{&mac_key_, nullptr}, /*sign=*/true, &chain);
  ASSERT_TRUE(line.ok());
  auto parsed = ParseLine(*line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->mac);
  EXPECT_TRUE(crypto::VerifyHmacSha256(mac_key_, Bytes(parsed->body), *parsed->mac));
  EXPECT_FALSE(parsed->sig);
}

TEST_F(AuditRecordTest, CheckpointWithoutSignerIsSealed) {
  ChainState chain;
  chain.next_seq = 3;
  for (const AuditKeys& keys : {AuditKeys{}, AuditKeys{&mac_key_, nullptr}}) {
    auto line = FormatCheckpointLine(0, "interval", keys, &chain);
    ASSERT_FALSE(line.ok());
    EXPECT_EQ(line.error().code, ErrorCode::kSealed);
  }
  EXPECT_EQ(chain.next_seq, 3u);
  EXPECT_EQ(chain.prev, crypto::Sha256Digest{});
}

TEST_F(AuditRecordTest, InvalidUtf8FieldFailsAndLeavesTheChain) {
  ChainState chain;
  AuditEvent e = Event(0);
  e.principal = "app\xff";
  auto line = FormatEventLine(e, keys_, /*sign=*/true, &chain);
  ASSERT_FALSE(line.ok());
  EXPECT_FALSE(line.error().message.empty());
  EXPECT_EQ(chain.next_seq, 1u);
  EXPECT_EQ(chain.prev, crypto::Sha256Digest{});
}

// Found by fuzzing: an event typed "checkpoint" was written, then refused
// by every reader as a checkpoint without its public key.
TEST_F(AuditRecordTest, AnEventMayNotClaimTheCheckpointType) {
  ChainState chain;
  AuditEvent e = Event(0);
  e.type = "checkpoint";
  for (const AuditKeys& keys : {keys_, AuditKeys{}}) {
    auto line = FormatEventLine(e, keys, /*sign=*/true, &chain);
    ASSERT_FALSE(line.ok());
    EXPECT_EQ(line.error().code, ErrorCode::kInvalidRequest);
  }
  EXPECT_EQ(chain.next_seq, 1u);
  e.type = "checkpoints";  // only the exact word is reserved
  EXPECT_TRUE(FormatEventLine(e, keys_, /*sign=*/true, &chain).ok());
}

// Whatever FormatEventLine formats, ParseLine must accept: Rfc3339Micros
// writes years outside 1000..9999 with other than four digits, which
// ParseTime refuses, so either the formatter must refuse such a time or the
// parser accept it.
TEST_F(AuditRecordTest, FormattedLineAlwaysParses) {
  const std::int64_t times[] = {
      -30'610'224'000'000'001,  // 0999-12-31T23:59:59.999999Z, written "999-12-31..."
      253'402'300'800'000'000,  // 10000-01-01T00:00:00.000000Z
  };
  for (const std::int64_t t : times) {
    ChainState chain;
    auto line = FormatEventLine(Event(t), keys_, /*sign=*/true, &chain);
    if (line.ok()) {
      auto parsed = ParseLine(*line);
      EXPECT_TRUE(parsed.ok()) << Rfc3339Micros(t) << ": " << parsed.error().message;
    }
  }
}

TEST(AuditRecordFileNameTest, RoundTrips) {
  EXPECT_EQ(AuditFileName(1), "audit-00000000000000000001.jsonl");
  EXPECT_EQ(AuditFileName(std::numeric_limits<std::uint64_t>::max()),
            "audit-18446744073709551615.jsonl");
  for (const std::uint64_t seq :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}, std::uint64_t{1'000'000'007},
        std::uint64_t{1} << 63, std::numeric_limits<std::uint64_t>::max() - 1,
        std::numeric_limits<std::uint64_t>::max()}) {
    EXPECT_EQ(FirstSeqOfFileName(AuditFileName(seq)), seq);
  }
  // Names sort in chain order.
  EXPECT_LT(AuditFileName(9), AuditFileName(10));
}

TEST(AuditRecordFileNameTest, RefusesMalformedNames) {
  for (const std::string& name : std::vector<std::string>{
           "",
           "audit-.jsonl",
           "audit-0000000000000000001.jsonl",    // 19 digits
           "audit-000000000000000000001.jsonl",  // 21 digits
           "audit-0000000000000000000a.jsonl",
           "audit-0000000000000000000A.jsonl",
           "audit-+0000000000000000001.jsonl",
           "audit--0000000000000000001.jsonl",
           "audit- 0000000000000000001.jsonl",
           "audit-18446744073709551616.jsonl",  // 2^64
           "audit-99999999999999999999.jsonl",
           "audit-20000000000000000000.jsonl",
           "Audit-00000000000000000001.jsonl",
           "audit_00000000000000000001.jsonl",
           "xaudit-0000000000000000001.jsonl",
           "audit-00000000000000000001.json",
           "audit-00000000000000000001.jsonL",
           "audit-00000000000000000001.jsonlx",
           "audit-00000000000000000001.jsonl.gz",
           "audit-00000000000000000001.jsonl ",
           "audit-00000000000000000001.jsonl\n",
           std::string("audit-0000000000000000000\0.jsonl", 32),
       }) {
    EXPECT_EQ(FirstSeqOfFileName(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace keyhold::kms
