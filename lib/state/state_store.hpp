#pragma once
// The daemon's durable memory: one SQLite file (WAL mode) holding
//   - per feed: HTTP validators, permanent redirect, last status and times, failures, next poll;
//   - per article identity (stored as its 32-byte SHA-256): processed, first and last seen;
//   - the outbox: alerts waiting for a sink's acknowledgement.
//
// Delivery promise (at-least-once, no loss): commit_articles() marks articles processed and inserts
// the outbox rows of those that alerted in ONE transaction, before any sink sees the alerts; a row
// leaves the outbox only through acknowledge(). After a restart, replay every row of pending() to the
// sink before new work; a sink may therefore see an alert twice, never zero times.
//
// Threads: a StateStore is used by one thread at a time (the daemon's loop). It is not copyable.
// Errors: every operation returns a value; nothing on the data path throws. Each StateError names
// the file, the operation and SQLite's own message.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace newswatch {

using StateTime = std::chrono::system_clock::time_point;  // stored with millisecond precision

enum class StateErrorKind {
  busy,            // another process holds the lock beyond busy_timeout
  disk_full,       // SQLITE_FULL: the file system (or max_page_count) is full
  corrupt,         // not a database, or a damaged one
  cannot_open,     // missing directory, a path that is a directory, no permission
  read_only,       // the file or its directory cannot be written
  io,              // an I/O error below SQLite
  constraint,      // the input broke a rule of the schema (e.g. an empty alert payload)
  schema_too_new,  // written by a newer newswatch: refuse rather than guess
  other,
};

const char* to_string(StateErrorKind kind);

struct StateError {
  StateErrorKind kind = StateErrorKind::other;
  std::string path;       // the state file
  std::string operation;  // what we were doing: "open", "commit_articles", ...
  std::string message;    // SQLite's message
  int sqlite_code = 0;    // extended result code, 0 when the error is ours

  // "state file /var/lib/newswatch/state.db: commit_articles: disk_full: database or disk is full"
  std::string describe() const;
};

template <typename T>
using StateResult = Result<T, StateError>;
using StateDone = std::monostate;  // the value of an operation that returns nothing

// What we remember of one feed between polls; the key is the configured URL.
struct FeedState {
  std::string url;
  std::optional<std::string> etag;           // sent back as If-None-Match
  std::optional<std::string> last_modified;  // sent back as If-Modified-Since
  std::optional<std::string> redirect_url;   // after a 301/308: poll this instead
  std::string last_status;                   // "200", "304", "404", "timeout", "parse_error", ...
  std::optional<StateTime> last_success;
  std::optional<StateTime> last_attempt;
  std::optional<StateTime> next_poll;
  int consecutive_failures = 0;
  // RSS <ttl> of the last document parsed: a 304 says the document, and so its ttl, is unchanged, and
  // a restart must not forget it and poll the feed faster than its publisher asked.
  std::optional<std::chrono::minutes> ttl;

  bool operator==(const FeedState&) const = default;
};

// An alert as the outbox keeps it; the payload is the alert's JSON, produced to the sink as is.
struct OutboxEntry {
  std::string alert_id;
  std::string severity;
  std::string payload;  // must not be empty
  std::string source;   // the configured URL of the feed it came from ("" when unknown)
};

// One new article of a poll: its identity (normalised link, else feed URL + item id, computed by the
// caller) and, when it matched, the alert to deliver.
struct ProcessedArticle {
  std::string identity;
  std::optional<OutboxEntry> alert;
};

// The result for one ProcessedArticle, in input order.
struct CommittedArticle {
  bool newly_processed = false;      // false: already processed (another feed, or earlier in the batch)
  std::optional<int64_t> outbox_id;  // set when an outbox row was inserted for it
};

struct OutboxRow {
  int64_t id = 0;  // increasing: produce in id order
  std::string alert_id;
  std::string severity;
  StateTime created_at;
  std::string payload;
  int attempts = 0;  // failed delivery attempts recorded so far
  std::string last_error;
  std::string source;  // the feed URL; "" for rows written before schema 2
};

