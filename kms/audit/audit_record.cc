#include "kms/audit/audit_record.h"

#include <sodium.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "crypto/hex.h"

namespace keyhold::kms {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kMacField = ",\"mac\":";
constexpr std::string_view kSigField = ",\"sig\":\"";
constexpr std::size_t kMacHex = 64;
constexpr std::size_t kSigHex = 128;
constexpr int kMaxDepth = 4;

struct DepthExceeded {};

// Audit times have four-digit years, the only ones the format spells.
constexpr std::int64_t kMinTimeUs = -30'610'224'000'000'000;  // 1000-01-01T00:00:00Z
constexpr std::int64_t kMaxTimeUs = 253'402'300'799'999'999;  // 9999-12-31T23:59:59.999999Z

bool TimeInRange(std::int64_t us) {
  return us >= kMinTimeUs && us <= kMaxTimeUs;
}

// Lowercase hex of exactly 2*N digits.
template <std::size_t N>
bool FromHex(std::string_view hex, std::array<std::uint8_t, N>* out) {
  if (hex.size() != 2 * N) {
    return false;
  }
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  std::size_t len = 0;
  return sodium_hex2bin(out->data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 &&
         len == N;
}

Json OrNull(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}

// Canonical form: nlohmann sorts object keys, and ASCII-only output leaves
// one spelling for every string.
std::string Dump(const Json& body) {
  return body.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::strict);
}

Result<std::string> Finish(Json body, const AuditKeys& keys, bool sign, ChainState* chain) {
  body["v"] = kAuditFormatVersion;
  body["seq"] = chain->next_seq;
  body["prev"] = crypto::HexEncode(chain->prev);
  std::string b;
  try {
    b = Dump(body);
  } catch (const Json::exception&) {
    return MakeError(ErrorCode::kInternal, "an audit field is not valid UTF-8");
  }
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(b.data()),
                                            b.size());
  std::string line(b, 0, b.size() - 1);
  line += kMacField;
  if (keys.mac_key != nullptr) {
    KEYHOLD_ASSIGN_OR_RETURN(crypto::HmacTag mac, crypto::HmacSha256(*keys.mac_key, bytes));
    line += "\"" + crypto::HexEncode(mac) + "\"";
  } else {
    line += "null";
  }
  if (sign && keys.signer != nullptr) {
    line += std::string(kSigField) + crypto::HexEncode(keys.signer->Sign(bytes)) + "\"";
  }
  line += "}";
  chain->next_seq++;
  chain->prev = LineHash(line);
  return line;
}

bool ParseTime(std::string_view text, std::int64_t* us) {
  // "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", exactly.
  if (text.size() != 27 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[26] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25}) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
  }
  const auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = v * 10 + (text[at + i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return false;
  }
  *us = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000 + num(20, 6);
  // timegm normalises (February 30 becomes March 2): only a time that
  // renders back to the same text is a real one.
  return TimeInRange(*us) && Rfc3339Micros(*us) == text;
}

Error Bad(const std::string& what) {
  return MakeError(ErrorCode::kInvalidRequest, what);
}

}  // namespace

