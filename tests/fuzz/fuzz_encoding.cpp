// Encoding detection and transcoding: bytes (optionally preceded by a "Content-Type: ..." line) to
// UTF-8. Checks: to_utf8 and sanitize_utf8 always give valid UTF-8; valid UTF-8 passes sanitize_utf8
// unchanged; the detected name is never empty.
#include <cstddef>
#include <cstdint>

#include "feed/encoding.hpp"
#include "fuzz_support.hpp"

using namespace newswatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [content_type, bytes] = fuzz::take_content_type(fuzz::as_text(data, size));
  const DetectedEncoding encoding = detect_encoding(bytes, content_type);
  fuzz::require(!encoding.name.empty(), "an encoding is always named");

  const Utf8Text utf8 = to_utf8(bytes, encoding);
  fuzz::require_utf8(utf8.text, "to_utf8 gives valid UTF-8");

  std::size_t replaced = 0;
  const std::string clean = sanitize_utf8(bytes, &replaced);
  fuzz::require_utf8(clean, "sanitize_utf8 gives valid UTF-8");
  fuzz::require((replaced == 0) == (clean == bytes), "sanitize_utf8 changes exactly the invalid input");
  return 0;
}
