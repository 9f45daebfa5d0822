#include "kms/xks/sigv4.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <span>

#include "crypto/hex.h"
#include "crypto/hmac.h"
#include "crypto/secret_bytes.h"
#include "crypto/sha256.h"

namespace keyhold::kms::xks {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminal = "aws4_request";
constexpr std::string_view kDateHeader = "x-amz-date";
constexpr std::string_view kHostHeader = "host";
constexpr std::string_view kContentTypeHeader = "content-type";
constexpr std::string_view kContentHashHeader = "x-amz-content-sha256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::size_t kMaxAccessKeyIdSize = 128;
constexpr std::size_t kMaxScopeFieldSize = 64;
constexpr std::size_t kMaxHeaderNameSize = 64;
constexpr std::size_t kMaxMethodSize = 16;
constexpr std::int64_t kSecondsPerDay = 86400;

// Every message below is fixed text: none quotes the request, the secret or
// what the signature should have been.
Error Refuse(std::string_view message) {
  return MakeError(ErrorCode::kUnauthenticated, std::string(message));
}

// AsInvalidRequest turns a verifier's refusal into Sign's caller error.
Error AsInvalidRequest(Error error) {
  if (error.code == ErrorCode::kUnauthenticated) {
    error.code = ErrorCode::kInvalidRequest;
  }
  return error;
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsAlnum(char c) {
  return IsDigit(c) || IsLower(c) || IsUpper(c);
}
bool IsUpperHex(char c) {
  return IsDigit(c) || (c >= 'A' && c <= 'F');
}
bool IsPrintableAscii(char c) {
  return c >= 0x20 && c <= 0x7e;
}
bool IsScopeChar(char c) {
  return IsLower(c) || IsDigit(c) || c == '-';
}
// RFC 3986 unreserved: the only bytes a path or query may hold unencoded.
bool IsUnreserved(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsPathChar(char c) {
  return IsUnreserved(c) || c == '/';
}
// An RFC 9110 token character, upper-case letters excluded.
bool IsLowerTokenChar(char c) {
  return IsLower(c) || IsDigit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
char ToLower(char c) {
  return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

// Spelled reports whether `s` is `min` to `max` characters, all passing `pred`.
template <class Pred>
bool Spelled(std::string_view s, std::size_t min, std::size_t max, Pred pred) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), pred);
}

// SameName compares a field name as sent with a lower-case one.
bool SameName(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && std::equal(name.begin(), name.end(), lower.begin(),
                                                   [](char a, char b) { return ToLower(a) == b; });
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == separator) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  return s;
}

// DecimalValue returns the number spelled by `digits`, or nullopt if a
// character is not a decimal digit.
std::optional<int> DecimalValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (!IsDigit(c)) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

// DaysSinceEpoch returns the days from 1970-01-01 to `date` (yyyymmdd, a real
// proleptic Gregorian date), or nullopt.
std::optional<std::int64_t> DaysSinceEpoch(std::string_view date) {
  if (date.size() != 8) {
    return std::nullopt;
  }
  const auto y = DecimalValue(date.substr(0, 4));
  const auto m = DecimalValue(date.substr(4, 2));
  const auto d = DecimalValue(date.substr(6, 2));
  if (!y || !m || !d) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::int64_t{std::chrono::sys_days{ymd}.time_since_epoch().count()};
}

void AppendDecimal(std::string& out, long long value, int width) {
  std::string digits(static_cast<std::size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out += digits;
}

// AppendCanonicalValue appends `value` trimmed of spaces and tabs, each inner
// run of them collapsed to one space. False if the value holds a control
// character (a line break would forge a line of the canonical request).
bool AppendCanonicalValue(std::string& out, std::string_view value) {
  bool any = false;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = any;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
    any = true;
  }
  return true;
}

// CheckFields applies the per-field rules of SigV4Authorization.
Status CheckFields(const SigV4Authorization& auth) {
  if (!Spelled(auth.access_key_id, 1, kMaxAccessKeyIdSize, IsAlnum)) {
    return Refuse("access key id is malformed");
  }
  if (!DaysSinceEpoch(auth.scope_date)) {
    return Refuse("credential scope date is not a valid date");
  }
  if (!Spelled(auth.region, 1, kMaxScopeFieldSize, IsScopeChar)) {
    return Refuse("credential scope region is malformed");
  }
  if (!Spelled(auth.service, 1, kMaxScopeFieldSize, IsScopeChar)) {
    return Refuse("credential scope service is malformed");
  }
  const auto& names = auth.signed_headers;
  if (names.size() > kSigV4MaxSignedHeaders) {
    return Refuse("authorization header signs more than 32 headers");
  }
  if (names.empty() || !std::all_of(names.begin(), names.end(), [](const std::string& name) {
        return Spelled(name, 1, kMaxHeaderNameSize, IsLowerTokenChar);
      })) {
    return Refuse("signed header list is malformed");
  }
  if (std::adjacent_find(names.begin(), names.end(), std::greater_equal<>()) != names.end()) {
    return Refuse("signed header list is not sorted and unique");
  }
  if (!std::binary_search(names.begin(), names.end(), kHostHeader)) {
    return Refuse("signed header list lacks host");
  }
  if (!std::binary_search(names.begin(), names.end(), kDateHeader)) {
    return Refuse("signed header list lacks the request date");
  }
  return Status::Ok();
}

// FieldValue returns the canonical value of the fields named `lower` (joined
// with ',' when repeated) and how many there were; an error if a value holds
// a control character.
struct Field {
  std::string value;
  std::size_t count = 0;
};
Result<Field> FieldValue(const SigV4Request& request, std::string_view lower) {
  Field field;
  for (const auto& [name, value] : request.headers) {
    if (!SameName(name, lower)) {
      continue;
    }
    if (field.count++ > 0) {
      field.value += ',';
    }
    if (!AppendCanonicalValue(field.value, value)) {
      return Refuse("a signed header value holds a control character");
    }
  }
  return field;
}

// RequestDate returns the canonical value of the request's one x-amz-date.
Result<std::string> RequestDate(const SigV4Request& request) {
  KEYHOLD_ASSIGN_OR_RETURN(Field date, FieldValue(request, kDateHeader));
  if (date.count == 0) {
    return Refuse("request has no x-amz-date header");
  }
  if (date.count > 1) {
    return Refuse("request has more than one x-amz-date header");
  }
  return std::move(date.value);
}

// IsQueryText: unreserved characters and %XX escapes (upper-case hex, as the
// canonical form spells them), so that the bytes as sent are the canonical
// bytes.
bool IsQueryText(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (IsUnreserved(s[i])) {
      continue;
    }
    if (s[i] != '%' || i + 2 >= s.size() || !IsUpperHex(s[i + 1]) || !IsUpperHex(s[i + 2])) {
      return false;
    }
    i += 2;
  }
  return true;
}

