// fake-provider: the fake OAuth provider as a process, for manual runs, scripts/run's demo and
// benchmarks. Prints its base URL on the first line of stdout, then serves until SIGINT/SIGTERM.

#include <Poco/Exception.h>

#include <csignal>
#include <iostream>

#include "tests/fakes/fake_provider.hpp"
#include "tests/fakes/fake_provider_settings.hpp"

int main(int argc, char** argv) {
  using namespace keyhop::fakes;
  StandaloneConfig config;
  const auto errors = parseArguments({argv + 1, argv + argc}, config);
  if (config.help) {
    std::cout << usage();
    return 0;
  }
  if (!errors.empty()) {
    for (const auto& error : errors) std::cerr << "fake-provider: " << error << '\n';
    std::cerr << "run fake-provider --help for the flags\n";
    return 2;
  }

  // Blocked before any thread starts, so every thread inherits the mask and sigwait gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    FakeProvider provider(config.options, config.server);
    for (const auto& [credential, user] : config.credentials) {
      provider.addCredential(credential, user);
    }
    std::cout << provider.url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
  } catch (const Poco::Exception& error) {  // what() is only the class: "Net Exception"
    std::cerr << "fake-provider: " << error.displayText() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "fake-provider: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
