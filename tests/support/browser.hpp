#pragma once

// What a browser does with keyhop's connect link: GET it and follow every redirect, as long as
// they stay on 127.0.0.1 (keyhop, the fake provider). A redirect elsewhere (an app's return URL)
// ends the walk without being followed, so tests can look at where it would have gone.

#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace keyhop::test {

struct BrowserWalk {
  std::vector<std::string> visited;  // every URL requested, in order
  HttpResult last;                   // the last answer: a page, an error, or the redirect away
  std::string left_to;               // the redirect's target when it leaves 127.0.0.1, else ""
};

// `url` is absolute ("http://127.0.0.1:PORT/..."). Throws after 10 redirects.
BrowserWalk browse(const std::string& url);

// The value of query parameter `name` in `url`, percent-decoded; "" when absent.
std::string queryValue(const std::string& url, const std::string& name);

}  // namespace keyhop::test
