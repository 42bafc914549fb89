// KafkaSink against librdkafka's mock cluster: the real protocol over 127.0.0.1, with brokers that
// can be taken down and told to answer requests with chosen errors.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "kafka_test_support.hpp"
#include "sink/kafka_sink.hpp"

using namespace newswatch;
using namespace newswatch::testing;

namespace {

constexpr std::int16_t kProduceApi = 0;  // Kafka protocol ApiKey of Produce requests
constexpr std::int32_t kBroker = 1;      // the mock's first broker id
const std::string kTopic = "newswatch.alerts";

struct MockFixture {
  MockCluster cluster;
  MockFixture() { rd_kafka_mock_topic_create(cluster.get(), kTopic.c_str(), 1, 1); }
  KafkaSinkOptions options() const { return test_sink_options(cluster.bootstraps(), kTopic); }
};

std::set<std::int64_t> delivered_ids(const CollectedReports& collected) {
  std::set<std::int64_t> ids;
  for (const auto& delivery : collected.deliveries) {
    if (delivery.status == DeliveryStatus::delivered) ids.insert(delivery.outbox_id);
  }
  return ids;
}

}  // namespace

TEST_CASE("kafka mock: every delivery report carries the alert's outbox id", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  std::set<std::int64_t> submitted;
  for (std::int64_t id = 1000; id < 1050; ++id) {
    REQUIRE(sink->submit(make_test_alert(id)).status == SubmitStatus::accepted);
    submitted.insert(id);
  }
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() >= submitted.size(); }));
  CHECK(collected.deliveries.size() == submitted.size());
  CHECK(delivered_ids(collected) == submitted);
  CHECK(collected.in_flight == 0);
  for (const auto& delivery : collected.deliveries) CHECK(delivery.error.empty());
  CHECK(sink->health().state == HealthState::up);
}

TEST_CASE("kafka mock: records carry the key, value and CloudEvents headers", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  OutgoingAlert with_time = make_test_alert(1, "aa11");
  OutgoingAlert without_time = make_test_alert(2, "bb22");
  without_time.time.clear();
  REQUIRE(sink->submit(with_time).status == SubmitStatus::accepted);
  REQUIRE(sink->submit(without_time).status == SubmitStatus::accepted);
  CHECK(sink->flush(std::chrono::seconds(30)).in_flight == 0);

  auto records = consume_records(mock.cluster.bootstraps(), kTopic, 2);
  REQUIRE(records.size() == 2);
  CHECK(records[0].key == "aa11");
  CHECK(records[0].value == with_time.payload);
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(records[0].headers == Headers{{"content-type", "application/json"},
                                      {"ce_specversion", "1.0"},
                                      {"ce_id", "aa11"},
                                      {"ce_type", "org.newswatch.alert.v1"},
                                      {"ce_source", "https://example.org/feed.xml"},
                                      {"ce_time", "2026-11-28T04:00:00Z"},
                                      {"newswatch-schema", "newswatch.alert.v1"},
                                      {"newswatch-severity", "low"}});
  CHECK(records[1].key == "bb22");
  CHECK(header_map(records[1]).count("ce_time") == 0);
  CHECK(header_map(records[1]).at("newswatch-severity") == "high");
}

TEST_CASE("kafka mock: a broker that goes down degrades the sink until it is back", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  CollectedReports collected;
  // Connected and delivering first, so the outage is a change the sink has to notice.
  REQUIRE(sink->submit(make_test_alert(1)).status == SubmitStatus::accepted);
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));

  rd_kafka_mock_broker_set_down(mock.cluster.get(), kBroker);
  REQUIRE(sink->submit(make_test_alert(2)).status == SubmitStatus::accepted);
  REQUIRE(poll_until(*sink, collected, [&] { return sink->health().state == HealthState::degraded; }));
  CHECK_THAT(sink->health().reason, Catch::Contains("no broker of " + mock.cluster.bootstraps()));
  CHECK(collected.deliveries.size() == 1);  // alert 2 waits inside librdkafka, not failed
  CHECK(collected.in_flight == 1);
  CHECK_FALSE(collected.notices.empty());

  rd_kafka_mock_broker_set_up(mock.cluster.get(), kBroker);
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 2; }));
  CHECK(collected.deliveries[1].outbox_id == 2);
  CHECK(collected.deliveries[1].status == DeliveryStatus::delivered);
  CHECK(sink->health().state == HealthState::up);
  CHECK(sink->health().reason.empty());
}