Result<std::string> CanonicalQuery(std::string_view query) {
  std::string out;
  if (query.empty()) {
    return out;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (std::string_view piece : Split(query, '&')) {
    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
    if (name.empty() || !IsQueryText(name) || !IsQueryText(value)) {
      return Refuse("request query is malformed");
    }
    pairs.emplace_back(name, value);
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) {
      out += '&';
    }
    out.append(name).append("=").append(value);
  }
  return out;
}

// CanonicalRequest builds the canonical request of `request` over
// `signed_headers` (checked by CheckFields).
Result<std::string> CanonicalRequest(const SigV4Request& request,
                                     const std::vector<std::string>& signed_headers) {
  std::string headers;
  std::string signed_list;
  std::optional<std::string> content_hash;
  for (const std::string& name : signed_headers) {
    KEYHOLD_ASSIGN_OR_RETURN(Field field, FieldValue(request, name));
    if (field.count == 0) {
      return Refuse("a signed header is missing from the request");
    }
    if (field.count > 1 && (name == kHostHeader || name == kDateHeader)) {
      return Refuse("request repeats a header that must be unique");
    }
    if (name == kContentHashHeader) {
      content_hash = field.value;
    }
    headers.append(name).append(":").append(field.value).append("\n");
    if (!signed_list.empty()) {
      signed_list += ';';
    }
    signed_list += name;
  }
  if (!Spelled(request.method, 1, kMaxMethodSize, IsUpper)) {
    return Refuse("request method is malformed");
  }
  if (request.path.empty() || request.path.front() != '/' ||
      !std::all_of(request.path.begin(), request.path.end(), IsPathChar)) {
    return Refuse("request path holds characters other than unreserved ones and '/'");
  }
  KEYHOLD_ASSIGN_OR_RETURN(const std::string query, CanonicalQuery(request.query));
  const std::string body_hash = crypto::HexEncode(crypto::Sha256({Bytes(request.body)}));
  // The body is hashed whatever the header says: UNSIGNED-PAYLOAD is
  // tolerated as a value, never as a reason to leave the body unsigned.
  if (content_hash && *content_hash != kUnsignedPayload && *content_hash != body_hash) {
    return Refuse("payload hash header does not match the body");
  }
  std::string out;
  out.append(request.method).append("\n");
  out.append(request.path).append("\n");
  out.append(query).append("\n");
  out.append(headers).append("\n");
  out.append(signed_list).append("\n");
  out.append(body_hash);
  return out;
}

