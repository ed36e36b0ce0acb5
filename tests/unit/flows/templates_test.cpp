#include "core/flows/templates.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>

using namespace keyhop::flows;

namespace {

// The fields a test's values view: they must outlive the fill.
struct Subdomain {
  explicit Subdomain(const std::string& subdomain) : fields{{"subdomain", subdomain}} {
    values.connection = &fields;
  }
  std::map<std::string, std::string> fields;
  TemplateValues values;
};

}  // namespace

TEST_CASE("fillUrl puts a strict host label into the host", "[flows]") {
  const auto filled = fillUrl("https://${connection.subdomain}.zendesk.example/oauth/token",
                              Subdomain("acme-eu").values, "token_url");
  REQUIRE(filled);
  CHECK(filled.value == "https://acme-eu.zendesk.example/oauth/token");
}

TEST_CASE("fillUrl refuses host values that would move the request elsewhere", "[flows]") {
  const std::string url = "https://${connection.subdomain}.zendesk.example/oauth/token";
  for (const std::string bad : {"evil.com/", "a..b", "a@evil.com", "evil.com:443", "a\r\nX: y",
                                "a%2fb", "a b", "", ".a", "a.", "-a", "a/b"}) {
    const auto filled = fillUrl(url, Subdomain(bad).values, "token_url");
    CAPTURE(bad);
    REQUIRE_FALSE(filled);
    CHECK(filled.error.find("token_url") != std::string::npos);
    CHECK(filled.error.find("${connection.subdomain}") != std::string::npos);
  }
}

TEST_CASE("fillUrl percent-encodes values in the path and query", "[flows]") {
  const std::map<std::string, std::string> captured{{"team", "a/b?c=d#e"}};
  TemplateValues values;
  values.credentials = &captured;
  const auto filled = fillUrl("https://api.example/teams/${credentials.team}?t=${credentials.team}",
                              values, "api.base_url");
  REQUIRE(filled);
  CHECK(filled.value == "https://api.example/teams/a%2Fb%3Fc%3Dd%23e?t=a%2Fb%3Fc%3Dd%23e");
}

TEST_CASE("a URL that starts with a placeholder takes a whole checked origin", "[flows]") {
  std::map<std::string, std::string> captured{{"instance_url", "https://na1.salesforce.example/"}};
  TemplateValues values;
  values.credentials = &captured;
  auto filled = fillUrl("${credentials.instance_url}/services/data", values, "api.base_url");
  REQUIRE(filled);
  CHECK(filled.value == "https://na1.salesforce.example/services/data");

  captured["instance_url"] = "http://127.0.0.1:8080";
  CHECK(fillUrl("${credentials.instance_url}/x", values, "api.base_url"));
  for (const std::string bad :
       {"http://evil.example", "https://user@evil.example", "https://evil.example/path",
        "javascript:alert(1)", "https://evil.example:99999"}) {
    captured["instance_url"] = bad;
    CAPTURE(bad);
    CHECK_FALSE(fillUrl("${credentials.instance_url}/x", values, "api.base_url"));
  }
}

TEST_CASE("a missing value is named, a secret value never appears in an error", "[flows]") {
  const auto missing = fillUrl("https://${connection.subdomain}.x.example", {}, "authorize_url");
  REQUIRE_FALSE(missing);
  CHECK(missing.error == "authorize_url: ${connection.subdomain} has no value");

  keyhop::Credentials credentials;
  credentials.access_token = "tok\r\nen-SECRET";
  const auto split =
      fillText("Bearer ${access_token}", templateValues(credentials), "api.stamp.format");
  REQUIRE_FALSE(split);
  CHECK(split.error.find("SECRET") == std::string::npos);
  CHECK(split.error.find("api.stamp.format") != std::string::npos);
}

TEST_CASE("templateValues exposes the stamp placeholders, basic included", "[flows]") {
  keyhop::Credentials credentials;
  credentials.username = "Aladdin";
  credentials.password = "open sesame";
  credentials.connection_fields["subdomain"] = "acme";
  credentials.captured["team_id"] = "T1";
  const TemplateValues values = templateValues(credentials);
  const auto filled =
      fillText("Basic ${basic} ${username} ${connection.subdomain} ${credentials.team_id}", values,
               "api.stamp.format");
  REQUIRE(filled);
  CHECK(filled.value == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== Aladdin acme T1");
  CHECK_FALSE(fillText("${api_key}", values, "api.stamp.format"));
}

TEST_CASE("isStrictHostName", "[flows]") {
  CHECK(isStrictHostName("a"));
  CHECK(isStrictHostName("login.salesforce.com"));
  CHECK(isStrictHostName("xn--bcher-kva.example"));
  CHECK_FALSE(isStrictHostName("a_b"));
  CHECK_FALSE(isStrictHostName(std::string(64, 'a')));
  CHECK_FALSE(isStrictHostName("a-.b"));
}
