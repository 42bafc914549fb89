// The config loader's own bounds: file size, secret size, durations and sizes that would overflow.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config.hpp"
#include "temp_dir.hpp"

using namespace newswatch;
using namespace std::chrono_literals;

namespace {

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("durations past the ten-year cap are refused instead of overflowing") {
  CHECK(parse_duration("3650d") == std::chrono::hours(24 * 3650));
  CHECK_FALSE(parse_duration("3651d"));
  CHECK_FALSE(parse_duration("999999999999d"));  // found by fuzz_config: overflowed milliseconds
  CHECK_FALSE(parse_duration("999999999999h"));
  CHECK(parse_duration("99999999999ms") == 99999999999ms);  // about 3 years
  CHECK_FALSE(parse_duration("999999999999ms"));

  auto result = parse_config("watchlists: [w.yaml]\npoll: {interval: 999999999999d}\n", "t.yaml", "/etc/nw");
  REQUIRE_FALSE(result);
  CHECK(result.error().at(0).to_string().find("interval must be a duration") != std::string::npos);
}

TEST_CASE("sizes that would wrap around are refused") {
  CHECK(parse_size("999999999999") == 999999999999u);
  CHECK(parse_size("16GiB") == std::size_t{16} << 30);
  CHECK_FALSE(parse_size("999999999999GiB"));  // 2^30 * 10^12 does not fit in 64 bits
}

TEST_CASE("a configuration file over the cap is refused without reading it all") {
  testing::TempDir dir{"newswatch-config-test"};
  const auto file = dir.path() / "newswatch.yaml";
  write(file, "watchlists: [w.yaml]\n# " + std::string(kMaxConfigBytes, 'x') + "\n");
  auto result = load_config(file);
  REQUIRE_FALSE(result);
  CHECK(result.error().at(0).to_string() == file.string() + ": the configuration file is larger than " +
                                                std::to_string(kMaxConfigBytes) + " bytes");

  write(file, "watchlists: [w.yaml]\n");
  CHECK(load_config(file).ok());
}

TEST_CASE("password_file: only a bounded first line is read") {
  testing::TempDir dir{"newswatch-config-test"};
  const std::string sink =
      "watchlists: [w.yaml]\nsink: {type: kafka, brokers: b, security: {protocol: sasl_plaintext, "
      "sasl_mechanism: PLAIN, username: u, password_file: ";

  write(dir.path() / "secret", "s3cret\nsecond line\n");
  auto ok = parse_config(sink + "secret}}\n", "t.yaml", dir.path());
  REQUIRE(ok);
  CHECK(ok->sink.kafka.security.password == "s3cret");

  auto endless = parse_config(sink + "/dev/zero}}\n", "t.yaml", dir.path());  // would never end a line
  REQUIRE_FALSE(endless);
  const std::string expected =
      "password_file's first line is longer than " + std::to_string(kMaxSecretBytes) + " bytes";
  bool reported = false;
  for (const ConfigProblem& problem : endless.error()) reported = reported || problem.message == expected;
  CHECK(reported);
}