// Derive returns HMAC-SHA-256(key, message) in guarded memory.
Result<crypto::SecretBytes> Derive(const crypto::SecretBytes& key, std::string_view message) {
  KEYHOLD_ASSIGN_OR_RETURN(crypto::HmacTag tag, crypto::HmacSha256(key, Bytes(message)));
  auto next = crypto::SecretBytes::CopyFrom(tag);
  crypto::Wipe(tag);
  return next;
}

// ComputeSignature signs `canonical_request` under the key derived from
// `secret` for the scope of `auth` (whose signature it ignores).
Result<crypto::HmacTag> ComputeSignature(std::string_view canonical_request,
                                         const SigV4Authorization& auth, std::string_view amz_date,
                                         std::string_view secret) {
  std::string string_to_sign;
  string_to_sign.append(kAlgorithm).append("\n").append(amz_date).append("\n");
  string_to_sign.append(auth.scope_date).append("/").append(auth.region).append("/");
  string_to_sign.append(auth.service).append("/").append(kTerminal).append("\n");
  string_to_sign.append(crypto::HexEncode(crypto::Sha256({Bytes(canonical_request)})));

  constexpr std::string_view kKeyPrefix = "AWS4";
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                           crypto::SecretBytes::Allocate(kKeyPrefix.size() + secret.size()));
  const auto raw = key.RevealMutable(crypto::SecretAccess::Get());
  std::copy(secret.begin(), secret.end(),
            std::copy(kKeyPrefix.begin(), kKeyPrefix.end(), raw.begin()));
  for (std::string_view step : {std::string_view(auth.scope_date), std::string_view(auth.region),
                                std::string_view(auth.service), kTerminal}) {
    KEYHOLD_ASSIGN_OR_RETURN(key, Derive(key, step));
  }
  return crypto::HmacSha256(key, Bytes(string_to_sign));
}

std::string SkewMessage(std::int64_t max_skew_s) {
  std::string out = "request date is more than ";
  if (max_skew_s >= 60 && max_skew_s % 60 == 0) {
    out += std::to_string(max_skew_s / 60);
    out += max_skew_s == 60 ? " minute" : " minutes";
  } else {
    out += std::to_string(max_skew_s);
    out += max_skew_s == 1 ? " second" : " seconds";
  }
  return out + " from the server's time";
}

// The range FormatAmzDate can spell: 0000-01-01T00:00:00Z to
// 9999-12-31T23:59:59Z.
constexpr std::int64_t kMinAmzTime =
    std::chrono::sys_days{std::chrono::year{0} / 1 / 1}.time_since_epoch().count() * kSecondsPerDay;
constexpr std::int64_t kMaxAmzTime =
    std::chrono::sys_days{std::chrono::year{9999} / 12 / 31}.time_since_epoch().count() *
        kSecondsPerDay +
    kSecondsPerDay - 1;

}  // namespace

