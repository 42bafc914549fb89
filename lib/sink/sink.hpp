#pragma once
// Where alerts leave newswatch: one small interface for every sink (JSON lines, Kafka).
//
// The outbox (lib/state) owns delivery: an alert is submitted with its outbox row id, and the sink
// later reports, exactly once per accepted alert, whether it was delivered. The daemon deletes the
// row on `delivered`, keeps it on `retriable_failure` (and submits it again later), and takes it out
// of the outbox on `permanent_failure` (the alert can never be sent as it is). Retrying is the
// outbox's job, never the sink's: what a sink has not reported as delivered is still in the outbox.
//
// Threads: a sink is not thread-safe. One thread (the daemon's event loop) calls every method.
// Kafka's own threads never call back into the daemon with data: their reports wait until poll() or
// flush(). The one exception is the wake-up given to set_wakeup(), which only says "poll() me".
//
// Logging: a sink never logs. Everything worth a log line comes back as a value (Delivery::error,
// SinkNotice, Health::reason), written to be logged as it is, and never containing a secret.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace newswatch {

// One alert on its way out, as the outbox holds it.
struct OutgoingAlert {
  std::int64_t outbox_id = 0;  // comes back in the Delivery
  std::string alert_id;        // hex SHA-256 of the article identity; the Kafka key and ce_id
  std::string severity;        // e.g. "high"; the newswatch-severity header
  std::string payload;         // the alert as compact JSON (one line)
  std::string time;            // RFC 3339 detected_at; the ce_time header (omitted when empty)
  std::string source;          // the feed URL; the ce_source header (Kafka: "urn:newswatch" if empty)
};

enum class SubmitStatus {
  accepted,    // queued; exactly one Delivery for it will follow from poll() or flush()
  queue_full,  // back-pressure: nothing was queued, submit it again after poll() made room
  rejected,    // this alert can never be sent as it is (e.g. larger than the broker accepts):
               // treat it like a permanent_failure delivery; no Delivery follows
  fatal,       // the sink cannot send anything any more (see health()); nothing was queued
};

struct SubmitOutcome {
  SubmitStatus status = SubmitStatus::accepted;
  std::string error;  // why, for rejected and fatal; empty otherwise
};

enum class DeliveryStatus {
  delivered,          // acknowledged (Kafka: by all in-sync replicas); delete the outbox row
  retriable_failure,  // not delivered (e.g. timed out); keep the row and submit it again later
  permanent_failure,  // the destination refused this alert itself; resending it as is cannot work
};

struct Delivery {
  std::int64_t outbox_id = 0;
  DeliveryStatus status = DeliveryStatus::delivered;
  std::string error;  // empty when delivered
  // For failures: the alert may have been written even so (Kafka's POSSIBLY_PERSISTED), so sending
  // it again may duplicate it. Consumers deduplicate on the alert id (the key and ce_id).
  bool possibly_delivered = false;
};

enum class NoticeLevel { debug, info, warning, error };

// A log line for the daemon to write and count, e.g. a broker connection that failed.
struct SinkNotice {
  NoticeLevel level = NoticeLevel::info;
  std::string message;
};

// What poll() and flush() hand back.
struct SinkReport {
  std::vector<Delivery> deliveries;
  std::vector<SinkNotice> notices;
  std::size_t in_flight = 0;  // accepted alerts that have no Delivery yet (after this report)
};

enum class HealthState {
  up,        // delivering, or nothing known to be wrong
  degraded,  // cannot deliver now (e.g. brokers unreachable); may recover by itself
  fatal,     // cannot deliver until an operator acts (bad credentials, missing topic, ...);
             // submit() answers fatal; destroy the sink, the outbox keeps the alerts
};

struct Health {
  HealthState state = HealthState::up;
  std::string reason;  // empty when up
};

const char* to_string(SubmitStatus status);
const char* to_string(DeliveryStatus status);
const char* to_string(NoticeLevel level);
const char* to_string(HealthState state);

class Sink {
 public:
  virtual ~Sink() = default;

  // "jsonl" or "kafka", for log lines and metric labels.
  virtual const char* kind() const = 0;

  // Queues one alert; never blocks on the network. The sink copies what it needs.
  virtual SubmitOutcome submit(const OutgoingAlert& alert) = 0;

  // Collects the deliveries and notices that have arrived, waiting at most `timeout` for the first
  // one (0 never waits). Call it often: Kafka's reports queue up until it is called.
  virtual SinkReport poll(std::chrono::milliseconds timeout) = 0;

  // Waits at most `timeout` until every accepted alert has a Delivery, and returns them. On
  // shutdown use a timeout well inside systemd's stop timeout; whatever is still in flight
  // afterwards (report.in_flight) stays in the outbox and is sent again on the next start.
  virtual SinkReport flush(std::chrono::milliseconds timeout) = 0;

  virtual Health health() const = 0;

  // Asks the sink to call `wakeup` when poll() has something new to return (a delivery, a notice),
  // so that a loop waiting on other things (the fetcher) turns at once instead of at its next timeout.
  // `wakeup` runs on a thread of the sink's (e.g. librdkafka's): it must be thread-safe, quick and
  // must not call the sink. A sink whose reports are ready at once (jsonl) may ignore it. Call it
  // once, before submitting; the sink stops calling it before it is destroyed.
  virtual void set_wakeup(std::function<void()> wakeup) { (void)wakeup; }
};

}  // namespace newswatch
