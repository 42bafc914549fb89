// Both headers in one translation unit: the sink's header constant must not clash with lib/alert's
// names, and the newswatch-schema header must name the schema the alert JSON declares.
#include <catch2/catch.hpp>
#include <string_view>

#include "alert/alert.hpp"
#include "sink/kafka_sink.hpp"

TEST_CASE("the newswatch-schema header names the alert JSON's schema", "[kafka]") {
  STATIC_REQUIRE(std::string_view(newswatch::kSchemaHeaderValue) == newswatch::kAlertSchema);
  CHECK(std::string_view(newswatch::kSchemaHeaderValue) == "newswatch.alert.v1");
}
