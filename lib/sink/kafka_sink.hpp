#pragma once
// The Kafka sink: an idempotent librdkafka producer (librdkafka 2.0.2, C API).
//
// Each alert becomes one record on `topic`:
//   key    = alert_id (so murmur2_random places an alert's records the way Java producers do)
//   value  = the alert JSON
//   headers, CloudEvents 1.0 Kafka protocol binding, binary content mode:
//     content-type: application/json         (the binding maps datacontenttype to content-type)
//     ce_specversion: 1.0
//     ce_id: <alert_id>
//     ce_type: org.newswatch.alert.v1
//     ce_source: <feed URL>                  (kFallbackSource when the alert has none)
//     ce_time: <detected_at, RFC 3339>        (only when the alert has one)
//   and newswatch's own:
//     newswatch-schema: newswatch.alert.v1
//     newswatch-severity: <severity>
//
// Delivery comes from librdkafka's delivery reports: `delivered` means acknowledged by all in-sync
// replicas (acks=all). librdkafka retries by itself until message.timeout.ms (default here 5 min);
// a message that times out is a retriable_failure, so the outbox sends it again later.
// Configuration failures (unknown topic, authorisation, authentication, librdkafka's fatal errors)
// are not the alert's fault: they make health() fatal, and the alerts in flight come back as
// retriable_failure so that the outbox keeps them until an operator has fixed the cause.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sink/sink.hpp"

namespace newswatch {

struct KafkaSecurityOptions {
  std::string protocol;        // plaintext | ssl | sasl_plaintext | sasl_ssl ("" = plaintext)
  std::string sasl_mechanism;  // PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (sasl_* protocols only)
  std::string username;
  std::string password;     // already resolved from a file or the environment; never logged
  std::string ssl_ca_file;  // PEM bundle for ssl / sasl_ssl; "" = the system's trust store
};

struct KafkaSinkOptions {
  std::string brokers;  // "host:port,host:port"
  std::string topic = "newswatch.alerts";
  // Any librdkafka producer property, applied over newswatch's defaults (see kafka_producer_defaults).
  // Properties that would break delivery guarantees, and those that `security` and `brokers` own,
  // are refused by make_kafka_sink with a message naming the key (never the value).
  std::map<std::string, std::string> properties;
  KafkaSecurityOptions security;
  // The shutdown flush the daemon should use: shorter than systemd's TimeoutStopSec (90 s default).
  std::chrono::milliseconds flush_timeout{10000};
};

inline constexpr const char* kCloudEventsType = "org.newswatch.alert.v1";
// The newswatch-schema header's value. The same text as lib/alert's kAlertSchema, which the sink does
// not include (a sink knows alerts only as JSON); tests/sink checks that the two agree.
inline constexpr const char* kSchemaHeaderValue = "newswatch.alert.v1";
inline constexpr const char* kFallbackSource = "urn:newswatch";

// newswatch's producer settings before the user's properties are applied: idempotence (which implies
// acks=all, at most 5 requests in flight and unlimited retries), zstd, linger 5 ms,
// murmur2_random, a local queue of 10,000 messages / 64 MiB, message.timeout.ms 300000.
std::vector<std::pair<std::string, std::string>> kafka_producer_defaults();

// Checks the user's properties without starting a producer: every problem, one message each.
std::vector<std::string> validate_kafka_options(const KafkaSinkOptions& options);

// Validates the options and starts the producer; it connects in the background (never blocks on
// the network). The error is log-ready and free of secrets.
Result<std::unique_ptr<Sink>, std::string> make_kafka_sink(const KafkaSinkOptions& options);

}  // namespace newswatch
