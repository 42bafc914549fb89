#include "file_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace newswatch {
namespace {

// What a watched name resolves to (through symlinks) and its size and change time: when any of these
// moves, the file that a reload would read has changed.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  std::int64_t modified_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, st.st_size,
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

}  // namespace

struct FileWatcher::Impl {
  std::function<void()> on_change;
  std::chrono::milliseconds debounce;
  int inotify_fd = -1;
  int stop_fd = -1;
  std::mutex mutex;                                              // guards the maps below
  std::map<int, std::string> folder_of_watch;                    // inotify watch descriptor -> folder
  std::map<std::string, std::set<std::string>> names_in_folder;  // folder -> file names we care about
  std::map<std::string, FileStamp> stamps;                       // folder/name -> what it resolved to
  std::thread thread;

  // An event naming a watched file is relevant; so is any other event in its folder that changed what
  // a watched name resolves to. The second case is a symlink swap, as in Kubernetes ConfigMap volumes:
  // name -> ..data/name, and an update renames a new "..data" link into place, naming only "..data".
  bool relevant(const inotify_event& event) {
    std::lock_guard lock(mutex);
    const auto folder = folder_of_watch.find(event.wd);
    if (folder == folder_of_watch.end() || event.len == 0) return false;
    bool changed = names_in_folder[folder->second].count(event.name) > 0;
    for (const auto& name : names_in_folder[folder->second]) {
      const std::string path = folder->second + "/" + name;
      auto now = stamp_of(path);
      if (now != stamps[path]) {
        stamps[path] = now;
        changed = true;
      }
    }
    return changed;
  }

  // Reads what is pending; true when one of the watched files was touched.
  bool drain() {
    alignas(inotify_event) char buffer[16384];
    bool touched = false;
    while (true) {
      const ssize_t n = read(inotify_fd, buffer, sizeof buffer);
      if (n <= 0) return touched;
      for (char* p = buffer; p < buffer + n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(p);
        touched = relevant(*event) || touched;
        p += sizeof(inotify_event) + event->len;
      }
    }
  }

  void run() {
    pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    bool pending = false;
    while (true) {
      const int timeout = pending ? static_cast<int>(debounce.count()) : -1;
      const int ready = ::poll(fds, 2, timeout);
      if (ready < 0 && errno == EINTR) continue;
      if (fds[1].revents & POLLIN) return;
      if (ready == 0) {  // quiet for `debounce` after a change
        pending = false;
        on_change();
        continue;
      }
      if (fds[0].revents & POLLIN) pending = drain() || pending;
    }
  }
};

FileWatcher::FileWatcher(std::function<void()> on_change, std::chrono::milliseconds debounce)
    : impl_(std::make_unique<Impl>()) {
  impl_->on_change = std::move(on_change);
  impl_->debounce = debounce;
  impl_->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  impl_->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl_->inotify_fd >= 0 && impl_->stop_fd >= 0) impl_->thread = std::thread([this] { impl_->run(); });
}

FileWatcher::~FileWatcher() {
  if (impl_->thread.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(impl_->stop_fd, &one, sizeof one);
    impl_->thread.join();
  }
  if (impl_->inotify_fd >= 0) close(impl_->inotify_fd);
  if (impl_->stop_fd >= 0) close(impl_->stop_fd);
}

std::string FileWatcher::watch(const std::vector<std::filesystem::path>& files) {
  if (impl_->inotify_fd < 0) return std::string("inotify unavailable: ") + std::strerror(errno);
  std::map<std::string, std::set<std::string>> wanted;
  for (const auto& file : files) {
    const auto absolute = std::filesystem::absolute(file).lexically_normal();
    wanted[absolute.parent_path().string()].insert(absolute.filename().string());
  }
  std::lock_guard lock(impl_->mutex);
  for (const auto& [wd, folder] : impl_->folder_of_watch) inotify_rm_watch(impl_->inotify_fd, wd);
  impl_->folder_of_watch.clear();
  impl_->names_in_folder.clear();
  impl_->stamps.clear();
  std::string errors;
  for (const auto& [folder, names] : wanted) {
    const int wd = inotify_add_watch(impl_->inotify_fd, folder.c_str(),
                                     IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB);
    if (wd < 0) {
      errors +=
          (errors.empty() ? "" : "; ") + std::string("cannot watch ") + folder + ": " + std::strerror(errno);
      continue;
    }
    impl_->folder_of_watch[wd] = folder;
    impl_->names_in_folder[folder] = names;
    for (const auto& name : names) impl_->stamps[folder + "/" + name] = stamp_of(folder + "/" + name);
  }
  return errors;
}

}  // namespace newswatch
