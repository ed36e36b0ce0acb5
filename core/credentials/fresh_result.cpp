#include "core/credentials/fresh_result.hpp"

namespace keyhop::credentials {

const char* toString(FailureKind kind) {
  switch (kind) {
    case FailureKind::NotFound:
      return "not_found";
    case FailureKind::ProviderUnavailable:
      return "provider_unavailable";
    case FailureKind::NeedsReauth:
      return "needs_reauth";
    case FailureKind::RefreshUnavailable:
      return "refresh_unavailable";
    case FailureKind::InvalidClient:
      return "invalid_client";
    case FailureKind::RefreshRejected:
      return "refresh_rejected";
  }
  return "refresh_unavailable";
}

}  // namespace keyhop::credentials
