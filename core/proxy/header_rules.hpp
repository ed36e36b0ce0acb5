#pragma once

// Which headers cross the proxy (RFC 9110 7.6.1). Hop-by-hop headers belong to one connection
// and never cross; neither do the headers keyhop itself reads on the way in (the caller's
// Authorization is keyhop's secret key, Keyhop-* are instructions to keyhop) nor Host, which
// keyhop sets for the provider. Everything else crosses unchanged, in order, repeats kept.

#include <string_view>

#include "core/flows/http_text.hpp"
#include "keyhop/provider.hpp"

namespace keyhop::proxy {

// Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*, and any header the
// Connection header lists.
bool isHopByHop(std::string_view name, const HeaderList& headers);

// The caller's headers minus hop-by-hop, Host, Authorization, Content-Length (keyhop frames
// the body itself) and Keyhop-*.
HeaderList requestHeadersToForward(HeaderList headers);

// The provider's headers minus hop-by-hop and Content-Length (keyhop frames the body itself),
// viewing what `headers` views.
flows::HeaderViews responseHeadersToReturn(const flows::HeaderViews& headers);

}  // namespace keyhop::proxy
