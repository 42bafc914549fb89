#include "sink/jsonl_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "fixtures.hpp"
#include "kafka_test_support.hpp"

namespace fs = std::filesystem;
using namespace newswatch;
using newswatch::testing::make_test_alert;
using newswatch::testing::read_file;

namespace {

fs::path fresh_path(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("newswatch-jsonl-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / name;
  fs::remove(path);
  return path;
}

// The line the sink writes for make_test_alert(id).
std::string line_of(std::int64_t id) { return make_test_alert(id).payload + "\n"; }

std::unique_ptr<Sink> open_sink(const std::string& path) {
  auto sink = make_json_lines_sink({path, false});
  REQUIRE(sink.ok());
  return std::move(sink.value());
}

}  // namespace

TEST_CASE("jsonl sink writes one alert per line and acknowledges each after the write", "[jsonl]") {
  fs::path path = fresh_path("alerts.jsonl");
  auto sink = open_sink(path.string());
  CHECK(std::string(sink->kind()) == "jsonl");

  REQUIRE(sink->submit(make_test_alert(7)).status == SubmitStatus::accepted);
  // The line is in the file by the time submit returns: nothing is buffered in the process.
  CHECK(read_file(path) == line_of(7));
  REQUIRE(sink->submit(make_test_alert(8)).status == SubmitStatus::accepted);

  SinkReport report = sink->poll(std::chrono::milliseconds(0));
  REQUIRE(report.deliveries.size() == 2);
  CHECK(report.deliveries[0].outbox_id == 7);
  CHECK(report.deliveries[1].outbox_id == 8);
  for (const auto& delivery : report.deliveries) {
    CHECK(delivery.status == DeliveryStatus::delivered);
    CHECK(delivery.error.empty());
  }
  CHECK(report.in_flight == 0);
  CHECK(read_file(path) == line_of(7) + line_of(8));
  // Each delivery is reported once.
  CHECK(sink->poll(std::chrono::milliseconds(0)).deliveries.empty());
  CHECK(sink->health().state == HealthState::up);
}

TEST_CASE("jsonl sink appends to an existing file and reports on flush", "[jsonl]") {
  fs::path path = fresh_path("existing.jsonl");
  {
    std::FILE* file = std::fopen(path.c_str(), "w");
    std::fputs("{\"old\":true}\n", file);
    std::fclose(file);
  }
  auto sink = open_sink(path.string());
  REQUIRE(sink->submit(make_test_alert(1)).status == SubmitStatus::accepted);
  SinkReport report = sink->flush(std::chrono::milliseconds(100));
  REQUIRE(report.deliveries.size() == 1);
  CHECK(report.deliveries[0].outbox_id == 1);
  CHECK(report.deliveries[0].status == DeliveryStatus::delivered);
  CHECK(read_file(path) == "{\"old\":true}\n" + line_of(1));
}

TEST_CASE("jsonl sink writes to standard output for \"-\"", "[jsonl]") {
  fs::path path = fresh_path("stdout.jsonl");
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(file >= 0);
  ::dup2(file, STDOUT_FILENO);
  ::close(file);

  SubmitStatus status;
  SinkReport report;
  {
    auto sink = open_sink("-");
    status = sink->submit(make_test_alert(3)).status;
    report = sink->flush(std::chrono::milliseconds(0));
  }
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);

  CHECK(status == SubmitStatus::accepted);
  REQUIRE(report.deliveries.size() == 1);
  CHECK(report.deliveries[0].outbox_id == 3);
  CHECK(report.deliveries[0].status == DeliveryStatus::delivered);
  CHECK(read_file(path) == line_of(3));
}

TEST_CASE("jsonl sink refuses an alert whose JSON spans lines", "[jsonl]") {
  fs::path path = fresh_path("pretty.jsonl");
  auto sink = open_sink(path.string());
  OutgoingAlert alert = make_test_alert(4);
  alert.payload = "{\n  \"id\": \"x\"\n}";
  SubmitOutcome outcome = sink->submit(alert);
  CHECK(outcome.status == SubmitStatus::rejected);
  CHECK_THAT(outcome.error, Catch::Contains("line break"));
  CHECK(sink->poll(std::chrono::milliseconds(0)).deliveries.empty());
  CHECK(read_file(path).empty());
}

TEST_CASE("jsonl sink names the path it cannot open", "[jsonl]") {
  auto sink = make_json_lines_sink({"/nonexistent-dir/alerts.jsonl", false});
  REQUIRE_FALSE(sink.ok());
  CHECK_THAT(sink.error(), Catch::Contains("/nonexistent-dir/alerts.jsonl") &&
                               Catch::Contains("No such file or directory"));
  CHECK_FALSE(make_json_lines_sink({"", false}).ok());
}

TEST_CASE("jsonl sink reports a failed write as retriable and the sink as degraded", "[jsonl]") {
  // /dev/full fails every write with ENOSPC, like a full disk.
  auto sink = open_sink("/dev/full");
  REQUIRE(sink->submit(make_test_alert(5)).status == SubmitStatus::accepted);
  SinkReport report = sink->poll(std::chrono::milliseconds(0));
  REQUIRE(report.deliveries.size() == 1);
  CHECK(report.deliveries[0].outbox_id == 5);
  CHECK(report.deliveries[0].status == DeliveryStatus::retriable_failure);
  CHECK_THAT(report.deliveries[0].error, Catch::Contains("/dev/full") && Catch::Contains("No space left"));
  CHECK(report.deliveries[0].possibly_delivered == false);
  Health health = sink->health();
  CHECK(health.state == HealthState::degraded);
  CHECK_THAT(health.reason, Catch::Contains("No space left"));
}

TEST_CASE("jsonl sink with sync makes each line durable before acknowledging it", "[jsonl]") {
  fs::path path = fresh_path("synced.jsonl");
  auto sink = make_json_lines_sink({path.string(), true});
  REQUIRE(sink.ok());
  REQUIRE(sink.value()->submit(make_test_alert(9)).status == SubmitStatus::accepted);
  SinkReport report = sink.value()->poll(std::chrono::milliseconds(0));
  REQUIRE(report.deliveries.size() == 1);
  CHECK(report.deliveries[0].status == DeliveryStatus::delivered);
  CHECK(read_file(path) == line_of(9));
}
