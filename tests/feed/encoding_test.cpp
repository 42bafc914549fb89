#include <catch2/catch.hpp>

#include "feed/encoding.hpp"

namespace newswatch {

TEST_CASE("sanitize_utf8 keeps valid text") { CHECK(sanitize_utf8("K\xC3\xB6ln") == "K\xC3\xB6ln"); }

}  // namespace newswatch
