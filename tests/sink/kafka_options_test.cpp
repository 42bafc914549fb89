#include <catch2/catch.hpp>
#include <string>

#include "kafka_test_support.hpp"
#include "sink/kafka_sink.hpp"

using namespace newswatch;

namespace {

KafkaSinkOptions valid_options() {
  KafkaSinkOptions options;
  options.brokers = "127.0.0.1:9092";
  options.topic = "newswatch.alerts";
  return options;
}

std::string only_problem(const KafkaSinkOptions& options) {
  auto problems = validate_kafka_options(options);
  REQUIRE(problems.size() == 1);
  return problems[0];
}

}  // namespace

TEST_CASE("kafka options: newswatch's defaults are valid and keep the delivery guarantees",
          "[kafka][options]") {
  CHECK(validate_kafka_options(valid_options()).empty());
  auto defaults = kafka_producer_defaults();
  std::map<std::string, std::string> settings(defaults.begin(), defaults.end());
  CHECK(settings.at("enable.idempotence") == "true");
  CHECK(settings.at("partitioner") == "murmur2_random");
  CHECK(settings.at("compression.type") == "zstd");
  CHECK(settings.at("queue.buffering.max.messages") == "10000");
  CHECK(settings.at("message.timeout.ms") == "300000");
}

TEST_CASE("kafka options: user properties may tune the producer", "[kafka][options]") {
  auto options = valid_options();
  options.properties = {{"compression.type", "lz4"},
                        {"linger.ms", "20"},
                        {"acks", "all"},
                        {"max.in.flight.requests.per.connection", "5"},
                        {"message.timeout.ms", "60000"},
                        {"queue.buffering.max.messages", "500"}};
  CHECK(validate_kafka_options(options).empty());
}

TEST_CASE("kafka options: properties that conflict with idempotence are refused", "[kafka][options]") {
  auto options = valid_options();
  SECTION("acks") {
    options.properties["acks"] = "1";
    CHECK_THAT(only_problem(options), Catch::StartsWith("properties: acks: must be all"));
  }
  SECTION("in flight") {
    options.properties["max.in.flight.requests.per.connection"] = "10";
    CHECK_THAT(only_problem(options), Catch::Contains("must be 1 to 5"));
  }
  SECTION("retries") {
    options.properties["retries"] = "0";
    CHECK_THAT(only_problem(options), Catch::Contains("at least 1"));
  }
  SECTION("idempotence off") {
    options.properties["enable.idempotence"] = "false";
    CHECK_THAT(only_problem(options), Catch::Contains("idempotent producer"));
  }
  SECTION("queuing strategy") {
    options.properties["queuing.strategy"] = "lifo";
    CHECK_THAT(only_problem(options), Catch::Contains("fifo"));
  }
  SECTION("unbounded message timeout") {
    options.properties["message.timeout.ms"] = "0";
    CHECK_THAT(only_problem(options), Catch::Contains("back to the outbox"));
  }
  SECTION("transactions") {
    options.properties["transactional.id"] = "x";
    CHECK_THAT(only_problem(options), Catch::Contains("transactions"));
  }
  SECTION("error-only delivery reports") {
    options.properties["delivery.report.only.error"] = "true";
    CHECK_THAT(only_problem(options), Catch::Contains("every delivery report"));
  }
}

TEST_CASE("kafka options: brokers and security are not set through properties", "[kafka][options]") {
  auto options = valid_options();
  options.properties["bootstrap.servers"] = "10.0.0.1:9092";
  options.properties["sasl.password"] = "hunter2-secret";
  auto problems = validate_kafka_options(options);
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::Contains("bootstrap.servers") && Catch::Contains("`brokers`"));
  CHECK_THAT(problems[1], Catch::Contains("sasl.password") && Catch::Contains("`security`"));
  for (const auto& problem : problems) CHECK_THAT(problem, !Catch::Contains("hunter2"));
}

