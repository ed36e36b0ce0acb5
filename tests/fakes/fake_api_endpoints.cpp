// The protected API: checks the stamped credential, then echoes what arrived or answers one of
// the shapes proxy tests need (status, headers, chunked, large bodies).

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>

#include <sstream>

#include "tests/fakes/fake_endpoints.hpp"

namespace keyhop::fakes {

namespace {

// The bytes /api/bytes and /api/chunked send: 'a'..'z' repeating, so a test can check them.
constexpr std::size_t kPatternBlock = 26 * 2520;

// The credential the request carries; `oauth1_problem` says why a signed request was refused.
std::optional<std::string> presentedCredential(FakeState& state, const Exchange& exchange,
                                               const Options& options,
                                               std::string& oauth1_problem) {
  const auto& request = exchange.request;
  switch (options.api_auth) {
    case ApiAuth::Bearer: {
      const std::string value = request.get("Authorization", "");
      if (!startsWithNoCase(value, "Bearer ")) return std::nullopt;
      return value.substr(7);
    }
    case ApiAuth::Header:
      if (!request.has(options.api_header)) return std::nullopt;
      return request.get(options.api_header);
    case ApiAuth::Query:
      return findParam(queryParams(exchange), options.api_query);
    case ApiAuth::Basic: {
      const auto basic = parseBasicCredentials(request.get("Authorization", ""));
      if (!basic) return std::nullopt;
      return basic->first + ":" + basic->second;
    }
    case ApiAuth::OAuth1: {
      OAuth1Check check = verifyOAuth1(state, exchange, OAuth1TokenKind::Access);
      oauth1_problem = std::move(check.problem);
      if (!oauth1_problem.empty()) return std::nullopt;
      return check.token;
    }
  }
  return std::nullopt;
}

const char* describe(CredentialProblem problem) {
  switch (problem) {
    case CredentialProblem::None:
      return "";
    case CredentialProblem::Missing:
      return "no credential";
    case CredentialProblem::Unknown:
      return "unknown credential";
    case CredentialProblem::Expired:
      return "the access token expired";
    case CredentialProblem::Revoked:
      return "the access token was revoked";
  }
  return "";
}

void sendRejected(Exchange& exchange, const Options& options, CredentialProblem problem,
                  const std::string& oauth1_problem) {
  if (options.slack_style) {
    sendBody(exchange, 200, "application/json", R"({"ok":false,"error":"invalid_auth"})");
    return;
  }
  std::string challenge = options.api_auth == ApiAuth::OAuth1  ? "OAuth realm=\"fake\""
                          : options.api_auth == ApiAuth::Basic ? "Basic realm=\"fake\""
                                                               : "Bearer realm=\"fake\"";
  const std::string description =
      oauth1_problem.empty() ? describe(problem) : "oauth_problem=" + oauth1_problem;
  if (problem != CredentialProblem::Missing || !oauth1_problem.empty()) {
    challenge += ", error=\"invalid_token\"";  // RFC 6750 3.1: no error code when none was sent
  }
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("error", "invalid_token");
  body.set("error_description", description);
  std::ostringstream out;
  body.stringify(out);
  sendBody(exchange, 401, "application/json", out.str(), {{"WWW-Authenticate", challenge}});
}

std::string echo(const Exchange& exchange, const Options& options, const std::string& user) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  if (options.slack_style) object.set("ok", true);
  object.set("method", exchange.request.getMethod());
  object.set("path", exchange.path);
  object.set("query", exchange.query);
  Poco::JSON::Array::Ptr headers = new Poco::JSON::Array;
  for (const auto& [name, value] : exchange.request) {
    Poco::JSON::Object::Ptr header = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    header->set("name", name);
    header->set("value", value);
    headers->add(header);
  }
  object.set("headers", headers);
  object.set("body_size", exchange.body_size);
  object.set("body_sha256", exchange.body_sha256);
  object.set("user", user);
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// The number after `prefix` in the path, e.g. /api/bytes/1000; empty when there is none.
std::optional<Poco::UInt64> pathNumber(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  Poco::UInt64 number = 0;
  if (!Poco::NumberParser::tryParseUnsigned64(path.substr(prefix.size()), number)) {
    return std::nullopt;
  }
  return number;
}

void sendPattern(Exchange& exchange, Poco::UInt64 size, std::optional<Poco::UInt64> chunk) {
  static const std::string block = [] {
    std::string text(kPatternBlock, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    return text;
  }();
  auto& response = exchange.response;
  response.setContentType("application/octet-stream");
  if (chunk) {
    response.setChunkedTransferEncoding(true);
  } else {
    response.setContentLength64(static_cast<Poco::Int64>(size));
  }
  std::ostream& out = response.send();
  // Each flush of a chunked stream is one chunk, so the chunk size is what the test asked for.
  const Poco::UInt64 step = chunk ? std::max<Poco::UInt64>(*chunk, 1) : block.size();
  for (Poco::UInt64 sent = 0; sent < size && out;) {
    const Poco::UInt64 n = std::min(step, size - sent);
    for (Poco::UInt64 written = 0; written < n;) {
      const std::size_t offset = (sent + written) % 26;
      const std::size_t piece =
          static_cast<std::size_t>(std::min<Poco::UInt64>(n - written, block.size() - offset));
      out.write(block.data() + offset, static_cast<std::streamsize>(piece));
      written += piece;
    }
    sent += n;
    if (chunk) out.flush();
  }
}

}  // namespace

void handleApi(FakeState& state, Exchange& exchange) {
  const Options& options = exchange.options;
  state.count([](Counters& c) { ++c.api_calls; });
  if (answerInjected(state, exchange, Endpoint::Api)) return;

  std::string oauth1_problem;
  const auto credential = presentedCredential(state, exchange, options, oauth1_problem);
  const CredentialCheck check = state.checkApiCredential(credential);
  if (check.problem != CredentialProblem::None) {
    return sendRejected(exchange, options, check.problem, oauth1_problem);
  }

  const std::string& path = exchange.path;
  if (const auto canned = options.api_responses.find(path); canned != options.api_responses.end()) {
    return sendCanned(exchange, canned->second);
  }
  if (const auto status = pathNumber(path, "/api/status/")) {
    if (*status < 100 || *status > 599) {
      return sendBody(exchange, 400, "text/plain", "status out of range\n");
    }
    return sendBody(exchange, static_cast<int>(*status), "application/json",
                    echo(exchange, options, check.user));
  }
  if (path == "/api/response-headers") {
    HeaderList headers;
    for (const auto& [name, value] : queryParams(exchange)) headers.push_back({name, value});
    return sendBody(exchange, 200, "application/json", echo(exchange, options, check.user),
                    headers);
  }
  if (const auto size = pathNumber(path, "/api/bytes/")) {
    return sendPattern(exchange, *size, std::nullopt);
  }
  if (const auto size = pathNumber(path, "/api/chunked/")) {
    Poco::UInt64 chunk = 1000;
    if (const auto asked = findParam(queryParams(exchange), "chunk")) {
      Poco::NumberParser::tryParseUnsigned64(*asked, chunk);
    }
    return sendPattern(exchange, *size, chunk);
  }
  sendBody(exchange, 200, "application/json", echo(exchange, options, check.user));
}

}  // namespace keyhop::fakes
