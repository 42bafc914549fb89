#pragma once
// The configured sink, built from the config file's `sink:` section.
#include <memory>
#include <string>

#include "common/result.hpp"
#include "config.hpp"
#include "sink/sink.hpp"

namespace newswatch {

Result<std::unique_ptr<Sink>, std::string> make_sink(const SinkConfig& config);

}  // namespace newswatch
