#include "core/server/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/flows/http_text.hpp"

namespace keyhop::server {
namespace {

bool isName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

bool methodMatches(const std::string& route_method, std::string_view method) {
  return route_method == "*" || route_method == method;
}

}  // namespace

Router& Router::add(std::string method, std::string pattern, SyncHandler handler, RunOn run_on) {
  return addRoute({std::move(method), std::move(pattern), std::move(handler), run_on});
}

Router& Router::add(std::string method, std::string pattern, AsyncHandler handler, RunOn run_on,
                    BodyMode body) {
  return addRoute({std::move(method), std::move(pattern), std::move(handler), run_on, body});
}

Router& Router::add(std::string method, std::string pattern, StreamHandler handler, BodyMode body) {
  return addRoute(
      {std::move(method), std::move(pattern), std::move(handler), RunOn::Reactor, body});
}

Router& Router::addRoute(Route route) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("route " + route.method + " " + route.pattern + ": " + why);
  };
  if (route.method.empty() || (route.method != "*" && !flows::isToken(route.method)))
    fail("the method is not an HTTP token or \"*\"");
  const bool empty_handler = std::visit([](const auto& h) { return !h; }, route.handler);
  if (empty_handler) fail("no handler");
  if (route.pattern.empty() || route.pattern[0] != '/') fail("a pattern starts with '/'");

  std::vector<Segment> segments;
  std::set<std::string> names;
  std::string_view rest = std::string_view(route.pattern).substr(1);
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (!segments.empty() && segments.back().kind == SegmentKind::CatchAll)
      fail("a catch-all {name...} must be the last segment");
    if (!part.empty() && part.front() == '{') {
      if (part.back() != '}') fail("a capture is written {name}");
      std::string_view name = part.substr(1, part.size() - 2);
      SegmentKind kind = SegmentKind::Capture;
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        name.remove_suffix(3);
        kind = SegmentKind::CatchAll;
      }
      if (!isName(name)) fail("a capture's name is letters, digits and '_'");
      if (!names.insert(std::string(name)).second)
        fail("capture {" + std::string(name) + "} twice");
      segments.push_back({kind, std::string(name)});
    } else {
      if (part.find_first_of("{}?#") != std::string_view::npos)
        fail("a literal segment holds no '{', '}', '?' or '#'");
      segments.push_back({SegmentKind::Literal, std::string(part)});
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }

  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method != route.method || segments_[i].size() != segments.size()) continue;
    const bool same_shape = std::equal(
        segments.begin(), segments.end(), segments_[i].begin(), [](const auto& a, const auto& b) {
          return a.kind == b.kind && (a.kind != SegmentKind::Literal || a.text == b.text);
        });
    if (same_shape) fail("same method and shape as " + routes_[i].pattern);
  }
  routes_.push_back(std::move(route));
  segments_.push_back(std::move(segments));
  return *this;
}

bool Router::matches(const std::vector<Segment>& segments, std::string_view path,
                     RouteParams* params) {
  if (path.empty() || path[0] != '/') return false;
  std::size_t pos = 1;  // start of the next path segment; past the end when none is left
  for (const auto& segment : segments) {
    if (segment.kind == SegmentKind::CatchAll) {
      if (params) {
        params->emplace_hint(params->end(), segment.text,
                             pos < path.size() ? std::string(path.substr(pos)) : "");
      }
      return true;
    }
    if (pos > path.size()) return false;
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(pos, end - pos);
    if (segment.kind == SegmentKind::Literal) {
      if (part != segment.text) return false;
    } else {
      if (part.empty()) return false;
      if (part.find('%') == std::string_view::npos) {  // the common case: nothing to decode
        if (params) params->emplace_hint(params->end(), segment.text, std::string(part));
      } else {
        auto decoded = percentDecode(part);
        if (!decoded) return false;
        if (params) params->emplace_hint(params->end(), segment.text, std::move(*decoded));
      }
    }
    pos = end + 1;
  }
  return pos == path.size() + 1;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const auto better = [this](std::size_t a, std::size_t b) {
    // Segment by segment, the more specific kind wins; a same-shaped exact method beats "*".
    const auto& sa = segments_[a];
    const auto& sb = segments_[b];
    for (std::size_t i = 0; i < std::min(sa.size(), sb.size()); ++i) {
      if (sa[i].kind != sb[i].kind) return sa[i].kind < sb[i].kind;
    }
    if (sa.size() != sb.size()) return sa.size() < sb.size();  // the other's catch-all is empty
    return routes_[a].method != "*" && routes_[b].method == "*";
  };

  // Every request scans the table: a route whose first segment is another literal is passed
  // over on one comparison.
  const bool rooted = !path.empty() && path[0] == '/';
  const std::string_view first = rooted ? path.substr(1, path.find('/', 1) - 1) : path;
  std::size_t best = routes_.size();
  std::size_t best_for_get = routes_.size();  // HEAD's fallback
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Segment& head = segments_[i].front();
    if (rooted && head.kind == SegmentKind::Literal && head.text != first) continue;
    const bool wanted = methodMatches(routes_[i].method, method);
    const bool get_for_head = !wanted && method == "HEAD" && routes_[i].method == "GET";
    if ((!wanted && !get_for_head) || !matches(segments_[i], path, nullptr)) continue;
    std::size_t& slot = wanted ? best : best_for_get;
    if (slot == routes_.size() || better(i, slot)) slot = i;
  }
  if (best_for_get != routes_.size() && (best == routes_.size() || better(best_for_get, best)))
    best = best_for_get;

  RouteMatch result;
  if (best != routes_.size()) {
    result.outcome = RouteMatch::Outcome::Found;
    result.route = &routes_[best];
    matches(segments_[best], path, &result.params);
    return result;
  }
  // Rare, so only now: which methods would this path take?
  std::set<std::string> allowed;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (matches(segments_[i], path, nullptr)) allowed.insert(routes_[i].method);
  }
  if (allowed.empty()) return result;
  result.outcome = RouteMatch::Outcome::MethodNotAllowed;
  if (allowed.count("GET")) allowed.insert("HEAD");
  for (const auto& m : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += m;
  }
  return result;
}

}  // namespace keyhop::server
