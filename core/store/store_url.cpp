#include "core/store/store_url.hpp"

#include <cctype>
#include <map>
#include <utility>

namespace keyhop::store {
namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

ParsedStoreUrl failure(std::string message) { return {std::nullopt, std::move(message)}; }

ParsedStoreUrl parseSqlite(std::string_view path) {
  // "sqlite:///abs" leaves "/abs"; "sqlite://rel" leaves "rel".
  if (path.empty() || path == "/") return failure("the sqlite:// URL names no file");
  auto decoded = percentDecode(path);
  if (!decoded) return failure("the sqlite:// URL has a malformed %-escape");
  return {StoreLocation{Backend::Sqlite, "sqlite", *decoded, "sqlite:" + *decoded}, ""};
}

// libpq's conninfo escaping. Poco 1.11 splits the string at every space before libpq sees it,
// so a value with a space (or an empty one) cannot be passed at all.
std::optional<std::string> conninfoValue(const std::string& value) {
  if (value.empty() || value.find_first_of(" \t\n\r") != std::string::npos) return std::nullopt;
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out;
}

ParsedStoreUrl parsePostgresql(std::string_view rest) {
  std::map<std::string, std::string> params;  // libpq keyword -> value
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  std::string_view dbname;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    dbname = rest.substr(slash + 1);
  }
  std::string_view host = authority;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    host = authority.substr(at + 1);
    std::string_view user = userinfo;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      auto password = percentDecode(userinfo.substr(colon + 1));
      if (!password) return failure("the postgresql:// URL's password has a malformed %-escape");
      if (!password->empty()) params["password"] = *password;
    }
    auto decoded_user = percentDecode(user);
    if (!decoded_user) return failure("the postgresql:// URL's user has a malformed %-escape");
    if (!decoded_user->empty()) params["user"] = *decoded_user;
  }
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [IPv6]:port
    const auto close = host.find(']');
    if (close == std::string_view::npos) return failure("the postgresql:// URL's host lacks ']'");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return failure("the postgresql:// URL's host is malformed");
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (!host.empty()) params["host"] = std::string(host);
  if (!port.empty()) {
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return failure("the postgresql:// URL's port is not a number");
      }
    }
    params["port"] = std::string(port);
  }
  if (!dbname.empty()) {
    auto decoded = percentDecode(dbname);
    if (!decoded) return failure("the postgresql:// URL's database name has a malformed %-escape");
    params["dbname"] = *decoded;
  }
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string key(pair.substr(0, eq));
    if (key.empty() || eq == std::string_view::npos) {
      return failure("the postgresql:// URL's query needs key=value pairs");
    }
    for (char c : key) {
      if (!std::islower(static_cast<unsigned char>(c)) && c != '_') {
        return failure("the postgresql:// URL has an invalid parameter name '" + key + "'");
      }
    }
    auto value = percentDecode(pair.substr(eq + 1));
    if (!value) return failure("the postgresql:// URL's parameter " + key + " is malformed");
    params[key] = *value;
  }

  StoreLocation location{Backend::Postgresql, "postgresql", "", "postgresql://"};
  for (const auto& [key, value] : params) {
    auto escaped = conninfoValue(value);
    if (!escaped) {
      return failure("the postgresql:// URL's " + key +
                     " is empty or holds whitespace, which the PostgreSQL connector cannot pass");
    }
    if (!location.connection_string.empty()) location.connection_string += ' ';
    location.connection_string += key + "=" + *escaped;
  }
  if (params.count("user")) location.description += params["user"] + "@";
  location.description += std::string(authority.substr(authority.rfind('@') + 1));
  if (!dbname.empty()) location.description += "/" + params["dbname"];
  return {std::move(location), ""};
}

}  // namespace

ParsedStoreUrl parseStoreUrl(std::string_view url) {
  if (startsWith(url, "sqlite://")) return parseSqlite(url.substr(9));
  if (startsWith(url, "postgresql://")) return parsePostgresql(url.substr(13));
  if (startsWith(url, "postgres://")) return parsePostgresql(url.substr(11));
  return failure("unknown store URL (expected sqlite:///path.db or postgresql://...)");
}

}  // namespace keyhop::store
