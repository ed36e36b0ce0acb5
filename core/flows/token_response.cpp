#include "core/flows/token_response.hpp"

#include "core/flows/response_document.hpp"

namespace keyhop::flows {

namespace {

// Provider text kept in messages: one short printable line.
std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  return out;
}

FailureKind classifyErrorCode(const std::string& code, int status) {
  if (code == "invalid_grant") return FailureKind::InvalidGrant;
  if (code == "invalid_client" || code == "unauthorized_client") return FailureKind::InvalidClient;
  if (code == "temporarily_unavailable" || code == "server_error") return FailureKind::Transient;
  if (code.empty() && status == 401) return FailureKind::InvalidClient;
  return FailureKind::ProviderError;
}

FlowFailure providerFailure(std::string_view endpoint, const HttpResponse& response,
                            const std::string& code, const std::string& description) {
  FlowFailure failure;
  failure.kind = classifyErrorCode(code, response.status);
  failure.provider_error = printable(code, 64);
  failure.http_status = response.status;
  failure.message = std::string(endpoint) + " answered " +
                    (code.empty() ? std::string("an error") : failure.provider_error) +
                    " (HTTP " + std::to_string(response.status) + ")";
  if (!description.empty()) failure.message += ": " + printable(description, 200);
  return failure;
}

}  // namespace

FlowFailure transportFailure(const HttpFailure& failure) {
  const FailureKind kind = failure.kind == HttpFailureKind::Protocol ? FailureKind::InvalidResponse
                                                                      : FailureKind::Transient;
  return FlowFailure{kind, failure.message, "", 0};
}

std::string redact(std::string message, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at)) {
      message.replace(at, secret.size(), "[redacted]");
    }
  }
  return message;
}

FlowResult<TokenSet> readTokenResponse(const ProviderSpec& spec, Provider& hooks,
                                       const HttpResponse& response, std::string_view endpoint) {
  const std::string where(endpoint);
  if (response.status >= 500 || response.status == 429) {
    return FlowFailure{FailureKind::Transient,
                       where + " answered HTTP " + std::to_string(response.status), "",
                       response.status};
  }

  TokenSet tokens;
  std::string hook_error;
  const ResponseView view{response.status, response.headers, response.body};
  switch (hooks.parseTokenResponse(spec, view, tokens, hook_error)) {
    case HookStatus::Done:
      if (tokens.access_token.empty() && tokens.token_secret.empty()) {
        return FlowFailure{FailureKind::InvalidResponse,
                           where + ": the parseTokenResponse hook gave no access token", "",
                           response.status};
      }
      return tokens;
    case HookStatus::Failed:
      return FlowFailure{FailureKind::InvalidResponse,
                         where + ": the parseTokenResponse hook refused the answer: " +
                             printable(hook_error, 200),
                         "", response.status};
    case HookStatus::Declined:
      break;
  }

  const auto document = ResponseDocument::parse(response.header("Content-Type"), response.body);
  if (!document) {
    if (response.status >= 400) return providerFailure(where, response, "", "");
    return FlowFailure{FailureKind::InvalidResponse,
                       where + " answered HTTP " + std::to_string(response.status) +
                           " with a body that is neither JSON nor a form",
                       "", response.status};
  }
  const std::string error = document->text("error").value_or("");
  if (!error.empty() || response.status >= 400 || document->isFalse("ok")) {
    return providerFailure(where, response, error,
                           document->text("error_description").value_or(""));
  }

  const auto& fields = spec.token_response;
  tokens.access_token = document->text(fields.access_token).value_or("");
  if (tokens.access_token.empty()) {
    return FlowFailure{FailureKind::InvalidResponse,
                       where + " answered without an access token at '" + fields.access_token +
                           "'",
                       "", response.status};
  }
  tokens.refresh_token = document->text(fields.refresh_token).value_or("");
  tokens.scope = document->text(fields.scope).value_or("");
  if (const auto expires_in = document->integer(fields.expires_in)) {
    tokens.expires_in_s = fields.expires_in_unit == ExpiresInUnit::Milliseconds
                              ? *expires_in / 1000
                              : *expires_in;
  } else if (document->text(fields.expires_in)) {
    return FlowFailure{FailureKind::InvalidResponse,
                       where + ": '" + fields.expires_in + "' is not a number", "",
                       response.status};
  } else {
    tokens.expires_in_s = fields.expires_in_default;
  }
  for (const auto& [name, path] : fields.capture) {
    if (auto value = document->text(path)) tokens.captured[name] = std::move(*value);
  }
  return tokens;
}

}  // namespace keyhop::flows