std::string Rfc3339Micros(std::int64_t unix_us) {
  // Floor division without overflow at the ends of the range.
  const std::int64_t floor_s = unix_us / 1'000'000 - (unix_us % 1'000'000 < 0 ? 1 : 0);
  const std::time_t t = static_cast<std::time_t>(floor_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  const std::int64_t rem = unix_us % 1'000'000;
  std::snprintf(buf + n, sizeof(buf) - n, ".%06lldZ",
                static_cast<long long>(rem < 0 ? rem + 1'000'000 : rem));
  return buf;
}

std::optional<std::int64_t> ParseAuditTime(std::string_view text) {
  std::string full(text);
  if (full.size() == 10) {
    full += "T00:00:00.000000Z";
  } else if (full.size() == 20 && full.back() == 'Z') {
    full.insert(19, ".000000");
  }
  std::int64_t us = 0;
  if (!ParseTime(full, &us)) {
    return std::nullopt;
  }
  return us;
}

crypto::Sha256Digest LineHash(std::string_view line) {
  return crypto::Sha256({{reinterpret_cast<const std::uint8_t*>(line.data()), line.size()}});
}

Result<std::string> FormatEventLine(const AuditEvent& e, const AuditKeys& keys, bool sign,
                                    ChainState* chain) {
  if (!TimeInRange(e.time_us)) {
    return MakeError(ErrorCode::kInvalidRequest, "an audit time must lie in the years 1000-9999");
  }
  // A reader takes any line of this type for a signed checkpoint (and
  // refuses it without one's public key): an event may not claim it.
  if (e.type == "checkpoint") {
    return MakeError(ErrorCode::kInvalidRequest, "\"checkpoint\" is not an event type");
  }
  Json body = Json::object();
  body["time"] = Rfc3339Micros(e.time_us);
  body["type"] = e.type;
  body["request_id"] = OrNull(e.request_id);
  body["principal"] = OrNull(e.principal);
  body["auth"] = OrNull(e.auth);
  body["source"] = OrNull(e.source);
  body["operation"] = e.operation;
  body["key"] = OrNull(e.key);
  body["key_version"] = e.key_version ? Json(*e.key_version) : Json(nullptr);
  body["context_digest"] = OrNull(e.context_digest);
  if (e.context) {
    body["context"] = *e.context;
  }
  body["justification"] = e.justification_code.empty() ? Json(nullptr)
                                                       : Json{{"reason_code", e.justification_code},
                                                              {"text", e.justification_text}};
  if (!e.policy.empty()) {
    body["policy"] = e.policy;
  }
  if (!e.access_request.empty()) {
    body["access_request"] = e.access_request;
  }
  if (e.approval) {
    body["approval"] = Json{{"officer", e.approval->officer},
                            {"public_key", e.approval->public_key},
                            {"text", e.approval->text},
                            {"signature", e.approval->signature}};
  }
  if (e.officer_key) {
    body["officer_key"] =
        Json{{"officer", e.officer_key->first}, {"public_key", e.officer_key->second}};
  }
  if (e.xks) {
    body["xks"] = Json{{"key_store", e.xks->key_store},
                       {"external_key_id", OrNull(e.xks->external_key_id)},
                       {"kms_request_id", OrNull(e.xks->kms_request_id)},
                       {"kms_operation", OrNull(e.xks->kms_operation)},
                       {"kms_key_arn", OrNull(e.xks->kms_key_arn)}};
  }
  body["decision"] = e.decision;
  body["reason"] = e.reason;
  body["status"] = e.status;
  body["latency_us"] = e.latency_us;
  return Finish(std::move(body), keys, sign, chain);
}

Result<std::string> FormatCheckpointLine(std::int64_t time_us, std::string_view reason,
                                         const AuditKeys& keys, ChainState* chain) {
  if (keys.signer == nullptr) {
    return MakeError(ErrorCode::kSealed, "a checkpoint needs the unsealed signing key");
  }
  if (!TimeInRange(time_us)) {
    return MakeError(ErrorCode::kInvalidRequest, "an audit time must lie in the years 1000-9999");
  }
  Json body = Json::object();
  body["time"] = Rfc3339Micros(time_us);
  body["type"] = "checkpoint";
  body["reason"] = std::string(reason);
  body["public_key"] = crypto::HexEncode(keys.signer->public_key());
  return Finish(std::move(body), keys, /*sign=*/true, chain);
}

Result<ParsedLine> ParseLine(std::string_view line) {
  ParsedLine out;
  // Authenticators first, from the end: [,"sig":"<128>"] } after ,"mac":...
  if (line.size() < 2 || line.back() != '}') {
    return Bad("the record is cut short");
  }
  std::string_view rest = line.substr(0, line.size() - 1);
  if (rest.size() > kSigField.size() + kSigHex + 1 && rest.back() == '"' &&
      rest.substr(rest.size() - kSigHex - 1 - kSigField.size(), kSigField.size()) == kSigField) {
    crypto::Ed25519Signature sig{};
    if (!FromHex(rest.substr(rest.size() - kSigHex - 1, kSigHex), &sig)) {
      return Bad("the signature is malformed");
    }
    out.sig = sig;
    rest.remove_suffix(kSigField.size() + kSigHex + 1);
  }
  if (rest.size() >= kMacField.size() + 4 && rest.substr(rest.size() - 4) == "null" &&
      rest.substr(rest.size() - 4 - kMacField.size(), kMacField.size()) == kMacField) {
    rest.remove_suffix(kMacField.size() + 4);
  } else if (rest.size() >= kMacField.size() + kMacHex + 2 && rest.back() == '"' &&
             rest.substr(rest.size() - kMacHex - 2 - kMacField.size(), kMacField.size()) ==
                 kMacField &&
             rest[rest.size() - kMacHex - 2] == '"') {
    crypto::HmacTag mac{};
    if (!FromHex(rest.substr(rest.size() - kMacHex - 1, kMacHex), &mac)) {
      return Bad("the mac is malformed");
    }
    out.mac = mac;
    rest.remove_suffix(kMacField.size() + kMacHex + 2);
  } else {
    return Bad("the record has no mac field at its end");
  }
  // B is what is left, closed again.
  if (rest.empty() || rest.front() != '{') {
    return Bad("the record is not a JSON object");
  }
  std::string b(rest);
  b += '}';
  // A record nests three levels at most (body, context, justification); a
  // deeper line is refused while parsing, before nlohmann's recursive
  // destructor and serializer could run out of stack on it.
  Json body;
  try {
    body = Json::parse(b, [](int depth, Json::parse_event_t event, Json&) {
      if ((event == Json::parse_event_t::object_start ||
           event == Json::parse_event_t::array_start) &&
          depth >= kMaxDepth) {
        throw DepthExceeded{};
      }
      return true;
    });
  } catch (const DepthExceeded&) {
    return Bad("the record nests too deep");
  } catch (const Json::exception&) {
    return Bad("the record is not valid JSON");
  }
  if (!body.is_object() || Dump(body) != b) {
    return Bad("the record is not in canonical form");
  }
  out.body = std::move(b);
  const auto get = [&](const char* name) -> const Json* {
    auto it = body.find(name);
    return it == body.end() ? nullptr : &*it;
  };
  const Json* v = get("v");
  const Json* seq = get("seq");
  const Json* prev = get("prev");
  const Json* type = get("type");
  const Json* time = get("time");
  if (v == nullptr || !v->is_number_unsigned() || *v != kAuditFormatVersion) {
    return Bad("unknown record format version");
  }
  if (seq == nullptr || !seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0) {
    return Bad("the record has no valid seq");
  }
  if (prev == nullptr || !prev->is_string() || !FromHex(prev->get<std::string>(), &out.prev)) {
    return Bad("the record has no valid prev");
  }
  if (type == nullptr || !type->is_string()) {
    return Bad("the record has no type");
  }
  if (time == nullptr || !time->is_string() || !ParseTime(time->get<std::string>(), &out.time_us)) {
    return Bad("the record has no valid time");
  }
  out.seq = seq->get<std::uint64_t>();
  out.type = type->get<std::string>();
  if (out.type == "checkpoint") {
    const Json* pk = get("public_key");
    crypto::Ed25519PublicKey key{};
    if (pk == nullptr || !pk->is_string() || !FromHex(pk->get<std::string>(), &key)) {
      return Bad("the checkpoint has no valid public_key");
    }
    out.public_key = key;
    if (const Json* reason = get("reason"); reason != nullptr && reason->is_string()) {
      out.checkpoint_reason = reason->get<std::string>();
    }
    if (!out.sig) {
      return Bad("the checkpoint is not signed");
    }
  }
  return out;
}

}  // namespace keyhold::kms
