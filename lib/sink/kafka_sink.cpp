#include "sink/kafka_sink.hpp"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <utility>

namespace newswatch {
namespace {

// librdkafka can log a line per failed connection attempt; bound what waits for the next poll().
constexpr std::size_t kMaxPendingNotices = 1000;

// How often librdkafka reports broker states; a broker back UP is how health() recovers while idle.
constexpr const char* kStatisticsIntervalMs = "1000";

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string uppercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool parse_int(const std::string& text, long long& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Values of these keys are secrets or key material: an error about them never quotes librdkafka's
// message, which may contain the value.
bool is_sensitive_key(const std::string& key) {
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
         key.find("oauthbearer.config") != std::string::npos || key.find(".pem") != std::string::npos ||
         key.find("ssl_key") != std::string::npos || key.find("ssl.key") != std::string::npos ||
         key.find("keystore") != std::string::npos;
}

// Kafka's topic name rule (clients' Topic.validate): 1..249 of [a-zA-Z0-9._-], not "." or "..".
std::string topic_problem(const std::string& topic) {
  if (topic.empty()) return "topic is empty";
  if (topic.size() > 249) return "topic is longer than Kafka's 249 characters";
  if (topic == "." || topic == "..") return "topic cannot be \".\" or \"..\"";
  for (unsigned char c : topic) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') {
      return "topic \"" + topic + "\" has a character Kafka does not allow (only a-z A-Z 0-9 . _ -)";
    }
  }
  return {};
}

// Problems with one user property, given the guarantees newswatch relies on.
std::string property_problem(const std::string& key, const std::string& value) {
  const std::string where = "properties: " + key + ": ";
  if (key == "bootstrap.servers" || key == "metadata.broker.list") {
    return where + "set the brokers with the sink's `brokers` key";
  }
  if (key == "security.protocol" || key == "sasl.mechanism" || key == "sasl.mechanisms" ||
      key == "sasl.username" || key == "sasl.password" || key == "ssl.ca.location") {
    return where + "set it under the sink's `security` section (secrets from a file or the environment)";
  }
  if (key == "enable.idempotence" && lowercase(value) != "true") {
    return where + "newswatch needs the idempotent producer (retries without duplicates or reordering)";
  }
  if ((key == "acks" || key == "request.required.acks") && value != "all" && value != "-1") {
    return where + "must be all (or -1): the idempotent producer needs every in-sync replica's ack";
  }
  if (key == "max.in.flight" || key == "max.in.flight.requests.per.connection") {
    long long n = 0;
    if (!parse_int(value, n) || n < 1 || n > 5) {
      return where + "must be 1 to 5 with the idempotent producer";
    }
  }
  if (key == "retries" || key == "message.send.max.retries") {
    long long n = 0;
    if (!parse_int(value, n) || n < 1) return where + "must be at least 1 with the idempotent producer";
  }
  if (key == "queuing.strategy" && value != "fifo") {
    return where + "must be fifo with the idempotent producer";
  }
  if (key == "message.timeout.ms" || key == "delivery.timeout.ms") {
    long long n = 0;
    if (!parse_int(value, n) || n <= 0) {
      return where +
             "must be a positive number of milliseconds, so that undelivered alerts come back "
             "to the outbox";
    }
  }
  if (key == "transactional.id") return where + "newswatch does not use Kafka transactions";
  if (key == "delivery.report.only.error") return where + "newswatch needs every delivery report";
  if (key == "statistics.interval.ms" || key == "log.queue") {
    return where + "newswatch sets it to collect broker state and logs on its event loop";
  }
  return {};
}

std::vector<std::string> security_problems(const KafkaSecurityOptions& security) {
  std::vector<std::string> problems;
  const std::string protocol = lowercase(security.protocol.empty() ? "plaintext" : security.protocol);
  const bool sasl = protocol == "sasl_plaintext" || protocol == "sasl_ssl";
  const bool tls = protocol == "ssl" || protocol == "sasl_ssl";
  if (protocol != "plaintext" && protocol != "ssl" && !sasl) {
    problems.push_back("security.protocol: must be plaintext, ssl, sasl_plaintext or sasl_ssl");
  }
  if (sasl) {
    const std::string mechanism = uppercase(security.sasl_mechanism);
    if (mechanism != "PLAIN" && mechanism != "SCRAM-SHA-256" && mechanism != "SCRAM-SHA-512") {
      problems.push_back("security.sasl_mechanism: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with " +
                         protocol);
    }
    if (security.username.empty()) problems.push_back("security.username: needed with " + protocol);
    if (security.password.empty()) {
      problems.push_back("security.password: needed with " + protocol +
                         " (from password_file or password_env)");
    }
  } else if (!security.sasl_mechanism.empty() || !security.username.empty() || !security.password.empty()) {
    problems.push_back(
        "security: sasl_mechanism, username and password need protocol sasl_plaintext or "
        "sasl_ssl");
  }
  if (!security.ssl_ca_file.empty()) {
    if (!tls) {
      problems.push_back("security.ssl_ca_file: needs protocol ssl or sasl_ssl");
    } else if (::access(security.ssl_ca_file.c_str(), R_OK) != 0) {
      problems.push_back("security.ssl_ca_file: cannot read " + security.ssl_ca_file);
    }
  }
  return problems;
}

// The librdkafka settings for the options, in the order they are applied.
std::vector<std::pair<std::string, std::string>> producer_settings(const KafkaSinkOptions& options) {
  auto settings = kafka_producer_defaults();
  settings.emplace_back("bootstrap.servers", options.brokers);
  const auto& security = options.security;
  const std::string protocol = lowercase(security.protocol.empty() ? "plaintext" : security.protocol);
  settings.emplace_back("security.protocol", protocol);
  if (protocol == "sasl_plaintext" || protocol == "sasl_ssl") {
    settings.emplace_back("sasl.mechanisms", uppercase(security.sasl_mechanism));
    settings.emplace_back("sasl.username", security.username);
    settings.emplace_back("sasl.password", security.password);
  }
  if (!security.ssl_ca_file.empty()) settings.emplace_back("ssl.ca.location", security.ssl_ca_file);
  for (const auto& [key, value] : options.properties) settings.emplace_back(key, value);
  // Last, so nothing above can undo them (property_problem refuses the attempt anyway).
  settings.emplace_back("enable.idempotence", "true");
  settings.emplace_back("statistics.interval.ms", kStatisticsIntervalMs);
  settings.emplace_back("log.queue", "true");
  return settings;
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// Every problem with the options; the conf when there are none.
ConfPtr build_conf(const KafkaSinkOptions& options, std::vector<std::string>& problems) {
  if (options.brokers.empty()) problems.push_back("brokers: empty (expected \"host:port,...\")");
  if (auto problem = topic_problem(options.topic); !problem.empty()) problems.push_back(problem);
  for (auto& problem : security_problems(options.security)) problems.push_back(std::move(problem));
  for (const auto& [key, value] : options.properties) {
    if (auto problem = property_problem(key, value); !problem.empty()) problems.push_back(problem);
  }
  if (!problems.empty()) return nullptr;

  ConfPtr conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [key, value] : producer_settings(options)) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      problems.push_back("properties: " + key + ": " +
                         (is_sensitive_key(key) ? std::string("invalid value (not shown: it is secret)")
                                                : std::string(error)));
    }
  }
  if (!problems.empty()) return nullptr;
  return conf;
}

