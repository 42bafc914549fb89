#include "common/bounded_read.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using newswatch::read_at_most;

TEST_CASE("read_at_most reads up to the cap, refuses beyond it and never reads an endless input") {
  std::istringstream empty("");
  CHECK(read_at_most(empty, 10) == std::string());
  std::istringstream exact("0123456789");
  CHECK(read_at_most(exact, 10) == std::string("0123456789"));
  std::istringstream over("0123456789x");
  CHECK_FALSE(read_at_most(over, 10).has_value());
  // Longer than one internal chunk on both sides of the cap.
  const std::string big(100000, 'a');
  std::istringstream fits(big);
  CHECK(read_at_most(fits, big.size()) == big);
  std::istringstream too_big(big);
  CHECK_FALSE(read_at_most(too_big, big.size() - 1).has_value());
  std::ifstream zero("/dev/zero", std::ios::binary);  // reports size 0 and never ends
  REQUIRE(zero);
  CHECK_FALSE(read_at_most(zero, 1 << 20).has_value());
}
