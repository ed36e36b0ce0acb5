#include "core/proxy/upstream_target.hpp"

#include <catch2/catch.hpp>

using keyhop::Credentials;
using keyhop::ProviderSpec;
using keyhop::proxy::resolveUpstreamTarget;
using keyhop::proxy::TargetError;
using keyhop::proxy::UpstreamTarget;

namespace {

ProviderSpec specWithBase(const std::string& base_url) {
  ProviderSpec spec;
  spec.id = "acme";
  spec.api.base_url = base_url;
  return spec;
}

UpstreamTarget accepted(const ProviderSpec& spec, const std::string& path,
                        const std::string& query = "", const Credentials& credentials = {}) {
  const auto result = resolveUpstreamTarget(spec, credentials, path, query);
  INFO(path << "?" << query);
  REQUIRE(std::holds_alternative<UpstreamTarget>(result));
  return std::get<UpstreamTarget>(result);
}

TargetError refused(const ProviderSpec& spec, const std::string& path,
                    const std::string& query = "", const Credentials& credentials = {}) {
  const auto result = resolveUpstreamTarget(spec, credentials, path, query);
  INFO(path << "?" << query);
  REQUIRE(std::holds_alternative<TargetError>(result));
  return std::get<TargetError>(result);
}

}  // namespace

TEST_CASE("The upstream target is the base URL plus the caller's path and query, raw", "[proxy]") {
  const auto spec = specWithBase("https://api.acme.example/v2/");
  const auto target = accepted(spec, "repos/o%2Fr/issues", "q=a%20b&state=open&x=%2F");
  CHECK(target.origin->tls);
  CHECK(target.origin->host == "api.acme.example");
  CHECK(target.origin->port == 443);
  CHECK(target.origin->url == "https://api.acme.example");
  CHECK(target.origin->host_header == "api.acme.example");
  CHECK(target.target == "/v2/repos/o%2Fr/issues?q=a%20b&state=open&x=%2F");

  CHECK(accepted(spec, "").target == "/v2/");
  CHECK(accepted(spec, "files:copy/x.json").target == "/v2/files:copy/x.json");
  CHECK(accepted(spec, "v1/documents:batchGet").target == "/v2/v1/documents:batchGet");
  CHECK(accepted(spec, "a/.well-known/b").target == "/v2/a/.well-known/b");
  CHECK(accepted(spec, "a/b...c/%2e%2e%2e").target == "/v2/a/b...c/%2e%2e%2e");
}

TEST_CASE("Plain http upstreams on loopback keep their port in Host and origin", "[proxy]") {
  const auto target = accepted(specWithBase("http://127.0.0.1:8081/api"), "me");
  CHECK_FALSE(target.origin->tls);
  CHECK(target.origin->port == 8081);
  CHECK(target.origin->host_header == "127.0.0.1:8081");
  CHECK(target.origin->url == "http://127.0.0.1:8081");
  CHECK(target.target == "/api/me");
}

TEST_CASE("A path or query that could reach another target is refused", "[proxy]") {
  const auto spec = specWithBase("https://api.acme.example/v2");
  for (const std::string path : {"..",
                                 "../admin",
                                 "a/../../admin",
                                 "a/..",
                                 "./a",
                                 "a/./b",
                                 "%2e%2e/admin",
                                 "%2E%2e/admin",
                                 "a/%2e%2e",
                                 ".%2e/x",
                                 "%252e%252e/admin",
                                 "%25252e%25252e/admin",
                                 "a/..%2fadmin",
                                 "a%2f..%2f..%2fadmin",
                                 "a%5c..%5cadmin",
                                 "/evil.example/x",
                                 "//evil.example/x",
                                 "a//b",
                                 "http://evil.example/x",
                                 "https:",
                                 "https:/evil.example",
                                 "a@evil.example",
                                 "user@evil.example/x",
                                 "a\\b",
                                 "a\\..\\b",
                                 "a\r\nHost: evil",
                                 "a%0d%0aHost:%20evil",
                                 "a%00b",
                                 "a b",
                                 "a#frag",
                                 "caf\xc3\xa9"}) {
    const auto error = refused(spec, path);
    CHECK(error.code == "invalid_proxy_path");
    if (path.size() > 4) CHECK(error.message.find(path) == std::string::npos);
  }
  for (const std::string query : {"a=1\r\nHost: evil", "a=%0d%0a", "a=1#x", "a=b c", "a=%00"}) {
    CHECK(refused(spec, "ok", query).code == "invalid_proxy_path");
  }
}

TEST_CASE("Template values in the base URL must be strict host names", "[proxy]") {
  const auto spec = specWithBase("https://${connection.subdomain}.acme.example/api");
  Credentials credentials;
  credentials.connection_fields["subdomain"] = "tenant-1";
  CHECK(accepted(spec, "x", "", credentials).origin->host == "tenant-1.acme.example");
  for (const std::string value :
       {"evil.example/", "a..b", "evil.example#", "a@b", "a:1", "a\r\nb", "", "-a", "a/../b"}) {
    credentials.connection_fields["subdomain"] = value;
    const auto error = refused(spec, "x", "", credentials);
    CHECK(error.code == "invalid_connection_fields");
  }
  credentials.connection_fields.erase("subdomain");
  CHECK(refused(spec, "x", "", credentials).code == "invalid_connection_fields");
}

TEST_CASE("A captured origin fills the whole base URL only when it is a strict origin", "[proxy]") {
  const auto spec = specWithBase("${credentials.instance_url}/services/data");
  Credentials credentials;
  credentials.captured["instance_url"] = "https://na1.acme.example";
  const auto target = accepted(spec, "v59.0/query", "q=SELECT+Id", credentials);
  CHECK(target.origin->host == "na1.acme.example");
  CHECK(target.target == "/services/data/v59.0/query?q=SELECT+Id");
  for (const std::string value : {"http://evil.example", "https://evil.example/x?",
                                  "https://user@evil.example", "javascript:alert(1)"}) {
    credentials.captured["instance_url"] = value;
    CHECK(refused(spec, "x", "", credentials).code == "invalid_connection_fields");
  }
}

TEST_CASE("A provider without an API base URL cannot be proxied", "[proxy]") {
  CHECK(refused(specWithBase(""), "x").code == "no_api_base_url");
}
