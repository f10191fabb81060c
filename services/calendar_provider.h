// The working-day calendar in force: the bundled bank-holiday data (version 1)
// plus the additions recorded on the calendar stream. Commands take a
// snapshot when they are built; an addition swaps in a new calendar.
#ifndef CASEWORK_SERVICES_CALENDAR_PROVIDER_H_
#define CASEWORK_SERVICES_CALENDAR_PROVIDER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/event_store.h"
#include "workflow/time/calendar.h"

namespace casework::services {

class CalendarProvider {
 public:
  // Parses the bundled data and folds the calendar stream of `store`.
  // FAILED_PRECONDITION if the bundled data does not parse.
  static absl::StatusOr<std::unique_ptr<CalendarProvider>> Load(const storage::EventStore& store);

  // The calendar in force. Thread-safe.
  std::shared_ptr<const workflow::Calendar> Current() const;
  // The bundled calendar without additions.
  const workflow::Calendar& base() const { return base_; }
  // Re-reads the calendar stream (after an addition). Thread-safe.
  absl::Status Refresh(const storage::EventStore& store);

 private:
  explicit CalendarProvider(workflow::Calendar base) : base_(std::move(base)) {}

  const workflow::Calendar base_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const workflow::Calendar> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_CALENDAR_PROVIDER_H_
