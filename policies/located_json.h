// LocatedJson: a JSON document parsed together with the line of each value,
// so that a policy file's errors can name "FILE:LINE: /rules/2/effect".
//
// nlohmann/json does all the parsing (its SAX interface); this only counts
// the newlines the parser has consumed when each key or value is reported.
// A key's line is the line of its value's field; an array element's line is
// where the element starts. Pure (no I/O), thread-safe (value type). May
// include: std, nlohmann/json, crypto/error.h.
#ifndef KEYHOLD_POLICIES_LOCATED_JSON_H_
#define KEYHOLD_POLICIES_LOCATED_JSON_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/error.h"

namespace keyhold::policies {

struct LocatedJson {
  nlohmann::json value;
  // Line (1-based) of each value, by its JSON pointer ("" is the root).
  std::map<std::string, std::size_t> lines;

  // LineOf returns the line of `pointer`, or of its nearest parent that has
  // one; 1 if none does.
  std::size_t LineOf(const std::string& pointer) const;
};

// kMaxJsonDepth bounds nesting: no policy document needs more, and a bound
// keeps hostile input from building deep trees.
inline constexpr std::size_t kMaxJsonDepth = 16;

// ParseLocatedJson parses `text` as one JSON value. On a syntax error,
// duplicate object key, or nesting deeper than kMaxJsonDepth, returns
// kInvalidPolicy with "SOURCE:LINE: problem".
Result<LocatedJson> ParseLocatedJson(std::string_view text, std::string_view source);

// EscapePointerToken escapes a key for use in a JSON pointer (RFC 6901).
std::string EscapePointerToken(std::string_view key);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_LOCATED_JSON_H_
