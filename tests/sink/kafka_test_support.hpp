#pragma once
// Helpers for the Kafka sink tests: alerts, waiting on a sink's reports, a mock cluster, a consumer.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sink/kafka_sink.hpp"
#include "sink/sink.hpp"

namespace newswatch::testing {

inline OutgoingAlert make_test_alert(std::int64_t outbox_id, const std::string& alert_id = "") {
  OutgoingAlert alert;
  alert.outbox_id = outbox_id;
  alert.alert_id = alert_id.empty() ? "alert-" + std::to_string(outbox_id) : alert_id;
  alert.severity = outbox_id % 2 == 0 ? "high" : "low";
  alert.payload = R"({"id":")" + alert.alert_id + R"(","n":)" + std::to_string(outbox_id) + "}";
  alert.time = "2026-11-28T04:00:00Z";
  alert.source = "https://example.org/feed.xml";
  return alert;
}

// Everything a sink reported, accumulated over several polls.
struct CollectedReports {
  std::vector<Delivery> deliveries;
  std::vector<SinkNotice> notices;
  std::size_t in_flight = 0;

  void add(SinkReport report) {
    for (auto& delivery : report.deliveries) deliveries.push_back(std::move(delivery));
    for (auto& notice : report.notices) notices.push_back(std::move(notice));
    in_flight = report.in_flight;
  }
};

// Polls until `done` holds or `limit` passes (a generous limit: only a hung test waits for it).
// Returns whether `done` held.
inline bool poll_until(Sink& sink, CollectedReports& collected, const std::function<bool()>& done,
                       std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    collected.add(sink.poll(std::chrono::milliseconds(50)));
  }
  return true;
}

// A librdkafka mock cluster: real Kafka protocol over 127.0.0.1 sockets, brokers in-process.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1) {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", error, sizeof error);  // quiet: the sink has its own
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (handle_ == nullptr) throw std::runtime_error(error);
    cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
    if (cluster_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

inline KafkaSinkOptions test_sink_options(const std::string& brokers, const std::string& topic) {
  KafkaSinkOptions options;
  options.brokers = brokers;
  options.topic = topic;
  options.properties["log_level"] = "4";  // warnings and worse come back as notices
  return options;
}

inline std::unique_ptr<Sink> make_test_kafka_sink(const KafkaSinkOptions& options) {
  auto sink = make_kafka_sink(options);
  if (!sink) throw std::runtime_error(sink.error());
  return std::move(sink.value());
}

struct ConsumedRecord {
  std::int32_t partition = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;  // in record order
};

// Reads `count` records from every partition of `topic`, from the beginning, without a consumer
// group (assign, not subscribe: nothing to coordinate, so it starts at once).
inline std::vector<ConsumedRecord> consume_records(const std::string& brokers, const std::string& topic,
                                                   std::size_t count,
                                                   std::chrono::seconds limit = std::chrono::seconds(30)) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "group.id", "newswatch-test-reader", error, sizeof error);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", error, sizeof error);
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (consumer == nullptr) throw std::runtime_error(error);
  rd_kafka_poll_set_consumer(consumer);

  rd_kafka_topic_t* handle = rd_kafka_topic_new(consumer, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(consumer, 0, handle, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topic_cnt != 1) {
    throw std::runtime_error("no metadata for topic " + topic);
  }
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(8);
  for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
    rd_kafka_topic_partition_list_add(partitions, topic.c_str(), metadata->topics[0].partitions[i].id)
        ->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(handle);
  rd_kafka_assign(consumer, partitions);
  rd_kafka_topic_partition_list_destroy(partitions);

  std::vector<ConsumedRecord> records;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedRecord record;
      record.partition = message->partition;
      record.key.assign(static_cast<const char*>(message->key), message->key_len);
      record.value.assign(static_cast<const char*>(message->payload), message->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        std::size_t size;
        for (std::size_t i = 0;
             rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
          record.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
      }
      records.push_back(std::move(record));
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return records;
}

// Kafka's murmur2 (the Java client's Utils.murmur2: MurmurHash2, seed 0x9747b28c, little-endian
// 4-byte blocks), written from the algorithm's description to check where murmur2_random puts keys.
inline std::int32_t kafka_murmur2(const std::string& data) {
  const std::uint32_t m = 0x5bd1e995;
  const int r = 24;
  const std::size_t length = data.size();
  std::uint32_t h = 0x9747b28c ^ static_cast<std::uint32_t>(length);
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t i = 0;
  for (; i + 4 <= length; i += 4) {
    std::uint32_t k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) |
                      (static_cast<std::uint32_t>(bytes[i + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length - i) {
    case 3:
      h ^= static_cast<std::uint32_t>(bytes[i + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= bytes[i];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

// The Java producer's partition for a keyed record: toPositive(murmur2(key)) % partitions.
inline std::int32_t java_partition_for_key(const std::string& key, std::int32_t partitions) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(kafka_murmur2(key)) & 0x7fffffffu) %
                                   static_cast<std::uint32_t>(partitions));
}

inline std::map<std::string, std::string> header_map(const ConsumedRecord& record) {
  return {record.headers.begin(), record.headers.end()};
}

}  // namespace newswatch::testing
