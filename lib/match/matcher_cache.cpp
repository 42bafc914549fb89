#include "match/matcher_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

// The x86 builds of libxxhash pick the widest vector unit at run time through these (Debian's plain
// XXH3 functions are the SSE2 build): the 2.4 MB checksum of a 10,399-term entry took 0.2 ms.
#if defined(__x86_64__) && __has_include(<xxh_x86dispatch.h>)
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#define NEWSWATCH_XXH3_64 XXH3_64bits_dispatch
#define NEWSWATCH_XXH3_128 XXH3_128bits_dispatch
#define NEWSWATCH_XXH3_128_UPDATE XXH3_128bits_update_dispatch
#else
#define NEWSWATCH_XXH3_64 XXH3_64bits
#define NEWSWATCH_XXH3_128 XXH3_128bits
#define NEWSWATCH_XXH3_128_UPDATE XXH3_128bits_update
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "common/bounded_read.hpp"
#include "common/build_id.hpp"
#include "common/hex.hpp"
#include "common/sha256.hpp"
#include "match/detail/serialize.hpp"

namespace newswatch {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'N', 'W', 'M', 'C', 'A', 'C', 'H', '1'};
constexpr std::string_view kEntryPrefix = "matcher-";
constexpr std::string_view kEntrySuffix = ".bin";

struct Header {
  char magic[8];
  char key[64];  // hex SHA-256, as in the file name: a renamed file is not taken for another entry
  std::uint64_t payload_bytes;
  std::uint64_t checksum;  // XXH3-64 of the payload
};

// The GNU build ID of the object this code is linked into (the daemon, its service module, or a
// test); empty when the linker wrote none. Two builds of different code have different IDs.
const std::string& build_id() {
  static const std::string id = build_id_of(reinterpret_cast<const void*>(&build_id));
  return id;
}

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

// A watchlist's bytes as 32 hex digits, for the cache key. XXH3-128 rather than SHA-256: the key tells
// entries apart, it does not stand against an attacker (who could write the cache folder anyway), and
// a 470 KB watchlist costs 0.03 ms instead of 0.27.
std::string hex_of(XXH128_hash_t hash) {
  XXH128_canonical_t canonical;  // the digest's bytes, most significant first
  XXH128_canonicalFromHash(&canonical, hash);
  return hex_encode(canonical.digest, sizeof canonical.digest);
}

std::string digest_hex(std::string_view bytes) {
  return hex_of(NEWSWATCH_XXH3_128(bytes.data(), bytes.size()));
}

// A watchlist's line of the cache key.
std::string key_line(const fs::path& file, std::size_t size, const std::string& digest) {
  return file.string() + '\n' + std::to_string(size) + ' ' + digest + '\n';
}

// key_line of a watchlist streamed through read_file_in_chunks: a hit needs nothing else of the file,
// and a 470 KB watchlist read whole faulted in 115 fresh pages for it. Nothing when the file cannot
// be read or holds more than max_bytes (load_matcher then says why).
std::optional<std::string> streamed_key_line(const fs::path& file, std::size_t max_bytes) {
  struct StateFree {
    void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
  };
  const std::unique_ptr<XXH3_state_t, StateFree> state(XXH3_createState());
  if (state == nullptr || XXH3_128bits_reset(state.get()) != XXH_OK) return std::nullopt;
  const ChunkedRead read = read_file_in_chunks(file, max_bytes, [&](std::string_view chunk) {
    NEWSWATCH_XXH3_128_UPDATE(state.get(), chunk.data(), chunk.size());
  });
  if (!read) return std::nullopt;
  return key_line(file, read.size, hex_of(XXH3_128bits_digest(state.get())));
}

// A folder or entry the user may not read or write (a scan run against the daemon's configuration
// by someone else) is no problem worth a warning on every run: the matcher is compiled, as without
// a cache, the way Python skips bytecode it cannot write.
bool not_permitted(int error) { return error == EACCES || error == EPERM || error == EROFS; }

// The entry's bytes, mapped; unmapped when it goes.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) munmap(data_, size_);
  }

  // Nothing and no problem when the file does not exist (nor its folder: storing will say why).
  std::optional<std::string_view> open(const fs::path& path, std::string& problem) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT && errno != ENOTDIR && !not_permitted(errno))
        problem = path.string() + ": cannot open: " + errno_text(errno);
      return std::nullopt;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
      problem = path.string() + ": empty or unreadable";
      ::close(fd);
      return std::nullopt;
    }
    // MAP_POPULATE: one call maps every page from the page cache, instead of one fault a page.
    void* data = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    const int error = errno;
    ::close(fd);
    if (data == MAP_FAILED) {
      problem = path.string() + ": cannot map: " + errno_text(error);
      return std::nullopt;
    }
    data_ = data;
    size_ = static_cast<std::size_t>(st.st_size);
    return std::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// The payload of a well-formed entry, or a problem.
