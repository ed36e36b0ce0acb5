#pragma once

// The URL rule every descriptor URL follows: absolute, https, and plain http only towards a
// loopback host (the fake providers in tests). Placeholders are left to template_check; here
// they only stand in for the text they will become.

#include <optional>
#include <string>
#include <string_view>

namespace keyhop::registry {

// What is wrong with `url`, the value of `field`, or nothing. With `may_start_with_credentials`
// (api.base_url) a URL that starts with `${credentials.x}` is accepted as it is: the whole
// origin arrives with the token (Salesforce's instance_url) and is checked when it is used.
std::optional<std::string> checkUrl(std::string_view url, std::string_view field,
                                    bool may_start_with_credentials = false);

}  // namespace keyhop::registry
