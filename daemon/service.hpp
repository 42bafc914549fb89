#pragma once
// The daemon's event loop: scheduler -> fetcher -> parser -> dedup -> matcher -> alert -> state/outbox ->
// sink, all on the calling thread (librdkafka and the metrics endpoint have their own threads).
#include <atomic>
#include <memory>

#include "config.hpp"

namespace newswatch {

class Service {
 public:
  explicit Service(Config config);
  ~Service();

  // Runs until request_stop(); returns the process exit code. Start-up failures (state file, sink,
  // watchlists) are logged and give a non-zero code.
  int run();

  // Thread-safe and async-signal-tolerant: set a flag and wake the loop.
  void request_stop();
  void request_reload();

 private:
  class Loop;
  Config config_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> reload_requested_{false};
  std::atomic<Loop*> loop_{nullptr};
};

}  // namespace newswatch
