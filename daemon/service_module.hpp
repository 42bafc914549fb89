#pragma once
// `newswatchd run` loads the service (fetching, Kafka, state, metrics, systemd) from a module, so the
// offline commands do not load the libraries only the service uses: libcurl, librdkafka, SQLite,
// cpp-httplib and the 40 libraries they pull in cost a `newswatchd scan` run more start-up time than
// reading its files (README "Performance").
#include <string>

// The module's one exported symbol: `newswatchd run --config FILE`, its exit code. The module checks
// the version first, so a module of another release is refused rather than run (the loader has
// already checked the build ID, unless the build had no readelf).
extern "C" int newswatchd_service_main(const char* newswatch_version, const char* config_file);

namespace newswatch {

inline constexpr const char* kServiceModuleEntry = "newswatchd_service_main";

// The GNU build ID (hex) of the module built with this binary, recorded when it was built; empty when
// it could not be read, which leaves only the version check.
extern const char kServiceModuleBuildId[];

// Finds the module beside the binary (the build tree) or where `cmake --install` put it, and runs the
// service from the first one of this build. A module that cannot be found, loaded, or is from another
// build (a stale copy, another build directory) is passed over; when none is left, the error on
// standard error names every place tried and why, and the exit code is 1.
int run_service_module(const std::string& config_file);

}  // namespace newswatch
