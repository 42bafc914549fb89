// KafkaSink against a real Apache Kafka broker (scripts/kafka; scripts/test sets NEWSWATCH_TEST_KAFKA).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>

#include "kafka_test_support.hpp"
#include "sink/kafka_sink.hpp"

using namespace newswatch;
using namespace newswatch::testing;

namespace {

std::string test_brokers() {
  const char* brokers = std::getenv("NEWSWATCH_TEST_KAFKA");
  return brokers == nullptr ? "" : brokers;
}

#define SKIP_WITHOUT_KAFKA()                                                                     \
  if (test_brokers().empty()) {                                                                  \
    WARN(                                                                                        \
        "NEWSWATCH_TEST_KAFKA is unset, so this test did not run: start a broker with "          \
        "scripts/kafka start and set NEWSWATCH_TEST_KAFKA=127.0.0.1:19092 (scripts/test does)"); \
    return;                                                                                      \
  }

// The broker keeps its data between runs: every test writes to a topic of its own.
std::string unique_topic(const std::string& what) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return "newswatch.test." + what + "." + std::to_string(::getpid()) + "." +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

// Creates the topic with the admin API and returns the error text, empty on success.
std::string create_topic(const std::string& brokers, const std::string& topic, int partitions) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_t* admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (admin == nullptr) return error;
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin);
  rd_kafka_CreateTopics(admin, &new_topic, 1, nullptr, queue);
  std::string result = "no answer to CreateTopics";
  if (rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000)) {
    std::size_t count = 0;
    const rd_kafka_topic_result_t** topics =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = rd_kafka_event_error_string(event);
    } else if (count == 1 && rd_kafka_topic_result_error(topics[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = rd_kafka_topic_result_error_string(topics[0]);
    } else {
      result.clear();
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  rd_kafka_destroy(admin);
  return result;
}

}  // namespace

TEST_CASE("kafka murmur2 matches the Java client's published values", "[kafka]") {
  // The values Apache Kafka's UtilsTest.testMurmur2 asserts for Utils.murmur2.
  CHECK(kafka_murmur2("21") == -973932308);
  CHECK(kafka_murmur2("foobar") == -790332482);
  CHECK(kafka_murmur2("a-little-bit-long-string") == -985981536);
  CHECK(kafka_murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(kafka_murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(kafka_murmur2("abc") == 479470107);
  CHECK(java_partition_for_key("foobar", 6) == static_cast<std::int32_t>((-790332482 & 0x7fffffff) % 6));
}

TEST_CASE("kafka broker: alerts arrive with their key, value and every header", "[kafka][broker]") {
  SKIP_WITHOUT_KAFKA();
  const std::string brokers = test_brokers();
  const std::string topic = unique_topic("headers");
  REQUIRE(create_topic(brokers, topic, 1) == "");

  auto sink = make_test_kafka_sink(test_sink_options(brokers, topic));
  std::vector<OutgoingAlert> alerts;
  for (std::int64_t id = 1; id <= 25; ++id) {
    alerts.push_back(make_test_alert(id, "c0ffee" + std::to_string(id)));
    alerts.back().source = "https://news.example.org/rss?page=" + std::to_string(id);
    alerts.back().time = "2026-11-28T04:" + std::to_string(10 + id) + ":00Z";
    REQUIRE(sink->submit(alerts.back()).status == SubmitStatus::accepted);
  }
  SinkReport report = sink->flush(std::chrono::seconds(60));
  REQUIRE(report.in_flight == 0);
  REQUIRE(report.deliveries.size() == alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    CHECK(report.deliveries[i].outbox_id == alerts[i].outbox_id);  // one partition: in order
    CHECK(report.deliveries[i].status == DeliveryStatus::delivered);
  }
  CHECK(sink->health().state == HealthState::up);

  auto records = consume_records(brokers, topic, alerts.size());
  REQUIRE(records.size() == alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const auto& alert = alerts[i];
    CHECK(records[i].key == alert.alert_id);
    CHECK(records[i].value == alert.payload);
    using Headers = std::vector<std::pair<std::string, std::string>>;
    CHECK(records[i].headers == Headers{{"content-type", "application/json"},
                                        {"ce_specversion", "1.0"},
                                        {"ce_id", alert.alert_id},
                                        {"ce_type", "org.newswatch.alert.v1"},
                                        {"ce_source", alert.source},
                                        {"ce_time", alert.time},
                                        {"newswatch-schema", "newswatch.alert.v1"},
                                        {"newswatch-severity", alert.severity}});
  }
}

TEST_CASE("kafka broker: murmur2_random puts each key where the Java producer would", "[kafka][broker]") {
  SKIP_WITHOUT_KAFKA();
  const std::string brokers = test_brokers();
  const std::string topic = unique_topic("partitions");
  constexpr int kPartitions = 6;
  REQUIRE(create_topic(brokers, topic, kPartitions) == "");

  auto sink = make_test_kafka_sink(test_sink_options(brokers, topic));
  constexpr std::int64_t kAlerts = 60;
  for (std::int64_t id = 1; id <= kAlerts; ++id) {
    // Alert ids are hex SHA-256 digests in production; any bytes exercise the hash the same way.
    REQUIRE(sink->submit(make_test_alert(id, "key-" + std::to_string(id * 7919))).status ==
            SubmitStatus::accepted);
  }
  SinkReport report = sink->flush(std::chrono::seconds(60));
  REQUIRE(report.deliveries.size() == kAlerts);

  auto records = consume_records(brokers, topic, kAlerts);
  REQUIRE(records.size() == kAlerts);
  std::set<std::int32_t> used;
  for (const auto& record : records) {
    INFO("key " << record.key);
    CHECK(record.partition == java_partition_for_key(record.key, kPartitions));
    used.insert(record.partition);
  }
  CHECK(used.size() == kPartitions);  // the keys spread, so the check above means something
}

// A measurement, not a test: run it by hand with
//   NEWSWATCH_TEST_KAFKA=127.0.0.1:19092 test_sink "[bench]"
TEST_CASE("kafka broker: produce throughput of 100,000 1 KB alerts", "[.][bench]") {
  SKIP_WITHOUT_KAFKA();
  const std::string brokers = test_brokers();
  const std::string topic = unique_topic("throughput");
  REQUIRE(create_topic(brokers, topic, 3) == "");
  auto sink = make_test_kafka_sink(test_sink_options(brokers, topic));

  constexpr std::int64_t kAlerts = 100000;
  OutgoingAlert alert = make_test_alert(0);
  // Text-like filler that compresses about as well as real alert JSON (not a run of one letter).
  std::string filler;
  for (std::uint32_t state = 12345; filler.size() < 1024 - 60;) {
    state = state * 1103515245u + 12345u;
    filler += "etaoinshrdlucmfwyp  "[(state >> 16) % 20];
  }
  std::size_t delivered = 0;
  std::size_t queue_full = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t id = 1; id <= kAlerts;) {
    alert.outbox_id = id;
    alert.alert_id = "0123456789abcdef" + std::to_string(id);
    alert.payload = R"({"id":")" + alert.alert_id + R"(","text":")" + filler + R"("})";
    SubmitOutcome outcome = sink->submit(alert);
    if (outcome.status == SubmitStatus::accepted) {
      ++id;
      if (id % 1000 == 0) delivered += sink->poll(std::chrono::milliseconds(0)).deliveries.size();
    } else {
      REQUIRE(outcome.status == SubmitStatus::queue_full);
      ++queue_full;
      delivered += sink->poll(std::chrono::milliseconds(10)).deliveries.size();
    }
  }
  SinkReport last = sink->flush(std::chrono::seconds(120));
  delivered += last.deliveries.size();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(delivered == kAlerts);
  std::cout << "kafka sink: " << kAlerts << " alerts of ~1 KB delivered in " << seconds
            << " s = " << static_cast<long>(kAlerts / seconds)
            << " alerts/s (queue_full answers: " << queue_full << ")\n";
}
