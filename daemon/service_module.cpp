// The service module's entry point (see service_module.hpp); the only symbol the module exports.
#include "service_module.hpp"

#include <cstring>
#include <iostream>

#include "commands.hpp"

extern "C" int newswatchd_service_main(const char* newswatch_version, const char* config_file) {
  if (std::strcmp(newswatch_version, NEWSWATCH_VERSION) != 0) {
    std::cerr << "newswatchd run: the service module is version " << NEWSWATCH_VERSION << ", newswatchd is "
              << newswatch_version << "; install both from the same build\n";
    return newswatch::kExitProblems;
  }
  return newswatch::run_daemon(config_file);
}