NoticeLevel notice_level(int syslog_level) {
  if (syslog_level <= 3) return NoticeLevel::error;
  if (syslog_level == 4) return NoticeLevel::warning;
  if (syslog_level <= 6) return NoticeLevel::info;
  return NoticeLevel::debug;
}

bool is_topic_missing(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
}

bool is_authorisation_error(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED;
}

// The broker refused the record itself: sending the same bytes again cannot succeed.
bool is_permanent_for_message(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR_INVALID_RECORD ||
         err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE || err == RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE ||
         err == RD_KAFKA_RESP_ERR_INVALID_MSG;
}

std::string describe(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + " (" + rd_kafka_err2str(err) + ")";
}

// Whether a statistics JSON document shows a configured or learned broker in state UP. The broker
// objects list "source" just before "state" (librdkafka's STATISTICS.md); the internal and logical
// brokers are not connections.
bool statistics_show_broker_up(std::string_view json) {
  constexpr std::string_view kSource = "\"source\":\"";
  constexpr std::string_view kState = "\"state\":\"";
  for (std::size_t at = json.find(kSource); at != std::string_view::npos; at = json.find(kSource, at)) {
    at += kSource.size();
    std::string_view source = json.substr(at, json.find('"', at) - at);
    std::size_t state_at = json.find(kState, at);
    if (state_at == std::string_view::npos) return false;
    state_at += kState.size();
    std::string_view state = json.substr(state_at, json.find('"', state_at) - state_at);
    if ((source == "configured" || source == "learned") && state == "UP") return true;
  }
  return false;
}

