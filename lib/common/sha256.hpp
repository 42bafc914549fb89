#pragma once
#include <array>
#include <string>
#include <string_view>

namespace newswatch {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 of the bytes: raw, and as lowercase hex.
Sha256Digest sha256(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

}  // namespace newswatch
