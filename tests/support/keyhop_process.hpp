#pragma once

#include <Poco/Process.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keyhop::test {

// The real keyhop executable (KEYHOP_EXECUTABLE) run as a child process, its output collected.
// The destructor kills it if it still runs.
class KeyhopProcess final {
 public:
  KeyhopProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
  ~KeyhopProcess();
  KeyhopProcess(const KeyhopProcess&) = delete;
  KeyhopProcess& operator=(const KeyhopProcess&) = delete;

  // Polls GET /healthz until it answers 200; false if the process exits or 10 s pass.
  bool waitUntilServing(std::uint16_t port);
  // SIGTERM, then the exit code.
  int terminate();
  // SIGKILL, as in a crash (nothing runs on the way out), then the exit code.
  int kill();
  // The exit code, waiting for the process to end by itself.
  int wait();
  bool running();
  std::string output();
  std::string errorOutput();

 private:
  void joinReaders();

  std::unique_ptr<Poco::ProcessHandle> handle_;
  std::vector<std::thread> readers_;
  std::mutex mutex_;
  std::string stdout_;
  std::string stderr_;
  std::optional<int> exit_code_;
};

}  // namespace keyhop::test
