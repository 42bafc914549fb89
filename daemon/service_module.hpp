#pragma once
// `newswatchd run` loads the service (fetching, Kafka, state, metrics, systemd) from a module, so the
// offline commands do not load the libraries only the service uses: libcurl, librdkafka, SQLite,
// cpp-httplib and the 40 libraries they pull in cost a `newswatchd scan` run more start-up time than
// reading its files (README "Performance").
#include <string>

// The module's one exported symbol: `newswatchd run --config FILE`, its exit code. The version is
// checked first, so a module left from another build is refused rather than run.
extern "C" int newswatchd_service_main(const char* newswatch_version, const char* config_file);

namespace newswatch {

inline constexpr const char* kServiceModuleEntry = "newswatchd_service_main";

// Finds the module beside the binary (the build tree) or where `cmake --install` put it, and runs the
// service from it. A module that cannot be found or loaded is an error on standard error naming every
// place tried, and exit code 1.
int run_service_module(const std::string& config_file);

}  // namespace newswatch
