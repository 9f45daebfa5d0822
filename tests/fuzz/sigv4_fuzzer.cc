// sigv4_fuzzer: kms::xks::ParseAuthorization and ParseAmzDate on arbitrary
// text, then Verify of whatever parses against one fixed XKS request.
// Properties: neither parser crashes or throws; every refusal is
// kUnauthenticated with a printable-ASCII message under 512 bytes that quotes
// no 8-byte run of the input (the protocol's fixed words, which a message may
// name, are blanked first, and a run counts only if the message follows it
// when its bytes change: see CheckRefusal); a parsed header formatted
// canonically parses to the same value, and a parsed date formats back to
// the input;
// Verify succeeds exactly when the header is what Sign computes for the
// request (the seeds hold the right headers, so mutations reach the
// signature check). Test-only.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/xks/sigv4.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace xks = keyhold::kms::xks;
using keyhold::ErrorCode;

constexpr std::string_view kSecret = "xkssecretAbCdEf0123456789+/xkssecretAbCdEf0123=";
constexpr std::string_view kService = "kms-xks-proxy";
constexpr std::string_view kAmzDate = "20240315T101500Z";
constexpr std::int64_t kNow = 1710497700;  // kAmzDate

// The request every parsed header is verified against; the seeds sign it
// over content-type;host;x-amz-date and over host;x-amz-date.
xks::SigV4Request FixedRequest(bool with_content_type) {
  xks::SigV4Request request{"POST",
                            "/kms/xks/v1/keys/k1/encrypt",
                            "",
                            {{"Host", "xks.example.com"}, {"X-Amz-Date", kAmzDate}},
                            R"({"plaintext":"SGVsbG8="})"};
  if (with_content_type) {
    request.headers.emplace_back("Content-Type", "application/json");
  }
  return request;
}

const xks::SigV4Expectation& Expectation() {
  static const auto* const expect =
      new xks::SigV4Expectation{kService, {"us-east-1", "eu-west-1"}, kNow};
  return *expect;
}

// Blanked copies the input with the protocol's fixed words (any case) turned
// into NULs, which no message holds.
std::string Blanked(std::string_view input) {
  std::string lower(input);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  std::string out(input);
  for (std::string_view word : {"aws4-hmac-sha256", "credential", "signedheaders", "signature",
                                "aws4_request", "x-amz-content-sha256", "x-amz-date", "host"}) {
    for (std::size_t at = lower.find(word); at != std::string::npos;
         at = lower.find(word, at + 1)) {
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), word.size(), '\0');
    }
  }
  return out;
}

// Contains and FindQuote are written without library calls and kept out of
// the coverage instrumentation: libFuzzer would otherwise take the messages'
// text from these comparisons and splice it into inputs.
__attribute__((no_sanitize("coverage"))) bool Contains(const std::string& haystack,
                                                       const char* needle) {
  for (std::size_t j = 0; j + 8 <= haystack.size(); ++j) {
    std::size_t k = 0;
    while (k < 8 && haystack[j + k] == needle[k]) {
      ++k;
    }
    if (k == 8) {
      return true;
    }
  }
  return false;
}

// FindQuote returns the offset of an 8-byte window of `blanked` that
// `message` holds, or npos.
__attribute__((no_sanitize("coverage"))) std::size_t FindQuote(const std::string& message,
                                                               const std::string& blanked) {
  for (std::size_t i = 0; i + 8 <= blanked.size(); ++i) {
    if (Contains(message, blanked.data() + i)) {
      return i;
    }
  }
  return std::string::npos;
}

