#include "core/flows/flow_result.hpp"

namespace keyhop::flows {

const char* toString(FailureKind kind) {
  switch (kind) {
    case FailureKind::InvalidGrant:
      return "invalid_grant";
    case FailureKind::InvalidClient:
      return "invalid_client";
    case FailureKind::ProviderError:
      return "provider_error";
    case FailureKind::Transient:
      return "transient";
    case FailureKind::InvalidResponse:
      return "invalid_response";
    case FailureKind::InvalidInput:
      return "invalid_input";
  }
  return "provider_error";
}

}  // namespace keyhop::flows