std::optional<std::string_view> payload_of(std::string_view bytes, const std::string& key, std::string& problem) {
  Header header{};
  if (bytes.size() < sizeof header) {
    problem = "shorter than its header";
    return std::nullopt;
  }
  std::memcpy(&header, bytes.data(), sizeof header);
  bytes.remove_prefix(sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) {
    problem = "not a matcher cache entry";
  } else if (std::string_view(header.key, sizeof header.key) != key) {
    problem = "holds another entry's key";
  } else if (header.payload_bytes != bytes.size()) {
    problem = "truncated: " + std::to_string(bytes.size()) + " of " + std::to_string(header.payload_bytes) +
              " bytes";
  } else if (NEWSWATCH_XXH3_64(bytes.data(), bytes.size()) != header.checksum) {
    problem = "checksum mismatch";
  } else {
    return bytes;
  }
  return std::nullopt;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

struct Stored {
  bool stored = false;
  std::string problem;  // empty when stored, or when the folder is not ours to write
};

// Writes the entry through a temporary file renamed into place.
Stored store(const fs::path& directory, const fs::path& path, const std::string& key, std::string_view payload) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    if (not_permitted(error.value())) return {};
    return {false, directory.string() + ": cannot create the cache directory: " + error.message()};
  }
  std::string temporary = (directory / ".matcher-XXXXXX").string();
  const int fd = mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) {
    if (not_permitted(errno)) return {};
    return {false, directory.string() + ": cannot create a file: " + errno_text(errno)};
  }
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  std::memcpy(header.key, key.data(), sizeof header.key);
  header.payload_bytes = payload.size();
  header.checksum = NEWSWATCH_XXH3_64(payload.data(), payload.size());
  const bool written = write_all(fd, std::string_view(reinterpret_cast<const char*>(&header), sizeof header)) &&
                       write_all(fd, payload);
  const int write_error = errno;
  if (::close(fd) != 0 || !written) {
    ::unlink(temporary.c_str());
    return {false, path.string() + ": cannot write: " + errno_text(written ? errno : write_error)};
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temporary.c_str());
    return {false, path.string() + ": cannot rename into place: " + errno_text(rename_error)};
  }
  return {true, {}};
}

// Removes the least recently used entries beyond max_entries (a hit touches its entry).
void prune(const fs::path& directory, std::size_t max_entries, std::vector<std::string>& problems) {
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= kEntryPrefix.size() + kEntrySuffix.size() || name.rfind(kEntryPrefix, 0) != 0 ||
        name.compare(name.size() - kEntrySuffix.size(), kEntrySuffix.size(), kEntrySuffix) != 0)
      continue;
    std::error_code time_error;
    const auto time = it->last_write_time(time_error);
    if (!time_error) entries.emplace_back(time, it->path());
  }
  if (error) {
    problems.push_back(directory.string() + ": cannot list: " + error.message());
    return;
  }
  if (entries.size() <= max_entries) return;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = max_entries; i < entries.size(); ++i) fs::remove(entries[i].second, error);
}

}  // namespace

Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> load_matcher_cached(
    const std::vector<fs::path>& files, const MatcherOptions& options, const MatcherCacheOptions& cache,
    MatcherCacheReport& report) {
  report = {};
  if (build_id().empty()) {
    report.problems.push_back("this build of the program has no GNU build ID: compiled watchlists are not cached");
    return load_matcher(files, options);
  }
  const WatchlistLimits& limits = options.watchlist_limits;
  const std::string key_start = "newswatch matcher cache\n" + build_id() + '\n' +
                                std::to_string(limits.max_terms) + '\n' + std::to_string(limits.max_file_bytes) +
                                '\n';
  std::string key_material = key_start;
  for (const fs::path& file : files) {
    auto line = streamed_key_line(file, limits.max_file_bytes);
    // Unreadable or too large: load_matcher says so, exactly as without a cache.
    if (!line) return load_matcher(files, options);
    key_material += *line;
  }
  std::string key = sha256_hex(key_material);
  const auto entry_path = [&](const std::string& k) {
    return cache.directory / (std::string(kEntryPrefix) + k + std::string(kEntrySuffix));
  };

  {
    auto mapped = std::make_shared<MappedFile>();
    std::string problem;
    const fs::path path = entry_path(key);
    if (const auto bytes = mapped->open(path, problem)) {
      if (const auto payload = payload_of(*bytes, key, problem)) {
        match_detail::ByteReader reader(*payload, cache.keep_entry_mapped ? mapped : nullptr);
        if (auto matcher = match_detail::restore_matcher(reader, options)) {
          report.hit = true;
          std::error_code touch_error;  // for pruning by use; a read-only directory still serves hits
          fs::last_write_time(path, fs::file_time_type::clock::now(), touch_error);
          return std::shared_ptr<const Matcher>(std::move(matcher));
        }
        problem = "does not restore";
      }
      problem = path.string() + ": " + problem + "; compiling the watchlists instead";
    }
    if (!problem.empty()) report.problems.push_back(problem);
  }

  // A miss reads the watchlists whole and keys the entry by the bytes it parses, so that an entry
  // always matches its key even when a watchlist is saved while this runs.
  std::vector<std::string> contents;
  key_material = key_start;
  for (const fs::path& file : files) {
    FileBytes read = read_file_at_most(file, limits.max_file_bytes);
    if (!read) return load_matcher(files, options);
    key_material += key_line(file, read.bytes.size(), digest_hex(read.bytes));
    contents.push_back(std::move(read.bytes));
  }
  key = sha256_hex(key_material);
  const fs::path path = entry_path(key);

  std::vector<Watchlist> watchlists;
  std::vector<WatchlistError> errors;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto parsed = parse_watchlist(contents[i], files[i].string(), limits);
    if (parsed) {
      watchlists.push_back(std::move(parsed.value()));
    } else {
      errors.insert(errors.end(), parsed.error().begin(), parsed.error().end());
    }
  }
  if (!errors.empty()) return errors;
  auto matcher = Matcher::compile(std::move(watchlists), options);
  if (!matcher) return matcher;

  match_detail::ByteWriter writer;
  match_detail::save_matcher(**matcher, writer);
  const Stored stored = store(cache.directory, path, key, writer.bytes());
  if (stored.stored) {
    report.stored = true;
    prune(cache.directory, cache.max_entries, report.problems);
  } else if (!stored.problem.empty()) {
    report.problems.push_back(stored.problem);
  }
  return matcher;
}

}  // namespace newswatch
