#include "tests/support/postgres_cluster.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace keyhop::test {
namespace {

std::string randomHex(std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device device;
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text += kDigits[device() % 16];
  return text;
}

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a program to completion, collecting both streams (stderr on a thread so neither pipe
// can fill up and stall the child).
Ran run(const std::string& program, const std::vector<std::string>& args,
        const Poco::Process::Env& env = {}) {
  Poco::Pipe out_pipe;
  Poco::Pipe err_pipe;
  Poco::ProcessHandle handle =
      Poco::Process::launch(program, args, "/", nullptr, &out_pipe, &err_pipe, env);
  Ran ran;
  std::thread err_reader([&] {
    Poco::PipeInputStream in(err_pipe);
    ran.err.assign(std::istreambuf_iterator<char>(in), {});
  });
  Poco::PipeInputStream in(out_pipe);
  ran.out.assign(std::istreambuf_iterator<char>(in), {});
  err_reader.join();
  ran.exit_code = handle.wait();
  return ran;
}

bool runningAsRoot() { return geteuid() == 0; }

// Runs a PostgreSQL server program as the postgres user (initdb and the server refuse root).
Ran runAsPostgres(const std::string& tool, std::vector<std::string> args) {
  const std::string path = std::string(kPostgresBinDir) + "/" + tool;
  if (!runningAsRoot()) return run(path, args);
  args.insert(args.begin(), {"-u", "postgres", "--", path});
  return run("runuser", args);
}

std::string describe(const std::string& what, const Ran& ran) {
  return what + " failed (exit " + std::to_string(ran.exit_code) + "): " + ran.err + ran.out;
}

std::string tail(const std::filesystem::path& file, std::size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

void giveToPostgres(const std::filesystem::path& path) {
  if (!runningAsRoot()) return;
  const passwd* user = getpwnam("postgres");
  if (!user) throw std::runtime_error("there is no postgres user (is postgresql-15 installed?)");
  if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot give " + path.string() + " to the postgres user");
  }
}

std::filesystem::path makeBaseDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "keyhop-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for the cluster");
  return pattern;
}

// initdb into base/data with a password file the server reads once.
void initCluster(const PostgresServer& server) {
  const auto pwfile = server.base / "pwfile";
  std::ofstream(pwfile) << server.password << "\n";
  std::filesystem::create_directory(server.base / "sock");
  for (const auto& path : {server.base, pwfile, server.base / "sock"}) giveToPostgres(path);
  const Ran ran = runAsPostgres("initdb", {"-D", (server.base / "data").string(), "-U", "postgres",
                                           "--pwfile=" + pwfile.string(), "-A", "scram-sha-256",
                                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"});
  std::filesystem::remove(pwfile);
  if (ran.exit_code != 0) throw std::runtime_error(describe("initdb", ran));
}

Ran startServer(const PostgresServer& server) {
  const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(server.port) +
                              " -k " + (server.base / "sock").string() + " -c fsync=off";
  return runAsPostgres(
      "pg_ctl", {"-D", (server.base / "data").string(), "-l", (server.base / "log").string(), "-w",
                 "-t", "30", "-o", options, "start"});
}

// The process's own cluster, stopped when the process exits normally.
struct OwnCluster {
  PostgresServer server = startPostgres();
  ~OwnCluster() { stopPostgres(server); }
};

Poco::Data::Session adminSession() {
  Poco::Data::PostgreSQL::Connector::registerConnector();
  return Poco::Data::Session("postgresql", testPostgres().connectionString("postgres"));
}

}  // namespace

std::string PostgresServer::url(const std::string& dbname) const {
  return "postgresql://postgres:" + password + "@127.0.0.1:" + std::to_string(port) + "/" + dbname;
}

std::string PostgresServer::connectionString(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres password=" + password +
         " dbname=" + dbname;
}

void PostgresServer::save(const std::filesystem::path& file) const {
  std::ofstream out(file);
  out << port << "\n" << password << "\n" << base.string() << "\n";
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

PostgresServer PostgresServer::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  PostgresServer server;
  std::string base;
  if (!(in >> server.port >> server.password >> base)) {
    throw std::runtime_error("no PostgreSQL cluster described in " + file.string() +
                             " (did the ctest fixture \"postgres: start\" run and succeed?)");
  }
  server.base = base;
  return server;
}

PostgresServer startPostgres() {
  PostgresServer server;
  server.password = randomHex(24);
  server.base = makeBaseDir();
  try {
    initCluster(server);
    // A free port can be taken between the probe and the server's bind: try a few.
    std::string failures;
    for (int attempt = 0; attempt < 3; ++attempt) {
      server.port = freePort();
      const Ran ran = startServer(server);
      if (ran.exit_code == 0) return server;
      failures += describe("pg_ctl start on port " + std::to_string(server.port), ran) +
                  "\nserver log:\n" + tail(server.base / "log", 2000) + "\n";
    }
    throw std::runtime_error(failures);
  } catch (const std::exception& error) {
    std::error_code ignored;
    std::filesystem::remove_all(server.base, ignored);
    throw std::runtime_error(std::string("cannot start PostgreSQL: ") + error.what());
  }
}

void stopPostgres(const PostgresServer& server) {
  runAsPostgres("pg_ctl", {"-D", (server.base / "data").string(), "-m", "fast", "-w", "stop"});
  std::error_code ignored;
  std::filesystem::remove_all(server.base, ignored);
}

const PostgresServer& testPostgres() {
  if (const char* file = std::getenv("KEYHOP_TEST_POSTGRES")) {
    static const PostgresServer fixture = PostgresServer::load(file);
    return fixture;
  }
  static const OwnCluster own;
  return own.server;
}

PostgresDatabase::PostgresDatabase() : name_("keyhop_test_" + randomHex(16)) {
  try {
    adminSession() << "CREATE DATABASE " + name_, Poco::Data::Keywords::now;
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("cannot create database " + name_ + ": " + error.displayText());
  }
}

PostgresDatabase::~PostgresDatabase() {
  try {
    adminSession() << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)",
        Poco::Data::Keywords::now;
  } catch (const Poco::Exception&) {
    // The cluster is thrown away at the end of the run: a database left over costs nothing.
  }
}

std::string PostgresDatabase::dump() const {
  const PostgresServer& server = testPostgres();
  const Ran ran = run(std::string(kPostgresBinDir) + "/pg_dump",
                      {"-h", "127.0.0.1", "-p", std::to_string(server.port), "-U", "postgres",
                       "--no-password", name_},
                      {{"PGPASSWORD", server.password}});
  if (ran.exit_code != 0) throw std::runtime_error(describe("pg_dump", ran));
  return ran.out;
}

}  // namespace keyhop::test
