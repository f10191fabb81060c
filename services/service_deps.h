// What every gRPC service of caseworkd is built with. main() (through
// CaseworkServer) makes one; every pointer outlives the services.
#ifndef CASEWORK_SERVICES_SERVICE_DEPS_H_
#define CASEWORK_SERVICES_SERVICE_DEPS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/calendar_provider.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/kernel/registry.h"

namespace casework::services {

struct ServiceDeps {
  storage::EventStore* store = nullptr;
  storage::Engine* engine = nullptr;
  const Clock* clock = nullptr;
  CalendarProvider* calendars = nullptr;
  const workflow::Registry* registry = nullptr;
  absl::TimeZone london;

  // Today in Europe/London.
  absl::CivilDay Today() const { return absl::ToCivilDay(clock->Now(), london); }
};

// The state of `stream` of `workflow` as message T: from its summary row
// when the workflow keeps one (one read), else folded from its state record
// and events. NOT_FOUND if the stream has no events.
template <typename T>
absl::StatusOr<T> ReadState(const storage::EventStore& store, const workflow::Workflow& workflow,
                            const std::string& stream) {
  if (const std::string key = workflow.SummaryRowKey(stream); !key.empty()) {
    absl::StatusOr<std::optional<std::string>> row = store.GetRow(key);
    if (!row.ok()) return row.status();
    if (!row->has_value()) return absl::NotFoundError(stream + " does not exist");
    T state;
    if (!state.ParseFromString(**row)) return absl::DataLossError("corrupt summary row " + key);
    return state;
  }
  absl::StatusOr<storage::LoadedState> loaded = storage::LoadState(store, workflow, stream);
  if (!loaded.ok()) return loaded.status();
  if (loaded->version == 0) {
    return absl::NotFoundError(stream + " does not exist");
  }
  return workflow::kernel_internal::As<T>(*loaded->state);
}

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_SERVICE_DEPS_H_
