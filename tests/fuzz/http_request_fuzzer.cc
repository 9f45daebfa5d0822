// http_request_fuzzer: the server's request path without the network. The
// input is a byte stream from a client: it is fed to a fresh
// kms::RequestParser per request, with the limits of a default Config (as
// kms/server/server.cc sets them), until the stream ends or is malformed, so
// pipelined requests are decoded one after the other. Each complete request
// then goes through what kms::Api does before a handler: MatchRoute on the
// path, ParseQuery on the query, ParseJsonObject on a non-empty body and
// every Decode* function on the object. Properties:
//   - a parsed request's body never exceeds the body limit, and equals its
//     Content-Length when it has one and is not chunked;
//   - MatchRoute: a match's name is its template, starts with '/' and,
//     filled with what it captured (key id, accessor, policy, request id or
//     officer), gives back the path; the key re-validates through
//     KeyId::Parse(key->ToString()); POST and PUT routes (and only they)
//     have a body; errors are kNotFound, kMethodNotAllowed (with the
//     allowed methods: GET, POST or PUT, each once, never the one sent),
//     kInvalidKeyId, or kInvalidRequest for a policy path whose name
//     breaks the rules;
//   - ParseQuery: kInvalidRequest or one entry per '&'-separated pair, each
//     spelt in the query as given;
//   - ParseJsonObject fails only with kInvalidRequest, decoders only with
//     kInvalidRequest, kInvalidContext or kInvalidKeyId;
//   - nothing throws.
// Test-only.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

#include "crypto/error.h"
#include "crypto/key_id.h"
#include "kms/api/json.h"
#include "kms/api/requests.h"
#include "kms/api/router.h"
#include "kms/config.h"
#include "kms/server/http_types.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace kms = keyhold::kms;
namespace http = kms::http;
using keyhold::ErrorCode;

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

void CheckDecoderCode(const keyhold::Error& error) {
  KEYHOLD_FUZZ_CHECK(error.code == ErrorCode::kInvalidRequest ||
                     error.code == ErrorCode::kInvalidContext ||
                     error.code == ErrorCode::kInvalidKeyId);
}

template <class T>
void Decoded(const keyhold::Result<T>& result) {
  if (!result.ok()) {
    CheckDecoderCode(result.error());
  }
}

void CheckBody(std::string_view body) {
  auto parsed = kms::ParseJsonObject(body);
  if (!parsed.ok()) {
    KEYHOLD_FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidRequest);
    return;
  }
  KEYHOLD_FUZZ_CHECK(parsed->is_object());
  Decoded(kms::DecodeCreateKey(*parsed));
  Decoded(kms::DecodeKeyConfig(*parsed));
  Decoded(kms::DecodeScheduleDeletion(*parsed));
  Decoded(kms::DecodeWrap(*parsed));
  Decoded(kms::DecodeCiphertext(*parsed));
  Decoded(kms::DecodeGenerateDataKey(*parsed));
  Decoded(kms::DecodeInit(*parsed));
  Decoded(kms::DecodeUnseal(*parsed));
  Decoded(kms::DecodeCreateToken(*parsed));
  const keyhold::Status empty = kms::DecodeEmpty(*parsed);
  if (!empty.ok()) {
    CheckDecoderCode(empty.error());
  }
}

// FillTemplate substitutes a match's captures into its route template.
std::string FillTemplate(const kms::RouteMatch& match) {
  std::string out(match.name);
  const auto replace = [&out](std::string_view hole, const std::string& with) {
    const std::size_t at = out.find(hole);
    if (at != std::string::npos) {
      out.replace(at, hole.size(), with);
    }
  };
  if (match.key) {
    replace("{tenant}", match.key->tenant());
    replace("{name}", match.key->name());
  }
  replace("{accessor}", match.accessor);
  replace("{policy}", match.policy);
  replace("{id}", match.resource);
  replace("{officer}", match.resource);
  return out;
}

