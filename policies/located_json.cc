#include "policies/located_json.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace keyhold::policies {
namespace {

using Json = nlohmann::json;

// Cursor is shared by every copy of LineCountingIterator: the parser copies
// iterators freely, and only the furthest position reached counts.
struct Cursor {
  const char* furthest = nullptr;
  std::size_t line = 1;
  char last = 0;  // the last character consumed
};

// LineCountingIterator walks the text for nlohmann's iterator input adapter
// and counts each newline the first time it is passed.
class LineCountingIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  LineCountingIterator() = default;
  LineCountingIterator(const char* p, Cursor* cursor) : p_(p), cursor_(cursor) {}

  reference operator*() const { return *p_; }
  LineCountingIterator& operator++() {
    if (p_ >= cursor_->furthest) {
      cursor_->last = *p_;
      if (*p_ == '\n') {
        ++cursor_->line;
      }
      cursor_->furthest = p_ + 1;
    }
    ++p_;
    return *this;
  }
  LineCountingIterator operator++(int) {
    LineCountingIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const LineCountingIterator& a, const LineCountingIterator& b) {
    return a.p_ == b.p_;
  }

 private:
  const char* p_ = nullptr;
  Cursor* cursor_ = nullptr;
};

// Builder is the SAX handler: it builds the DOM, the pointer of each value
// and its line, and stops at the first duplicate key or excess depth.
class Builder {
 public:
  explicit Builder(const Cursor* cursor, LocatedJson* out) : cursor_(cursor), out_(out) {}

  bool null() { return Value(Json(nullptr), Line()); }
  bool boolean(bool v) { return Value(Json(v), Line()); }
  bool number_integer(Json::number_integer_t v) { return Value(Json(v), NumberLine()); }
  bool number_unsigned(Json::number_unsigned_t v) { return Value(Json(v), NumberLine()); }
  bool number_float(Json::number_float_t v, const Json::string_t&) {
    return Value(Json(v), NumberLine());
  }
  bool string(Json::string_t& v) { return Value(Json(std::move(v)), Line()); }
  bool binary(Json::binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t) { return Open(Json::object()); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(Json::string_t& k) {
    Frame& f = frames_.back();
    if (f.node->contains(k)) {
      return Fail("duplicate key \"" + Printable(k) + "\"");
    }
    f.key = std::move(k);
    f.key_line = cursor_->line;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message starts "[json.exception.parse_error.101] parse
    // error at line L, column C: ..."; the line is ours to give.
    std::string what = e.what();
    const std::size_t colon = what.find(": ");
    // The lexer may have read the newline after the offending token.
    return Fail(colon == std::string::npos ? "syntax error" : what.substr(colon + 2),
                cursor_->last == '\n' ? 1 : 0);
  }

  const std::string& error() const { return error_; }
  std::size_t error_line() const { return error_line_; }

 private:
  struct Frame {
    Json* node;
    std::string pointer;
    std::string key;
    std::size_t key_line = 0;
  };

  std::size_t Line() const { return cursor_->line; }
  // A number is reported after the parser looked one character past it.
  std::size_t NumberLine() const { return cursor_->line - (cursor_->last == '\n' ? 1 : 0); }

  bool Fail(std::string message, std::size_t back = 0) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_line_ = cursor_->line - (cursor_->line > back ? back : 0);
    }
    return false;
  }

  static std::string Printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) {
      out.push_back(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
    }
    return out;
  }

  // Place puts `v` where the next value goes and returns it with its
  // pointer and line.
  Json* Place(Json v, std::size_t line, std::string* pointer) {
    if (frames_.empty()) {
      out_->value = std::move(v);
      *pointer = "";
      out_->lines[*pointer] = line;
      return &out_->value;
    }
    Frame& f = frames_.back();
    Json* slot = nullptr;
    if (f.node->is_array()) {
      *pointer = f.pointer + "/" + std::to_string(f.node->size());
      f.node->push_back(std::move(v));
      slot = &f.node->back();
    } else {
      *pointer = f.pointer + "/" + EscapePointerToken(f.key);
      line = f.key_line;
      slot = &((*f.node)[f.key] = std::move(v));
    }
    out_->lines[*pointer] = line;
    return slot;
  }

  bool Value(Json v, std::size_t line) {
    std::string pointer;
    Place(std::move(v), line, &pointer);
    return true;
  }

  bool Open(Json container) {
    if (frames_.size() >= kMaxJsonDepth) {
      return Fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    std::string pointer;
    Json* node = Place(std::move(container), Line(), &pointer);
    frames_.push_back(Frame{node, std::move(pointer), "", 0});
    return true;
  }

  bool Close() {
    frames_.pop_back();
    return true;
  }

  const Cursor* cursor_;
  LocatedJson* out_;
  std::vector<Frame> frames_;
  std::string error_;
  std::size_t error_line_ = 0;
};

}  // namespace

std::size_t LocatedJson::LineOf(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    if (auto it = lines.find(p); it != lines.end()) {
      return it->second;
    }
    if (p.empty()) {
      return 1;
    }
    const std::size_t slash = p.rfind('/');
    p.resize(slash == std::string::npos ? 0 : slash);
  }
}

std::string EscapePointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<LocatedJson> ParseLocatedJson(std::string_view text, std::string_view source) {
  // nlohmann's lexer takes a NUL for the end of input: text after one would
  // be silently ignored, so a NUL anywhere is an error.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
    return Error{ErrorCode::kInvalidPolicy,
                 std::string(source) + ":" + std::to_string(line) + ": a NUL byte is not JSON"};
  }
  Cursor cursor;
  cursor.furthest = text.data();
  LocatedJson out;
  Builder builder(&cursor, &out);
  bool ok = false;
  try {
    ok = Json::sax_parse(LineCountingIterator(text.data(), &cursor),
                         LineCountingIterator(text.data() + text.size(), &cursor), &builder);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) {
    const std::string why = builder.error().empty() ? "syntax error" : builder.error();
    return Error{ErrorCode::kInvalidPolicy,
                 std::string(source) + ":" +
                     std::to_string(builder.error().empty() ? cursor.line : builder.error_line()) +
                     ": " + why};
  }
  return out;
}

}  // namespace keyhold::policies
