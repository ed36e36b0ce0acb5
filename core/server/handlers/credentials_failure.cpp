#include "core/server/handlers/credentials_failure.hpp"

#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"

namespace keyhop::server {

Response credentialsFailure(const credentials::Failure& failure) {
  using credentials::FailureKind;
  switch (failure.kind) {
    case FailureKind::NotFound:
      return connectionNotFound();
    case FailureKind::ProviderUnavailable:
      return keyhopError(409, "provider_unavailable", failure.message);
    case FailureKind::NeedsReauth:
      return keyhopError(409, "needs_reauth", failure.message);
    case FailureKind::RefreshUnavailable:
      return keyhopError(503, "refresh_unavailable", failure.message);
    case FailureKind::InvalidClient:
      return keyhopError(502, "invalid_client", failure.message);
    case FailureKind::RefreshRejected:
      break;
  }
  return keyhopError(502, "refresh_rejected", failure.message);
}

}  // namespace keyhop::server
