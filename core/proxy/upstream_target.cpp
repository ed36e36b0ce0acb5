#include "core/proxy/upstream_target.hpp"

#include <optional>
#include <unordered_map>

#include "core/flows/templates.hpp"

namespace keyhop::proxy {
namespace {

// Enough rounds to see through double encoding (%252e%252e); a third layer cannot be decoded
// into a dot segment by a server that decodes twice.
constexpr int kDecodeRounds = 3;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One round of %XX decoding; a '%' that starts no escape stays as it is.
std::string percentDecodedOnce(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool isControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The next '/' or '\' from `start`, or the end. A plain scan: find_first_of would search its
// set once per character, on every segment of every proxied path.
std::size_t separatorOrEnd(std::string_view text, std::size_t start) {
  while (start < text.size() && text[start] != '/' && text[start] != '\\') ++start;
  return start;
}

// A decoded form of a segment names another place when any of its '/'- or '\'-separated parts
// is "." or "..", or when it holds a character no target may carry.
std::optional<std::string> decodedSegmentProblem(std::string_view decoded) {
  std::size_t start = 0;
  while (start <= decoded.size()) {
    const std::size_t end = separatorOrEnd(decoded, start);
    const std::string_view part = decoded.substr(start, end - start);
    if (part == "." || part == "..") return "a dot segment ('.' or '..', encoded or not)";
    start = end + 1;
  }
  for (const char c : decoded) {
    if (isControl(static_cast<unsigned char>(c))) return "a control character (CR, LF, NUL...)";
    if (c == '\\') return "a backslash";
  }
  return std::nullopt;
}

std::optional<std::string> pathProblem(std::string_view path) {
  if (path.empty()) return std::nullopt;
  if (path.front() == '/') return "an empty segment ('//')";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (isControl(byte) || c == ' ') return "a space or control character";
    if (c == '\\') return "a backslash";
    if (c == '@') return "'@'";
    if (c == '#') return "a fragment ('#')";
    if (byte >= 0x80) return "a byte that is not ASCII (percent-encode it)";
  }
  if (path.find("//") != std::string_view::npos) return "an empty segment ('//')";
  const std::size_t first_end = path.find('/');
  const std::string_view first = path.substr(0, first_end);
  const std::size_t colon = first.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view scheme = first.substr(0, colon);
    const bool looks_like_scheme =
        !scheme.empty() &&
        scheme.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
            std::string_view::npos;
    if (looks_like_scheme && colon + 1 == first.size()) return "an absolute URL";
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view raw = path.substr(start, end - start);
    start = end + 1;
    if (raw.find('%') == std::string_view::npos) {  // nothing to decode: as it stands
      if (auto problem = decodedSegmentProblem(raw)) return problem;
      continue;
    }
    std::string segment(raw);
    for (int round = 0; round < kDecodeRounds; ++round) {
      if (auto problem = decodedSegmentProblem(segment)) return problem;
      std::string decoded = percentDecodedOnce(segment);
      if (decoded == segment) break;
      segment = std::move(decoded);
    }
    if (auto problem = decodedSegmentProblem(segment)) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> queryProblem(std::string_view query) {
  for (const char c : query) {
    const auto byte = static_cast<unsigned char>(c);
    if (isControl(byte) || c == ' ') return "a space or control character in the query";
    if (c == '#') return "a fragment ('#')";
    if (byte >= 0x80) return "a byte that is not ASCII in the query (percent-encode it)";
  }
  if (query.find('%') == std::string_view::npos) return std::nullopt;
  const std::string decoded = percentDecodedOnce(query);
  for (const char c : decoded) {
    if (c == '\r' || c == '\n' || c == '\0') return "an encoded CR, LF or NUL in the query";
  }
  return std::nullopt;
}

TargetError pathError(const std::string& problem) {
  return {"invalid_proxy_path", "the proxied path or query holds " + problem};
}

// A base URL split into its origin and base path (without a trailing '/'). `url` was checked by
// fillUrl (scheme and host).
struct BaseUrl {
  std::shared_ptr<const UpstreamOrigin> origin;
  std::string path;
};

BaseUrl splitBaseUrl(std::string_view url) {
  UpstreamOrigin origin;
  std::string_view rest = url;
  if (rest.rfind("https://", 0) == 0) {
    rest.remove_prefix(8);
  } else {
    origin.tls = false;
    origin.port = 80;
    rest.remove_prefix(7);
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view base_path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  const std::size_t colon = authority.rfind(':');
  origin.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    origin.port = static_cast<std::uint16_t>(std::stoi(std::string(authority.substr(colon + 1))));
  }
  const bool default_port = origin.port == (origin.tls ? 443 : 80);
  origin.host_header = default_port ? origin.host : origin.host + ":" + std::to_string(origin.port);
  origin.url = std::string(origin.tls ? "https://" : "http://") + origin.host_header;
  return {std::make_shared<const UpstreamOrigin>(std::move(origin)), std::string(base_path)};
}

// Most base URLs name no template, so every request to the provider has the same origin and
// base path: they are checked and worked out once per descriptor and thread. An entry is used
// only while the descriptor's base URL is the one it was made from, the only input of both.
// Null, with `error` set, when the URL is unfit (not kept: a descriptor that fails is not
// served anyway).
const BaseUrl* untemplatedBase(const ProviderSpec& spec, std::string& error) {
  struct Entry {
    std::string base_url;
    BaseUrl parts;
  };
  thread_local std::unordered_map<const ProviderSpec*, Entry> bases;
  const auto it = bases.find(&spec);
  if (it != bases.end() && it->second.base_url == spec.api.base_url) return &it->second.parts;
  const flows::Filled base = flows::fillUrl(spec.api.base_url, {}, "api.base_url");
  if (!base) {
    error = base.error;
    return nullptr;
  }
  Entry& entry = bases[&spec];
  entry = Entry{spec.api.base_url, splitBaseUrl(base.value)};
  return &entry.parts;
}

}  // namespace

std::variant<UpstreamTarget, TargetError> resolveUpstreamTarget(const ProviderSpec& spec,
                                                                const Credentials& credentials,
                                                                std::string_view raw_path,
                                                                std::string_view raw_query) {
  if (auto problem = pathProblem(raw_path)) return pathError(*problem);
  if (auto problem = queryProblem(raw_query)) return pathError(*problem);
  if (spec.api.base_url.empty()) {
    return TargetError{"no_api_base_url", "provider " + spec.id + " names no api.base_url"};
  }
  const auto target = [&](const BaseUrl& base) {
    UpstreamTarget made{base.origin, {}};
    made.target.reserve(base.path.size() + raw_path.size() + raw_query.size() + 2);
    made.target.append(base.path).append(1, '/').append(raw_path);
    if (!raw_query.empty()) made.target.append(1, '?').append(raw_query);
    return made;
  };
  if (spec.api.base_url.find("${") == std::string::npos) {
    std::string error;
    const BaseUrl* base = untemplatedBase(spec, error);
    if (!base) return TargetError{"invalid_connection_fields", error};
    return target(*base);
  }
  const flows::Filled base =
      flows::fillUrl(spec.api.base_url, flows::templateValues(credentials), "api.base_url");
  if (!base) return TargetError{"invalid_connection_fields", base.error};
  return target(splitBaseUrl(base.value));
}

}  // namespace keyhop::proxy
