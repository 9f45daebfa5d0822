#include "kms/api/json.h"

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
          // The key is a field name, never a value: safe to quote.
          const auto& k = parsed.get_ref<const crypto::SecureString&>();
          throw Refusal{"duplicate JSON key \"" + std::string(k.begin(), k.end()) + "\""};
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

crypto::SecureString Dump(const SecureJson& document) {
  // Invalid UTF-8 cannot reach a response: every string in one came from a
  // validated request or from Keyhold itself; replace rather than throw.
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace keyhold::kms