TEST_CASE("kafka mock: an alert that outlives message.timeout.ms comes back as retriable", "[kafka][mock]") {
  MockFixture mock;
  auto options = mock.options();
  options.properties["message.timeout.ms"] = "500";
  auto sink = make_test_kafka_sink(options);
  rd_kafka_mock_broker_set_down(mock.cluster.get(), kBroker);
  REQUIRE(sink->submit(make_test_alert(42)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));
  const Delivery& delivery = collected.deliveries[0];
  CHECK(delivery.outbox_id == 42);
  CHECK(delivery.status == DeliveryStatus::retriable_failure);
  CHECK_THAT(delivery.error, Catch::Contains("_MSG_TIMED_OUT") && Catch::Contains("newswatch.alerts"));
  CHECK_FALSE(delivery.possibly_delivered);  // it never reached a broker
  CHECK(collected.in_flight == 0);
}

TEST_CASE("kafka mock: retriable broker errors are retried inside librdkafka", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  rd_kafka_mock_push_request_errors(
      mock.cluster.get(), kProduceApi, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  for (std::int64_t id = 1; id <= 3; ++id) {
    REQUIRE(sink->submit(make_test_alert(id)).status == SubmitStatus::accepted);
  }
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 3; }));
  CHECK(delivered_ids(collected) == std::set<std::int64_t>{1, 2, 3});
  // Idempotence: the retries did not duplicate anything.
  CHECK(consume_records(mock.cluster.bootstraps(), kTopic, 4, std::chrono::seconds(3)).size() == 3);
}

TEST_CASE("kafka mock: a record the broker refuses is a permanent failure", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  rd_kafka_mock_push_request_errors(mock.cluster.get(), kProduceApi, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  REQUIRE(sink->submit(make_test_alert(5)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));
  CHECK(collected.deliveries[0].outbox_id == 5);
  CHECK(collected.deliveries[0].status == DeliveryStatus::permanent_failure);
  CHECK_THAT(collected.deliveries[0].error, Catch::Contains("MSG_SIZE_TOO_LARGE"));
  CHECK(sink->health().state != HealthState::fatal);
}

TEST_CASE("kafka mock: an authorisation error makes the sink fatal and keeps the alert", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  rd_kafka_mock_push_request_errors(mock.cluster.get(), kProduceApi, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  REQUIRE(sink->submit(make_test_alert(6)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));
  CHECK(collected.deliveries[0].outbox_id == 6);
  CHECK(collected.deliveries[0].status == DeliveryStatus::retriable_failure);
  Health health = sink->health();
  CHECK(health.state == HealthState::fatal);
  CHECK_THAT(health.reason, Catch::Contains("not authorised to produce to topic newswatch.alerts") &&
                                Catch::Contains("TOPIC_AUTHORIZATION_FAILED"));
  SubmitOutcome outcome = sink->submit(make_test_alert(7));
  CHECK(outcome.status == SubmitStatus::fatal);
  CHECK(outcome.error == health.reason);
}

TEST_CASE("kafka mock: a missing topic makes the sink fatal with a clear reason", "[kafka][mock]") {
  MockCluster cluster;
  rd_kafka_mock_topic_set_error(cluster.get(), "missing.topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto options = test_sink_options(cluster.bootstraps(), "missing.topic");
  // librdkafka waits this long for a new topic to appear before failing its messages (default 30 s).
  options.properties["topic.metadata.propagation.max.ms"] = "100";
  auto sink = make_test_kafka_sink(options);
  REQUIRE(sink->submit(make_test_alert(8)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));
  CHECK(collected.deliveries[0].outbox_id == 8);
  CHECK(collected.deliveries[0].status == DeliveryStatus::retriable_failure);
  CHECK(sink->health().state == HealthState::fatal);
  CHECK_THAT(sink->health().reason, Catch::Contains("topic missing.topic does not exist"));
}

TEST_CASE("kafka mock: a fatal idempotence error stops the sink and is named", "[kafka][mock]") {
  MockFixture mock;
  auto options = mock.options();
  // With the gapless guarantee, a sequence gap the producer cannot repair is fatal (librdkafka's
  // idempotent producer would otherwise bump the epoch and go on).
  options.properties["enable.gapless.guarantee"] = "true";
  auto sink = make_test_kafka_sink(options);
  REQUIRE(sink->submit(make_test_alert(1)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));
  rd_kafka_mock_push_request_errors(mock.cluster.get(), kProduceApi, 1,
                                    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  REQUIRE(sink->submit(make_test_alert(2)).status == SubmitStatus::accepted);
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 2; }));
  CHECK(collected.deliveries[1].outbox_id == 2);
  CHECK(collected.deliveries[1].status == DeliveryStatus::retriable_failure);
  Health health = sink->health();
  CHECK(health.state == HealthState::fatal);
  CHECK_THAT(health.reason, Catch::StartsWith("Kafka producer fatal error"));
  CHECK(sink->submit(make_test_alert(3)).status == SubmitStatus::fatal);
}

TEST_CASE("kafka mock: a full local queue is back-pressure, not failure", "[kafka][mock]") {
  MockFixture mock;
  auto options = mock.options();
  options.properties["queue.buffering.max.messages"] = "3";
  auto sink = make_test_kafka_sink(options);
  rd_kafka_mock_broker_set_down(mock.cluster.get(), kBroker);  // nothing drains the queue
  for (std::int64_t id = 1; id <= 3; ++id) {
    REQUIRE(sink->submit(make_test_alert(id)).status == SubmitStatus::accepted);
  }
  SubmitOutcome full = sink->submit(make_test_alert(4));
  CHECK(full.status == SubmitStatus::queue_full);
  CHECK(full.error.empty());
  CHECK(sink->poll(std::chrono::milliseconds(0)).in_flight == 3);

  rd_kafka_mock_broker_set_up(mock.cluster.get(), kBroker);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 3; }));
  CHECK(delivered_ids(collected) == std::set<std::int64_t>{1, 2, 3});
  CHECK(sink->submit(make_test_alert(4)).status == SubmitStatus::accepted);
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 4; }));
  CHECK(collected.deliveries[3].outbox_id == 4);
}