void CheckRoute(std::string_view method, std::string_view path) {
  std::string allow;
  auto match = kms::MatchRoute(method, path, &allow);
  if (!match.ok()) {
    const ErrorCode code = match.error().code;
    KEYHOLD_FUZZ_CHECK(code == ErrorCode::kNotFound || code == ErrorCode::kMethodNotAllowed ||
                       code == ErrorCode::kInvalidKeyId ||
                       (code == ErrorCode::kInvalidRequest && path.starts_with("/v1/policies/")));
    if (code == ErrorCode::kMethodNotAllowed) {
      // "GET", "PUT, POST", ...: known methods, each once, not the one sent.
      KEYHOLD_FUZZ_CHECK(!allow.empty());
      std::string_view rest = allow;
      std::string seen;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(", ");
        const std::string_view one = rest.substr(0, comma);
        KEYHOLD_FUZZ_CHECK(one == "GET" || one == "POST" || one == "PUT");
        KEYHOLD_FUZZ_CHECK(one != method);
        KEYHOLD_FUZZ_CHECK(!Contains(seen, std::string(one) + ";"));
        seen += std::string(one) + ";";
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
      }
    }
    return;
  }
  KEYHOLD_FUZZ_CHECK(!match->name.empty() && match->name.front() == '/');
  KEYHOLD_FUZZ_CHECK(match->has_body == (method == "POST" || method == "PUT"));
  const bool key_route = match->name.find("{tenant}") != std::string_view::npos;
  KEYHOLD_FUZZ_CHECK(match->key.has_value() == key_route);
  if (match->key) {
    auto reparsed = keyhold::crypto::KeyId::Parse(match->key->ToString());
    KEYHOLD_FUZZ_CHECK(reparsed.ok());
    KEYHOLD_FUZZ_CHECK(*reparsed == *match->key);
  }
  const bool accessor_route = match->name.find("{accessor}") != std::string_view::npos;
  KEYHOLD_FUZZ_CHECK(match->accessor.empty() != accessor_route);
  KEYHOLD_FUZZ_CHECK(FillTemplate(*match) == path);
}

void CheckQuery(std::string_view query) {
  auto parsed = kms::ParseQuery(query);
  if (!parsed.ok()) {
    KEYHOLD_FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidRequest);
    return;
  }
  const std::size_t pairs =
      query.empty() ? 0 : static_cast<std::size_t>(std::count(query.begin(), query.end(), '&')) + 1;
  KEYHOLD_FUZZ_CHECK(parsed->size() == pairs);
  const std::string padded = "&" + std::string(query) + "&";
  for (const auto& [name, value] : *parsed) {
    KEYHOLD_FUZZ_CHECK(!name.empty());
    KEYHOLD_FUZZ_CHECK(name.find_first_of("=&%+") == std::string::npos);
    KEYHOLD_FUZZ_CHECK(value.find_first_of("&%+") == std::string::npos);
    KEYHOLD_FUZZ_CHECK(padded.find("&" + name + "=" + value + "&") != std::string::npos);
  }
}

void CheckRequest(const kms::RequestParser& parser, std::uint64_t body_limit) {
  const kms::HttpRequest& req = parser.get();
  const auto& body = req.body();
  KEYHOLD_FUZZ_CHECK(body.size() <= body_limit);
  if (parser.content_length() && !parser.chunked()) {
    KEYHOLD_FUZZ_CHECK(body.size() == *parser.content_length());
  }

  // As kms::Api::Handle and Dispatch split the target.
  const std::string_view target = req.target();
  const std::size_t q = target.find('?');
  CheckRoute(req.method_string(), target.substr(0, q));
  CheckQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  if (!body.empty()) {
    CheckBody({body.data(), body.size()});
  }
}

void FuzzOne(std::string_view stream) {
  static const kms::Config defaults;
  while (!stream.empty()) {
    // A fresh parser per request, as the server's DoReadHeader makes one.
    kms::RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(defaults.max_header_bytes));
    parser.body_limit(defaults.max_body_bytes);
    parser.eager(true);
    kms::beast::error_code ec;
    while (!parser.is_done()) {
      const std::size_t used =
          parser.put(boost::asio::const_buffer(stream.data(), stream.size()), ec);
      KEYHOLD_FUZZ_CHECK(used <= stream.size());
      stream.remove_prefix(used);
      if (ec == http::error::need_more) {
        ec = {};
      } else if (ec) {
        break;
      }
      if (used == 0 && !parser.is_done()) {
        // No progress although everything left was offered (a body that
        // is short of its Content-Length stops consuming without an
        // error): the client has sent all it will, as at end of stream.
        parser.put_eof(ec);
        break;
      }
    }
    if (ec || !parser.is_done()) {
      return;  // the server answers 400 or 413 (or nothing) and closes
    }
    CheckRequest(parser, defaults.max_body_bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return keyhold::fuzz::RunNothrow(data, size, FuzzOne);
}
