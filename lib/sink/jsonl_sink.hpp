#pragma once
// The JSON-lines sink: one alert JSON per line, appended to a file or written to standard output.
// An alert is acknowledged (delivered) as soon as its line has been handed to the kernel with
// write(2) (and, with sync, made durable with fdatasync(2)); there is no user-space buffer to lose.
#include <memory>
#include <string>

#include "common/result.hpp"
#include "sink/sink.hpp"

namespace newswatch {

struct JsonLinesSinkOptions {
  std::string path = "-";  // a file (created 0640 if missing, appended to), or "-" for stdout
  // fdatasync(2) after each line, so an acknowledged alert survives a power cut. Off by default:
  // the outbox already survives a crash of the process, and a sync costs milliseconds per alert.
  bool sync = false;
};

// Opens the destination. The error names the path and the reason ("cannot open ...: ...").
Result<std::unique_ptr<Sink>, std::string> make_json_lines_sink(const JsonLinesSinkOptions& options);

}  // namespace newswatch