TEST_CASE("kafka mock: flush waits for the reports and says what is left", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  for (std::int64_t id = 1; id <= 20; ++id)
    REQUIRE(sink->submit(make_test_alert(id)).status == SubmitStatus::accepted);
  SinkReport report = sink->flush(std::chrono::seconds(30));
  CHECK(report.deliveries.size() == 20);
  CHECK(report.in_flight == 0);

  rd_kafka_mock_broker_set_down(mock.cluster.get(), kBroker);
  REQUIRE(sink->submit(make_test_alert(21)).status == SubmitStatus::accepted);
  report = sink->flush(std::chrono::milliseconds(200));
  CHECK(report.deliveries.empty());
  CHECK(report.in_flight == 1);  // stays in the outbox
}

TEST_CASE("kafka mock: an alert without a source still goes out, one without an id cannot", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  OutgoingAlert no_source = make_test_alert(1);
  no_source.source.clear();
  CHECK(sink->submit(no_source).status == SubmitStatus::accepted);
  CHECK(sink->flush(std::chrono::seconds(30)).deliveries.size() == 1);
  auto records = consume_records(mock.cluster.bootstraps(), kTopic, 1);
  REQUIRE(records.size() == 1);
  CHECK(header_map(records[0]).at("ce_source") == "urn:newswatch");

  OutgoingAlert no_id = make_test_alert(2);
  no_id.alert_id.clear();
  SubmitOutcome outcome = sink->submit(no_id);
  CHECK(outcome.status == SubmitStatus::rejected);
  CHECK_THAT(outcome.error, Catch::Contains("no id"));
  CHECK(sink->poll(std::chrono::milliseconds(0)).in_flight == 0);
}

TEST_CASE("kafka mock: failed authentication is fatal and never shows the password", "[kafka][mock]") {
  MockFixture mock;
  auto options = mock.options();
  options.security = {"sasl_plaintext", "SCRAM-SHA-256", "newswatch", "pa55-w0rd-not-for-logs", ""};
  auto sink = make_test_kafka_sink(options);
  REQUIRE(sink->submit(make_test_alert(1)).status == SubmitStatus::accepted);
  CollectedReports collected;
  REQUIRE(poll_until(*sink, collected, [&] { return sink->health().state == HealthState::fatal; }));
  CHECK_THAT(sink->health().reason, Catch::Contains("cannot authenticate"));
  collected.add(sink->flush(std::chrono::milliseconds(100)));
  CHECK_THAT(sink->health().reason, !Catch::Contains("pa55"));
  for (const auto& notice : collected.notices) CHECK_THAT(notice.message, !Catch::Contains("pa55"));
  for (const auto& delivery : collected.deliveries) CHECK_THAT(delivery.error, !Catch::Contains("pa55"));
}

TEST_CASE("kafka mock: an idle sink recovers from an outage without sending anything", "[kafka][mock]") {
  MockFixture mock;
  auto sink = make_test_kafka_sink(mock.options());
  CollectedReports collected;
  REQUIRE(sink->submit(make_test_alert(1)).status == SubmitStatus::accepted);
  REQUIRE(poll_until(*sink, collected, [&] { return collected.deliveries.size() == 1; }));

  rd_kafka_mock_broker_set_down(mock.cluster.get(), kBroker);
  REQUIRE(poll_until(*sink, collected, [&] { return sink->health().state == HealthState::degraded; }));
  rd_kafka_mock_broker_set_up(mock.cluster.get(), kBroker);
  // librdkafka's statistics show the broker connection UP again.
  REQUIRE(poll_until(*sink, collected, [&] { return sink->health().state == HealthState::up; }));
  CHECK(collected.deliveries.size() == 1);
}
