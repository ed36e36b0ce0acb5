#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <sstream>

#include "tests/support/keyhop_process.hpp"

using keyhop::test::KeyhopProcess;

TEST_CASE("providers check passes on the shipped catalog and plugins", "[app][catalog]") {
  KeyhopProcess check({"providers", "check"}, {});
  CHECK(check.wait() == 0);
  INFO(check.output() << check.errorOutput());
  CHECK_THAT(check.output(), Catch::StartsWith("ok: "));
}

TEST_CASE("providers check names one precise error per broken descriptor", "[app][catalog]") {
  const std::filesystem::path broken =
      std::filesystem::path(KEYHOP_SOURCE_DIR) / "tests/fixtures/descriptors/broken";
  KeyhopProcess check({"providers", "check", broken.string()}, {});
  CHECK(check.wait() == 1);
  const std::string output = check.output();
  INFO(output);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(broken)) {
    ++files;
    // exactly one "file:line:column: message" line for each file
    const std::regex position(R"(^:[0-9]+:[0-9]+: .+)");
    const std::string prefix = entry.path().string();
    std::istringstream lines(output);
    int located = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(prefix, 0) == 0 && std::regex_match(line.substr(prefix.size()), position)) {
        ++located;
      }
    }
    INFO(prefix);
    CHECK(located == 1);
  }
  CHECK(files >= 10);
  CHECK_THAT(output, Catch::Contains("in " + std::to_string(files) + " of " +
                                     std::to_string(files) + " file(s)"));
}
