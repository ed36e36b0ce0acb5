#include "json_reader.hpp"

#include <charconv>

namespace keyhop::slack::json {

namespace {

// Deeper documents are refused rather than risking the stack on a hostile answer.
constexpr int kMaxDepth = 64;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

void appendUtf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ParseResult run() {
    ParseResult result;
    Value value;
    skipSpace();
    if (parseValue(value, 0)) {
      skipSpace();
      if (pos_ == text_.size()) {
        result.value = std::move(value);
        return result;
      }
      fail("unexpected text after the document");
    }
    result.error = error_ + " at byte " + std::to_string(error_pos_);
    return result;
  }

 private:
  bool fail(const char* what) {
    error_ = what;
    error_pos_ = pos_;
    return false;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    if (atEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool parseValue(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    const char c = peek();
    if (c == '{') return parseObject(out, depth);
    if (c == '[') return parseArray(out, depth);
    if (c == '"') {
      std::string text;
      if (!parseString(text)) return false;
      out = Value(std::move(text));
      return true;
    }
    if (c == '-' || isDigit(c)) return parseNumber(out);
    if (consumeWord("true")) {
      out = Value(true);
    } else if (consumeWord("false")) {
      out = Value(false);
    } else if (consumeWord("null")) {
      out = Value();
    } else {
      return fail(atEnd() ? "unexpected end of input" : "unexpected character");
    }
    return true;
  }

  bool parseObject(Value& out, int depth) {
    ++pos_;  // '{'
    Object members;
    skipSpace();
    if (!consume('}')) {
      do {
        skipSpace();
        if (peek() != '"') return fail("expected a member name");
        std::string key;
        if (!parseString(key)) return false;
        skipSpace();
        if (!consume(':')) return fail("expected ':'");
        skipSpace();
        Value value;
        if (!parseValue(value, depth + 1)) return false;
        members.emplace_back(std::move(key), std::move(value));
        skipSpace();
      } while (consume(','));
      if (!consume('}')) return fail("expected ',' or '}'");
    }
    out = Value(std::move(members));
    return true;
  }

  bool parseArray(Value& out, int depth) {
    ++pos_;  // '['
    Array items;
    skipSpace();
    if (!consume(']')) {
      do {
        skipSpace();
        Value value;
        if (!parseValue(value, depth + 1)) return false;
        items.push_back(std::move(value));
        skipSpace();
      } while (consume(','));
      if (!consume(']')) return fail("expected ',' or ']'");
    }
    out = Value(std::move(items));
    return true;
  }

  bool digits() {
    const std::size_t start = pos_;
    while (isDigit(peek())) ++pos_;
    return pos_ > start;
  }

  bool parseNumber(Value& out) {
    const std::size_t start = pos_;
    consume('-');
    if (!consume('0') && !digits()) return fail("invalid number");
    if (consume('.') && !digits()) return fail("invalid number");
    if (consume('e') || consume('E')) {
      if (!consume('+')) consume('-');
      if (!digits()) return fail("invalid number");
    }
    out = Value(Value::Number{std::string(text_.substr(start, pos_ - start))});
    return true;
  }

  bool parseHex4(std::uint32_t& value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      std::uint32_t digit = 0;
      if (isDigit(c)) {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return fail("invalid \\u escape");
      }
      value = value << 4 | digit;
      ++pos_;
    }
    return true;
  }

  // After "\u": one code point, or a UTF-16 surrogate pair written as two escapes.
  bool parseUnicodeEscape(std::string& out) {
    std::uint32_t code = 0;
    if (!parseHex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return fail("unpaired surrogate in \\u escape");
    if (code >= 0xD800 && code <= 0xDBFF) {
      std::uint32_t low = 0;
      if (!consumeWord("\\u")) return fail("unpaired surrogate in \\u escape");
      if (!parseHex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired surrogate in \\u escape");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, code);
    return true;
  }

  bool parseString(std::string& out) {
    ++pos_;  // opening quote
    while (!atEnd()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escape = peek();
      ++pos_;
      switch (escape) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u':
          if (!parseUnicodeEscape(out)) return false;
          break;
        default:
          --pos_;
          return fail("invalid escape in a string");
      }
    }
    return fail("unterminated string");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
  std::size_t error_pos_ = 0;
};

}  // namespace

std::optional<std::int64_t> Value::asInteger() const {
  const auto* number = std::get_if<Number>(&data_);
  if (!number || number->text.find_first_of(".eE") != std::string::npos) return std::nullopt;
  std::int64_t value = 0;
  const char* end = number->text.data() + number->text.size();
  const auto [ptr, ec] = std::from_chars(number->text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

const Value* Value::get(std::string_view key) const {
  const auto* object = asObject();
  if (!object) return nullptr;
  for (const auto& [name, value] : *object) {
    if (name == key) return &value;
  }
  return nullptr;
}

ParseResult parse(std::string_view text) { return Parser(text).run(); }

}  // namespace keyhop::slack::json
