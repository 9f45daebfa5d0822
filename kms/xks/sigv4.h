// SigV4: AWS Signature Version 4 (AWS4-HMAC-SHA256) as the XKS proxy
// front-end checks it (xks-spec.md section 5): AWS KMS signs every call with
// an access key id and secret configured for the external key store, over
// service "kms-xks-proxy". Parsing is strict and bounded, the signature is
// compared in constant time, and the derived signing keys live in SecretBytes.
//
// Pure: no I/O, no clock (the caller passes the time). Thread-safe (no state).
// May include: crypto/, std.
#ifndef KEYHOLD_KMS_XKS_SIGV4_H_
#define KEYHOLD_KMS_XKS_SIGV4_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/error.h"

namespace keyhold::kms::xks {

// The longest Authorization header ParseAuthorization reads, and the most
// headers it lets a request sign.
inline constexpr std::size_t kSigV4MaxAuthorizationSize = 2048;
inline constexpr std::size_t kSigV4MaxSignedHeaders = 32;

// SigV4Authorization is a parsed Authorization header. Every field has passed
// the rule in its comment; the access key id is only checked for shape, so
// the caller looks it up to find the secret.
struct SigV4Authorization {
  std::string access_key_id;                // 1-128 of [A-Za-z0-9]
  std::string scope_date;                   // yyyymmdd, a real calendar date
  std::string region;                       // 1-64 of [a-z0-9-]
  std::string service;                      // 1-64 of [a-z0-9-]
  std::vector<std::string> signed_headers;  // 1-32 lower-case field names, sorted,
                                            // unique, with "host" and "x-amz-date"
  std::array<std::uint8_t, 32> signature{};

  friend bool operator==(const SigV4Authorization&, const SigV4Authorization&) = default;
};

// ParseAuthorization parses "AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/
// service/aws4_request, SignedHeaders=a;b, Signature=<64 lower-case hex>".
// The three components may come in any order, each exactly once, separated by
// "," with optional spaces around it; nothing else is tolerated (no leading
// or trailing space, no tab, no byte outside printable ASCII). A header longer
// than kSigV4MaxAuthorizationSize, as sent or as FormatAuthorization spells
// it, or signing more than kSigV4MaxSignedHeaders headers is refused. Every failure is
// kUnauthenticated, with a fixed message that never quotes the header.
Result<SigV4Authorization> ParseAuthorization(std::string_view header);

// FormatAuthorization returns the canonical spelling of `auth` (the one
// AWS SDKs, curl and Sign produce: ", " between components, in the order
// above). ParseAuthorization(FormatAuthorization(a)) == a for a parsed `a`.
std::string FormatAuthorization(const SigV4Authorization& auth);

// ParseAmzDate parses an X-Amz-Date value "YYYYMMDDTHHMMSSZ" (UTC, a real
// Gregorian date, hours 00-23, no leap second) to Unix seconds. Any other
// text is kUnauthenticated.
Result<std::int64_t> ParseAmzDate(std::string_view value);

// FormatAmzDate returns the X-Amz-Date spelling of `unix_seconds`, or
// kInvalidRequest outside years 0000-9999.
Result<std::string> FormatAmzDate(std::int64_t unix_seconds);

// SigV4Request is what the transport saw. The views must outlive the call.
struct SigV4Request {
  std::string_view method;  // "POST"
  std::string_view path;    // as sent, without the query
  std::string_view query;   // as sent, without '?'; XKS sends none
  // Every header field in arrival order: names in any case, values as sent.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
};

// SigV4Expectation is what the verifier requires of a request.
struct SigV4Expectation {
  std::string_view service;          // "kms-xks-proxy"
  std::vector<std::string> regions;  // the accepted credential scope regions
  std::int64_t now = 0;              // Unix seconds
  std::int64_t max_skew_s = 300;     // both ways; a negative value acts as 0
};

// Verify checks `request` against `auth` (from ParseAuthorization; checked
// again here) and `secret`, the raw secret access key text of
// auth.access_key_id, in this order:
//   1. the service is expect.service and the region one of expect.regions;
//   2. the request has exactly one x-amz-date field, a valid date within
//      max_skew_s of expect.now whose day is the scope date;
//   3. every signed header is present (one host field at most), with no
//      control character in its value;
//   4. method is 1-16 of [A-Z]; path starts with '/' and holds only
//      A-Z a-z 0-9 - . _ ~ / (nothing to percent-decode, no two spellings
//      of one path); the query is empty or '&'-separated name[=value] pairs
//      of unreserved characters and %XX (upper-case hex), canonicalised by
//      sorting on name then value, bytes as sent;
//   5. a signed x-amz-content-sha256, unless UNSIGNED-PAYLOAD, equals the hex
//      SHA-256 of the body (the canonical request always hashes the body
//      itself, so the body is authenticated either way);
//   6. the signature over the canonical request matches, compared in
//      constant time.
// Canonical header values are trimmed of spaces and tabs, with inner runs
// collapsed to one space; repeated fields are joined with ','.
// Returns Ok, or kUnauthenticated with a fixed printable-ASCII message naming
// the failed check, which never echoes header bytes, the secret or the
// expected signature. An exhausted secure allocator or an OpenSSL failure,
// which no request can cause, keeps its own code (kInternal, kCryptoFailure)
// so that it is not mistaken for a bad credential.
Status Verify(const SigV4Request& request, const SigV4Authorization& auth, std::string_view secret,
              const SigV4Expectation& expect);

// Sign returns the Authorization header value for `request`, signing host,
// x-amz-date and, when the request has one, content-type (what curl
// --aws-sigv4 signs for a POST with a Content-Type). The request must carry
// host and x-amz-date fields, the latter equal to `amz_date`; the same rules
// as Verify apply to method, path, query and values. For tests, the CLI and
// load generators. Failure is kInvalidRequest.
Result<std::string> Sign(const SigV4Request& request, std::string_view access_key_id,
                         std::string_view secret, std::string_view region, std::string_view service,
                         std::string_view amz_date);

}  // namespace keyhold::kms::xks

#endif  // KEYHOLD_KMS_XKS_SIGV4_H_