Result<SigV4Authorization> ParseAuthorization(std::string_view header) {
  if (header.size() > kSigV4MaxAuthorizationSize) {
    return Refuse("authorization header is longer than 2048 bytes");
  }
  if (!std::all_of(header.begin(), header.end(), IsPrintableAscii)) {
    return Refuse("authorization header holds a byte outside printable ASCII");
  }
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    return Refuse("authorization header does not name the supported algorithm");
  }
  std::string_view rest = SkipSpaces(header.substr(kAlgorithm.size()));
  std::string_view credential;
  std::string_view signed_headers;
  std::string_view signature;
  bool seen[3] = {false, false, false};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      rest = SkipSpaces(rest);
      if (rest.empty()) {
        return Refuse("authorization header lacks a component");
      }
      if (rest.front() != ',') {
        return Refuse("authorization header components are not separated by commas");
      }
      rest = SkipSpaces(rest.substr(1));
    }
    if (rest.empty()) {
      return Refuse("authorization header lacks a component");
    }
    const std::size_t end = std::min(rest.find_first_of(", "), rest.size());
    const std::string_view component = rest.substr(0, end);
    rest.remove_prefix(end);
    const std::size_t eq = component.find('=');
    if (eq == std::string_view::npos) {
      return Refuse("authorization header has a malformed component");
    }
    const std::string_view name = component.substr(0, eq);
    int slot = -1;
    if (name == "Credential") {
      slot = 0;
      credential = component.substr(eq + 1);
    } else if (name == "SignedHeaders") {
      slot = 1;
      signed_headers = component.substr(eq + 1);
    } else if (name == "Signature") {
      slot = 2;
      signature = component.substr(eq + 1);
    } else {
      return Refuse("authorization header has an unknown component");
    }
    if (seen[slot]) {
      return Refuse("authorization header repeats a component");
    }
    seen[slot] = true;
  }
  if (!rest.empty()) {
    return Refuse("authorization header has trailing data");
  }

  SigV4Authorization auth;
  if (std::count(credential.begin(), credential.end(), '/') != 4) {
    return Refuse("credential does not have five parts");
  }
  const std::vector<std::string_view> parts = Split(credential, '/');
  if (parts[4] != kTerminal) {
    return Refuse("credential scope has the wrong terminator");
  }
  auth.access_key_id = parts[0];
  auth.scope_date = parts[1];
  auth.region = parts[2];
  auth.service = parts[3];
  if (static_cast<std::size_t>(std::count(signed_headers.begin(), signed_headers.end(), ';')) >=
      kSigV4MaxSignedHeaders) {
    return Refuse("authorization header signs more than 32 headers");
  }
  for (std::string_view name : Split(signed_headers, ';')) {
    auth.signed_headers.emplace_back(name);
  }
  if (signature.size() != 2 * auth.signature.size()) {
    return Refuse("signature is not 64 lower-case hex digits");
  }
  for (std::size_t i = 0; i < auth.signature.size(); ++i) {
    int byte = 0;
    for (char c : signature.substr(2 * i, 2)) {
      if (IsDigit(c)) {
        byte = byte * 16 + (c - '0');
      } else if (c >= 'a' && c <= 'f') {
        byte = byte * 16 + (c - 'a' + 10);
      } else {
        return Refuse("signature is not 64 lower-case hex digits");
      }
    }
    auth.signature[i] = static_cast<std::uint8_t>(byte);
  }
  KEYHOLD_TRY(CheckFields(auth));
  // Spelled canonically (", " between components) the header must fit too,
  // so that whatever parses can be formatted and parsed again.
  if (FormatAuthorization(auth).size() > kSigV4MaxAuthorizationSize) {
    return Refuse("authorization header is longer than 2048 bytes");
  }
  return auth;
}

std::string FormatAuthorization(const SigV4Authorization& auth) {
  std::string out(kAlgorithm);
  out.append(" Credential=").append(auth.access_key_id).append("/").append(auth.scope_date);
  out.append("/").append(auth.region).append("/").append(auth.service).append("/");
  out.append(kTerminal).append(", SignedHeaders=");
  for (std::size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i > 0) {
      out += ';';
    }
    out += auth.signed_headers[i];
  }
  out.append(", Signature=").append(crypto::HexEncode(auth.signature));
  return out;
}

Result<std::int64_t> ParseAmzDate(std::string_view value) {
  if (value.size() != 16 || value[8] != 'T' || value[15] != 'Z') {
    return Refuse("request date is not a valid date and time");
  }
  const auto days = DaysSinceEpoch(value.substr(0, 8));
  const auto hours = DecimalValue(value.substr(9, 2));
  const auto minutes = DecimalValue(value.substr(11, 2));
  const auto seconds = DecimalValue(value.substr(13, 2));
  if (!days || !hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59) {
    return Refuse("request date is not a valid date and time");
  }
  return *days * kSecondsPerDay + *hours * 3600 + *minutes * 60 + *seconds;
}

