// keyhop_postgres_fixture start|stop FILE: the ctest fixture that gives one PostgreSQL cluster
// to a whole test run (tests/support/postgres_cluster.hpp). `start` writes the cluster's
// address to FILE; `stop` stops the cluster FILE describes and removes FILE.

#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "tests/support/postgres_cluster.hpp"

int main(int argc, char** argv) {
  const std::string verb = argc == 3 ? argv[1] : "";
  if (verb != "start" && verb != "stop") {
    std::cerr << "usage: keyhop_postgres_fixture start|stop FILE\n";
    return 2;
  }
  const std::filesystem::path file = argv[2];
  try {
    // A run that was interrupted leaves its cluster behind: stop it before starting anew.
    if (std::filesystem::exists(file)) {
      keyhop::test::stopPostgres(keyhop::test::PostgresServer::load(file));
      std::filesystem::remove(file);
    }
    if (verb == "stop") return 0;
    const auto server = keyhop::test::startPostgres();
    server.save(file);
    std::cout << "PostgreSQL listening on 127.0.0.1:" << server.port << " (" << server.base.string()
              << ")\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}
