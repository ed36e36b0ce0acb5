#include <boost/dll/runtime_symbol_info.hpp>

#include <iostream>

#include "core/app/cli.hpp"

int main(int argc, char** argv) {
  keyhop::app::CliContext context{keyhop::app::processEnvironment(),
                                  boost::dll::program_location().parent_path().string(),
                                  std::cout, std::cerr};
  return keyhop::app::runCli({argv + 1, argv + argc}, context);
}
