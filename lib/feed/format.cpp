#include "feed/article.hpp"

namespace newswatch {

const char* to_string(FeedFormat format) {
  switch (format) {
    case FeedFormat::rss090: return "rss090";
    case FeedFormat::rss091: return "rss091";
    case FeedFormat::rss092: return "rss092";
    case FeedFormat::rss20: return "rss20";
    case FeedFormat::rss10: return "rss10";
    case FeedFormat::atom03: return "atom03";
    case FeedFormat::atom10: return "atom10";
    case FeedFormat::json10: return "json10";
    case FeedFormat::json11: return "json11";
    case FeedFormat::unknown: break;
  }
  return "unknown";
}

}  // namespace newswatch
