#pragma once
// The daemon's metrics (Prometheus, named newswatch_<stage>_<what>) and the HTTP endpoint that serves
// them with /healthz. Counters and gauges are atomics: the loop updates them, the endpoint's thread
// reads them. Every handled error is counted here from the same place that logs it.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace newswatch {

class Metrics {
 public:
  Metrics();

  prometheus::Registry& registry() { return *registry_; }

  void fetch_result(std::string_view result);  // "ok", "not_modified", or a fetch error kind
  void fetched_bytes(std::uint64_t bytes) { fetched_bytes_->Increment(static_cast<double>(bytes)); }
  void parse_result(std::string_view result);  // "ok", "malformed", "not_a_feed", ...
  void items_parsed(std::size_t items) { items_parsed_->Increment(static_cast<double>(items)); }
  void parse_warning(std::string_view kind);  // "truncated", "field_truncated", "bytes_replaced", ...
  void alert(std::string_view severity);
  void alert_truncated(std::string_view what);  // a part of an alert cut to its AlertLimits cap
  void delivery(std::string_view result, std::size_t count = 1);  // "delivered", "retriable_failure", ...
  void reload(std::string_view result);                           // "ok", "failed"
  void matcher_cache(std::string_view result);                    // "hit", "compiled", "problem"
  void state_error(std::string_view operation);
  void sink_notice(std::string_view level);
  void poll_cycle(std::chrono::duration<double> seconds) { poll_cycle_->Observe(seconds.count()); }

  void set_feeds(std::size_t healthy, std::size_t unhealthy);
  void set_outbox_depth(std::size_t depth) { outbox_depth_->Set(static_cast<double>(depth)); }
  void set_polling_paused(bool paused) { polling_paused_->Set(paused ? 1 : 0); }
  void set_sink_up(bool up) { sink_up_->Set(up ? 1 : 0); }

 private:
  prometheus::Counter& labelled(prometheus::Family<prometheus::Counter>& family, const char* label,
                                std::string_view value);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* fetches_;
  prometheus::Family<prometheus::Counter>* parses_;
  prometheus::Family<prometheus::Counter>* parse_warnings_;
  prometheus::Family<prometheus::Counter>* alerts_;
  prometheus::Family<prometheus::Counter>* alerts_truncated_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Family<prometheus::Counter>* reloads_;
  prometheus::Family<prometheus::Counter>* matcher_cache_;
  prometheus::Family<prometheus::Counter>* state_errors_;
  prometheus::Family<prometheus::Counter>* sink_notices_;
  prometheus::Counter* fetched_bytes_;
  prometheus::Counter* items_parsed_;
  prometheus::Gauge* feeds_healthy_;
  prometheus::Gauge* feeds_unhealthy_;
  prometheus::Gauge* outbox_depth_;
  prometheus::Gauge* polling_paused_;
  prometheus::Gauge* sink_up_;
  prometheus::Histogram* poll_cycle_;
};

// Serves GET /metrics (Prometheus text format 0.0.4) and GET /healthz (200 "ok" when healthy() says
// so, 503 with the reason otherwise) on its own thread. healthy() must be thread-safe (read atomics).
class MetricsEndpoint {
 public:
  using HealthCheck = std::function<std::pair<bool, std::string>()>;

  MetricsEndpoint(std::shared_ptr<Metrics> metrics, HealthCheck healthy);
  ~MetricsEndpoint();

  // "127.0.0.1:9464"; port 0 picks a free port. Returns an error text, or "" on success.
  std::string start(const std::string& listen);
  int port() const { return port_; }
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace newswatch
