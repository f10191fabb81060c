// What every gRPC service of caseworkd is built with. main() (through
// CaseworkServer) makes one; every pointer outlives the services.
#ifndef CASEWORK_SERVICES_SERVICE_DEPS_H_
#define CASEWORK_SERVICES_SERVICE_DEPS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/calendar_provider.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/kernel/registry.h"

namespace casework::services {

class Placement;

class AuditLog;
class EventFeed;
class OutboxDispatcher;
class PolicyCache;

struct ServiceDeps {
  storage::EventStore* store = nullptr;
  storage::Engine* engine = nullptr;
  const Clock* clock = nullptr;
  CalendarProvider* calendars = nullptr;
  const workflow::Registry* registry = nullptr;
  // Where detail reads are recorded (services/audit_log.h); null: not
  // recorded (tools that host no people).
  AuditLog* audit = nullptr;
  // The policy in force of each partnership (services/policy_cache.h): the
  // access shares and the audit purposes. Never null in a server.
  PolicyCache* policies = nullptr;
  absl::TimeZone london;
  // The live event feed (services/event_feed.h); null: Subscribe is
  // refused with UNAVAILABLE (tools that serve no calls).
  EventFeed* feed = nullptr;
  // The outbox (services/outbox.h); null: OutboxService answers UNAVAILABLE.
  OutboxDispatcher* outbox = nullptr;
  // True if this process hosts the gRPC service (services/hosting.h); null:
  // every one. Lists across workflows (deadlines) leave out records of
  // workflows served elsewhere (a split deployment's copied data).
  std::function<bool(absl::string_view service)> hosted;
  // Where OperationsService.CreateBackup writes (--backup_dir; empty: no
  // backups), and how many it keeps there (0: all).
  std::string backup_dir;
  int backup_keep = 0;
  // The partnerships this instance holds (services/placement.h); null: all.
  std::shared_ptr<const Placement> placement;

  // Today in Europe/London.
  absl::CivilDay Today() const { return absl::ToCivilDay(clock->Now(), london); }
};

// The message row `key` holds (opened: storage/opened_rows.h): the readers'
// parsed copy (storage/parsed_rows.h) when one is kept, else read, parsed
// into a message from `make` and kept. Null if there is no such row. The
// message is shared: copy it to change it.
absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> ReadRowMessage(
    const storage::EventStore& store, std::string key,
    absl::FunctionRef<std::unique_ptr<google::protobuf::Message>()> make);

// The state of `stream` of `workflow`: from its summary row when the
// workflow keeps one (the readers' parsed copy, storage/parsed_rows.h, else
// one read), else folded from its state record and events. NOT_FOUND if the
// stream has no events. The message is shared: copy it to change it.
absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> ReadStateMessage(
    const storage::EventStore& store, const workflow::Workflow& workflow,
    const std::string& stream);

// The same, as message T (the workflow's state type).
template <typename T>
absl::StatusOr<T> ReadState(const storage::EventStore& store, const workflow::Workflow& workflow,
                            const std::string& stream) {
  absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> state =
      ReadStateMessage(store, workflow, stream);
  if (!state.ok()) return state.status();
  return workflow::kernel_internal::As<T>(**state);
}

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_SERVICE_DEPS_H_
