#include "core/flows/oauth1_signer.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <chrono>

#include "core/flows/encoding.hpp"

namespace keyhop::flows::oauth1 {

namespace {

struct UrlParts {
  std::string scheme;
  std::string authority;
  std::string path;
  std::string query;
};

std::optional<UrlParts> split(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = Poco::toLower(std::string(url.substr(0, scheme_end)));
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  const std::size_t authority_end = rest.find_first_of("/?");
  parts.authority = std::string(rest.substr(0, authority_end));
  if (parts.authority.empty()) return std::nullopt;
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  const std::size_t question = rest.find('?');
  parts.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(rest.substr(question + 1));
  return parts;
}

std::string hexNonce() {
  static const char kHex[] = "0123456789abcdef";
  std::string nonce;
  for (const char byte : randomBytes(16)) {
    const auto b = static_cast<unsigned char>(byte);
    nonce += kHex[b >> 4];
    nonce += kHex[b & 0x0F];
  }
  return nonce;
}

}  // namespace

std::string baseStringUri(std::string_view url) {
  const auto parts = split(url);
  if (!parts) return {};
  std::string authority = Poco::toLower(parts->authority);
  authority = authority.substr(authority.rfind('@') == std::string::npos
                                   ? 0
                                   : authority.rfind('@') + 1);  // user info is never signed
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if ((parts->scheme == "http" && port == "80") || (parts->scheme == "https" && port == "443") ||
        port.empty()) {
      authority.erase(colon);
    }
  }
  return parts->scheme + "://" + authority + (parts->path.empty() ? "/" : parts->path);
}

Params queryParams(std::string_view url) {
  const auto parts = split(url);
  if (!parts) return {};
  return parseForm(parts->query).value_or(Params{});
}

std::string normalizeParameters(const Params& params) {
  Params encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    encoded.emplace_back(percentEncode(name), percentEncode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

std::string signatureBaseString(std::string_view method, std::string_view base_uri,
                                const Params& params) {
  return Poco::toUpper(std::string(method)) + '&' + percentEncode(base_uri) + '&' +
         percentEncode(normalizeParameters(params));
}

std::string sign(Oauth1Signature method, std::string_view base_string,
                 std::string_view consumer_secret, std::string_view token_secret) {
  const std::string key = percentEncode(consumer_secret) + '&' + percentEncode(token_secret);
  switch (method) {
    case Oauth1Signature::HmacSha1:
      return base64(hmac(HmacDigest::Sha1, key, base_string));
    case Oauth1Signature::HmacSha256:
      return base64(hmac(HmacDigest::Sha256, key, base_string));
    case Oauth1Signature::Plaintext:
      return key;
  }
  return key;
}

const char* methodName(Oauth1Signature method) {
  switch (method) {
    case Oauth1Signature::HmacSha1:
      return "HMAC-SHA1";
    case Oauth1Signature::HmacSha256:
      return "HMAC-SHA256";
    case Oauth1Signature::Plaintext:
      return "PLAINTEXT";
  }
  return "HMAC-SHA1";
}

std::string authorizationHeader(const Params& oauth_params) {
  std::string header = "OAuth ";
  for (std::size_t i = 0; i < oauth_params.size(); ++i) {
    if (i != 0) header += ", ";
    header += percentEncode(oauth_params[i].first) + "=\"" +
              percentEncode(oauth_params[i].second) + '"';
  }
  return header;
}

RequestValues freshRequestValues(Params extra_oauth) {
  RequestValues values;
  values.extra_oauth = std::move(extra_oauth);
  values.nonce = hexNonce();
  values.timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  return values;
}

std::string authorize(const Signer& signer, std::string_view method, std::string_view url,
                      const Params& form_body, const RequestValues& values) {
  Params oauth = {{"oauth_consumer_key", signer.consumer_key},
                  {"oauth_nonce", values.nonce},
                  {"oauth_signature_method", methodName(signer.method)},
                  {"oauth_timestamp", std::to_string(values.timestamp)}};
  if (!signer.token.empty()) oauth.emplace_back("oauth_token", signer.token);
  oauth.insert(oauth.end(), values.extra_oauth.begin(), values.extra_oauth.end());

  Params signed_params = queryParams(url);
  signed_params.insert(signed_params.end(), form_body.begin(), form_body.end());
  signed_params.insert(signed_params.end(), oauth.begin(), oauth.end());
  const std::string base = signatureBaseString(method, baseStringUri(url), signed_params);
  oauth.emplace_back("oauth_signature",
                     sign(signer.method, base, signer.consumer_secret, signer.token_secret));
  return authorizationHeader(oauth);
}

}  // namespace keyhop::flows::oauth1