// CheckRefusal checks the message of a refusal of `input`; `run` repeats the
// call on other text and returns its refusal message, if any.
template <class Run>
void CheckRefusal(const keyhold::Error& error, std::string_view input, Run run) {
  KEYHOLD_FUZZ_CHECK(error.code == ErrorCode::kUnauthenticated);
  const std::string& message = error.message;
  KEYHOLD_FUZZ_CHECK(!message.empty() && message.size() < 512);
  KEYHOLD_FUZZ_CHECK(
      std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c <= 0x7e; }));
  KEYHOLD_FUZZ_CHECK(message.find(kSecret) == std::string::npos);
  const std::size_t at = FindQuote(message, Blanked(input));
  if (at == std::string::npos) {
    return;
  }
  // The input holds eight bytes of the message. That is an echo only if the
  // message follows them: change each, and the message must not hold the
  // changed window (a fixed message the input happens to copy passes).
  std::string changed(input);
  for (std::size_t k = at; k < at + 8; ++k) {
    changed[k] = static_cast<char>(changed[k] ^ 1);
  }
  const std::optional<std::string> again = run(changed);
  KEYHOLD_FUZZ_CHECK(!again || !Contains(*again, changed.data() + at));
}

template <class T>
std::optional<std::string> RefusalOf(const keyhold::Result<T>& result) {
  return result.ok() ? std::nullopt : std::optional<std::string>(result.error().message);
}

// Genuine reports whether `auth` is exactly the header Sign gives for the
// fixed request over the same signed headers, in a scope Verify accepts.
bool Genuine(const xks::SigV4Authorization& auth) {
  const auto& expect = Expectation();
  const std::vector<std::string> two = {"host", "x-amz-date"};
  const std::vector<std::string> three = {"content-type", "host", "x-amz-date"};
  if (auth.service != expect.service ||
      std::find(expect.regions.begin(), expect.regions.end(), auth.region) ==
          expect.regions.end() ||
      (auth.signed_headers != two && auth.signed_headers != three)) {
    return false;
  }
  auto header = xks::Sign(FixedRequest(auth.signed_headers == three), auth.access_key_id, kSecret,
                          auth.region, auth.service, kAmzDate);
  KEYHOLD_FUZZ_CHECK(header.ok());
  auto signed_auth = xks::ParseAuthorization(*header);
  KEYHOLD_FUZZ_CHECK(signed_auth.ok());
  return *signed_auth == auth;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, [](std::string_view input) {
    auto date = xks::ParseAmzDate(input);
    if (date.ok()) {
      auto formatted = xks::FormatAmzDate(*date);
      KEYHOLD_FUZZ_CHECK(formatted.ok() && *formatted == input);
    } else {
      CheckRefusal(date.error(), input,
                   [](std::string_view text) { return RefusalOf(xks::ParseAmzDate(text)); });
    }

    auto auth = xks::ParseAuthorization(input);
    if (!auth.ok()) {
      CheckRefusal(auth.error(), input,
                   [](std::string_view text) { return RefusalOf(xks::ParseAuthorization(text)); });
      return;
    }
    KEYHOLD_FUZZ_CHECK(input.size() <= xks::kSigV4MaxAuthorizationSize);
    KEYHOLD_FUZZ_CHECK(auth->signed_headers.size() <= xks::kSigV4MaxSignedHeaders);
    const std::string canonical = xks::FormatAuthorization(*auth);
    auto again = xks::ParseAuthorization(canonical);
    KEYHOLD_FUZZ_CHECK(again.ok() && *again == *auth);
    KEYHOLD_FUZZ_CHECK(xks::FormatAuthorization(*again) == canonical);

    const keyhold::Status verified = xks::Verify(FixedRequest(true), *auth, kSecret, Expectation());
    KEYHOLD_FUZZ_CHECK(verified.ok() == Genuine(*auth));
    if (!verified.ok()) {
      CheckRefusal(
          verified.error(), input, [](std::string_view text) -> std::optional<std::string> {
            auto changed = xks::ParseAuthorization(text);
            if (!changed.ok()) {
              return changed.error().message;
            }
            const keyhold::Status status =
                xks::Verify(FixedRequest(true), *changed, kSecret, Expectation());
            return status.ok() ? std::nullopt : std::optional<std::string>(status.error().message);
          });
    }
  });
}
