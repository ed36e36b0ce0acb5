#include "core/server/connect_page.hpp"

#include <catch2/catch.hpp>
#include <regex>

using keyhop::server::connectPage;
using keyhop::server::ConnectResult;

namespace {

// The nonce the CSP allows, which the page's only script must carry.
std::string cspNonce(const keyhop::server::Response& page) {
  const std::string* csp = page.header("Content-Security-Policy");
  REQUIRE(csp);
  std::smatch match;
  REQUIRE(std::regex_search(*csp, match, std::regex("script-src 'nonce-([0-9a-f]{32})'")));
  return match[1];
}

}  // namespace

TEST_CASE("The connect page posts the result to each allowed origin explicitly", "[server]") {
  const auto page = connectPage(200, {true, "crm", "user 42", "", ""},
                                {"https://app.example", "http://127.0.0.1:3000"});
  CHECK(page.status == 200);
  CHECK(*page.header("Content-Type") == "text/html; charset=utf-8");
  CHECK(*page.header("Cache-Control") == "no-store");
  CHECK_FALSE(page.header("Keyhop-Error"));
  CHECK(page.body.find("<h1>Connected</h1>") != std::string::npos);
  CHECK(page.body.find("<script nonce=\"" + cspNonce(page) + "\">") != std::string::npos);
  CHECK(page.body.find(R"("status":"connected","integration":"crm","user_id":"user 42")") !=
        std::string::npos);
  CHECK(page.body.find(R"(postMessage(message, "https://app.example");)") != std::string::npos);
  CHECK(page.body.find(R"(postMessage(message, "http://127.0.0.1:3000");)") != std::string::npos);
  CHECK(page.body.find("\"*\"") == std::string::npos);
}

TEST_CASE("The connect page posts nothing without an origin and escapes what it shows",
          "[server]") {
  const auto page = connectPage(
      400,
      {false, "", "", "provider_error", "the provider answered error=<script>alert(1)</script>"},
      {});
  CHECK(page.status == 400);
  CHECK(*page.header("Keyhop-Error") == "provider_error");
  CHECK(page.body.find("<script") == std::string::npos);
  CHECK(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("Text in the connect page's script cannot end the script", "[server]") {
  const auto page = connectPage(
      400, {false, "crm", "</script><script>alert(1)//", "access_denied", "the user said <no>"},
      {"https://app.example"});
  const auto script_start = page.body.find("<script nonce=");
  REQUIRE(script_start != std::string::npos);
  const auto script_end = page.body.find("</script>", script_start);
  CHECK(page.body.find("</script>", script_end + 1) == std::string::npos);
  CHECK(page.body.find(R"(\u003c/script\u003e\u003cscript\u003ealert(1)//)") != std::string::npos);
  CHECK(page.body.find(R"("error":"access_denied","message":"the user said \u003cno\u003e")") !=
        std::string::npos);
}

TEST_CASE("Every connect page has its own nonce", "[server]") {
  const ConnectResult result{true, "crm", "u", "", ""};
  CHECK(cspNonce(connectPage(200, result, {"https://a.example"})) !=
        cspNonce(connectPage(200, result, {"https://a.example"})));
}
