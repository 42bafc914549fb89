// Finding and loading the service module (service_module.hpp).
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "commands.hpp"
#include "common/build_id.hpp"
#include "service_module.hpp"

namespace newswatch {
namespace {

namespace fs = std::filesystem;

// Beside the binary first: the build tree, and an install that keeps both in one directory. Then the
// installed layout relative to the binary, so a staged (DESTDIR) or moved install finds its own module,
// and last the configured install path.
std::vector<fs::path> module_candidates() {
  std::vector<fs::path> candidates;
  std::error_code error;
  const fs::path binary = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path directory = binary.parent_path();
    candidates.push_back(directory / NEWSWATCH_SERVICE_MODULE_NAME);
    candidates.push_back((directory / NEWSWATCH_SERVICE_MODULE_RELATIVE_DIR / NEWSWATCH_SERVICE_MODULE_NAME)
                             .lexically_normal());
  }
  candidates.push_back(fs::path(NEWSWATCH_SERVICE_MODULE_INSTALL_DIR) / NEWSWATCH_SERVICE_MODULE_NAME);
  return candidates;
}

using ServiceEntry = int (*)(const char*, const char*);

}  // namespace

int run_service_module(const std::string& config_file) {
  std::vector<std::string> tried;
  for (const fs::path& candidate : module_candidates()) {
    std::error_code error;
    if (!fs::exists(candidate, error)) {
      tried.push_back(candidate.string() + ": not there");
      continue;
    }
    // Never closed: the service runs until the process ends.
    void* module = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      tried.push_back(candidate.string() + ": " + dlerror());
      continue;
    }
    auto* entry = reinterpret_cast<ServiceEntry>(dlsym(module, kServiceModuleEntry));
    if (entry == nullptr) {
      tried.push_back(candidate.string() + ": no " + kServiceModuleEntry);
      dlclose(module);
      continue;
    }
    // Its own code only ran its constructors so far; a module of another build is unloaded unrun.
    const std::string expected(kServiceModuleBuildId);
    const std::string found = build_id_of(reinterpret_cast<const void*>(entry));
    if (!expected.empty() && found != expected) {
      tried.push_back(candidate.string() + ": from another build (build ID " + (found.empty() ? "none" : found) +
                      ", this newswatchd was built with " + expected + "); install both from the same build");
      dlclose(module);
      continue;
    }
    return entry(NEWSWATCH_VERSION, config_file.c_str());
  }
  std::cerr << "newswatchd run: cannot load the service module " << NEWSWATCH_SERVICE_MODULE_NAME << ":\n";
  for (const std::string& line : tried) std::cerr << "  " << line << '\n';
  return kExitProblems;
}

}  // namespace newswatch
