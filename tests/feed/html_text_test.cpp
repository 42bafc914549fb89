#include <catch2/catch.hpp>

#include "feed/html_text.hpp"

namespace newswatch {

TEST_CASE("html_to_text decodes entities through libxml2") {
  CHECK(html_to_text("<p>Caf&eacute; &amp; K&ouml;ln &#8212;</p>") == "Café & Köln —");
}

}  // namespace newswatch
