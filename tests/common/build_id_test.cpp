#include "common/build_id.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace newswatch {
namespace {

int function_of_this_test() { return 1; }
const int data_of_this_test = 2;

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_CASE("build_id_of names the loaded object holding an address", "[build_id]") {
  const std::string own = build_id_of(reinterpret_cast<const void*>(&function_of_this_test));
  // Debian's linker writes a 160-bit ID by default; the test binary is linked like the daemon.
  REQUIRE(own.size() == 40);
  CHECK(is_lower_hex(own));
  CHECK(build_id_of(&data_of_this_test) == own);  // code and data of one object
  const std::string libc = build_id_of(reinterpret_cast<const void*>(&std::abort));
  CHECK_FALSE(libc.empty());
  CHECK(libc != own);
}

TEST_CASE("build_id_of is empty for an address no object holds", "[build_id]") {
  CHECK(build_id_of(nullptr).empty());
}

}  // namespace
}  // namespace newswatch
