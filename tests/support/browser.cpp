#include "tests/support/browser.hpp"

#include <Poco/URI.h>

#include <stdexcept>

namespace keyhop::test {

BrowserWalk browse(const std::string& url) {
  constexpr int kMaxRedirects = 10;
  BrowserWalk walk;
  Poco::URI next(url);
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    walk.visited.push_back(next.toString());
    walk.last = httpRequest(next.getPort(), "GET", next.getPathEtc());
    const std::string location = walk.last.header("Location");
    if (walk.last.status < 300 || walk.last.status >= 400 || location.empty()) return walk;
    Poco::URI target(next, location);
    if (target.getHost() != "127.0.0.1" || target.getScheme() != "http") {
      walk.left_to = target.toString();
      return walk;
    }
    next = target;
  }
  throw std::runtime_error("more than 10 redirects from " + url);
}

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [key, value] : Poco::URI(url).getQueryParameters()) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace keyhop::test
