// JSON at the HTTP edge: the only place Keyhold parses JSON requests.
//
// SecureJson is nlohmann::json with every string and node in guarded memory
// (crypto/secure_allocator.h), so a base64 data key or a passphrase in a
// request body is zeroed when the document goes away. ParseJsonObject is
// strict: the body must be one JSON object; duplicate keys are refused at
// every level; nesting deeper than kMaxJsonDepth is refused while parsing,
// so a body of 100,000 open brackets costs nothing; a syntax error reports
// its byte offset but never quotes the body. Exceptions from nlohmann stop
// here. Thread-safe (functions only).
#ifndef KEYHOLD_KMS_API_JSON_H_
#define KEYHOLD_KMS_API_JSON_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "crypto/error.h"
#include "crypto/secure_allocator.h"

namespace keyhold::kms {

using SecureJson =
    nlohmann::basic_json<std::map, std::vector, crypto::SecureString, bool, std::int64_t,
                         std::uint64_t, double, crypto::SecureAllocator>;

inline constexpr int kMaxJsonDepth = 8;

// ParseJsonObject parses a request body (see above); kInvalidRequest with a
// message fit for the caller on any problem.
Result<SecureJson> ParseJsonObject(std::string_view body);

// IsQuotableName reports whether a field name from a request may be quoted
// back in an error (and so in logs): at most 64 bytes of letters, digits,
// '_', '-' and '.', like the API's own field names. Anything else might be
// data, or an attacker's long string, and is not echoed.
bool IsQuotableName(std::string_view name);

// Dump serialises a response document into guarded memory.
crypto::SecureString Dump(const SecureJson& document);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_API_JSON_H_
