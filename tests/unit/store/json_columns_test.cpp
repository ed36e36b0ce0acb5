#include "core/store/json_columns.hpp"

#include <catch2/catch.hpp>

using namespace keyhop;
using namespace keyhop::store;

TEST_CASE("credentials survive the sealed JSON blob, connection fields excepted", "[store]") {
  Credentials credentials;
  credentials.access_token = "a\"b\\c\n\xc3\xa9";
  credentials.refresh_token = "r";
  credentials.token_secret = "ts";
  credentials.api_key = "k";
  credentials.username = "u";
  credentials.password = "p";
  credentials.expires_at = 1700000000;
  credentials.captured = {{"instance_url", "https://x.example"}};
  credentials.connection_fields = {{"subdomain", "kept elsewhere"}};
  const auto decoded = decodeCredentials(encodeCredentials(credentials, "{\"raw\":true}"));
  REQUIRE(decoded);
  CHECK(decoded->credentials.access_token == credentials.access_token);
  CHECK(decoded->credentials.refresh_token == "r");
  CHECK(decoded->credentials.token_secret == "ts");
  CHECK(decoded->credentials.api_key == "k");
  CHECK(decoded->credentials.username == "u");
  CHECK(decoded->credentials.password == "p");
  CHECK(decoded->credentials.expires_at == std::optional<std::int64_t>(1700000000));
  CHECK(decoded->credentials.captured == credentials.captured);
  CHECK(decoded->credentials.connection_fields.empty());
  CHECK(decoded->raw_response == "{\"raw\":true}");

  credentials.expires_at.reset();
  CHECK_FALSE(decodeCredentials(encodeCredentials(credentials, ""))->credentials.expires_at);
  CHECK_FALSE(decodeCredentials("{}"));
  CHECK_FALSE(decodeCredentials("not json"));
}

TEST_CASE("lists and maps round-trip and refuse other shapes", "[store]") {
  CHECK(decodeList(encodeList({"a", "b,c"})) == std::vector<std::string>{"a", "b,c"});
  CHECK_FALSE(decodeList("[1]"));
  CHECK_FALSE(decodeList("{}"));
  const std::map<std::string, std::string> map{{"k", "v"}};
  CHECK(decodeMap(encodeMap(map)) == map);
  CHECK_FALSE(decodeMap("{\"k\":1}"));
  CHECK(isJsonObject("{\"a\":{\"b\":[1]}}"));
  CHECK_FALSE(isJsonObject("[]"));
  CHECK_FALSE(isJsonObject("{"));
}