struct DeliveryFailure {
  int64_t outbox_id = 0;
  std::string error;
};

struct ExpireStats {
  std::size_t removed = 0;
  std::size_t batches = 0;
};

enum class Durability {
  // synchronous=NORMAL: a committed transaction survives a crash or SIGKILL of the process; after a
  // power loss the last transactions before it may be lost (the file stays consistent). Default:
  // see state_store.cpp for the measurements that chose it.
  process_crash,
  // synchronous=FULL: also survives power loss, at the cost of an fsync per transaction.
  power_loss,
};

struct StateOptions {
  Durability durability = Durability::process_crash;
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::hours article_max_age{24 * 30};  // expire() drops articles not seen for this long
  // seen() refreshes an article's last_seen at most this often, so polling an unchanged feed every
  // few minutes does not rewrite its articles every time.
  std::chrono::seconds touch_granularity{3600};
  std::size_t expire_batch = 5000;  // rows deleted per expire() transaction: keeps each write short
};

class StateStore {
 public:
  // Opens or creates the file (its directory must exist), switches it to WAL, applies schema
  // migrations, and prepares every statement. A corrupt, unreadable or unwritable file is an error
  // naming the path.
  static StateResult<std::unique_ptr<StateStore>> open(const std::string& path, StateOptions options = {});

  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const;

  // Feeds ------------------------------------------------------------------------------------
  StateResult<std::optional<FeedState>> feed(std::string_view url);
  StateResult<std::vector<FeedState>> all_feeds();  // for start-up: one query for all feeds
  // Inserts or replaces. After a poll that produced articles, prefer passing the new FeedState to
  // commit_articles() so validators and articles are written together.
  StateResult<StateDone> save_feed(const FeedState& feed);
  // Several feeds in one transaction: one commit (and one round of file locks) instead of one each.
  StateResult<StateDone> save_feeds(std::span<const FeedState* const> feeds);
  StateResult<StateDone> forget_feed(std::string_view url);

  // Articles ---------------------------------------------------------------------------------
  // For each identity, whether an article with it was already processed (by any feed). Also
  // refreshes last_seen of the known ones (at most once per touch_granularity), in one transaction.
  StateResult<std::vector<bool>> seen(const std::vector<std::string_view>& identities, StateTime now);

  // ONE transaction: marks every article processed and inserts the outbox rows of those with an
  // alert; all of it is written or none of it. An article already processed (seen by another feed
  // since the caller's seen() check, or twice in this batch) gets no second outbox row. When `feed`
  // is given it is saved in the same transaction: a new ETag must never be stored without the
  // articles it covered, or a later 304 would hide them for good.
  StateResult<std::vector<CommittedArticle>> commit_articles(const std::vector<ProcessedArticle>& articles,
                                                             StateTime now,
                                                             const std::optional<FeedState>& feed = {});

  // Drops articles whose last_seen is older than now - article_max_age, in short transactions.
  StateResult<ExpireStats> expire(StateTime now);

  // Outbox -----------------------------------------------------------------------------------
  // Up to `limit` rows with id > after_id, in id order. Start-up replay: pending(n, 0), then
  // pending(n, last id returned), ... until empty.
  StateResult<std::vector<OutboxRow>> pending(std::size_t limit, int64_t after_id = 0);
  // Deletes the rows (one transaction); ids not in the outbox are ignored, so a repeated delivery
  // report is harmless. Returns how many rows were deleted.
  StateResult<std::size_t> acknowledge(std::span<const int64_t> ids);
  // Counts a failed attempt and keeps the error text; the row stays for the next try.
  StateResult<StateDone> record_failures(std::span<const DeliveryFailure> failures);
  StateResult<StateDone> record_failure(int64_t outbox_id, std::string_view error);
  // Rows in the outbox; kept in memory, so it is free to call for a metric.
  std::size_t outbox_depth() const;

  // Operations ---------------------------------------------------------------------------------
  // PRAGMA integrity_check: "ok", or SQLite's list of problems. Reads the whole file: not for the loop.
  StateResult<std::string> check_integrity();

  class Impl;

 private:
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newswatch
