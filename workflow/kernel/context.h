// What a workflow's pure functions are given: the context of a decision and
// of a validation, and the two things a state implies besides itself (the
// read-model rows and the durable timers).
#ifndef CASEWORK_WORKFLOW_KERNEL_CONTEXT_H_
#define CASEWORK_WORKFLOW_KERNEL_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "casework/v1/common.pb.h"
#include "casework/v1/privacy.pb.h"
#include "google/protobuf/message.h"

namespace casework::workflow {

class Calendar;
class Registry;
class Workflow;

// The current state of `stream` of `workflow`: DecideContext::read_state,
// and what the outbox's routes read their source with.
using ReadStateFn = std::function<absl::StatusOr<std::shared_ptr<const google::protobuf::Message>>(
    const Workflow& workflow, absl::string_view stream)>;

// A read-model row: a key in the rows keyspace and its value. Keys start with
// one of the row namespaces their workflow declares, e.g.
// "actions/eastbrook/state/OPEN/000000000003".
struct Row {
  std::string key;
  std::string value;
  // The message `value` serialises, when it is a message that may hold
  // personal data (the store then seals its personal fields: see
  // docs/data-protection.md); null for any other value. Set it with
  // MessageRow.
  const google::protobuf::Descriptor* type = nullptr;
  friend bool operator==(const Row& a, const Row& b) {
    return a.key == b.key && a.value == b.value;
  }
};

// The row `key` holding `message`.
inline Row MessageRow(std::string key, const google::protobuf::Message& message) {
  return Row{std::move(key), message.SerializeAsString(), message.GetDescriptor()};
}

// A durable timer implied by a state: it fires once, at the start of
// `fire_on` (Europe/London), unless the state stops implying it first. `name`
// and `generation` identify it within its stream: a timer that is set again
// gets a new generation and so fires again.
struct TimerSpec {
  std::string name;
  int64_t generation = 0;
  absl::CivilDay fire_on;
  friend bool operator==(const TimerSpec& a, const TimerSpec& b) {
    return a.name == b.name && a.generation == b.generation && a.fire_on == b.fire_on;
  }
};

// The agency and role the engine itself acts as (its outbox: user
// "links"; its timer worker: user "timer"). Reserved: no caller may claim
// the agency.
inline constexpr absl::string_view kEngineAgency = "casework";
inline constexpr absl::string_view kEngineRole = "system";

// True if `actor` is the engine itself (its outbox or timer worker).
inline bool IsEngineActor(const v1::Actor& actor) {
  return actor.agency() == kEngineAgency && actor.role() == kEngineRole;
}

// The engine acting as `user` ("links", "timer").
inline v1::Actor EngineActor(absl::string_view user) {
  v1::Actor actor;
  actor.set_agency(std::string(kEngineAgency));
  actor.set_user(std::string(user));
  actor.set_role(std::string(kEngineRole));
  return actor;
}

// What a decision may know beyond the state and the command.
struct DecideContext {
  // The command's recorded time (injected clock).
  absl::Time now;
  // `now` as a civil date in Europe/London.
  absl::CivilDay today;
  // The working-day calendar in force; null for commands that need none.
  const Calendar* calendar = nullptr;
  // Who issued the command. Never null when a decision runs.
  const v1::Actor* actor = nullptr;
  // The stream the command targets, e.g. "partnerships/eastbrook/actions/3".
  absl::string_view stream;
  // The partnership of `stream` ("eastbrook"); empty for a stream outside
  // partnerships (the calendar).
  absl::string_view partnership;
  // The stream's current version; 0 when the stream has no events.
  int64_t version = 0;
  // For a command that creates a stream with a partnership-scoped number:
  // the number the engine allocated. 0 otherwise.
  int64_t number = 0;

  // Cross-stream reads for decisions that depend on other streams (the
  // policy in force, a complainant's ledger, officers' workloads). They see
  // every committed write and the writes of earlier commands in the same
  // group, so decisions stay consistent without locks. Pure tests provide
  // in-memory versions (tests/support/workflow_harness.h).
  //
  // The current state of `stream` of `workflow` (an empty state if it has no
  // events).
  ReadStateFn read_state;
  // Every read-model row whose key starts with `prefix`, in key order.
  std::function<absl::StatusOr<std::vector<Row>>(absl::string_view prefix)> scan_rows;
  // The rows whose key starts with `prefix` and whose remainder sorts after
  // `after` and not after `until` (empty: no bound), in key order: a slice
  // of an index ordered by its keys (e.g. a ledger by reported date), read
  // without the rest. With `limit` > 0, only the first `limit` of them:
  // fewer come back only when there are no more.
  std::function<absl::StatusOr<std::vector<Row>>(absl::string_view prefix, absl::string_view after,
                                                 absl::string_view until, int limit)>
      scan_range;
  // The workflows of the product (which workflow owns another stream).
  // Null only in pure tests that need none.
  const Registry* registry = nullptr;
  // The streams whose records hold data sealed with the live key of the
  // person `reference` of kind `subject` in this partnership (the key's
  // "privacy/uses" rows: docs/data-protection.md), each once, in key
  // order, after `after` (empty: from the first), at most `limit` (> 0):
  // fewer come back only when there are no more. Empty when the person has
  // no live key. Null when the server seals nothing (it was started without
  // a master key).
  std::function<absl::StatusOr<std::vector<std::string>>(
      v1::DataSubject subject, absl::string_view reference, absl::string_view after, int limit)>
      streams_sealed_for;
};

// What a validation may know beyond the request.
struct ValidateContext {
  // Today in Europe/London: dates in the future are refused against it.
  absl::CivilDay today;
  // The workflows of the product: a policy document is validated section by
  // section by the workflow that owns each section. Never null.
  const Registry* registry = nullptr;
};

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_CONTEXT_H_
