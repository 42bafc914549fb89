#pragma once
// Reading a whole input whose size is not to be trusted (a mistyped path may name a log, a pipe or
// /dev/zero, which reports size 0).
#include <cstddef>
#include <istream>
#include <optional>
#include <string>

namespace newswatch {

// The rest of `in`, read in chunks so that no cap-sized buffer is allocated up front; nothing when it
// holds more than max_bytes (reading stops one chunk past the cap, never at the end of a huge input).
std::optional<std::string> read_at_most(std::istream& in, std::size_t max_bytes);

}  // namespace newswatch
