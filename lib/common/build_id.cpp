#include "common/build_id.hpp"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

#include "common/hex.hpp"

namespace newswatch {
namespace {

struct BuildIdSearch {
  std::uintptr_t address;
  std::string hex;
};

bool holds(const dl_phdr_info& object, std::uintptr_t address) {
  for (int i = 0; i < object.dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = object.dlpi_phdr[i];
    const std::uintptr_t start = object.dlpi_addr + segment.p_vaddr;
    if (segment.p_type == PT_LOAD && address >= start && address < start + segment.p_memsz) return true;
  }
  return false;
}

// dl_iterate_phdr's callback: 0 to go on to the next object, 1 to stop at the one holding the address.
int find_build_id(dl_phdr_info* object, std::size_t, void* data) {
  auto* search = static_cast<BuildIdSearch*>(data);
  if (!holds(*object, search->address)) return 0;
  for (int i = 0; i < object->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = object->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const char* note = reinterpret_cast<const char*>(object->dlpi_addr + segment.p_vaddr);
    const char* end = note + segment.p_memsz;
    while (note + sizeof(ElfW(Nhdr)) <= end) {
      const auto* header = reinterpret_cast<const ElfW(Nhdr)*>(note);
      const char* name = note + sizeof(ElfW(Nhdr));
      const char* desc = name + ((header->n_namesz + 3) & ~3u);
      if (desc + header->n_descsz > end) break;
      if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        search->hex = hex_encode(reinterpret_cast<const unsigned char*>(desc), header->n_descsz);
        return 1;
      }
      note = desc + ((header->n_descsz + 3) & ~3u);
    }
  }
  return 1;
}

}  // namespace

std::string build_id_of(const void* address) {
  BuildIdSearch search{reinterpret_cast<std::uintptr_t>(address), {}};
  dl_iterate_phdr(find_build_id, &search);
  return search.hex;
}

}  // namespace newswatch
