#pragma once
// Watches files for changes with inotify on their folders — editors that save by writing a new file
// and renaming it over the old one replace the inode, so watching the file itself would miss them.
// A symlink swapped in the same folder (Kubernetes ConfigMap volumes) is seen too; an edit behind a
// symlink into another folder is not: SIGHUP covers that.
// A burst of events is debounced: the callback runs once the folder has been quiet for `debounce`.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace newswatch {

class FileWatcher {
 public:
  // on_change runs on the watcher's own thread; keep it short and thread-safe (set a flag, wake a loop).
  FileWatcher(std::function<void()> on_change,
              std::chrono::milliseconds debounce = std::chrono::milliseconds(500));
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Replaces the set of watched files. Returns an error text ("" on success), e.g. when inotify is
  // unavailable; the daemon then still reloads on SIGHUP.
  std::string watch(const std::vector<std::filesystem::path>& files);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newswatch
