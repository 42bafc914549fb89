#include "metrics.hpp"

#include <httplib.h>
#include <prometheus/text_serializer.h>

#include <sstream>
#include <thread>

namespace newswatch {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  fetches_ = &BuildCounter()
                  .Name("newswatch_fetch_results_total")
                  .Help("Feed fetches by result")
                  .Register(*registry_);
  parses_ = &BuildCounter()
                 .Name("newswatch_feed_parse_results_total")
                 .Help("Feed documents parsed, by result")
                 .Register(*registry_);
  // The resource bounds: every cap an input hit is counted here as well as logged.
  parse_warnings_ =
      &BuildCounter()
           .Name("newswatch_feed_parse_warnings_total")
           .Help("Feed documents parsed with a warning (item or field caps hit, bytes replaced), by kind")
           .Register(*registry_);
  alerts_truncated_ = &BuildCounter()
                           .Name("newswatch_alert_truncated_total")
                           .Help("Alerts with a part cut to its size cap, by part")
                           .Register(*registry_);
  alerts_ = &BuildCounter()
                 .Name("newswatch_alert_created_total")
                 .Help("Alerts written to the outbox, by severity")
                 .Register(*registry_);
  deliveries_ = &BuildCounter()
                     .Name("newswatch_sink_deliveries_total")
                     .Help("Sink delivery reports, by result")
                     .Register(*registry_);
  reloads_ = &BuildCounter()
                  .Name("newswatch_config_reloads_total")
                  .Help("Configuration and watchlist reloads, by result")
                  .Register(*registry_);
  // Known from the start, so that rate() and increase() see the first failure as a change from 0.
  reloads_->Add({{"result", "ok"}});
  reloads_->Add({{"result", "failed"}});
  matcher_cache_ = &BuildCounter()
                        .Name("newswatch_match_watchlist_cache_total")
                        .Help("Watchlist loads (start and reloads) read back compiled from the cache (hit) or "
                              "compiled (compiled), and cache entries that could not be used or stored (problem)")
                        .Register(*registry_);
  for (const char* result : {"hit", "compiled", "problem"}) matcher_cache_->Add({{"result", result}});
  state_errors_ = &BuildCounter()
                       .Name("newswatch_state_errors_total")
                       .Help("State store errors, by operation")
                       .Register(*registry_);
  sink_notices_ = &BuildCounter()
                       .Name("newswatch_sink_notices_total")
                       .Help("Sink notices (e.g. broker connection errors), by level")
                       .Register(*registry_);
  fetched_bytes_ = &BuildCounter()
                        .Name("newswatch_fetch_bytes_total")
                        .Help("Bytes received from feed servers")
                        .Register(*registry_)
                        .Add({});
  items_parsed_ = &BuildCounter()
                       .Name("newswatch_feed_items_parsed_total")
                       .Help("Items parsed from feed documents")
                       .Register(*registry_)
                       .Add({});
  auto& feeds =
      BuildGauge().Name("newswatch_fetch_feeds").Help("Configured feeds, by health").Register(*registry_);
  feeds_healthy_ = &feeds.Add({{"health", "healthy"}});
  feeds_unhealthy_ = &feeds.Add({{"health", "unhealthy"}});
  outbox_depth_ = &BuildGauge()
                       .Name("newswatch_sink_outbox_depth")
                       .Help("Alerts waiting in the outbox for the sink")
                       .Register(*registry_)
                       .Add({});
  polling_paused_ = &BuildGauge()
                         .Name("newswatch_fetch_polling_paused")
                         .Help("1 while polling is paused because the outbox is full")
                         .Register(*registry_)
                         .Add({});
  sink_up_ = &BuildGauge()
                  .Name("newswatch_sink_up")
                  .Help("1 while the sink can deliver")
                  .Register(*registry_)
                  .Add({});
  poll_cycle_ = &prometheus::BuildHistogram()
                     .Name("newswatch_fetch_poll_cycle_seconds")
                     .Help("From a feed falling due to its articles being processed")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                                      10, 30, 60});
}

prometheus::Counter& Metrics::labelled(prometheus::Family<prometheus::Counter>& family, const char* label,
                                       std::string_view value) {
  // Family::Add returns the existing child for known labels; label values are a small closed set.
  return family.Add({{label, std::string(value)}});
}

void Metrics::fetch_result(std::string_view result) { labelled(*fetches_, "result", result).Increment(); }
void Metrics::parse_result(std::string_view result) { labelled(*parses_, "result", result).Increment(); }
void Metrics::parse_warning(std::string_view kind) { labelled(*parse_warnings_, "kind", kind).Increment(); }
void Metrics::alert(std::string_view severity) { labelled(*alerts_, "severity", severity).Increment(); }
void Metrics::alert_truncated(std::string_view what) {
  labelled(*alerts_truncated_, "part", what).Increment();
}
void Metrics::delivery(std::string_view result, std::size_t count) {
  if (count > 0) labelled(*deliveries_, "result", result).Increment(static_cast<double>(count));
}
void Metrics::reload(std::string_view result) { labelled(*reloads_, "result", result).Increment(); }
void Metrics::matcher_cache(std::string_view result) { labelled(*matcher_cache_, "result", result).Increment(); }
void Metrics::state_error(std::string_view operation) {
  labelled(*state_errors_, "operation", operation).Increment();
}
void Metrics::sink_notice(std::string_view level) { labelled(*sink_notices_, "level", level).Increment(); }

void Metrics::set_feeds(std::size_t healthy, std::size_t unhealthy) {
  feeds_healthy_->Set(static_cast<double>(healthy));
  feeds_unhealthy_->Set(static_cast<double>(unhealthy));
}

struct MetricsEndpoint::Impl {
  httplib::Server server;
  std::thread thread;
};

MetricsEndpoint::MetricsEndpoint(std::shared_ptr<Metrics> metrics, HealthCheck healthy)
    : impl_(std::make_unique<Impl>()) {
  impl_->server.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& response) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, metrics->registry().Collect());
    response.set_content(out.str(), "text/plain; version=0.0.4; charset=utf-8");
  });
  impl_->server.Get("/healthz", [healthy](const httplib::Request&, httplib::Response& response) {
    const auto [ok, reason] = healthy();
    response.status = ok ? 200 : 503;
    response.set_content(ok ? "ok\n" : reason + "\n", "text/plain; charset=utf-8");
  });
}

MetricsEndpoint::~MetricsEndpoint() { stop(); }

std::string MetricsEndpoint::start(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const int port = std::atoi(listen.c_str() + colon + 1);
  if (port == 0) {
    port_ = impl_->server.bind_to_any_port(host.c_str());
  } else {
    port_ = impl_->server.bind_to_port(host.c_str(), port) ? port : -1;
  }
  if (port_ <= 0) return "cannot listen on " + listen + " for metrics";
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return "";
}

void MetricsEndpoint::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace newswatch
