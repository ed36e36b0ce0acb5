#include "core/server/handlers/with_account.hpp"

namespace keyhop::server {

SyncHandler withAccount(AccountAuthenticator& accounts, AccountHandler handler) {
  return [&accounts, handler = std::move(handler)](const Request& request) {
    const auto key = bearerToken(request);
    if (!key) return invalidSecretKey();
    const auto account = accounts.authenticate(*key);
    if (!account) return invalidSecretKey();
    return handler(request, *account);
  };
}

}  // namespace keyhop::server
