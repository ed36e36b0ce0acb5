#include "core/server/handlers/proxy.hpp"

#include <Poco/Logger.h>

#include <memory>
#include <variant>

#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"
#include "core/server/handlers/credentials_failure.hpp"
#include "core/server/handlers/proxy_exchange.hpp"
#include "core/server/handlers/proxy_plan.hpp"

namespace keyhop::server {
namespace {

constexpr std::size_t kMaxUserIdBytes = 256;

bool validUserId(const std::string& user_id) {
  if (user_id.empty() || user_id.size() > kMaxUserIdBytes) return false;
  for (const char c : user_id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Response invalidUserId() {
  return keyhopError(400, "invalid_user_id",
                     "name the end user in the Keyhop-User-Id header (1 to 256 bytes, no control "
                     "characters)");
}

// Where a request stands once its connection is known: planned, or refused.
using Planned = std::variant<ProxyPlan, Response>;

void proceed(ResponseStream& stream, credentials::CredentialsEngine& engine,
             credentials::SnapshotPtr connection, Planned&& planned) {
  if (auto* refused = std::get_if<Response>(&planned)) {
    stream.fail(std::move(*refused));
    return;
  }
  startProxyExchange(stream, engine, std::move(connection),
                     std::get<ProxyPlan>(std::move(planned)));
}

class ClientHere final : public StreamListener {
 public:
  explicit operator bool() const { return here_; }
  void streamClosed() override { here_ = false; }

 private:
  bool here_ = true;
};

// What may block (the store: an account, an integration or a connection not in the caches, a
// refresh that is due) runs on a worker; the exchange starts back on the reactor.
void proceedFromStore(ResponseStream& stream, const ApiContext& context, Request&& taken,
                      std::string secret_key, std::string user_id) {
  auto request = std::make_shared<Request>(std::move(taken));  // the worker's task is copyable
  auto* engine = &context.credentials;
  auto* accounts = &context.accounts;
  // The client may leave while the worker looks things up: then the stream is gone too.
  auto client_here = std::make_shared<ClientHere>();
  stream.listen(client_here);
  stream.offload([&stream, client_here, engine, accounts, request,
                  secret_key = std::move(secret_key),
                  user_id = std::move(user_id)]() -> std::function<void()> {
    auto finish = [&stream, client_here](Response response) {
      return [&stream, client_here, response = std::move(response)]() mutable {
        if (*client_here) stream.fail(std::move(response));
      };
    };
    try {
      const auto account = accounts->authenticate(secret_key);
      if (!account) return finish(invalidSecretKey());
      const auto integration_id =
          engine->integrationId(account->id, request->params.at("integration"));
      if (!integration_id) return finish(integrationNotFound());
      const auto fresh = engine->fresh({account->id, *integration_id, user_id});
      if (!fresh) return finish(credentialsFailure(fresh.failure()));
      auto planned =
          std::make_shared<Planned>(planProxyRequest(fresh.snapshot(), std::move(*request)));
      return [&stream, client_here, engine, connection = fresh.shared(), planned] {
        if (*client_here) proceed(stream, *engine, connection, std::move(*planned));
      };
    } catch (const std::exception& e) {
      // The store cannot be used. Its message names the database, never a secret.
      Poco::Logger::get("keyhop.api").error(std::string("proxy lookup failed: ") + e.what());
      return finish(keyhopError(503, "store_unavailable", "keyhop cannot read its store now"));
    }
  });
}

}  // namespace

StreamHandler proxyRequest(const ApiContext& context) {
  return [context](Request&& request, ResponseStream& stream) {
    const auto key = bearerToken(request);
    if (!key) return stream.fail(invalidSecretKey());
    const std::string* user_id = request.header("Keyhop-User-Id");
    if (!user_id || !validUserId(*user_id)) return stream.fail(invalidUserId());
    // The hot path: every lookup a cache hit, nothing blocks, the request leaves from here.
    const auto account = context.accounts.findCached(*key);
    const auto integration_id = account ? context.credentials.cachedIntegrationId(
                                              account->id, request.params.at("integration"))
                                        : std::nullopt;
    const auto connection =
        integration_id ? context.credentials.cachedFresh(account->id, *integration_id, *user_id)
                       : nullptr;
    if (!connection) {
      proceedFromStore(stream, context, std::move(request), std::string(*key), *user_id);
      return;
    }
    proceed(stream, context.credentials, connection,
            planProxyRequest(*connection, std::move(request)));
  };
}

}  // namespace keyhop::server
