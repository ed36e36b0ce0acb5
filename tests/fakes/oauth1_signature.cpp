#include "tests/fakes/oauth1_signature.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "tests/fakes/fake_http.hpp"

namespace keyhop::fakes::oauth1 {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string baseStringUri(std::string_view scheme, std::string_view host, std::string_view path) {
  const std::string lower_scheme = lower(scheme);
  std::string lower_host = lower(host);
  const std::size_t colon = lower_host.rfind(':');
  if (colon != std::string::npos && lower_host.find(']', colon) == std::string::npos) {
    const std::string port = lower_host.substr(colon + 1);
    if ((lower_scheme == "http" && port == "80") || (lower_scheme == "https" && port == "443")) {
      lower_host.erase(colon);
    }
  }
  return lower_scheme + "://" + lower_host + std::string(path.empty() ? "/" : path);
}

std::string normalizeParameters(const Params& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    encoded.emplace_back(percentEncode(name), percentEncode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string signatureBaseString(std::string_view method, std::string_view base_uri,
                                const Params& params) {
  std::string upper(method);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper + '&' + percentEncode(base_uri) + '&' + percentEncode(normalizeParameters(params));
}

std::string hmacSha1Signature(std::string_view base_string, std::string_view consumer_secret,
                              std::string_view token_secret) {
  const std::string key = percentEncode(consumer_secret) + '&' + percentEncode(token_secret);
  Poco::HMACEngine<Poco::SHA1Engine> hmac(key);
  hmac.update(base_string.data(), base_string.size());
  const auto& digest = hmac.digest();
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.write(reinterpret_cast<const char*>(digest.data()),
                static_cast<std::streamsize>(digest.size()));
  encoder.close();
  return out.str();
}

std::optional<Params> parseAuthorizationHeader(std::string_view header) {
  if (!startsWithNoCase(header, "OAuth") || header.size() < 6 || !isSpace(header[5])) {
    return std::nullopt;
  }
  Params params;
  std::size_t i = 5;
  while (true) {
    while (i < header.size() && (isSpace(header[i]) || header[i] == ',')) ++i;
    if (i == header.size()) return params;
    const std::size_t eq = header.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= header.size() || header[eq + 1] != '"') {
      return std::nullopt;
    }
    const std::size_t close = header.find('"', eq + 2);
    if (close == std::string_view::npos) return std::nullopt;
    auto name = percentDecode(header.substr(i, eq - i), false);
    auto value = percentDecode(header.substr(eq + 2, close - eq - 2), false);
    if (!name || !value || name->empty()) return std::nullopt;
    params.emplace_back(std::move(*name), std::move(*value));
    i = close + 1;
    if (i < header.size() && !isSpace(header[i]) && header[i] != ',') return std::nullopt;
  }
}

std::string authorizationHeader(const Params& oauth_params) {
  std::string out = "OAuth ";
  for (std::size_t i = 0; i < oauth_params.size(); ++i) {
    if (i > 0) out += ", ";
    out +=
        percentEncode(oauth_params[i].first) + "=\"" + percentEncode(oauth_params[i].second) + '"';
  }
  return out;
}

}  // namespace keyhop::fakes::oauth1
