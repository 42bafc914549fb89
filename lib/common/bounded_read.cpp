#include "common/bounded_read.hpp"

namespace newswatch {

std::optional<std::string> read_at_most(std::istream& in, std::size_t max_bytes) {
  std::string bytes;
  char chunk[1 << 14];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max_bytes) return std::nullopt;
  }
  return bytes;
}

}  // namespace newswatch