Result<std::string> FormatAmzDate(std::int64_t unix_seconds) {
  if (unix_seconds < kMinAmzTime || unix_seconds > kMaxAmzTime) {
    return MakeError(ErrorCode::kInvalidRequest, "time is outside years 0000 to 9999");
  }
  // Floor division: times before 1970 belong to the day before.
  std::int64_t days = unix_seconds / kSecondsPerDay;
  std::int64_t seconds = unix_seconds % kSecondsPerDay;
  if (seconds < 0) {
    days -= 1;
    seconds += kSecondsPerDay;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  std::string out;
  AppendDecimal(out, static_cast<int>(ymd.year()), 4);
  AppendDecimal(out, static_cast<unsigned>(ymd.month()), 2);
  AppendDecimal(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  AppendDecimal(out, seconds / 3600, 2);
  AppendDecimal(out, seconds / 60 % 60, 2);
  AppendDecimal(out, seconds % 60, 2);
  out += 'Z';
  return out;
}

Status Verify(const SigV4Request& request, const SigV4Authorization& auth, std::string_view secret,
              const SigV4Expectation& expect) {
  KEYHOLD_TRY(CheckFields(auth));
  if (auth.service != expect.service) {
    return Refuse("credential scope service is not accepted");
  }
  if (std::find(expect.regions.begin(), expect.regions.end(), auth.region) ==
      expect.regions.end()) {
    return Refuse("credential scope region is not accepted");
  }
  KEYHOLD_ASSIGN_OR_RETURN(const std::string amz_date, RequestDate(request));
  KEYHOLD_ASSIGN_OR_RETURN(const std::int64_t when, ParseAmzDate(amz_date));
  // xks-spec.md section 5: "requests more than 5 minutes in the past or
  // future SHOULD fail authentication" (max_skew_s, 300 by default).
  // Unsigned arithmetic gives the exact distance between any two int64s.
  const std::uint64_t distance =
      when < expect.now ? static_cast<std::uint64_t>(expect.now) - static_cast<std::uint64_t>(when)
                        : static_cast<std::uint64_t>(when) - static_cast<std::uint64_t>(expect.now);
  const std::int64_t max_skew_s = std::max<std::int64_t>(expect.max_skew_s, 0);
  if (distance > static_cast<std::uint64_t>(max_skew_s)) {
    return Refuse(SkewMessage(max_skew_s));
  }
  if (std::string_view(amz_date).substr(0, 8) != auth.scope_date) {
    return Refuse("credential scope date is not the request's date");
  }
  if (secret.empty()) {
    return Refuse("access key has no secret");
  }
  KEYHOLD_ASSIGN_OR_RETURN(const std::string canonical,
                           CanonicalRequest(request, auth.signed_headers));
  KEYHOLD_ASSIGN_OR_RETURN(const crypto::HmacTag expected,
                           ComputeSignature(canonical, auth, amz_date, secret));
  if (!crypto::ConstantTimeEquals(expected, auth.signature)) {
    return Refuse("signature does not match");
  }
  return Status::Ok();
}

Result<std::string> Sign(const SigV4Request& request, std::string_view access_key_id,
                         std::string_view secret, std::string_view region, std::string_view service,
                         std::string_view amz_date) {
  if (secret.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "secret is empty");
  }
  auto when = ParseAmzDate(amz_date);
  if (!when.ok()) {
    return AsInvalidRequest(when.error());
  }
  SigV4Authorization auth;
  auth.access_key_id = access_key_id;
  auth.scope_date = amz_date.substr(0, 8);
  auth.region = region;
  auth.service = service;
  auto content_type = FieldValue(request, kContentTypeHeader);
  if (!content_type.ok()) {
    return AsInvalidRequest(content_type.error());
  }
  if (content_type->count > 0) {
    auth.signed_headers.emplace_back(kContentTypeHeader);
  }
  auth.signed_headers.emplace_back(kHostHeader);
  auth.signed_headers.emplace_back(kDateHeader);
  if (Status fields = CheckFields(auth); !fields.ok()) {
    return AsInvalidRequest(fields.error());
  }
  auto date = RequestDate(request);
  if (!date.ok()) {
    return AsInvalidRequest(date.error());
  }
  if (*date != amz_date) {
    return MakeError(ErrorCode::kInvalidRequest, "request's x-amz-date differs from amz_date");
  }
  auto canonical = CanonicalRequest(request, auth.signed_headers);
  if (!canonical.ok()) {
    return AsInvalidRequest(canonical.error());
  }
  KEYHOLD_ASSIGN_OR_RETURN(auth.signature, ComputeSignature(*canonical, auth, amz_date, secret));
  return FormatAuthorization(auth);
}

}  // namespace keyhold::kms::xks
