#include "core/vault/base64.hpp"

namespace keyhop::vault {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
  if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
  out += alphabet[v >> 18 & 63];
  out += alphabet[v >> 12 & 63];
  if (rest == 2) out += alphabet[v >> 6 & 63];
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

int sextet(char c, const char* alphabet) {
  for (int i = 0; i < 64; ++i) {
    if (alphabet[i] == c) return i;
  }
  return -1;
}

std::optional<std::string> decode(std::string_view text, const char* alphabet, bool padded) {
  if (padded) {
    if (text.size() % 4 != 0) return std::nullopt;
    for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int pending = 0;  // bits in `bits` not yet emitted
  for (const char c : text) {
    const int v = sextet(c, alphabet);
    if (v < 0) return std::nullopt;
    bits = (bits << 6 | static_cast<unsigned>(v)) & 0xfff;
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out += static_cast<char>(bits >> pending & 0xff);
    }
  }
  // The leftover bits of a final partial group must be zero, or two texts would decode alike.
  if ((bits & ((1u << pending) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string encodeBase64(std::string_view bytes) { return encode(bytes, kStandard, true); }

std::optional<std::string> decodeBase64(std::string_view text) {
  return decode(text, kStandard, true);
}

std::string encodeBase64Url(std::string_view bytes) { return encode(bytes, kUrl, false); }

std::optional<std::string> decodeBase64Url(std::string_view text) {
  return decode(text, kUrl, false);
}

}  // namespace keyhop::vault
