// `newswatchd run`: configuration, logging and signals around the Service loop.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "config.hpp"
#include "logging.hpp"
#include "service.hpp"

namespace newswatch {
namespace {

// Signals are taken by one thread with sigwait, so no handler runs inside the loop or inside
// librdkafka's threads: the mask is set before any other thread starts and is inherited by them.
sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);  // internal: ends the signal thread
  return set;
}

}  // namespace

int run_daemon(const std::string& config_file) {
  auto config = load_config(config_file);
  if (!config) {
    setup_logging("info");
    for (const auto& problem : config.error()) spdlog::critical("{}", problem.to_string());
    spdlog::critical("not started: the configuration has {} problem(s)", config.error().size());
    return kExitProblems;
  }
  setup_logging(config->log.level);
  const std::string file_state_dir = config->state_dir.string();
  if (apply_state_directory(*config)) {
    spdlog::info("state_dir {} (StateDirectory=) instead of {}", config->state_dir.string(), file_state_dir);
  }

  const sigset_t signals = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error value, not a death

  Service service(std::move(*config));
  std::thread signal_thread([&service, signals] {
    while (true) {
      int signal = 0;
      if (sigwait(&signals, &signal) != 0) continue;
      if (signal == SIGUSR1) return;
      if (signal == SIGHUP) {
        spdlog::info("SIGHUP: reloading");
        service.request_reload();
        continue;
      }
      spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      service.request_stop();
    }
  });
  const int code = service.run();
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  return code;
}

}  // namespace newswatch
