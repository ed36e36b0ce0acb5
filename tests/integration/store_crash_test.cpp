// Crash safety: a process writing connections is killed with SIGKILL mid-stream; the store
// reopens consistent, holding every connection the process saw committed.

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/store_harness.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

// (connection id, user id) pairs the writer reported before it was killed.
std::vector<std::pair<std::string, std::string>> runWriterAndKill(const std::string& url,
                                                                  std::size_t kill_after) {
  Poco::Pipe out;
  Poco::ProcessHandle writer =
      Poco::Process::launch(KEYHOP_STORE_CRASH_WRITER, {url, kKeyOne}, ".", nullptr, &out, nullptr);
  Poco::PipeInputStream in(out);
  std::vector<std::pair<std::string, std::string>> committed;
  std::string id, user;
  bool killed = false;
  // Only whole lines count: the last one may have been cut by the kill.
  for (std::string line; std::getline(in, line) && !in.eof();) {
    const auto space = line.find(' ');
    committed.emplace_back(line.substr(0, space), line.substr(space + 1));
    if (!killed && committed.size() >= kill_after) {
      Poco::Process::kill(writer);  // SIGKILL
      killed = true;
    }
  }
  const int status = writer.wait();
  INFO("the writer exited by itself with " << status);
  REQUIRE(killed);
  return committed;
}

}  // namespace

TEMPLATE_TEST_CASE("a writer killed with SIGKILL loses no committed connection", "[store]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  const auto committed = runWriterAndKill(backend.url(), 300);
  REQUIRE(committed.size() >= 300);

  const auto vault = makeVault();
  auto store = openStore(backend.url(), vault);  // migrations check and pass again
  if constexpr (TestType::kIsSqlite) {
    std::string integrity;
    rawSession(backend.url()) << "PRAGMA integrity_check", into(integrity), now;
    CHECK(integrity == "ok");
    struct stat info {};
    REQUIRE(stat(backend.file().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
  }
  const auto account = store->findAccountByName("crash");
  REQUIRE(account);
  const auto stored = store->listConnections(account->id);
  CHECK(stored.size() >= committed.size());
  std::size_t intact = 0;
  for (const auto& [id, user] : committed) {
    auto connection = store->findConnectionById(id);
    if (connection && connection->info.key.user_id == user &&
        connection->credentials.access_token == "token-" + user) {
      ++intact;
    }
  }
  CHECK(intact == committed.size());
}
