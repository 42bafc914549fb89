#pragma once
// Articles the match and alert tests share: the seed article (built from the seed text as the feed
// parser would hand it over) and a film review that must not alert.
#include <chrono>
#include <string>

#include "feed/article.hpp"
#include "fixtures.hpp"

namespace newswatch::testing {

inline std::filesystem::path shipped_watchlist() {
  return source_dir() / "config" / "watchlists" / "eastern-flank.yaml";
}

// The seed file starts with " date 2022-01-21 " before the first sentence; the rest is the body.
inline Article seed_article() {
  std::string text = read_file(shared_dir() / "seed" / "eastern-flank-2022-01-21.txt");
  const std::string marker = "2022-01-21 ";
  text = text.substr(text.find(marker) + marker.size());
  Article article;
  article.id = "https://www.example.com/eastern-flank/russia-nato-romania-bulgaria";
  article.title = "Russia wants NATO forces out of Romania and Bulgaria";
  article.link = "https://www.Example.com/eastern-flank/russia-nato-romania-bulgaria?utm_source=rss#top";
  article.published = std::chrono::sys_days{std::chrono::January / 21 / 2022} + std::chrono::hours(9);
  article.summary = text.substr(0, text.find('\n'));
  article.content = text;
  return article;
}

inline Article film_review() {
  Article article;
  article.id = "https://www.example.com/culture/review-the-long-summer";
  article.title = "Review: The Long Summer is a tender, unhurried coming-of-age drama";
  article.link = "https://www.example.com/culture/review-the-long-summer";
  article.summary = "A teenager and her grandfather spend one last summer at the family's lakeside cabin.";
  article.content =
      "The Long Summer, the second feature from the director of last year's festival darling, is a quiet "
      "film that takes its time. Maya, sixteen and restless, is sent to stay with her grandfather after her "
      "parents announce their separation.\n\n"
      "At first she counts the days until she can leave. The cabin has no signal, the lake is cold, and her "
      "grandfather speaks mostly to his dog. But as the weeks pass the two of them find a rhythm: early "
      "swims, long silences, card games that he always wins.\n\n"
      "The performances are the film's great strength. The young lead moves easily between sulking and "
      "wonder, and the veteran actor opposite her makes every pause count. The score, mostly piano, never "
      "tells us what to feel.\n\n"
      "If the final act stumbles, with a storm that arrives a little too conveniently, it hardly matters. "
      "This is a film about paying attention, and it rewards anyone willing to slow down. In cinemas from "
      "Friday; 1 hour 52 minutes.";
  return article;
}

}  // namespace newswatch::testing