TEST_CASE("kafka options: librdkafka's own checks name the property", "[kafka][options]") {
  auto options = valid_options();
  SECTION("unknown property") {
    options.properties["no.such.property"] = "1";
    CHECK_THAT(only_problem(options), Catch::StartsWith("properties: no.such.property: ") &&
                                          Catch::Contains("No such configuration property"));
  }
  SECTION("bad value") {
    options.properties["linger.ms"] = "soon";
    CHECK_THAT(only_problem(options), Catch::StartsWith("properties: linger.ms: "));
  }
  SECTION("a bad value of a secret property is not echoed") {
    options.properties["ssl_key.password"] = "hunter2";  // a typo of ssl.key.password
    std::string problem = only_problem(options);
    CHECK_THAT(problem, Catch::Contains("not shown") && !Catch::Contains("hunter2"));
  }
}

TEST_CASE("kafka options: brokers and topic", "[kafka][options]") {
  auto options = valid_options();
  SECTION("no brokers") {
    options.brokers.clear();
    CHECK_THAT(only_problem(options), Catch::StartsWith("brokers:"));
  }
  SECTION("topic with a character Kafka refuses") {
    options.topic = "alerts/high";
    CHECK_THAT(only_problem(options), Catch::Contains("alerts/high"));
  }
  SECTION("topic too long") {
    options.topic = std::string(250, 'a');
    CHECK_THAT(only_problem(options), Catch::Contains("249"));
  }
}

TEST_CASE("kafka options: security settings", "[kafka][options]") {
  auto options = valid_options();
  SECTION("SCRAM over TLS with a CA file") {
    options.security = {"sasl_ssl", "SCRAM-SHA-512", "newswatch", "s3cret",
                        "/etc/ssl/certs/ca-certificates.crt"};
    CHECK(validate_kafka_options(options).empty());
  }
  SECTION("protocol names are case-insensitive") {
    options.security = {"SASL_PLAINTEXT", "scram-sha-256", "newswatch", "s3cret", ""};
    CHECK(validate_kafka_options(options).empty());
  }
  SECTION("unknown protocol") {
    options.security.protocol = "tls";
    CHECK_THAT(only_problem(options), Catch::StartsWith("security.protocol:"));
  }
  SECTION("SASL needs a mechanism, a user name and a password, each named") {
    options.security = {"sasl_ssl", "GSSAPI", "", "", ""};
    auto problems = validate_kafka_options(options);
    REQUIRE(problems.size() == 3);
    CHECK_THAT(problems[0], Catch::StartsWith("security.sasl_mechanism:"));
    CHECK_THAT(problems[1], Catch::StartsWith("security.username:"));
    CHECK_THAT(problems[2], Catch::StartsWith("security.password:"));
  }
  SECTION("credentials without SASL") {
    options.security = {"ssl", "", "newswatch", "s3cret", ""};
    CHECK_THAT(only_problem(options), Catch::Contains("need protocol sasl_plaintext or sasl_ssl"));
  }
  SECTION("a CA file needs TLS and must be readable") {
    options.security = {"plaintext", "", "", "", "/etc/ssl/certs/ca-certificates.crt"};
    CHECK_THAT(only_problem(options), Catch::Contains("needs protocol ssl"));
    options.security = {"ssl", "", "", "", "/nonexistent/ca.pem"};
    CHECK_THAT(only_problem(options), Catch::Contains("cannot read /nonexistent/ca.pem"));
  }
}

TEST_CASE("kafka options: make_kafka_sink lists every problem on one line", "[kafka][options]") {
  KafkaSinkOptions options;
  options.topic = "";
  options.properties["acks"] = "0";
  auto sink = make_kafka_sink(options);
  REQUIRE_FALSE(sink.ok());
  CHECK_THAT(sink.error(), Catch::StartsWith("Kafka sink configuration: brokers:") &&
                               Catch::Contains("; topic is empty") && Catch::Contains("; properties: acks:"));
  CHECK(sink.error().find('\n') == std::string::npos);
}

TEST_CASE("kafka options: a valid configuration starts without contacting a broker", "[kafka][options]") {
  auto options = valid_options();
  options.brokers = "127.0.0.1:1";  // nothing listens there; creation must not care
  auto sink = make_kafka_sink(options);
  REQUIRE(sink.ok());
  CHECK(std::string(sink.value()->kind()) == "kafka");
  CHECK(sink.value()->health().state == HealthState::up);
  CHECK(sink.value()->poll(std::chrono::milliseconds(0)).in_flight == 0);
}
