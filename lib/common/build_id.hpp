#pragma once
// The GNU build ID the linker writes into an executable or shared object (`ld --build-id`, on by
// default in Debian's toolchain): different code links to a different ID, so it names one build.
#include <string>

namespace newswatch {

// The build ID, as lowercase hex, of the loaded object (the program, or a library or module it
// loaded) whose memory holds `address`, e.g. a function of that object; empty when that object has
// no build ID or no loaded object holds the address.
std::string build_id_of(const void* address);

}  // namespace newswatch
