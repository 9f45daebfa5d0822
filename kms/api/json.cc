#include "kms/api/json.h"

#include <algorithm>
#include <set>
#include <string>

namespace keyhold::kms {
namespace {

struct Refusal {
  std::string message;
};

}  // namespace

Result<SecureJson> ParseJsonObject(std::string_view body) {
  // One set of keys per open object; arrays push nothing.
  std::vector<std::set<crypto::SecureString>> open_objects;
  SecureJson::parser_callback_t check = [&](int depth, SecureJson::parse_event_t event,
                                            SecureJson& parsed) -> bool {
    using Event = SecureJson::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        // `depth` counts the containers already open around this one.
        if (depth >= kMaxJsonDepth) {
          throw Refusal{"JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
        }
        if (event == Event::object_start) {
          open_objects.emplace_back();
        }
        break;
      case Event::object_end:
        open_objects.pop_back();
        break;
      case Event::key:
        if (!open_objects.back().insert(parsed.get_ref<const crypto::SecureString&>()).second) {
          // Field names are quoted to help the caller; anything else (an
          // encryption-context key, say, or an attacker's 30 KiB string) is
          // not echoed into errors and logs.
          const auto& k = parsed.get_ref<const crypto::SecureString&>();
          if (IsQuotableName(std::string_view(k.data(), k.size()))) {
            throw Refusal{"duplicate JSON key \"" + std::string(k.begin(), k.end()) + "\""};
          }
          // `depth` counts from 1 at the top-level object.
          throw Refusal{"duplicate JSON key in an object at depth " + std::to_string(depth)};
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    SecureJson doc = SecureJson::parse(body.begin(), body.end(), check);
    // nlohmann's lexer takes a raw NUL byte for the end of input, so
    // `{"a":1}\0anything` would parse as {"a":1}. A NUL is never valid JSON
    // text (inside a string nlohmann already refuses it as a control
    // character), so a parse that succeeded with one in the body stopped
    // there: refuse it, reporting the NUL's offset the way nlohmann would.
    if (const std::size_t nul = body.find('\0'); nul != std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "malformed JSON at byte " + std::to_string(nul + 1));
    }
    if (!doc.is_object()) {
      return MakeError(ErrorCode::kInvalidRequest, "the request body must be a JSON object");
    }
    return doc;
  } catch (const Refusal& r) {
    return MakeError(ErrorCode::kInvalidRequest, r.message);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() quotes the input near the error; only the offset is safe.
    return MakeError(ErrorCode::kInvalidRequest,
                     "malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kInvalidRequest, "malformed JSON");
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kInternal, "out of secure memory");
  }
}

bool IsQuotableName(std::string_view name) {
  constexpr std::size_t kMaxQuoted = 64;
  return !name.empty() && name.size() <= kMaxQuoted && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

crypto::SecureString Dump(const SecureJson& document) {
  // Invalid UTF-8 cannot reach a response: every string in one came from a
  // validated request or from Keyhold itself; replace rather than throw.
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace keyhold::kms
