#pragma once
// Shared by the HttpFetcher tests: short limits, and driving run() until results arrive.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "fetch/http_fetcher.hpp"

namespace newswatch::testing {

// Short limits so that the slow cases end in seconds; the environment's proxy must not see 127.0.0.1.
inline FetchOptions short_fetch_options() {
  FetchOptions options;
  options.connect_timeout = std::chrono::milliseconds(2'000);
  options.total_timeout = std::chrono::milliseconds(20'000);
  options.low_speed_bytes_per_second = 1024;
  options.low_speed_time = std::chrono::seconds(2);
  options.use_environment_proxy = false;
  return options;
}

// Drives the fetcher until `count` results came back. The safety limit only stops a broken fetcher
// from hanging the suite; no test asserts on how long anything took.
inline std::vector<FetchResult> run_until(HttpFetcher& fetcher, std::size_t count,
                                          std::chrono::seconds safety_limit = std::chrono::seconds(90)) {
  std::vector<FetchResult> results;
  auto give_up = std::chrono::steady_clock::now() + safety_limit;
  while (results.size() < count) {
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("fetcher never finished");
    for (auto& result : fetcher.run(std::chrono::milliseconds(500))) results.push_back(std::move(result));
  }
  return results;
}

inline FetchResult fetch_one(HttpFetcher& fetcher, const std::string& url, const std::string& etag = "",
                             const std::string& last_modified = "") {
  fetcher.submit(FetchRequest{url, url, etag, last_modified});
  return std::move(run_until(fetcher, 1).front());
}

inline FetchResult fetch_one(const std::string& url, FetchOptions options = short_fetch_options()) {
  HttpFetcher fetcher(std::move(options));
  return fetch_one(fetcher, url);
}

}  // namespace newswatch::testing
