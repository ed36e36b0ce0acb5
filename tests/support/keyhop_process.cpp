#include "tests/support/keyhop_process.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <sys/wait.h>

#include "tests/support/http_client.hpp"

namespace keyhop::test {

KeyhopProcess::KeyhopProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  Poco::Pipe out_pipe;
  Poco::Pipe err_pipe;
  Poco::Process::Env process_env(env.begin(), env.end());
  handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
      KEYHOP_EXECUTABLE, args, ".", nullptr, &out_pipe, &err_pipe, process_env));
  for (auto [pipe, text] : {std::pair{out_pipe, &stdout_}, std::pair{err_pipe, &stderr_}}) {
    readers_.emplace_back([this, pipe = pipe, text = text]() mutable {
      Poco::PipeInputStream in(pipe);
      std::string line;
      while (std::getline(in, line)) {
        std::lock_guard<std::mutex> lock(mutex_);
        *text += line + "\n";
      }
    });
  }
}

KeyhopProcess::~KeyhopProcess() {
  if (running()) {
    Poco::Process::kill(*handle_);
    wait();
  }
  joinReaders();
}

bool KeyhopProcess::running() {
  return !exit_code_ && Poco::Process::isRunning(*handle_);
}

bool KeyhopProcess::waitUntilServing(std::uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && running()) {
    try {
      if (httpRequest(port, "GET", "/healthz").status == 200) return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return false;
}

int KeyhopProcess::terminate() {
  if (running()) ::kill(handle_->id(), SIGTERM);
  return wait();
}

int KeyhopProcess::kill() {
  if (running()) ::kill(handle_->id(), SIGKILL);
  return wait();
}

int KeyhopProcess::wait() {
  if (!exit_code_) exit_code_ = handle_->wait();
  joinReaders();
  return *exit_code_;
}

void KeyhopProcess::joinReaders() {
  for (auto& reader : readers_) {
    if (reader.joinable()) reader.join();
  }
}

std::string KeyhopProcess::output() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stdout_;
}

std::string KeyhopProcess::errorOutput() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stderr_;
}

}  // namespace keyhop::test
