#include "sink_factory.hpp"

#include "sink/jsonl_sink.hpp"
#include "sink/kafka_sink.hpp"

namespace newswatch {

Result<std::unique_ptr<Sink>, std::string> make_sink(const SinkConfig& config) {
  if (config.type == SinkType::jsonl) {
    JsonLinesSinkOptions options;
    options.path = config.path;
    return make_json_lines_sink(options);
  }
  KafkaSinkOptions options;
  options.brokers = config.kafka.brokers;
  options.topic = config.kafka.topic;
  options.properties = config.kafka.properties;
  options.security.protocol = config.kafka.security.protocol;
  options.security.sasl_mechanism = config.kafka.security.sasl_mechanism;
  options.security.username = config.kafka.security.username;
  options.security.password = config.kafka.security.password;
  options.security.ssl_ca_file = config.kafka.security.ssl_ca_file;
  options.flush_timeout = config.kafka.flush_timeout;
  return make_kafka_sink(options);
}

}  // namespace newswatch
