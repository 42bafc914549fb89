#include "sink/sink.hpp"

namespace newswatch {

const char* to_string(SubmitStatus status) {
  switch (status) {
    case SubmitStatus::accepted:
      return "accepted";
    case SubmitStatus::queue_full:
      return "queue_full";
    case SubmitStatus::rejected:
      return "rejected";
    case SubmitStatus::fatal:
      return "fatal";
  }
  return "unknown";
}

const char* to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::delivered:
      return "delivered";
    case DeliveryStatus::retriable_failure:
      return "retriable_failure";
    case DeliveryStatus::permanent_failure:
      return "permanent_failure";
  }
  return "unknown";
}

const char* to_string(NoticeLevel level) {
  switch (level) {
    case NoticeLevel::debug:
      return "debug";
    case NoticeLevel::info:
      return "info";
    case NoticeLevel::warning:
      return "warning";
    case NoticeLevel::error:
      return "error";
  }
  return "unknown";
}

const char* to_string(HealthState state) {
  switch (state) {
    case HealthState::up:
      return "up";
    case HealthState::degraded:
      return "degraded";
    case HealthState::fatal:
      return "fatal";
  }
  return "unknown";
}

}  // namespace newswatch