class KafkaSink final : public Sink {
 public:
  explicit KafkaSink(KafkaSinkOptions options) : options_(std::move(options)) {}

  ~KafkaSink() override {
    set_wakeup({});  // librdkafka's threads must not call into what the owner is tearing down
    if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
    if (producer_ != nullptr) {
      // What is still queued dies here by design: the outbox still has it.
      rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_destroy(producer_);
    }
  }

  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  // Returns an empty string on success, else the reason the producer could not start.
  std::string start(ConfPtr conf) {
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaSink::on_delivery);
    rd_kafka_conf_set_error_cb(conf.get(), &KafkaSink::on_error);
    rd_kafka_conf_set_log_cb(conf.get(), &KafkaSink::on_log);
    rd_kafka_conf_set_stats_cb(conf.get(), &KafkaSink::on_statistics);
    char error[512];
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
    if (producer_ == nullptr) return std::string("the Kafka producer could not start: ") + error;
    conf.release();                              // rd_kafka_new took it
    rd_kafka_set_log_queue(producer_, nullptr);  // logs wait on the main queue for poll()
    // Delivery reports, errors, logs and statistics all arrive on the main queue; librdkafka calls
    // on_queue_event (from its own thread) when that queue stops being empty.
    rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(producer_);
    rd_kafka_queue_cb_event_enable(main_queue, &KafkaSink::on_queue_event, this);
    rd_kafka_queue_destroy(main_queue);  // the handle, not the queue
    topic_ = rd_kafka_topic_new(producer_, options_.topic.c_str(), nullptr);
    if (topic_ == nullptr) {
      return "the Kafka producer could not use topic " + options_.topic + ": " +
             describe(rd_kafka_last_error());
    }
    const auto& security = options_.security;
    if (lowercase(security.protocol) == "sasl_plaintext" && uppercase(security.sasl_mechanism) == "PLAIN") {
      add_notice(NoticeLevel::warning,
                 "Kafka security: SASL PLAIN over sasl_plaintext sends the password unencrypted; "
                 "use sasl_ssl or SCRAM");
    }
    return {};
  }

  const char* kind() const override { return "kafka"; }

  SubmitOutcome submit(const OutgoingAlert& alert) override {
    if (health_.state == HealthState::fatal) return {SubmitStatus::fatal, health_.reason};
    if (alert.alert_id.empty()) return {SubmitStatus::rejected, "alert has no id (the Kafka key and ce_id)"};

    rd_kafka_headers_t* headers = make_headers(alert);
    static_assert(sizeof(void*) >= sizeof(std::int64_t), "the outbox id travels as the message opaque");
    void* opaque = reinterpret_cast<void*>(static_cast<std::intptr_t>(alert.outbox_id));
    rd_kafka_resp_err_t err =
        rd_kafka_producev(producer_, RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_VALUE(const_cast<char*>(alert.payload.data()), alert.payload.size()),
                          RD_KAFKA_V_KEY(alert.alert_id.data(), alert.alert_id.size()),
                          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++in_flight_;
      return {SubmitStatus::accepted, {}};
    }
    rd_kafka_headers_destroy(headers);  // still ours when producev fails

    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return {SubmitStatus::queue_full, {}};
    if (is_permanent_for_message(err)) {
      return {SubmitStatus::rejected, "alert " + alert.alert_id + " (" +
                                          std::to_string(alert.payload.size()) +
                                          " bytes) cannot be produced: " + describe(err)};
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      note_fatal_error();
    } else if (is_topic_missing(err)) {
      set_fatal(topic_missing_reason());
    } else {
      set_fatal("producing to Kafka topic " + options_.topic + " failed: " + describe(err));
    }
    return {SubmitStatus::fatal, health_.reason};
  }

  SinkReport poll(std::chrono::milliseconds timeout) override {
    rd_kafka_poll(producer_, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
    return take_report();
  }

  SinkReport flush(std::chrono::milliseconds timeout) override {
    // rd_kafka_flush serves the delivery callbacks itself; the poll picks up logs and errors.
    rd_kafka_flush(producer_, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
    rd_kafka_poll(producer_, 0);
    return take_report();
  }

  Health health() const override { return health_; }

  void set_wakeup(std::function<void()> wakeup) override {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    wakeup_ = std::move(wakeup);
  }

 private:
  static KafkaSink& self(void* opaque) { return *static_cast<KafkaSink*>(opaque); }

  static void on_queue_event(rd_kafka_t*, void* opaque) {
    KafkaSink& sink = self(opaque);
    // Only on the queue's empty -> non-empty edge, so the lock is taken rarely.
    std::lock_guard<std::mutex> lock(sink.wakeup_mutex_);
    if (sink.wakeup_) sink.wakeup_();
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    self(opaque).record_delivery(*message);
  }

  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    self(opaque).record_error(static_cast<rd_kafka_resp_err_t>(err), reason);
  }

  static void on_log(const rd_kafka_t* producer, int level, const char* facility, const char* line) {
    self(rd_kafka_opaque(producer))
        .add_notice(notice_level(level), std::string("librdkafka ") + facility + ": " + line);
  }

  static int on_statistics(rd_kafka_t*, char* json, std::size_t length, void* opaque) {
    self(opaque).record_statistics(std::string_view(json, length));
    return 0;  // librdkafka frees the document
  }

  rd_kafka_headers_t* make_headers(const OutgoingAlert& alert) const {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(8);
    auto add = [headers](std::string_view name, std::string_view value) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    };
    add("content-type", "application/json");
    add("ce_specversion", "1.0");
    add("ce_id", alert.alert_id);
    add("ce_type", kCloudEventsType);
    // CloudEvents requires a source; an alert must not be lost for want of one.
    add("ce_source",
        alert.source.empty() ? std::string_view(kFallbackSource) : std::string_view(alert.source));
    if (!alert.time.empty()) add("ce_time", alert.time);
    add("newswatch-schema", kSchemaHeaderValue);
    add("newswatch-severity", alert.severity);
    return headers;
  }

  void record_delivery(const rd_kafka_message_t& message) {
    if (in_flight_ > 0) --in_flight_;
    Delivery delivery;
    delivery.outbox_id = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(message._private));
    const rd_kafka_resp_err_t err = message.err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      delivery.status = DeliveryStatus::delivered;
      if (health_.state == HealthState::degraded) health_ = {};
      pending_.deliveries.push_back(std::move(delivery));
      return;
    }
    delivery.possibly_delivered = rd_kafka_message_status(&message) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED;
    delivery.status =
        is_permanent_for_message(err) ? DeliveryStatus::permanent_failure : DeliveryStatus::retriable_failure;
    delivery.error = "Kafka topic " + options_.topic + ": " + describe(err);
    if (delivery.possibly_delivered) delivery.error += "; it may have been written even so";
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      note_fatal_error();
    } else if (is_topic_missing(err)) {
      set_fatal(topic_missing_reason());
    } else if (is_authorisation_error(err)) {
      set_fatal(authorisation_reason(err));
    }
    pending_.deliveries.push_back(std::move(delivery));
  }

  void record_error(rd_kafka_resp_err_t err, const char* reason) {
    const std::string text = std::string("Kafka: ") + describe(err) + ": " + reason;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      note_fatal_error();
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL) {
      set_fatal("Kafka: cannot authenticate with the brokers (" + std::string(rd_kafka_err2name(err)) +
                "): " + reason);
      return;
    }
    if (is_authorisation_error(err)) {
      set_fatal(authorisation_reason(err));
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__RESOLVE) {
      set_degraded("Kafka: no broker of " + options_.brokers + " is reachable: " + reason);
    }
    add_notice(NoticeLevel::warning, text);
  }

  void record_statistics(std::string_view json) {
    if (health_.state == HealthState::degraded && statistics_show_broker_up(json)) health_ = {};
  }

  // librdkafka's fatal errors leave the producer unusable (e.g. the idempotent producer lost its
  // sequence); rd_kafka_fatal_error names the original error.
  void note_fatal_error() {
    if (health_.state == HealthState::fatal) return;
    char reason[512] = "";
    rd_kafka_resp_err_t original = rd_kafka_fatal_error(producer_, reason, sizeof reason);
    set_fatal("Kafka producer fatal error " + std::string(rd_kafka_err2name(original)) + ": " + reason);
  }

  std::string topic_missing_reason() const {
    return "Kafka topic " + options_.topic +
           " does not exist and the brokers do not create it (auto.create.topics.enable=false): create it";
  }

  std::string authorisation_reason(rd_kafka_resp_err_t err) const {
    return "Kafka: not authorised to produce to topic " + options_.topic + " (" + rd_kafka_err2name(err) +
           "): grant the principal WRITE on the topic (and IDEMPOTENT_WRITE on the cluster for brokers "
           "older than 2.8)";
  }

  void set_fatal(std::string reason) {
    if (health_.state == HealthState::fatal) return;  // the first cause is the one to fix
    health_ = {HealthState::fatal, std::move(reason)};
    add_notice(NoticeLevel::error, health_.reason);
  }

  void set_degraded(std::string reason) {
    if (health_.state == HealthState::fatal) return;
    health_ = {HealthState::degraded, std::move(reason)};
  }

  void add_notice(NoticeLevel level, std::string message) {
    if (pending_.notices.size() >= kMaxPendingNotices) {
      ++dropped_notices_;
      return;
    }
    pending_.notices.push_back({level, std::move(message)});
  }

  SinkReport take_report() {
    if (dropped_notices_ > 0) {
      pending_.notices.push_back({NoticeLevel::warning, "Kafka: " + std::to_string(dropped_notices_) +
                                                            " more librdkafka messages were dropped"});
      dropped_notices_ = 0;
    }
    SinkReport report = std::move(pending_);
    pending_ = {};
    report.in_flight = in_flight_;
    return report;
  }

  KafkaSinkOptions options_;
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;
  std::size_t in_flight_ = 0;
  std::size_t dropped_notices_ = 0;
  SinkReport pending_;
  Health health_;
  std::mutex wakeup_mutex_;  // set_wakeup() on the loop's thread against on_queue_event() on librdkafka's
  std::function<void()> wakeup_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> kafka_producer_defaults() {
  return {
      {"client.id", "newswatch"},
      {"enable.idempotence", "true"},
      // zstd is in Debian's librdkafka 2.0.2 (builtin.features) and compresses JSON best.
      {"compression.type", "zstd"},
      {"linger.ms", "5"},
      // Places keys like the Java client's default partitioner (librdkafka's default is CRC32).
      {"partitioner", "murmur2_random"},
      // A full local queue is back-pressure for the outbox, far below librdkafka's 100,000 / 1 GiB.
      {"queue.buffering.max.messages", "10000"},
      {"queue.buffering.max.kbytes", "65536"},
      // Long, but bounded: a message that times out goes back to the outbox.
      {"message.timeout.ms", "300000"},
  };
}

std::vector<std::string> validate_kafka_options(const KafkaSinkOptions& options) {
  std::vector<std::string> problems;
  build_conf(options, problems);
  return problems;
}

Result<std::unique_ptr<Sink>, std::string> make_kafka_sink(const KafkaSinkOptions& options) {
  std::vector<std::string> problems;
  ConfPtr conf = build_conf(options, problems);
  if (!conf) {
    std::string message = "Kafka sink configuration: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i > 0 ? "; " : "") + problems[i];
    return message;
  }
  auto sink = std::make_unique<KafkaSink>(options);
  if (auto error = sink->start(std::move(conf)); !error.empty()) return error;
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace newswatch
