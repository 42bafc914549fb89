#include "sink/jsonl_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace newswatch {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

class JsonLinesSink final : public Sink {
 public:
  JsonLinesSink(int fd, bool owns_fd, JsonLinesSinkOptions options)
      : fd_(fd), owns_fd_(owns_fd), options_(std::move(options)) {}

  ~JsonLinesSink() override {
    if (owns_fd_) ::close(fd_);
  }

  JsonLinesSink(const JsonLinesSink&) = delete;
  JsonLinesSink& operator=(const JsonLinesSink&) = delete;

  const char* kind() const override { return "jsonl"; }

  SubmitOutcome submit(const OutgoingAlert& alert) override {
    // A raw line break would split the alert across two lines; compact JSON never has one.
    if (alert.payload.find_first_of("\r\n") != std::string::npos) {
      return {SubmitStatus::rejected, "alert " + alert.alert_id +
                                          " is not compact JSON: it contains a line break, and the "
                                          "JSON-lines sink writes one alert per line"};
    }
    line_.clear();
    // After a failed, partial write the file ends mid-line: end that fragment first so that this
    // alert starts a line of its own and stays readable.
    if (mid_line_) line_ += '\n';
    line_ += alert.payload;
    line_ += '\n';

    Delivery delivery{alert.outbox_id, DeliveryStatus::delivered, {}, false};
    if (auto error = write_line(); !error.empty()) {
      delivery.status = DeliveryStatus::retriable_failure;
      delivery.error = error;
      // Part of the line may be in the file: a retry can duplicate the alert.
      delivery.possibly_delivered = mid_line_;
      health_ = {HealthState::degraded, error};
    } else {
      health_ = {};
    }
    pending_.deliveries.push_back(std::move(delivery));
    return {SubmitStatus::accepted, {}};
  }

  // Every write finishes inside submit(), so there is never anything to wait for.
  SinkReport poll(std::chrono::milliseconds) override { return take_report(); }
  SinkReport flush(std::chrono::milliseconds) override { return take_report(); }

  Health health() const override { return health_; }

 private:
  SinkReport take_report() {
    SinkReport report = std::move(pending_);
    pending_ = {};
    return report;
  }

  // Returns an empty string on success, else a log-ready reason.
  std::string write_line() {
    std::string_view rest = line_;
    bool wrote_some = false;
    while (!rest.empty()) {
      ssize_t written = ::write(fd_, rest.data(), rest.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        int error = errno;
        if (wrote_some) mid_line_ = true;
        return "writing to " + describe_path() + " failed: " + errno_text(error);
      }
      wrote_some = wrote_some || written > 0;
      rest.remove_prefix(static_cast<std::size_t>(written));
    }
    mid_line_ = false;
    if (options_.sync && ::fdatasync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
      // EINVAL/EROFS: a pipe or terminal, which cannot be synced and need not be.
      return "syncing " + describe_path() + " failed: " + errno_text(errno);
    }
    return {};
  }

  std::string describe_path() const { return options_.path == "-" ? "standard output" : options_.path; }

  int fd_;
  bool owns_fd_;
  JsonLinesSinkOptions options_;
  std::string line_;
  bool mid_line_ = false;
  SinkReport pending_;
  Health health_;
};

}  // namespace

Result<std::unique_ptr<Sink>, std::string> make_json_lines_sink(const JsonLinesSinkOptions& options) {
  if (options.path.empty()) return std::string("the JSON-lines sink needs a path, or \"-\" for stdout");
  if (options.path == "-") {
    return std::unique_ptr<Sink>(std::make_unique<JsonLinesSink>(STDOUT_FILENO, false, options));
  }
  int fd = ::open(options.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return "cannot open " + options.path + " for appending alerts: " + errno_text(errno);
  return std::unique_ptr<Sink>(std::make_unique<JsonLinesSink>(fd, true, options));
}

}  // namespace newswatch
